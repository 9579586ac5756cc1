/// Settings of a Kafka producer.
///
/// The named settings cover what StreamCoder relies on; `properties` passes any other
/// librdkafka property through unchanged (as kcat's `-X key=value`) and wins over the named ones.
public struct KafkaProducerConfiguration: Sendable {
    /// `HOST:PORT[,HOST:PORT…]` of one or more brokers.
    public var bootstrapServers: String
    /// The client id brokers see in their logs and quotas.
    public var clientID: String = "streamcoder"
    /// Idempotent delivery: no duplicates or reordering from the producer's own retries.
    public var idempotence: Bool = true
    /// How long the producer waits to fill a batch before sending it.
    public var lingerMilliseconds: Int = 5
    /// The largest message it sends (`message.max.bytes`); a larger one is refused at once with
    /// `KafkaError.Code.messageTooLarge`.
    public var maxMessageBytes: Int = 1_000_000
    /// Makes it a transactional producer (`transactional.id`): see `initTransactions`.
    public var transactionalID: String?
    /// Any librdkafka property, applied last.
    public var properties: [String: String] = [:]

    /// Creates a configuration for the given brokers.
    public init(bootstrapServers: String, properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
    }

    var rdKafkaProperties: [(String, String)] {
        let transactional = transactionalID.map { [("transactional.id", $0)] } ?? []
        let named =
            transactional + [
                ("bootstrap.servers", bootstrapServers),
                ("client.id", clientID),
                ("enable.idempotence", idempotence ? "true" : "false"),
                ("linger.ms", String(lingerMilliseconds)),
                ("message.max.bytes", String(maxMessageBytes)),
            ]
        return named + properties.sorted { $0.key < $1.key }
    }
}

/// Settings of a Kafka consumer in a consumer group.
///
/// Defaults are those of an at-least-once worker: offsets are stored by the application once
/// its outputs are delivered (`enable.auto.offset.store=false`) and committed in the background
/// and on revoke and close; partitions move with the cooperative-sticky assignor.
public struct KafkaConsumerConfiguration: Sendable {
    /// `HOST:PORT[,HOST:PORT…]` of one or more brokers.
    public var bootstrapServers: String
    /// The consumer group.
    public var groupID: String
    /// The client id brokers see in their logs and quotas.
    public var clientID: String = "streamcoder"
    /// Where a partition without a committed offset starts: `earliest` or `latest`.
    public var autoOffsetReset: String = "earliest"
    /// How long the group waits for a silent member before giving its partitions away (Kafka's
    /// default, 45 s); heartbeats go at a fifteenth of it, at most every 3 s, as Kafka's do.
    public var sessionTimeoutMilliseconds: Int = 45_000
    /// Static membership (`group.instance.id`): a member restarted with the same id within the
    /// session timeout gets its partitions back without a rebalance.
    public var groupInstanceID: String?
    /// How often the consumer commits stored offsets in the background (0 turns it off).
    public var autoCommitIntervalMilliseconds: Int = 1_000
    /// When false (the default), only offsets passed to `storeOffsets` are committed.
    public var autoOffsetStore: Bool = false
    /// Only read messages of committed transactions.
    public var readCommitted: Bool = false
    /// Any librdkafka property, applied last.
    public var properties: [String: String] = [:]

    /// Creates a configuration for the given brokers and group.
    public init(bootstrapServers: String, groupID: String, properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.properties = properties
    }

    var rdKafkaProperties: [(String, String)] {
        let autoCommit = autoCommitIntervalMilliseconds > 0
        let named = [
            ("bootstrap.servers", bootstrapServers),
            ("group.id", groupID),
            ("client.id", clientID),
            ("auto.offset.reset", autoOffsetReset),
            ("session.timeout.ms", String(sessionTimeoutMilliseconds)),
            ("heartbeat.interval.ms", String(max(100, min(3_000, sessionTimeoutMilliseconds / 15)))),
            ("enable.auto.commit", autoCommit ? "true" : "false"),
            ("auto.commit.interval.ms", String(max(autoCommitIntervalMilliseconds, 1))),
            ("enable.auto.offset.store", autoOffsetStore ? "true" : "false"),
            ("partition.assignment.strategy", "cooperative-sticky"),
            ("isolation.level", readCommitted ? "read_committed" : "read_uncommitted"),
            ("enable.partition.eof", "false"),
        ]
        let membership = groupInstanceID.map { [("group.instance.id", $0)] } ?? []
        return named + membership + properties.sorted { $0.key < $1.key }
    }
}

/// Settings of an admin client (topics).
public struct KafkaAdminConfiguration: Sendable {
    /// `HOST:PORT[,HOST:PORT…]` of one or more brokers.
    public var bootstrapServers: String
    /// Any librdkafka property, applied last.
    public var properties: [String: String] = [:]

    /// Creates a configuration for the given brokers.
    public init(bootstrapServers: String, properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
    }

    var rdKafkaProperties: [(String, String)] {
        [("bootstrap.servers", bootstrapServers)] + properties.sorted { $0.key < $1.key }
    }
}

extension KafkaConsumerConfiguration {
    /// A consumer that reads records by assignment and commits nothing: a reader of a topic (a
    /// replay's planner, an operator's tool), not a member doing a group's work.
    public static func reader(
        bootstrapServers: String,
        groupID: String,
        properties: [String: String] = [:]
    ) -> KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: bootstrapServers,
            groupID: groupID,
            properties: properties
        )
        configuration.autoCommitIntervalMilliseconds = 0
        return configuration
    }
}
