import Foundation
import Kafka

/// Threads that code the micro-batches the pipeline's loop reads: each takes the next batch from
/// a short shared queue, decodes, classifies and encodes it with a classifier of its own, and
/// enqueues its outputs. The loop goes on polling meanwhile; nothing waits for a whole round.
///
/// Each input is registered in the ledger by the loop, in offset order, before its batch is
/// queued; a lane tells the ledger how many outputs it has before sending the first, so no
/// delivery report can finish an input early.
///
/// `@unchecked Sendable`: the queue and its flags are read and written under `condition`; each
/// lane's classifier is used by its own thread only.
final class CodingLanes: @unchecked Sendable {
    /// A polled batch and the ledger ids of its messages, in the same order.
    struct Batch {
        var messages: [KafkaConsumerMessage]
        var inputs: [UInt64]
    }

    private let condition = NSCondition()
    private var queue: [Batch] = []
    private var closing = false
    private var running = 0
    /// Batches queued at most; `submit` waits beyond it, so reading never runs far ahead.
    private let capacity: Int

    private let classifiers: [FormClassifier]
    private let coder: FormCoder
    private let ledger: OutputLedger
    private let emit: @Sendable (OutputLedger.Output) -> Void
    private let metrics = WorkerMetrics()

    /// Lanes for these classifiers, one each; none runs before `start`. Each output goes to
    /// `emit` (the worker enqueues it with its producer) once the ledger knows how many outputs
    /// its input has.
    init(
        classifiers: [FormClassifier],
        coder: FormCoder,
        ledger: OutputLedger,
        emit: @escaping @Sendable (OutputLedger.Output) -> Void
    ) {
        precondition(!classifiers.isEmpty, "at least one coding lane")
        self.capacity = classifiers.count * 2
        self.classifiers = classifiers
        self.coder = coder
        self.ledger = ledger
        self.emit = emit
    }

    /// Starts one thread per lane.
    func start() {
        condition.lock()
        running = classifiers.count
        condition.unlock()
        for index in classifiers.indices {
            let thread = Thread { [self] in
                Thread.current.name = "coding-lane-\(index)"
                serve(with: classifiers[index])
            }
            thread.start()
        }
    }

    /// Queues a batch, waiting while the queue is full.
    func submit(_ batch: Batch) {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity && !closing { condition.wait() }
        queue.append(batch)
        condition.broadcast()
    }

    /// Codes what is queued, then ends the threads; returns once they have ended.
    func finish() {
        condition.lock()
        defer { condition.unlock() }
        closing = true
        condition.broadcast()
        while running > 0 { condition.wait() }
    }

    private func serve(with classifier: FormClassifier) {
        while let batch = next() {
            code(batch, with: classifier)
        }
        condition.lock()
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch; `nil` once closing with nothing left.
    private func next() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !closing { condition.wait() }
        guard !queue.isEmpty else { return nil }
        let batch = queue.removeFirst()
        condition.broadcast()
        return batch
    }

    private func code(_ batch: Batch, with classifier: FormClassifier) {
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let started = ContinuousClock.now
        let outputs = coder.outputs(for: batch.messages, classifier: classifier, now: now)
        metrics.batchCoding.recordNanoseconds(Int64((ContinuousClock.now - started).nanoseconds))
        metrics.batchSize.record(batch.messages.count)
        for ((input, source), messageOutputs) in zip(zip(batch.inputs, batch.messages), outputs) {
            ledger.expect(input, outputs: messageOutputs.count)
            for message in messageOutputs {
                let output = OutputLedger.Output(
                    input: input,
                    message: message,
                    kind: coder.topics.kind(of: message.topic),
                    source: source
                )
                emit(output)
            }
        }
    }
}
