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
struct FastTextTopK {
    private(set) var scores: [Float] = []
    private(set) var labels: [Int] = []

    /// An empty selection; a capacity of 0 allocates nothing.
    init(capacity: Int) {
        guard capacity > 0 else { return }
        scores.reserveCapacity(capacity + 1)
        labels.reserveCapacity(capacity + 1)
    }

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
        reset()
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

    mutating func reset() {
        scores.removeAll(keepingCapacity: true)
        labels.removeAll(keepingCapacity: true)
    }

    func isFull(_ k: Int) -> Bool { scores.count == k }

    /// The lowest kept score (the heap's front); only meaningful when something is kept.
    var worstScore: Float { scores[0] }

    /// fastText's push into the heap of at most `k`, evicting the worst when it overflows.
    mutating func offer(score: Float, label: Int, k: Int) {
        scores.append(score)
        labels.append(label)
        pushHeap(count: scores.count)
        if scores.count > k {
            popHeap(count: scores.count)
            scores.removeLast()
            labels.removeLast()
        }
    }

    /// `std::sort_heap`: leaves `labels` best first.
    mutating func sortBestFirst() {
        var count = scores.count
        while count > 1 {
            popHeap(count: count)
            count -= 1
        }
    }

    /// `comparePairs`: a precedes b in heap order when its score is greater.
    @inline(__always)
    private func greater(_ a: Int, _ b: Float) -> Bool { scores[a] > b }

    private mutating func pushHeap(count: Int) {
        let value = (scores[count - 1], labels[count - 1])
        siftUp(hole: count - 1, top: 0, value: value)
    }

    private mutating func siftUp(hole start: Int, top: Int, value: (Float, Int)) {
        var hole = start
        var parent = (hole - 1) / 2
        while hole > top && greater(parent, value.0) {
            move(from: parent, to: hole)
            hole = parent
            parent = (hole - 1) / 2
        }
        (scores[hole], labels[hole]) = value
    }

    /// Moves the front to position `count - 1` and restores the heap on the first `count - 1`.
    private mutating func popHeap(count: Int) {
        guard count > 1 else { return }
        let last = count - 1
        let value = (scores[last], labels[last])
        move(from: 0, to: last)
        adjustHeap(length: last, value: value)
    }

    private mutating func adjustHeap(length: Int, value: (Float, Int)) {
        var hole = 0
        var child = 0
        while child < (length - 1) / 2 {
            child = 2 * (child + 1)
            if scores[child] > scores[child - 1] { child -= 1 }
            move(from: child, to: hole)
            hole = child
        }
        if length & 1 == 0 && child == (length - 2) / 2 {
            child = 2 * (child + 1)
            move(from: child - 1, to: hole)
            hole = child - 1
        }
        siftUp(hole: hole, top: 0, value: value)
    }

    @inline(__always)
    private mutating func move(from source: Int, to destination: Int) {
        scores[destination] = scores[source]
        labels[destination] = labels[source]
    }
}
