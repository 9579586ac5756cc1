import Foundation
import Logging
import ServiceLifecycle

/// Bounds a graceful shutdown: once one starts, the process exits after `grace` whatever it is
/// waiting for (an unreachable broker, a producer that cannot flush). What was not delivered is
/// not committed, so the next owner of its partitions codes it again: nothing is lost.
struct ShutdownWatchdog: Service {
    var grace: Duration
    var logger: Logger

    /// The status the process exits with when the grace period runs out.
    static let exitCode: Int32 = 2

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: the group ended without a graceful shutdown
        }
        let grace = self.grace
        let logger = self.logger
        let thread = Thread {
            Thread.sleep(forTimeInterval: Double(grace.components.seconds))
            logger.critical(
                "shutdown grace period over: exiting; what was not delivered stays uncommitted and will be coded again",
                metadata: ["grace": "\(grace)"]
            )
            fflush(nil)
            _exit(Self.exitCode)
        }
        thread.name = "shutdown-watchdog"
        thread.start()
    }
}
