import Foundation
import Testing

@testable import Classifier

/// A hand-made ttc package without categorical features, checked against the forward pass
/// written out in double precision: ids, per-token RMS norm, mean, final RMS norm, head, softmax.
@Suite("A tiny ttc model")
final class TTCTinyModelTests {
    private let directory = Fixtures.temporaryDirectory("tiny-ttc")
    static let settings = TTCSettings(
        dim: 2,
        wordCount: 1,
        buckets: 3,
        minN: 2,
        maxN: 3,
        maxLength: nil,
        cleanText: true,
        combination: nil,
        categoricalDims: []
    )
    static let embeddings: [Float] = [9, 9, 0.5, -1, 0.25, 2, 1.5, 0.5, 0.3, -0.3, -0.4, 0.2, 0.05, 0.7]
    static let head: [Float] = [1, -0.5, -0.25, 2]
    static let bias: [Float] = [0.1, -0.1]

    deinit { try? FileManager.default.removeItem(at: directory) }

    private func write() throws -> ModelPackage {
        typealias Names = TTCSettings.TensorName
        let manifest = ModelManifest(
            name: "tiny-ttc",
            version: "1",
            architecture: .ttcNgram,
            text: .init(fields: ["description_activity"]),
            fasttext: nil,
            ttc: Self.settings,
            labels: [.init(code: "1071C", label: "Boulangerie"), .init(code: "4724Z", label: "Pain")]
        )
        let tensors = [
            Tensor(name: Names.tokenEmbeddings, shape: [7, 2], floats: Self.embeddings),
            Tensor(name: Names.headWeight, shape: [2, 2], floats: Self.head),
            Tensor(name: Names.headBias, shape: [2], floats: Self.bias),
            Tensor(name: Names.vocabularyOffsets, shape: [2], int64s: [0, 4]),
            Tensor(name: Names.vocabularyBytes, dtype: .u8, shape: [4], bytes: Array("pain".utf8)),
        ]
        try ModelPackage.write(manifest: manifest, tensors: tensors, to: directory)
        return try ModelPackage.load(from: directory)
    }

    /// The ids of one cleaned word, written out: word id, then `<word>`'s n-grams but the whole.
    static func expectedIds(_ word: String, wordId: Int?) -> [Int] {
        let tagged = Array(("<" + word + ">").unicodeScalars)
        var ids = wordId.map { [$0] } ?? []
        for n in 2...3 where n < tagged.count {
            for start in 0...(tagged.count - n)
            where String(String.UnicodeScalarView(tagged[start..<start + n])) != word {
                let hash = tagged[start..<start + n].reduce(UInt32(2_166_136_261)) { ($0 ^ $1.value) &* 16_777_619 }
                ids.append(4 + Int(hash % 3))
            }
        }
        return ids
    }

    static func expectedProbabilities(_ ids: [Int]) -> [Double] {
        var mean = [0.0, 0.0]
        for id in ids {
            let row = [Double(embeddings[2 * id]), Double(embeddings[2 * id + 1])]
            let rms = ((row[0] * row[0] + row[1] * row[1]) / 2 + 0x1p-23).squareRoot()
            mean = [mean[0] + row[0] / rms, mean[1] + row[1] / rms]
        }
        mean = mean.map { $0 / Double(ids.count) }
        let rms = ((mean[0] * mean[0] + mean[1] * mean[1]) / 2 + 0x1p-23).squareRoot()
        let z = mean.map { $0 / rms }
        let logits = (0..<2).map { Double(head[2 * $0]) * z[0] + Double(head[2 * $0 + 1]) * z[1] + Double(bias[$0]) }
        let exps = logits.map { exp($0 - logits.max()!) }
        return exps.map { $0 / exps.reduce(0, +) }
    }

    @Test("ids and probabilities follow the forward pass written out by hand")
    func forwardPass() throws {
        let package = try write()
        let model = try #require(package.ttcModel)
        var scratch = TTCTokenizer.Scratch()
        model.tokenizer.ids(of: "  PAIN, x!", into: &scratch)
        let ids = Self.expectedIds("pain", wordId: 3) + Self.expectedIds("x", wordId: nil) + [2]
        #expect(scratch.ids.map(Int.init) == ids)
        let prediction = Classifier(package: package).classify(fields: ["description_activity": "  PAIN, x!"])
        let expected = Self.expectedProbabilities(ids)
        let byCode = Dictionary(uniqueKeysWithValues: prediction.candidates.map { ($0.code, $0.probability) })
        #expect(abs(byCode["1071C"]! - expected[0]) < 1e-6)
        #expect(abs(byCode["4724Z"]! - expected[1]) < 1e-6)
    }

    @Test("a form without text is the empty text: EOS alone")
    func emptyText() throws {
        let package = try write()
        let prediction = Classifier(package: package).classify(fields: [:])
        let expected = Self.expectedProbabilities([2])
        #expect(abs(prediction.candidates[0].probability - expected.max()!) < 1e-6)
    }
}
