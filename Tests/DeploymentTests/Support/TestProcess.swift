import Foundation
import Synchronization

/// A process started by a test, its standard output and error collected as they come.
final class TestProcess: Sendable {
    /// Bytes a pipe delivered so far, appended by its reader thread.
    private final class Buffer: Sendable {
        let bytes = Mutex<[UInt8]>([])
        var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
    }

    private let process: Process
    private let out = Buffer()
    private let err = Buffer()
    /// A name for failure messages.
    let name: String

    /// Starts `executable`; `environment` adds to this process's environment.
    init(_ executable: URL, _ arguments: [String], name: String, environment: [String: String] = [:]) throws {
        self.name = name
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        Self.drain(outPipe.fileHandleForReading, into: out)
        Self.drain(errPipe.fileHandleForReading, into: err)
    }

    /// Reads `handle` on a thread of its own until end of file (FileHandle's readability handlers
    /// crash on Linux when a pipe closes under them).
    private static func drain(_ handle: FileHandle, into buffer: Buffer) {
        let descriptor = handle.fileDescriptor
        Thread {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                buffer.bytes.withLock { $0 += chunk[0..<count] }
            }
            _ = handle  // keeps the descriptor open until reading ends
        }.start()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Standard output so far.
    var standardOutput: String { out.text }

    /// Standard error so far.
    var standardError: String { err.text }

    /// Ends the process at once.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits until `condition` holds, or throws after `timeout` with what the process printed.
    func waitUntil(_ what: String, timeout: Duration, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else {
                throw DeploymentFailure("\(name): timed out waiting for \(what)\n\(standardError.suffix(2_000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits for the process to end and returns its exit status.
    func waitForExit(timeout: Duration) async throws -> Int32 {
        try await waitUntil("its exit", timeout: timeout) { !process.isRunning }
        return process.terminationStatus
    }
}

/// Runs a command to its end and returns its standard output; throws when it fails.
@discardableResult
func runToCompletion(
    _ executable: URL,
    _ arguments: [String],
    environment: [String: String] = [:],
    timeout: Duration = .seconds(120)
) async throws -> String {
    let name = ([executable.lastPathComponent] + arguments).joined(separator: " ")
    let child = try TestProcess(executable, arguments, name: name, environment: environment)
    let status = try await child.waitForExit(timeout: timeout)
    try await Task.sleep(for: .milliseconds(100))  // lets the reader threads take the last output
    guard status == 0 else {
        throw DeploymentFailure("\(name) exited \(status):\n\(child.standardError.suffix(2_000))")
    }
    return child.standardOutput
}

/// Paths of the tools the process checks run.
enum TestTools {
    /// `streamcoder` from the same build as the test bundle (or $STREAMCODER_BIN).
    static var streamcoder: URL {
        if let path = ProcessInfo.processInfo.environment["STREAMCODER_BIN"] { return URL(fileURLWithPath: path) }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return bundle.deletingLastPathComponent().appendingPathComponent("streamcoder")
    }

    /// A tool that scripts/setup.sh links under .tools/.
    static func tool(_ relative: String) -> URL {
        Repository.url(".tools").appendingPathComponent(relative)
    }
}
