import Foundation

/// `streamcoder broker` in a process of its own, for tests.
struct BrokerProcess {
    let process: ChildProcess
    let bootstrap: String

    /// Starts the broker with `arguments` and waits for its bootstrap line.
    static func start(_ arguments: [String] = []) async throws -> BrokerProcess {
        let process = try ChildProcess(TestPaths.streamcoder, ["broker"] + arguments, name: "broker")
        try await process.waitUntil("the bootstrap line", timeout: .seconds(20)) { !process.lines.isEmpty }
        return BrokerProcess(process: process, bootstrap: process.lines[0])
    }

    /// Runs a `streamcoder` subcommand against this broker to completion; returns its standard output.
    @discardableResult
    func run(_ arguments: [String], timeout: Duration = .seconds(120)) async throws -> String {
        try await runToCompletion(TestPaths.streamcoder, arguments + ["--brokers", bootstrap], timeout: timeout)
    }

    /// Starts a `streamcoder consume` process in `group` with short group timeouts.
    func consumer(topic: String, group: String, name: String, extra: [String] = []) throws -> ChildProcess {
        try ChildProcess(
            TestPaths.streamcoder,
            [
                "consume", "--brokers", bootstrap, "--topic", topic, "--group", group,
                "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500", "-X", "fetch.wait.max.ms=50",
            ] + extra,
            name: name
        )
    }
}

/// The keys (form ids) of `streamcoder consume` output lines.
func formIDs(_ lines: [String]) throws -> [String] {
    try lines.map { line in
        // Lines are JSON with sorted keys; the key is a plain id. A substring search is enough,
        // and cheap enough to repeat over tens of thousands of lines.
        guard let start = line.range(of: "\"key\":\""), let end = line[start.upperBound...].firstIndex(of: "\"")
        else { throw TestFailure("not a consume line: \(line.prefix(200))") }
        return String(line[start.upperBound..<end])
    }
}
