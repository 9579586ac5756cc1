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

    /// The contract's default topics.
    public init() {}

    /// Whether `topic` is a caller's reply topic rather than one of the worker's own.
    func isReply(_ topic: String) -> Bool {
        ![codings, manualReview, deadLetter].contains(topic)
    }
}
