import Foundation
import Kafka
import Logging
import Testing
import Wire

/// `streamcoder worker` processes against `streamcoder broker`: every form gets exactly one
/// result, poison ends in the dead-letter topic, workers survive it.
@Suite("Coding workers across processes", .serialized)
struct WorkerProcessTests {
    static let goodForms = 50_000

    @Test func everyFormGetsOneResultAndPoisonEndsInTheDeadLetterTopic() async throws {
        let broker = try await BrokerProcess.start()
        let package = try await importTestPackage()
        let workers = try (1...2).map { try broker.worker(package: package, name: "worker-\($0)") }
        for worker in workers {
            try await worker.waitUntil("an assignment") { worker.errorOutput.contains("partitions assigned") }
        }
        try await Task.sleep(for: .seconds(1))
        try await broker.run(["produce", "--csv", TestPaths.sampleForms.path, "--count", "\(Self.goodForms)"])
        let hostile = try await HostileForms.publish(to: broker.bootstrap)

        let (results, reviews) = try broker.resultReaders()
        let dead = try broker.consumer(
            topic: StreamCoderTopic.deadLetter,
            group: "check-dlq",
            name: "dlq",
            extra: ["--type", "raw"]
        )
        let expectedResults = Self.goodForms + hostile.coded.count
        try await results.waitUntil("every result and dead letter", timeout: .seconds(180)) {
            results.lines.count + reviews.lines.count >= expectedResults && dead.lines.count >= hostile.dead.count
        }
        try await Task.sleep(for: .seconds(2))  // duplicates, if any, would show up now

        let resultKeys = try formIDs(results.lines + reviews.lines)
        let deadKeys = try formIDs(dead.lines)
        print(
            "workers: \(results.lines.count) auto-coded, \(reviews.lines.count) manual review, \(dead.lines.count) dead letters"
        )
        #expect(resultKeys.count == expectedResults, "exactly one result per form")
        #expect(Set(resultKeys).count == expectedResults)
        #expect(Set(hostile.coded).isSubset(of: Set(resultKeys)), "unknown categorical values are coded, not refused")
        #expect(deadKeys.sorted() == hostile.dead.sorted(), "every poison record, once, in the dead-letter topic")
        #expect(workers.allSatisfy { $0.isRunning }, "no worker died of poison")

        for worker in workers {
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0, "\(worker.name): \(worker.diagnostics)")
            #expect(worker.errorOutput.contains("worker stopped"))
        }
    }
    @Test func killingAWorkerRepeatedlyWhileFormsFlowLosesNoForm() async throws {
        let broker = try await BrokerProcess.start()
        let package = try await importTestPackage()
        let steady = try broker.worker(package: package, name: "steady")
        var victim = try broker.worker(package: package, name: "victim-1")
        try await steady.waitUntil("an assignment") { steady.errorOutput.contains("partitions assigned") }

        let chunks = 10
        let perChunk = 3_000
        var kills = 0
        for chunk in 0..<chunks {
            try await broker.run([
                "produce", "--csv", TestPaths.sampleForms.path, "--count", "\(perChunk)",
                "--id-prefix", "c\(chunk)-",
            ])
            if chunk == 2 || chunk == 6 {
                victim.signal(SIGKILL)
                _ = try await victim.waitForExit()
                kills += 1
            }
            if chunk == 4 || chunk == 8 {
                victim = try broker.worker(package: package, name: "victim-\(kills + 1)")
            }
            try await Task.sleep(for: .milliseconds(700))
        }
        let expected = Set(
            (0..<chunks).flatMap { chunk in
                (0..<perChunk).map { index in "c\(chunk)-\(index % 25 + 1)" + (index >= 25 ? "-\(index / 25)" : "") }
            }
        )

        let (results, reviews) = try broker.resultReaders()
        try await results.waitUntil("a result for every form", timeout: .seconds(180), every: .seconds(1)) {
            let lines = results.lines + reviews.lines
            return lines.count >= expected.count && Set((try? formIDs(lines)) ?? []).isSuperset(of: expected)
        }
        try await Task.sleep(for: .seconds(2))
        let keys = try formIDs(results.lines + reviews.lines)
        let duplicates = keys.count - Set(keys).count
        print(
            "worker kill test: \(kills) kills, \(keys.count) results for \(expected.count) forms, \(duplicates) duplicates"
        )
        #expect(Set(keys) == expected, "every form has a result, and only forms that were sent")
        #expect(victim.errorOutput.contains("partitions assigned"), "the restarted worker takes part again")
        for worker in [steady, victim] {
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0, "\(worker.name): \(worker.diagnostics)")
        }
    }
    /// Scaling out and in is the consumer group's business: 1 → 3 → 2 workers while forms flow
    /// (cooperative-sticky rebalances), every form coded.
    @Test func scalingFromOneToThreeToTwoWorkersWhileFormsFlowLosesNoForm() async throws {
        let broker = try await BrokerProcess.start()
        let package = try await importTestPackage()
        var workers = [try broker.worker(package: package, name: "worker-1")]
        try await workers[0].waitUntil("an assignment") { workers[0].errorOutput.contains("partitions assigned") }
        let chunks = 12
        let perChunk = 2_000
        for chunk in 0..<chunks {
            try await broker.run([
                "produce", "--csv", TestPaths.sampleForms.path, "--count", "\(perChunk)", "--id-prefix", "s\(chunk)-",
            ])
            if chunk == 2 {
                workers.append(try broker.worker(package: package, name: "worker-2"))
                workers.append(try broker.worker(package: package, name: "worker-3"))
            }
            if chunk == 7 {
                // Scale in: the leaving worker drains and commits; the group moves its partitions.
                let leaving = workers.removeLast()
                leaving.signal(SIGTERM)
                #expect(try await leaving.waitForExit() == 0, "\(leaving.diagnostics)")
                #expect(leaving.errorOutput.contains("partitions assigned"), "worker-3 took part before leaving")
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        let expected = Set(
            (0..<chunks).flatMap { chunk in
                (0..<perChunk).map { index in "s\(chunk)-\(index % 25 + 1)" + (index >= 25 ? "-\(index / 25)" : "") }
            }
        )
        let (results, reviews) = try broker.resultReaders()
        try await results.waitUntil("a result for every form", timeout: .seconds(240), every: .seconds(1)) {
            let lines = results.lines + reviews.lines
            return lines.count >= expected.count && Set((try? formIDs(lines)) ?? []).isSuperset(of: expected)
        }
        try await Task.sleep(for: .seconds(2))
        let keys = try formIDs(results.lines + reviews.lines)
        print(
            "scaling 1 → 3 → 2: \(keys.count) results for \(expected.count) forms, \(keys.count - Set(keys).count) duplicates"
        )
        #expect(Set(keys) == expected, "every form has a result, and only forms that were sent")
        #expect(workers[1].errorOutput.contains("partitions assigned"), "worker-2 took part")
        for worker in workers {
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0, "\(worker.name): \(worker.diagnostics)")
        }
    }

    @Test func aCallerGetsItsAnswerByRequestReplyAndAnExpiredDeadlineIsNotCoded() async throws {
        let broker = try await BrokerProcess.start()
        let package = try await importTestPackage()
        let worker = try broker.worker(package: package, name: "worker")
        try await worker.waitUntil("an assignment") { worker.errorOutput.contains("partitions assigned") }

        let answer = try await broker.run([
            "code", "coiffure a domicile", "--json", "--timeout", "30",
            "-X", "fetch.wait.max.ms=10",
        ])
        let result = try #require(try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])
        #expect(result["decision"] as? String == "DECISION_MANUAL_REVIEW")
        #expect((result["candidates"] as? [Any])?.count == 5)
        #expect((result["model"] as? [String: Any])?["name"] as? String == "naf-test")

        // A request whose deadline passed before any worker saw it.
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: broker.bootstrap),
            logger: quietLogger
        )
        let past = Int64(Date().timeIntervalSince1970 * 1_000) - 60_000
        try await producer.send(
            KafkaProducerMessage(
                topic: StreamCoderTopic.forms,
                key: Array("late-1".utf8),
                value: try RegistryForm(formID: "late-1", descriptionActivity: "coiffure").encoded(),
                headers: [
                    KafkaHeader(key: StreamCoderHeader.replyTo, text: StreamCoderTopic.replies),
                    KafkaHeader(key: StreamCoderHeader.correlationID, text: "late-request"),
                    KafkaHeader(key: StreamCoderHeader.deadline, text: String(past)),
                ]
            )
        )
        let replies = try broker.consumer(
            topic: StreamCoderTopic.replies,
            group: "replies",
            name: "replies",
            extra: ["--type", "result"]
        )
        try await replies.waitUntil("the late reply") { replies.lines.contains { $0.contains("late-request") } }
        let line = try #require(replies.lines.first { $0.contains("late-request") })
        let late = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let lateResult = try #require(late["result"] as? [String: Any])
        #expect((lateResult["status"] as? [String: Any])?["code"] as? String == "STATUS_CODE_DEADLINE_EXCEEDED")
        #expect(lateResult["decision"] as? String == "DECISION_REJECTED")
        #expect((lateResult["candidates"] as? [Any])?.isEmpty ?? true)
        let metrics = try await httpGet(worker.metricsPort(), "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("streamcoder_forms_in_total 2"))
        #expect(metrics.body.contains("streamcoder_active_model{name=\"naf-test\",version=\"1\""))
        #expect(metrics.body.contains("streamcoder_form_latency_seconds_count"))
        #expect(try await httpGet(worker.metricsPort(), "/readyz").status == 200)
        #expect(try await httpGet(worker.metricsPort(), "/healthz").body == "ok")
        replies.signal(SIGTERM)
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
    }
}

extension WorkerProcessTests {
    /// Backpressure: with every broker response 300 ms late, results are slow to be delivered;
    /// the worker reads up to its in-flight bound and pauses there (at most one more micro-batch
    /// is read before the pause), then codes everything once deliveries catch up.
    @Test func formsInFlightStayBoundedWhileResultsAreSlowToDeliver() async throws {
        let broker = try await BrokerProcess.start()
        let package = try await importTestPackage()
        let forms = 1_500
        let bound = 200
        let batch = 50
        try await broker.run(["produce", "--csv", TestPaths.sampleForms.path, "--count", "\(forms)"])
        broker.process.send("rtt 1 300")
        try await broker.process.waitUntil("the rtt answer") { broker.process.lines.contains("ok") }
        let worker = try broker.worker(
            package: package,
            name: "worker",
            extra: ["--max-in-flight", "\(bound)", "--batch-size", "\(batch)"]
        )
        try await worker.waitUntil("its metrics address") { worker.errorOutput.contains("address=127.0.0.1:") }
        let port = try worker.metricsPort()
        var mostInFlight = 0
        var counters = WorkerMetricsSample()
        let deadline = ContinuousClock.now + .seconds(180)
        while counters.done < forms && ContinuousClock.now < deadline {
            counters = try await WorkerMetricsSample(scraping: port)
            mostInFlight = max(mostInFlight, counters.formsIn - counters.done)
            try await Task.sleep(for: .milliseconds(100))
        }
        print("backpressure: at most \(mostInFlight) forms in flight (bound \(bound), batch \(batch))")
        #expect(counters.done == forms, "every form coded once deliveries caught up")
        #expect(counters.formsIn == forms)
        #expect(mostInFlight >= bound, "slow deliveries filled the in-flight budget")
        #expect(mostInFlight < bound + batch, "reading paused at the bound")
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0, "\(worker.diagnostics)")
    }
}

/// The worker's counters, from one scrape of its /metrics.
struct WorkerMetricsSample {
    var formsIn = 0
    /// Results delivered (either decision) plus dead letters.
    var done = 0

    init() {}

    init(scraping port: Int) async throws {
        let metrics = try await httpGet(port, "/metrics")
        for line in metrics.body.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let value = Double(parts[1]) else { continue }
            if parts[0] == "streamcoder_forms_in_total" { formsIn += Int(value) }
            if parts[0].hasPrefix("streamcoder_results_total") || parts[0].hasPrefix("streamcoder_dead_letters_total") {
                done += Int(value)
            }
        }
    }
}

extension BrokerProcess {
    /// Readers of the coded and the manual-review topics, printing raw records.
    /// Readers of the coded and manual-review topics, printing records as `type` (raw or result),
    /// each in a group of its own: two members of one group with different topics rebalance each
    /// other, which the embedded broker can hold up for a long time on a busy machine.
    func resultReaders(type: String = "raw") throws -> (codings: ChildProcess, reviews: ChildProcess) {
        (
            try consumer(
                topic: StreamCoderTopic.codings,
                group: "check-codings",
                name: "codings",
                extra: ["--type", type]
            ),
            try consumer(
                topic: StreamCoderTopic.manualReview,
                group: "check-reviews",
                name: "reviews",
                extra: ["--type", type]
            )
        )
    }

    /// Starts `streamcoder worker` with short group timeouts, and `extra` arguments.
    func worker(package: URL, name: String, extra: [String] = []) throws -> ChildProcess {
        try ChildProcess(
            TestPaths.streamcoder,
            [
                "worker", "--brokers", bootstrap, "--model", package.path, "--metrics-port", "0",
                "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500", "-X", "fetch.wait.max.ms=10",
            ] + extra,
            name: name
        )
    }
}

/// Imports a fastText fixture of the classifier tests (`ova.bin` by default) into a package with
/// `streamcoder models import-fasttext`.
func importTestPackage(version: String = "1", model: String = "ova.bin", name: String = "naf-test") async throws -> URL
{
    let fixtures = TestPaths.packageRoot.appendingPathComponent("Tests/ClassifierTests/Fixtures/fasttext")
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pkg-\(UUID().uuidString)")
    try await runToCompletion(
        TestPaths.streamcoder,
        [
            "models", "import-fasttext", fixtures.appendingPathComponent(model).path,
            "--labels", fixtures.appendingPathComponent("naf_labels.csv").path,
            "--out", directory.path, "--name", name, "--version", version,
        ]
    )
    return directory
}

/// Records no worker should code: garbage bytes, blank text, invalid UTF-8, text over the size
/// limit; and forms with unknown categorical values, which it should code.
enum HostileForms {
    static func publish(to bootstrap: String) async throws -> (dead: [String], coded: [String]) {
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: bootstrap),
            logger: quietLogger
        )
        var generator = SplitMix(seed: 42)
        var dead: [String] = []
        var coded: [String] = []
        for index in 0..<1_200 {
            let key = "hostile-\(index)"
            let value: [UInt8]
            switch index % 5 {
            case 0:
                value = (0..<(1 + Int(generator.next() % 200))).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            case 1: value = try RegistryForm(formID: key, descriptionActivity: " \t ").encoded()
            case 2: value = try invalidUTF8(key)
            case 3:
                value = try RegistryForm(formID: key, descriptionActivity: String(repeating: "vente ", count: 600))
                    .encoded()
            default:
                value = try RegistryForm(formID: key, descriptionActivity: "boulangerie", typeForm: "ZZ9", event: "??")
                    .encoded()
            }
            guard (try? RegistryForm(decoding: value)) == nil else {
                coded.append(key)
                try producer.produce(
                    KafkaProducerMessage(topic: StreamCoderTopic.forms, key: Array(key.utf8), value: value)
                )
                continue
            }
            dead.append(key)
            try producer.produce(
                KafkaProducerMessage(topic: StreamCoderTopic.forms, key: Array(key.utf8), value: value)
            )
        }
        try await producer.flush()
        return (dead, coded)
    }

    /// A form whose activity text is not UTF-8 (bytes patched after encoding).
    static func invalidUTF8(_ key: String) throws -> [UInt8] {
        var bytes = try RegistryForm(formID: key, descriptionActivity: "@@@@").encoded()
        let marker = Array("@@@@".utf8)
        let start = (0...(bytes.count - 4)).first { Array(bytes[$0..<($0 + 4)]) == marker }!
        bytes.replaceSubrange(start..<(start + 4), with: [0xC3, 0x28, 0xFF, 0xFE])
        return bytes
    }
}

/// A small deterministic generator, so a failing run can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension ChildProcess {
    /// The port a `streamcoder worker` serves /metrics on, from its log.
    func metricsPort() throws -> Int {
        guard let range = errorOutput.range(of: #"address=127\.0\.0\.1:(\d+)"#, options: .regularExpression),
            let port = Int(errorOutput[range].split(separator: ":").last ?? "")
        else { throw TestFailure("\(name) did not log its metrics address") }
        return port
    }
}

/// A GET on the loopback port, with status and body (trimmed).
func httpGet(_ port: Int, _ path: String, maxSeconds: Int = 10) async throws -> (status: Int, body: String) {
    let output = try await runToCompletion(
        TestPaths.onPath("curl"),
        ["-s", "--max-time", "\(maxSeconds)", "-w", "\n%{http_code}\n", "http://127.0.0.1:\(port)\(path)"]
    )
    var lines = output.components(separatedBy: "\n")
    let status = Int(lines.removeLast()) ?? 0
    return (status, lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines))
}

/// A logger for the test's own clients: their connection errors once a broker stops are noise.
let quietLogger: Logger = {
    var logger = Logger(label: "integration-tests")
    logger.logLevel = .critical
    return logger
}()
