import Foundation
import Synchronization

/// A dedicated thread that runs blocking librdkafka calls (polls, flushes, commits, admin
/// requests) in order, so that none of them ever blocks the cooperative thread pool, and so
/// that librdkafka's per-thread error state is read on the thread that made the call. The thread
/// starts with the first job: a client never used that way never has one.
final class BlockingThread: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var stopped = false
        var started = false
    }

    private let state = Locked(State())
    private let wakeUp = DispatchSemaphore(value: 0)
    private let name: String

    init(name: String) {
        self.name = name
    }

    private func startThread() {
        let thread = Thread { [state, wakeUp, name] in
            // Named from inside: on Linux, only the running thread's name reaches the OS (top -H, perf).
            Thread.current.name = name
            Self.runLoop(state: state, wakeUp: wakeUp)
        }
        thread.start()
    }

    deinit {
        stop()
    }

    /// Runs `body` on the thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws(KafkaError) -> T) async throws(KafkaError) -> T {
        let result: Result<T, KafkaError> = await withCheckedContinuation { continuation in
            let accepted = enqueue {
                do throws(KafkaError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            if !accepted {
                continuation.resume(returning: .failure(KafkaError(.closed, "the client is closed")))
            }
        }
        return try result.get()
    }

    /// Lets the thread finish the jobs it has and end.
    func stop() {
        state.withLock { $0.stopped = true }
        wakeUp.signal()
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) -> Bool {
        let (accepted, start) = state.withLock { state in
            guard !state.stopped else { return (false, false) }
            state.jobs.append(job)
            defer { state.started = true }
            return (true, !state.started)
        }
        if start { startThread() }
        if accepted { wakeUp.signal() }
        return accepted
    }

    private static func runLoop(state: Locked<State>, wakeUp: DispatchSemaphore) {
        while true {
            wakeUp.wait()
            let (jobs, stopped) = state.withLock { state in
                defer { state.jobs.removeAll() }
                return (state.jobs, state.stopped)
            }
            for job in jobs { job() }
            if stopped { return }
        }
    }
}
