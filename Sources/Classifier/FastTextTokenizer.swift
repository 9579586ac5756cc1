/// Turns text into input-matrix row ids exactly as fastText's `Dictionary::getLine` does for
/// a predict call on one line.
///
/// - Tokens are split on the bytes `' '`, `'\t'`, `'\v'`, `'\f'`, `'\r'`, `'\0'` and `'\n'`.
/// - The end-of-sentence token `</s>` ends the input (fastText's predict appends a newline, which
///   reads as `</s>`). A literal `</s>` typed in the text ends it there, as in fastText.
///   A newline *inside* the text is taken as plain whitespace: fastText's Python `predict`
///   refuses such text, and classifying only the first line of a form would lose its activity.
/// - Tokens starting with the label prefix (`__label__`) are labels, not words: dropped.
/// - A known word contributes its row and its char n-gram rows; an unknown word only its char
///   n-gram rows; `</s>` only its row.
/// - Every word, known or not, `</s>` included, takes part in word n-grams.
struct FastTextTokenizer: Sendable {
    let vocabulary: FastTextVocabulary
    let ngrams: FastTextCharNgrams
    private let wordNgrams: Int
    private let labelPrefix: [UInt8]

    init(settings: FastTextSettings, vocabulary: FastTextVocabulary, ngrams: FastTextCharNgrams) {
        self.vocabulary = vocabulary
        self.ngrams = ngrams
        self.wordNgrams = settings.wordNgrams
        self.labelPrefix = Array(settings.labelPrefix.utf8)
    }

    /// Reusable buffers, so tokenizing allocates nothing once they have grown to a text's size.
    struct Scratch {
        var rows: [Int32] = []
        var wordHashes: [Int32] = []
        var wrapped: [UInt8] = []

        init(capacity: Int = 256) {
            rows.reserveCapacity(capacity * 8)
            wordHashes.reserveCapacity(capacity)
            wrapped.reserveCapacity(64)
        }
    }

    /// Fills `scratch.rows` with the row ids of `text`.
    func rows(of text: UnsafeBufferPointer<UInt8>, into scratch: inout Scratch) {
        scratch.rows.removeAll(keepingCapacity: true)
        scratch.wordHashes.removeAll(keepingCapacity: true)
        var start = 0
        var ended = false
        for index in 0...text.count where index == text.count || Self.isSpace(text[index]) {
            if index > start {
                let token = UnsafeBufferPointer(rebasing: text[start..<index])
                add(token, into: &scratch)
                if token.elementsEqual(ngrams.eos) {
                    ended = true
                    break
                }
            }
            start = index + 1
        }
        if !ended {
            ngrams.eos.withUnsafeBufferPointer { add($0, into: &scratch) }
        }
        addWordNgrams(into: &scratch)
    }

    /// Row ids of a `String`.
    func rows(of text: String, into scratch: inout Scratch) {
        var text = text
        text.withUTF8 { rows(of: $0, into: &scratch) }
    }

    private func add(_ token: UnsafeBufferPointer<UInt8>, into scratch: inout Scratch) {
        if token.starts(with: labelPrefix) { return }
        let hash = FastTextHash.hash(token)
        let id = vocabulary.id(of: token, hash: hash)
        if id >= 0 {
            vocabulary.appendRows(ofWord: id, to: &scratch.rows)
        } else if !token.elementsEqual(ngrams.eos) {
            ngrams.appendRows(ofToken: token, to: &scratch.rows, scratch: &scratch.wrapped)
        }
        scratch.wordHashes.append(Int32(bitPattern: hash))
    }

    private func addWordNgrams(into scratch: inout Scratch) {
        forEachWordNgram(of: scratch.wordHashes) { _, _, bucket in
            ngrams.appendRow(ofBucket: bucket, to: &scratch.rows)
        }
    }

    /// Calls `body` with the first and last word index and the bucket of every word n-gram,
    /// in fastText's order: hashes chained with 116049371 over up to `wordNgrams` words.
    @inline(__always)
    private func forEachWordNgram(of hashes: [Int32], _ body: (Int, Int, Int) -> Void) {
        guard wordNgrams > 1, ngrams.bucket > 0 else { return }
        let bucket = UInt64(ngrams.bucket)
        for first in 0..<hashes.count {
            var hash = FastTextHash.chainStart(hashes[first])
            for next in (first + 1)..<min(hashes.count, first + wordNgrams) {
                hash = FastTextHash.chain(hash, hashes[next])
                body(first, next, Int(hash % bucket))
            }
        }
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x0A, 0x0D, 0x09, 0x0B, 0x0C, 0x00: true
        default: false
        }
    }
}

extension FastTextTokenizer {
    /// The rows of `text` grouped by the token that brought them: each word (with its char
    /// n-grams), `</s>`, and each word n-gram ("w1 w2"), in the order `rows(of:into:)` adds them.
    /// For explanations; it allocates freely.
    func rowsByToken(of text: String) -> [(token: String, rows: [Int32])] {
        var scratch = Scratch()
        var groups: [(token: String, rows: [Int32])] = []
        var words: [String] = []
        func addToken(_ token: [UInt8]) {
            let before = scratch.rows.count
            token.withUnsafeBufferPointer { self.add($0, into: &scratch) }
            words.append(String(decoding: token, as: UTF8.self))
            groups.append((words.last!, Array(scratch.rows[before...])))
        }
        var bytes = Array(text.utf8)
        bytes.append(0x20)
        var token: [UInt8] = []
        var ended = false
        for byte in bytes {
            guard Self.isSpace(byte) else {
                token.append(byte)
                continue
            }
            guard !token.isEmpty else { continue }
            addToken(token)
            if token == ngrams.eos {
                ended = true
                break
            }
            token.removeAll()
        }
        if !ended { addToken(ngrams.eos) }
        appendWordNgramGroups(words: words, to: &groups, scratch: &scratch)
        return groups.filter { !$0.rows.isEmpty }
    }

    private func appendWordNgramGroups(
        words: [String],
        to groups: inout [(token: String, rows: [Int32])],
        scratch: inout Scratch
    ) {
        forEachWordNgram(of: scratch.wordHashes) { first, next, bucket in
            var rows: [Int32] = []
            ngrams.appendRow(ofBucket: bucket, to: &rows)
            groups.append((words[first...next].joined(separator: " "), rows))
        }
    }
}
