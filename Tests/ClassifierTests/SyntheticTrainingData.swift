import Foundation

@testable import Classifier

/// A labelled data set a linear model can separate: each code has its own vocabulary, and every
/// text mixes two or three of its code's words with words shared by all codes.
enum SyntheticTrainingData {
    static let codes = ["1071C", "4399C", "5610A", "6201Z", "7022Z", "9602A"]
    static let shared = ["ACTIVITE", "VENTE", "SERVICES", "DE", "ET", "LA", "EN", "AUX"]

    /// The words that only code `index` uses.
    static let ownWords = [
        ["PAIN", "BOULANGERIE", "VIENNOISERIE", "FOURNIL"],
        ["MACONNERIE", "BETON", "PARPAING", "CHAPE"],
        ["RESTAURANT", "CUISINE", "BRASSERIE", "REPAS"],
        ["LOGICIEL", "PROGRAMMATION", "DEVELOPPEMENT", "APPLICATIONS"],
        ["CONSEIL", "STRATEGIE", "GESTION", "ENTREPRISES"],
        ["COIFFURE", "COIFFEUR", "COUPE", "BRUSHING"],
    ]

    /// `perCode` examples for each code, interleaved, from a fixed seed.
    static func examples(perCode: Int, seed: UInt64 = 3) -> [TrainingExample] {
        var generator = SeededGenerator(seed: seed)
        var examples: [TrainingExample] = []
        for _ in 0..<perCode {
            for (index, code) in codes.enumerated() {
                let own = ownWords[index]
                var words = (0..<(2 + generator.index(below: 2))).map { _ in own[generator.index(below: own.count)] }
                words += (0..<3).map { _ in shared[generator.index(below: shared.count)] }
                generator.shuffle(&words)
                examples.append(TrainingExample(text: words.joined(separator: " "), label: code))
            }
        }
        return examples
    }

    /// A small, fast configuration.
    static func configuration(threads: Int = 1, seed: UInt64 = 11) -> TrainerConfiguration {
        TrainerConfiguration(dim: 8, epochs: 10, learningRate: 0.5, bucket: 2_000, threads: threads, seed: seed)
    }

    /// Writes `text` to a fresh CSV file and returns its path.
    static func csvFile(_ text: String, name: String = #function) throws -> String {
        let url = Fixtures.temporaryDirectory(name).appendingPathComponent("data.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
