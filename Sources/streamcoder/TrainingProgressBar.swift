import Classifier
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// fastText's progress line on standard error:
/// `Progress:  42.0% [######        ] words/sec/thread:  1234567 lr: 0.290000 avg.loss: 2.345678 ETA: 0h 0m 3s`.
///
/// On a terminal the line is redrawn in place; into a file or a pipe, one line is written per
/// tenth of the run, so a log keeps a readable trace.
final class TrainingProgressBar: Sendable {
    private static let width = 30
    private let interactive = isatty(STDERR_FILENO) == 1
    /// Length of the line drawn last (terminal), or the last tenth logged (file).
    private let last = Mutex(0)

    /// Shows `progress`; called from a training thread.
    func show(_ progress: TrainingProgress) {
        let line = Self.line(progress)
        if interactive {
            let padding = last.withLock { length in
                defer { length = line.count }
                return String(repeating: " ", count: max(0, length - line.count))
            }
            FileHandle.standardError.write(Data("\r\(line)\(padding)".utf8))
        } else {
            let tenth = Int(progress.fraction * 10)
            let due = last.withLock { logged in
                defer { logged = max(logged, tenth) }
                return tenth > logged || progress.fraction >= 1
            }
            if due { FileHandle.standardError.write(Data("\(line)\n".utf8)) }
        }
    }

    /// Ends the line on a terminal.
    func finish() {
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private static func line(_ progress: TrainingProgress) -> String {
        let filled = min(width, Int(progress.fraction * Double(width)))
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        return String(format: "Progress: %5.1f%% [", progress.fraction * 100) + bar
            + String(
                format: "] words/sec/thread: %8.0f lr: %.6f avg.loss: %.6f ETA: ",
                progress.wordsPerSecondPerThread,
                progress.learningRate,
                progress.loss
            ) + duration(progress.remainingSeconds ?? 0)
    }

    private static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return "\(total / 3600)h \(total / 60 % 60)m \(total % 60)s"
    }
}
