import Foundation
import Testing

@testable import Classifier

@Suite("Model package")
struct ModelPackageTests {
    @Test("tensors written to weights.safetensors read back byte for byte, aligned")
    func safetensorsRoundTrip() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = try TinyModel.write(to: directory)
        let file = try MappedFile(path: directory.appendingPathComponent(manifest.weights.file).path)
        let layout = try SafeTensorsLayout(parsing: file.bytes, file: file.path)
        #expect(layout.dataStart % 8 == 0)
        for tensor in TinyModel.tensors {
            let entry = try #require(layout.entries[tensor.name])
            #expect(entry.dtype == tensor.dtype)
            #expect(entry.shape == tensor.shape)
            let start = layout.dataStart + entry.dataOffsets[0]
            #expect(Array(file.bytes[start..<layout.dataStart + entry.dataOffsets[1]]) == tensor.bytes)
            #expect(start % tensor.dtype.size == 0)
        }
        #expect(layout.entries.count == TinyModel.tensors.count)
    }

    @Test("a written package loads with the manifest it was written with")
    func manifestRoundTrip() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let written = try TinyModel.write(to: directory)
        let package = try ModelPackage.load(from: directory)
        #expect(package.manifest == written)
        #expect(written.weights.sha256.count == 64)
        #expect(written.goldenExamples.count == 1)
        let json = try String(contentsOf: directory.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(json.contains("\"prob_min\""))
        #expect(json.contains("\"word_ngrams\""))
    }

    @Test("an imported fastText package keeps its settings, labels and vocabulary")
    func importKeepsFastTextLayout() throws {
        let package = try Fixtures.importedPackage("softmax")
        let settings = try #require(package.manifest.fasttext)
        #expect(settings.dim == 16 && settings.minn == 3 && settings.maxn == 6)
        #expect(settings.wordNgrams == 2 && settings.bucket == 20000 && settings.loss == .softmax)
        #expect(package.manifest.labels.count == 732)
        #expect(package.manifest.labels.allSatisfy { !$0.label.isEmpty })
        #expect(package.fasttext.tokenizer.vocabulary.count == settings.wordCount)
        #expect(package.fasttext.tokenizer.vocabulary.word(0) == "</s>")
        #expect(package.manifest.goldenExamples.count == FastTextImporter.goldenExampleCount)
    }

    @Test("the decision follows the confidence index against the threshold")
    func decisionFromConfidence() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try TinyModel.write(to: directory)
        let classifier = Classifier(package: try ModelPackage.load(from: directory))
        let prediction = classifier.classify(text: "pain")
        let probabilities = prediction.candidates.map(\.probability)
        #expect(abs(prediction.confidenceIndex - (probabilities[0] - probabilities[1])) < 1e-7)
        classifier.policy.confidenceThreshold = prediction.confidenceIndex
        #expect(classifier.classify(text: "pain").decision == .autoCoded)
        classifier.policy.confidenceThreshold = prediction.confidenceIndex + 0.01
        #expect(classifier.classify(text: "pain").decision == .manualReview)
        classifier.policy.probMin = probabilities[0]
        #expect(classifier.classify(text: "pain").candidates.map(\.code) == [prediction.candidates[0].code])
    }
}
