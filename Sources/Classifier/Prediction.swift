/// What the classifier says about one form.
public struct Prediction: Sendable, Equatable {
    /// The top-k codes at or above `prob_min`, most probable first.
    public var candidates: [Candidate]
    /// p1 − p2: the best label's probability minus the second best's, over all labels
    /// (independent of top-k and `prob_min`, so those never change a decision). 0 when the
    /// model had nothing to go on.
    public var confidenceIndex: Double
    /// Whether the form is coded automatically or goes to an annotator.
    public var decision: Decision

    /// Creates a prediction.
    public init(candidates: [Candidate], confidenceIndex: Double, decision: Decision) {
        self.candidates = candidates
        self.confidenceIndex = confidenceIndex
        self.decision = decision
    }
}

/// One proposed code.
public struct Candidate: Sendable, Equatable {
    /// The NAF code, e.g. `1071C`.
    public var code: String
    /// Its label.
    public var label: String
    /// The model's probability for it (softmax probability, or one-vs-all sigmoid).
    public var probability: Double

    /// Creates a candidate.
    public init(code: String, label: String, probability: Double) {
        self.code = code
        self.label = label
        self.probability = probability
    }
}

/// What happens to a form.
public enum Decision: String, Sendable, Equatable {
    /// The confidence index reached the threshold: the top code is the form's code.
    case autoCoded = "auto_coded"
    /// Below the threshold, or no prediction: an annotator decides, helped by the candidates.
    case manualReview = "manual_review"
}
