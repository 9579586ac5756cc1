import Foundation
import Synchronization

@testable import Classifier

/// The torchTextClassifiers fixture models (`Fixtures/ttc/<model>/`) and their recorded answers.
enum TTCFixtures {
    static let models = ["avg-concat", "sum", "concat-raw"]

    static func directory(_ model: String) -> URL { Fixtures.url("ttc/\(model)") }

    private static let imported = Mutex<[String: ModelPackage]>([:])

    /// Fixture model `name` imported into a package, once per test process; the package
    /// directory is deleted once loaded (the weights stay mapped).
    static func importedPackage(_ name: String) throws -> ModelPackage {
        if let package = imported.withLock({ $0[name] }) { return package }
        let output = Fixtures.temporaryDirectory("ttc-import-\(name)")
        defer { try? FileManager.default.removeItem(at: output) }
        let package = try TTCImporter.importModel(
            from: directory(name),
            labels: Fixtures.labelsCSV,
            name: "fixture-ttc-\(name)",
            version: "1",
            to: output
        )
        imported.withLock { $0[name] = package }
        return package
    }

    /// One line of `predictions.jsonl`: the library's unrounded top 5 (and 6th probability).
    struct Prediction: Decodable {
        var text: String
        var categorical: [String: String]
        var encoded: [Int]
        var cleaned: String
        var top5: [Ranked]
        var p6: Double

        /// `[code, probability]`.
        struct Ranked: Decodable {
            var code: String
            var probability: Double

            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                code = try container.decode(String.self)
                probability = try container.decode(Double.self)
            }
        }

        /// The form fields a worker would give for this input.
        var fields: [String: String] { categorical.merging(["description_activity": text]) { $1 } }
    }

    /// One line of `tokens.jsonl`: the tokenizer's ids for one text, padded.
    struct Tokens: Decodable {
        var text: String
        var inputIds: [Int32]
        var attentionMask: [Int]

        enum CodingKeys: String, CodingKey {
            case text
            case inputIds = "input_ids"
            case attentionMask = "attention_mask"
        }

        /// The ids the model reads (mask 1).
        var keptIds: [Int32] { zip(inputIds, attentionMask).filter { $0.1 == 1 }.map(\.0) }
    }

    static func lines<T: Decodable>(_ type: T.Type, _ file: String, of model: String) throws -> [T] {
        let data = try Data(contentsOf: directory(model).appendingPathComponent(file))
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).map { try decoder.decode(type, from: Data($0)) }
    }

    static func predictions(_ model: String) throws -> [Prediction] {
        try lines(Prediction.self, "predictions.jsonl", of: model)
    }

    static func tokens(_ model: String) throws -> [Tokens] {
        try lines(Tokens.self, "tokens.jsonl", of: model)
    }
}
