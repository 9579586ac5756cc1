/// A fastText vocabulary: word lookup without allocation, and each word's precomputed row ids.
///
/// Words are stored as one UTF-8 byte array with offsets, looked up through an open-addressing
/// table keyed by the fastText hash the tokenizer computes anyway, so looking up a token never
/// builds a `String`.
struct FastTextVocabulary: Sendable {
    private let bytes: [UInt8]
    private let offsets: [Int]
    private let table: [Int32]
    private let mask: Int
    /// Row ids of word `i`: the word's own row then its char n-gram rows, `rowStarts[i]..<rowStarts[i + 1]`.
    private let rowStarts: [Int32]
    private let rowIds: [Int32]

    /// Number of words.
    var count: Int { offsets.count - 1 }

    /// Builds the vocabulary from its byte store and offsets (`count + 1` of them).
    init(bytes: [UInt8], offsets: [Int], ngrams: FastTextCharNgrams) {
        self.bytes = bytes
        self.offsets = offsets
        let wordCount = offsets.count - 1
        var size = 16
        while size < 2 * wordCount { size <<= 1 }
        var table = [Int32](repeating: -1, count: size)
        for word in 0..<wordCount {
            var slot = Int(FastTextHash.hash(bytes[offsets[word]..<offsets[word + 1]])) & (size - 1)
            while table[slot] != -1 { slot = (slot + 1) & (size - 1) }
            table[slot] = Int32(word)
        }
        self.table = table
        self.mask = size - 1
        (rowStarts, rowIds) = Self.precomputeRows(bytes: bytes, offsets: offsets, ngrams: ngrams)
    }

    /// The id of `token`, whose fastText hash is `hash`, or -1 when it is not a word of the vocabulary.
    @inline(__always)
    func id(of token: UnsafeBufferPointer<UInt8>, hash: UInt32) -> Int32 {
        var slot = Int(hash) & mask
        while true {
            let word = table[slot]
            if word < 0 || matches(Int(word), token) { return word }
            slot = (slot + 1) & mask
        }
    }

    /// Appends word `id`'s rows (its own, then its char n-grams) to `rows`.
    @inline(__always)
    func appendRows(ofWord id: Int32, to rows: inout [Int32]) {
        let word = Int(id)
        for index in Int(rowStarts[word])..<Int(rowStarts[word + 1]) { rows.append(rowIds[index]) }
    }

    /// The word with id `id`.
    func word(_ id: Int) -> String {
        String(decoding: bytes[offsets[id]..<offsets[id + 1]], as: UTF8.self)
    }

    @inline(__always)
    private func matches(_ word: Int, _ token: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = offsets[word]
        guard offsets[word + 1] - start == token.count else { return false }
        for index in 0..<token.count where bytes[start + index] != token[index] { return false }
        return true
    }

    /// fastText gives every word its own row plus the char n-grams of `<word>`, except the
    /// end-of-sentence token, which gets no n-grams. The whole `<word>` is one of its n-grams
    /// when it is short enough (fastText does not leave it out).
    private static func precomputeRows(
        bytes: [UInt8],
        offsets: [Int],
        ngrams: FastTextCharNgrams
    ) -> ([Int32], [Int32]) {
        var starts: [Int32] = [0]
        var ids: [Int32] = []
        var scratch: [UInt8] = []
        let eos = Array(ngrams.eos)
        for word in 0..<(offsets.count - 1) {
            ids.append(Int32(word))
            let slice = bytes[offsets[word]..<offsets[word + 1]]
            if !slice.elementsEqual(eos) {
                slice.withContiguousStorageIfAvailable { ngrams.appendRows(ofToken: $0, to: &ids, scratch: &scratch) }
            }
            starts.append(Int32(ids.count))
        }
        return (starts, ids)
    }
}
