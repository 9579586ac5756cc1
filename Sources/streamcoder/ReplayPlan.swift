import Coordinator
import Foundation
import Kafka
import Logging
import Wire
import Worker

/// A replay run as first planned: its range (fixed then, so that a rerun with the same run id
/// finishes the same range), model and outputs. Kept as JSON in the compacted topic
/// `streamcoder.replays`, keyed by run id; the offsets reached live in the run's consumer group.
struct ReplayPlan: Codable, Equatable {
    /// The compacted topic the plans are kept in.
    static let topic = StreamCoderTopic.replays

    var runID: String
    /// The forms topic replayed.
    var topic: String
    /// `[start, end)` by partition (partition numbers as strings: JSON object keys).
    var partitions: [String: [Int64]]
    /// The package directory the run codes with.
    var model: String
    /// Where results go: the backfill topic, or `live` for the live output topics.
    var output: String
    /// When the run was first planned (RFC 3339).
    var plannedAt: String

    /// The consumer group of a run: never the live fleet's.
    static func group(of runID: String) -> String { "streamcoder-replay-\(runID)" }

    /// The plan's range.
    var range: ReplayRange {
        var starts: [Int32: Int64] = [:]
        var ends: [Int32: Int64] = [:]
        for (partition, bounds) in partitions {
            guard let number = Int32(partition), bounds.count == 2 else { continue }
            starts[number] = bounds[0]
            ends[number] = bounds[1]
        }
        return ReplayRange(starts: starts, ends: ends)
    }

    init(runID: String, topic: String, range: ReplayRange, model: String, output: String) {
        self.runID = runID
        self.topic = topic
        self.partitions = Dictionary(
            uniqueKeysWithValues: range.ends.map { ("\($0.key)", [range.starts[$0.key] ?? $0.value, $0.value]) }
        )
        self.model = model
        self.output = output
        self.plannedAt = ISO8601DateFormatter().string(from: Date())
    }
}

/// The plans of `streamcoder.replays`: read to find a run's plan, written when a run starts.
struct ReplayPlans {
    var bootstrapServers: String
    var properties: [String: String]
    var logger: Logger

    /// The plan of `runID`, if a run with that id was started before.
    func plan(of runID: String) async throws -> ReplayPlan? {
        try await ensureTopic()
        var found: ReplayPlan?
        let reader = TopicReader(bootstrapServers: bootstrapServers, properties: properties, logger: logger)
        try await reader.readToEnd(ReplayPlan.topic) { message in
            guard message.key.map({ String(decoding: $0, as: UTF8.self) }) == runID, let value = message.value else {
                return
            }
            found = try? JSONDecoder().decode(ReplayPlan.self, from: Data(value))
        }
        return found
    }

    /// Records `plan` (partition 0, keyed by run id) and waits until the broker has it.
    func record(_ plan: ReplayPlan) async throws {
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: bootstrapServers, properties: properties),
            logger: logger
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await producer.send(
            KafkaProducerMessage(
                topic: ReplayPlan.topic,
                partition: 0,
                key: Array(plan.runID.utf8),
                value: Array(try encoder.encode(plan))
            )
        )
        try? await producer.close()
    }

    /// Creates the plans' topic (one partition, compacted) when it does not exist.
    private func ensureTopic() async throws {
        let admin = try KafkaAdmin(
            configuration: .init(bootstrapServers: bootstrapServers, properties: properties),
            logger: logger
        )
        guard try await !admin.listTopics().contains(where: { $0.name == ReplayPlan.topic }) else { return }
        try await admin.createTopics(
            [KafkaTopicSpecification(name: ReplayPlan.topic, partitions: 1, configs: ["cleanup.policy": "compact"])],
            ignoreExisting: true
        )
    }
}
