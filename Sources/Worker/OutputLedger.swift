import Foundation
import Kafka
import Logging
import Synchronization
import Wire

/// What the worker thread and the producer's delivery thread share: which inputs wait for which
/// outputs, the offsets that may be committed, outputs to send again, and the counters.
final class OutputLedger: Sendable {
    private struct Input {
        var partition: KafkaTopicPartition
        var offset: Int64
        var remaining: Int
        /// When the form was published (its record timestamp), unix milliseconds.
        var publishedAt: Int64?
        /// The model that coded the form, once known.
        var model: ModelIdentity?
    }

    /// An enqueued output: whose it is, what it is, and how many times it was sent.
    struct Output: Sendable {
        var input: UInt64
        var message: KafkaProducerMessage
        var kind: DeliveryPolicy.Kind
        /// The input record, kept to dead-letter it if this output cannot be delivered.
        var source: KafkaConsumerMessage
        var attempts = 1
        /// When a retry may be sent, after a backoff.
        var due: ContinuousClock.Instant?
    }

    /// What the enqueueing side does with an output the producer refused at once.
    enum Refusal: Sendable {
        /// Send this instead (a dead letter of the input), now.
        case send(Output)
        /// Nothing to send now: it was queued for a retry, given up, or the worker cannot go on.
        case handled
    }

    private struct State {
        var tracker = OffsetTracker()
        var inputs: [UInt64: Input] = [:]
        var outputs: [UInt64: Output] = [:]
        var retries: [Output] = []
        var nextInput: UInt64 = 0
        var counters = CodingCounters()
        /// The counters split by the model that coded the forms (`formsIn`: forms it coded).
        var modelCounters: [ModelIdentity: CodingCounters] = [:]
        /// Why the worker cannot go on, once an input can have no output delivered at all.
        var failure: String?
        /// When an input last completed, or work arrived while none was in flight.
        var lastProgress: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let topics: WorkerTopics
    private let deadLetters: DeadLetters
    private let policy: DeliveryPolicy
    private let logger: Logger
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let metrics = WorkerMetrics()
    private let storeOffsets: @Sendable ([KafkaTopicPartition: Int64]) -> Void

    /// A ledger for the worker's `topics`; failed outputs are retried or replaced as `policy` says,
    /// with dead letters from `deadLetters`; `storeOffsets` receives, outside the lock, the offsets
    /// that became committable. `clock` is the time of backoffs (tests pass their own).
    init(
        topics: WorkerTopics,
        deadLetters: DeadLetters,
        policy: DeliveryPolicy = DeliveryPolicy(),
        logger: Logger,
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        storeOffsets: @escaping @Sendable ([KafkaTopicPartition: Int64]) -> Void
    ) {
        self.topics = topics
        self.deadLetters = deadLetters
        self.policy = policy
        self.logger = logger
        self.clock = clock
        self.storeOffsets = storeOffsets
    }

    /// Why the worker cannot go on (an input none of whose outputs can be delivered), or `nil`.
    var failure: String? { state.withLock { $0.failure } }

    /// Time since an input last completed, or since work arrived when none was in flight; zero
    /// before any work.
    var sinceProgress: Duration {
        let last = state.withLock { $0.lastProgress }
        return last.map { clock() - $0 } ?? .zero
    }

    /// Records that the worker cannot go on (e.g. its producer hit a fatal error); the first
    /// reason stays.
    func fail(_ reason: String) {
        state.withLock { $0.failure = $0.failure ?? reason }
    }

    /// Registers a consumed input, in the partition's offset order; returns its id. Its outputs
    /// are announced with `expect` before the first is sent.
    func register(_ partition: KafkaTopicPartition, offset: Int64, publishedAt: Int64?) -> UInt64 {
        metrics.formsIn.increment()
        return state.withLock { state in
            if state.inputs.isEmpty { state.lastProgress = clock() }
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

    /// Announces how many outputs `input` has, and which model coded it, before any is sent. An
    /// input given up meanwhile (its partition revoked or lost) is ignored; one with no output is
    /// done at once.
    func expect(_ inputID: UInt64, outputs: Int, model: ModelIdentity? = nil) {
        updating { state, now, offsets in
            guard var input = state.inputs[inputID] else { return }
            input.remaining = outputs
            input.model = model
            if let model {
                state.modelCounters[model, default: CodingCounters()].formsIn += 1
                metrics.model(model).forms.increment()
            }
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
        guard let output = state.outputs.removeValue(forKey: report.id.rawValue) else { return }
        guard let error = report.error else {
            count(output.message, model: state.inputs[output.input]?.model, in: &state)
            finish(output.input, now: now, in: &state, offsets: &offsets)
            return
        }
        if let next = failed(output, error: error, now: now, in: &state, offsets: &offsets) {
            state.retries.append(next)
        }
    }

    /// Applies the policy to an output that failed with `error`; returns what to send next (a
    /// retry, due after its backoff, or a replacement, due now), if anything.
    private func failed(
        _ output: Output,
        error: KafkaError,
        now: Int64,
        in state: inout State,
        offsets: inout [KafkaTopicPartition: Int64]
    ) -> Output? {
        guard state.inputs[output.input] != nil else { return nil }  // given up with its partition
        switch policy.decide(kind: output.kind, topic: output.message.topic, attempts: output.attempts, error: error)
        {
        case .retry(let backoff):
            state.counters.deliveryRetries += 1
            metrics.deliveryRetries.increment()
            var retry = output
            retry.attempts += 1
            retry.due = clock() + backoff
            return retry
        case .replace(let kind, let code, let reason):
            state.counters.replacedOutputs += 1
            let model = state.inputs[output.input]?.model
            if let model { state.modelCounters[model, default: CodingCounters()].replacedOutputs += 1 }
            metrics.model(model).errors.increment()
            let letter =
                kind == .deadLetter
                ? deadLetters.make(for: output.source, code: code, reason: reason)
                : deadLetters.minimal(for: output.source, code: code, reason: reason)
            logger.warning(
                "an output could not be delivered: sending a dead letter of its input instead",
                metadata: [
                    "source": "\(output.source.topic)/\(output.source.partition)@\(output.source.offset)",
                    "code": "\(code)", "reason": "\(reason)",
                ]
            )
            return Output(input: output.input, message: letter, kind: kind, source: output.source)
        case .abandon:
            state.counters.abandonedReplies += 1
            finish(output.input, now: now, in: &state, offsets: &offsets)
            return nil
        case .fatal(let reason):
            state.failure = state.failure ?? reason
            return nil
        }
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
        state.lastProgress = clock()
        if let publishedAt = input.publishedAt {
            metrics.model(input.model).formLatency.recordMilliseconds(max(0, now - publishedAt))
        }
        if let next = state.tracker.finished(input.partition, offset: input.offset) {
            offsets[input.partition] = next
        }
    }

    /// Records inputs coded by `model` whose outputs were committed in one transaction
    /// (exactly-once mode).
    func committed(_ inputs: [UInt64], outputs: [[KafkaProducerMessage]], model: ModelIdentity) {
        updating { state, now, offsets in
            for (input, messages) in zip(inputs, outputs) {
                guard var known = state.inputs[input] else { continue }
                known.model = model
                state.modelCounters[model, default: CodingCounters()].formsIn += 1
                metrics.model(model).forms.increment()
                for message in messages { count(message, model: model, in: &state) }
                complete(input, known, now: now, in: &state, offsets: &offsets)
            }
        }
    }

    /// Applies the policy to an output the producer refused to enqueue (too large, a topic name
    /// it rejects, a fatal state); says what to send instead, if anything now.
    func refused(_ output: Output, error: KafkaError) -> Refusal {
        var refusal = Refusal.handled
        updating { state, now, offsets in
            guard let next = failed(output, error: error, now: now, in: &state, offsets: &offsets) else { return }
            if next.due == nil { refusal = .send(next) } else { state.retries.append(next) }
        }
        return refusal
    }

    /// Takes the outputs to send again whose backoff has passed.
    func takeRetries() -> [Output] {
        let now = clock()
        return state.withLock { state in
            guard !state.retries.isEmpty else { return [] }
            var due: [Output] = []
            state.retries.removeAll { output in
                guard output.due.map({ $0 <= now }) ?? true else { return false }
                due.append(output)
                return true
            }
            return due
        }
    }

    /// The inputs whose outputs wait for a retry.
    var pendingRetryInputs: [UInt64] { state.withLock { $0.retries.map(\.input) } }

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
            state.retries.removeAll { gone.contains($0.source.topicPartition) }
        }
    }

    /// A copy of the counters.
    var counters: CodingCounters { state.withLock { $0.counters } }

    /// A copy of the counters of each model that coded forms.
    var modelCounters: [ModelIdentity: CodingCounters] { state.withLock { $0.modelCounters } }

    /// Counts a delivered output for the worker and for the model that coded its input: by its
    /// topic, or by its decision header when one topic takes every result.
    private func count(_ message: KafkaProducerMessage, model: ModelIdentity?, in state: inout State) {
        let labelled = metrics.model(model)
        let sharedResults = topics.codings == topics.manualReview
        let autoCoded =
            message.topic == topics.codings
            && (!sharedResults
                || message.headers.contains { $0.key == StreamCoderHeader.decision && $0.text == "auto-coded" })
        if autoCoded {
            state.counters.autoCoded += 1
            if let model { state.modelCounters[model, default: CodingCounters()].autoCoded += 1 }
            labelled.autoCoded.increment()
        } else if message.topic == topics.manualReview {
            state.counters.manualReview += 1
            if let model { state.modelCounters[model, default: CodingCounters()].manualReview += 1 }
            labelled.manualReview.increment()
        } else if message.topic == topics.deadLetter {
            state.counters.deadLetters += 1
            if let model { state.modelCounters[model, default: CodingCounters()].deadLetters += 1 }
            labelled.deadLetters.increment()
        }
    }
}
