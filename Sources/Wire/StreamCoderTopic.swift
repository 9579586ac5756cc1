/// The topics of the contract (DESIGN.md, "The flow"), with their default names.
public enum StreamCoderTopic {
    /// Registry forms to code, keyed by form id.
    public static let forms = "registry.forms.v1"
    /// Results of auto-coded forms.
    public static let codings = "registry.codings.v1"
    /// Results that need a human, with the form and the proposals.
    public static let manualReview = "registry.manual-review.v1"
    /// Poison input, unchanged, with error headers.
    public static let deadLetter = "registry.forms.dlq.v1"
    /// The fleet's desired model (compacted).
    public static let control = "streamcoder.control"
    /// Worker reports.
    public static let fleet = "streamcoder.fleet"
    /// Results of a candidate model in shadow mode: never on the coded or manual-review topics.
    public static let shadow = "registry.codings.shadow.v1"
    /// Default reply topic of request/reply callers (`streamcoder code --brokers`).
    public static let replies = "streamcoder.replies.v1"
    /// Results of a replay (`streamcoder replay`), auto-coded and manual review alike.
    public static let backfill = "registry.codings.backfill.v1"
    /// Forms a replay could not code.
    public static let backfillDeadLetters = "registry.forms.dlq.backfill.v1"
    /// Replay runs as first planned (compacted, keyed by run id).
    public static let replays = "streamcoder.replays"

    /// Every default topic with its partition count and configs. A `nil` count is the
    /// deployment's choice (the data topics: their partitions bound how many workers share the work).
    public static let defaults: [(name: String, partitions: Int?, configs: [String: String])] = [
        (forms, nil, [:]),
        (codings, nil, [:]),
        (manualReview, nil, [:]),
        (deadLetter, 4, [:]),
        (shadow, nil, [:]),
        (control, 1, ["cleanup.policy": "compact"]),
        (fleet, 1, [:]),
        (replies, 4, [:]),
        (backfill, nil, [:]),
        (backfillDeadLetters, 4, [:]),
        (replays, 1, ["cleanup.policy": "compact"]),
    ]
}

/// The fleet's default consumer group: the workers join it, and the control topic keys its
/// directives by it.
public enum StreamCoderFleet {
    /// `streamcoder-workers`.
    public static let defaultGroup = "streamcoder-workers"

    /// A fleet's group as a command reads it: its flag, else `STREAMCODER_GROUP` (as the workers
    /// read it), else the default.
    public static func group(flag: String?, environment: [String: String]) -> String {
        flag ?? environment["STREAMCODER_GROUP"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultGroup
    }
}

/// The record headers of the contract.
public enum StreamCoderHeader {
    /// Topic a caller wants the result on.
    public static let replyTo = "sc-reply-to"
    /// Echoed on the reply so the caller can match it.
    public static let correlationID = "sc-correlation-id"
    /// Unix milliseconds after which the work is answered with DEADLINE_EXCEEDED instead of done.
    public static let deadline = "sc-deadline"
    /// W3C trace context, carried through.
    public static let traceparent = "traceparent"
    /// Dead-letter headers: a machine-readable error code, the error text, and where the input came from.
    public static let errorCode = "sc-error-code"
    /// The error text of a dead letter.
    public static let error = "sc-error"
    /// The topic a result's form or a dead letter was read from.
    public static let sourceTopic = "sc-source-topic"
    /// The partition a result's form or a dead letter was read from.
    public static let sourcePartition = "sc-source-partition"
    /// The offset a result's form or a dead letter was read at.
    public static let sourceOffset = "sc-source-offset"
    /// A result's decision (`auto-coded`, `manual-review`, `rejected`), set when one topic takes
    /// every result (a replay's backfill topic), so that readers can filter without decoding.
    public static let decision = "sc-decision"
    /// Present on a dead letter cut to fit the size limit: what was cut, e.g.
    /// `value 1000514 bytes cut to 998766; key kept; 0 of 1 headers dropped`.
    public static let truncated = "sc-truncated"
}
