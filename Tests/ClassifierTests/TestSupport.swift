import Foundation
import Synchronization
import Testing

@testable import Classifier

/// Fixture files and scratch directories shared by the classifier tests.
enum Fixtures {
    static func url(_ path: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(path)
    }

    static var labelsCSV: URL { url("fasttext/naf_labels.csv") }

    static func modelFile(_ name: String) -> String {
        name.hasSuffix("-quantized") ? "fasttext/\(name.dropLast("-quantized".count)).ftz" : "fasttext/\(name).bin"
    }

    /// A fresh directory under the system's temporary directory.
    static func temporaryDirectory(_ name: String = #function) -> URL {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("classifier-tests-\(safe)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Fixture models imported so far, by name: each is imported once per test process.
    private static let imported = Mutex<[String: ModelPackage]>([:])

    /// Fixture model `name` (`softmax`, `ova`, `hs`, or `softmax-quantized`, `ova-quantized`
    /// for the `.ftz` copies) imported into a package. The package directory is deleted once
    /// loaded: the weights stay mapped, and test runs leave nothing behind.
    static func importedPackage(_ name: String) throws -> ModelPackage {
        if let package = imported.withLock({ $0[name] }) { return package }
        let directory = temporaryDirectory("import-\(name)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let package = try FastTextImporter.importModel(
            from: url(modelFile(name)),
            labels: labelsCSV,
            name: "fixture-\(name)",
            version: "1",
            to: directory
        )
        imported.withLock { $0[name] = package }
        return package
    }
}

/// fastText's recorded answers for one fixture model.
struct RecordedPredictions: Decodable {
    struct Case: Decodable {
        var text: String
        var k: Int
        var threshold: Double
        var labels: [String]
        var probabilities: [Double]
    }

    struct Subwords: Decodable {
        var word: String
        var rows: [Int32]
    }

    var model: String
    var loss: String
    var subwords: [Subwords]
    var cases: [Case]

    static func load(_ name: String) throws -> RecordedPredictions {
        let data = try Data(contentsOf: Fixtures.url("fasttext/\(name).predictions.json"))
        return try JSONDecoder().decode(RecordedPredictions.self, from: data)
    }
}
