import Foundation
import Testing
import Wire

/// `streamcoder replay` as a user runs it: a time range of the forms topic re-coded into the
/// backfill topic beside a live worker, killed halfway and resumed with the same run id.
@Suite("Replay across processes", .serialized)
struct ReplayTests {
    /// Now, as the RFC 3339 time `--from`/`--to` take.
    private func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    /// Form id → "decision code=probability …" of each `consume --type result` line.
    private func answers(_ lines: [String]) throws -> [(id: String, answer: String)] {
        try lines.map { line in
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let result = try #require(record["result"] as? [String: Any])
            let candidates = (result["candidates"] as? [[String: Any]] ?? []).map {
                "\($0["code"] ?? "")=\($0["probability"] ?? "")"
            }
            let answer = "\(result["decision"] ?? "") " + candidates.joined(separator: " ")
            return (try #require(record["key"] as? String), answer)
        }
    }

    /// The sample form (its CSV row) a produced form id was made from: `PREFIX<row>[-<copy>]`.
    private func row(of id: String, prefix: String) -> Substring {
        id.dropFirst(prefix.count).prefix { $0 != "-" }
    }

    @Test func aReplayByTimeCodesItsRangeBesideALiveWorkerAndResumesAfterSIGKILL() async throws {
        let broker = try await BrokerProcess.start()
        let package = try await importTestPackage()
        let backfill = try broker.consumer(
            topic: StreamCoderTopic.backfill,
            group: "check-backfill",
            name: "backfill",
            extra: ["--type", "result"]
        )
        func produce(_ count: Int, _ prefix: String) async throws {
            try await broker.run([
                "produce", "--csv", TestPaths.sampleForms.path, "--count", "\(count)", "--id-prefix", prefix,
            ])
        }
        // Before the range, the range (100,000 forms), after it; the times between are its bounds.
        try await produce(5_000, "a-")
        try await Task.sleep(for: .milliseconds(300))
        let from = now()
        try await Task.sleep(for: .milliseconds(300))
        try await produce(100_000, "b-")
        try await Task.sleep(for: .milliseconds(300))
        let to = now()

        // The live fleet, from the topic's end on: it codes the forms that arrive from now on (one
        // form at a time until its first result, so that its offsets are set), beside the replay.
        let live = try broker.worker(package: package, name: "live", extra: ["-X", "auto.offset.reset=latest"])
        try await live.waitUntil("an assignment") { live.errorOutput.contains("partitions assigned") }
        let (codings, reviews) = try broker.resultReaders(type: "result")
        var probes = 0
        while codings.lines.count + reviews.lines.count == 0 {
            probes += 1
            try await broker.run([
                "produce", "--csv", TestPaths.sampleForms.path, "--count", "1", "--id-prefix", "p\(probes)-",
            ])
            try await Task.sleep(for: .milliseconds(300))
            #expect(probes < 100, "the live worker codes new forms")
            if probes >= 100 { return }
        }

        let arguments = [
            "replay", "--brokers", broker.bootstrap, "--from", from, "--to", to, "--model", package.path,
            "--run-id", "backfill-1",
        ]
        let first = try ChildProcess(TestPaths.streamcoder, arguments, name: "replay-1")
        try await backfill.waitUntil("a good part of the range", timeout: .seconds(300)) {
            backfill.lines.count >= 30_000
        }
        first.signal(SIGKILL)
        _ = try await first.waitForExit()
        // The live worker codes new forms meanwhile.
        try await produce(5_000, "c-")
        let second = try await runToCompletion(
            TestPaths.streamcoder,
            ["replay", "--brokers", broker.bootstrap, "--run-id", "backfill-1"],
            timeout: .seconds(300)
        )
        #expect(second.contains("resuming run backfill-1"), "\(second)")
        #expect(second.contains("run backfill-1 complete"), "\(second)")

        try await backfill.waitUntil("every form of the range", timeout: .seconds(120)) {
            Set(backfill.lines.compactMap { try? formIDs([$0]).first }).count >= 100_000
        }
        try await codings.waitUntil("every new form coded live", timeout: .seconds(120)) {
            (try? formIDs(codings.lines + reviews.lines).filter { $0.hasPrefix("c-") }.count) ?? 0 >= 5_000
        }
        try await Task.sleep(for: .seconds(2))  // anything more would be a duplicate

        let replayed = try answers(backfill.lines)
        let replayedIDs = Set(replayed.map(\.id))
        #expect(replayedIDs.count == 100_000 && replayedIDs.allSatisfy { $0.hasPrefix("b-") }, "exactly the range")
        print("replay: \(replayed.count) backfill results for 100000 forms (\(replayed.count - 100_000) duplicates)")
        let liveAnswers = try answers(codings.lines + reviews.lines).filter { !$0.id.hasPrefix("p") }
        #expect(liveAnswers.count == 5_000 && Set(liveAnswers.map(\.id)).count == 5_000, "one live result per new form")
        #expect(liveAnswers.allSatisfy { $0.id.hasPrefix("c-") }, "nothing of the range on the live topics")
        #expect(live.errorOutput.components(separatedBy: "partitions assigned").count == 2, "no rebalance")
        #expect(!live.errorOutput.contains("revoked"), "the replay never joined the live group")
        // The same package codes the same form the same way, replayed or live: each replayed form
        // against the live answer for a form made from the same sample form.
        var liveByRow: [Substring: String] = [:]
        for answer in liveAnswers { liveByRow[row(of: answer.id, prefix: "c-")] = answer.answer }
        #expect(liveByRow.count == 25, "every sample form coded live")
        let differing = replayed.filter { liveByRow[row(of: $0.id, prefix: "b-")] != $0.answer }
        #expect(differing.isEmpty, "\(differing.count) forms re-coded differently, e.g. \(differing.prefix(2))")

        live.signal(SIGTERM)
        #expect(try await live.waitForExit() == 0, "\(live.diagnostics)")
    }
}

extension ReplayTests {
    @Test func aReplayComparedWithAnEarlierOneCountsAndListsTheChangedCodes() async throws {
        let broker = try await BrokerProcess.start()
        try await broker.run(["produce", "--csv", TestPaths.sampleForms.path, "--count", "2000"])
        let first = try await importTestPackage()
        let other = try await importTestPackage(model: "softmax.bin", name: "naf-other")
        func replay(_ run: String, _ package: URL?, into topic: String, _ extra: [String] = []) async throws -> String {
            try await broker.run(
                ["replay", "--run-id", run, "--output-topic", topic, "--quiet"]
                    + (package.map { ["--model", $0.path] } ?? []) + extra
            )
        }
        // Without --model, the replay codes with the fleet's active model.
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try await runToCompletion(TestPaths.streamcoder, ["models", "push", first.path, "--store", store.path])
        try await broker.run(["models", "activate", "naf-test@1", "--store", store.path])
        let fleetRun = try await replay("earlier", nil, into: "backfill.earlier")
        #expect(fleetRun.contains("model \(store.path)"), "the fleet's model, from the store: \(fleetRun)")
        let same = try await replay("same", first, into: "backfill.same", ["--compare-with", "backfill.earlier"])
        #expect(
            same.contains("2000 of 2000 replayed forms have an earlier result there; 0 changed top code"),
            "\(same)"
        )

        let changes = FileManager.default.temporaryDirectory.appendingPathComponent("changes-\(UUID().uuidString).csv")
        let changed = try await replay(
            "other",
            other,
            into: "backfill.other",
            ["--compare-with", "backfill.earlier", "--changes", changes.path]
        )
        let count = try #require(
            changed.firstMatch(of: /2000 of 2000 replayed forms have an earlier result there; (\d+) changed/)
                .flatMap { Int($0.1) },
            "\(changed)"
        )
        // The same count, from the two topics read independently.
        func tops(_ topic: String) async throws -> [String: String] {
            let output = try await broker.run([
                "consume", "--topic", topic, "--type", "result", "--group", "read-\(topic)", "--max", "2000",
                "--idle-exit", "10",
            ])
            var codes: [String: String] = [:]
            for line in output.split(separator: "\n") {
                let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let result = try #require(record["result"] as? [String: Any])
                let top = (result["candidates"] as? [[String: Any]])?.first?["code"] as? String
                codes[try #require(record["key"] as? String)] = top ?? ""
            }
            return codes
        }
        let earlier = try await tops("backfill.earlier")
        let later = try await tops("backfill.other")
        #expect(earlier.count == 2_000 && later.count == 2_000)
        let differing = later.filter { earlier[$0.key] != $0.value }
        #expect(count == differing.count && count > 0, "\(count) vs \(differing.count)")
        let rows = try String(contentsOf: changes, encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(rows.count == count)
        #expect(Set(rows.map { String($0.prefix { $0 != "," }) }) == Set(differing.keys))
    }
}

/// Tansu answers a time after its last record with offset 0 (where Kafka answers "the end"), and
/// a high watermark of 1 whatever a partition holds: the replay checks both against the records
/// and finds the range by searching their timestamps.
@Suite("Replay against Tansu", .serialized)
struct TansuReplayTests {
    @Test func aReplayByTimeFindsItsRangeWhereTheBrokerAnswersWrongly() async throws {
        let tansu = try await TansuProcess.start()
        defer { tansu.process.signal(SIGKILL) }
        try await tansu.run(["topics", "create", "--partitions", "3"])
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func produce(_ count: Int, _ prefix: String) async throws {
            try await tansu.run([
                "produce", "--csv", TestPaths.sampleForms.path, "--count", "\(count)", "--id-prefix", prefix,
            ])
        }
        try await produce(1_000, "a-")
        try await Task.sleep(for: .milliseconds(300))
        let from = formatter.string(from: Date())
        try await Task.sleep(for: .milliseconds(300))
        try await produce(2_000, "b-")
        try await Task.sleep(for: .milliseconds(300))
        try await produce(1_000, "c-")
        try await Task.sleep(for: .milliseconds(300))
        let to = formatter.string(from: Date())  // after every record: Tansu answers 0
        let package = try await importTestPackage()
        let replay = try ChildProcess(
            TestPaths.streamcoder,
            [
                "replay", "--brokers", tansu.bootstrap, "--from", from, "--to", to, "--model", package.path,
                "--run-id", "tansu-1",
            ],
            name: "replay",
            environment: TansuProcess.environment
        )
        #expect(try await replay.waitForExit(timeout: .seconds(180)) == 0, "\(replay.diagnostics)")
        #expect(replay.lines.contains { $0.contains("3000 forms of registry.forms.v1") }, "\(replay.lines)")
        let searched = replay.errorOutput.firstMatch(of: /bySearch=(\d+)/).flatMap { Int($0.1) } ?? 0
        #expect(searched >= 3, "the end of each partition found by the search: \(replay.errorOutput)")
        let reader = try tansu.reader(topics: [StreamCoderTopic.backfill])
        try await reader.waitUntil("the range's results", timeout: .seconds(60)) { reader.lines.count >= 3_000 }
        try await Task.sleep(for: .seconds(2))
        let ids = try formIDs(reader.lines)
        #expect(Set(ids).count == 3_000 && ids.allSatisfy { !$0.hasPrefix("a-") }, "exactly the range")
    }
}
