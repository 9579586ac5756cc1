import Foundation
import Kafka
import Testing

/// Time → offset on the embedded broker, which does not answer ListOffsets by time: the
/// locator's search over timestamps finds the offsets.
@Suite("Time to offset")
struct TimeOffsetLocatorTests {
    /// Partition `p`'s message `i` is written at `base + 10 i` ms.
    private static let base: Int64 = 1_700_000_000_000

    private func timedTopic(_ cluster: EmbeddedKafkaCluster, partitions: Int32, perPartition: Int) async throws {
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers),
            logger: testLogger
        )
        for index in 0..<perPartition {
            for partition in 0..<partitions {
                producer.produceRetrying(
                    KafkaProducerMessage(
                        topic: "timed",
                        partition: partition,
                        key: Array("\(partition)-\(index)".utf8),
                        value: Array("v".utf8),
                        timestampMilliseconds: Self.base + Int64(index) * 10
                    )
                )
            }
        }
        try await producer.flush()
        #expect(producer.deliveryCounts.failed == 0)
    }

    private func reader(_ cluster: EmbeddedKafkaCluster) throws -> KafkaConsumer {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: "locator")
        configuration.autoCommitIntervalMilliseconds = 0
        configuration.properties["fetch.wait.max.ms"] = "10"
        return try KafkaConsumer(configuration: configuration, logger: testLogger)
    }

    @Test func theSearchFindsTheFirstOffsetAtOrAfterATimeOnEveryPartition() async throws {
        let cluster = try makeCluster(topic: "timed", partitions: 3)
        try await timedTopic(cluster, partitions: 3, perPartition: 1_000)
        let reader = try reader(cluster)
        let partitions = (0..<3).map { KafkaTopicPartition(topic: "timed", partition: Int32($0)) }
        var watermarks: [KafkaTopicPartition: (low: Int64, high: Int64)] = [:]
        for partition in partitions { watermarks[partition] = try await reader.watermarks(of: partition) }
        #expect(watermarks.values.allSatisfy { $0.low == 0 && $0.high == 1_000 })
        let locator = TimeOffsetLocator(reader: reader, logger: testLogger)
        // Just before message 500, exactly at 500, before everything, after everything.
        for (time, expected) in [
            (Self.base + 4_995, Int64(500)), (Self.base + 5_000, 500), (Self.base - 1, 0), (Self.base + 20_000, 1_000),
        ] {
            let located = try await locator.locate(time, in: watermarks)
            #expect(located.count == 3)
            // librdkafka's mock cluster answers "the end" for every time: right only for a time
            // after every message.
            let method: TimeOffsetLocator.Method = expected == 1_000 ? .broker : .search
            #expect(located.values.allSatisfy { $0.method == method }, "\(located.values.map(\.method))")
            for partition in partitions {
                #expect(located[partition]?.offset == expected, "\(partition) at \(time - Self.base)")
            }
        }
        try await reader.close()
    }

    @Test func committedOffsetsAreReadBackForTheGroup() async throws {
        let cluster = try makeCluster(topic: "committed", partitions: 2)
        try await produce(cluster, topic: "committed", count: 50)
        let consumer = try makeConsumer(cluster, group: "g", topic: "committed")
        let messages = try await consume(consumer, count: 50)
        #expect(messages.count == 50)
        try await consumer.commit()
        let partitions = (0..<2).map { KafkaTopicPartition(topic: "committed", partition: Int32($0)) }
        let committed = try await consumer.committed(partitions)
        var expected: [KafkaTopicPartition: Int64] = [:]
        for message in messages {
            expected[message.topicPartition] = max(expected[message.topicPartition] ?? 0, message.offset + 1)
        }
        #expect(committed == expected)
        try await consumer.close()
    }
}
