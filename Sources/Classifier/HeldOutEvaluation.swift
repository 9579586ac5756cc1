/// How a model does on labelled examples it was not trained on: the report of
/// `streamcoder models train` on its held-out split.
public struct HeldOutEvaluation: Sendable, Equatable {
    /// Examples evaluated.
    public var count = 0
    /// Examples whose code is the top candidate.
    public var top1 = 0
    /// Examples whose code is among the five best candidates.
    public var top5 = 0
    /// Examples whose confidence index reached the threshold.
    public var autoCoded = 0
    /// Auto-coded examples whose top candidate is right.
    public var autoCodedCorrect = 0
    /// The confidence threshold used.
    public var threshold: Double

    /// Share of examples with the right top-1 code.
    public var top1Accuracy: Double { share(top1, of: count) }
    /// Share of examples with the right code in the top 5.
    public var top5Accuracy: Double { share(top5, of: count) }
    /// Share of examples that would be coded automatically.
    public var autoCodingRate: Double { share(autoCoded, of: count) }
    /// Accuracy of the automatically coded examples.
    public var autoCodedAccuracy: Double { share(autoCodedCorrect, of: autoCoded) }

    /// Classifies every example's text (given as form field `field`) and counts.
    public init(classifier: Classifier, examples: [TrainingExample], field: String, threshold: Double) {
        self.threshold = threshold
        for example in examples {
            let prediction = classifier.classify(fields: [field: example.text], topK: 5)
            let codes = prediction.candidates.map(\.code)
            count += 1
            if codes.first == example.label { top1 += 1 }
            if codes.contains(example.label) { top5 += 1 }
            if !codes.isEmpty && prediction.confidenceIndex >= threshold {
                autoCoded += 1
                if codes.first == example.label { autoCodedCorrect += 1 }
            }
        }
    }

    private func share(_ part: Int, of whole: Int) -> Double {
        whole == 0 ? 0 : Double(part) / Double(whole)
    }
}
