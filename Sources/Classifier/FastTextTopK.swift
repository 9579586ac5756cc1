#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// fastText's top-k selection (`Loss::findKBest` then `std::sort_heap`), reproduced step for step.
///
/// fastText ranks by `log(p + 1e-5)` rounded to `Float`, through a min-heap of size k built with
/// libstdc++'s heap algorithms. When probabilities tie (one-vs-all's sigmoid table makes ties
/// common), the order fastText returns is whatever those algorithms leave; a plain sort would
/// order ties differently. The heap moves below follow libstdc++'s `__push_heap`,
/// `__adjust_heap` and `__pop_heap`, comparing on the score only.
///
/// The heap lives in preallocated memory shared by copies of this value, so a copy can work on
/// it and be written back without allocating.
struct FastTextTopK {
    /// Owns the heap's memory.
    private final class Storage {
        let scores: UnsafeMutablePointer<Float>
        let labels: UnsafeMutablePointer<Int>
        let capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            scores = .allocate(capacity: capacity)
            labels = .allocate(capacity: capacity)
        }

        deinit {
            scores.deallocate()
            labels.deallocate()
        }
    }

    private var storage: Storage
    /// How many labels are kept.
    private(set) var count = 0

    /// A selection able to keep `capacity` labels before it must grow.
    init(capacity: Int) {
        storage = Storage(capacity: capacity + 1)
    }

    /// The kept scores; after ``sortBestFirst()``, best first.
    var scores: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: storage.scores, count: count) }
    /// The kept labels, in the order of ``scores``.
    var labels: UnsafeBufferPointer<Int> { UnsafeBufferPointer(start: storage.labels, count: count) }

    /// fastText's ranking score of a probability.
    @inline(__always)
    static func score(_ probability: Float) -> Float {
        Float(log(Double(probability) + 1e-5))
    }

    /// Keeps the best `k` labels at or above `threshold`; afterwards `labels` is best first.
    ///
    /// Once k labels are kept, a probability far enough below the worst kept one is skipped
    /// without taking its log: its score is then strictly lower whatever the rounding (the
    /// margin, a relative 1e-5, is ten times a `Float` ulp of any score), so fastText would skip
    /// it too. Only near-ties pay for the log.
    mutating func select(_ probabilities: UnsafeBufferPointer<Float>, k: Int, threshold: Float) {
        reset(k: k)
        guard k > 0 else { return }
        var skipBelow = -Double.infinity
        for index in probabilities.indices where !(probabilities[index] < threshold) {
            if Double(probabilities[index]) < skipBelow { continue }
            let score = Self.score(probabilities[index])
            if isFull(k) && score < worstScore { continue }
            offer(score: score, label: index, k: k)
            if isFull(k) { skipBelow = exp(Double(worstScore)) * (1 - 1e-5) - 1e-5 }
        }
        sortBestFirst()
    }

    /// Empties the selection and makes room for `k` labels (allocating only when k grew).
    mutating func reset(k: Int) {
        count = 0
        if k + 1 > storage.capacity { storage = Storage(capacity: k + 1) }
    }

    @inline(__always)
    func isFull(_ k: Int) -> Bool { count == k }

    /// The lowest kept score (the heap's front); only meaningful when something is kept.
    var worstScore: Float { storage.scores[0] }

    /// fastText's push into the heap of at most `k`, evicting the worst when it overflows.
    mutating func offer(score: Float, label: Int, k: Int) {
        let (scores, labels) = (storage.scores, storage.labels)
        scores[count] = score
        labels[count] = label
        count += 1
        Self.siftUp(scores, labels, hole: count - 1, value: (score, label))
        if count > k {
            Self.popHeap(scores, labels, count: count)
            count -= 1
        }
    }

    /// `std::sort_heap`: leaves `labels` best first.
    mutating func sortBestFirst() {
        var remaining = count
        while remaining > 1 {
            Self.popHeap(storage.scores, storage.labels, count: remaining)
            remaining -= 1
        }
    }

    /// libstdc++ `__push_heap` with `comparePairs` (a precedes b when its score is greater).
    private static func siftUp(
        _ scores: UnsafeMutablePointer<Float>,
        _ labels: UnsafeMutablePointer<Int>,
        hole start: Int,
        value: (Float, Int)
    ) {
        var hole = start
        var parent = (hole - 1) / 2
        while hole > 0 && scores[parent] > value.0 {
            scores[hole] = scores[parent]
            labels[hole] = labels[parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        scores[hole] = value.0
        labels[hole] = value.1
    }

    /// libstdc++ `__pop_heap` then `__adjust_heap`: moves the front to `count - 1` and restores
    /// the heap on the first `count - 1` elements.
    private static func popHeap(_ scores: UnsafeMutablePointer<Float>, _ labels: UnsafeMutablePointer<Int>, count: Int)
    {
        guard count > 1 else { return }
        let length = count - 1
        let value = (scores[length], labels[length])
        scores[length] = scores[0]
        labels[length] = labels[0]
        var hole = 0
        var child = 0
        while child < (length - 1) / 2 {
            child = 2 * (child + 1)
            if scores[child] > scores[child - 1] { child -= 1 }
            scores[hole] = scores[child]
            labels[hole] = labels[child]
            hole = child
        }
        if length & 1 == 0 && child == (length - 2) / 2 {
            child = 2 * (child + 1)
            scores[hole] = scores[child - 1]
            labels[hole] = labels[child - 1]
            hole = child - 1
        }
        siftUp(scores, labels, hole: hole, value: value)
    }
}
