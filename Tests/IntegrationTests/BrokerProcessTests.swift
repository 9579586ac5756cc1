import Foundation
import Testing

/// `streamcoder broker` used by clients no one here wrote (kcat) and by our own commands.
@Suite("Embedded broker process")
struct BrokerProcessTests {
    @Test func kcatReadsFormsWeProduceAndWeDecodeBytesKcatProduces() async throws {
        let broker = try await BrokerProcess.start(["--no-default-topics", "--topic", "kcat.forms:3"])
        try await broker.run(["produce", "--csv", TestPaths.sampleForms.path, "--topic", "kcat.forms"])
        let keys = try await runToCompletion(
            TestPaths.onPath("kcat"),
            [
                "-C", "-b", broker.bootstrap, "-t", "kcat.forms", "-e", "-q", "-f", "%k\\n",
            ]
        )
        #expect(Set(keys.split(separator: "\n").map(String.init)) == Set((1...25).map { "form-\($0)" }))

        // A form encoded by protoc (a fixture of the Wire tests), sent whole as one message by kcat.
        let fixture = TestPaths.packageRoot.appendingPathComponent("Tests/WireTests/Fixtures/form_full.bin")
        try await runToCompletion(
            TestPaths.onPath("kcat"),
            [
                "-P", "-b", broker.bootstrap, "-t", "kcat.protoc", "-k", "from-kcat", "-H", "traceparent=00-abc-def-01",
                fixture.path,
            ]
        )
        let printed = try await broker.run(["consume", "--topic", "kcat.protoc", "--group", "kcat", "--max", "1"])
        let line = try #require(try JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [String: Any])
        #expect(line["key"] as? String == "from-kcat")
        #expect((line["headers"] as? [String: String])?["traceparent"] == "00-abc-def-01")
        let form = try #require(line["form"] as? [String: Any])
        #expect((form["descriptionActivity"] as? String)?.isEmpty == false)
        #expect(line["error"] == nil)
    }

    @Test func garbageIsPrintedAsADecodingErrorNotACrash() async throws {
        let broker = try await BrokerProcess.start(["--no-default-topics", "--topic", "junk:1"])
        try await runToCompletion(
            TestPaths.onPath("kcat"),
            ["-P", "-b", broker.bootstrap, "-t", "junk", "-k", "bad"],
            input: Data("\u{1}\u{2}not protobuf at all".utf8)
        )
        let printed = try await broker.run(["consume", "--topic", "junk", "--group", "junk", "--max", "1"])
        let line = try #require(try JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [String: Any])
        #expect(line["form"] == nil)
        #expect((line["error"] as? String)?.isEmpty == false)
    }

    @Test func controlLinesCreateTopicsAndTheBrokerExitsCleanlyOnSIGTERM() async throws {
        let broker = try await BrokerProcess.start(["--port", "0"])
        broker.process.send("create-topic late.topic 5")
        try await broker.process.waitUntil("the control answer") { broker.process.lines.count >= 2 }
        #expect(broker.process.lines[1] == "ok")
        broker.process.send("no-such-command")
        try await broker.process.waitUntil("the control answer") { broker.process.lines.count >= 3 }
        #expect(broker.process.lines[2].hasPrefix("error: unknown control line"))

        let topics = try await broker.run(["topics", "list"])
        #expect(topics.contains("late.topic\t5"))
        #expect(topics.contains("registry.forms.v1\t12"))
        #expect(topics.contains("streamcoder.control\t1"))

        broker.process.signal(SIGTERM)
        #expect(try await broker.process.waitForExit() == 0)
        #expect(broker.process.terminationReason == .exit)
    }

    @Test func aFixedPortServesClientsThroughTheForwarder() async throws {
        let port = try freeLoopbackPort()
        let broker = try await BrokerProcess.start(["--port", "\(port)", "--no-default-topics", "--topic", "fixed:2"])
        #expect(broker.bootstrap == "127.0.0.1:\(port)")
        try await broker.run(["produce", "--csv", TestPaths.sampleForms.path, "--topic", "fixed"])
        let printed = try await broker.run(["consume", "--topic", "fixed", "--group", "fixed", "--max", "25"])
        #expect(printed.split(separator: "\n").count == 25)
        broker.process.signal(SIGINT)
        #expect(try await broker.process.waitForExit() == 0)
    }

    @Test func theEmbeddedBrokerRefusingCreateTopicsIsAClearError() async throws {
        let broker = try await BrokerProcess.start(["--no-default-topics"])
        let failure = await #expect(throws: TestFailure.self) {
            try await broker.run(["topics", "create", "never.created:3", "--timeout", "2"])
        }
        #expect(failure?.description.contains("streamcoder broker --topic") == true)
    }

    @Test func produceToUnreachableBrokersFailsWithinSecondsNamingThem() async throws {
        let address = "127.0.0.1:\(try freeLoopbackPort())"
        let produce = try ChildProcess(
            TestPaths.streamcoder,
            ["produce", "--brokers", address, "--csv", TestPaths.sampleForms.path],
            name: "produce"
        )
        // It gives up on its own (it used to retry for 65 s): the wait is the deadline.
        #expect(try await produce.waitForExit(timeout: .seconds(30)) != 0)
        let lines = produce.errorOutput.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(produce.errorOutput)")
        #expect(produce.errorOutput.contains("cannot reach the brokers \(address)"), "\(produce.errorOutput)")
        #expect(produce.errorOutput.contains("Connection refused"), "\(produce.errorOutput)")
    }

    @Test func produceWaitsForOneBrokerOfThreeInsteadOfGivingUp() async throws {
        let broker = try await BrokerProcess.start(["--broker-count", "3"])
        broker.process.send("broker-down 2")
        let produce = try ChildProcess(
            TestPaths.streamcoder,
            [
                "produce", "--brokers", broker.bootstrap, "--csv", TestPaths.sampleForms.path, "--count", "300",
                "--id-prefix", "one-down-",
            ],
            name: "produce"
        )
        // Longer than the 10 s after which produce gives up on brokers that are all down: with
        // one of three down it must keep the forms for that broker's partitions and wait.
        try await Task.sleep(for: .seconds(12))
        #expect(produce.isRunning, "produce gave up with one broker of three down: \(produce.errorOutput)")
        broker.process.send("broker-up 2")
        #expect(try await produce.waitForExit(timeout: .seconds(60)) == 0, "\(produce.errorOutput)")
        #expect(!produce.errorOutput.contains("cannot reach the brokers"), "\(produce.errorOutput)")
        let output = try await broker.run(["consume", "--max", "300", "--idle-exit", "10", "--group", "count"])
        let ids = try formIDs(output.split(separator: "\n").map(String.init))
        #expect(Set(ids).count == 300, "every form once: \(Set(ids).count) distinct of \(ids.count)")
    }

    @Test func consumeDecodesByTheTopicAndSaysWhichTypeFitsWhenTold() async throws {
        let broker = try await BrokerProcess.start()
        try await broker.run(["produce", "--csv", TestPaths.sampleForms.path, "--count", "3"])
        let inferred = try await broker.run(["consume", "--max", "1", "--idle-exit", "10", "--group", "a"])
        #expect(inferred.contains("\"form\":{"), "the forms topic holds forms: \(inferred)")
        let told = try await broker.run([
            "consume", "--type", "result", "--max", "1", "--idle-exit", "10", "--group", "b",
        ])
        #expect(told.contains("it decodes as a form: pass --type form"), "\(told)")
        broker.process.signal(SIGINT)
    }
}

/// A loopback port nobody listens on right now.
func freeLoopbackPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard ok else { throw TestFailure("no free loopback port") }
    return UInt16(bigEndian: address.sin_port)
}
