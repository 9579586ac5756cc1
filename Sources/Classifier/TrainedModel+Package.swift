import Foundation

extension TrainedModel {
    /// Writes the model as a package in `directory` and loads it back, checked.
    ///
    /// - Parameters:
    ///   - labelTexts: code → label (a labels CSV); every trained code must be in it. `nil`
    ///     names each label by its code.
    ///   - text: the form fields the text is made of at inference and how they are joined (the
    ///     training texts are those fields already joined), and the cleaning the training texts
    ///     went through, applied to every text the package codes (golden texts are given raw).
    ///   - trainingTexts: the texts the model was trained on, as it saw them (after
    ///     preprocessing), recorded as the package's `trainingSet` fingerprint.
    ///   - goldenTexts: texts whose answers (top 3) become the package's golden examples.
    public func writePackage(
        to directory: URL,
        name: String,
        version: String,
        labelTexts: [String: String]? = nil,
        text: ModelManifest.TextInput = .init(fields: ["description_activity"]),
        policy: ModelManifest.DecisionPolicy = ModelManifest.DecisionPolicy(),
        trainingTexts: [String]? = nil,
        goldenTexts: [String] = []
    ) throws(ModelPackageError) -> ModelPackage {
        let draft = ModelManifest(
            name: name,
            version: version,
            architecture: .fasttext,
            text: text,
            fasttext: settings,
            labels: try packageLabels(labelTexts, directory: directory),
            decision: policy
        )
        var manifest = try ModelPackage.write(manifest: draft, tensors: tensors, to: directory)
        manifest.trainingSet = trainingTexts.map(TrainingSetFingerprint.init(texts:))
        let unchecked = try ModelPackage.load(from: directory)
        manifest.goldenExamples = Self.goldenExamples(of: unchecked, texts: goldenTexts, field: text.fields[0])
        try ModelPackage.writeManifest(manifest, to: directory)
        return try ModelPackage.load(from: directory)
    }

    private func packageLabels(
        _ texts: [String: String]?,
        directory: URL
    ) throws(ModelPackageError) -> [ModelManifest.Label] {
        var labels: [ModelManifest.Label] = []
        for code in self.labels {
            guard let text = texts == nil ? code : texts?[code] else {
                throw ModelPackageError(
                    .labelMissing,
                    file: directory.path,
                    problem: "cannot name code '\(code)' of the training data: the labels have no row for it",
                    remedy: "give the labels CSV of the nomenclature the data is coded in"
                )
            }
            labels.append(.init(code: code, label: text))
        }
        return labels
    }

    private static func goldenExamples(
        of package: ModelPackage,
        texts: [String],
        field: String
    ) -> [ModelManifest.GoldenExample] {
        let classifier = Classifier(package: package)
        return texts.map { text in
            let fields = [field: text]
            let expected = classifier.classify(fields: fields, topK: 3).candidates.map {
                ModelManifest.ExpectedCandidate(code: $0.code, probability: $0.probability)
            }
            return ModelManifest.GoldenExample(fields: fields, expected: expected)
        }
    }
}
