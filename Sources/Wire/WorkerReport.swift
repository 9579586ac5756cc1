/// What a worker tells the fleet (`streamcoder.fleet`): the models it runs, the directive it
/// follows, what failed to load and how many forms it handled.
public struct WorkerReport: Sendable, Equatable, Codable {
    /// The worker's id, stable across its restarts when configured so.
    public var workerID: String
    /// The model coding forms now; `nil` before the first load.
    public var active: ModelRef?
    /// The canary or shadow model, when a rollout is under way.
    public var candidate: ModelRef?
    /// The generation of the directive the worker follows.
    public var directiveGeneration: UInt64
    /// Packages that failed their checks and were never used.
    public var loadErrors: [ModelLoadError]
    /// Counts since the worker started.
    public var counters: WorkerCounters
    /// When the report was made, in unix milliseconds.
    public var reportedAtUnixMs: Int64
    /// The counts split by the model version that coded the forms.
    public var models: [ModelCounters]
    /// The host the worker runs on.
    public var host: String
    /// The partitions of the forms topic it owns.
    public var partitions: [Int32]

    /// Creates a report.
    public init(
        workerID: String,
        active: ModelRef? = nil,
        candidate: ModelRef? = nil,
        directiveGeneration: UInt64 = 0,
        loadErrors: [ModelLoadError] = [],
        counters: WorkerCounters = WorkerCounters(),
        reportedAtUnixMs: Int64 = 0,
        models: [ModelCounters] = [],
        host: String = "",
        partitions: [Int32] = []
    ) {
        self.workerID = workerID
        self.active = active
        self.candidate = candidate
        self.directiveGeneration = directiveGeneration
        self.loadErrors = loadErrors
        self.counters = counters
        self.reportedAtUnixMs = reportedAtUnixMs
        self.models = models
        self.host = host
        self.partitions = partitions
    }
}

/// What one model version did on a worker since the worker started.
public struct ModelCounters: Sendable, Equatable, Codable {
    /// The model.
    public var model: ModelRef
    /// Its counts; `formsIn` is the forms it coded.
    public var counters: WorkerCounters

    /// Creates the counts of `model`.
    public init(model: ModelRef, counters: WorkerCounters) {
        self.model = model
        self.counters = counters
    }
}

/// A package a worker refused to use, and why.
public struct ModelLoadError: Sendable, Equatable, Codable {
    /// The package that failed.
    public var model: ModelRef
    /// What failed: sha256 mismatch, golden example, unreadable file…
    public var error: String
    /// When, in unix milliseconds.
    public var atUnixMs: Int64

    /// Creates a load error.
    public init(model: ModelRef, error: String, atUnixMs: Int64 = 0) {
        self.model = model
        self.error = error
        self.atUnixMs = atUnixMs
    }
}

/// A worker's counts since it started.
public struct WorkerCounters: Sendable, Equatable, Codable {
    /// Forms consumed.
    public var formsIn: UInt64
    /// Forms coded automatically.
    public var autoCoded: UInt64
    /// Forms sent to manual review.
    public var manualReview: UInt64
    /// Inputs sent to the dead-letter topic.
    public var deadLetters: UInt64
    /// Other errors (produce failures, internal errors).
    public var errors: UInt64

    /// The share of `formsIn` sent to manual review (0 with no forms).
    public var manualReviewRate: Double { formsIn == 0 ? 0 : Double(manualReview) / Double(formsIn) }

    /// The share of `formsIn` dead-lettered or failed (0 with no forms).
    public var errorRate: Double { formsIn == 0 ? 0 : Double(deadLetters + errors) / Double(formsIn) }

    /// The sums of two sets of counts.
    public static func + (lhs: WorkerCounters, rhs: WorkerCounters) -> WorkerCounters {
        WorkerCounters(
            formsIn: lhs.formsIn + rhs.formsIn,
            autoCoded: lhs.autoCoded + rhs.autoCoded,
            manualReview: lhs.manualReview + rhs.manualReview,
            deadLetters: lhs.deadLetters + rhs.deadLetters,
            errors: lhs.errors + rhs.errors
        )
    }

    /// Creates counters; all zero by default.
    public init(
        formsIn: UInt64 = 0,
        autoCoded: UInt64 = 0,
        manualReview: UInt64 = 0,
        deadLetters: UInt64 = 0,
        errors: UInt64 = 0
    ) {
        self.formsIn = formsIn
        self.autoCoded = autoCoded
        self.manualReview = manualReview
        self.deadLetters = deadLetters
        self.errors = errors
    }
}
