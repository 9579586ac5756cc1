/// What a worker's probes answer: `/healthz` (liveness: restart me) and `/readyz` (readiness: send
/// me work), from one snapshot of the worker.
///
/// Live means the worker can still make progress: its pipeline runs, its producer is usable, and
/// forms in flight have not gone `stallTimeout` without any of them completing. Ready means it is
/// live, not shutting down, reaches a broker, and owns partitions.
public struct WorkerHealth: Sendable, Equatable {
    /// The facts the probes are decided on.
    public struct Snapshot: Sendable, Equatable {
        /// Whether the coding pipeline's loop runs.
        public var pipelineRunning: Bool
        /// Why the worker cannot go on (a fatal producer error, an undeliverable input), if so.
        public var failure: String?
        /// Forms read whose outputs are not all delivered.
        public var inFlight: Int
        /// Time since a form last completed, or since work arrived when none was in flight.
        public var sinceProgress: Duration
        /// Partitions of the forms topic this worker owns.
        public var assignedPartitions: Int
        /// Whether a broker answered the last probe; `nil` before the first.
        public var brokersReachable: Bool?
        /// Whether a graceful shutdown has begun.
        public var shuttingDown: Bool
        /// The model in use, `name@version`.
        public var model: String

        /// A snapshot; every fact is given.
        public init(
            pipelineRunning: Bool,
            failure: String?,
            inFlight: Int,
            sinceProgress: Duration,
            assignedPartitions: Int,
            brokersReachable: Bool?,
            shuttingDown: Bool,
            model: String
        ) {
            self.pipelineRunning = pipelineRunning
            self.failure = failure
            self.inFlight = inFlight
            self.sinceProgress = sinceProgress
            self.assignedPartitions = assignedPartitions
            self.brokersReachable = brokersReachable
            self.shuttingDown = shuttingDown
            self.model = model
        }
    }

    /// Whether `/healthz` answers 200.
    public var isLive: Bool
    /// What `/healthz` says.
    public var liveness: String
    /// Whether `/readyz` answers 200.
    public var isReady: Bool
    /// What `/readyz` says.
    public var readiness: String

    /// The probes' answers for `snapshot`, with forms in flight allowed `stallTimeout` without progress.
    public init(_ snapshot: Snapshot, stallTimeout: Duration) {
        let problem = Self.livenessProblem(snapshot, stallTimeout: stallTimeout)
        isLive = problem == nil
        liveness = problem.map { "not live: \($0)" } ?? "ok"
        let unready = problem ?? Self.readinessProblem(snapshot)
        isReady = unready == nil
        readiness =
            unready.map { "not ready: \($0)" }
            ?? "ready: model \(snapshot.model), \(snapshot.assignedPartitions) partitions"
    }

    private static func livenessProblem(_ snapshot: Snapshot, stallTimeout: Duration) -> String? {
        if let failure = snapshot.failure { return "the worker cannot deliver: \(failure)" }
        if !snapshot.pipelineRunning {
            return snapshot.shuttingDown ? "shutting down" : "the coding pipeline stopped"
        }
        if snapshot.inFlight > 0 && snapshot.sinceProgress > stallTimeout {
            let seconds = snapshot.sinceProgress.components.seconds
            return
                "\(snapshot.inFlight) forms in flight and none completed for \(seconds) s (stall timeout \(stallTimeout))"
        }
        return nil
    }

    private static func readinessProblem(_ snapshot: Snapshot) -> String? {
        if snapshot.shuttingDown { return "shutting down" }
        switch snapshot.brokersReachable {
        case .none: return "no broker answered yet"
        case .some(false): return "no broker reachable"
        case .some(true): break
        }
        if snapshot.assignedPartitions == 0 { return "no partitions assigned yet" }
        return nil
    }
}
