import Foundation

/// Text cleaning a package was trained with, applied identically by the trainer, the importers
/// and every inference path. The steps are those of Insee's n-gram pre-tokenizer (the cleaning of
/// its fastText and torchTextClassifiers training), each one on or off, always in this order:
///
/// 1. `transliterate`: to ASCII as the Python `unidecode` package does (see `Transliteration`);
/// 2. `lowercase`;
/// 3. `alphanumeric`: every character but `a-z`, `0-9`, the French letters àâçéèêëîïôûùüÿñæœ and
///    whitespace becomes a space;
/// then whitespace is collapsed and the text split into words (always);
/// 4. `drop-single-letters`: one-letter words are dropped;
/// 5. `stopwords`: words of `stopwords` are dropped;
/// 6. `stem-french`: each word is stemmed (`FrenchStemmer`, NLTK's French Snowball stemmer);
/// and the words are joined with single spaces.
public struct TextPreprocessing: Codable, Sendable, Equatable {
    /// One step of the pipeline.
    public enum Step: String, Codable, Sendable, CaseIterable {
        case transliterate
        case lowercase
        case alphanumeric
        case dropSingleLetters = "drop-single-letters"
        case stopwords
        case stemFrench = "stem-french"
    }

    /// The steps that are on, in pipeline order.
    public var steps: [Step]
    /// The words the `stopwords` step drops (compared after the earlier steps).
    public var stopwords: [String]

    /// A pipeline with `steps` on (applied in pipeline order whatever the order given).
    public init(steps: [Step], stopwords: [String] = []) {
        self.steps = Step.allCases.filter(steps.contains)
        self.stopwords = stopwords
    }

    /// Insee's pipeline, every step on, with NLTK's French stopwords and the single letters a-z.
    public static let insee = TextPreprocessing(
        steps: Step.allCases,
        stopwords: nltkFrenchStopwords + "abcdefghijklmnopqrstuvwxyz".map(String.init)
    )

    /// The names a command line accepts for `--preprocess`: `insee` (every step), `none`, or
    /// steps joined with commas, e.g. `transliterate,lowercase,alphanumeric`; `nil` for another.
    public init?(named name: String) {
        switch name {
        case "insee":
            self = .insee
        case "none":
            self.init(steps: [])
        default:
            let steps = name.split(separator: ",").map { Step(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
            guard !steps.isEmpty, steps.allSatisfy({ $0 != nil }) else { return nil }
            let chosen = steps.compactMap { $0 }
            self.init(steps: chosen, stopwords: chosen.contains(.stopwords) ? TextPreprocessing.insee.stopwords : [])
        }
    }

    /// What `--preprocess` accepts, for an error message.
    public static let namesHelp =
        "insee (every step), none, or steps joined with commas among "
        + Step.allCases.map(\.rawValue).joined(separator: ", ")

    /// The cleaned text.
    public func apply(_ text: String) -> String {
        guard !steps.isEmpty else { return text }
        var scalars = String.UnicodeScalarView()
        let transliterate = steps.contains(.transliterate)
        let lowercase = steps.contains(.lowercase)
        let alphanumeric = steps.contains(.alphanumeric)
        for scalar in text.unicodeScalars {
            let pieces: [Unicode.Scalar] = transliterate ? Transliteration.ascii(scalar) : [scalar]
            for piece in pieces {
                for lowered in lowercase ? Self.lowercased(piece) : [piece] {
                    scalars.append(alphanumeric && !Self.kept(lowered) ? " " : lowered)
                }
            }
        }
        var words = String(scalars).unicodeScalars.split(whereSeparator: Self.isPythonWhitespace).map(String.init)
        if steps.contains(.dropSingleLetters) { words.removeAll { $0.unicodeScalars.count <= 1 } }
        if steps.contains(.stopwords) {
            let dropped = Set(stopwords)
            words.removeAll(where: dropped.contains)
        }
        if steps.contains(.stemFrench) { words = words.map(FrenchStemmer.stem) }
        return words.joined(separator: " ")
    }

    /// A short description for reports, e.g. `transliterate, lowercase, … (157 stopwords)`.
    public var summary: String {
        guard !steps.isEmpty else { return "none" }
        let names = steps.map(\.rawValue).joined(separator: ", ")
        return steps.contains(.stopwords) ? "\(names) (\(stopwords.count) stopwords)" : names
    }

    private static let frenchLetters = Set("àâçéèêëîïôûùüÿñæœ".unicodeScalars)

    /// What the `alphanumeric` step keeps.
    private static func kept(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x61...0x7A, 0x30...0x39: true
        default: frenchLetters.contains(scalar) || isPythonWhitespace(scalar)
        }
    }

    /// Python's `str.lower` of one code point (`lower()` maps a few to several, e.g. İ).
    private static func lowercased(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        if scalar.isASCII {
            return [(0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(UInt8(scalar.value + 0x20)) : scalar]
        }
        return Array(scalar.properties.lowercaseMapping.unicodeScalars)
    }

    /// Python's `str.isspace` (what `\s` and `split()` see): the Unicode spaces and the ASCII
    /// separators 0x1C–0x1F, which Unicode's White_Space leaves out.
    static func isPythonWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            true
        default:
            false
        }
    }
}
