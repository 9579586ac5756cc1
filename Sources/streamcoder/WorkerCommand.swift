import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Wire
import Worker

/// `streamcoder worker`: one coding worker of a fleet.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Code registry forms from Kafka with a model package, at least once.",
        discussion: """
            Joins the consumer group on the forms topic, codes micro-batches and publishes each \
            result to the coded or the manual-review topic (poison input to the dead-letter topic), \
            storing an offset only once every output at or below it is delivered. SIGINT/SIGTERM \
            stop reading, drain in-flight work and leave the group. Every option also reads \
            STREAMCODER_<OPTION> from the environment (e.g. STREAMCODER_GROUP).
            """
    )

    @OptionGroup var kafka: KafkaOptions

    @Option(
        help: """
            The model package directory, run while the control topic has no directive for the fleet \
            (env STREAMCODER_MODEL; required).
            """
    )
    var model: String?

    @Option(help: "Consumer group of the fleet (default: streamcoder-workers).")
    var group: String?

    @Option(name: .customLong("forms-topic"), help: "The topic of forms to code (default: \(StreamCoderTopic.forms)).")
    var formsTopic: String?

    @Option(
        name: .customLong("codings-topic"),
        help: "Where auto-coded results go (default: \(StreamCoderTopic.codings))."
    )
    var codingsTopic: String?

    @Option(
        name: .customLong("manual-review-topic"),
        help: "Where results left for review go (default: \(StreamCoderTopic.manualReview))."
    )
    var manualReviewTopic: String?

    @Option(
        name: .customLong("dead-letter-topic"),
        help: "Where inputs that cannot be coded go, with why (default: \(StreamCoderTopic.deadLetter))."
    )
    var deadLetterTopic: String?

    @Option(help: "Confidence threshold (p1 − p2, in [0, 1]) for auto-coding (default: the package's).")
    var threshold: Double?

    @Option(name: .customLong("top-k"), help: "Candidates per result (default: the package's).")
    var topK: Int?

    @Option(
        name: .customLong("prob-min"),
        help: "Candidates below this probability are left out (default: the package's)."
    )
    var probMin: Double?

    @Option(
        name: .customLong("batch-size"),
        help: "Micro-batch: at most this many forms (default: 256)…"
    )
    var batchSize: Int?

    @Option(
        name: .customLong("batch-wait-ms"),
        help: "…or what arrived within this many milliseconds (default: 5)."
    )
    var batchWaitMilliseconds: Int?

    @Option(
        name: .customLong("max-in-flight"),
        help: "Forms read whose results are not all delivered; above it, reading pauses (default: 20000)."
    )
    var maxInFlight: Int?

    @Option(
        name: .customLong("coding-threads"),
        help: "Threads that decode, classify and encode, each with its own scratch (default: one per core)."
    )
    var codingThreads: Int?

    @Option(
        name: .customLong("metrics-port"),
        help: "Port of /metrics (Prometheus), /healthz and /readyz; 0 picks one (default: 9464)."
    )
    var metricsPort: UInt16?

    @Flag(help: "Attach to each result the tokens that weigh most on its top code (fastText packages).")
    var explain = false

    @Option(
        name: .customLong("metrics-address"),
        help: "Address the metrics port listens on (default: 127.0.0.1; 0.0.0.0 in a container)."
    )
    var metricsAddress: String?

    @Option(
        name: .customLong("max-message-bytes"),
        help: """
            Largest record the worker sends (its producer's message.max.bytes); the largest form it \
            accepts and result it writes derive from it (default: 1000000).
            """
    )
    var maxMessageBytes: Int?

    @Option(
        name: .customLong("delivery-attempts"),
        help: "Tries of an output before it is replaced by a dead letter of its input (default: 5)."
    )
    var deliveryAttempts: Int?

    @Option(
        name: .customLong("shutdown-grace"),
        help: """
            Seconds a SIGTERM/SIGINT shutdown may take in all; past it the worker exits, leaving what \
            is undelivered uncommitted (default: 30).
            """
    )
    var shutdownGrace: Int?

    @Option(
        name: .customLong("control-topic"),
        help: """
            The compacted topic of the fleet's model directives, followed outside the group \
            (default: streamcoder.control; "" follows none and runs --model only).
            """
    )
    var controlTopic: String?

    @Option(
        name: .customLong("trusted-keys"),
        help: "A directory of .pub keys (models keygen): only packages signed by one of them are run."
    )
    var trustedKeys: String?

    @Flag(
        name: .customLong("exactly-once"),
        help: """
            Commit each micro-batch's outputs and input offsets in one transaction; readers of the \
            outputs use isolation.level=read_committed. Give --instance-id too, so that a restarted \
            worker aborts what its predecessor left open at once.
            """
    )
    var exactlyOnce = false

    @Option(
        name: .customLong("stall-timeout"),
        help: """
            Seconds forms may stay in flight without any completing before /healthz reports the worker \
            stuck (default: 60).
            """
    )
    var stallTimeout: Int?

    @Option(
        name: .customLong("instance-id"),
        help: """
            Static group membership (group.instance.id): a worker restarted with the same id within \
            the session timeout (45 s) takes its partitions back without a rebalance.
            """
    )
    var instanceID: String?

    func run() async throws {
        let logger = makeLogger("streamcoder.worker")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let configuration = try configuration()
        let supervisor: WorkerSupervisor
        do {
            supervisor = try WorkerSupervisor(configuration: configuration, logger: logger)
        } catch let error as WorkerConfigurationError {
            throw ValidationError(error.description)
        }
        let endpoint = probeEndpoint(environment: ProcessInfo.processInfo.environment)
        let probes = ProbeServer.make(
            host: endpoint.address,
            port: endpoint.port,
            supervisor: supervisor,
            registry: registry,
            logger: logger
        )
        logger.debug(
            "allocator",
            metadata: [
                "jemalloc": "\(Allocator.version ?? "not in use")",
                "backgroundPurge": "\(Allocator.purgeInBackground())",
            ]
        )
        // A graceful shutdown reaches services in reverse order: the watchdog, last, is armed
        // before the worker starts draining; the probes, first, answer until the worker is done.
        let watchdog = ShutdownWatchdog(grace: configuration.shutdownGrace, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: probes),
                    // A failed worker also shuts the probes down gracefully (not cancelled mid-answer).
                    .init(
                        service: supervisor,
                        successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup
                    ),
                    .init(service: watchdog, successTerminationBehavior: .ignore),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch let failure as WorkerFailure {
            logger.critical(
                "exiting: the worker failed \(supervisor.rebuildCount + 1) times within \(supervisor.rebuildWindow)",
                metadata: ["reason": "\(failure.reason)"]
            )
            throw ExitCode(Self.failureExitCode)
        }
    }

    /// Where `/metrics`, `/healthz` and `/readyz` listen: the flags, else `STREAMCODER_METRICS_ADDRESS`
    /// and `STREAMCODER_METRICS_PORT`, else 127.0.0.1:9464.
    func probeEndpoint(environment: [String: String]) -> (address: String, port: Int) {
        (
            metricsAddress ?? environment["STREAMCODER_METRICS_ADDRESS"] ?? "127.0.0.1",
            Int(metricsPort ?? environment["STREAMCODER_METRICS_PORT"].flatMap(UInt16.init) ?? 9464)
        )
    }

    /// The status of a worker that could not go on even after rebuilding its clients.
    static let failureExitCode: Int32 = 3

    func configuration() throws -> WorkerConfiguration {
        let environment = ProcessInfo.processInfo.environment
        func setting(_ flag: String?, _ name: String) -> String? { flag ?? environment["STREAMCODER_\(name)"] }
        guard let model = setting(model, "MODEL") else {
            throw ValidationError("No model: pass --model PACKAGE_DIR or set STREAMCODER_MODEL.")
        }
        var configuration = WorkerConfiguration(
            bootstrapServers: try kafka.bootstrapServers(),
            modelPackage: URL(fileURLWithPath: model)
        )
        configuration.groupID = setting(group, "GROUP") ?? configuration.groupID
        configuration.topics.forms = setting(formsTopic, "FORMS_TOPIC") ?? configuration.topics.forms
        configuration.topics.codings = setting(codingsTopic, "CODINGS_TOPIC") ?? configuration.topics.codings
        configuration.topics.manualReview =
            setting(manualReviewTopic, "MANUAL_REVIEW_TOPIC") ?? configuration.topics.manualReview
        configuration.topics.deadLetter =
            setting(deadLetterTopic, "DEAD_LETTER_TOPIC") ?? configuration.topics.deadLetter
        configuration.decision = DecisionOverrides(
            topK: topK ?? setting(nil, "TOP_K").flatMap(Int.init),
            probMin: probMin ?? setting(nil, "PROB_MIN").flatMap(Double.init),
            confidenceThreshold: threshold ?? setting(nil, "THRESHOLD").flatMap(Double.init)
        )
        configuration.explain = explain || setting(nil, "EXPLAIN") == "1"
        configuration.maxBatch = batchSize ?? setting(nil, "BATCH_SIZE").flatMap(Int.init) ?? configuration.maxBatch
        configuration.codingThreads =
            codingThreads ?? setting(nil, "CODING_THREADS").flatMap(Int.init) ?? configuration.codingThreads
        configuration.maxInFlight =
            maxInFlight ?? setting(nil, "MAX_IN_FLIGHT").flatMap(Int.init) ?? configuration.maxInFlight
        configuration.maxMessageBytes =
            maxMessageBytes ?? setting(nil, "MAX_MESSAGE_BYTES").flatMap(Int.init) ?? configuration.maxMessageBytes
        configuration.deliveryAttempts =
            deliveryAttempts ?? setting(nil, "DELIVERY_ATTEMPTS").flatMap(Int.init) ?? configuration.deliveryAttempts
        if let grace = shutdownGrace ?? setting(nil, "SHUTDOWN_GRACE").flatMap(Int.init) {
            configuration.shutdownGrace = .seconds(grace)
        }
        configuration.instanceID = setting(instanceID, "INSTANCE_ID")
        configuration.exactlyOnce = exactlyOnce || setting(nil, "EXACTLY_ONCE") == "1"
        if let topic = setting(controlTopic, "CONTROL_TOPIC") {
            configuration.controlTopic = topic.isEmpty ? nil : topic
        }
        configuration.trustedKeys = setting(trustedKeys, "TRUSTED_KEYS").map { URL(fileURLWithPath: $0) }
        if let stall = stallTimeout ?? setting(nil, "STALL_TIMEOUT").flatMap(Int.init) {
            configuration.stallTimeout = .seconds(stall)
        }
        if let wait = batchWaitMilliseconds ?? setting(nil, "BATCH_WAIT_MS").flatMap(Int.init) {
            configuration.maxBatchWait = .milliseconds(wait)
        }
        let properties = try kafka.librdkafkaProperties()
        configuration.consumerProperties = properties
        configuration.producerProperties = properties.filter { !Self.consumerOnly.contains($0.key) }
        do {
            try configuration.check()
        } catch {
            throw ValidationError(error.description)
        }
        return configuration
    }

    /// -X properties that only a consumer accepts; the producer would refuse them.
    static let consumerOnly: Set<String> = [
        "session.timeout.ms", "heartbeat.interval.ms", "fetch.wait.max.ms", "group.id", "auto.offset.reset",
        "max.poll.interval.ms", "fetch.min.bytes", "fetch.max.bytes", "partition.assignment.strategy",
        "enable.auto.commit", "auto.commit.interval.ms", "isolation.level", "group.instance.id",
    ]
}
