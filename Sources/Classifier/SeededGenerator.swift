/// A small deterministic random number generator (SplitMix64) for the trainer.
///
/// The trainer's shuffles, splits and initial weights must be the same on every machine and
/// every Swift release for a given seed, so it does not rely on the standard library's
/// `shuffle(using:)` or `random(in:using:)`, whose algorithms are not promised to stay fixed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator; equal seeds give equal sequences.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A `Float` uniform in `[-bound, bound)`.
    mutating func uniform(_ bound: Float) -> Float {
        let unit = Float(next() >> 40) * 0x1p-24
        return (unit * 2 - 1) * bound
    }

    /// An integer uniform in `0..<count` (`count` > 0); the tiny modulo bias is irrelevant here.
    mutating func index(below count: Int) -> Int {
        Int(next() % UInt64(count))
    }

    /// Fisher–Yates shuffle with this generator, fixed for reproducibility.
    mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for last in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(last, index(below: last + 1))
        }
    }
}
