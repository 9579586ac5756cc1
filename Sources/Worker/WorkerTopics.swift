import Wire

/// The topics a worker reads and writes.
public struct WorkerTopics: Sendable, Equatable {
    /// Forms to code.
    public var forms = StreamCoderTopic.forms
    /// Auto-coded results.
    public var codings = StreamCoderTopic.codings
    /// Results for a human, with the form.
    public var manualReview = StreamCoderTopic.manualReview
    /// Poison input, unchanged, with error headers.
    public var deadLetter = StreamCoderTopic.deadLetter
    /// Results of a candidate in shadow mode (given up, like replies, when they cannot be delivered).
    public var shadow = StreamCoderTopic.shadow

    /// The contract's default topics.
    public init() {}

    /// What an output to `topic` is, as far as its topic tells (a dead letter is never minimal here).
    func kind(of topic: String) -> DeliveryPolicy.Kind {
        topic == deadLetter ? .deadLetter : isReply(topic) ? .reply : .result
    }

    /// Whether `topic` is a caller's reply topic rather than one of the worker's own.
    func isReply(_ topic: String) -> Bool {
        ![codings, manualReview, deadLetter].contains(topic)
    }
}
