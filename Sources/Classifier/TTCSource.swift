import Foundation

/// The three exported files of a torchTextClassifiers model, read and checked against each other.
struct TTCSource {
    let export: TTCExport
    let tokenizer: TTCTokenizerFile
    let words: [String]
    let settings: TTCSettings
    private let weights: MappedFile
    private let layout: SafeTensorsLayout
    private let paths: (export: String, tokenizer: String, weights: String)

    /// Reads `ttc-export.json`, `tokenizer.json` and `model.safetensors` from `directory`.
    init(directory: URL) throws(ModelPackageError) {
        paths = (
            directory.appendingPathComponent(TTCExport.file).path,
            directory.appendingPathComponent(TTCImporter.tokenizerFile).path,
            directory.appendingPathComponent(TTCImporter.weightsFile).path
        )
        export = try Self.decode(TTCExport.self, at: paths.export)
        if let problem = export.unsupportedArchitecture { throw .ttcSource(paths.export, problem) }
        tokenizer = try Self.decode(TTCTokenizerFile.self, at: paths.tokenizer)
        guard let words = tokenizer.wordsInIdOrder else {
            throw .ttcSource(
                paths.tokenizer,
                "does not give \(tokenizer.nwords) words distinct ids 3…\(tokenizer.nwords + 2)"
            )
        }
        self.words = words
        settings = TTCSettings(
            dim: export.embeddingDim,
            wordCount: tokenizer.nwords,
            buckets: tokenizer.numTokens,
            minN: tokenizer.minN,
            maxN: tokenizer.maxN,
            maxLength: export.tokenizer.outputDim,
            cleanText: tokenizer.preprocess,
            combination: export.combination,
            categoricalDims: export.categoricalVariables.map(\.embeddingDim),
            padId: export.tokenizer.padTokenId,
            unkId: export.tokenizer.unkTokenId,
            eosId: export.tokenizer.eosTokenId,
            rmsNormEps: export.rmsNormEps
        )
        weights = try MappedFile(path: paths.weights)
        layout = try SafeTensorsLayout(parsing: weights.bytes, file: paths.weights)
        try checkConsistency()
    }

    private static func decode<T: Decodable>(_ type: T.Type, at path: String) throws(ModelPackageError) -> T {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path, error.localizedDescription)
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw .ttcSource(path, "is not a valid \((path as NSString).lastPathComponent) (\(error))")
        }
    }

    /// The settings, the tokenizer and the export must describe the same model.
    private func checkConsistency() throws(ModelPackageError) {
        if let problem = settings.problem(categoricalCount: export.categoricalVariables.count) {
            throw .ttcSource(paths.export, "describes a model whose settings are inconsistent: it \(problem)")
        }
        guard tokenizer.vocabSize == settings.embeddingRows, export.vocabSize == settings.embeddingRows else {
            throw .ttcSource(
                paths.tokenizer,
                "has vocab_size \(tokenizer.vocabSize) (export: \(export.vocabSize)); 3 + nwords + num_tokens is "
                    + "\(settings.embeddingRows)"
            )
        }
        let head = export.classificationHeadInputDim
        guard export.paddingIdx == settings.padId, head == settings.headInputDim,
            export.numClasses == export.labels.count, Set(export.labels).count == export.labels.count,
            export.categoricalVariables.enumerated().allSatisfy({ $0.element.index == $0.offset })
        else {
            throw .ttcSource(
                paths.export,
                "has padding id, head width, classes or variable order inconsistent "
                    + "with its own settings"
            )
        }
        try checkTensors()
    }

    /// The state-dict tensors this model needs, with their shapes, all `F32`.
    private var expectedTensors: [(String, [Int])] {
        typealias Names = TTCSettings.TensorName
        var expected = [
            (Names.tokenEmbeddings, [settings.embeddingRows, settings.dim]),
            (Names.headWeight, [export.numClasses, settings.headInputDim]),
            (Names.headBias, [export.numClasses]),
        ]
        for (index, variable) in export.categoricalVariables.enumerated() {
            expected.append((variable.tensor, [variable.values.count, settings.categoricalDims[index]]))
        }
        return expected
    }

    private func checkTensors() throws(ModelPackageError) {
        for (index, variable) in export.categoricalVariables.enumerated()
        where variable.tensor != TTCSettings.TensorName.categoricalEmbedding(index)
            || variable.vocabularySize != variable.values.count
        {
            throw .ttcSource(
                paths.export,
                "categorical variable '\(variable.name)' has tensor '\(variable.tensor)' "
                    + "and \(variable.values.count) values for a vocabulary of \(variable.vocabularySize)"
            )
        }
        for (name, shape) in expectedTensors {
            guard let entry = layout.entries[name], entry.dtype == .f32, entry.shape == shape else {
                throw .ttcSource(paths.weights, "needs tensor '\(name)' as F32 \(shape)")
            }
        }
    }

    /// The package's categorical features: the export's vocabularies, unseen values mapped to
    /// `unknownValue` (or the export's `unknown_categorical_value`), missing ones read as
    /// `missingValue` when given.
    func features(
        unknownValue: String?,
        missingValue: String? = nil,
        fieldNames: [String: String]
    ) throws(ModelPackageError) -> [CategoricalFeature] {
        guard !export.categoricalVariables.isEmpty else { return [] }
        guard let unknown = unknownValue ?? export.unknownCategoricalValue else {
            throw ModelPackageError(
                .sourceInvalid,
                file: paths.export,
                problem: "records no unknown_categorical_value, so unseen categorical values have no id",
                remedy: "name a value of every categorical vocabulary that unseen values should take "
                    + "(`--unknown-value V`), or retrain with a reserved value such as __unknown__"
            )
        }
        var features: [CategoricalFeature] = []
        for variable in export.categoricalVariables {
            guard
                let id = variable.values.firstIndex(where: { $0.unicodeScalars.elementsEqual(unknown.unicodeScalars) })
            else { throw .ttcSource(paths.export, "categorical variable '\(variable.name)' has no value '\(unknown)'") }
            features.append(
                CategoricalFeature(
                    name: variable.name,
                    field: fieldNames[variable.name] ?? variable.name,
                    vocabulary: variable.values,
                    unknownId: id,
                    tokenPrefix: "",
                    missingValue: missingValue
                )
            )
        }
        return features
    }

    /// The package's tensors: the state dict's, copied out of the export, and the vocabulary.
    func tensors() -> [Tensor] {
        typealias Names = TTCSettings.TensorName
        var tensors = expectedTensors.map { name, shape in
            let entry = layout.entries[name]!
            let start = layout.dataStart + entry.dataOffsets[0]
            let bytes = Array(weights.bytes[start..<layout.dataStart + entry.dataOffsets[1]])
            return Tensor(name: name, dtype: .f32, shape: shape, bytes: bytes)
        }
        var offsets: [Int64] = [0]
        var bytes: [UInt8] = []
        for word in words {
            bytes += word.utf8
            offsets.append(Int64(bytes.count))
        }
        tensors.append(Tensor(name: Names.vocabularyOffsets, shape: [offsets.count], int64s: offsets))
        tensors.append(Tensor(name: Names.vocabularyBytes, dtype: .u8, shape: [bytes.count], bytes: bytes))
        return tensors
    }
}
