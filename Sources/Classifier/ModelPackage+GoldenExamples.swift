extension ModelPackage {
    /// Re-runs every golden example; the package is refused unless each gives its recorded
    /// codes, in order, with probabilities within the example's tolerance.
    func checkGoldenExamples(file: String) throws(ModelPackageError) {
        guard !manifest.goldenExamples.isEmpty else { return }
        let classifier = Classifier(package: self)
        for (number, example) in manifest.goldenExamples.enumerated() {
            let prediction = classifier.classify(fields: example.fields, topK: example.expected.count)
            if let problem = Self.mismatch(prediction, example) {
                throw ModelPackageError(
                    .goldenExampleMismatch,
                    file: file,
                    problem: "golden example \(number) \(problem)",
                    remedy: "the weights or this build's inference differ from the ones that made the "
                        + "package; do not serve it, and re-import the model if the source is trusted"
                )
            }
        }
    }

    private static func mismatch(_ prediction: Prediction, _ example: ModelManifest.GoldenExample) -> String? {
        let codes = prediction.candidates.map(\.code)
        let expectedCodes = example.expected.map(\.code)
        guard codes == expectedCodes else {
            return "gives \(codes), expected \(expectedCodes)"
        }
        for (candidate, expected) in zip(prediction.candidates, example.expected)
        where abs(candidate.probability - expected.probability) > example.tolerance {
            return "gives \(candidate.code) probability \(candidate.probability), expected \(expected.probability)"
        }
        return nil
    }
}
