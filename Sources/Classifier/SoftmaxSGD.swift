import Foundation

/// One training thread's step of fastText's supervised SGD with the softmax loss, and the
/// scratch vectors it needs (so a step allocates nothing).
///
/// For an example with input rows `r₁…rₙ` and target label `t`, as fastText's
/// `Model::update` and `SoftmaxLoss::forward`:
/// 1. `hidden = (1/n) Σ input[rᵢ]`;
/// 2. `p = softmax(output · hidden)`; the loss is `−log(p[t] + 1e-5)`;
/// 3. for each label `j`, `α = lr·([j = t] − p[j])`: `grad += α·output[j]`, then
///    `output[j] += α·hidden` (grad reads the row before its update);
/// 4. `grad /= n`, and `input[rᵢ] += grad` for every row, duplicates included.
struct SoftmaxSGD {
    private let matrices: HogwildMatrices
    private let hidden: UnsafeMutablePointer<Float>
    private let grad: UnsafeMutablePointer<Float>
    private let scores: UnsafeMutableBufferPointer<Float>
    /// Sum of the losses of the examples seen, and their number, for the reported average.
    private(set) var lossSum: Double = 0
    private(set) var examples = 0

    init(matrices: HogwildMatrices) {
        self.matrices = matrices
        hidden = .allocate(capacity: matrices.dim)
        grad = .allocate(capacity: matrices.dim)
        scores = .allocate(capacity: matrices.outputRows)
    }

    /// Frees the scratch vectors; the value must not be used afterwards.
    func deallocate() {
        hidden.deallocate()
        grad.deallocate()
        scores.deallocate()
    }

    /// Average loss of the examples seen so far (0 before any).
    var averageLoss: Double { examples == 0 ? 0 : lossSum / Double(examples) }

    /// One SGD step on the example with input `rows` and output row `target`.
    mutating func update(rows: UnsafeBufferPointer<Int32>, target: Int, learningRate: Float) {
        guard !rows.isEmpty else { return }
        let dim = matrices.dim
        computeHidden(rows)
        computeProbabilities()
        lossSum -= Double(log(scores[target] + 1e-5))
        examples += 1
        for index in 0..<dim { grad[index] = 0 }
        let output = matrices.output
        for label in 0..<scores.count {
            let alpha = learningRate * ((label == target ? 1 : 0) - scores[label])
            let row = output + label * dim
            DenseKernels.addScaled(row, alpha, to: grad, dim)
            DenseKernels.addScaled(hidden, alpha, to: row, dim)
        }
        DenseKernels.scale(grad, by: 1 / Float(rows.count), dim)
        let input = matrices.input
        for row in rows { DenseKernels.add(grad, to: input + Int(row) * dim, dim) }
    }

    private func computeHidden(_ rows: UnsafeBufferPointer<Int32>) {
        let dim = matrices.dim
        let input = matrices.input
        for index in 0..<dim { hidden[index] = 0 }
        for row in rows { DenseKernels.add(input + Int(row) * dim, to: hidden, dim) }
        DenseKernels.scale(hidden, by: 1 / Float(rows.count), dim)
    }

    /// fastText's `SoftmaxLoss::computeOutput`: scores, shifted by their max, exponentiated, normalised.
    private func computeProbabilities() {
        let dim = matrices.dim
        let output = matrices.output
        var maximum = -Float.infinity
        for label in 0..<scores.count {
            let score = DenseKernels.dot(output + label * dim, hidden, dim)
            scores[label] = score
            maximum = max(maximum, score)
        }
        let total = VectorExp.exponentiate(scores, minus: maximum)
        let inverse = 1 / total
        for label in 0..<scores.count { scores[label] *= inverse }
    }
}
