internal import CRdKafka
import Logging

/// A topic to create.
public struct KafkaTopicSpecification: Sendable, Hashable {
    /// The topic's name.
    public var name: String
    /// How many partitions.
    public var partitions: Int
    /// How many copies of each partition (at most the number of brokers).
    public var replicationFactor: Int
    /// Topic configs, e.g. `cleanup.policy=compact`.
    public var configs: [String: String]

    /// Creates a specification.
    public init(name: String, partitions: Int, replicationFactor: Int = 1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// What the cluster says of a topic.
public struct KafkaTopicDescription: Sendable, Hashable {
    /// The topic's name.
    public var name: String
    /// Its number of partitions.
    public var partitionCount: Int
}

/// Creates, lists and describes topics.
public final class KafkaAdmin: Sendable {
    let client: RDKafkaClient
    private let blocking = BlockingThread(name: "kafka-admin")

    /// Creates an admin client; it connects on first use.
    public init(configuration: KafkaAdminConfiguration, logger: Logger) throws(KafkaError) {
        client = try RDKafkaClient(kind: .producer, properties: configuration.rdKafkaProperties, logger: logger)
    }

    deinit {
        blocking.stop()
    }

    /// Creates topics. A topic that exists already is an error unless `ignoreExisting` is set.
    public func createTopics(
        _ topics: [KafkaTopicSpecification],
        ignoreExisting: Bool = false,
        timeout: Duration = .seconds(30)
    ) async throws(KafkaError) {
        let client = self.client
        try await blocking.run { () throws(KafkaError) in
            try AdminRequest(client: client, timeout: timeout).createTopics(topics, ignoreExisting: ignoreExisting)
        }
    }

    /// Every topic of the cluster with its partition count, by name.
    public func listTopics(timeout: Duration = .seconds(10)) async throws(KafkaError) -> [KafkaTopicDescription] {
        let client = self.client
        return try await blocking.run { () throws(KafkaError) in
            try AdminRequest(client: client, timeout: timeout).listTopics()
        }
    }

    /// The configs of a topic (DescribeConfigs), by name.
    public func topicConfigs(
        _ topic: String,
        timeout: Duration = .seconds(10)
    ) async throws(KafkaError) -> [String: String] {
        let client = self.client
        return try await blocking.run { () throws(KafkaError) in
            try AdminRequest(client: client, timeout: timeout).topicConfigs(topic)
        }
    }
}
