import Foundation
import Kafka
import Logging

/// The worker's loop on its own thread: poll a micro-batch, register its forms in the ledger and
/// hand it to the coding lanes, send failed outputs again, pause reading while too much is in
/// flight; on stop, let the lanes finish and wait for in-flight outputs, within the shutdown
/// budget. It also stops, without waiting for anything, once the worker cannot deliver any more
/// (the producer's fatal error, or an input none of whose outputs can be delivered): what is in
/// flight then stays uncommitted, to be coded again.
///
/// `@unchecked Sendable`: `gauges` is used by the loop's thread only; everything else it
/// holds is `Sendable` or, for the lanes, guards itself.
final class PipelineThread: CodingPipeline, @unchecked Sendable {
    private let configuration: WorkerConfiguration
    private let lanes: CodingLanes
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let ledger: OutputLedger
    private let logger: Logger
    private let metrics = WorkerMetrics()
    private let stopped = StopFlag()
    /// Raised when in-flight work is to be dropped (uncommitted) rather than delivered: on a fatal
    /// failure, or once the shutdown budget is spent.
    private let abandon: StopFlag

    /// Whether the loop has ended.
    var hasStopped: Bool { stopped.isRaised }
    private var gauges = PipelineGauges()

    /// A loop whose lanes (`configuration.codingThreads` of them) code with `classifier` and
    /// siblings of it.
    init(
        configuration: WorkerConfiguration,
        classifier: FormClassifier,
        consumer: KafkaConsumer,
        producer: KafkaProducer,
        ledger: OutputLedger,
        abandon: StopFlag,
        logger: Logger
    ) {
        self.configuration = configuration
        self.abandon = abandon
        let metrics = self.metrics
        self.lanes = CodingLanes(
            classifiers: configuration.laneClassifiers(classifier),
            coder: configuration.formCoder,
            ledger: ledger,
            onSwap: { [logger] old, new, codedBefore in
                metrics.retiredModel(old)
                metrics.activeModel(new)
                logger.info(
                    codedBefore ? "model swapped between two micro-batches" : "starting on the fleet's model",
                    metadata: ["from": "\(old.name)@\(old.version)", "to": "\(new.name)@\(new.version)"]
                )
            }
        ) { [producer, ledger, logger, abandon] output in
            // Waits while the producer's queue is full; once `abandon` is raised, drops the output
            // instead (its input stays uncommitted).
            enqueue(output, with: producer, ledger: ledger, logger: logger, abandon: abandon)
        }
        self.consumer = consumer
        self.producer = producer
        self.ledger = ledger
        self.logger = logger
        metrics.activeModel(classifier.identity)
    }

    func swap(to classifier: FormClassifier) {
        lanes.swap(to: configuration.laneClassifiers(classifier))
    }

    var model: ModelIdentity { lanes.model }

    func setCandidate(_ classifier: FormClassifier?, fraction: Double, shadow: Bool) {
        lanes.setCandidate(
            classifier.map {
                CodingLanes.Candidate(
                    classifiers: configuration.laneClassifiers($0),
                    fraction: fraction,
                    shadow: shadow
                )
            }
        )
    }

    var candidateModel: ModelIdentity? { lanes.candidateModel }

    /// Starts the loop and the lanes; `done` runs once they have stopped and drained (or given up).
    func start(stopping: StopFlag, replay: ReplayProgress?, done: @escaping @Sendable () -> Void) {
        lanes.start()
        let thread = Thread { [self] in
            Thread.current.name = "coding-pipeline"
            run(until: stopping, replay: replay)
            stopped.raise()
            // Lanes blocked on a full producer queue give up once the drain budget is spent.
            let deadline = ContinuousClock.now + drainBudget
            let abandon = self.abandon
            DispatchQueue.global().asyncAfter(deadline: .now() + drainBudget.timeInterval) { abandon.raise() }
            lanes.finish()
            drain(until: deadline)
            done()
        }
        thread.start()
    }

    /// How long a stop waits for in-flight outputs: the drain timeout, within two thirds of the
    /// shutdown grace (the rest is for leaving the group and committing).
    private var drainBudget: Duration {
        min(configuration.drainTimeout, configuration.shutdownGrace * 2 / 3)
    }

    /// Why the worker cannot go on, once it cannot.
    var failure: String? { ledger.failure }

    /// Whether the worker can still deliver; records the producer's fatal error in the ledger.
    private func canDeliver() -> Bool {
        if let fatal = producer.fatalFailure { ledger.fail(fatal.message) }
        guard let failure = ledger.failure else { return true }
        if !abandon.isRaised {
            logger.critical(
                "the worker cannot deliver any more: stopping without committing what is in flight",
                metadata: ["reason": "\(failure)", "inFlight": "\(ledger.pending())"]
            )
            abandon.raise()
        }
        return false
    }

    private func run(until stopping: StopFlag, replay: ReplayProgress?) {
        var paused: [KafkaTopicPartition] = []
        var bounded = ReplayBounds(replay)
        while !stopping.isRaised && canDeliver() {
            if bounded.isDone(ledger: ledger) {
                logger.info("every form of the replay's range is coded and delivered")
                return
            }
            resend(ledger.takeRetries(), with: producer, ledger: ledger, logger: logger, abandon: abandon)
            paused = applyBackpressure(paused: paused, finished: bounded.finished)
            gauges.update(ledger: ledger, consumer: consumer)
            var batch: [KafkaConsumerMessage]
            do {
                batch = try consumer.poll(maxMessages: configuration.maxBatch, timeout: configuration.maxBatchWait)
            } catch {
                logger.error("poll failed", metadata: ["error": "\(error)"])
                if error.isFatal {
                    ledger.fail("the consumer hit a fatal error: \(error)")
                    continue
                }
                Thread.sleep(forTimeInterval: 0.1)
                continue
            }
            batch = bounded.admit(batch, consumer: consumer, logger: logger)
            guard !batch.isEmpty else { continue }
            let inputs = batch.map {
                ledger.register($0.topicPartition, offset: $0.offset, publishedAt: $0.timestampMilliseconds)
            }
            lanes.submit(.init(messages: batch, inputs: inputs))
        }
    }

    /// Pauses every assigned partition while too many forms are in flight, resumes at half (but
    /// not the `finished` ones: a replay's partitions read to their end).
    private func applyBackpressure(
        paused: [KafkaTopicPartition],
        finished: Set<KafkaTopicPartition>
    ) -> [KafkaTopicPartition] {
        let inFlight = ledger.pending()
        do {
            if paused.isEmpty && inFlight >= configuration.maxInFlight {
                let partitions = consumer.assignment.sorted()
                try consumer.pause(partitions)
                logger.debug("paused reading", metadata: ["inFlight": "\(inFlight)"])
                return partitions
            }
            if !paused.isEmpty && inFlight <= configuration.maxInFlight / 2 {
                try consumer.resume(paused.filter { consumer.assignment.contains($0) && !finished.contains($0) })
                return []
            }
        } catch {
            logger.warning("pause/resume failed", metadata: ["error": "\(error)"])
        }
        return paused
    }

    /// Waits until every output is delivered (sending failed ones again), up to `deadline`, or
    /// until the worker cannot deliver any more.
    private func drain(until deadline: ContinuousClock.Instant) {
        while ledger.pending() > 0 && ContinuousClock.now < deadline && canDeliver() {
            resend(ledger.takeRetries(), with: producer, ledger: ledger, logger: logger, abandon: abandon)
            Thread.sleep(forTimeInterval: 0.002)
        }
    }
}

/// The loop's view of a replay's range: which records it codes, which partitions it has read to
/// their end (paused, so nothing after the end is read), and when it is done.
struct ReplayBounds {
    private let progress: ReplayProgress?
    /// Partitions read to their end.
    private(set) var finished: Set<KafkaTopicPartition> = []
    private var lastPositionCheck = ContinuousClock.now

    init(_ progress: ReplayProgress?) {
        self.progress = progress
    }

    /// Whether the range is read to its end and every output of it delivered (never, outside a replay).
    func isDone(ledger: OutputLedger) -> Bool {
        progress?.isDone(pending: ledger.pending()) ?? false
    }

    /// The records of `batch` inside the range; pauses the partitions that reached their end,
    /// by a record or (checked a few times a second) by their read position.
    mutating func admit(
        _ batch: [KafkaConsumerMessage],
        consumer: KafkaConsumer,
        logger: Logger
    ) -> [KafkaConsumerMessage] {
        guard let progress else { return batch }
        var (inRange, reached) = progress.admit(batch)
        if ContinuousClock.now - lastPositionCheck > .milliseconds(200) {
            lastPositionCheck = .now
            reached += progress.reach(positions: consumer.lag())
        }
        let wait = progress.aheadOfRate
        if wait > .zero { Thread.sleep(forTimeInterval: min(wait, .milliseconds(500)).timeInterval) }
        if !reached.isEmpty {
            finished.formUnion(reached)
            do {
                try consumer.pause(reached)
            } catch {
                logger.debug("pausing a partition read to its end failed", metadata: ["error": "\(error)"])
            }
        }
        return inRange
    }
}
