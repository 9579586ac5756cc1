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
    func start(stopping: StopFlag, done: @escaping @Sendable () -> Void) {
        lanes.start()
        let thread = Thread { [self] in
            Thread.current.name = "coding-pipeline"
            run(until: stopping)
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

    private func run(until stopping: StopFlag) {
        var paused: [KafkaTopicPartition] = []
        while !stopping.isRaised && canDeliver() {
            resend(ledger.takeRetries(), with: producer, ledger: ledger, logger: logger, abandon: abandon)
            paused = applyBackpressure(paused: paused)
            gauges.update(ledger: ledger, consumer: consumer)
            let batch: [KafkaConsumerMessage]
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
            guard !batch.isEmpty else { continue }
            let inputs = batch.map {
                ledger.register($0.topicPartition, offset: $0.offset, publishedAt: $0.timestampMilliseconds)
            }
            lanes.submit(.init(messages: batch, inputs: inputs))
        }
    }

    /// Pauses every assigned partition while too many forms are in flight, resumes at half.
    private func applyBackpressure(paused: [KafkaTopicPartition]) -> [KafkaTopicPartition] {
        let inFlight = ledger.pending()
        do {
            if paused.isEmpty && inFlight >= configuration.maxInFlight {
                let partitions = consumer.assignment.sorted()
                try consumer.pause(partitions)
                logger.debug("paused reading", metadata: ["inFlight": "\(inFlight)"])
                return partitions
            }
            if !paused.isEmpty && inFlight <= configuration.maxInFlight / 2 {
                try consumer.resume(paused.filter(consumer.assignment.contains))
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
