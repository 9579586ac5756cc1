import Foundation
import Testing

@testable import Classifier

@Suite("Explanations")
struct ExplanationTests {
    let package: ModelPackage = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try! ModelPackage.load(from: root.appendingPathComponent("Models/naf-demo"))
    }()

    @Test func tokenContributionsAddUpToTheLogitDifferenceOfTwoCodes() {
        let classifier = Classifier(package: package)
        let text = package.manifest.text(fromFields: ["description_activity": "COIFFURE A DOMICILE"])
        let prediction = classifier.classify(text: text, topK: 2)
        let (first, second) = (prediction.candidates[0], prediction.candidates[1])
        let logitFirst = classifier.explain(text: text, code: first.code).reduce(0) { $0 + $1.contribution }
        let logitSecond = classifier.explain(text: text, code: second.code).reduce(0) { $0 + $1.contribution }
        // Softmax: log p1 − log p2 is the difference of the two logits.
        #expect(abs((logitFirst - logitSecond) - (log(first.probability) - log(second.probability))) < 1e-3)
    }

    @Test func everyRowOfTheTextIsAttributedToExactlyOneToken() {
        let classifier = Classifier(package: package)
        let text = "  VENTE   DE PIZZAS\tA EMPORTER "
        var scratch = FastTextTokenizer.Scratch()
        classifier.model.tokenizer.rows(of: text, into: &scratch)
        let groups = classifier.model.tokenizer.rowsByToken(of: text)
        #expect(groups.flatMap(\.rows).sorted() == scratch.rows.sorted())
        #expect(groups.map(\.token).contains("PIZZAS"))
        #expect(groups.map(\.token).contains("</s>"))
        #expect(groups.map(\.token).contains("DE PIZZAS"))
    }

    @Test func theTopTokenOfAnObviousTextIsItsKeyWord() {
        // The text as the model sees it: after the package's preprocessing (stems, lower case).
        let text = package.manifest.text(fromFields: ["description_activity": "Coiffure à domicile"])
        #expect(text == "coiffur domicil")
        let explanation = Classifier(package: package).explain(text: text)
        #expect(explanation.first?.token == "coiffur")
        #expect(explanation.count >= 3)
    }
}
