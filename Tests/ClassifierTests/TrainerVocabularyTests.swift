import Foundation
import Testing

@testable import Classifier

/// The trainer's vocabulary and row layout are the ones the inference tokenizer reads.
@Suite("Trainer vocabulary and row layout")
struct TrainerVocabularyTests {
    static let examples = [
        TrainingExample(text: "PAIN BETON PAIN", label: "A"),
        TrainingExample(text: "PAIN  RIZ", label: "B"),
        TrainingExample(text: "BETON", label: "A"),
    ]

    static var configuration: TrainerConfiguration {
        TrainerConfiguration(dim: 4, epochs: 5, minn: 3, maxn: 6, bucket: 1_000, minCount: 2, shuffle: false)
    }

    @Test("words and labels are counted as fastText's dictionary counts them, minCount applied")
    func dictionaryAsFastText() throws {
        let model = try Trainer(configuration: Self.configuration).train(Self.examples)
        // PAIN 3 and </s> 3 (one per example, PAIN seen first), BETON 2; RIZ (1) is under minCount.
        #expect(model.words == ["PAIN", "</s>", "BETON"])
        #expect(model.labels == ["A", "B"] && model.labelCounts == [2, 1])
        #expect(model.settings.wordCount == 3 && model.settings.inputRows == 3 + 1_000)
        // Six words, one </s> and one label per example: 6 + 3 + 3.
        #expect(model.report.tokensPerEpoch == 12)
    }

    @Test("a word seen in training maps to its trained row, and its char n-grams to fastText's buckets")
    func wordMapsToItsTrainedRow() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try Trainer(configuration: Self.configuration).train(Self.examples)
        let package = try model.writePackage(to: directory, name: "layout", version: "1")
        var scratch = FastTextTokenizer.Scratch()
        package.fasttext.tokenizer.rows(of: "BETON", into: &scratch)
        let word = try #require(model.words.firstIndex(of: "BETON"))
        #expect(scratch.rows.first == Int32(word))
        #expect(Array(scratch.rows.dropFirst().prefix(3)) == Self.bucketRows(["<BE", "<BET", "<BETO"], model))
        let dim = model.settings.dim
        let packaged = UnsafeBufferPointer(start: package.fasttext.input + word * dim, count: dim)
        #expect(Array(packaged) == Array(model.input[(word * dim)..<((word + 1) * dim)]))
    }

    @Test("a word under minCount has no row of its own but keeps its char n-grams")
    func rareWordKeepsNgrams() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try Trainer(configuration: Self.configuration).train(Self.examples)
        let package = try model.writePackage(to: directory, name: "layout", version: "1")
        var scratch = FastTextTokenizer.Scratch()
        package.fasttext.tokenizer.rows(of: "RIZ", into: &scratch)
        let ngrams = Self.bucketRows(["<RI", "<RIZ", "<RIZ>", "RIZ", "RIZ>", "IZ>"], model)
        #expect(Array(scratch.rows.prefix(6)) == ngrams)
        #expect(scratch.rows[6] == Int32(try #require(model.words.firstIndex(of: "</s>"))))
    }

    @Test("the packaged classifier computes the trainer's own forward pass")
    func classifierAgreesWithTrainedMatrices() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try Trainer(configuration: Self.configuration).train(Self.examples)
        let package = try model.writePackage(to: directory, name: "layout", version: "1")
        var scratch = FastTextTokenizer.Scratch()
        package.fasttext.tokenizer.rows(of: "PAIN RIZ", into: &scratch)
        let expected = Self.probabilities(rows: scratch.rows, model)
        let prediction = Classifier(package: package).classify(text: "PAIN RIZ", topK: 2)
        for candidate in prediction.candidates {
            let label = try #require(model.labels.firstIndex(of: candidate.code))
            #expect(abs(candidate.probability - expected[label]) < 1e-6)
        }
    }

    /// fastText's bucket rows: FNV-1a of the n-gram, modulo the buckets, after the words.
    static func bucketRows(_ ngrams: [String], _ model: TrainedModel) -> [Int32] {
        ngrams.map { Int32(model.settings.wordCount + Int(FastTextHash.hash($0) % UInt32(model.settings.bucket))) }
    }

    /// Softmax of `output · mean(input rows)`, computed from the trainer's matrices in `Double`.
    static func probabilities(rows: [Int32], _ model: TrainedModel) -> [Double] {
        let dim = model.settings.dim
        var hidden = [Double](repeating: 0, count: dim)
        for row in rows {
            for index in 0..<dim { hidden[index] += Double(model.input[Int(row) * dim + index]) / Double(rows.count) }
        }
        let scores = model.labels.indices.map { label in
            (0..<dim).reduce(0.0) { $0 + Double(model.output[label * dim + $1]) * hidden[$1] }
        }
        let exponentials = scores.map { exp($0 - scores.max()!) }
        return exponentials.map { $0 / exponentials.reduce(0, +) }
    }
}
