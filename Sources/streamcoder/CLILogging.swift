import Foundation
import Logging

/// Logs go to standard error, so that standard output carries only a command's data.
private let bootstrapOnce: Void = {
    let level =
        ProcessInfo.processInfo.environment["STREAMCODER_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}()

/// A logger for a command; `STREAMCODER_LOG_LEVEL` (trace…critical) sets the level.
func makeLogger(_ label: String) -> Logger {
    _ = bootstrapOnce
    return Logger(label: label)
}

/// Writes a line to standard output and flushes it, so that a reading process sees it at once.
func printLine(_ line: String) {
    print(line)
    fflush(nil)
}

/// Writes a line to standard error (a message about the input, beside the output).
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
