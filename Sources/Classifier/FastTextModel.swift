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
        inputOffset = try Self.offset(of: Names.input, in: layout, weights: weights)
        outputOffset = try Self.offset(of: Names.output, in: layout, weights: weights)
        let vocabulary = try Self.vocabulary(settings: settings, weights: weights, layout: layout)
        tokenizer = FastTextTokenizer(settings: settings, vocabulary: vocabulary)
        tree = try Self.tree(settings: settings, labelCount: labelCount, weights: weights, layout: layout)
        outputByColumn = Self.transpose(
            weights.bytes.baseAddress!.advanced(by: outputOffset).assumingMemoryBound(to: Float.self),
            rows: labelCount,
            columns: settings.dim
        )
    }

    private static func tree(
        settings: FastTextSettings,
        labelCount: Int,
        weights: MappedFile,
        layout: SafeTensorsLayout
    ) throws(ModelPackageError) -> FastTextHuffmanTree? {
        guard settings.loss == .hierarchicalSoftmax else { return nil }
        let name = FastTextSettings.TensorName.labelCounts
        guard let entry = layout.entries[name], entry.dtype == .i64, entry.shape == [labelCount] else {
            throw .tensor(weights.path, "needs tensor '\(name)' as I64 [\(labelCount)] for hierarchical softmax")
        }
        let start = layout.dataStart + entry.dataOffsets[0]
        let counts = (0..<labelCount).map { index in
            Int64(littleEndian: weights.bytes.loadUnaligned(fromByteOffset: start + 8 * index, as: Int64.self))
        }
        return FastTextHuffmanTree(counts: counts)
    }

    private static func transpose(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int) -> [Float] {
        var transposed = [Float](repeating: 0, count: rows * columns)
        for row in 0..<rows {
            for column in 0..<columns { transposed[column * rows + row] = matrix[row * columns + column] }
        }
        return transposed
    }

    /// The input matrix, `(wordCount + bucket) × dim`, row-major.
    var input: UnsafePointer<Float> { pointer(at: inputOffset) }
    /// The output matrix, `labelCount × dim`, row-major.
    var output: UnsafePointer<Float> { pointer(at: outputOffset) }

    private func pointer(at offset: Int) -> UnsafePointer<Float> {
        weights.bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Float.self)
    }

    private static func offset(
        of name: String,
        in layout: SafeTensorsLayout,
        weights: MappedFile
    ) throws(ModelPackageError) -> Int {
        guard let entry = layout.entries[name] else { throw .tensor(weights.path, "has no tensor '\(name)'") }
        let offset = layout.dataStart + entry.dataOffsets[0]
        guard offset % MemoryLayout<Float>.alignment == 0 else {
            throw .weights(weights.path, "tensor '\(name)' is not 4-byte aligned; rewrite the package with this tool")
        }
        return offset
    }

    private static func vocabulary(
        settings: FastTextSettings,
        weights: MappedFile,
        layout: SafeTensorsLayout
    ) throws(ModelPackageError) -> FastTextVocabulary {
        typealias Names = FastTextSettings.TensorName
        guard let bytesEntry = layout.entries[Names.vocabularyBytes],
            let offsetsEntry = layout.entries[Names.vocabularyOffsets]
        else { throw .tensor(weights.path, "has no vocabulary tensors") }
        let data = weights.bytes
        let bytesStart = layout.dataStart + bytesEntry.dataOffsets[0]
        let bytes = Array(data[bytesStart..<layout.dataStart + bytesEntry.dataOffsets[1]])
        let offsetsStart = layout.dataStart + offsetsEntry.dataOffsets[0]
        let offsets = (0..<offsetsEntry.elementCount).map { index in
            Int(Int64(littleEndian: data.loadUnaligned(fromByteOffset: offsetsStart + 8 * index, as: Int64.self)))
        }
        let ordered = zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 }
        guard offsets.first == 0, offsets.last == bytes.count, ordered else {
            throw .weights(weights.path, "has vocabulary offsets that do not index its vocabulary bytes")
        }
        return FastTextVocabulary(bytes: bytes, offsets: offsets, ngrams: FastTextCharNgrams(settings: settings))
    }
}
