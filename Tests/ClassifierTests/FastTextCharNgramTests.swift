import Testing

@testable import Classifier

@Suite("fastText char n-grams")
struct FastTextCharNgramTests {
    private func rows(of token: String, minn: Int = 1, maxn: Int = 3, bucket: Int = 1_000_000) -> [Int32] {
        let settings = FastTextSettings(
            dim: 1,
            minn: minn,
            maxn: maxn,
            wordNgrams: 1,
            bucket: bucket,
            loss: .softmax,
            wordCount: 0
        )
        var rows: [Int32] = []
        var scratch: [UInt8] = []
        Array(token.utf8).withUnsafeBufferPointer {
            FastTextCharNgrams(settings: settings).appendRows(ofToken: $0, to: &rows, scratch: &scratch)
        }
        return rows
    }

    private func hashes(_ ngrams: [String], bucket: Int = 1_000_000) -> [Int32] {
        ngrams.map { Int32(FastTextHash.hash($0) % UInt32(bucket)) }
    }

    @Test("n-grams count UTF-8 characters, never splitting a multi-byte character")
    func multiByteCharactersStayWhole() {
        // "<é>" is 3 characters in 4 bytes: n-grams start at '<', 'é' and '>' only.
        let expected = hashes(["<é", "<é>", "é", "é>"])
        #expect(rows(of: "é") == expected)
    }

    @Test("a lone boundary character is never an n-gram, the whole <word> is one")
    func loneBoundariesAreSkipped() {
        #expect(rows(of: "ab", minn: 1, maxn: 4) == hashes(["<a", "<ab", "<ab>", "a", "ab", "ab>", "b", "b>"]))
    }

    @Test("four-byte characters (emoji) are one character")
    func fourByteCharacters() {
        #expect(rows(of: "😀", minn: 2, maxn: 2) == hashes(["<😀", "😀>"]))
    }

    @Test(
        "rows match fastText's get_subwords for known, unknown and accented words",
        arguments: ["softmax", "ova", "hs", "softmax-quantized", "ova-quantized"]
    )
    func rowsMatchFastText(model: String) throws {
        let package = try Fixtures.importedPackage(model)
        let tokenizer = package.fasttext.tokenizer
        for probe in try RecordedPredictions.load(model).subwords {
            var ours: [Int32] = []
            var scratch: [UInt8] = []
            let bytes = Array(probe.word.utf8)
            bytes.withUnsafeBufferPointer { token in
                let id = tokenizer.vocabulary.id(of: token, hash: FastTextHash.hash(bytes))
                if id >= 0 {
                    tokenizer.vocabulary.appendRows(ofWord: id, to: &ours)
                } else {
                    tokenizer.ngrams.appendRows(ofToken: token, to: &ours, scratch: &scratch)
                }
            }
            #expect(ours == probe.rows, "rows of '\(probe.word)'")
        }
    }
}
