extension ModelPackage {
    /// The ttc model of a checked package, after its settings and categorical features are
    /// found consistent.
    static func loadTTC(
        _ manifest: ModelManifest,
        weights: MappedFile,
        layout: SafeTensorsLayout,
        file: String
    ) throws(ModelPackageError) -> TTCModel {
        guard let settings = manifest.ttc else {
            throw .manifest(file, "has architecture ttc-ngram but no 'ttc' settings")
        }
        return try TTCModel(
            settings: settings,
            features: manifest.categorical,
            labelCount: manifest.labels.count,
            weights: weights,
            layout: layout
        )
    }

    /// A ttc manifest's settings and categorical features must be consistent before any weight is read.
    static func checkTTCManifest(_ manifest: ModelManifest, file: String) throws(ModelPackageError) {
        guard manifest.architecture == .ttcNgram else { return }
        guard let settings = manifest.ttc else {
            throw .manifest(file, "has architecture ttc-ngram but no 'ttc' settings")
        }
        if let problem = settings.problem(categoricalCount: manifest.categorical.count) {
            throw .manifest(file, "ttc settings \(problem)")
        }
        try checkTTCFeatures(manifest.categorical, file: file)
    }

    /// The shapes a ttc package's settings imply: embedding rows, one table per categorical
    /// feature with a row per vocabulary value, a head as wide as the combined vector and with a
    /// row per label.
    static func checkTTCShapes(
        _ settings: TTCSettings,
        manifest: ModelManifest,
        layout: SafeTensorsLayout,
        file: String
    ) throws(ModelPackageError) {
        typealias Names = TTCSettings.TensorName
        var expected: [(String, TensorDType, [Int]?)] = [
            (Names.tokenEmbeddings, .f32, [settings.embeddingRows, settings.dim]),
            (Names.headBias, .f32, nil),
            (Names.headWeight, .f32, nil),
            (Names.vocabularyOffsets, .i64, [settings.wordCount + 1]),
            (Names.vocabularyBytes, .u8, nil),
        ]
        for (index, feature) in manifest.categorical.enumerated() {
            let shape = [feature.vocabulary.count, settings.categoricalDims[index]]
            expected.append((Names.categoricalEmbedding(index), .f32, shape))
        }
        for (name, dtype, shape) in expected {
            guard let entry = layout.entries[name], entry.dtype == dtype, shape == nil || entry.shape == shape else {
                let wanted = shape.map { "\($0)" } ?? "any shape"
                throw .tensor(file, "needs tensor '\(name)' as \(dtype.rawValue) \(wanted) for its ttc settings")
            }
        }
        try checkTTCHead(settings, labels: manifest.labels.count, layout: layout, file: file)
    }

    private static func checkTTCHead(
        _ settings: TTCSettings,
        labels: Int,
        layout: SafeTensorsLayout,
        file: String
    ) throws(ModelPackageError) {
        typealias Names = TTCSettings.TensorName
        let weight = layout.entries[Names.headWeight]!.shape
        let bias = layout.entries[Names.headBias]!.shape
        guard weight.count == 2, weight[1] == settings.headInputDim, bias == [weight[0]] else {
            throw .tensor(
                file,
                "has head \(weight) + \(bias); its ttc settings need [labels, \(settings.headInputDim)] + [labels]"
            )
        }
        guard weight[0] == labels else {
            throw ModelPackageError(
                .labelsMismatch,
                file: file,
                problem: "has \(weight[0]) output rows but the manifest lists \(labels) labels",
                remedy: "re-import the model so that every output row has its label"
            )
        }
    }

    /// Every unknown value must map to a row of its feature's table.
    private static func checkTTCFeatures(_ features: [CategoricalFeature], file: String) throws(ModelPackageError) {
        for feature in features where !feature.vocabulary.indices.contains(feature.unknownId) {
            throw .manifest(
                file,
                "categorical feature '\(feature.name)' has unknown id \(feature.unknownId) "
                    + "outside its \(feature.vocabulary.count) values"
            )
        }
        for feature in features where feature.bins.map({ $0.count + 1 != feature.vocabulary.count }) ?? false {
            throw .manifest(
                file,
                "categorical feature '\(feature.name)' has \(feature.bins!.count) bin edges "
                    + "for \(feature.vocabulary.count) bins"
            )
        }
    }
}
