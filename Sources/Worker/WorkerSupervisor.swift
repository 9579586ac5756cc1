import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs a coding worker and, when it stops because it could deliver nothing more (its producer's
/// fatal error, say), builds a new one — new Kafka clients, same model — that resumes from the
/// committed offsets. Past `maxRebuilds` within `rebuildWindow`, the failure is thrown, so that
/// the process exits non-zero and its orchestrator restarts it: never a live process that does
/// nothing.
public final class WorkerSupervisor: Service, Sendable {
    private let configuration: WorkerConfiguration
    private let logger: Logger
    private let current = Mutex<CodingWorker?>(nil)
    private let rebuilds = Mutex<[ContinuousClock.Instant]>([])

    /// Rebuilds allowed within `rebuildWindow` before the failure is thrown.
    public let maxRebuilds: Int
    /// The window in which rebuilds are counted.
    public let rebuildWindow: Duration

    /// Builds the first worker now, so that a bad package or configuration fails at once.
    public init(
        configuration: WorkerConfiguration,
        logger: Logger,
        maxRebuilds: Int = 3,
        rebuildWindow: Duration = .seconds(600)
    ) throws {
        self.configuration = configuration
        self.logger = logger
        self.maxRebuilds = maxRebuilds
        self.rebuildWindow = rebuildWindow
        let first = try CodingWorker(configuration: configuration, logger: logger)
        current.withLock { $0 = first }
    }

    /// The worker running now.
    public var worker: CodingWorker {
        current.withLock { $0! }
    }

    /// How many times the worker was rebuilt after a failure.
    public var rebuildCount: Int { rebuilds.withLock { $0.count } }

    /// Runs the worker until graceful shutdown, rebuilding it after failures within the budget.
    public func run() async throws {
        while true {
            do {
                try await worker.run()
                return
            } catch let failure as WorkerFailure {
                guard !Task.isShuttingDownGracefully, takeRebuild() else { throw failure }
                // A pause that grows with each rebuild: a broker refusing everyone is not hammered,
                // and the failed worker's /healthz says why meanwhile.
                let pause = Duration.seconds(2 * rebuildCount)
                logger.warning(
                    "rebuilding the worker's Kafka clients: it resumes from the committed offsets",
                    metadata: [
                        "reason": "\(failure.reason)", "rebuild": "\(rebuildCount) of \(maxRebuilds)",
                        "in": "\(pause)",
                    ]
                )
                try? await Task.sleep(for: pause)
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                let next = try CodingWorker(configuration: configuration, logger: logger)
                current.withLock { $0 = next }
            }
        }
    }

    /// Counts a rebuild when the budget allows one.
    private func takeRebuild() -> Bool {
        let now = ContinuousClock.now
        return rebuilds.withLock { times in
            times.removeAll { now - $0 > rebuildWindow }
            guard times.count < maxRebuilds else { return false }
            times.append(now)
            return true
        }
    }
}
