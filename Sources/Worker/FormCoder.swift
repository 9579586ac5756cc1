import Kafka
import Wire

/// Turns consumed form records into the records to publish: a result on the coded or the
/// manual-review topic (and on the caller's reply topic when asked), or the input unchanged on
/// the dead-letter topic when it cannot be coded. Every input gets at least one output.
struct FormCoder {
    var topics: WorkerTopics
    /// What a form may hold; a result is at most `limits.maxResultBytes`.
    var limits: WireLimits
    /// Attach each result's token contributions to its top code.
    var explain: Bool
    /// Dead letters cut to the producer's size limit.
    var deadLetters: DeadLetters
    /// Re-coding recorded forms (a replay): callers' deadlines and reply topics belong to the
    /// past and are ignored.
    var replaying = false

    /// A coder for `topics` whose outputs are at most `maxMessageBytes` each (the producer's
    /// `message.max.bytes`): an output that would be larger becomes a dead letter that fits.
    init(
        topics: WorkerTopics,
        limits: WireLimits = .default,
        maxMessageBytes: Int = WorkerConfiguration.defaultMaxMessageBytes,
        explain: Bool = false,
        replaying: Bool = false
    ) {
        self.topics = topics
        self.limits = limits
        self.explain = explain
        self.replaying = replaying
        self.deadLetters = DeadLetters(topic: topics.deadLetter, maxMessageBytes: maxMessageBytes)
    }

    /// The outputs of each message, in the order of `messages`. `now` is unix milliseconds.
    func outputs(
        for messages: [KafkaConsumerMessage],
        classifier: FormClassifier,
        now: Int64
    ) -> [[KafkaProducerMessage]] {
        // The forms to classify, and where each sits in `messages`.
        var forms: [RegistryForm] = []
        var positions: [Int] = []
        forms.reserveCapacity(messages.count)
        positions.reserveCapacity(messages.count)
        var outputs = [[KafkaProducerMessage]](repeating: [], count: messages.count)
        for (index, message) in messages.enumerated() {
            do throws(WireError) {
                let form = try RegistryForm(decoding: message.value ?? [], limits: limits)
                if !replaying, let deadline = Self.deadline(of: message), deadline < now {
                    outputs[index] = publish(expired(form, now: now), for: message)
                } else {
                    forms.append(form)
                    positions.append(index)
                }
            } catch {
                outputs[index] = [deadLetter(message, error: error)]
            }
        }
        let answers = classifier.answers(for: forms, explain: explain)
        for (position, (index, answer)) in zip(positions, answers).enumerated() {
            let result = coded(forms[position], answer: answer, model: classifier.identity, now: now)
            outputs[index] = publish(result, for: messages[index])
        }
        return outputs
    }

    private func coded(_ form: RegistryForm, answer: ModelAnswer, model: ModelIdentity, now: Int64) -> CodingResult {
        CodingResult(
            formID: form.formID,
            decision: answer.autoCoded ? .autoCoded : .manualReview,
            candidates: answer.proposals,
            confidenceIndex: answer.confidenceIndex,
            model: ModelRef(name: model.name, version: model.version, sha256: model.sha256),
            codedAtUnixMs: now,
            explanation: answer.explanation.map { tokens in
                Explanation(tokens: tokens.map { TokenContribution(token: $0.token, contribution: $0.contribution) })
            },
            form: answer.autoCoded ? nil : form
        )
    }

    private func expired(_ form: RegistryForm, now: Int64) -> CodingResult {
        CodingResult(
            formID: form.formID,
            decision: .rejected,
            status: Status(
                code: .deadlineExceeded,
                message: "the caller's sc-deadline passed before the form was coded"
            ),
            codedAtUnixMs: now,
            form: form
        )
    }

    /// The result on its topic, and on the reply topic when the caller asked for one.
    private func publish(_ result: CodingResult, for input: KafkaConsumerMessage) -> [KafkaProducerMessage] {
        let value: [UInt8]
        do {
            value = try result.encoded()
        } catch {
            return [deadLetter(input, error: error)]
        }
        let topic = result.decision == .autoCoded ? topics.codings : topics.manualReview
        let key = Array(result.formID.utf8)
        // Where the form was read, so that downstream can tell a re-coding (a replay, a
        // redelivery) from a new form, and audit it.
        let headers =
            input.headers.filter {
                [StreamCoderHeader.traceparent, StreamCoderHeader.correlationID].contains($0.key)
            } + DeadLetters.sourceHeaders(of: input) + decisionHeader(of: result)
        let published = KafkaProducerMessage(topic: topic, key: key, value: value, headers: headers)
        let size = DeadLetters.size(of: published)
        guard size <= deadLetters.maxMessageBytes else {
            let reason =
                "its result would be \(size) bytes with its headers, more than the \(deadLetters.maxMessageBytes) "
                + "a worker sends (--max-message-bytes); shorten the form's headers or raise the limit"
            return [deadLetters.make(for: input, code: "resultTooLarge", reason: reason)]
        }
        var outputs = [published]
        if !replaying, let replyTo = input.header(StreamCoderHeader.replyTo)?.text, !replyTo.isEmpty {
            outputs.append(KafkaProducerMessage(topic: replyTo, key: key, value: value, headers: headers))
        }
        return outputs
    }

    /// The decision as a header, when one topic takes every result (a replay's backfill topic):
    /// the topic no longer tells it.
    private func decisionHeader(of result: CodingResult) -> [KafkaHeader] {
        guard topics.codings == topics.manualReview else { return [] }
        let text =
            switch result.decision {
            case .autoCoded: "auto-coded"
            case .manualReview: "manual-review"
            default: "rejected"
            }
        return [KafkaHeader(key: StreamCoderHeader.decision, text: text)]
    }

    /// The input unchanged (cut to fit when it is too large), with headers saying what was wrong
    /// and where it came from.
    func deadLetter(_ input: KafkaConsumerMessage, error: WireError) -> KafkaProducerMessage {
        deadLetters.make(for: input, code: error.code.name, reason: error.description)
    }

    /// The caller's deadline in unix milliseconds, when the header holds one.
    static func deadline(of message: KafkaConsumerMessage) -> Int64? {
        message.header(StreamCoderHeader.deadline)?.text.flatMap { Int64($0) }
    }
}
