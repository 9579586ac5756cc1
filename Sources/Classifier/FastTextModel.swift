/// A fastText model ready to run: its tokenizer and its two matrices, read in place from the
/// package's mapped weights.
struct FastTextModel: Sendable {
    let settings: FastTextSettings
    let tokenizer: FastTextTokenizer
    let labelCount: Int
    /// Keeps the mapping alive; the matrices point into it.
    private let weights: MappedFile
    private let inputOffset: Int
    private let outputOffset: Int
    /// The output matrix transposed (`dim × labelCount`), for the single-form path.
    let outputByColumn: [Float]
    /// The hierarchical-softmax tree; `nil` for the other losses.
    let tree: FastTextHuffmanTree?
    /// Per-label factors of the scores (a quantized output with norms); `nil` when all are 1.
    let outputNorms: [Float]?

    /// Reads the model out of a checked package's weights.
    init(
        settings: FastTextSettings,
        labelCount: Int,
        weights: MappedFile,
        layout: SafeTensorsLayout
    ) throws(ModelPackageError) {
        typealias Names = FastTextSettings.TensorName
        self.settings = settings
        self.labelCount = labelCount
        self.weights = weights
        let tensors = TensorReader(layout: layout, weights: weights)
        inputOffset = try tensors.alignedFloatOffset(of: Names.input)
        outputOffset = try tensors.alignedFloatOffset(of: Names.output)
        let ngrams = FastTextCharNgrams(settings: settings, bucketRows: try tensors.bucketRows(settings))
        let vocabulary = try tensors.vocabulary(ngrams: ngrams)
        tokenizer = FastTextTokenizer(settings: settings, vocabulary: vocabulary, ngrams: ngrams)
        tree = try tensors.tree(settings, labelCount: labelCount)
        outputNorms = try tensors.outputNorms(labelCount: labelCount)
        outputByColumn = Self.transpose(
            weights.bytes.baseAddress!.advanced(by: outputOffset).assumingMemoryBound(to: Float.self),
            rows: labelCount,
            columns: settings.dim
        )
    }

    private static func transpose(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int) -> [Float] {
        var transposed = [Float](repeating: 0, count: rows * columns)
        for row in 0..<rows {
            for column in 0..<columns { transposed[column * rows + row] = matrix[row * columns + column] }
        }
        return transposed
    }

    /// The input matrix, `settings.inputRows × dim`, row-major.
    var input: UnsafePointer<Float> { pointer(at: inputOffset) }
    /// The output matrix, `labelCount × dim`, row-major.
    var output: UnsafePointer<Float> { pointer(at: outputOffset) }

    private func pointer(at offset: Int) -> UnsafePointer<Float> {
        weights.bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Float.self)
    }
}
