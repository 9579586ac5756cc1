import Foundation
import Testing

@testable import Classifier

/// The ttc importer writes a complete package, and refuses a bad export with a typed error
/// naming the file at fault.
@Suite("torchTextClassifiers importer")
final class TTCImporterTests {
    private let export = Fixtures.temporaryDirectory("ttc-export")
    private let output = Fixtures.temporaryDirectory("ttc-package")

    init() throws {
        for file in [TTCExport.file, TTCImporter.tokenizerFile, TTCImporter.weightsFile] {
            try FileManager.default.copyItem(
                at: TTCFixtures.directory("avg-concat").appendingPathComponent(file),
                to: export.appendingPathComponent(file)
            )
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: export)
        try? FileManager.default.removeItem(at: output)
    }

    private func importExport(labels: URL = Fixtures.labelsCSV, unknownValue: String? = nil) throws -> ModelPackage {
        try TTCImporter.importModel(
            from: export,
            labels: labels,
            name: "ttc",
            version: "1",
            to: output,
            unknownValue: unknownValue
        )
    }

    private func editJSON(_ file: String, _ edit: (inout [String: Any]) -> Void) throws {
        let url = export.appendingPathComponent(file)
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }

    private func refusal(_ code: ModelPackageError.Code, naming file: String, labels: URL = Fixtures.labelsCSV) {
        #expect {
            _ = try importExport(labels: labels)
        } throws: { error in
            guard let error = error as? ModelPackageError else { return false }
            return error.code == code && error.file.hasSuffix(file) && error.description.contains(file)
        }
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent(ModelPackage.manifestFile).path))
    }

    @Test("the package declares ttc-ngram with the tokenizer settings and loads back with its golden examples")
    func packageContents() throws {
        _ = try importExport()
        let package = try ModelPackage.load(from: output)
        let manifest = package.manifest
        #expect(manifest.architecture == .ttcNgram)
        #expect(manifest.fasttext == nil)
        let settings = try #require(manifest.ttc)
        #expect(settings.wordCount == 1564 && settings.buckets == 3000 && settings.dim == 16)
        #expect(settings.minN == 3 && settings.maxN == 6 && settings.maxLength == nil && settings.cleanText)
        #expect(settings.combination == .averageAndConcat && settings.categoricalDims == [8, 8])
        #expect(manifest.categorical.map(\.field) == ["type_form", "event"])
        #expect(manifest.categorical.map(\.unknownId) == [0, 0])
        #expect(manifest.labels.count == 732 && manifest.labels[0].code == "0111Z")
        #expect(manifest.goldenExamples.count == 5)
        let text = try String(contentsOf: output.appendingPathComponent(ModelPackage.manifestFile), encoding: .utf8)
        #expect(text.contains("\"architecture\" : \"ttc-ngram\""))
        #expect(text.contains("\"combination\" : \"average_and_concat\""))
    }

    @Test("a missing categorical value is read as --missing-value when the package names one (Insee fills NaN)")
    func missingValueStandsForMissingFields() throws {
        let vocabulary = try importExport().manifest.categorical[0].vocabulary
        let known = try #require(vocabulary.dropFirst().first)
        func top(_ package: ModelPackage, _ fields: [String: String]) -> [String] {
            Classifier(package: package).classify(fields: fields, topK: 5).candidates.map {
                "\($0.code) \($0.probability)"
            }
        }
        let text = ["description_activity": "vente de pain et patisserie", "event": vocabulary[0]]
        let plain = try importExport()
        #expect(plain.manifest.categorical.allSatisfy { $0.missingValue == nil })
        let asUnknown = top(plain, text.merging(["type_form": vocabulary[0]]) { $1 })
        let asKnown = top(plain, text.merging(["type_form": known]) { $1 })
        #expect(asUnknown != asKnown, "the test needs a value that changes the answer")
        #expect(top(plain, text) == asUnknown)
        #expect(top(plain, text.merging(["type_form": ""]) { $1 }) == asUnknown)

        try FileManager.default.removeItem(at: output)
        let filled = try TTCImporter.importModel(
            from: export,
            labels: Fixtures.labelsCSV,
            name: "ttc",
            version: "1",
            to: output,
            missingValue: known
        )
        #expect(filled.manifest.categorical.allSatisfy { $0.missingValue == known })
        let reloaded = try ModelPackage.load(from: output)
        #expect(top(reloaded, text) == asKnown)
        #expect(top(reloaded, text.merging(["type_form": ""]) { $1 }) == asKnown)
        #expect(top(reloaded, text.merging(["type_form": vocabulary[0]]) { $1 }) == asUnknown)
    }

    @Test("a missing export file")
    func missingFile() throws {
        try FileManager.default.removeItem(at: export.appendingPathComponent(TTCExport.file))
        refusal(.fileUnreadable, naming: TTCExport.file)
    }

    @Test("an export that is not JSON")
    func notJSON() throws {
        try Data("{\"format\":".utf8).write(to: export.appendingPathComponent(TTCImporter.tokenizerFile))
        refusal(.sourceInvalid, naming: TTCImporter.tokenizerFile)
    }

    @Test("a model with attention blocks")
    func attentionModel() throws {
        try editJSON(TTCExport.file) { $0["attention_config"] = ["n_layers": 2] }
        refusal(.sourceInvalid, naming: TTCExport.file)
    }

    @Test("a tokenizer whose vocabulary does not fit its word count")
    func vocabularyMismatch() throws {
        try editJSON(TTCImporter.tokenizerFile) { $0["nwords"] = 1563 }
        refusal(.sourceInvalid, naming: TTCImporter.tokenizerFile)
    }

    @Test("weights whose embedding does not have the tokenizer's rows")
    func embeddingRowsMismatch() throws {
        try editJSON(TTCImporter.tokenizerFile) {
            $0["num_tokens"] = 2999
            $0["vocab_size"] = 4566
        }
        try editJSON(TTCExport.file) { $0["vocab_size"] = 4566 }
        refusal(.sourceInvalid, naming: TTCImporter.weightsFile)
    }

    @Test("truncated weights")
    func truncatedWeights() throws {
        let url = export.appendingPathComponent(TTCImporter.weightsFile)
        try Data(contentsOf: url).dropLast(100).write(to: url)
        refusal(.weightsInvalid, naming: TTCImporter.weightsFile)
    }

    @Test("no reserved value for unseen categorical values, unless one is given")
    func unknownValueRequired() throws {
        try editJSON(TTCExport.file) { $0["unknown_categorical_value"] = NSNull() }
        refusal(.sourceInvalid, naming: TTCExport.file)
        #expect(throws: ModelPackageError.self) { _ = try self.importExport(unknownValue: "C") }
        let package = try importExport(unknownValue: "__unknown__")
        #expect(package.manifest.categorical.map(\.unknownId) == [0, 0])
    }

    @Test("a class missing from the labels CSV")
    func labelMissing() throws {
        let labels = export.appendingPathComponent("labels.csv")
        try Data("code,label\n0111Z,Culture de céréales\n".utf8).write(to: labels)
        refusal(.labelMissing, naming: "labels.csv", labels: labels)
    }

    @Test("a ttc package whose settings or features no longer fit its weights is refused at load")
    func editedPackageRefused() throws {
        _ = try importExport()
        let manifestURL = output.appendingPathComponent(ModelPackage.manifestFile)
        let original = try ModelPackage.readManifest(at: manifestURL.path)
        let edits: [(ModelPackageError.Code, String, (inout ModelManifest) -> Void)] = [
            (.tensorMismatch, ModelPackage.weightsFile, { $0.ttc?.buckets = 2999 }),
            (.manifestInvalid, ModelPackage.manifestFile, { $0.categorical[1].unknownId = 6 }),
            (.manifestInvalid, ModelPackage.manifestFile, { $0.ttc?.combination = .sumToText }),
            (.manifestInvalid, ModelPackage.manifestFile, { $0.ttc = nil }),
        ]
        for (code, file, edit) in edits {
            var manifest = original
            edit(&manifest)
            try ModelPackage.encodeManifest(manifest).write(to: manifestURL)
            #expect {
                _ = try ModelPackage.load(from: self.output)
            } throws: { error in
                (error as? ModelPackageError).map { $0.code == code && $0.file.hasSuffix(file) } ?? false
            }
        }
    }
}
