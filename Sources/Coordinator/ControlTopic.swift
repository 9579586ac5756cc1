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
        var newest: [String: ModelDirective] = [:]
        let reader = TopicReader(bootstrapServers: bootstrapServers, properties: properties, logger: logger)
        try await reader.readToEnd(topic) { message in
            guard let key = message.key.map({ String(decoding: $0, as: UTF8.self) }), let value = message.value,
                let directive = try? ModelDirective(decoding: value)
            else { return }
            if directive.generation > (newest[key]?.generation ?? 0) { newest[key] = directive }
        }
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
