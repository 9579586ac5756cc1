/// The two matrices of a model in training, written by every training thread at once.
///
/// `@unchecked Sendable` because the threads read and write the same rows without any lock:
/// this is Hogwild! SGD (Recht et al., 2011), exactly what fastText does with its shared
/// `Matrix` objects. Each update touches a few dozen input rows and the output rows; two threads
/// rarely touch the same input row at the same time, and when they do, a lost or torn `Float`
/// update is noise that SGD absorbs (the result is still a valid model, only not bit-for-bit
/// reproducible). This is tolerated only here: no reader outside training ever sees the
/// memory before every thread has been joined, and with one thread training is deterministic.
final class HogwildMatrices: @unchecked Sendable {
    /// `inputRows × dim`, row-major.
    let input: UnsafeMutablePointer<Float>
    /// `outputRows × dim`, row-major.
    let output: UnsafeMutablePointer<Float>
    let inputRows: Int
    let outputRows: Int
    let dim: Int

    /// Input rows uniform in `(-1/dim, 1/dim)`, output rows zero, as fastText initialises them.
    init(inputRows: Int, outputRows: Int, dim: Int, seed: UInt64) {
        self.inputRows = inputRows
        self.outputRows = outputRows
        self.dim = dim
        input = .allocate(capacity: inputRows * dim)
        output = .allocate(capacity: outputRows * dim)
        output.initialize(repeating: 0, count: outputRows * dim)
        var generator = SeededGenerator(seed: seed)
        let bound = 1 / Float(dim)
        for index in 0..<(inputRows * dim) { (input + index).initialize(to: generator.uniform(bound)) }
    }

    deinit {
        input.deallocate()
        output.deallocate()
    }

    /// A copy of the input matrix, once training is over.
    var inputValues: [Float] { Array(UnsafeBufferPointer(start: input, count: inputRows * dim)) }
    /// A copy of the output matrix, once training is over.
    var outputValues: [Float] { Array(UnsafeBufferPointer(start: output, count: outputRows * dim)) }
}
