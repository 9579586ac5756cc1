import Foundation
import Kafka
import Logging

/// Reads every partition of a topic, from `window` records before each partition's end to that
/// end as of the call, outside any consumer group, committing nothing: the control-plane topics
/// (one partition each), replay plans, results to compare.
public struct TopicReader: Sendable {
    public var bootstrapServers: String
    public var properties: [String: String]
    public var logger: Logger

    /// A reader of topics on these brokers.
    public init(bootstrapServers: String, properties: [String: String], logger: Logger) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
        self.logger = logger
    }

    /// Hands every record to `body`, each partition's in offset order; throws when the topic does
    /// not exist, or when no record arrives for 30 s before the end.
    public func readToEnd(_ topic: String, window: Int64 = .max, _ body: (KafkaConsumerMessage) -> Void) async throws {
        let admin = try KafkaAdmin(
            configuration: .init(bootstrapServers: bootstrapServers, properties: properties),
            logger: logger
        )
        guard let description = try await admin.listTopics().first(where: { $0.name == topic }) else {
            throw ControlTopicError("\(topic) does not exist on \(bootstrapServers)")
        }
        let consumer = try KafkaConsumer(
            configuration: .reader(
                bootstrapServers: bootstrapServers,
                groupID: "streamcoder-operator-\(UUID().uuidString)",
                // One record per partition is enough to learn its end: a fetch need not wait for more.
                properties: ["fetch.wait.max.ms": "10"].merging(properties) { $1 }
            ),
            logger: logger
        )
        do {
            let partitions = (0..<Int32(description.partitionCount)).map {
                KafkaTopicPartition(topic: topic, partition: $0)
            }
            try await read(partitions, with: consumer, window: window, body)
        } catch {
            try? await consumer.close()
            throw error
        }
        try? await consumer.close()
    }

    private func read(
        _ partitions: [KafkaTopicPartition],
        with consumer: KafkaConsumer,
        window: Int64,
        _ body: (KafkaConsumerMessage) -> Void
    ) async throws {
        let watermarks = try await consumer.checkedWatermarks(of: partitions)
        let ends = watermarks.mapValues(\.high)
        var positions = watermarks.mapValues { max($0.low, $0.high - window) }
        try consumer.assign(positions.filter { $0.value < ends[$0.key]! })
        var lastRecord = ContinuousClock.now
        while let behind = positions.first(where: { $0.value < ends[$0.key]! }) {
            let batch = try await consumer.nextBatch(maxMessages: 1_000, timeout: .milliseconds(200))
            if batch.isEmpty {
                guard ContinuousClock.now - lastRecord < .seconds(30) else {
                    throw ControlTopicError(
                        "\(behind.key) could not be read to its end (offset \(behind.value) of \(ends[behind.key]!)) in 30 s"
                    )
                }
            } else {
                lastRecord = .now
            }
            for message in batch where message.offset < ends[message.topicPartition]! {
                body(message)
            }
            // The position, not the last record: compacted and control records leave gaps.
            for lag in consumer.lag() {
                guard let position = lag.position, let end = ends[lag.topicPartition] else { continue }
                positions[lag.topicPartition] = max(positions[lag.topicPartition] ?? 0, min(position, end))
            }
            for message in batch {
                positions[message.topicPartition] = max(positions[message.topicPartition] ?? 0, message.offset + 1)
            }
        }
    }
}
