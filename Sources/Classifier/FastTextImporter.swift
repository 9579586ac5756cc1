import Foundation

/// Turns a fastText supervised `.bin` into a model package that answers as fastText does.
///
/// The import applies no text processing of its own: fastText has none (its users clean text
/// before calling it), so the package's normalisation is `none`. The vocabulary and the
/// `nwords`/`bucket` layout are kept so tokenization matches row for row.
public enum FastTextImporter {
    /// Texts whose answers become the package's golden examples, taken from the labels CSV.
    static let goldenExampleCount = 5

    /// Imports `model` into a package written to `directory`, and loads it back checked.
    ///
    /// - Parameters:
    ///   - model: a fastText `.bin` trained with `supervised` and loss softmax or one-vs-all.
    ///   - labels: a CSV with `code` and `label` columns; every `__label__CODE` must be in it.
    ///   - field: the form field holding the text the model was trained on.
    public static func importModel(
        from model: URL,
        labels: URL,
        name: String,
        version: String,
        to directory: URL,
        textField field: String = "description_activity",
        policy: ModelManifest.DecisionPolicy = ModelManifest.DecisionPolicy()
    ) throws(ModelPackageError) -> ModelPackage {
        let binary = try readBinary(model)
        let settings = try settings(of: binary, file: model.path)
        let labelTexts = try LabelsCSV.read(labels)
        let packageLabels = try modelLabels(binary, settings: settings, texts: labelTexts, csv: labels.path)
        let draft = ModelManifest(
            formatVersion: ModelManifest.currentFormatVersion,
            name: name,
            version: version,
            architecture: .fasttext,
            text: .init(fields: [field]),
            fasttext: settings,
            categorical: [],
            labels: packageLabels,
            decision: policy,
            tensors: [],
            goldenExamples: [],
            weights: .init(file: ModelPackage.weightsFile, sha256: "", bytes: 0)
        )
        var manifest = try ModelPackage.write(manifest: draft, tensors: tensors(of: binary), to: directory)
        let unchecked = try ModelPackage.load(from: directory)
        manifest.goldenExamples = goldenExamples(of: unchecked, field: field)
        try ModelPackage.writeManifest(manifest, to: directory)
        return try ModelPackage.load(from: directory)
    }

    private static func readBinary(_ url: URL) throws(ModelPackageError) -> FastTextBinary {
        do {
            return try FastTextBinary(bytes: Data(contentsOf: url, options: .alwaysMapped), file: url.path)
        } catch let error as ModelPackageError {
            throw error
        } catch {
            throw .unreadable(url.path, error.localizedDescription)
        }
    }

    static func settings(of binary: FastTextBinary, file: String) throws(ModelPackageError) -> FastTextSettings {
        let loss: FastTextSettings.Loss
        switch FastTextBinary.LossCode(rawValue: binary.loss) {
        case .softmax: loss = .softmax
        case .oneVsAll: loss = .oneVsAll
        case .hierarchicalSoftmax: loss = .hierarchicalSoftmax
        case .negativeSampling, nil:
            throw ModelPackageError(
                .unsupported,
                file: file,
                problem: "uses fastText loss code \(binary.loss) (negative sampling or unknown)",
                remedy: "import a model trained with -loss softmax, ova or hs"
            )
        }
        let dense = binary.modelKind == 3 && binary.pruneIndexSize < 0
        let shapes =
            binary.input.columns == binary.dim && binary.output.columns == binary.dim
            && binary.input.rows == binary.wordCount + binary.bucket && binary.output.rows == binary.labelCount
        guard dense, shapes else {
            throw .source(file, "is not a dense supervised model with the matrix shapes its dictionary implies")
        }
        return FastTextSettings(
            dim: binary.dim,
            minn: binary.minn,
            maxn: binary.maxn,
            wordNgrams: binary.wordNgrams,
            bucket: binary.bucket,
            loss: loss,
            wordCount: binary.wordCount
        )
    }

    private static func modelLabels(
        _ binary: FastTextBinary,
        settings: FastTextSettings,
        texts: [String: String],
        csv: String
    ) throws(ModelPackageError) -> [ModelManifest.Label] {
        let prefix = Array(settings.labelPrefix.utf8)
        var labels: [ModelManifest.Label] = []
        for entry in binary.entries where entry.type == 1 {
            let raw = entry.word.starts(with: prefix) ? Array(entry.word.dropFirst(prefix.count)) : entry.word
            let code = String(decoding: raw, as: UTF8.self)
            guard let text = texts[code] else {
                throw ModelPackageError(
                    .labelMissing,
                    file: csv,
                    problem: "has no row for code '\(code)', a label of the model",
                    remedy: "give the labels CSV of the nomenclature the model was trained on"
                )
            }
            labels.append(.init(code: code, label: text))
        }
        return labels
    }

    static func tensors(of binary: FastTextBinary) -> [Tensor] {
        typealias Names = FastTextSettings.TensorName
        let words = binary.entries.prefix(binary.wordCount)
        var offsets: [Int64] = [0]
        for entry in words { offsets.append(offsets.last! + Int64(entry.word.count)) }
        return [
            Tensor(name: Names.input, dtype: .f32, shape: [binary.input.rows, binary.dim], bytes: binary.input.bytes),
            Tensor(
                name: Names.output,
                dtype: .f32,
                shape: [binary.output.rows, binary.dim],
                bytes: binary.output.bytes
            ),
            Tensor(name: Names.vocabularyOffsets, shape: [offsets.count], int64s: offsets),
            Tensor(
                name: Names.labelCounts,
                shape: [binary.labelCount],
                int64s: binary.entries.suffix(binary.labelCount).map(\.count)
            ),
            Tensor(name: Names.vocabularyBytes, dtype: .u8, shape: [Int(offsets.last!)], bytes: words.flatMap(\.word)),
        ]
    }

    private static func goldenExamples(of package: ModelPackage, field: String) -> [ModelManifest.GoldenExample] {
        let classifier = Classifier(package: package)
        return package.manifest.labels.prefix(goldenExampleCount).map { label in
            let fields = [field: label.label]
            let prediction = classifier.classify(fields: fields, topK: 3)
            let expected = prediction.candidates.map {
                ModelManifest.ExpectedCandidate(code: $0.code, probability: $0.probability)
            }
            return ModelManifest.GoldenExample(fields: fields, expected: expected)
        }
    }
}
