import Foundation
import Kafka
import Logging

/// Reads partition 0 of a control-plane topic (the control and fleet topics have one) from
/// `window` records before its end to its end, outside any consumer group, committing nothing.
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

    /// Hands every record, in order, to `body`; throws when the end is not reached in 30 s.
    public func readToEnd(_ topic: String, window: Int64 = .max, _ body: (KafkaConsumerMessage) -> Void) async throws {
        let consumer = try KafkaConsumer(
            configuration: .reader(
                bootstrapServers: bootstrapServers,
                groupID: "streamcoder-operator-\(UUID().uuidString)",
                properties: properties
            ),
            logger: logger
        )
        do {
            try await read(topic, with: consumer, window: window, body)
        } catch {
            try? await consumer.close()
            throw error
        }
        try? await consumer.close()
    }

    private func read(
        _ topic: String,
        with consumer: KafkaConsumer,
        window: Int64,
        _ body: (KafkaConsumerMessage) -> Void
    ) async throws {
        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        let (low, high) = try await consumer.watermarks(of: partition)
        let start = high - low > window ? high - window : low
        try consumer.assign([partition: start])
        var position = start
        let deadline = ContinuousClock.now + .seconds(30)
        while position < high {
            guard ContinuousClock.now < deadline else {
                throw ControlTopicError("\(topic) could not be read to its end (offset \(position) of \(high)) in 30 s")
            }
            for message in try await consumer.nextBatch(maxMessages: 500, timeout: .milliseconds(200)) {
                position = max(position, message.offset + 1)
                body(message)
            }
        }
    }
}
