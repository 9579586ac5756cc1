import Kafka
import Testing

@testable import Worker

@Suite("Offset tracker")
struct OffsetTrackerTests {
    let partition = KafkaTopicPartition(topic: "forms", partition: 3)

    @Test func theCommittableOffsetWaitsForTheFirstUnfinishedOffset() {
        var tracker = OffsetTracker()
        for offset in 10..<15 { tracker.consumed(partition, offset: Int64(offset)) }
        #expect(tracker.finished(partition, offset: 12) == nil)
        #expect(tracker.finished(partition, offset: 11) == nil)
        #expect(tracker.committable(partition) == 10)
        #expect(tracker.finished(partition, offset: 10) == 13)
        #expect(tracker.pendingCount(partition) == 2)
        #expect(tracker.finished(partition, offset: 14) == nil)
        #expect(tracker.finished(partition, offset: 13) == 15)
        #expect(tracker.pendingCount(partition) == 0)
    }

    @Test func gapsInOffsetsAreFineAndUnknownOffsetsAreIgnored() {
        var tracker = OffsetTracker()
        for offset in [5, 9, 20] { tracker.consumed(partition, offset: Int64(offset)) }
        #expect(tracker.finished(partition, offset: 7) == nil)
        #expect(tracker.finished(partition, offset: 9) == nil)
        #expect(tracker.finished(partition, offset: 5) == 20)
        #expect(tracker.finished(partition, offset: 20) == 21)
        let other = KafkaTopicPartition(topic: "forms", partition: 4)
        #expect(tracker.finished(other, offset: 1) == nil)
    }

    @Test func anyCompletionOrderEndsAtOnePastTheLastOffset() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var tracker = OffsetTracker()
            let offsets = (0..<3_000).map { Int64($0 * 2) }
            for offset in offsets { tracker.consumed(partition, offset: offset) }
            var committed: Int64 = 0
            for offset in offsets.shuffled(using: &generator) {
                if let next = tracker.finished(partition, offset: offset) {
                    #expect(next > committed)
                    committed = next
                }
                // Never beyond an unfinished offset.
                #expect(tracker.committable(partition)! <= offsets.last! + 1)
            }
            #expect(committed == offsets.last! + 1)
            #expect(tracker.totalPending == 0)
        }
    }

    @Test func forgottenPartitionsStopCounting() {
        var tracker = OffsetTracker()
        tracker.consumed(partition, offset: 1)
        #expect(tracker.totalPending == 1)
        tracker.forget([partition])
        #expect(tracker.totalPending == 0)
        #expect(tracker.finished(partition, offset: 1) == nil)
        tracker.consumed(partition, offset: 0)
        #expect(tracker.committable(partition) == 0)
    }
}
