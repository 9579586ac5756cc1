import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Synchronization
import Wire

/// The coding worker: consumes registry forms in a consumer group, codes them in micro-batches
/// and publishes one result per form (or the form to the dead-letter topic), at least once.
///
/// The pipeline runs on a thread of its own (polling and BLAS are blocking work); an input's
/// offset is stored only when every output at or below it is delivered, and stored offsets are
/// committed in the background, before a revoke and on shutdown. Graceful shutdown stops
/// reading, waits for in-flight outputs (up to `drainTimeout`) and leaves the group.
public final class CodingWorker: Service, Sendable {
    private let configuration: WorkerConfiguration
    private let logger: Logger
    private let ledger: OutputLedger
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let stopping = StopFlag()
    private let pipeline: any CodingPipeline
    private let probe = BrokerProbe()
    private let follower: ModelFollower?
    private let reporter: FleetReporter?
    private let replayProgress = Mutex<ReplayProgress?>(nil)

    /// Loads the model package (refusing a bad one) and creates the Kafka clients.
    public init(configuration: WorkerConfiguration, logger: Logger) throws {
        try configuration.check()
        self.configuration = configuration
        self.logger = logger
        let classifier = try FormClassifier(
            packageAt: configuration.modelPackage,
            overrides: configuration.decision,
            trustedKeys: configuration.trustedKeys
        )
        logger.info(
            "model loaded",
            metadata: [
                "model": "\(classifier.identity.name)@\(classifier.identity.version)",
                "sha256": "\(classifier.identity.sha256.prefix(12))",
            ]
        )
        let consumerBox = ConsumerReference()
        let ledger = OutputLedger(
            topics: configuration.topics,
            deadLetters: DeadLetters(
                topic: configuration.topics.deadLetter,
                maxMessageBytes: configuration.maxMessageBytes
            ),
            policy: DeliveryPolicy(maxAttempts: configuration.deliveryAttempts),
            logger: logger
        ) { offsets in
            do {
                try consumerBox.consumer?.storeOffsets(offsets)
            } catch {
                logger.debug("offsets not stored (partition given up meanwhile)", metadata: ["error": "\(error)"])
            }
        }
        self.ledger = ledger
        let abandon = StopFlag()
        let drain = RevocationDrain(
            ledger: ledger,
            timeout: configuration.drainTimeout,
            abandon: abandon,
            logger: logger
        )
        var consumerConfiguration = KafkaConsumerConfiguration(
            bootstrapServers: configuration.bootstrapServers,
            groupID: configuration.groupID,
            properties: configuration.consumerProperties
        )
        consumerConfiguration.clientID = "streamcoder-worker"
        consumerConfiguration.sessionTimeoutMilliseconds = configuration.sessionTimeout.wholeMilliseconds
        consumerConfiguration.groupInstanceID = configuration.instanceID
        if configuration.exactlyOnce {
            // Offsets are committed by the transactions; forms from transactional producers are
            // read once their transaction committed.
            consumerConfiguration.autoCommitIntervalMilliseconds = 0
            consumerConfiguration.readCommitted = true
        }
        consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger) { event in
            drain.handle(event)
        }
        consumerBox.consumer = consumer
        var producerConfiguration = KafkaProducerConfiguration(
            bootstrapServers: configuration.bootstrapServers,
            properties: configuration.producerProperties
        )
        producerConfiguration.clientID = "streamcoder-worker"
        producerConfiguration.lingerMilliseconds = configuration.producerLingerMilliseconds
        producerConfiguration.maxMessageBytes = configuration.maxMessageBytes
        if configuration.exactlyOnce { producerConfiguration.transactionalID = configuration.transactionalID }
        producer = try KafkaProducer(configuration: producerConfiguration, logger: logger) { reports in
            ledger.delivered(reports)
        }
        drain.producer = producer
        if configuration.exactlyOnce {
            pipeline = TransactionalPipeline(
                configuration: configuration,
                classifier: classifier,
                consumer: consumer,
                producer: producer,
                ledger: ledger,
                logger: logger
            )
        } else {
            pipeline = PipelineThread(
                configuration: configuration,
                classifier: classifier,
                consumer: consumer,
                producer: producer,
                ledger: ledger,
                abandon: abandon,
                logger: logger
            )
        }
        let pipeline = self.pipeline
        follower = configuration.controlTopic.map {
            ModelFollower(configuration: configuration, topic: $0, pipeline: pipeline, logger: logger)
        }
        reporter = try configuration.fleetTopic.map {
            try FleetReporter(configuration: configuration, topic: $0, logger: logger)
        }
    }

    /// Looks the output topics up before the first form, so that the first results do not wait
    /// for librdkafka's once-a-second scan of topics it has not seen.
    private func prepareOutputTopics() async {
        let topics = configuration.topics
        let unavailable = await producer.prepare(
            topics: [topics.codings, topics.manualReview, topics.deadLetter, StreamCoderTopic.replies],
            timeout: .seconds(5)
        )
        // The default reply topic only matters to callers that use request/reply; and when no
        // broker can be reached that has been said already (once), with what the worker does.
        let missing = unavailable.filter { $0.topic != StreamCoderTopic.replies }
        guard let (_, error) = missing.first else { return }
        let level: Logger.Level = producer.allBrokersDownError == nil ? .warning : .debug
        logger.log(
            level: level,
            "output topics not looked up: their first results may wait",
            metadata: ["topics": "\(missing.map(\.topic).joined(separator: ", "))", "error": "\(error)"]
        )
    }

    /// What the worker did so far.
    public var counters: CodingCounters { ledger.counters }

    /// A replay's progress, once the worker has started reading its range.
    public var replay: ReplayProgress? { replayProgress.withLock { $0 } }

    /// Whether a replay's whole range is read and every output of it delivered (false outside a
    /// replay, and for a replay stopped before its end).
    public var replayIsDone: Bool { replay?.isDone(pending: ledger.pending()) ?? false }

    /// Joins the group on the forms topic; or, for a replay, reads its range's partitions by
    /// assignment from where the replay's group committed (a rerun) or the range's start.
    private func startReading() async throws -> ReplayProgress? {
        guard let range = configuration.replay else {
            try consumer.subscribe(topics: [configuration.topics.forms])
            return nil
        }
        let forms = configuration.topics.forms
        let partitions = range.ends.keys.sorted().map { KafkaTopicPartition(topic: forms, partition: $0) }
        let committed = try await consumer.committed(partitions)
        let progress = ReplayProgress(
            range: range.resumed(
                from: Dictionary(uniqueKeysWithValues: committed.map { ($0.key.partition, $0.value) })
            ),
            topic: forms,
            rate: configuration.replayRate
        )
        replayProgress.withLock { $0 = progress }
        try consumer.assign(progress.assignment)
        return progress
    }

    /// Waits (up to `timeout`) until every form read has all its outputs delivered, then commits
    /// their offsets; returns whether both happened. For a caller about to stop a whole group at
    /// once (the demo): members stopping together commit during each other's leaving, which the
    /// group refuses until it has rebalanced.
    public func settle(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ledger.pending() > 0 {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return (try? await consumer.commit(waitingAtMost: max(.zero, deadline - .now))) ?? false
    }

    /// How many partitions of the forms topic this worker owns now.
    public var assignedPartitions: Int { consumer.assignment.count }

    /// What the worker tells the fleet now.
    public var report: WorkerReport {
        let model = pipeline.model
        let counters = self.counters
        return WorkerReport(
            workerID: configuration.workerID,
            active: ModelRef(model),
            candidate: pipeline.candidateModel.map(ModelRef.init),
            directiveGeneration: follower?.generation ?? 0,
            loadErrors: follower?.refusals ?? [],
            counters: WorkerCounters(counters),
            reportedAtUnixMs: Int64(Date().timeIntervalSince1970 * 1_000),
            models: ledger.modelCounters
                .map { ModelCounters(model: ModelRef($0.key), counters: WorkerCounters($0.value)) }
                .sorted { ($0.model.name, $0.model.version) < ($1.model.name, $1.model.version) },
            host: ProcessInfo.processInfo.hostName,
            partitions: consumer.assignment.filter { $0.topic == configuration.topics.forms }.map {
                Int32($0.partition)
            }
            .sorted()
        )
    }

    /// What the liveness and readiness probes answer now.
    public var health: WorkerHealth {
        let snapshot = WorkerHealth.Snapshot(
            pipelineRunning: !pipeline.hasStopped,
            failure: ledger.failure ?? producer.fatalFailure?.message,
            inFlight: ledger.pending(),
            sinceProgress: ledger.sinceProgress,
            assignedPartitions: consumer.assignment.count,
            brokersReachable: probe.reachable,
            shuttingDown: stopping.isRaised,
            model: "\(pipeline.model.name)@\(pipeline.model.version)"
        )
        return WorkerHealth(snapshot, stallTimeout: configuration.stallTimeout)
    }

    /// How long a stop waits for the consumer to leave the group, after the drain (which has two
    /// thirds of the shutdown grace): within the last third.
    private var leaveBudget: Duration { min(.seconds(10), configuration.shutdownGrace / 4) }

    /// Runs until graceful shutdown, then drains in-flight work and leaves the group.
    public func run() async throws {
        probe.start(asking: consumer)
        defer { probe.stop() }
        // The fleet's model before the first form: a restarted worker comes back on it.
        if let follower, await follower.catchUp() { follower.start() }
        let reports = reporter.map { reporter in Task { [self] in await reporter.run { self.report } } }
        defer { reporter?.stop() }
        await prepareOutputTopics()
        let replay = try await startReading()
        let stopping = self.stopping
        let pipeline = self.pipeline
        await withGracefulShutdownHandler {
            await withCheckedContinuation { continuation in
                pipeline.start(stopping: stopping, replay: replay) { continuation.resume() }
            }
        } onGracefulShutdown: {
            stopping.raise()
        }
        let left = ledger.pending()
        if left > 0 {
            logger.warning("stopping with \(left) forms whose results are not all delivered: left uncommitted")
        }
        // Committed while the group is still stable: once another member leaves (a whole fleet
        // stopping, a scale-in), the group refuses commits until it has rebalanced, and the
        // revoke's commit would fail, leaving these forms to be coded again.
        do {
            if try await !consumer.commit(waitingAtMost: leaveBudget) {
                logger.warning("committing the drained offsets takes too long: leaving the group without it")
            }
        } catch {
            logger.debug(
                "committing the drained offsets failed: the revoke commits them",
                metadata: ["error": "\(error)"]
            )
        }
        if try await !consumer.close(waitingAtMost: leaveBudget) {
            logger.warning(
                "leaving the group takes too long: going without it (the offsets were committed on revoke; the group moves the partitions after its session timeout)",
                metadata: ["waited": "\(leaveBudget)"]
            )
        }
        await follower?.stop()
        reporter?.stop()
        await reports?.value
        if let failure = ledger.failure {
            logger.error("worker stopped: it could not deliver any more", metadata: ["counters": "\(counters)"])
            throw WorkerFailure(reason: failure)
        }
        logger.info("worker stopped", metadata: ["counters": "\(counters)"])
    }
}

extension WorkerCounters {
    /// A report's counts of a worker's counters; errors are the outputs replaced by dead letters.
    init(_ counters: CodingCounters) {
        self.init(
            formsIn: counters.formsIn,
            autoCoded: counters.autoCoded,
            manualReview: counters.manualReview,
            deadLetters: counters.deadLetters,
            errors: counters.replacedOutputs
        )
    }
}

extension ModelRef {
    /// The reference of a loaded model.
    init(_ identity: ModelIdentity) {
        self.init(name: identity.name, version: identity.version, sha256: identity.sha256)
    }
}

/// A worker that stopped because it could deliver nothing more (its producer's fatal error, or
/// an input none of whose outputs the brokers accept). Nothing in flight was committed: a new
/// worker resumes from the committed offsets.
public struct WorkerFailure: Error, Sendable, CustomStringConvertible {
    /// Why the worker could not go on.
    public var reason: String

    public var description: String { "the worker could not deliver any more: \(reason)" }
}

/// The consumer, reached from the ledger's offset store, which is created before it. Weak: the
/// producer's delivery handler leads here, and the consumer's rebalance handler leads to the
/// producer, so strong references would keep both alive after the worker is gone.
///
/// `@unchecked Sendable`: set once in `CodingWorker.init`, before the consumer subscribes and
/// the producer sends anything, so before any delivery report can read it.
final class ConsumerReference: @unchecked Sendable {
    weak var consumer: KafkaConsumer?
}
