import Foundation

/// Turns a fastText supervised model (`.bin`, or quantized `.ftz`) into a model package that
/// answers as fastText does.
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
    ///   - model: a fastText `.bin` or `.ftz` trained with `supervised` and loss softmax, ova or hs.
    ///   - labels: a CSV with `code` and `label` columns; every `__label__CODE` must be in it.
    ///   - text: the form fields the text is made of, how they are joined and the cleaning the
    ///     model's training texts went through (Insee's pipeline for its models), applied to
    ///     every text the package codes.
    public static func importModel(
        from model: URL,
        labels: URL,
        name: String,
        version: String,
        to directory: URL,
        text: ModelManifest.TextInput = .init(fields: ["description_activity"]),
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
            text: text,
            fasttext: settings,
            categorical: [],
            labels: packageLabels,
            decision: policy,
            tensors: [],
            goldenExamples: [],
            weights: .init(file: ModelPackage.weightsFile, sha256: "", bytes: 0)
        )
        let tensors = tensors(of: binary, settings: settings)
        var manifest = try ModelPackage.write(manifest: draft, tensors: tensors, to: directory)
        let unchecked = try ModelPackage.load(from: directory)
        manifest.goldenExamples = goldenExamples(of: unchecked, field: text.fields[0])
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
