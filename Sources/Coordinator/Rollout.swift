import Wire

/// When a canary is clearly worse than the model it runs beside: after at least `minForms` forms
/// coded by each, its manual-review rate or its error rate (dead letters and failed outputs per
/// form) exceeds the stable model's by more than the allowed increase (absolute: 0.10 is ten
/// percentage points).
public struct RolloutPolicy: Sendable, Equatable, Codable {
    /// Forms each of the two models must have coded before they are compared.
    public var minForms: UInt64
    /// How much higher the candidate's manual-review rate may be.
    public var maxReviewIncrease: Double
    /// How much higher the candidate's error rate may be.
    public var maxErrorIncrease: Double

    /// A policy; the defaults compare after 1,000 forms and allow +10 points of manual review
    /// and +2 points of errors.
    public init(minForms: UInt64 = 1_000, maxReviewIncrease: Double = 0.10, maxErrorIncrease: Double = 0.02) {
        self.minForms = minForms
        self.maxReviewIncrease = maxReviewIncrease
        self.maxErrorIncrease = maxErrorIncrease
    }
}

/// How a rollout compares, from the fleet's reports: the counts of the stable model and of the
/// canary, summed over every worker that reported them, and what the policy makes of them.
public struct RolloutAssessment: Sendable, Equatable, Codable {
    /// What the comparison says.
    public enum Verdict: String, Sendable, Codable {
        /// No canary runs (one model everywhere, or a shadow, whose results are compared on the
        /// shadow topic, not here).
        case noCanary = "no-canary"
        /// Too few forms coded by one of the two to compare yet.
        case collecting
        /// The canary is within the policy's bounds.
        case withinBounds = "within-bounds"
        /// The canary is clearly worse: roll it back.
        case worse
    }

    /// What the comparison says.
    public var verdict: Verdict
    /// The model the canary runs beside.
    public var stable: ModelRef?
    /// The canary.
    public var candidate: ModelRef?
    /// The stable model's counts, over the fleet.
    public var stableCounts: WorkerCounters
    /// The canary's counts, over the fleet.
    public var candidateCounts: WorkerCounters
    /// The verdict in a sentence, with its numbers.
    public var summary: String

    /// Compares the canary of `directive` (if it names one) with the model it runs beside, over
    /// the per-model counts of `reports`.
    public static func assess(
        _ directive: ModelDirective?,
        reports: [WorkerReport],
        policy: RolloutPolicy
    ) -> RolloutAssessment {
        guard let directive, directive.canaryFraction < 1, !directive.shadow, let stable = directive.previous else {
            return RolloutAssessment(
                verdict: .noCanary,
                stableCounts: WorkerCounters(),
                candidateCounts: WorkerCounters(),
                summary: directive?.shadow == true
                    ? "a shadow runs: compare its results on the shadow topic"
                    : "no canary runs"
            )
        }
        let candidate = directive.package.model
        let stableCounts = counts(of: stable, in: reports)
        let candidateCounts = counts(of: candidate, in: reports)
        var assessment = RolloutAssessment(
            verdict: .collecting,
            stable: stable,
            candidate: candidate,
            stableCounts: stableCounts,
            candidateCounts: candidateCounts,
            summary: ""
        )
        let numbers =
            "manual review \(percent(candidateCounts.manualReviewRate)) vs \(percent(stableCounts.manualReviewRate)), "
            + "errors \(percent(candidateCounts.errorRate)) vs \(percent(stableCounts.errorRate)), "
            + "over \(candidateCounts.formsIn) and \(stableCounts.formsIn) forms"
        guard candidateCounts.formsIn >= policy.minForms, stableCounts.formsIn >= policy.minForms else {
            assessment.summary =
                "collecting: \(candidateCounts.formsIn) forms by the canary and \(stableCounts.formsIn) by the "
                + "stable model, \(policy.minForms) each needed"
            return assessment
        }
        let reviewIncrease = candidateCounts.manualReviewRate - stableCounts.manualReviewRate
        let errorIncrease = candidateCounts.errorRate - stableCounts.errorRate
        if reviewIncrease > policy.maxReviewIncrease || errorIncrease > policy.maxErrorIncrease {
            assessment.verdict = .worse
            assessment.summary =
                "\(candidate.name)@\(candidate.version) is worse than \(stable.name)@\(stable.version): \(numbers) "
                + "(allowed: +\(percent(policy.maxReviewIncrease)) manual review, +\(percent(policy.maxErrorIncrease)) errors)"
        } else {
            assessment.verdict = .withinBounds
            assessment.summary = "within bounds: \(numbers)"
        }
        return assessment
    }

    /// The counts of `model` summed over the reports (matched by name and version, and by sha256
    /// when both sides give one).
    static func counts(of model: ModelRef, in reports: [WorkerReport]) -> WorkerCounters {
        reports.flatMap(\.models).filter { $0.model.isSameModel(as: model) }.reduce(WorkerCounters()) {
            $0 + $1.counters
        }
    }

    private static func percent(_ rate: Double) -> String {
        let tenths = (rate * 1_000).rounded() / 10
        return "\(tenths) %"
    }
}

extension ModelRef {
    /// Whether two references name the same model: same name and version, and same weights when
    /// both say which.
    public func isSameModel(as other: ModelRef) -> Bool {
        name == other.name && version == other.version
            && (sha256.isEmpty || other.sha256.isEmpty || sha256 == other.sha256)
    }
}
