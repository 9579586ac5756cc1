internal import CRdKafka
import Logging

/// A Kafka-protocol cluster hosted in this process: librdkafka's mock cluster, listening on
/// 127.0.0.1. Any Kafka client (kcat, another process) can use it while this object lives.
///
/// Know its limits (librdkafka 2.0.2's `rdkafka_mock.c`): each partition keeps at most 5 MiB or
/// 100,000 messages and silently drops older ones, so give a topic enough partitions for the
/// volume; it does not answer CreateTopics, so topics are created here (`createTopic`) and
/// unknown topics are auto-created with 4 partitions (fixed in that version); a fetch with no
/// data waits the full `fetch.wait.max.ms`; nothing persists.
///
/// `@unchecked Sendable`: the cluster pointer is set once; the mock cluster is driven through
/// its own op queue, which librdkafka makes safe to use from any thread.
public final class EmbeddedKafkaCluster: @unchecked Sendable {
    private let cluster: OpaquePointer
    private let client: RDKafkaClient
    /// Comma-separated `127.0.0.1:PORT` of every broker.
    public let bootstrapServers: String
    /// The number of brokers, with ids 1…brokerCount.
    public let brokerCount: Int

    /// Starts a cluster of `brokerCount` brokers on loopback ports chosen by the kernel.
    public init(brokerCount: Int = 1, logger: Logger = Logger(label: "streamcoder.embedded-broker")) throws(KafkaError)
    {
        // The host handle never connects anywhere; it only owns the mock cluster's threads. Its
        // own warnings (no bootstrap.servers, which it needs none of) are not the user's news.
        let client = try RDKafkaClient(kind: .producer, properties: [("log_level", "3")], logger: logger)
        guard let cluster = client.withHandle({ rd_kafka_mock_cluster_new($0, Int32(brokerCount)) }) else {
            throw KafkaError(.embeddedBroker, "could not start the embedded broker (no free loopback port?)")
        }
        self.client = client
        self.cluster = cluster
        self.brokerCount = brokerCount
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Creates a topic; the mock cluster cannot be asked to over the protocol.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        let err = rd_kafka_mock_topic_create(
            cluster,
            name,
            Int32(partitions),
            Int32(min(replicationFactor, brokerCount))
        )
        try check(err, "create topic \(name) with \(partitions) partitions")
    }

    /// Takes a broker down: its connections close and it refuses new ones until `setBrokerUp`.
    public func setBrokerDown(_ brokerID: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_down(cluster, brokerID), "take broker \(brokerID) down")
    }

    /// Brings a broker taken down back up.
    public func setBrokerUp(_ brokerID: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_up(cluster, brokerID), "bring broker \(brokerID) up")
    }

    /// Makes `brokerID` the coordinator of a consumer group (`kind` "group") or of a transactional
    /// id (`kind` "transaction"), so that a test knows which broker to take down.
    public func setCoordinator(kind: String, key: String, broker brokerID: Int32) throws(KafkaError) {
        try check(
            rd_kafka_mock_coordinator_set(cluster, kind, key, brokerID),
            "make broker \(brokerID) the \(kind) coordinator of \(key)"
        )
    }

    /// Adds a round-trip delay to every answer of a broker (a slow broker).
    public func setRoundTripTime(broker brokerID: Int32, _ delay: Duration) throws(KafkaError) {
        try check(
            rd_kafka_mock_broker_set_rtt(cluster, brokerID, Int32(delay.milliseconds)),
            "set broker \(brokerID) latency"
        )
    }

    /// Makes the next requests with this Kafka API key (0 Produce, 1 Fetch, 8 OffsetCommit, …)
    /// fail, one error code per request, in order, on whichever broker receives them.
    public func pushRequestErrors(apiKey: Int16, errorCodes: [Int32]) {
        var errors = errorCodes.map { rd_kafka_resp_err_t(rawValue: $0) }
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, errors.count, &errors)
    }

    /// Makes the next requests with this API key to one broker fail, each after `delay` (a broker
    /// that is slow to refuse): e.g. Produce answered NOT_LEADER_FOR_PARTITION after 3 s, five
    /// times, holds every delivery back 15 s while fetching goes on.
    public func pushBrokerErrors(
        broker brokerID: Int32,
        apiKey: Int16,
        errorCodes: [Int32],
        delay: Duration
    )
        throws(KafkaError)
    {
        for code in errorCodes {
            let err = CRdKafka_mockPushBrokerError(
                cluster,
                brokerID,
                apiKey,
                rd_kafka_resp_err_t(rawValue: code),
                Int32(delay.milliseconds)
            )
            try check(err, "push errors for broker \(brokerID)")
        }
    }

    /// Forgets the errors pushed for an API key and not yet returned.
    public func clearRequestErrors(apiKey: Int16) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey)
    }

    private func check(_ err: rd_kafka_resp_err_t, _ what: String) throws(KafkaError) {
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.embeddedBroker, "embedded broker could not \(what)", rdKafkaError: err)
        }
    }
}
