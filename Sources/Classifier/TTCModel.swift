import Foundation

/// A torchTextClassifiers n-gram model ready to run: its tokenizer, and its tensors read in
/// place from the package's mapped weights.
struct TTCModel: Sendable {
    typealias Names = TTCSettings.TensorName
    let settings: TTCSettings
    let tokenizer: TTCTokenizer
    let labelCount: Int
    /// The manifest's categorical features, in the model's column order.
    let features: [CategoricalFeature]
    /// Keeps the mapping alive; the tensors point into it.
    private let weights: MappedFile
    private let embeddingOffset: Int
    private let categoricalOffsets: [Int]
    private let headWeightOffset: Int
    private let headBiasOffset: Int
    /// `1 / sqrt(mean(row²) + eps)` of every embedding row: the per-token RMS norm, precomputed.
    let rowScales: [Float]

    /// Reads the model out of a checked package's weights.
    init(
        settings: TTCSettings,
        features: [CategoricalFeature],
        labelCount: Int,
        weights: MappedFile,
        layout: SafeTensorsLayout
    ) throws(ModelPackageError) {
        self.settings = settings
        self.features = features
        self.labelCount = labelCount
        self.weights = weights
        let tensors = FastTextModel.TensorReader(layout: layout, weights: weights)
        embeddingOffset = try tensors.alignedFloatOffset(of: Names.tokenEmbeddings)
        headWeightOffset = try tensors.alignedFloatOffset(of: Names.headWeight)
        headBiasOffset = try tensors.alignedFloatOffset(of: Names.headBias)
        var categoricalOffsets: [Int] = []
        for index in features.indices {
            categoricalOffsets.append(try tensors.alignedFloatOffset(of: Names.categoricalEmbedding(index)))
        }
        self.categoricalOffsets = categoricalOffsets
        let words = try Self.words(tensors, count: settings.wordCount)
        tokenizer = TTCTokenizer(settings: settings, vocabulary: TTCVocabulary(words: words))
        rowScales = Self.rowScales(
            weights.bytes.baseAddress!.advanced(by: embeddingOffset).assumingMemoryBound(to: Float.self),
            rows: settings.embeddingRows,
            dim: settings.dim,
            eps: Float(settings.rmsNormEps)
        )
        if settings.cleanText { TTCTextCleaner.prepare() }
    }

    private static func words(_ tensors: FastTextModel.TensorReader, count: Int) throws(ModelPackageError) -> [String] {
        let file = tensors.weights.path
        guard let bytes = try tensors.elements(Names.vocabularyBytes, UInt8.self, dtype: .u8),
            let offsets = try tensors.elements(Names.vocabularyOffsets, Int64.self, dtype: .i64, count: count + 1)?
                .map({ Int($0) })
        else { throw .tensor(file, "has no vocabulary tensors for \(count) words") }
        let ordered = zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 }
        guard offsets.first == 0, offsets.last == bytes.count, ordered else {
            throw .weights(file, "has vocabulary offsets that do not index its vocabulary bytes")
        }
        return (0..<count).map { String(decoding: bytes[offsets[$0]..<offsets[$0 + 1]], as: UTF8.self) }
    }

    private static func rowScales(_ table: UnsafePointer<Float>, rows: Int, dim: Int, eps: Float) -> [Float] {
        (0..<rows).map { row in
            let values = table + row * dim
            var squares: Float = 0
            for index in 0..<dim { squares += values[index] * values[index] }
            return 1 / (squares / Float(dim) + eps).squareRoot()
        }
    }

    /// The token embedding, `embeddingRows × dim`, row-major.
    var embeddings: UnsafePointer<Float> { pointer(at: embeddingOffset) }
    /// The head's weight, `labelCount × headInputDim`, row-major.
    var headWeight: UnsafePointer<Float> { pointer(at: headWeightOffset) }
    /// The head's bias, `labelCount`.
    var headBias: UnsafePointer<Float> { pointer(at: headBiasOffset) }

    /// The embedding table of categorical feature `index`, `vocabulary × categoricalDims[index]`.
    func categoricalEmbedding(_ index: Int) -> UnsafePointer<Float> { pointer(at: categoricalOffsets[index]) }

    private func pointer(at offset: Int) -> UnsafePointer<Float> {
        weights.bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Float.self)
    }

    /// The id of a form's value for feature `feature`, compared code point by code point as the
    /// library compares; an unseen value gets the feature's reserved unknown id, a missing one
    /// the id of the feature's `missingValue` (or the unknown id).
    func categoricalId(_ feature: CategoricalFeature, value: String?) -> Int {
        let given = feature.missingValue == nil ? value : feature.present(value)
        guard let value = given else { return feature.unknownId }
        if feature.bins != nil { return feature.id(for: value) }
        for (id, known) in feature.vocabulary.enumerated() where known.utf8.elementsEqual(value.utf8) { return id }
        return feature.unknownId
    }
}
