import Foundation
import Kafka
import Logging

/// The worker's loop on its own thread: poll a micro-batch, code it, enqueue its outputs, send
/// failed outputs again, pause reading while too much is in flight; on stop, wait for in-flight
/// outputs.
///
/// `@unchecked Sendable`: the classifier (not thread-safe) and the coder are used only by the
/// one thread `start` creates; everything else it holds is `Sendable`.
final class PipelineThread: @unchecked Sendable {
    private let configuration: WorkerConfiguration
    private let classifier: FormClassifier
    private let coder: FormCoder
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let ledger: OutputLedger
    private let logger: Logger
    private let metrics = WorkerMetrics()
    private let stopped = StopFlag()

    /// Whether the loop has ended.
    var hasStopped: Bool { stopped.isRaised }
    private var lastGauges = ContinuousClock.now

    init(
        configuration: WorkerConfiguration,
        classifier: FormClassifier,
        consumer: KafkaConsumer,
        producer: KafkaProducer,
        ledger: OutputLedger,
        logger: Logger
    ) {
        self.configuration = configuration
        self.classifier = classifier
        self.coder = FormCoder(topics: configuration.topics, explain: configuration.explain)
        self.consumer = consumer
        self.producer = producer
        self.ledger = ledger
        self.logger = logger
        metrics.activeModel(classifier.identity)
    }

    /// Starts the loop; `done` runs once it has stopped and drained.
    func start(stopping: StopFlag, done: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            run(until: stopping)
            stopped.raise()
            drain()
            done()
        }
        thread.name = "coding-pipeline"
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
            if !batch.isEmpty { code(batch) }
        }
    }

    private func code(_ batch: [KafkaConsumerMessage]) {
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let started = ContinuousClock.now
        let outputs = coder.outputs(for: batch, classifier: classifier, now: now)
        metrics.batchCoding.recordNanoseconds(Int64((ContinuousClock.now - started).nanoseconds))
        metrics.batchSize.record(batch.count)
        for (message, messageOutputs) in zip(batch, outputs) {
            let input = ledger.register(
                message.topicPartition,
                offset: message.offset,
                outputs: messageOutputs.count,
                publishedAt: message.timestampMilliseconds
            )
            for output in messageOutputs {
                enqueue(.init(input: input, message: output), with: producer, ledger: ledger, logger: logger)
            }
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
