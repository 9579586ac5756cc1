import Foundation
import Kafka
import Testing
import Wire

/// `streamcoder coordinator` as a process beside worker processes on `streamcoder broker`: it rolls
/// a worse canary back by itself, the fleet codes on without it, and a restarted coordinator knows
/// the fleet again from the two topics. A swap under a continuous stream loses no form and never
/// goes back; shadow results stay on the shadow topic.
@Suite("Coordinator across processes", .serialized)
struct CoordinatorProcessTests {
    static let demo = TestPaths.packageRoot.appendingPathComponent("Models/naf-demo")
    /// The demo package's version, as its manifest says.
    static let demoVersion: String = {
        let manifest = try? JSONSerialization.jsonObject(
            with: Data(contentsOf: demo.appendingPathComponent("manifest.json"))
        )
        return (manifest as? [String: Any])?["version"] as? String ?? "?"
    }()

    @Test func aWorseCanaryIsRolledBackAndARestartedCoordinatorKnowsTheFleetAgain() async throws {
        let broker = try await BrokerProcess.start()
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try await runToCompletion(TestPaths.streamcoder, ["models", "push", Self.demo.path, "--store", store.path])
        let stable = Self.demoVersion
        let shuffled = try await Self.trainOnShuffledCodes(version: "\(stable)-shuffled")
        try await runToCompletion(TestPaths.streamcoder, ["models", "push", shuffled.path, "--store", store.path])
        let workers = try (1...2).map { try broker.worker(package: Self.demo, name: "worker-\($0)") }
        for worker in workers {
            try await worker.waitUntil("an assignment") { worker.errorOutput.contains("partitions assigned") }
        }
        var coordinator = try coordinatorProcess(broker, store: store)
        try await coordinator.waitUntil("its view") { coordinator.errorOutput.contains("caught up") }
        let (results, reviews) = try broker.resultReaders(type: "result")

        try await broker.run([
            "models", "activate", "naf-demo@\(stable)-shuffled", "--store", store.path, "--canary", "0.5",
        ])
        for worker in workers {
            try await worker.waitUntil("the canary") { worker.errorOutput.contains("as a canary") }
        }
        // Forms flow until the coordinator has seen enough of both models and rolled back.
        var chunk = 0
        while !coordinator.errorOutput.contains("rolled the canary back") {
            try #require(chunk < 40, "no rollback after \(chunk * 250) forms\n\(coordinator.diagnostics)")
            try await broker.run([
                "produce", "--csv", TestPaths.sampleForms.path, "--count", "250", "--id-prefix", "c\(chunk)-",
            ])
            chunk += 1
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(coordinator.errorOutput.contains("to=naf-demo@\(stable) "), "back to the stable model")
        for worker in workers {
            try await worker.waitUntil("the rollback") {
                worker.errorOutput.contains("directive 2: naf-demo@\(stable) already runs")
            }
        }
        try await broker.run([
            "produce", "--csv", TestPaths.sampleForms.path, "--count", "500", "--id-prefix", "after-",
        ])

        // The coordinator SIGKILLed: the fleet codes on, and a restarted one rebuilds its view.
        coordinator.signal(SIGKILL)
        _ = try await coordinator.waitForExit()
        try await broker.run([
            "produce", "--csv", TestPaths.sampleForms.path, "--count", "500", "--id-prefix", "alone-",
        ])
        let total = chunk * 250 + 1_000
        try await results.waitUntil("a result for every form", timeout: .seconds(120)) {
            Set((try? formIDs(results.lines + reviews.lines)) ?? []).count >= total
        }
        coordinator = try coordinatorProcess(broker, store: store)
        try await coordinator.waitUntil("its view") { coordinator.errorOutput.contains("caught up") }
        let port = try coordinator.metricsPort()
        let status = try JSONSerialization.jsonObject(with: Data(try await httpGet(port, "/status").body.utf8))
        let fleet = try #require(status as? [String: Any])
        let directive = try #require(fleet["directive"] as? [String: Any])
        #expect(directive["generation"] as? Int == 2)
        #expect((directive["reason"] as? String)?.hasPrefix("automatic rollback by the coordinator") == true)
        let members = try #require(fleet["workers"] as? [[String: Any]])
        #expect(members.count == 2, "both workers, from their reports")
        for member in members {
            let report = try #require(member["report"] as? [String: Any])
            #expect((report["active"] as? [String: Any])?["version"] as? String == stable)
            #expect(report["candidate"] == nil)
            #expect(report["directiveGeneration"] as? Int == 2)
        }
        let health = try await httpGet(port, "/healthz")
        #expect(health.status == 200, "\(health.body)")
        let readiness = try await httpGet(port, "/readyz")
        #expect(readiness.status == 200 && readiness.body.hasPrefix("ready: following 2 workers"), "\(readiness.body)")
        let table = try await broker.run(["models", "status"])
        #expect(table.hasPrefix("directive 2: naf-demo@\(stable)"), "\(table)")
        #expect(table.contains("automatic rollback by the coordinator"), "\(table)")

        // Every form has a result; the canary's results stop at the rollback, per partition.
        let keys = try formIDs(results.lines + reviews.lines)
        #expect(Set(keys).count == total, "no form lost")
        let byForm = try HotSwapTests().versions(results.lines + reviews.lines)
        let late = byForm.filter { $0.key.hasPrefix("after-") || $0.key.hasPrefix("alone-") }
        #expect(late.count == 1_000 && late.values.allSatisfy { $0 == stable }, "after the rollback: stable only")
        let canary = byForm.values.filter { $0 == "\(stable)-shuffled" }.count
        #expect(canary >= 300, "the canary coded its share before the rollback")
        print(
            "coordinator: rolled back after \(chunk * 250) forms (\(canary) by the canary), "
                + "\(Set(keys).count) of \(total) forms coded, \(keys.count - Set(keys).count) twice; "
                + "restarted, it shows \(members.count) workers at generation 2"
        )
        for process in workers + [coordinator] {
            process.signal(SIGTERM)
            #expect(try await process.waitForExit(timeout: .seconds(40)) == 0, "\(process.diagnostics)")
        }
    }

    @Test func aSwapUnderLoadLosesNoFormAndNeverGoesBackPerPartition() async throws {
        let broker = try await BrokerProcess.start()
        let (first, store) = try await Self.versionOneAndAStoreWithVersionTwo()
        let workers = try (1...2).map { try broker.worker(package: first, name: "worker-\($0)") }
        for worker in workers {
            try await worker.waitUntil("an assignment") { worker.errorOutput.contains("partitions assigned") }
        }
        let coordinator = try coordinatorProcess(broker, store: store)
        try await coordinator.waitUntil("its view") { coordinator.errorOutput.contains("caught up") }
        let (results, reviews) = try broker.resultReaders(type: "result")
        // Forms flow throughout: 30 chunks of 200, one every 200 ms; the activation lands midway.
        let chunks = 30
        let flow = Task {
            for chunk in 0..<chunks {
                try await broker.run([
                    "produce", "--csv", TestPaths.sampleForms.path, "--count", "200", "--id-prefix", "u\(chunk)-",
                ])
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        try await results.waitUntil("the stream under way") { results.lines.count + reviews.lines.count >= 2_000 }
        let activated = try await broker.run(["models", "activate", "naf-test@2", "--store", store.path])
        #expect(activated.contains("generation 1"), "\(activated)")
        try await flow.value
        // Generous: CI runs the other process suites beside this one on two cores.
        try await results.waitUntil("a result for every form", timeout: .seconds(240)) {
            Set((try? formIDs(results.lines + reviews.lines)) ?? []).count >= chunks * 200
        }
        try await Task.sleep(for: .seconds(1))
        let lines = results.lines + reviews.lines
        let keys = try formIDs(lines)
        #expect(Set(keys).count == chunks * 200, "every form has a result")
        let versions = try HotSwapTests().versions(lines)  // requires a model on every result
        let byVersion = Dictionary(grouping: versions.values) { $0 }.mapValues(\.count)
        #expect(byVersion["1", default: 0] > 0 && byVersion["2", default: 0] > 0, "both versions coded: \(byVersion)")
        for (partition, sequence) in try HotSwapTests().versionsByPartition(lines) {
            let firstNew = sequence.firstIndex(of: "2") ?? sequence.count
            #expect(!sequence[firstNew...].contains("1"), "\(partition): version 1 after version 2")
        }
        for worker in workers {
            try await worker.waitUntil("its report") { worker.errorOutput.contains("model swapped") }
        }
        print(
            "swap under load: \(Set(keys).count) of \(chunks * 200) forms coded (\(keys.count - Set(keys).count) twice), "
                + "\(byVersion["1", default: 0]) by version 1 then \(byVersion["2", default: 0]) by version 2"
        )
        for process in workers + [coordinator] {
            process.signal(SIGTERM)
            #expect(try await process.waitForExit(timeout: .seconds(40)) == 0, "\(process.diagnostics)")
        }
    }

    @Test func aShadowCodesEveryFormOnTheShadowTopicOnly() async throws {
        let broker = try await BrokerProcess.start()
        let (first, store) = try await Self.versionOneAndAStoreWithVersionTwo()
        let worker = try broker.worker(package: first, name: "worker")
        try await worker.waitUntil("an assignment") { worker.errorOutput.contains("partitions assigned") }
        try await broker.run(["models", "activate", "naf-test@2", "--store", store.path, "--shadow"])
        try await worker.waitUntil("the shadow") { worker.errorOutput.contains("in shadow") }
        let (results, reviews) = try broker.resultReaders(type: "result")
        let shadow = try broker.consumer(
            topic: StreamCoderTopic.shadow,
            group: "check-shadow",
            name: "shadow",
            extra: ["--type", "result"]
        )
        try await broker.run(["produce", "--csv", TestPaths.sampleForms.path, "--count", "1000", "--id-prefix", "s-"])
        try await shadow.waitUntil("the shadow results", timeout: .seconds(60)) {
            shadow.lines.count >= 1_000 && results.lines.count + reviews.lines.count >= 1_000
        }
        try await Task.sleep(for: .seconds(1))
        let live = try HotSwapTests().versions(results.lines + reviews.lines)
        let shadowed = try HotSwapTests().versions(shadow.lines)
        #expect(live.count == 1_000 && live.values.allSatisfy { $0 == "1" }, "the live topics: version 1 only")
        #expect(shadowed.count == 1_000 && shadowed.values.allSatisfy { $0 == "2" }, "the shadow topic: version 2 only")
        print("shadow: \(live.count) live results of version 1, \(shadowed.count) shadow results of version 2")
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0, "\(worker.diagnostics)")
    }

    /// The test package version 1, and a store holding version 2.
    static func versionOneAndAStoreWithVersionTwo() async throws -> (first: URL, store: URL) {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        let first = try await importTestPackage(version: "1")
        try await runToCompletion(
            TestPaths.streamcoder,
            ["models", "push", try await importTestPackage(version: "2").path, "--store", store.path]
        )
        return (first, store)
    }

    /// Brokers that cannot be reached leave the coordinator live (a restart would not help) but
    /// not ready: its view of the fleet is not whole.
    @Test func aCoordinatorWithoutBrokersIsLiveButNotReady() async throws {
        let coordinator = try ChildProcess(
            TestPaths.streamcoder,
            ["coordinator", "--brokers", "127.0.0.1:\(try freeLoopbackPort())", "--port", "0"],
            name: "coordinator"
        )
        try await coordinator.waitUntil("its address") { coordinator.errorOutput.contains("address=127.0.0.1:") }
        let port = try coordinator.metricsPort()
        let readiness = try await httpGet(port, "/readyz")
        #expect(readiness.status == 503 && readiness.body.hasPrefix("not ready: reading"), "\(readiness.body)")
        let liveness = try await httpGet(port, "/healthz")
        #expect(liveness.status == 200 && liveness.body.hasPrefix("live"), "\(liveness.body)")
        coordinator.signal(SIGTERM)
        _ = try await coordinator.waitForExit(timeout: .seconds(60))
    }

    func coordinatorProcess(_ broker: BrokerProcess, store: URL) throws -> ChildProcess {
        try ChildProcess(
            TestPaths.streamcoder,
            [
                "coordinator", "--brokers", broker.bootstrap, "--store", store.path, "--min-forms", "300",
                "--port", "0", "--gone-after", "60",
            ],
            name: "coordinator"
        )
    }

    /// A package trained on the sample forms with their codes shuffled among them (a fixed
    /// permutation): it has learnt nothing true, so it sends nearly every form to manual review.
    static func trainOnShuffledCodes(version: String) async throws -> URL {
        let lines = try String(contentsOf: TestPaths.sampleForms, encoding: .utf8)
            .split(whereSeparator: \.isNewline).map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        let textColumn = try #require(header.firstIndex(of: "text_description"))
        let codeColumn = try #require(header.firstIndex(of: "code"))
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let codes = rows.map { $0[codeColumn] }
        var csv = "text_description,code\n"
        for (index, row) in rows.enumerated() {
            csv += "\(row[textColumn]),\(codes[(index * 7 + 3) % codes.count])\n"
        }
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("shuffled-\(UUID().uuidString).csv")
        try csv.write(to: data, atomically: true, encoding: .utf8)
        let package = FileManager.default.temporaryDirectory.appendingPathComponent("pkg-\(UUID().uuidString)")
        try await runToCompletion(
            TestPaths.streamcoder,
            [
                "models", "train", "--data", data.path, "--out", package.path, "--name", "naf-demo", "--version",
                version,
                "--epoch", "5", "--dim", "8", "--bucket", "2000", "--validation", "0", "--threads", "1",
            ]
        )
        return package
    }
}
