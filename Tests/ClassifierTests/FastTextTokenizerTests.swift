import Testing

@testable import Classifier

@Suite("fastText tokenizer")
struct FastTextTokenizerTests {
    private func rows(_ text: String, _ tokenizer: FastTextTokenizer) -> [Int32] {
        var scratch = FastTextTokenizer.Scratch()
        tokenizer.rows(of: text, into: &scratch)
        return scratch.rows
    }

    @Test("every fastText separator splits tokens, and runs of them count once")
    func separators() throws {
        let package = try Fixtures.importedPackage("softmax")
        let tokenizer = package.fasttext.tokenizer
        let plain = rows("boulangerie pâtisserie", tokenizer)
        for separator in ["\t", "\u{0B}", "\u{0C}", "\r", "\0", "  ", " \t\r "] {
            #expect(rows("boulangerie\(separator)pâtisserie", tokenizer) == plain)
        }
        #expect(rows("  boulangerie pâtisserie \t", tokenizer) == plain)
    }

    @Test("a newline inside the text is whitespace, not the end of the input")
    func newlineIsWhitespace() throws {
        let package = try Fixtures.importedPackage("softmax")
        let tokenizer = package.fasttext.tokenizer
        #expect(rows("boulangerie\npâtisserie", tokenizer) == rows("boulangerie pâtisserie", tokenizer))
    }

    @Test("word bigrams chain the sign-extended hashes of every word, unknown ones and </s> included")
    func wordBigramsSpanUnknownWordsAndEndOfSentence() throws {
        let package = try Fixtures.importedPackage("softmax")
        let settings = try #require(package.manifest.fasttext)
        let tokenizer = package.fasttext.tokenizer
        let words = ["xqzunknown", "pâtisserie", "</s>"]
        let hashes = words.map { Int32(bitPattern: FastTextHash.hash($0)) }
        let bigrams = zip(hashes, hashes.dropFirst()).map { first, second in
            let chained = FastTextHash.chain(FastTextHash.chainStart(first), second)
            return Int32(settings.wordCount) + Int32(chained % UInt64(settings.bucket))
        }
        let all = rows("xqzunknown pâtisserie", tokenizer)
        #expect(Array(all.suffix(2)) == bigrams)
    }
}
