import Foundation
import Testing
import Wire

/// `worker --exactly-once` against Tansu, which supports transactions, with the librdkafka 2.16
/// that confluent-kafka bundles (Debian's 2.0.2 cannot talk to Tansu).
@Suite("Exactly-once workers against Tansu", .serialized)
struct ExactlyOnceTests {
    static let forms = 20_000
    static let batch = 100

    /// Two exactly-once workers; one is SIGKILLed a third of the way and restarted with its
    /// instance id, the other stopped with SIGTERM two thirds of the way. A `read_committed`
    /// reader sees every form; the only repeats it may see are the outputs of the one transaction
    /// the kill left open: Tansu shows aborted records to `read_committed` readers (Apache Kafka
    /// hides them; `scripts/brokers/tansu-aborted-records.py` shows it), so at most one micro-batch.
    @Test func aReadCommittedReaderSeesEveryFormOnceWhenAWorkerIsKilled() async throws {
        let tansu = try await TansuProcess.start()
        defer { tansu.process.signal(SIGKILL) }
        try await tansu.run(["topics", "create", "--partitions", "6"])
        try await tansu.run(["produce", "--csv", TestPaths.sampleForms.path, "--count", "\(Self.forms)"])
        let package = try await importTestPackage()
        var killed = try tansu.exactlyOnceWorker(package: package, instance: "a")
        let stopped = try tansu.exactlyOnceWorker(package: package, instance: "b")
        let reader = try tansu.reader(topics: [StreamCoderTopic.codings, StreamCoderTopic.manualReview])

        try await reader.waitUntil("a third of the results", timeout: .seconds(180), every: .milliseconds(200)) {
            reader.lines.count >= Self.forms / 3
        }
        killed.signal(SIGKILL)
        _ = try await killed.waitForExit()
        killed = try tansu.exactlyOnceWorker(package: package, instance: "a")
        try await reader.waitUntil("two thirds of the results", timeout: .seconds(180), every: .milliseconds(200)) {
            reader.lines.count >= Self.forms * 2 / 3
        }
        stopped.signal(SIGTERM)
        #expect(try await stopped.waitForExit(timeout: .seconds(60)) == 0, "\(stopped.diagnostics)")
        try await reader.waitUntil("every form", timeout: .seconds(240), every: .seconds(1)) {
            Set((try? formIDs(reader.lines)) ?? []).count >= Self.forms
        }
        try await Task.sleep(for: .seconds(3))
        let keys = try formIDs(reader.lines)
        let repeats = keys.count - Set(keys).count
        print(
            "exactly once on Tansu: \(Set(keys).count) of \(Self.forms) forms, \(repeats) seen twice (one aborted transaction holds at most \(Self.batch))"
        )
        #expect(Set(keys).count == Self.forms, "every form, read_committed")
        #expect(repeats <= Self.batch, "only the killed worker's open transaction may show again")
        killed.signal(SIGTERM)
        #expect(try await killed.waitForExit(timeout: .seconds(60)) == 0, "\(killed.diagnostics)")
    }
}

/// A Tansu broker on a free loopback port, with `streamcoder` run against it.
struct TansuProcess {
    let process: ChildProcess
    let bootstrap: String
    static let environment = ["LD_LIBRARY_PATH": TestPaths.tool("librdkafka2").path]

    static func start() async throws -> TansuProcess {
        let address = "127.0.0.1:\(try freeLoopbackPort())"
        let process = try ChildProcess(
            TestPaths.tool("bin/tansu"),
            [
                "broker", "--listener-url", "tcp://\(address)", "--advertised-listener-url", "tcp://\(address)",
                "--storage-engine", "memory://tansu/",
            ],
            name: "tansu"
        )
        try await process.waitUntil("Tansu to listen", timeout: .seconds(30)) {
            (process.errorOutput + process.lines.joined()).contains("ready")
        }
        return TansuProcess(process: process, bootstrap: address)
    }

    @discardableResult
    func run(_ arguments: [String]) async throws -> String {
        try await runToCompletion(
            TestPaths.streamcoder,
            arguments + ["--brokers", bootstrap],
            environment: Self.environment,
            timeout: .seconds(120)
        )
    }

    func exactlyOnceWorker(package: URL, instance: String) throws -> ChildProcess {
        try ChildProcess(
            TestPaths.streamcoder,
            [
                "worker", "--brokers", bootstrap, "--model", package.path, "--metrics-port", "0", "--exactly-once",
                "--instance-id", instance, "--batch-size", "\(ExactlyOnceTests.batch)",
                "-X", "session.timeout.ms=10000", "-X", "heartbeat.interval.ms=1000",
            ],
            name: "worker-\(instance)",
            environment: Self.environment
        )
    }

    /// A `read_committed` reader of `topics`, printing raw records.
    func reader(topics: [String]) throws -> ChildProcess {
        try ChildProcess(
            TestPaths.streamcoder,
            [
                "consume", "--brokers", bootstrap, "--group", "reader", "--type", "raw", "-X",
                "isolation.level=read_committed",
            ]
                + topics.flatMap { ["--topic", $0] },
            name: "reader",
            environment: Self.environment
        )
    }
}
