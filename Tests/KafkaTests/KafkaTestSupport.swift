import Foundation
import Kafka
import Logging

/// A logger that stays quiet unless a test run asks for logs.
let testLogger: Logger = {
    var logger = Logger(label: "kafka-tests")
    logger.logLevel = ProcessInfo.processInfo.environment["STREAMCODER_TEST_LOGS"] == nil ? .critical : .debug
    return logger
}()

/// A fresh embedded cluster with one topic.
func makeCluster(topic: String, partitions: Int, brokers: Int = 1) throws -> EmbeddedKafkaCluster {
    let cluster = try EmbeddedKafkaCluster(brokerCount: brokers)
    try cluster.createTopic(topic, partitions: partitions)
    return cluster
}

/// A consumer with short group timeouts, so that the mock's rebalances finish quickly.
func makeConsumer(
    _ cluster: EmbeddedKafkaCluster,
    group: String,
    topic: String,
    onRebalance: (@Sendable (KafkaRebalanceEvent) -> Void)? = nil
) throws -> KafkaConsumer {
    var configuration = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: group)
    configuration.sessionTimeoutMilliseconds = 6_000
    configuration.properties["fetch.wait.max.ms"] = "20"
    let consumer = try KafkaConsumer(configuration: configuration, logger: testLogger, onRebalance: onRebalance)
    try consumer.subscribe(topics: [topic])
    return consumer
}

/// Polls until `count` messages arrived or `timeout` passed; returns what arrived.
func consume(
    _ consumer: KafkaConsumer,
    count: Int,
    timeout: Duration = .seconds(30),
    store: Bool = true
) async throws -> [KafkaConsumerMessage] {
    var messages: [KafkaConsumerMessage] = []
    let deadline = ContinuousClock.now + timeout
    while messages.count < count && ContinuousClock.now < deadline {
        let batch = try await consumer.nextBatch(maxMessages: 500, timeout: .milliseconds(100))
        if store {
            var next: [KafkaTopicPartition: Int64] = [:]
            for message in batch { next[message.topicPartition] = message.offset + 1 }
            try consumer.storeOffsets(next)
        }
        messages += batch
    }
    return messages
}

/// Produces `count` messages keyed "0"…"count-1" and waits for all of them to be delivered.
func produce(_ cluster: EmbeddedKafkaCluster, topic: String, count: Int, from start: Int = 0) async throws {
    let producer = try KafkaProducer(
        configuration: .init(bootstrapServers: cluster.bootstrapServers),
        logger: testLogger
    )
    for index in start..<(start + count) {
        producer.produceRetrying(
            KafkaProducerMessage(topic: topic, key: Array("\(index)".utf8), value: Array("value-\(index)".utf8))
        )
    }
    try await producer.flush()
    precondition(producer.deliveryCounts.failed == 0)
}

extension KafkaProducer {
    /// Produces, waiting while the local queue is full.
    func produceRetrying(_ message: KafkaProducerMessage) {
        while true {
            do {
                try produce(message)
                return
            } catch  where error.code == .queueFull {
                Thread.sleep(forTimeInterval: 0.001)
            } catch {
                fatalError("\(error)")
            }
        }
    }
}
