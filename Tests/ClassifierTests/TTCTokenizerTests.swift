import Testing

@testable import Classifier

/// Our `clean_text_feature` and `NGramTokenizer` against the library's, on the recorded inputs.
@Suite("torchTextClassifiers tokenizer")
struct TTCTokenizerTests {
    static func cleaned(_ text: String) -> String {
        var scalars: [UInt32] = []
        TTCTextCleaner.clean(text, into: &scalars)
        var result = ""
        for value in scalars { result.unicodeScalars.append(Unicode.Scalar(value)!) }
        return result
    }

    @Test("cleaning equals the library's clean_text_feature on all 671 recorded inputs")
    func cleaningMatchesLibrary() throws {
        let recorded = try TTCFixtures.predictions("avg-concat")
        #expect(recorded.count == 671)
        for line in recorded {
            let ours = Self.cleaned(line.text)
            #expect(ours.unicodeScalars.elementsEqual(line.cleaned.unicodeScalars), "\(String(reflecting: line.text))")
        }
    }

    @Test(
        "the spec's cleaning examples",
        arguments: [
            ("l'hôtellerie", "l hotellerie"), ("fabrication d'œufs", "fabrication d ufs"), ("cœur œuvre", "c ur uvre"),
            ("ẞTRASSE straße", "trasse stra e"), ("ﬁnance", "finance"), ("Ａｂｃ", "abc"), ("1²③ ½", "123 1 2"),
            ("ǅemal", "dzemal"), ("a\u{20DD}b", "a b"), ("vente\u{200B}achat", "vente achat"), ("ℌôtel", "otel"),
            ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "nicode"), ("İstanbul", "istanbul"), ("  \u{301}  ", ""), ("", ""),
        ]
    )
    func specExamples(text: String, expected: String) {
        #expect(Self.cleaned(text) == expected)
    }

    @Test("token ids equal the library's for every recorded input of every model", arguments: TTCFixtures.models)
    func idsMatchLibrary(model: String) throws {
        let package = try TTCFixtures.importedPackage(model)
        let tokenizer = try #require(package.ttcModel).tokenizer
        let recorded = try TTCFixtures.tokens(model)
        #expect(recorded.count == 93)
        var scratch = TTCTokenizer.Scratch()
        for line in recorded {
            tokenizer.ids(of: line.text, into: &scratch)
            #expect(scratch.ids == line.keptIds, "ids of \(String(reflecting: line.text))")
        }
    }

    @Test("a vocabulary word is matched code point by code point, not by canonical equivalence")
    func vocabularyIsScalarExact() throws {
        let vocabulary = TTCVocabulary(words: ["aériens", "fret"])
        let composed = Array("aériens".unicodeScalars.map(\.value))
        let decomposed = Array("ae\u{301}riens".unicodeScalars.map(\.value))
        #expect(composed.withUnsafeBufferPointer { vocabulary.index(of: $0) } == 0)
        #expect(decomposed.withUnsafeBufferPointer { vocabulary.index(of: $0) } == -1)
    }

    @Test("an unknown one-letter word is UNK with min_n 3, and long texts are cut to max length")
    func unknownAndTruncation() throws {
        let settings = TTCSettings(
            dim: 2,
            wordCount: 0,
            buckets: 7,
            minN: 3,
            maxN: 4,
            maxLength: 4,
            cleanText: true,
            combination: nil,
            categoricalDims: []
        )
        let tokenizer = TTCTokenizer(settings: settings, vocabulary: TTCVocabulary(words: []))
        var scratch = TTCTokenizer.Scratch()
        tokenizer.ids(of: "x", into: &scratch)
        #expect(scratch.ids == [1, 2])
        tokenizer.ids(of: "", into: &scratch)
        #expect(scratch.ids == [2])
        tokenizer.ids(of: "boulangerie patisserie", into: &scratch)
        #expect(scratch.ids.count == 4)
        #expect(!scratch.ids.contains(2))
    }
}
