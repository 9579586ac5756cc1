import Testing

@testable import Classifier

/// Our import of a fastText `.bin` against fastText's own `predict` on the same texts.
///
/// For softmax and one-vs-all fastText reports `exp(log(p + 1e-5))`: it adds 1e-5 to every
/// probability before taking the log it ranks by. We report `p` itself, so the recorded values
/// are compared minus 1e-5. For hierarchical softmax we report fastText's own path score.
@Suite("fastText fidelity")
struct FastTextFidelityTests {
    static let tolerance = 1e-5

    static func fastTextSmoothing(_ model: String) -> Double { model == "hs" ? 0 : 1e-5 }

    @Test(
        "same top-k codes in the same order and probabilities within 1e-5 on every recorded text",
        arguments: ["softmax", "ova", "hs", "softmax-quantized", "ova-quantized"]
    )
    func predictionsMatchFastText(model: String) throws {
        let package = try Fixtures.importedPackage(model)
        let recorded = try RecordedPredictions.load(model)
        #expect(recorded.cases.count >= 500)
        let classifier = Classifier(package: package)
        var largestDifference = 0.0
        for recordedCase in recorded.cases {
            classifier.policy.probMin = recordedCase.threshold
            let prediction = classifier.classify(text: recordedCase.text, topK: recordedCase.k)
            let codes = prediction.candidates.map(\.code)
            #expect(codes == recordedCase.labels, "codes of \(String(reflecting: recordedCase.text))")
            guard codes == recordedCase.labels else { continue }
            for (candidate, expected) in zip(prediction.candidates, recordedCase.probabilities) {
                let difference = abs(candidate.probability - (expected - Self.fastTextSmoothing(model)))
                largestDifference = max(largestDifference, difference)
            }
        }
        print("fastText fidelity \(model): \(recorded.cases.count) cases, max |Δp| = \(largestDifference)")
        #expect(largestDifference <= Self.tolerance)
    }

    @Test("the batched path (one sgemm) gives the single path's softmax answers")
    func batchMatchesSingle() throws {
        let package = try Fixtures.importedPackage("softmax")
        let texts = try RecordedPredictions.load("softmax").cases.prefix(300).map(\.text)
        let classifier = Classifier(package: package)
        let batched = classifier.classify(batch: texts)
        #expect(batched.count == texts.count)
        for (text, batch) in zip(texts, batched) {
            let single = classifier.classify(text: text)
            #expect(single.candidates.map(\.code) == batch.candidates.map(\.code))
            for (a, b) in zip(single.candidates, batch.candidates) {
                #expect(abs(a.probability - b.probability) < 1e-5)
            }
            #expect(abs(single.confidenceIndex - batch.confidenceIndex) < 1e-5)
            #expect(single.decision == batch.decision)
        }
    }

    /// sgemm sums in another order than fastText; a one-vs-all logit within rounding of a step
    /// of fastText's sigmoid table can land on the neighbouring step (at most 0.25 / 32 apart).
    @Test("the batched path's one-vs-all probabilities are within one sigmoid-table step of the single path's")
    func batchOneVsAllWithinTableStep() throws {
        let package = try Fixtures.importedPackage("ova")
        let texts = try RecordedPredictions.load("ova").cases.prefix(300).map(\.text)
        let classifier = Classifier(package: package)
        for (text, batch) in zip(texts, classifier.classify(batch: texts, topK: 1)) {
            let single = classifier.classify(text: text, topK: 1)
            let difference = abs(
                (single.candidates.first?.probability ?? 0) - (batch.candidates.first?.probability ?? 0)
            )
            #expect(difference <= 0.25 / 32 + 1e-6)
        }
    }

    @Test("a literal </s> ends the input and label-prefixed tokens are dropped, as in fastText")
    func endOfSentenceAndLabelTokens() throws {
        let package = try Fixtures.importedPackage("softmax")
        let classifier = Classifier(package: package)
        let eosOnly = classifier.classify(text: "")
        #expect(classifier.classify(text: "</s> boulangerie pâtisserie") == eosOnly)
        #expect(classifier.classify(text: "__label__1071C") == eosOnly)
        #expect(classifier.classify(text: "boulangerie __label__1071C") == classifier.classify(text: "boulangerie"))
    }
}

@Suite("Sharing a package")
struct SharedPackageTests {
    @Test("classifiers on several threads over one package give the single-threaded answers")
    func concurrentClassifiers() async throws {
        let package = try Fixtures.importedPackage("softmax")
        let texts = try RecordedPredictions.load("softmax").cases.prefix(200).map(\.text)
        let expected = texts.map { Classifier(package: package).classify(text: $0) }
        let results = await withTaskGroup(of: [Prediction].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let classifier = Classifier(package: package)
                    return texts.map { classifier.classify(text: $0) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 4)
        for predictions in results { #expect(predictions == expected) }
    }
}
