# syntax=docker/dockerfile:1
#
# One image for the whole fleet: the `streamcoder` binary runs the workers, the coordinator and
# the one-shot jobs (topics, model store), picked by the command (`worker`, `coordinator`, …).
# Build from the repository root:
#
#   docker build -t streamcoder:local .
#
# CI checks this file statically (swift test --filter DeploymentTests): the files it copies exist,
# the entrypoint is the binary, the health check asks /healthz. See docs/deploy.md.

# ---- build: Swift 6.3 on Debian bookworm, with the headers of the C libraries we link ----------
FROM swift:6.3-bookworm AS build
# The -dev packages of Package.swift's system libraries (its `.apt` providers) and pkg-config,
# which finds their flags.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        pkg-config librdkafka-dev libprotobuf-c-dev libopenblas-dev libjemalloc-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
# SwiftPM checks that every target of the manifest exists, the test targets included.
COPY Tests ./Tests
# The Swift runtime and Foundation are linked in (--static-swift-stdlib), so the runtime stage
# needs only the C libraries. The build cache survives between builds; the binary leaves it.
RUN --mount=type=cache,target=/src/.build \
    swift build -c release --static-swift-stdlib --product streamcoder \
    && install -D "$(swift build -c release --static-swift-stdlib --show-bin-path)/streamcoder" /out/streamcoder

# ---- runtime: slim Debian with the C libraries' runtime packages --------------------------------
FROM debian:bookworm-slim AS runtime
# librdkafka1 (Kafka), libprotobuf-c1 (the contract), libopenblas0-pthread (OpenBLAS, the pthread
# variant the build linked against), libjemalloc2 (the process's malloc); curl for the health check.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        librdkafka1 libprotobuf-c1 libopenblas0-pthread libjemalloc2 libstdc++6 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
# A fixed non-root user (uid 10001), so a volume or a Kubernetes fsGroup can grant it the model
# store. /srv/models belongs to it: a named volume mounted there starts with that owner.
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/streamcoder --create-home streamcoder \
    && mkdir -p /srv/models \
    && chown streamcoder:streamcoder /srv/models
COPY --from=build /out/streamcoder /usr/local/bin/streamcoder
# The demo package (what a worker runs before any `models activate`) and the sample forms.
COPY Models/naf-demo /opt/streamcoder/models/naf-demo
COPY data/sirene_examples.csv /opt/streamcoder/data/sirene_examples.csv
USER streamcoder
WORKDIR /var/lib/streamcoder
# 9464: a worker's /metrics, /healthz, /readyz; 9465: the coordinator's /status, /metrics, /healthz.
EXPOSE 9464 9465
# A worker's liveness on its default --metrics-port (the coordinator and the one-shot jobs set their
# own in compose). /healthz, not /readyz: a broker outage makes a worker unready, not dead.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:9464/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/streamcoder"]
CMD ["--help"]
