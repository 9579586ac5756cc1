import Foundation
import Kafka
import Synchronization
import Testing

@Suite("Consumer")
struct KafkaConsumerTests {
    @Test func twoMembersOfOneGroupSplitThePartitionsAndReadEachMessageOnce() async throws {
        let cluster = try makeCluster(topic: "split", partitions: 6)
        try await produce(cluster, topic: "split", count: 600)
        let first = try makeConsumer(cluster, group: "split", topic: "split")
        let second = try makeConsumer(cluster, group: "split", topic: "split")
        // Both keep polling until everything is read: a member that stops polling would stall the
        // rebalance that gives the other its partitions.
        var fromFirst: [KafkaConsumerMessage] = []
        var fromSecond: [KafkaConsumerMessage] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while fromFirst.count + fromSecond.count < 600 && ContinuousClock.now < deadline {
            fromFirst += try await consume(first, count: 1, timeout: .milliseconds(100))
            fromSecond += try await consume(second, count: 1, timeout: .milliseconds(100))
        }
        while first.assignment.isEmpty || second.assignment.isEmpty, ContinuousClock.now < deadline {
            fromFirst += try await consume(first, count: 1, timeout: .milliseconds(100))
            fromSecond += try await consume(second, count: 1, timeout: .milliseconds(100))
        }
        let keys = (fromFirst + fromSecond).map { String(decoding: $0.key!, as: UTF8.self) }
        #expect(keys.count == 600)
        #expect(Set(keys).count == 600)
        #expect(first.assignment.isDisjoint(with: second.assignment))
        #expect(first.assignment.union(second.assignment).count == 6)
        try await first.close()
        try await second.close()
    }

    @Test func revokedPartitionsAreCommittedSoTheNextOwnerStartsAfterTheStoredWork() async throws {
        let cluster = try makeCluster(topic: "handover", partitions: 4)
        try await produce(cluster, topic: "handover", count: 400)
        let events = Mutex<[KafkaRebalanceEvent]>([])
        let first = try makeConsumer(cluster, group: "handover", topic: "handover") { event in
            events.withLock { $0.append(event) }
        }
        let read = try await consume(first, count: 400)
        #expect(read.count == 400)
        try await first.close()
        #expect(events.withLock { $0 }.contains { if case .revoked = $0 { true } else { false } })

        try await produce(cluster, topic: "handover", count: 100, from: 400)
        let second = try makeConsumer(cluster, group: "handover", topic: "handover")
        let rest = try await consume(second, count: 101, timeout: .seconds(12))
        #expect(rest.map { Int(String(decoding: $0.key!, as: UTF8.self))! }.sorted() == Array(400..<500))
    }

    @Test func workWhoseOffsetsWereNotStoredIsReadAgain() async throws {
        let cluster = try makeCluster(topic: "redo", partitions: 2)
        try await produce(cluster, topic: "redo", count: 50)
        let first = try makeConsumer(cluster, group: "redo", topic: "redo")
        #expect(try await consume(first, count: 50, store: false).count == 50)
        try await first.close()

        let second = try makeConsumer(cluster, group: "redo", topic: "redo")
        #expect(try await consume(second, count: 50).count == 50)
    }

    @Test func pausedPartitionsDeliverNothingUntilResumed() async throws {
        let cluster = try makeCluster(topic: "paused", partitions: 1)
        let consumer = try makeConsumer(cluster, group: "paused", topic: "paused")
        try await produce(cluster, topic: "paused", count: 10)
        #expect(try await consume(consumer, count: 10).count == 10)

        let partition = KafkaTopicPartition(topic: "paused", partition: 0)
        try consumer.pause([partition])
        try await produce(cluster, topic: "paused", count: 10, from: 10)
        #expect(try await consume(consumer, count: 1, timeout: .seconds(2)).isEmpty)
        try consumer.resume([partition])
        #expect(try await consume(consumer, count: 10).count == 10)
    }

    @Test func seekRereadsFromTheGivenOffsetAndLagCountsWhatIsLeft() async throws {
        let cluster = try makeCluster(topic: "seek", partitions: 1)
        try await produce(cluster, topic: "seek", count: 30)
        let consumer = try makeConsumer(cluster, group: "seek", topic: "seek")
        #expect(try await consume(consumer, count: 30).count == 30)
        let partition = KafkaTopicPartition(topic: "seek", partition: 0)
        let lag = try #require(consumer.lag().first)
        #expect(lag.topicPartition == partition)
        #expect(lag.position == 30)
        #expect(lag.highWatermark == 30)
        #expect(lag.lag == 0)

        try await consumer.seek([partition: 25])
        let again = try await consume(consumer, count: 5)
        #expect(again.map(\.offset) == [25, 26, 27, 28, 29])
    }

    @Test func storingAnOffsetForAPartitionNotOwnedIsAnError() async throws {
        let cluster = try makeCluster(topic: "owned", partitions: 1)
        let consumer = try makeConsumer(cluster, group: "owned", topic: "owned")
        let error = #expect(throws: KafkaError.self) {
            try consumer.storeOffsets([KafkaTopicPartition(topic: "other", partition: 3): 10])
        }
        #expect(error?.message.contains("other[3]") == true)
    }
}
