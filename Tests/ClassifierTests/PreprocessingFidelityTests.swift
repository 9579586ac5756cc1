import Foundation
import Testing

@testable import Classifier

/// Our text preprocessing against the Python originals (unidecode, NLTK's French stopwords and
/// Snowball stemmer, Insee's pre-tokenizer steps), as recorded by
/// `scripts/fixtures/text/make-preprocessing-fixtures.py`.
@Suite("Text preprocessing against the Python originals")
struct PreprocessingFidelityTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/preprocessing")

    @Test func theInseePipelineGivesPythonsStringForEveryRecordedInput() throws {
        struct Case: Decodable {
            var input: String
            var output: String
        }
        let lines = try String(contentsOf: Self.fixtures.appendingPathComponent("pipeline.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        let cases = try lines.map { try JSONDecoder().decode(Case.self, from: Data($0.utf8)) }
        #expect(cases.count >= 5_000)
        let wrong = cases.filter { TextPreprocessing.insee.apply($0.input) != $0.output }
        let examples = wrong.prefix(8).map { "\($0.input) → \(TextPreprocessing.insee.apply($0.input)) ≠ \($0.output)" }
        #expect(wrong.isEmpty, "\(wrong.count) of \(cases.count) differ, e.g.\n\(examples.joined(separator: "\n"))")
    }

    @Test func theStemmerGivesNLTKsStemForEveryWordOfTheNAFLabels() throws {
        let rows = try String(contentsOf: Self.fixtures.appendingPathComponent("stems.tsv"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count > 1_500)
        let wrong = rows.filter { FrenchStemmer.stem($0[0]) != $0[1] }
        let examples = wrong.prefix(10).map { "\($0[0]) → \(FrenchStemmer.stem($0[0])) ≠ \($0[1])" }
        #expect(wrong.isEmpty, "\(wrong.count) of \(rows.count) differ, e.g. \(examples.joined(separator: ", "))")
    }

    @Test func stepsRunInPipelineOrderAndEachCanBeLeftOut() throws {
        let text = "Œuvres d'ART à Paris: 2 ateliers, l'été!"
        #expect(TextPreprocessing(steps: []).apply(text) == text, "no step: the text as it is")
        #expect(TextPreprocessing(steps: [.transliterate]).apply(text) == "OEuvres d'ART a Paris: 2 ateliers, l'ete!")
        #expect(
            TextPreprocessing(steps: [.lowercase, .transliterate]).apply(text)
                == "oeuvres d'art a paris: 2 ateliers, l'ete!"
        )
        // Without lower-casing first, the alphanumeric step keeps lower-case letters only, as Insee's does.
        #expect(TextPreprocessing(steps: [.alphanumeric]).apply(text) == "uvres d à aris 2 ateliers l été")
        #expect(
            TextPreprocessing(steps: [.transliterate, .lowercase, .alphanumeric, .dropSingleLetters]).apply(text)
                == "oeuvres art paris ateliers ete"
        )
        #expect(TextPreprocessing.insee.apply(text) == "oeuvr art paris ateli ete")
        #expect(
            TextPreprocessing(named: "lowercase,transliterate")
                == TextPreprocessing(steps: [.transliterate, .lowercase])
        )
        #expect(TextPreprocessing(named: "insee") == .insee)
        #expect(TextPreprocessing(named: "transliterate,stemming") == nil, "an unknown step is refused")
    }

    @Test func aPackageWithPreprocessingCodesLowerCaseAccentedTextAsTheUpperCaseUnaccentedForm() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try FastTextImporter.importModel(
            from: Fixtures.url(Fixtures.modelFile("softmax")),
            labels: Fixtures.labelsCSV,
            name: "fixture-preprocessed",
            version: "1",
            to: directory,
            text: .init(fields: ["description_activity"], preprocessing: .insee)
        )
        let package = try ModelPackage.load(from: directory)
        #expect(package.manifest.text.preprocessing == .insee, "the manifest records the pipeline")
        let plain = try Fixtures.importedPackage("softmax")
        let labels = try LabelsCSV.read(Fixtures.labelsCSV).sorted { $0.key < $1.key }.map(\.value)
            .filter { $0.unicodeScalars.contains { !$0.isASCII } }
            .prefix(60)
        #expect(labels.count == 60, "60 labels with accents")
        var plainDiffers = 0
        for label in labels {
            let natural = label.lowercased()
            let registry = Transliteration.ascii(label).uppercased()  // as forms arrive: upper case, no accents
            let fields = { (text: String) in ["description_activity": text] }
            let answers = [natural, registry].map { Classifier(package: package).classify(fields: fields($0), topK: 3) }
            #expect(answers[0].candidates == answers[1].candidates, "\(natural) / \(registry)")
            let raw = [natural, registry].map { Classifier(package: plain).classify(fields: fields($0), topK: 3) }
            if raw[0].candidates != raw[1].candidates { plainDiffers += 1 }
        }
        #expect(plainDiffers > 30, "without preprocessing most pairs differ (\(plainDiffers) of 60)")
    }

    @Test func joinedFieldsAreCodedAsOneTextAsInseesModelsRead() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let package = try FastTextImporter.importModel(
            from: Fixtures.url(Fixtures.modelFile("softmax")),
            labels: Fixtures.labelsCSV,
            name: "fixture-joined",
            version: "1",
            to: directory,
            text: .init(
                fields: ["description_activity", "other_nature_activity", "precision_act_sec_agricole"],
                preprocessing: .insee
            )
        )
        #expect(
            package.manifest.text.fields == [
                "description_activity", "other_nature_activity", "precision_act_sec_agricole",
            ]
        )
        let split = ["description_activity": "Culture de céréales", "other_nature_activity": "et de légumineuses"]
        let whole = ["description_activity": "Culture de céréales et de légumineuses"]
        #expect(package.manifest.text(fromFields: split) == package.manifest.text(fromFields: whole))
        var glued = package.manifest
        glued.text.separator = ""
        #expect(
            glued.text(fromFields: split)
                == glued.text(fromFields: ["description_activity": "Culture de céréaleset de légumineuses"])
        )
        #expect(glued.text(fromFields: split) != package.manifest.text(fromFields: whole))
        let classifier = Classifier(package: package)
        #expect(classifier.classify(fields: split).candidates == classifier.classify(fields: whole).candidates)
    }
}
