extension ModelPackage {
    /// Fields a loader relies on before it touches the weights.
    static func checkManifest(_ manifest: ModelManifest, file: String) throws(ModelPackageError) {
        guard manifest.formatVersion <= ModelManifest.currentFormatVersion else {
            throw ModelPackageError(
                .unsupported,
                file: file,
                problem: "has format version \(manifest.formatVersion)",
                remedy: "upgrade StreamCoder to a release that reads format \(manifest.formatVersion)"
            )
        }
        let weightsName = manifest.weights.file
        guard !weightsName.isEmpty, !weightsName.contains("/"), weightsName != "..", weightsName != "." else {
            throw .manifest(file, "names weights file '\(weightsName)', which is not a plain file name")
        }
        let policy = manifest.decision
        guard policy.topK >= 1, (0...1).contains(policy.probMin), (0...1).contains(policy.confidenceThreshold) else {
            throw .manifest(file, "has a decision policy out of range (top_k ≥ 1, prob_min and threshold in 0...1)")
        }
        try checkLabels(manifest.labels, file: file)
        try checkTTCManifest(manifest, file: file)
    }

    private static func checkLabels(_ labels: [ModelManifest.Label], file: String) throws(ModelPackageError) {
        let codes = labels.map(\.code)
        let problem: String? =
            if codes.isEmpty { "lists no labels" } else if codes.contains("") {
                "has a label with an empty code"
            } else if Set(codes).count != codes.count { "lists a code twice" } else { nil }
        if let problem {
            throw ModelPackageError(
                .labelsMismatch,
                file: file,
                problem: problem,
                remedy: "re-import the model with a labels CSV that has one row per code"
            )
        }
    }

    /// The weights must be the very bytes the manifest was written for.
    static func checkDigest(
        of weights: MappedFile,
        against reference: ModelManifest.WeightsReference
    ) throws(ModelPackageError) {
        let digest = SHA256Hex.hex(of: weights.bytes)
        guard digest == reference.sha256.lowercased(), weights.count == reference.bytes else {
            throw ModelPackageError(
                .checksumMismatch,
                file: weights.path,
                problem: "has sha256 \(digest) (\(weights.count) bytes); the manifest expects "
                    + "\(reference.sha256) (\(reference.bytes) bytes)",
                remedy: "the weights were modified or belong to another package; push the package again"
            )
        }
    }

    /// Every tensor the manifest lists, with its dtype and shape, and nothing else; then the
    /// shapes the architecture implies.
    static func checkTensors(
        _ layout: SafeTensorsLayout,
        against manifest: ModelManifest,
        file: String
    ) throws(ModelPackageError) {
        let listed = Set(manifest.tensors.map(\.name))
        if let extra = layout.entries.keys.sorted().first(where: { !listed.contains($0) }) {
            throw .tensor(file, "holds tensor '\(extra)', which the manifest does not list")
        }
        for spec in manifest.tensors {
            guard let entry = layout.entries[spec.name] else {
                throw .tensor(file, "has no tensor '\(spec.name)'")
            }
            guard entry.dtype == spec.dtype, entry.shape == spec.shape else {
                throw .tensor(
                    file,
                    "tensor '\(spec.name)' is \(entry.dtype.rawValue) \(entry.shape); "
                        + "the manifest says \(spec.dtype.rawValue) \(spec.shape)"
                )
            }
        }
        if manifest.architecture == .fasttext, let settings = manifest.fasttext {
            try checkFastTextShapes(settings, manifest: manifest, layout: layout, file: file)
        }
        if manifest.architecture == .ttcNgram, let settings = manifest.ttc {
            try checkTTCShapes(settings, manifest: manifest, layout: layout, file: file)
        }
    }

    private static func checkFastTextShapes(
        _ settings: FastTextSettings,
        manifest: ModelManifest,
        layout: SafeTensorsLayout,
        file: String
    ) throws(ModelPackageError) {
        typealias Names = FastTextSettings.TensorName
        let expected: [(String, TensorDType, [Int]?)] = [
            (Names.input, .f32, [settings.inputRows, settings.dim]),
            (Names.output, .f32, nil),
            (Names.vocabularyOffsets, .i64, [settings.wordCount + 1]),
            (Names.vocabularyBytes, .u8, nil),
        ]
        for (name, dtype, shape) in expected {
            guard let entry = layout.entries[name], entry.dtype == dtype, shape == nil || entry.shape == shape else {
                let wanted = shape.map { "\($0)" } ?? "any shape"
                throw .tensor(file, "needs tensor '\(name)' as \(dtype.rawValue) \(wanted) for its fastText settings")
            }
        }
        let output = layout.entries[Names.output]!.shape
        guard output.count == 2, output[1] == settings.dim else {
            throw .tensor(file, "tensor '\(Names.output)' is \(output), not [labels, \(settings.dim)]")
        }
        guard output[0] == manifest.labels.count else {
            throw ModelPackageError(
                .labelsMismatch,
                file: file,
                problem: "has \(output[0]) output rows but the manifest lists \(manifest.labels.count) labels",
                remedy: "re-import the model so that every output row has its label"
            )
        }
    }
}
