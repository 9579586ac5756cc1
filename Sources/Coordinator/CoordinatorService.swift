import Foundation
import Kafka
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import Wire

/// How a coordinator runs.
public struct CoordinatorConfiguration: Sendable {
    /// The brokers.
    public var bootstrapServers: String
    /// Any librdkafka property for its clients.
    public var properties: [String: String] = [:]
    /// The fleet it coordinates (its workers' consumer group).
    public var group = StreamCoderFleet.defaultGroup
    /// The compacted topic of directives.
    public var controlTopic = StreamCoderTopic.control
    /// The topic of worker reports.
    public var fleetTopic = StreamCoderTopic.fleet
    /// The model store its rollbacks find their packages in; without one it cannot roll back.
    public var store: URL?
    /// Keys a package must be signed with, as the workers are given them.
    public var trustedKeys: String?
    /// When a canary is rolled back by itself; `nil` turns automatic rollbacks off.
    public var policy: RolloutPolicy? = RolloutPolicy()
    /// A worker silent for this long is shown as gone.
    public var goneAfter: Duration = .seconds(30)
    /// How often the rollout is compared.
    public var checkInterval: Duration = .seconds(1)
    /// How many of the newest fleet reports are read at start.
    public var fleetWindow: Int64 = 10_000

    /// A coordinator of the default fleet on these brokers.
    public init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }
}

/// The coordinator: follows the control and fleet topics into a live view of the fleet (a
/// restarted coordinator rebuilds it from them), compares a canary with the stable model, and
/// writes the rollback directive itself when the canary is clearly worse, after checking the
/// package it returns to. Operators' commands write directives without it: it holds no state of
/// its own beyond what it read.
public final class CoordinatorService: Service, Sendable {
    private let configuration: CoordinatorConfiguration
    private let logger: Logger
    private let state: Mutex<CoordinatorState>
    private let progress = Mutex(Progress())
    private let metrics = CoordinatorMetrics()

    /// How far the reading is, for the health endpoint.
    private struct Progress {
        var caughtUp = false
        var readError: String?
        var lastLoop: ContinuousClock.Instant?
        var writeError: String?
    }

    /// A coordinator; nothing connects before `run`.
    public init(configuration: CoordinatorConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        state = Mutex(CoordinatorState(group: configuration.group))
    }

    /// The fleet now.
    public var status: FleetStatus {
        let caughtUp = progress.withLock { $0.caughtUp }
        return state.withLock { state in
            FleetStatus(state, caughtUp: caughtUp, policy: configuration.policy, goneAfter: configuration.goneAfter)
        }
    }

    /// Liveness: whether the coordinator's topic reader still comes round (a restart would help
    /// if not), and a line saying so or why not. Brokers that cannot be reached leave it live.
    public var liveness: (isLive: Bool, line: String) {
        let progress = progress.withLock { $0 }
        if let lastLoop = progress.lastLoop, ContinuousClock.now - lastLoop > .seconds(30) {
            return (false, "not live: the topic reader has not come round for \(ContinuousClock.now - lastLoop)")
        }
        let workers = state.withLock { $0.reports.count }
        return (true, "live: following \(workers) workers of \(configuration.group)")
    }

    /// Readiness: whether the coordinator's view is whole (the control and fleet topics read to
    /// the end they had at its start, and their last read did not fail), and a line saying so or
    /// why not.
    public var readiness: (isReady: Bool, line: String) {
        let live = liveness
        guard live.isLive else { return (false, live.line) }
        let progress = progress.withLock { $0 }
        guard progress.caughtUp else {
            let why = progress.readError.map { ": \($0)" } ?? ""
            return (
                false,
                "not ready: reading \(configuration.controlTopic) and \(configuration.fleetTopic) to their end\(why)"
            )
        }
        if let error = progress.readError { return (false, "not ready: the topics cannot be read: \(error)") }
        if let error = progress.writeError {
            return (true, "ready, but the last rollback could not be written: \(error)")
        }
        let workers = state.withLock { $0.reports.count }
        return (true, "ready: following \(workers) workers of \(configuration.group)")
    }

    /// Reads the two topics until a graceful shutdown, comparing the rollout every check interval.
    public func run() async throws {
        await createTopics()
        var settings = KafkaConsumerConfiguration(
            bootstrapServers: configuration.bootstrapServers,
            groupID: "streamcoder-coordinator-\(UUID().uuidString)",
            properties: configuration.properties
        )
        settings.clientID = "streamcoder-coordinator"
        settings.autoCommitIntervalMilliseconds = 0
        let consumer = try KafkaConsumer(configuration: settings, logger: logger)
        var producerSettings = KafkaProducerConfiguration(
            bootstrapServers: configuration.bootstrapServers,
            properties: configuration.properties
        )
        producerSettings.clientID = "streamcoder-coordinator"
        let producer = try KafkaProducer(configuration: producerSettings, logger: logger)
        let stopped = Mutex(false)
        await withGracefulShutdownHandler {
            await follow(with: consumer, producer: producer) { stopped.withLock { $0 } }
        } onGracefulShutdown: {
            stopped.withLock { $0 = true }
        }
        try? await consumer.close()
        try? await producer.close(timeout: .seconds(5))
        logger.info("coordinator stopped")
    }

    /// The control topic compacted with one partition, the fleet topic with one partition; topics
    /// that exist are left as they are.
    private func createTopics() async {
        do {
            let admin = try KafkaAdmin(
                configuration: .init(
                    bootstrapServers: configuration.bootstrapServers,
                    properties: configuration.properties
                ),
                logger: logger
            )
            let existing = Set(try await admin.listTopics(timeout: .seconds(10)).map(\.name))
            let wanted = [
                KafkaTopicSpecification(
                    name: configuration.controlTopic,
                    partitions: 1,
                    configs: ["cleanup.policy": "compact"]
                ),
                KafkaTopicSpecification(name: configuration.fleetTopic, partitions: 1),
            ]
            let missing = wanted.filter { !existing.contains($0.name) }
            guard !missing.isEmpty else { return }
            try await admin.createTopics(missing, ignoreExisting: true, timeout: .seconds(10))
            logger.info("created \(missing.map(\.name).joined(separator: ", "))")
        } catch {
            logger.warning(
                "could not create the control and fleet topics (create them with one partition, the control topic compacted)",
                metadata: ["error": "\(error)"]
            )
        }
    }

    private func follow(
        with consumer: KafkaConsumer,
        producer: KafkaProducer,
        stopped: @escaping @Sendable () -> Bool
    ) async {
        var ends: [KafkaTopicPartition: Int64]?
        var positions: [KafkaTopicPartition: Int64] = [:]
        var lastCheck = ContinuousClock.now
        while !stopped() {
            progress.withLock { $0.lastLoop = .now }
            if ends == nil {
                do {
                    ends = try await assign(consumer, positions: &positions)
                } catch {
                    progress.withLock { $0.readError = "\(error)" }
                    logger.warning("the control and fleet topics cannot be read yet", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(2))
                    continue
                }
            }
            do {
                for message in try await consumer.nextBatch(maxMessages: 500, timeout: .milliseconds(200)) {
                    positions[message.topicPartition] = message.offset + 1
                    take(message)
                }
                progress.withLock { $0.readError = nil }
            } catch {
                progress.withLock { $0.readError = "\(error)" }
                try? await Task.sleep(for: .milliseconds(500))
            }
            if let wanted = ends, !progress.withLock({ $0.caughtUp }),
                wanted.allSatisfy({ positions[$0.key, default: 0] >= $0.value })
            {
                progress.withLock { $0.caughtUp = true }
                let (generation, workers) = state.withLock { ($0.directive?.generation ?? 0, $0.reports.count) }
                logger.info(
                    "caught up with the control and fleet topics",
                    metadata: ["generation": "\(generation)", "workers": "\(workers)"]
                )
            }
            if ContinuousClock.now - lastCheck >= configuration.checkInterval {
                lastCheck = .now
                await check(producer: producer)
            }
        }
    }

    /// Assigns the control topic from its start and the fleet topic from its last reports;
    /// returns the ends to reach before the view is complete.
    private func assign(
        _ consumer: KafkaConsumer,
        positions: inout [KafkaTopicPartition: Int64]
    ) async throws -> [KafkaTopicPartition: Int64] {
        let control = KafkaTopicPartition(topic: configuration.controlTopic, partition: 0)
        let fleet = KafkaTopicPartition(topic: configuration.fleetTopic, partition: 0)
        let (controlLow, controlHigh) = try await consumer.watermarks(of: control, timeout: .seconds(5))
        let (fleetLow, fleetHigh) = try await consumer.watermarks(of: fleet, timeout: .seconds(5))
        let fleetStart = max(fleetLow, fleetHigh - configuration.fleetWindow)
        try consumer.assign([control: controlLow, fleet: fleetStart])
        positions = [control: controlLow, fleet: fleetStart]
        return [control: controlHigh, fleet: fleetHigh]
    }

    private func take(_ message: KafkaConsumerMessage) {
        guard let value = message.value else { return }
        if message.topic == configuration.controlTopic {
            guard let directive = try? ModelDirective(decoding: value) else { return }
            let key = message.key.map { String(decoding: $0, as: UTF8.self) }
            let changed = state.withLock { $0.apply(controlKey: key, directive: directive) }
            if changed && progress.withLock({ $0.caughtUp }) {
                let model = directive.package.model
                logger.info(
                    "directive \(directive.generation): \(model.name)@\(model.version)",
                    metadata: [
                        "canary": "\(directive.canaryFraction)", "shadow": "\(directive.shadow)",
                        "reason": "\(directive.reason)",
                    ]
                )
            }
        } else if let report = try? WorkerReport(decoding: value) {
            state.withLock { $0.apply(report) }
        }
    }

    /// Updates the metrics and writes a rollback when one is due.
    private func check(producer: KafkaProducer) async {
        let status = self.status
        metrics.update(status)
        guard status.caughtUp, let policy = configuration.policy,
            let due = state.withLock({ $0.rollbackDue(policy: policy) }),
            let current = status.directive
        else { return }
        await rollBack(current, because: due, producer: producer)
    }

    private func rollBack(_ current: ModelDirective, because due: RolloutAssessment, producer: KafkaProducer) async {
        let reason = "automatic rollback by the coordinator: \(due.summary)"
        do {
            guard let storeDirectory = configuration.store else {
                throw ModelStoreError("no --store: the coordinator cannot find the package to return to")
            }
            let directive = try ModelStore(directory: storeDirectory).rollbackDirective(
                after: current,
                group: configuration.group,
                trustedKeys: configuration.trustedKeys,
                reason: reason
            )
            _ = try await producer.send(
                KafkaProducerMessage(
                    topic: configuration.controlTopic,
                    key: Array(configuration.group.utf8),
                    value: try directive.encoded()
                )
            )
            let rollback = CoordinatorState.Rollback(
                generation: directive.generation,
                from: current.package.model,
                to: directive.package.model,
                reason: reason,
                atUnixMs: directive.issuedAtUnixMs
            )
            state.withLock { $0.rolledBack(rollback) }
            progress.withLock { $0.writeError = nil }
            metrics.rollbacks.increment()
            logger.warning(
                "rolled the canary back",
                metadata: [
                    "generation": "\(directive.generation)",
                    "from": "\(current.package.model.name)@\(current.package.model.version)",
                    "to": "\(directive.package.model.name)@\(directive.package.model.version)",
                    "reason": "\(due.summary)",
                ]
            )
        } catch {
            let first = progress.withLock { progress in
                defer { progress.writeError = "\(error)" }
                return progress.writeError != "\(error)"
            }
            if first {
                logger.error(
                    "the canary is worse but cannot be rolled back: roll it back by hand (models rollback)",
                    metadata: ["reason": "\(due.summary)", "error": "\(error)"]
                )
            }
        }
    }
}

/// The coordinator's metrics, through swift-metrics.
struct CoordinatorMetrics: Sendable {
    let rollbacks = Counter(label: "streamcoder_coordinator_rollbacks_total")
    private let generation = Gauge(label: "streamcoder_coordinator_directive_generation")
    private let workersUp = Gauge(label: "streamcoder_coordinator_workers", dimensions: [("state", "up")])
    private let workersGone = Gauge(label: "streamcoder_coordinator_workers", dimensions: [("state", "gone")])
    private let canaryWorse = Gauge(label: "streamcoder_coordinator_canary_worse")

    func update(_ status: FleetStatus) {
        generation.record(Double(status.directive?.generation ?? 0))
        workersUp.record(status.workers.filter { !$0.gone }.count)
        workersGone.record(status.workers.filter(\.gone).count)
        canaryWorse.record(status.rollout.verdict == .worse ? 1 : 0)
        for entry in status.models {
            let version = ("model_version", "\(entry.model.name)@\(entry.model.version)")
            Gauge(label: "streamcoder_fleet_forms_coded", dimensions: [version]).record(Double(entry.counters.formsIn))
            Gauge(label: "streamcoder_fleet_manual_review_rate", dimensions: [version])
                .record(entry.counters.manualReviewRate)
            Gauge(label: "streamcoder_fleet_error_rate", dimensions: [version]).record(entry.counters.errorRate)
        }
    }
}
