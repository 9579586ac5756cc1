import Foundation
import Kafka
import Logging
import Wire

/// The compacted control topic as an operator's tool sees it: the newest directive of each fleet
/// (keyed by consumer group), and a way to publish the next one.
public struct ControlTopic: Sendable {
    /// The brokers.
    public var bootstrapServers: String
    /// Any librdkafka property for the clients.
    public var properties: [String: String]
    /// The control topic.
    public var topic: String

    /// The control topic `topic` on these brokers.
    public init(bootstrapServers: String, properties: [String: String] = [:], topic: String = StreamCoderTopic.control)
    {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
        self.topic = topic
    }

    /// Reads the topic to its end: the newest directive of each fleet.
    public func directives(logger: Logger) async throws -> [String: ModelDirective] {
        var settings = KafkaConsumerConfiguration(
            bootstrapServers: bootstrapServers,
            groupID: "streamcoder-operator-\(UUID().uuidString)",
            properties: properties
        )
        settings.autoCommitIntervalMilliseconds = 0
        let consumer = try KafkaConsumer(configuration: settings, logger: logger)
        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        let (low, high) = try await consumer.watermarks(of: partition)
        try consumer.assign([partition: low])
        var newest: [String: ModelDirective] = [:]
        var position = low
        let deadline = ContinuousClock.now + .seconds(30)
        while position < high {
            guard ContinuousClock.now < deadline else {
                throw ControlTopicError("\(topic) could not be read to its end (offset \(position) of \(high)) in 30 s")
            }
            for message in try await consumer.nextBatch(maxMessages: 500, timeout: .milliseconds(200)) {
                position = max(position, message.offset + 1)
                guard let key = message.key.map({ String(decoding: $0, as: UTF8.self) }), let value = message.value,
                    let directive = try? ModelDirective(decoding: value)
                else { continue }
                if directive.generation > (newest[key]?.generation ?? 0) { newest[key] = directive }
            }
        }
        try? await consumer.close()
        return newest
    }

    /// Publishes `directive` for the fleet `group` and waits until the broker has it.
    public func publish(_ directive: ModelDirective, group: String, logger: Logger) async throws {
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: bootstrapServers, properties: properties),
            logger: logger
        )
        try await producer.send(
            KafkaProducerMessage(topic: topic, key: Array(group.utf8), value: try directive.encoded())
        )
        try? await producer.close()
    }
}

/// A control-topic operation that cannot be done, saying why.
public struct ControlTopicError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and what to do.
    public var description: String

    init(_ description: String) { self.description = description }
}
