import Foundation
import Synchronization

/// A process started by a test, with its standard output and error collected line by line.
final class ChildProcess: Sendable {
    /// What the process printed, shared with the pipes' reading handlers.
    private final class Output: Sendable {
        let lines = Mutex<[String]>([])
        let partialLine = Mutex<[UInt8]>([])
        let errorText = Mutex<String>("")
    }

    private let process: Process
    private let output = Output()
    private let stdinPipe = Pipe()
    /// A name for failure messages.
    let name: String

    /// Starts `executable` with `arguments`; `environment` adds to this process's environment;
    /// `directory` is its working directory (this process's by default).
    init(
        _ executable: URL,
        _ arguments: [String],
        name: String,
        environment: [String: String] = [:],
        directory: URL? = nil
    ) throws {
        self.name = name
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdinPipe
        try process.run()
        // Plain reader threads: FileHandle.readabilityHandler's dispatch sources crash on Linux
        // when a pipe closes under them.
        Self.readChunks(from: out.fileHandleForReading) { [output] chunk in
            // Split on newline bytes, so that a character cut between two reads stays whole.
            let complete: [String] = output.partialLine.withLock { buffer in
                buffer += chunk
                guard let end = buffer.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
                let text = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeSubrange(...end)
                return text.components(separatedBy: "\n")
            }
            output.lines.withLock { $0 += complete }
        }
        Self.readChunks(from: err.fileHandleForReading) { [output] chunk in
            output.errorText.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
        }
    }

    /// Reads `handle` on a thread of its own until end of file, handing each chunk to `consume`.
    private static func readChunks(from handle: FileHandle, _ consume: @escaping @Sendable ([UInt8]) -> Void) {
        let descriptor = handle.fileDescriptor
        Thread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                consume(Array(buffer[0..<count]))
            }
            _ = handle  // keeps the descriptor open until reading ends
        }.start()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The complete lines printed on standard output so far.
    var lines: [String] { output.lines.withLock { $0 } }

    /// Everything printed on standard error so far.
    var errorOutput: String { output.errorText.withLock { $0 } }

    /// What a failure message needs of standard error: the lines that say what went wrong (a
    /// crash's first lines come long before its end), then the last lines.
    var diagnostics: String {
        let text = errorOutput
        let telling = text.split(separator: "\n").filter {
            $0.contains("crashed") || $0.contains("Fatal error") || $0.contains(" error") || $0.contains("critical")
        }.prefix(20)
        return telling.joined(separator: "\n") + "\n…\n" + text.suffix(1_500)
    }

    /// The process id.
    var pid: Int32 { process.processIdentifier }

    /// Whether it still runs.
    var isRunning: Bool { process.isRunning }

    /// Sends a signal (SIGTERM, SIGKILL, …).
    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Writes a line to its standard input.
    func send(_ line: String) {
        stdinPipe.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Closes its standard input (end of file).
    func closeInput() {
        try? stdinPipe.fileHandleForWriting.close()
    }

    /// Waits until `condition` holds, polling, or throws after `timeout` with what the process printed.
    /// Heavy conditions (parsing thousands of lines) should poll slowly: the processes under test
    /// share two cores with the test.
    func waitUntil(
        _ what: String,
        timeout: Duration = .seconds(60),
        every interval: Duration = .milliseconds(50),
        _ condition: () -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else {
                throw TestFailure("\(name): timed out waiting for \(what); stderr:\n\(diagnostics)")
            }
            try await Task.sleep(for: interval)
        }
    }

    /// Waits for the process to exit and returns its exit status (or the signal that ended it).
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        try await waitUntil("exit", timeout: timeout) { !process.isRunning }
        return process.terminationStatus
    }

    /// How it ended: a normal exit or a signal.
    var terminationReason: Process.TerminationReason { process.terminationReason }
}

/// A failure with a message, for conditions `#expect` cannot express inline.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Paths the tests need: the built `streamcoder`, the package root, tools set up by scripts/setup.sh.
enum TestPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `streamcoder` from the same build as the test bundle (or $STREAMCODER_BIN).
    static var streamcoder: URL {
        if let path = ProcessInfo.processInfo.environment["STREAMCODER_BIN"] { return URL(fileURLWithPath: path) }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return bundle.deletingLastPathComponent().appendingPathComponent("streamcoder")
    }

    static let sampleForms = packageRoot.appendingPathComponent("../shared/data/forms/sirene_examples.csv").standardized

    static func tool(_ relative: String) -> URL {
        packageRoot.appendingPathComponent(".tools").appendingPathComponent(relative)
    }

    /// An executable found on PATH.
    static func onPath(_ name: String) -> URL {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: "/usr/bin/\(name)")
    }
}

/// Runs a command to completion and returns its standard output; throws when it fails.
@discardableResult
func runToCompletion(
    _ executable: URL,
    _ arguments: [String],
    environment: [String: String] = [:],
    directory: URL? = nil,
    input: Data? = nil,
    timeout: Duration = .seconds(60)
) async throws -> String {
    let child = try ChildProcess(
        executable,
        arguments,
        name: executable.lastPathComponent,
        environment: environment,
        directory: directory
    )
    if let input {
        child.send(String(decoding: input, as: UTF8.self))
    }
    child.closeInput()
    let status = try await child.waitForExit(timeout: timeout)
    try await Task.sleep(for: .milliseconds(100))  // let the last output arrive
    guard status == 0 else {
        throw TestFailure(
            "\(executable.lastPathComponent) \(arguments.joined(separator: " ")) exited \(status):\n"
                + child.diagnostics
        )
    }
    return child.lines.joined(separator: "\n")
}
