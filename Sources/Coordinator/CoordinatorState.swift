import Foundation
import Wire

/// What the coordinator knows, built only from the two topics: the newest directive of its fleet
/// (control topic) and the newest report of each worker (fleet topic). Pure: the service feeds it
/// records and asks it for the status, so a restarted coordinator that reads the topics again
/// knows again what it knew.
public struct CoordinatorState: Sendable {
    /// The fleet (its workers' consumer group), the key of its directives.
    public let group: String
    /// The newest directive of the fleet, if any.
    public private(set) var directive: ModelDirective?
    /// The newest report of each worker, by id.
    public private(set) var reports: [String: WorkerReport] = [:]
    /// The report before the newest, by worker id: their difference is the worker's rate.
    private var previousReports: [String: WorkerReport] = [:]
    /// The rollbacks this coordinator wrote, oldest first.
    public private(set) var rollbacks: [Rollback] = []
    /// The generation this coordinator rolled back from: it never does so twice.
    private var rolledBackFrom: UInt64?

    /// An automatic rollback.
    public struct Rollback: Sendable, Codable, Equatable {
        /// The generation of the directive written.
        public var generation: UInt64
        /// The canary rolled back.
        public var from: ModelRef
        /// The model the fleet went back to.
        public var to: ModelRef
        /// Why, with the numbers.
        public var reason: String
        /// When, in unix milliseconds.
        public var atUnixMs: Int64
    }

    /// An empty state for the fleet `group`.
    public init(group: String) {
        self.group = group
    }

    /// Takes a control record: a newer directive of this fleet replaces the one known; records of
    /// other fleets and older generations change nothing. Returns whether the directive changed.
    @discardableResult
    public mutating func apply(controlKey key: String?, directive: ModelDirective) -> Bool {
        guard key == group, directive.generation > (self.directive?.generation ?? 0) else { return false }
        self.directive = directive
        return true
    }

    /// Takes a worker report; an older report of a worker than the one known changes nothing.
    public mutating func apply(_ report: WorkerReport) {
        let known = reports[report.workerID]
        guard report.reportedAtUnixMs >= (known?.reportedAtUnixMs ?? .min) else { return }
        if let known, known.reportedAtUnixMs < report.reportedAtUnixMs { previousReports[report.workerID] = known }
        reports[report.workerID] = report
    }

    /// Forms per second of a worker between its last two reports; `nil` without two, or when it
    /// restarted in between (its counts went down).
    func formsPerSecond(of worker: String) -> Double? {
        guard let newest = reports[worker], let previous = previousReports[worker],
            newest.counters.formsIn >= previous.counters.formsIn,
            newest.reportedAtUnixMs > previous.reportedAtUnixMs
        else { return nil }
        let seconds = Double(newest.reportedAtUnixMs - previous.reportedAtUnixMs) / 1_000
        return Double(newest.counters.formsIn - previous.counters.formsIn) / seconds
    }

    /// The rollout compared under `policy`.
    public func assessment(policy: RolloutPolicy) -> RolloutAssessment {
        RolloutAssessment.assess(directive, reports: Array(reports.values), policy: policy)
    }

    /// The rollback to write now, if the canary is clearly worse and this coordinator has not
    /// rolled this generation back already.
    public func rollbackDue(policy: RolloutPolicy) -> RolloutAssessment? {
        guard let directive, rolledBackFrom != directive.generation else { return nil }
        let assessment = assessment(policy: policy)
        return assessment.verdict == .worse ? assessment : nil
    }

    /// Records a rollback written for the current directive.
    public mutating func rolledBack(_ rollback: Rollback) {
        rolledBackFrom = directive?.generation
        rollbacks.append(rollback)
    }

    /// The workers as of `nowUnixMs`: a worker silent for longer than `goneAfterMs` is gone.
    public func members(nowUnixMs: Int64, goneAfterMs: Int64) -> [Member] {
        reports.values.sorted { $0.workerID < $1.workerID }.map { report in
            Member(
                report: report,
                gone: nowUnixMs - report.reportedAtUnixMs > goneAfterMs,
                formsPerSecond: formsPerSecond(of: report.workerID)
            )
        }
    }

    /// One worker as last reported.
    public struct Member: Sendable, Codable, Equatable {
        /// The newest report.
        public var report: WorkerReport
        /// Whether it stopped reporting.
        public var gone: Bool
        /// Forms per second between its last two reports, when known.
        public var formsPerSecond: Double?
    }

    /// The per-model counts summed over every worker, by model.
    public var modelTotals: [ModelCounters] {
        var totals: [String: ModelCounters] = [:]
        for entry in reports.values.flatMap(\.models) {
            let key = "\(entry.model.name)@\(entry.model.version)@\(entry.model.sha256)"
            var total = totals[key] ?? ModelCounters(model: entry.model, counters: WorkerCounters())
            total.counters = total.counters + entry.counters
            totals[key] = total
        }
        return totals.values.sorted { ($0.model.name, $0.model.version) < ($1.model.name, $1.model.version) }
    }
}

/// What `GET /status` of the coordinator answers, and `models status --json` prints: the fleet's
/// directive, its workers, the rollout's comparison and the coordinator's rollbacks.
public struct FleetStatus: Sendable, Codable {
    /// The fleet.
    public var group: String
    /// Whether the coordinator has read both topics to the end they had when it started (always
    /// true for `models status`, which reads them to their end).
    public var caughtUp: Bool
    /// The newest directive, if any.
    public var directive: ModelDirective?
    /// Each worker as last reported.
    public var workers: [CoordinatorState.Member]
    /// The counts of each model version over the fleet.
    public var models: [ModelCounters]
    /// The canary compared with the stable model.
    public var rollout: RolloutAssessment
    /// The policy of automatic rollbacks; `nil` when they are off.
    public var policy: RolloutPolicy?
    /// Rollbacks written by this coordinator since it started.
    public var rollbacks: [CoordinatorState.Rollback]

    /// The status of `state` as of now.
    public init(
        _ state: CoordinatorState,
        caughtUp: Bool,
        policy: RolloutPolicy?,
        goneAfter: Duration,
        nowUnixMs: Int64 = Int64(Date().timeIntervalSince1970 * 1_000)
    ) {
        group = state.group
        self.caughtUp = caughtUp
        directive = state.directive
        workers = state.members(nowUnixMs: nowUnixMs, goneAfterMs: goneAfter.components.seconds * 1_000)
        models = state.modelTotals
        rollout = state.assessment(policy: policy ?? RolloutPolicy())
        self.policy = policy
        rollbacks = state.rollbacks
    }
}
