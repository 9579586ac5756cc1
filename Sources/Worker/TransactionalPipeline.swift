import Foundation
import Kafka
import Logging
import Synchronization

/// The exactly-once loop (`worker --exactly-once`), on its own thread: poll a micro-batch, code it
/// (split across the lanes' classifiers), then in one transaction produce its outputs and add the
/// batch's next offsets; commit. A `read_committed` reader of the outputs sees each form's outputs
/// once, whatever happens to the worker: an aborted or unfinished transaction shows nothing, and
/// its forms are read again from the committed offsets.
///
/// A failed transaction is aborted and the consumer rewound to the committed offsets, so the
/// batch is read again (possibly by another member after a rebalance); after
/// `deliveryAttempts` failures in a row, or a fatal error (fenced by a newer instance of the same
/// transactional id), the worker fails and is rebuilt by its supervisor.
///
/// `@unchecked Sendable`: `classifiers`, `consecutiveFailures` and `gauges` are used by the loop's
/// thread only; a new model arrives through `incoming`, under its lock.
final class TransactionalPipeline: CodingPipeline, @unchecked Sendable {
    private let configuration: WorkerConfiguration
    private var classifiers: [FormClassifier]
    /// Classifiers of another model, taken by the loop between two batches.
    private let incoming = Mutex<Lanes?>(nil)
    /// The model of the loop's classifiers, for readers on other threads.
    private let current: Mutex<ModelIdentity>
    private let coder: FormCoder
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let ledger: OutputLedger
    private let logger: Logger
    private let metrics = WorkerMetrics()
    private let stopped = StopFlag()
    private var consecutiveFailures = 0
    private var gauges = PipelineGauges()

    /// How long a transaction's calls may wait for the brokers.
    static let transactionTimeout: Duration = .seconds(30)

    var hasStopped: Bool { stopped.isRaised }

    func swap(to classifier: FormClassifier) {
        incoming.withLock { $0 = Lanes(classifiers: configuration.laneClassifiers(classifier)) }
    }

    var model: ModelIdentity { current.withLock { $0 } }

    /// Exactly-once workers switch whole models only: a canary or shadow directive is logged and
    /// left to the at-least-once workers of the fleet.
    func setCandidate(_ classifier: FormClassifier?, fraction: Double, shadow: Bool) {
        guard let classifier else { return }
        logger.warning(
            "an exactly-once worker runs no canary or shadow: it keeps its model until a full activation",
            metadata: ["candidate": "\(classifier.identity.name)@\(classifier.identity.version)"]
        )
    }

    var candidateModel: ModelIdentity? { nil }

    /// Takes a model that arrived, between two batches.
    private func takeIncoming() {
        guard
            let lanes = incoming.withLock({ value -> Lanes? in
                defer { value = nil }
                return value
            })
        else { return }
        let old = classifiers[0].identity
        classifiers = lanes.classifiers
        current.withLock { $0 = lanes.classifiers[0].identity }
        metrics.retiredModel(old)
        metrics.activeModel(lanes.classifiers[0].identity)
        logger.info(
            "model swapped between two transactions",
            metadata: ["to": "\(lanes.classifiers[0].identity.name)@\(lanes.classifiers[0].identity.version)"]
        )
    }

    init(
        configuration: WorkerConfiguration,
        classifier: FormClassifier,
        consumer: KafkaConsumer,
        producer: KafkaProducer,
        ledger: OutputLedger,
        logger: Logger
    ) {
        self.configuration = configuration
        self.classifiers = configuration.laneClassifiers(classifier)
        self.current = Mutex(classifier.identity)
        self.coder = configuration.formCoder
        self.consumer = consumer
        self.producer = producer
        self.ledger = ledger
        self.logger = logger
        metrics.activeModel(classifier.identity)
    }

    func start(stopping: StopFlag, replay: ReplayProgress?, done: @escaping @Sendable () -> Void) {
        precondition(replay == nil, "a replay is at least once (WorkerConfiguration.check refuses exactly once)")
        let thread = Thread { [self] in
            Thread.current.name = "coding-transactions"
            run(until: stopping)
            stopped.raise()
            done()
        }
        thread.start()
    }

    private func run(until stopping: StopFlag) {
        do {
            try producer.initTransactions(timeout: .seconds(60))
        } catch {
            ledger.fail("the transactional producer could not start: \(error)")
            return
        }
        while !stopping.isRaised && ledger.failure == nil {
            takeIncoming()
            gauges.update(ledger: ledger, consumer: consumer)
            let batch: [KafkaConsumerMessage]
            do {
                batch = try consumer.poll(maxMessages: configuration.maxBatch, timeout: configuration.maxBatchWait)
            } catch {
                logger.error("poll failed", metadata: ["error": "\(error)"])
                if error.isFatal { ledger.fail("the consumer hit a fatal error: \(error)") }
                Thread.sleep(forTimeInterval: 0.1)
                continue
            }
            guard !batch.isEmpty else { continue }
            let inputs = batch.map {
                ledger.register($0.topicPartition, offset: $0.offset, publishedAt: $0.timestampMilliseconds)
            }
            let model = classifiers[0].identity
            let outputs = code(batch)
            commit(batch, inputs: inputs, outputs: outputs, model: model)
        }
    }

    /// The outputs of each message, coded by up to one chunk per classifier at once.
    private func code(_ batch: [KafkaConsumerMessage]) -> [[KafkaProducerMessage]] {
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let started = ContinuousClock.now
        defer {
            metrics.model(classifiers[0].identity).batchCoding.recordNanoseconds(
                Int64((ContinuousClock.now - started).nanoseconds)
            )
            metrics.batchSize.record(batch.count)
        }
        let chunks = min(classifiers.count, max(1, batch.count / 32))
        guard chunks > 1 else { return coder.outputs(for: batch, classifier: classifiers[0], now: now) }
        let size = (batch.count + chunks - 1) / chunks
        let coded = Mutex<[Int: [[KafkaProducerMessage]]]>([:])
        let coder = self.coder
        let lanes = Lanes(classifiers: classifiers)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let slice = Array(batch[(chunk * size)..<min(batch.count, (chunk + 1) * size)])
            let outputs = coder.outputs(for: slice, classifier: lanes.classifiers[chunk], now: now)
            coded.withLock { $0[chunk] = outputs }
        }
        return coded.withLock { coded in (0..<chunks).flatMap { coded[$0] ?? [] } }
    }

    /// Commits the batch's outputs (coded by `model`) with its offsets; on failure aborts and rewinds.
    private func commit(
        _ batch: [KafkaConsumerMessage],
        inputs: [UInt64],
        outputs: [[KafkaProducerMessage]],
        model: ModelIdentity
    ) {
        var next: [KafkaTopicPartition: Int64] = [:]
        for message in batch {
            next[message.topicPartition] = max(next[message.topicPartition] ?? 0, message.offset + 1)
        }
        do {
            try transact(outputs.flatMap { $0 }, offsets: next)
            consecutiveFailures = 0
            ledger.committed(inputs, outputs: outputs, model: model)
        } catch {
            recover(from: error, batch: batch)
        }
    }

    private func transact(_ outputs: [KafkaProducerMessage], offsets: [KafkaTopicPartition: Int64]) throws(KafkaError) {
        try producer.beginTransaction()
        for message in outputs { try produce(message) }
        guard let group = consumer.groupMetadata() else {
            throw KafkaError(.transaction, "the consumer has no group metadata yet", isRetriable: true)
        }
        try producer.sendOffsetsToTransaction(offsets, group: group, timeout: Self.transactionTimeout)
        try producer.commitTransaction(timeout: Self.transactionTimeout)
    }

    /// Enqueues one output of the open transaction, waiting while the producer's queue is full.
    private func produce(_ message: KafkaProducerMessage) throws(KafkaError) {
        while true {
            do {
                try producer.produce(message)
                return
            } catch  where error.code == .queueFull {
                Thread.sleep(forTimeInterval: 0.000_5)
            }
        }
    }

    /// Aborts the failed transaction and rewinds the batch's partitions to their committed
    /// offsets, so that it is read again; fails the worker on a fatal error or too many failures.
    private func recover(from error: KafkaError, batch: [KafkaConsumerMessage]) {
        consecutiveFailures += 1
        if error.isFatal {
            ledger.fail("the transactional producer hit a fatal error: \(error)")
            return
        }
        logger.warning(
            "a transaction failed: aborting it and reading its forms again",
            metadata: ["error": "\(error)", "failures": "\(consecutiveFailures) of \(configuration.deliveryAttempts)"]
        )
        let partitions = Array(Set(batch.map(\.topicPartition)))
        do {
            try producer.abortTransaction(timeout: Self.transactionTimeout)
            ledger.forget(partitions)
            let owned = partitions.filter(consumer.assignment.contains)
            let committed = try consumer.committedOffsets(owned, timeout: .seconds(10))
            var rewind: [KafkaTopicPartition: Int64] = [:]
            for message in batch where owned.contains(message.topicPartition) {
                let first = rewind[message.topicPartition] ?? message.offset
                rewind[message.topicPartition] = committed[message.topicPartition] ?? min(first, message.offset)
            }
            try consumer.rewind(to: rewind, timeout: .seconds(10))
        } catch {
            ledger.fail("could not abort a failed transaction and rewind: \(error)")
            return
        }
        guard consecutiveFailures < configuration.deliveryAttempts else {
            ledger.fail("\(consecutiveFailures) transactions failed in a row; the last: \(error)")
            return
        }
        let backoff = DeliveryPolicy().backoff(after: consecutiveFailures)
        Thread.sleep(forTimeInterval: backoff.timeInterval)
    }
}

/// The classifiers of one coding round.
///
/// `@unchecked Sendable`: a classifier keeps scratch memory and is not thread-safe, but each chunk
/// of a round uses its own, and the round ends before the next begins.
private struct Lanes: @unchecked Sendable {
    let classifiers: [FormClassifier]
}
