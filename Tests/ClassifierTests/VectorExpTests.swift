import Foundation
import Testing

@testable import Classifier

@Suite("Vector exp")
struct VectorExpTests {
    @Test("agrees with expf within 4e-7 relative over the softmax's range")
    func agreesWithExpf() {
        var worst: Float = 0
        for step in 0...20_000 {
            let x = -87 + Float(step) * 0.00435
            let lanes = SIMD8<Float>(repeating: x) + SIMD8<Float>(0, 1e-3, 2e-3, 3e-3, 4e-3, 5e-3, 6e-3, 7e-3)
            let ours = VectorExp.exp(lanes)
            for lane in 0..<8 {
                let reference = expf(lanes[lane])
                worst = max(worst, abs(ours[lane] - reference) / reference)
            }
        }
        #expect(worst < 4e-7)
    }

    @Test("values far below zero flush to 0 and the sum covers a ragged tail")
    func underflowAndTail() {
        var values: [Float] = [0, -1, -200, 2, -0.5, 1, 3, -4, 0.25, -90, 1.5]
        let expected = values.map { $0 < VectorExp.lowest ? 0 : expf($0 - 3) }
        let total = values.withUnsafeMutableBufferPointer { VectorExp.exponentiate($0, minus: 3) }
        for (ours, reference) in zip(values, expected) {
            #expect(abs(ours - reference) <= reference * 4e-7)
        }
        #expect(abs(total - expected.reduce(0, +)) < 1e-6)
    }
}
