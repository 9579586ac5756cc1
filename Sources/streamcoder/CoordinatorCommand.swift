import ArgumentParser
import Coordinator
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Wire

/// `streamcoder coordinator`: follows the fleet, serves its status, rolls a worse canary back.
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Follow the fleet's directives and reports, serve its status, and roll a worse canary back.",
        discussion: """
            Creates the control topic (compacted) and the fleet topic when they are missing, reads \
            both into a live view of the fleet (a restarted coordinator rebuilds it from them), and \
            serves /status (JSON), /metrics, /healthz (liveness) and /readyz (readiness: its view is whole). While a canary runs it compares the \
            candidate's manual-review and error rates with the stable model's; once each has coded \
            --min-forms forms and the candidate is worse by more than allowed, it writes the rollback \
            directive itself (the package is found in --store and checked again first). The fleet \
            keeps coding without it: workers follow the control topic, and the models commands write \
            to it directly.
            """
    )

    @OptionGroup var kafka: KafkaOptions

    @OptionGroup var fleet: FleetOptions

    @Option(name: .customLong("fleet-topic"), help: "The topic of worker reports.")
    var fleetTopic: String = StreamCoderTopic.fleet

    @Option(help: "The model store its rollbacks find packages in (env STREAMCODER_MODEL_STORE).")
    var store: String?

    @Option(
        name: .customLong("trusted-keys"),
        help: "Refuse to roll back to a package not signed by one of these keys."
    )
    var trustedKeys: String?

    @Option(
        name: .customLong("min-forms"),
        help: "Forms each of the canary and the stable model must code before they are compared."
    )
    var minForms: UInt64 = 1_000

    @Option(
        name: .customLong("max-review-increase"),
        help: "Largest allowed rise of the canary's manual-review rate over the stable model's (0.10 = 10 points)."
    )
    var maxReviewIncrease: Double = 0.10

    @Option(
        name: .customLong("max-error-increase"),
        help: "Largest allowed rise of the canary's error rate (dead letters and failed outputs per form)."
    )
    var maxErrorIncrease: Double = 0.02

    @Flag(name: .customLong("no-auto-rollback"), help: "Compare and report, but never roll back by itself.")
    var noAutoRollback = false

    @Option(name: .customLong("gone-after"), help: "Seconds of silence after which a worker is shown as gone.")
    var goneAfter: Int = 30

    @Option(name: .customLong("port"), help: "Port of /status, /metrics, /healthz and /readyz; 0 picks one.")
    var port: UInt16 = 9465

    @Option(name: .customLong("address"), help: "Address the port listens on.")
    var address: String = "127.0.0.1"

    func validate() throws {
        guard (0...1).contains(maxReviewIncrease), (0...1).contains(maxErrorIncrease) else {
            throw ValidationError("--max-review-increase and --max-error-increase are shares between 0 and 1, e.g. 0.1")
        }
        guard minForms > 0 else { throw ValidationError("--min-forms must be at least 1") }
    }

    func run() async throws {
        let logger = makeLogger("streamcoder.coordinator")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var configuration = CoordinatorConfiguration(bootstrapServers: try kafka.bootstrapServers())
        configuration.properties = try kafka.librdkafkaProperties()
        configuration.group = fleet.group
        configuration.controlTopic = fleet.controlTopic
        configuration.fleetTopic = fleetTopic
        configuration.store = (store ?? ProcessInfo.processInfo.environment["STREAMCODER_MODEL_STORE"])
            .map { URL(fileURLWithPath: $0) }
        configuration.trustedKeys = trustedKeys
        configuration.goneAfter = .seconds(goneAfter)
        configuration.policy =
            noAutoRollback
            ? nil
            : RolloutPolicy(
                minForms: minForms,
                maxReviewIncrease: maxReviewIncrease,
                maxErrorIncrease: maxErrorIncrease
            )
        if configuration.store == nil && !noAutoRollback {
            logger.warning("no --store: a worse canary is reported but cannot be rolled back by the coordinator")
        }
        let coordinator = CoordinatorService(configuration: configuration, logger: logger)
        let server = Self.server(
            host: address,
            port: Int(port),
            coordinator: coordinator,
            registry: registry,
            logger: logger
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: server),
                    .init(service: coordinator, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }

    /// `/status` (the fleet as JSON), `/metrics`, `/healthz` and `/readyz`, answered from the coordinator's
    /// state without waiting on the brokers.
    static func server(
        host: String,
        port: Int,
        coordinator: CoordinatorService,
        registry: PrometheusCollectorRegistry,
        logger: Logger
    ) -> some Service {
        let router = Router()
        router.get("/status") { _, _ -> Response in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            var buffer = ByteBuffer()
            let body: Data = (try? encoder.encode(coordinator.status)) ?? Data("{}".utf8)
            buffer.writeBytes(body)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
        }
        router.get("/metrics") { _, _ -> Response in ProbeServer.metrics(registry) }
        router.get("/healthz") { _, _ -> Response in
            let liveness = coordinator.liveness
            return ProbeServer.text(liveness.isLive ? .ok : .serviceUnavailable, liveness.line)
        }
        router.get("/readyz") { _, _ -> Response in
            let readiness = coordinator.readiness
            return ProbeServer.text(readiness.isReady ? .ok : .serviceUnavailable, readiness.line)
        }
        return ProbeServer.application(
            router,
            host: host,
            port: port,
            serverName: "streamcoder-coordinator",
            logger: logger
        )
    }
}
