import Kafka
import Synchronization

/// The bounded range of the forms topic a replay re-codes: per partition, the first offset to
/// code and the offset to stop before (fixed when the replay was planned, so that it finishes).
public struct ReplayRange: Sendable, Equatable {
    /// First offset to code, by partition.
    public var starts: [Int32: Int64]
    /// Offset to stop before, by partition.
    public var ends: [Int32: Int64]

    /// A range; a partition missing from `starts` starts at its end (nothing to code).
    public init(starts: [Int32: Int64], ends: [Int32: Int64]) {
        self.starts = starts
        self.ends = ends
    }

    /// Offsets in the range (records that are not forms, such as transaction markers, included).
    public var total: Int64 {
        ends.reduce(0) { sum, entry in sum + max(0, entry.value - (starts[entry.key] ?? entry.value)) }
    }

    /// The range from `committed` offsets on (a rerun of the same replay): a partition already
    /// committed past its start resumes there.
    public func resumed(from committed: [Int32: Int64]) -> ReplayRange {
        var starts = self.starts
        for (partition, offset) in committed {
            guard let start = starts[partition], let end = ends[partition] else { continue }
            starts[partition] = min(max(start, offset), end)
        }
        return ReplayRange(starts: starts, ends: ends)
    }
}

/// How far a running replay is: which partitions have reached their end, and how many records
/// of the range were read. The pipeline's loop admits each polled batch through it.
public final class ReplayProgress: Sendable {
    /// The range being coded (after resuming from committed offsets).
    public let range: ReplayRange
    /// The forms topic.
    public let topic: String
    /// Forms read per second at most, if limited.
    public let rate: Double?
    private let started = ContinuousClock.now
    private let state: Mutex<State>

    private struct State {
        var reached: Set<Int32>
        var read: Int64 = 0
    }

    /// Progress over `range` of `topic`, reading at most `rate` forms per second; partitions with
    /// nothing to code have reached their end.
    public init(range: ReplayRange, topic: String, rate: Double? = nil) {
        self.range = range
        self.topic = topic
        self.rate = rate
        let empty = range.ends.keys.filter { (range.starts[$0] ?? range.ends[$0]!) >= range.ends[$0]! }
        state = Mutex(State(reached: Set(empty)))
    }

    /// Where the partitions still to code start.
    public var assignment: [KafkaTopicPartition: Int64] {
        let reached = state.withLock { $0.reached }
        var offsets: [KafkaTopicPartition: Int64] = [:]
        for (partition, end) in range.ends where !reached.contains(partition) {
            offsets[KafkaTopicPartition(topic: topic, partition: partition)] = range.starts[partition] ?? end
        }
        return offsets
    }

    /// Records of the range read so far.
    public var read: Int64 { state.withLock { $0.read } }

    /// Whether every partition has been read to its end.
    public var isComplete: Bool { state.withLock { $0.reached.count == range.ends.count } }

    /// The messages of `batch` inside the range, and the partitions that reached their end with
    /// it (to pause: nothing after the end is coded).
    func admit(_ batch: [KafkaConsumerMessage]) -> (inRange: [KafkaConsumerMessage], reached: [KafkaTopicPartition]) {
        state.withLock { state in
            var newlyReached: [KafkaTopicPartition] = []
            let inRange = batch.filter { message in
                guard let end = range.ends[message.partition] else { return false }
                if message.offset >= end - 1, state.reached.insert(message.partition).inserted {
                    newlyReached.append(message.topicPartition)
                }
                return message.offset < end
            }
            state.read += Int64(inRange.count)
            return (inRange, newlyReached)
        }
    }

    /// Whether every partition is read to its end and none of its `pending` forms waits for an output.
    public func isDone(pending: Int) -> Bool { isComplete && pending == 0 }

    /// How long to wait before reading more, to keep to `rate`.
    var aheadOfRate: Duration { aheadOfRate(after: ContinuousClock.now - started) }

    /// How long to wait, `elapsed` after the start, before reading more to keep to `rate`.
    func aheadOfRate(after elapsed: Duration) -> Duration {
        guard let rate else { return .zero }
        let due = Duration.milliseconds(Int64((Double(read) / rate * 1_000).rounded(.up)))
        return max(.zero, due - elapsed)
    }

    /// Marks the partitions whose read position is at or past their end (the last records of the
    /// range were not forms: nothing more will arrive); returns them.
    func reach(positions: [KafkaPartitionLag]) -> [KafkaTopicPartition] {
        state.withLock { state in
            positions.compactMap { lag in
                guard let position = lag.position, let end = range.ends[lag.topicPartition.partition],
                    position >= end, state.reached.insert(lag.topicPartition.partition).inserted
                else { return nil }
                return lag.topicPartition
            }
        }
    }
}
