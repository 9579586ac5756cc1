import Foundation
import Kafka
import Wire

/// Threads that code the micro-batches the pipeline's loop reads: each takes the next batch from
/// a short shared queue, decodes, classifies and encodes it with a classifier of its own, and
/// enqueues its outputs. The loop goes on polling meanwhile; nothing waits for a whole round.
///
/// Each input is registered in the ledger by the loop, in offset order, before its batch is
/// queued; a lane tells the ledger how many outputs it has before sending the first, so no
/// delivery report can finish an input early.
///
/// `@unchecked Sendable`: the queue, its flags and the current classifiers are read and written
/// under `condition`; a lane's classifier is used by that lane's thread only, one batch at a time.
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
    /// Lanes coding a batch now.
    private var busy = 0
    /// The classifiers lanes take their next batch with, one per lane.
    private var current: [FormClassifier]
    /// Classifiers of another model, taken once every lane is between two batches.
    private var pending: [FormClassifier]?
    /// A candidate beside the current model (canary or shadow), one classifier per lane; changed
    /// at the same barrier as a swap.
    private var candidate: Candidate?
    private var pendingCandidate: Candidate??
    /// Whether any batch was taken yet.
    private var codedAny = false
    /// Called (under the lanes' lock) when a pending model takes over; the flag says whether
    /// forms were coded before (false: the model was replaced before the first batch).
    private let onSwap: @Sendable (ModelIdentity, ModelIdentity, Bool) -> Void
    /// Batches queued at most; `submit` waits beyond it, so reading never runs far ahead.
    private let capacity: Int

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
        onSwap: @escaping @Sendable (_ old: ModelIdentity, _ new: ModelIdentity, _ codedBefore: Bool) -> Void,
        emit: @escaping @Sendable (OutputLedger.Output) -> Void
    ) {
        precondition(!classifiers.isEmpty, "at least one coding lane")
        self.capacity = classifiers.count * 2
        self.current = classifiers
        self.coder = coder
        self.ledger = ledger
        self.onSwap = onSwap
        self.emit = emit
    }

    /// A candidate model beside the current one: with `shadow`, it codes every form and its
    /// results go to the shadow topic only; otherwise it codes the forms whose key hashes under
    /// `fraction` (a canary) and its results are published as the current model's are.
    struct Candidate {
        var classifiers: [FormClassifier]
        var fraction: Double
        var shadow: Bool
    }

    /// Sets (or, with `nil`, ends) the candidate for the batches not taken yet, at the same
    /// barrier as a swap: every lane between two batches.
    func setCandidate(_ candidate: Candidate?) {
        condition.lock()
        defer { condition.unlock() }
        guard codedAny else {
            self.candidate = candidate
            return
        }
        pendingCandidate = .some(candidate)
        condition.broadcast()
    }

    /// The candidate model, if any.
    var candidateModel: ModelIdentity? {
        condition.lock()
        defer { condition.unlock() }
        return candidate?.classifiers[0].identity
    }

    /// Codes the batches not taken yet with `classifiers` (one per lane): once every lane has
    /// finished the batch it is coding, all of them switch together, so that every output of the
    /// old model is enqueued before any of the new one and a batch is coded by one model.
    func swap(to classifiers: [FormClassifier]) {
        condition.lock()
        defer { condition.unlock() }
        precondition(classifiers.count == current.count, "one classifier per lane")
        guard codedAny else {
            // Nothing coded yet: the new model simply replaces the first one.
            onSwap(current[0].identity, classifiers[0].identity, false)
            current = classifiers
            return
        }
        pending = classifiers
        condition.broadcast()
    }

    /// The model the lanes code with now.
    var model: ModelIdentity {
        condition.lock()
        defer { condition.unlock() }
        return current[0].identity
    }

    /// Starts one thread per lane.
    func start() {
        condition.lock()
        let lanes = current.count
        running = lanes
        condition.unlock()
        for index in 0..<lanes {
            let thread = Thread { [self] in
                Thread.current.name = "coding-lane-\(index)"
                serve(lane: index)
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

    private func serve(lane: Int) {
        while let (batch, classifier, candidate) = next(lane: lane) {
            code(batch, with: classifier, candidate: candidate)
            condition.lock()
            busy -= 1
            condition.broadcast()
            condition.unlock()
        }
        condition.lock()
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch and the classifier to code it with; `nil` once closing with nothing left.
    /// A pending model takes over first, as soon as no lane is coding.
    private func next(lane: Int) -> (Batch, FormClassifier, (FormClassifier, Double, Bool)?)? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if busy == 0 && (pending != nil || pendingCandidate != nil) {
                if let incoming = pending {
                    let old = current[0].identity
                    current = incoming
                    pending = nil
                    onSwap(old, incoming[0].identity, true)
                }
                if let incoming = pendingCandidate {
                    candidate = incoming
                    pendingCandidate = nil
                }
                condition.broadcast()
            }
            let changing = pending != nil || pendingCandidate != nil
            if !changing, !queue.isEmpty {
                let batch = queue.removeFirst()
                busy += 1
                codedAny = true
                condition.broadcast()
                return (batch, current[lane], candidate.map { ($0.classifiers[lane], $0.fraction, $0.shadow) })
            }
            if queue.isEmpty && closing && !changing { return nil }
            condition.wait()
        }
    }

    private func code(
        _ batch: Batch,
        with classifier: FormClassifier,
        candidate: (classifier: FormClassifier, fraction: Double, shadow: Bool)?
    ) {
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let started = ContinuousClock.now
        let outputs: [[KafkaProducerMessage]]
        // The model that codes each form: the candidate for a canary's share, else the current one.
        var models = [ModelIdentity](repeating: classifier.identity, count: batch.messages.count)
        if let candidate {
            if candidate.shadow {
                outputs = shadowed(batch.messages, stable: classifier, candidate: candidate.classifier, now: now)
            } else {
                let routed = batch.messages.map {
                    CanaryRouter.routesToCandidate($0.key, fraction: candidate.fraction)
                }
                for index in routed.indices where routed[index] { models[index] = candidate.classifier.identity }
                outputs = canary(batch.messages, routed: routed, stable: classifier, candidate: candidate.classifier, now: now)
            }
        } else {
            outputs = coder.outputs(for: batch.messages, classifier: classifier, now: now)
        }
        metrics.model(classifier.identity).batchCoding.recordNanoseconds(
            Int64((ContinuousClock.now - started).nanoseconds)
        )
        metrics.batchSize.record(batch.messages.count)
        for (((input, source), messageOutputs), model) in zip(zip(zip(batch.inputs, batch.messages), outputs), models) {
            ledger.expect(input, outputs: messageOutputs.count, model: model)
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

    /// The current model's outputs, plus the candidate's results on the shadow topic (its dead
    /// letters are dropped: the current model's outputs account for the input).
    private func shadowed(
        _ messages: [KafkaConsumerMessage],
        stable: FormClassifier,
        candidate: FormClassifier,
        now: Int64
    ) -> [[KafkaProducerMessage]] {
        var shadowCoder = coder
        shadowCoder.topics.codings = coder.topics.shadow
        shadowCoder.topics.manualReview = coder.topics.shadow
        let live = coder.outputs(for: messages, classifier: stable, now: now)
        let shadow = shadowCoder.outputs(for: messages.map(\.withoutReplyTo), classifier: candidate, now: now)
        return zip(live, shadow).map { live, shadow in live + shadow.filter { $0.topic == coder.topics.shadow } }
    }

    /// Each form coded by the candidate when `routed` says so (its key falls under the fraction),
    /// else by the current model; outputs in the batch's order.
    private func canary(
        _ messages: [KafkaConsumerMessage],
        routed: [Bool],
        stable: FormClassifier,
        candidate: FormClassifier,
        now: Int64
    ) -> [[KafkaProducerMessage]] {
        let toCandidate = messages.indices.filter { routed[$0] }
        let toStable = messages.indices.filter { !routed[$0] }
        var outputs = [[KafkaProducerMessage]](repeating: [], count: messages.count)
        let candidateOutputs = coder.outputs(
            for: toCandidate.map { messages[$0] },
            classifier: candidate,
            now: now
        )
        let stableOutputs = coder.outputs(for: toStable.map { messages[$0] }, classifier: stable, now: now)
        for (index, output) in zip(toCandidate, candidateOutputs) { outputs[index] = output }
        for (index, output) in zip(toStable, stableOutputs) { outputs[index] = output }
        return outputs
    }
}

extension KafkaConsumerMessage {
    /// The record without a caller's reply topic: a shadow result never answers a caller.
    var withoutReplyTo: KafkaConsumerMessage {
        var copy = self
        copy.headers.removeAll { $0.key == StreamCoderHeader.replyTo }
        return copy
    }
}
