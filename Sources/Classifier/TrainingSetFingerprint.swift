import Crypto
import Foundation

/// Which texts a package was trained on, as a Bloom filter over its distinct training texts (as the
/// model saw them: after the package's preprocessing): `models evaluate` and the demo use it to
/// tell forms the model has seen from forms it has not, so that accuracy on training data is not
/// reported as accuracy. A text it holds is reported as seen; a text not seen is wrongly reported
/// as seen with a probability of about 0.1 % (`falsePositiveRate`): about 1.8 bytes per text.
public struct TrainingSetFingerprint: Codable, Sendable, Equatable {
    /// Training examples.
    public var examples: Int
    /// Distinct texts among them.
    public var distinctTexts: Int
    /// The filter's bits, base64.
    public var bits: String
    /// How many bits the filter has.
    public var bitCount: Int
    /// Bits set per text.
    public var hashCount: Int

    /// The designed rate of unseen texts reported as seen.
    public static let falsePositiveRate = 0.001

    /// The fingerprint of `texts` (the training texts as the model saw them).
    public init(texts: [String]) {
        let distinct = Set(texts)
        // m = −n ln p / (ln 2)², k = (m / n) ln 2, for n distinct texts and p = 0.1 %.
        let count = max(distinct.count, 1)
        let bitCount = max(64, Int((-Double(count) * log(Self.falsePositiveRate) / (log(2) * log(2))).rounded(.up)))
        let hashCount = max(1, Int((Double(bitCount) / Double(count) * log(2)).rounded()))
        var filter = [UInt8](repeating: 0, count: (bitCount + 7) / 8)
        for text in distinct {
            for bit in Self.bits(of: text, bitCount: bitCount, hashCount: hashCount) {
                filter[bit / 8] |= 1 << (bit % 8)
            }
        }
        examples = texts.count
        distinctTexts = distinct.count
        bits = Data(filter).base64EncodedString()
        self.bitCount = bitCount
        self.hashCount = hashCount
    }

    /// Whether `text` (as the model sees it) was among the training texts, within the filter's
    /// false-positive rate.
    public func contains(_ text: String) -> Bool {
        guard let filter = Data(base64Encoded: bits), filter.count * 8 >= bitCount else { return false }
        let bytes = [UInt8](filter)
        return Self.bits(of: text, bitCount: bitCount, hashCount: hashCount).allSatisfy {
            bytes[$0 / 8] & (1 << ($0 % 8)) != 0
        }
    }

    /// The bit positions of a text: double hashing over two 64-bit words of its SHA-256.
    private static func bits(of text: String, bitCount: Int, hashCount: Int) -> [Int] {
        let digest = Array(SHA256.hash(data: Data(text.utf8)))
        let first = digest[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let second = digest[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } | 1
        return (0..<hashCount).map { index in
            Int((first &+ UInt64(index) &* second) % UInt64(bitCount))
        }
    }
}
