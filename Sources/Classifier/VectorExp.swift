/// `exp` for eight `Float`s at a time, for the softmax over hundreds of labels.
///
/// glibc's `expf` is one call per label and dominated the single-form path. This is the Cephes
/// single-precision scheme: `x = n·ln 2 + r` with `|r| ≤ ln 2 / 2`, a degree-6 polynomial for
/// `e^r`, and `2^n` built in the exponent bits. Its relative error stays within a few `Float`
/// ulps (tested against `expf`), far inside the 1e-5 fidelity budget of a probability.
enum VectorExp {
    private static let log2e: Float = 1.442_695_04
    private static let ln2High: Float = 0.693_359_375
    private static let ln2Low: Float = -2.121_944_4e-4
    /// Below this, `e^x` is under the smallest normal `Float`; the result is flushed to 0.
    static let lowest: Float = -87.33
    static let highest: Float = 88.72

    /// Adding then subtracting 1.5·2²³ rounds a `Float` of magnitude below 2²² to the nearest
    /// integer, and leaves that integer in the low mantissa bits of the sum: plain vector adds,
    /// where `rounded()` and integer conversion would go lane by lane through library calls.
    private static let roundingShift: Float = 12_582_912
    private static let roundingShiftBits: Int32 = 0x4B40_0000

    /// `e^x` lane by lane.
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let clamped = pointwiseMax(pointwiseMin(x, SIMD8(repeating: highest)), SIMD8(repeating: lowest))
        let shifted = clamped * log2e + roundingShift
        let n = shifted - roundingShift
        let r = clamped - n * ln2High - n * ln2Low
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        let y = p * (r * r) + r + 1
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- roundingShiftBits
        let scaled = y * unsafeBitCast((integer &+ 127) &<< 23, to: SIMD8<Float>.self)
        return scaled.replacing(with: 0, where: x .< lowest)
    }

    /// Replaces every element of `values` by its exponential after subtracting `shift`, and
    /// returns their sum, added one by one in order as fastText does: over hundreds of labels a
    /// lane-wise sum rounds differently by ~1e-6 relative, a visible share of the 1e-5 budget.
    static func exponentiate(_ values: UnsafeMutableBufferPointer<Float>, minus shift: Float) -> Float {
        guard let base = values.baseAddress else { return 0 }
        var index = 0
        while index + 8 <= values.count {
            let raw = UnsafeMutableRawPointer(base + index)
            raw.storeBytes(of: exp(raw.loadUnaligned(as: SIMD8<Float>.self) - shift), as: SIMD8<Float>.self)
            index += 8
        }
        if index < values.count {
            var tail = SIMD8<Float>(repeating: shift + lowest - 1)
            for lane in 0..<(values.count - index) { tail[lane] = values[index + lane] }
            let result = exp(tail - shift)
            for lane in 0..<(values.count - index) { values[index + lane] = result[lane] }
        }
        var total: Float = 0
        for value in values { total += value }
        return total
    }
}
