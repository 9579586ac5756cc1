import Foundation

/// Turns a torchTextClassifiers 2.0.0 n-gram model into a model package that answers as the
/// library's `predict` does (see `docs/torchtextclassifiers-ngram.md`).
///
/// The library saves pickles only; `scripts/fixtures/ttc/ttc_export.py DIR` writes the files
/// read here beside them: `model.safetensors` (the state dict), `tokenizer.json` (the
/// tokenizer's own `save_pretrained`) and `ttc-export.json` (architecture, categorical
/// vocabularies, labels, max length). The package applies exactly the library's text
/// processing: its cleaning when the tokenizer had `preprocess` on, nothing else.
///
/// The library raises on a categorical value it never saw; a package never does (a form is
/// always coded): unseen values map to a reserved value of each vocabulary, by default the
/// export's `unknown_categorical_value` (`__unknown__` in our fixtures). A form without text
/// is classified as the empty text, where the library would classify the string `"None"`.
public enum TTCImporter {
    /// The state dict, as `ttc_export.py` writes it.
    public static let weightsFile = "model.safetensors"
    /// The tokenizer configuration, as `NGramTokenizer.save_pretrained` writes it.
    public static let tokenizerFile = "tokenizer.json"

    /// Imports the exported model in `exportDirectory` into a package written to `directory`,
    /// and loads it back checked (golden examples included).
    ///
    /// - Parameters:
    ///   - exportDirectory: a directory with `model.safetensors`, `tokenizer.json` and `ttc-export.json`.
    ///   - labels: a CSV with `code` and `label` columns; every class of the model must be in it.
    ///   - unknownValue: the value unseen categorical values map to; it must be in every
    ///     categorical vocabulary. `nil` takes the export's `unknown_categorical_value`.
    ///   - missingValue: the value a missing or empty categorical field stands for (`NaN` for
    ///     Insee's models, whose training data had missing values filled so); `nil` gives such
    ///     forms the unknown value's id.
    ///   - text: the form fields the text is made of, how they are joined and the cleaning the
    ///     model's training texts went through before the library's own, applied to
    ///     every text the package codes.
    ///   - fieldNames: form field of each categorical variable, by variable name; a variable
    ///     not listed is read from the field of its own name (`type_form`, `event`, …).
    public static func importModel(
        from exportDirectory: URL,
        labels: URL,
        name: String,
        version: String,
        to directory: URL,
        unknownValue: String? = nil,
        missingValue: String? = nil,
        text: ModelManifest.TextInput = .init(fields: ["description_activity"]),
        fieldNames: [String: String] = [:],
        policy: ModelManifest.DecisionPolicy = ModelManifest.DecisionPolicy()
    ) throws(ModelPackageError) -> ModelPackage {
        let source = try TTCSource(directory: exportDirectory)
        let labelTexts = try LabelsCSV.read(labels)
        let packageLabels = try source.export.labels.map { code throws(ModelPackageError) in
            guard let text = labelTexts[code] else {
                throw ModelPackageError(
                    .labelMissing,
                    file: labels.path,
                    problem: "has no row for code '\(code)', a class of the model",
                    remedy: "give the labels CSV of the nomenclature the model was trained on"
                )
            }
            return ModelManifest.Label(code: code, label: text)
        }
        let features = try source.features(
            unknownValue: unknownValue,
            missingValue: missingValue,
            fieldNames: fieldNames
        )
        let draft = ModelManifest(
            name: name,
            version: version,
            architecture: .ttcNgram,
            text: text,
            fasttext: nil,
            ttc: source.settings,
            categorical: features,
            labels: packageLabels,
            decision: policy
        )
        var manifest = try ModelPackage.write(manifest: draft, tensors: source.tensors(), to: directory)
        let unchecked = try ModelPackage.load(from: directory)
        manifest.goldenExamples = goldenExamples(of: unchecked, textField: text.fields[0])
        try ModelPackage.writeManifest(manifest, to: directory)
        return try ModelPackage.load(from: directory)
    }

    /// Label texts, with the first known value of every categorical feature, whose top 3 is
    /// clearly ordered: a near tie could be ordered differently by another machine's BLAS
    /// kernels and refuse a sound package there.
    static func goldenExamples(of package: ModelPackage, textField: String) -> [ModelManifest.GoldenExample] {
        let classifier = Classifier(package: package)
        var categorical: [String: String] = [:]
        for feature in package.manifest.categorical {
            categorical[feature.field] = feature.vocabulary.indices.first { $0 != feature.unknownId }
                .map { feature.vocabulary[$0] }
        }
        var examples: [ModelManifest.GoldenExample] = []
        for label in package.manifest.labels where examples.count < FastTextImporter.goldenExampleCount {
            let fields = categorical.merging([textField: label.label]) { $1 }
            let probabilities = classifier.classify(fields: fields, topK: 4).candidates.map(\.probability)
            guard zip(probabilities, probabilities.dropFirst()).allSatisfy({ $0 - $1 > 1e-4 }) else { continue }
            let expected = classifier.classify(fields: fields, topK: 3).candidates.map {
                ModelManifest.ExpectedCandidate(code: $0.code, probability: $0.probability)
            }
            examples.append(ModelManifest.GoldenExample(fields: fields, expected: expected))
        }
        return examples
    }
}

extension ModelPackageError {
    static func ttcSource(_ file: String, _ problem: String) -> ModelPackageError {
        ModelPackageError(
            .sourceInvalid,
            file: file,
            problem: problem,
            remedy: "export the model saved by torchTextClassifiers 2.0.0 again with scripts/fixtures/ttc/ttc_export.py"
        )
    }
}
