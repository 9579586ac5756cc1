import Kafka
import Testing
import Wire

@testable import Worker

/// The bookkeeping of a replay's range: resuming, admitting records, reaching ends.
@Suite("Replay range")
struct ReplayRangeTests {
    private func record(_ partition: Int32, _ offset: Int64) -> KafkaConsumerMessage {
        KafkaConsumerMessage(
            topicPartition: KafkaTopicPartition(topic: "forms", partition: partition),
            offset: offset,
            key: nil,
            value: [],
            headers: [],
            timestampMilliseconds: nil
        )
    }

    @Test func aRerunResumesFromTheCommittedOffsetsWithinTheRange() {
        let range = ReplayRange(starts: [0: 100, 1: 50, 2: 7], ends: [0: 200, 1: 60, 2: 7])
        #expect(range.total == 110)
        let resumed = range.resumed(from: [0: 150, 1: 10, 2: 9, 5: 3])
        #expect(resumed.starts == [0: 150, 1: 50, 2: 7], "behind the start: from the start; past the end: the end")
        #expect(resumed.total == 60)
    }

    @Test func recordsPastTheEndAreDroppedAndTheirPartitionsReachTheEnd() {
        let progress = ReplayProgress(
            range: ReplayRange(starts: [0: 10, 1: 0, 2: 5], ends: [0: 12, 1: 3, 2: 5]),
            topic: "forms"
        )
        #expect(progress.assignment.count == 2, "partition 2 has nothing to replay")
        #expect(!progress.isComplete)
        let (first, reachedFirst) = progress.admit([record(0, 10), record(1, 0), record(1, 1)])
        #expect(first.map(\.offset) == [10, 0, 1])
        #expect(reachedFirst.isEmpty)
        let (second, reachedSecond) = progress.admit([record(0, 11), record(0, 12), record(1, 2), record(1, 3)])
        #expect(second.map(\.offset) == [11, 2])
        #expect(Set(reachedSecond.map(\.partition)) == [0, 1])
        #expect(progress.read == 5)
        #expect(progress.isComplete)
        #expect(progress.isDone(pending: 0) && !progress.isDone(pending: 1), "done once every output is delivered")
        #expect(progress.assignment.isEmpty)
    }

    @Test func aPartitionWhoseLastRecordsAreNotFormsReachesItsEndByItsPosition() {
        let progress = ReplayProgress(range: ReplayRange(starts: [0: 0], ends: [0: 10]), topic: "forms")
        _ = progress.admit([record(0, 7)])
        let partition = KafkaTopicPartition(topic: "forms", partition: 0)
        #expect(progress.reach(positions: [KafkaPartitionLag(topicPartition: partition, position: 8)]).isEmpty)
        #expect(progress.reach(positions: [KafkaPartitionLag(topicPartition: partition, position: 10)]) == [partition])
        #expect(progress.isComplete)
    }

    @Test func aRateLimitSaysHowLongToWait() {
        let limited = ReplayProgress(range: ReplayRange(starts: [0: 0], ends: [0: 1_000]), topic: "forms", rate: 100)
        _ = limited.admit((0..<50).map { record(0, Int64($0)) })
        #expect(limited.aheadOfRate(after: .milliseconds(100)) == .milliseconds(400), "50 forms at 100/s: due at 0.5 s")
        #expect(limited.aheadOfRate(after: .seconds(1)) == .zero, "behind the rate: read on")
        let free = ReplayProgress(range: ReplayRange(starts: [0: 0], ends: [0: 1_000]), topic: "forms")
        _ = free.admit((0..<50).map { record(0, Int64($0)) })
        #expect(free.aheadOfRate(after: .zero) == .zero)
    }
}
