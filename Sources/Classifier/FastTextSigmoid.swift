#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The sigmoid fastText's one-vs-all loss applies at predict time: a 513-entry lookup table
/// over [-8, 8], not the exact function.
///
/// Its values are steps of up to ~0.008: an exact sigmoid disagrees with fastText's reported
/// probabilities by that much, so an import that must answer as fastText does uses the table.
enum FastTextSigmoid {
    static let limit: Float = 8
    static let tableSize = 512

    static let table: [Float] = (0...tableSize).map { index in
        let x = Float(index * 2 * Int(limit)) / Float(tableSize) - limit
        return Float(1.0 / (1.0 + Double(expf(-x))))
    }

    /// fastText's `Loss::sigmoid`: 0 below -8, 1 above 8, else the table entry the value truncates to.
    @inline(__always)
    static func value(_ x: Float) -> Float {
        if x < -limit { return 0 }
        if x > limit { return 1 }
        let index = Int((x + limit) * Float(tableSize) / limit / 2)
        return table[index]
    }
}
