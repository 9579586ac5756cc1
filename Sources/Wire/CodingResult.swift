/// What a worker publishes for a form: on `registry.codings.v1` when auto-coded, on
/// `registry.manual-review.v1` (with the form) otherwise, and on a reply-to topic when asked.
public struct CodingResult: Sendable, Equatable, Codable {
    /// The id of the coded form; also the Kafka key.
    public var formID: String
    /// Auto-coded, manual review or rejected.
    public var decision: Decision
    /// How processing went; OK unless the form was rejected.
    public var status: Status
    /// The top-k candidates above the package's `prob_min`, best first.
    public var candidates: [Candidate]
    /// Top-1 minus top-2 probability, in [0, 1].
    public var confidenceIndex: Float
    /// The model that coded the form; `nil` when none did (e.g. a rejected form).
    public var model: ModelRef?
    /// When the form was coded, in unix milliseconds.
    public var codedAtUnixMs: Int64
    /// Which tokens pushed the top code, when explanations were asked for.
    public var explanation: Explanation?
    /// The form itself, on the manual-review topic so annotators need nothing else.
    public var form: RegistryForm?

    /// Creates a result; everything but the form id and decision defaults to empty.
    public init(
        formID: String,
        decision: Decision,
        status: Status = Status(),
        candidates: [Candidate] = [],
        confidenceIndex: Float = 0,
        model: ModelRef? = nil,
        codedAtUnixMs: Int64 = 0,
        explanation: Explanation? = nil,
        form: RegistryForm? = nil
    ) {
        self.formID = formID
        self.decision = decision
        self.status = status
        self.candidates = candidates
        self.confidenceIndex = confidenceIndex
        self.model = model
        self.codedAtUnixMs = codedAtUnixMs
        self.explanation = explanation
        self.form = form
    }
}

/// One proposed code.
public struct Candidate: Sendable, Equatable, Codable {
    /// NAF rév. 2 sub-class code, e.g. "5610A".
    public var code: String
    /// The code's label, e.g. "Restauration traditionnelle".
    public var label: String
    /// The model's probability for the code, in [0, 1].
    public var probability: Float

    /// Creates a candidate.
    public init(code: String, label: String = "", probability: Float) {
        self.code = code
        self.label = label
        self.probability = probability
    }
}

/// Why the model chose its top code: each token's contribution to that code's logit.
public struct Explanation: Sendable, Equatable, Codable {
    /// The tokens, in the order the model saw them.
    public var tokens: [TokenContribution]

    /// Creates an explanation.
    public init(tokens: [TokenContribution] = []) {
        self.tokens = tokens
    }
}

/// One token's contribution to the top code's logit.
public struct TokenContribution: Sendable, Equatable, Codable {
    /// The token as the model saw it (after normalisation).
    public var token: String
    /// Its additive contribution to the top code's logit.
    public var contribution: Float

    /// Creates a contribution.
    public init(token: String, contribution: Float) {
        self.token = token
        self.contribution = contribution
    }
}

/// Names a model package: what coded a form, what a directive deploys, what a worker runs.
public struct ModelRef: Sendable, Equatable, Codable {
    /// Model name, e.g. "naf-fasttext".
    public var name: String
    /// Model version, e.g. "2026.11.1".
    public var version: String
    /// sha256 of the package's weights, lowercase hex.
    public var sha256: String

    /// Creates a model reference.
    public init(name: String, version: String, sha256: String = "") {
        self.name = name
        self.version = version
        self.sha256 = sha256
    }
}
