import Foundation
import Kafka
import Testing
import Wire

/// `models activate` on a running fleet: workers switch between two micro-batches, every result
/// names the model that made it, a worker started later comes up on the fleet's model, and a
/// directive to a damaged package is refused by every worker, which keep their model.
@Suite("Hot swap across processes", .serialized)
struct HotSwapTests {
    @Test func aRunningWorkerSwitchesModelsAndRefusesADamagedPackage() async throws {
        let broker = try await BrokerProcess.start()
        let first = try await importTestPackage(version: "1")
        let second = try await importTestPackage(version: "2")
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try await runToCompletion(TestPaths.streamcoder, ["models", "push", second.path, "--store", store.path])
        let early = try broker.worker(package: first, name: "early")
        try await early.waitUntil("an assignment") { early.errorOutput.contains("partitions assigned") }
        let (results, reviews) = try broker.resultReaders(type: "result")

        try await broker.run(["produce", "--csv", TestPaths.sampleForms.path, "--count", "1000", "--id-prefix", "a-"])
        try await results.waitUntil("the first results") { results.lines.count + reviews.lines.count >= 1_000 }
        let activated = try await broker.run(["models", "activate", "naf-test@2", "--store", store.path])
        #expect(activated.contains("generation 1"), "\(activated)")
        try await early.waitUntil("the swap") { early.errorOutput.contains("model swapped") }
        try await broker.run(["produce", "--csv", TestPaths.sampleForms.path, "--count", "1000", "--id-prefix", "b-"])

        // A worker started now comes up on the fleet's model, not its --model.
        let late = try broker.worker(package: first, name: "late")
        try await late.waitUntil("an assignment") { late.errorOutput.contains("partitions assigned") }
        #expect(!late.errorOutput.contains("model swapped"), "no swap: it started on the fleet's model")
        let loaded = try #require(late.errorOutput.range(of: "model=naf-test@2 [Worker] model loaded and checked"))
        let assigned = try #require(late.errorOutput.range(of: "partitions assigned"))
        #expect(loaded.lowerBound < assigned.lowerBound, "on the fleet's model before its first form")

        // A directive to a damaged copy of a package (one weight byte changed), written by hand.
        let damaged = try damagedCopy(of: try await importTestPackage(version: "3"))
        try await publishDirective(
            ModelDirective(
                generation: 2,
                package: PackageRef(model: ModelRef(name: "naf-test", version: "3"), uri: damaged.path)
            ),
            to: broker.bootstrap
        )
        for worker in [early, late] {
            try await worker.waitUntil("the refusal") { worker.errorOutput.contains("model refused") }
            #expect(worker.errorOutput.contains("checksum_mismatch"), "\(worker.name) names the failed check")
        }
        try await broker.run(["produce", "--csv", TestPaths.sampleForms.path, "--count", "1000", "--id-prefix", "c-"])
        try await results.waitUntil("every result", timeout: .seconds(120)) {
            Set((try? versions(results.lines + reviews.lines).keys.map { $0 }) ?? []).count >= 3_000
        }
        try await Task.sleep(for: .seconds(2))

        let byForm = try versions(results.lines + reviews.lines)
        #expect(byForm.count == 3_000, "every form has a result")
        #expect(byForm.filter { $0.key.hasPrefix("a-") }.allSatisfy { $0.value == "1" }, "before the swap: version 1")
        #expect(byForm.filter { $0.key.hasPrefix("b-") }.allSatisfy { $0.value == "2" }, "after it: version 2")
        #expect(byForm.filter { $0.key.hasPrefix("c-") }.allSatisfy { $0.value == "2" }, "the damaged one never ran")
        for (partition, sequence) in try versionsByPartition(results.lines + reviews.lines) {
            #expect(sequence == sequence.sorted(), "versions never go back on \(partition)")
        }
        // models status: the directive, and both workers on version 2 with the refusal reported.
        var status = ""
        let deadline = ContinuousClock.now + .seconds(20)
        var rows: [Substring] = []
        repeat {
            try await Task.sleep(for: .milliseconds(500))
            status = try await broker.run(["models", "status"])
            rows = status.split(separator: "\n").filter { $0.contains("\tup\t") }
        } while !(rows.count == 2
            && rows.allSatisfy { $0.contains("\tnaf-test@2\t-\t2\t") && $0.hasSuffix("1: naf-test@3") })
            && ContinuousClock.now < deadline
        #expect(rows.count == 2, "both workers report\n\(status)")
        #expect(rows.allSatisfy { $0.contains("\tnaf-test@2\t-\t2\t") && $0.hasSuffix("1: naf-test@3") }, "\(status)")
        #expect(status.hasPrefix("directive 2: naf-test@3"), "\(status)")
        print("hot swap status:\n\(status)")
        for worker in [early, late] {
            worker.signal(SIGTERM)
            #expect(try await worker.waitForExit() == 0, "\(worker.diagnostics)")
        }
    }

    @Test func rollbackReturnsTheFleetToThePreviousModel() async throws {
        let broker = try await BrokerProcess.start()
        let first = try await importTestPackage(version: "1")
        let second = try await importTestPackage(version: "2")
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        for package in [first, second] {
            try await runToCompletion(TestPaths.streamcoder, ["models", "push", package.path, "--store", store.path])
        }
        let worker = try broker.worker(package: first, name: "worker")
        try await worker.waitUntil("an assignment") { worker.errorOutput.contains("partitions assigned") }
        try await broker.run(["models", "activate", "naf-test@2", "--store", store.path])
        try await worker.waitUntil("the swap to version 2") { worker.errorOutput.contains("to=naf-test@2") }
        let rolledBack = try await broker.run(["models", "rollback", "--store", store.path])
        #expect(rolledBack.hasPrefix("rolled streamcoder-workers back to naf-test@1: generation 2"), "\(rolledBack)")
        try await worker.waitUntil("the swap back") { worker.errorOutput.contains("to=naf-test@1") }
        try await broker.run(["produce", "--csv", TestPaths.sampleForms.path, "--count", "500"])
        let (results, reviews) = try broker.resultReaders(type: "result")
        try await results.waitUntil("every result") { results.lines.count + reviews.lines.count >= 500 }
        #expect(try versions(results.lines + reviews.lines).values.allSatisfy { $0 == "1" })
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0, "\(worker.diagnostics)")
    }

    @Test func aCanaryCodesItsShareOfTheFormsAndPromotionMakesItTheModel() async throws {
        let broker = try await BrokerProcess.start()
        let first = try await importTestPackage(version: "1")
        let second = try await importTestPackage(version: "2")
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try await runToCompletion(TestPaths.streamcoder, ["models", "push", second.path, "--store", store.path])
        let worker = try broker.worker(package: first, name: "worker")
        try await worker.waitUntil("an assignment") { worker.errorOutput.contains("partitions assigned") }
        let activated = try await broker.run([
            "models", "activate", "naf-test@2", "--store", store.path, "--canary", "0.3",
        ])
        #expect(activated.contains("as a canary for 30.0 % of the forms"), "\(activated)")
        try await worker.waitUntil("the canary") { worker.errorOutput.contains("as a canary") }
        try await broker.run(["produce", "--csv", TestPaths.sampleForms.path, "--count", "2000", "--id-prefix", "k-"])
        let (results, reviews) = try broker.resultReaders(type: "result")
        try await results.waitUntil("the canary's results") { results.lines.count + reviews.lines.count >= 2_000 }
        let canary = try versions(results.lines + reviews.lines).values.filter { $0 == "2" }.count
        // 2,000 forms at 30 %: 600 expected, four standard deviations (±82) allowed.
        #expect((518...682).contains(canary), "\(canary) of 2,000 forms coded by the canary")
        let status = try await broker.run(["models", "status"])
        #expect(status.contains("\tnaf-test@1\tnaf-test@2\t1\t"), "\(status)")

        let promoted = try await broker.run(["models", "promote"])
        #expect(promoted.hasPrefix("promoted naf-test@2 for streamcoder-workers: generation 2"), "\(promoted)")
        try await worker.waitUntil("the promotion") { worker.errorOutput.contains("to=naf-test@2") }
        try await broker.run(["produce", "--csv", TestPaths.sampleForms.path, "--count", "500", "--id-prefix", "p-"])
        try await results.waitUntil("every result") { results.lines.count + reviews.lines.count >= 2_500 }
        let after = try versions(results.lines + reviews.lines).filter { $0.key.hasPrefix("p-") }
        #expect(after.count == 500 && after.values.allSatisfy { $0 == "2" }, "after the promotion: version 2 only")
        print("canary: \(canary) of 2,000 forms coded by the candidate at 30 %, then promoted")
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0, "\(worker.diagnostics)")
    }

    /// The model version of each form's result (the last one when a form has several).
    func versions(_ lines: [String]) throws -> [String: String] {
        var versions: [String: String] = [:]
        for line in lines {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let result = try #require(record["result"] as? [String: Any])
            let model = try #require(result["model"] as? [String: Any], "every result names its model")
            versions[try #require(record["key"] as? String)] = model["version"] as? String
        }
        return versions
    }

    /// The model versions of each output partition's results, in offset order.
    func versionsByPartition(_ lines: [String]) throws -> [String: [String]] {
        var records: [String: [(Int, String)]] = [:]
        for line in lines {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let result = try #require(record["result"] as? [String: Any])
            let version = try #require((result["model"] as? [String: Any])?["version"] as? String)
            let partition = "\(record["topic"] ?? "")/\(record["partition"] ?? "")"
            records[partition, default: []].append((record["offset"] as? Int ?? 0, version))
        }
        return records.mapValues { $0.sorted { $0.0 < $1.0 }.map(\.1) }
    }

    func damagedCopy(of package: URL) throws -> URL {
        let weights = package.appendingPathComponent("weights.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: weights)
        return package
    }

    func publishDirective(_ directive: ModelDirective, to bootstrap: String) async throws {
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: bootstrap), logger: quietLogger)
        try await producer.send(
            KafkaProducerMessage(
                topic: StreamCoderTopic.control,
                key: Array("streamcoder-workers".utf8),
                value: try directive.encoded()
            )
        )
    }
}
