import Testing

@testable import Classifier

/// Our import of the torchTextClassifiers fixtures against the library's own unrounded softmax.
///
/// Probabilities are compared by code. Ranks must agree, except between codes whose recorded
/// probabilities are closer than 1e-5: `torch.topk` leaves the order of near-equal values
/// undefined, and float32 summation order alone can swap them (the spec, §5).
@Suite("torchTextClassifiers fidelity")
struct TTCFidelityTests {
    static let tolerance = 1e-4
    static let tieGap = 1e-5

    @Test("top-5 codes and probabilities within 1e-4 of the library on all 671 inputs", arguments: TTCFixtures.models)
    func predictionsMatchLibrary(model: String) throws {
        let package = try TTCFixtures.importedPackage(model)
        let recorded = try TTCFixtures.predictions(model)
        #expect(recorded.count == 671)
        let classifier = Classifier(package: package)
        var largestDifference = 0.0
        for line in recorded {
            let all = classifier.classify(fields: line.fields, topK: package.manifest.labels.count)
            let ours = Dictionary(uniqueKeysWithValues: all.candidates.map { ($0.code, $0.probability) })
            for expected in line.top5 {
                let difference = abs((ours[expected.code] ?? -1) - expected.probability)
                largestDifference = max(largestDifference, difference)
                #expect(difference <= Self.tolerance, "p(\(expected.code)) of \(String(reflecting: line.text))")
            }
            let problem = Self.rankProblem(ours: all.candidates.prefix(5).map(\.code), recorded: line)
            #expect(problem == nil, "\(problem ?? "") for \(String(reflecting: line.text))")
        }
        print("ttc fidelity \(model): \(recorded.count) inputs, max |Δp| = \(largestDifference)")
    }

    /// Where our top 5 differs from the recorded one by more than a swap of near-equal neighbours.
    static func rankProblem(ours: [String], recorded line: TTCFixtures.Prediction) -> String? {
        let recordedProbability = Dictionary(uniqueKeysWithValues: line.top5.map { ($0.code, $0.probability) })
        for (rank, (code, expected)) in zip(ours, line.top5).enumerated() where code != expected.code {
            // A code outside the recorded top 5 can only be the recorded 6th, at rank 5.
            let probability = recordedProbability[code] ?? (rank == 4 ? line.p6 : -1)
            if abs(probability - expected.probability) >= tieGap {
                return "rank \(rank + 1) is \(code), the library's is \(expected.code)"
            }
        }
        return ours.count == 5 ? nil : "only \(ours.count) candidates"
    }

    @Test("the batched path (one sgemm) gives the single path's answers", arguments: TTCFixtures.models)
    func batchMatchesSingle(model: String) throws {
        let package = try TTCFixtures.importedPackage(model)
        let forms = try TTCFixtures.predictions(model).map(\.fields)
        let classifier = Classifier(package: package)
        let batched = classifier.classify(batchOfFields: forms, topK: 10)
        #expect(batched.count == forms.count)
        for (form, batch) in zip(forms, batched) {
            let single = classifier.classify(fields: form, topK: 10)
            let singleByCode = Dictionary(uniqueKeysWithValues: single.candidates.map { ($0.code, $0.probability) })
            #expect(single.candidates.first?.code == batch.candidates.first?.code || single.confidenceIndex < 1e-5)
            for candidate in batch.candidates.prefix(5) {
                #expect(abs((singleByCode[candidate.code] ?? -1) - candidate.probability) < 1e-5)
            }
            #expect(abs(single.confidenceIndex - batch.confidenceIndex) < 1e-5)
        }
    }

    @Test("a text alone takes every categorical feature's unknown id, as in the batch of texts")
    func textAloneUsesUnknownIds() throws {
        let package = try TTCFixtures.importedPackage("avg-concat")
        let classifier = Classifier(package: package)
        let text = "boulangerie pâtisserie"
        let unknown = ["description_activity": text, "type_form": "__unknown__", "event": "__unknown__"]
        let alone = classifier.classify(text: text)
        #expect(alone == classifier.classify(fields: ["description_activity": text, "type_form": "??"]))
        #expect(alone == classifier.classify(fields: unknown))
        let batch = try #require(classifier.classify(batch: [text]).first)
        #expect(batch.candidates.map(\.code) == alone.candidates.map(\.code))
    }

    @Test("the decision follows p1 − p2 against the threshold")
    func decisionFromConfidence() throws {
        let package = try TTCFixtures.importedPackage("avg-concat")
        let classifier = Classifier(package: package)
        let form = ["description_activity": "Aquaculture en mer", "type_form": "M", "event": "54P"]
        let prediction = classifier.classify(fields: form)
        let candidates = prediction.candidates
        #expect(candidates.count == package.manifest.decision.topK)
        #expect(abs(prediction.confidenceIndex - (candidates[0].probability - candidates[1].probability)) < 1e-7)
        classifier.policy.confidenceThreshold = prediction.confidenceIndex
        #expect(classifier.classify(fields: form).decision == .autoCoded)
        classifier.policy.confidenceThreshold = prediction.confidenceIndex + 0.01
        #expect(classifier.classify(fields: form).decision == .manualReview)
        classifier.policy.probMin = 0.5
        #expect(classifier.classify(fields: form).candidates.map(\.code) == ["0321Z"])
    }
}
