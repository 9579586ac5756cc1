import Foundation
import Kafka
import Synchronization

/// What the worker thread and the producer's delivery thread share: which inputs wait for which
/// outputs, the offsets that may be committed, outputs to send again, and the counters.
final class OutputLedger: Sendable {
    private struct Input {
        var partition: KafkaTopicPartition
        var offset: Int64
        var remaining: Int
        /// When the form was published (its record timestamp), unix milliseconds.
        var publishedAt: Int64?
    }

    /// An enqueued output: whose it is and how many times it was sent.
    struct Output: Sendable {
        var input: UInt64
        var message: KafkaProducerMessage
        var attempts = 1
    }

    /// A reply to a caller's own topic is given up after this many failed deliveries (the result
    /// itself is on the coded or manual-review topic); results on the worker's topics never are.
    static let replyAttempts = 3

    private struct State {
        var tracker = OffsetTracker()
        var inputs: [UInt64: Input] = [:]
        var outputs: [UInt64: Output] = [:]
        var retries: [Output] = []
        var nextInput: UInt64 = 0
        var counters = CodingCounters()
    }

    private let state = Mutex(State())
    private let topics: WorkerTopics
    private let metrics = WorkerMetrics()
    private let storeOffsets: @Sendable ([KafkaTopicPartition: Int64]) -> Void

    /// A ledger for the worker's `topics`; `storeOffsets` receives, outside the lock, the offsets
    /// that became committable.
    init(topics: WorkerTopics, storeOffsets: @escaping @Sendable ([KafkaTopicPartition: Int64]) -> Void) {
        self.topics = topics
        self.storeOffsets = storeOffsets
    }

    /// Whether `topic` is a caller's reply topic.
    func isReply(_ topic: String) -> Bool { topics.isReply(topic) }

    /// Registers a consumed input, in the partition's offset order; returns its id. Its outputs
    /// are announced with `expect` before the first is sent.
    func register(_ partition: KafkaTopicPartition, offset: Int64, publishedAt: Int64?) -> UInt64 {
        metrics.formsIn.increment()
        return state.withLock { state in
            state.nextInput += 1
            state.inputs[state.nextInput] = Input(
                partition: partition,
                offset: offset,
                remaining: 0,
                publishedAt: publishedAt
            )
            state.tracker.consumed(partition, offset: offset)
            state.counters.formsIn += 1
            return state.nextInput
        }
    }

    /// Announces how many outputs `input` has, before any is sent. An input given up meanwhile
    /// (its partition revoked or lost) is ignored; one with no output is done at once.
    func expect(_ inputID: UInt64, outputs: Int) {
        updating { state, now, offsets in
            guard var input = state.inputs[inputID] else { return }
            input.remaining = outputs
            if outputs == 0 {
                complete(inputID, input, now: now, in: &state, offsets: &offsets)
            } else {
                state.inputs[inputID] = input
            }
        }
    }

    /// Records `output` under `id`, then enqueues it with `send`: recorded first, so that its
    /// delivery report cannot be served before it is known, and outside the lock, so that
    /// enqueueing never holds up other lanes or the delivery reports. Forgotten when `send` throws.
    func send(
        _ output: Output,
        id: KafkaMessageID,
        with send: (KafkaProducerMessage) throws(KafkaError) -> Void
    ) throws(KafkaError) {
        state.withLock { $0.outputs[id.rawValue] = output }
        do {
            try send(output.message)
        } catch {
            _ = state.withLock { $0.outputs.removeValue(forKey: id.rawValue) }
            throw error
        }
    }

    /// Serves delivery reports: counts them, retries failed outputs, and stores the offsets that
    /// became committable, once for the lot.
    func delivered(_ reports: [KafkaDeliveryReport]) {
        updating { state, now, offsets in
            for report in reports { delivered(report, now: now, in: &state, offsets: &offsets) }
        }
    }

    /// Runs `body` under the lock with the time (unix milliseconds) and the offsets to store,
    /// which are stored after it, outside the lock, when any partition moved forward.
    private func updating(
        _ body: (inout State, Int64, inout [KafkaTopicPartition: Int64]) -> Void
    ) {
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let offsets = state.withLock { state -> [KafkaTopicPartition: Int64] in
            var offsets: [KafkaTopicPartition: Int64] = [:]
            body(&state, now, &offsets)
            return offsets
        }
        if !offsets.isEmpty { storeOffsets(offsets) }
    }

    private func delivered(
        _ report: KafkaDeliveryReport,
        now: Int64,
        in state: inout State,
        offsets: inout [KafkaTopicPartition: Int64]
    ) {
        guard var output = state.outputs.removeValue(forKey: report.id.rawValue) else { return }
        if report.isDelivered {
            count(output.message.topic, in: &state.counters)
        } else if topics.isReply(output.message.topic) && output.attempts >= Self.replyAttempts {
            state.counters.abandonedReplies += 1
        } else {
            state.counters.deliveryRetries += 1
            metrics.deliveryRetries.increment()
            output.attempts += 1
            state.retries.append(output)
            return
        }
        finish(output.input, now: now, in: &state, offsets: &offsets)
    }

    /// Counts one output of `inputID` as done; adds to `offsets` the partition's new committable
    /// offset when that moved it forward. `now` is unix milliseconds.
    private func finish(
        _ inputID: UInt64,
        now: Int64,
        in state: inout State,
        offsets: inout [KafkaTopicPartition: Int64]
    ) {
        guard var input = state.inputs[inputID] else { return }
        input.remaining -= 1
        guard input.remaining == 0 else {
            state.inputs[inputID] = input
            return
        }
        complete(inputID, input, now: now, in: &state, offsets: &offsets)
    }

    /// Forgets a completed input; adds to `offsets` its partition's new committable offset when
    /// that moved it forward.
    private func complete(
        _ inputID: UInt64,
        _ input: Input,
        now: Int64,
        in state: inout State,
        offsets: inout [KafkaTopicPartition: Int64]
    ) {
        state.inputs[inputID] = nil
        state.counters.completed += 1
        if let publishedAt = input.publishedAt {
            metrics.formLatency.recordMilliseconds(max(0, now - publishedAt))
        }
        if let next = state.tracker.finished(input.partition, offset: input.offset) {
            offsets[input.partition] = next
        }
    }

    /// Gives up an output that cannot even be enqueued (a reply topic whose name is refused).
    func abandon(_ output: Output) {
        updating { state, now, offsets in
            state.counters.abandonedReplies += 1
            finish(output.input, now: now, in: &state, offsets: &offsets)
        }
    }

    /// Takes the outputs whose delivery failed, to send again.
    func takeRetries() -> [Output] {
        state.withLock { state in
            defer { state.retries.removeAll() }
            return state.retries
        }
    }

    /// Inputs of these partitions (all partitions when `nil`) still waiting for outputs.
    func pending(in partitions: [KafkaTopicPartition]? = nil) -> Int {
        state.withLock { state in
            guard let partitions else { return state.tracker.totalPending }
            return partitions.reduce(0) { $0 + state.tracker.pendingCount($1) }
        }
    }

    /// Forgets partitions given up: late deliveries for them change nothing.
    func forget(_ partitions: [KafkaTopicPartition]) {
        state.withLock { state in
            let gone = Set(partitions)
            state.tracker.forget(partitions)
            state.inputs = state.inputs.filter { !gone.contains($0.value.partition) }
        }
    }

    /// A copy of the counters.
    var counters: CodingCounters { state.withLock { $0.counters } }

    private func count(_ topic: String, in counters: inout CodingCounters) {
        switch topic {
        case topics.codings:
            counters.autoCoded += 1
            metrics.autoCoded.increment()
        case topics.manualReview:
            counters.manualReview += 1
            metrics.manualReview.increment()
        case topics.deadLetter:
            counters.deadLetters += 1
            metrics.deadLetters.increment()
        default: break
        }
    }
}
