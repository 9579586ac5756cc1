import Foundation
import Kafka
import Logging

/// The worker's loop on its own thread: poll a micro-batch, register its forms in the ledger and
/// hand it to the coding lanes, send failed outputs again, pause reading while too much is in
/// flight; on stop, let the lanes finish and wait for in-flight outputs.
///
/// `@unchecked Sendable`: `lastGauges` is used by the loop's thread only; everything else it
/// holds is `Sendable` or, for the lanes, guards itself.
final class PipelineThread: @unchecked Sendable {
    private let configuration: WorkerConfiguration
    private let lanes: CodingLanes
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let ledger: OutputLedger
    private let logger: Logger
    private let metrics = WorkerMetrics()
    private let stopped = StopFlag()

    /// Whether the loop has ended.
    var hasStopped: Bool { stopped.isRaised }
    private var lastGauges = ContinuousClock.now

    /// A loop whose lanes (`configuration.codingThreads` of them) code with `classifier` and
    /// siblings of it.
    init(
        configuration: WorkerConfiguration,
        classifier: FormClassifier,
        consumer: KafkaConsumer,
        producer: KafkaProducer,
        ledger: OutputLedger,
        logger: Logger
    ) {
        self.configuration = configuration
        let classifiers = [classifier] + (1..<max(1, configuration.codingThreads)).map { _ in classifier.sibling() }
        self.lanes = CodingLanes(
            classifiers: classifiers,
            coder: FormCoder(topics: configuration.topics, explain: configuration.explain),
            ledger: ledger,
            producer: producer,
            logger: logger
        )
        self.consumer = consumer
        self.producer = producer
        self.ledger = ledger
        self.logger = logger
        metrics.activeModel(classifier.identity)
    }

    /// Starts the loop and the lanes; `done` runs once they have stopped and drained.
    func start(stopping: StopFlag, done: @escaping @Sendable () -> Void) {
        lanes.start()
        let thread = Thread { [self] in
            Thread.current.name = "coding-pipeline"
            run(until: stopping)
            stopped.raise()
            lanes.finish()
            drain()
            done()
        }
        thread.start()
    }

    private func run(until stopping: StopFlag) {
        var paused: [KafkaTopicPartition] = []
        while !stopping.isRaised {
            resend(ledger.takeRetries(), with: producer, ledger: ledger, logger: logger)
            paused = applyBackpressure(paused: paused)
            updateGauges()
            let batch: [KafkaConsumerMessage]
            do {
                batch = try consumer.poll(maxMessages: configuration.maxBatch, timeout: configuration.maxBatchWait)
            } catch {
                logger.error("poll failed", metadata: ["error": "\(error)"])
                if error.isFatal { return }
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

    /// Lag, in-flight forms and assignment, once a second.
    private func updateGauges() {
        guard ContinuousClock.now - lastGauges > .seconds(1) else { return }
        lastGauges = .now
        metrics.inFlight.record(ledger.pending())
        metrics.consumerLag.record(consumer.lag().compactMap(\.lag).reduce(0, +))
        metrics.assignedPartitions.record(consumer.assignment.count)
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

    /// Waits until every output is delivered (sending failed ones again), up to the drain timeout.
    private func drain() {
        let deadline = ContinuousClock.now + configuration.drainTimeout
        while ledger.pending() > 0 && ContinuousClock.now < deadline {
            resend(ledger.takeRetries(), with: producer, ledger: ledger, logger: logger)
            Thread.sleep(forTimeInterval: 0.002)
        }
    }
}
