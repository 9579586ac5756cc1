import Foundation

@testable import Classifier

/// A hand-made fastText package small enough to reason about: two words, three buckets, two labels.
enum TinyModel {
    static let settings = FastTextSettings(
        dim: 2,
        minn: 2,
        maxn: 3,
        wordNgrams: 2,
        bucket: 3,
        loss: .softmax,
        wordCount: 2
    )

    static var tensors: [Tensor] {
        typealias Names = FastTextSettings.TensorName
        let words = Array("</s>".utf8) + Array("pain".utf8)
        return [
            Tensor(name: Names.vocabularyBytes, dtype: .u8, shape: [words.count], bytes: words),
            Tensor(name: Names.input, shape: [5, 2], floats: [0.1, -0.2, 1.5, 0.5, 0.3, 0.3, -0.4, 0.2, 0.05, 0.7]),
            Tensor(name: Names.output, shape: [2, 2], floats: [1, 0, 0, 1]),
            Tensor(name: Names.vocabularyOffsets, shape: [3], int64s: [0, 4, 8]),
        ]
    }

    static var manifest: ModelManifest {
        ModelManifest(
            formatVersion: 1,
            name: "tiny",
            version: "0.1",
            architecture: .fasttext,
            text: .init(fields: ["description_activity", "other_nature_activity"]),
            fasttext: settings,
            categorical: [
                CategoricalFeature(
                    name: "type_form",
                    field: "type_form",
                    vocabulary: ["NaN", "M", "X"],
                    unknownId: 0,
                    tokenPrefix: "TYPE_"
                )
            ],
            labels: [
                .init(code: "1071C", label: "Boulangerie et boulangerie-pâtisserie"),
                .init(code: "4724Z", label: "Commerce de détail de pain"),
            ],
            decision: .init(topK: 2, probMin: 0, confidenceThreshold: 0.5),
            tensors: [],
            goldenExamples: [],
            weights: .init(file: ModelPackage.weightsFile, sha256: "", bytes: 0)
        )
    }

    /// Writes the tiny package, with golden examples recorded from its own answers.
    static func write(to directory: URL) throws -> ModelManifest {
        var manifest = try ModelPackage.write(manifest: manifest, tensors: tensors, to: directory)
        let classifier = Classifier(package: try ModelPackage.load(from: directory))
        let fields = ["description_activity": "pain", "type_form": "M"]
        let expected = classifier.classify(fields: fields).candidates.map {
            ModelManifest.ExpectedCandidate(code: $0.code, probability: $0.probability)
        }
        manifest.goldenExamples = [ModelManifest.GoldenExample(fields: fields, expected: expected)]
        try ModelPackage.writeManifest(manifest, to: directory)
        return manifest
    }
}
