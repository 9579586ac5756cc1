import Kafka

/// Which consumed offsets still wait for their outputs, per partition, and so which offset may be
/// committed: the first offset not finished yet, or one past the last consumed when all are.
///
/// Offsets are consumed in increasing order within a partition and may finish in any order; the
/// committable offset only moves forward over a contiguous run of finished offsets, so a commit
/// never covers a form whose result is not delivered.
struct OffsetTracker {
    private struct Ledger {
        var offsets: [Int64] = []
        var finished: [Bool] = []
        var head = 0
        var lastConsumed: Int64 = -1
        var pending = 0

        /// The offset to commit: the first unfinished one, or one past the last consumed.
        var committable: Int64 { head < offsets.count ? offsets[head] : lastConsumed + 1 }
    }

    private var ledgers: [KafkaTopicPartition: Ledger] = [:]

    /// Records that `offset` was read and its outputs are on their way.
    mutating func consumed(_ partition: KafkaTopicPartition, offset: Int64) {
        var ledger = ledgers[partition, default: Ledger()]
        precondition(offset > ledger.lastConsumed, "offsets of \(partition) must be consumed in increasing order")
        ledger.offsets.append(offset)
        ledger.finished.append(false)
        ledger.lastConsumed = offset
        ledger.pending += 1
        ledgers[partition] = ledger
    }

    /// Records that every output of `offset` is delivered; returns the new committable offset of
    /// the partition when it moved forward.
    mutating func finished(_ partition: KafkaTopicPartition, offset: Int64) -> Int64? {
        guard var ledger = ledgers[partition] else { return nil }
        let window = ledger.offsets[ledger.head...]
        guard let index = binarySearch(window, offset), !ledger.finished[index] else { return nil }
        ledger.finished[index] = true
        ledger.pending -= 1
        let before = ledger.committable
        while ledger.head < ledger.offsets.count && ledger.finished[ledger.head] { ledger.head += 1 }
        compact(&ledger)
        ledgers[partition] = ledger
        return ledger.committable > before ? ledger.committable : nil
    }

    /// How many consumed offsets of `partition` still wait for outputs.
    func pendingCount(_ partition: KafkaTopicPartition) -> Int {
        ledgers[partition]?.pending ?? 0
    }

    /// How many consumed offsets of every partition still wait for outputs.
    var totalPending: Int { ledgers.keys.reduce(0) { $0 + pendingCount($1) } }

    /// The committable offset of a partition, when anything of it was consumed.
    func committable(_ partition: KafkaTopicPartition) -> Int64? {
        ledgers[partition]?.committable
    }

    /// Drops what is known of partitions this member no longer owns.
    mutating func forget(_ partitions: some Sequence<KafkaTopicPartition>) {
        for partition in partitions { ledgers[partition] = nil }
    }

    private func binarySearch(_ window: ArraySlice<Int64>, _ offset: Int64) -> Int? {
        var low = window.startIndex
        var high = window.endIndex
        while low < high {
            let middle = (low + high) / 2
            if window[middle] < offset { low = middle + 1 } else { high = middle }
        }
        return low < window.endIndex && window[low] == offset ? low : nil
    }

    /// Drops the finished prefix once it is large, so memory follows what is in flight.
    private func compact(_ ledger: inout Ledger) {
        guard ledger.head > 1_024 && ledger.head * 2 > ledger.offsets.count else { return }
        ledger.offsets.removeFirst(ledger.head)
        ledger.finished.removeFirst(ledger.head)
        ledger.head = 0
    }
}
