import Foundation
import Testing

@testable import Classifier

/// The Bloom filter a package keeps of its training texts.
@Suite("Training-set fingerprint")
struct TrainingSetFingerprintTests {
    @Test func everyTrainingTextIsSeenAndAboutOneInAThousandOfOthersAre() {
        let training = (0..<2_000).map { "cultur cereal \($0)" } + ["coiffur", "coiffur"]
        let fingerprint = TrainingSetFingerprint(texts: training)
        #expect(fingerprint.examples == 2_002 && fingerprint.distinctTexts == 2_001)
        #expect(training.allSatisfy(fingerprint.contains), "no training text is missed")
        let others = (0..<20_000).map { "autre text \($0)" }
        let falsePositives = others.filter(fingerprint.contains).count
        // Designed for 0.1 %: 20 expected; 0.3 % would mean a broken filter.
        #expect(falsePositives < 60, "\(falsePositives) of 20,000 unseen texts reported as seen")
    }

    @Test func aFingerprintSurvivesTheManifestsJSON() throws {
        let fingerprint = TrainingSetFingerprint(texts: ["boulang", "patisser"])
        let decoded = try JSONDecoder().decode(
            TrainingSetFingerprint.self,
            from: try JSONEncoder().encode(fingerprint)
        )
        #expect(decoded == fingerprint && decoded.contains("boulang") && !decoded.contains("boucher"))
    }
}
