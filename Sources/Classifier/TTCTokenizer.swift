/// torchTextClassifiers 2.0.0's `NGramTokenizer`, id for id, as `predict` applies it to one text.
///
/// - The text loses its trailing U+0000s (numpy does that in `predict`), then is cleaned
///   (``TTCTextCleaner``) when the tokenizer's `preprocess` is on.
/// - Words are Python's `str.split()` pieces. Each emits its word id when it is in the
///   vocabulary, then the ids of the char n-grams of `<word>` for n = minN…maxN (over code
///   points), skipping the n-gram equal to the bare word and the whole `<word>`; a word that
///   emits nothing emits UNK. EOS ends the text. There are no word n-grams.
/// - With a max length, only the first `maxLength` ids are kept (EOS is cut from long texts).
struct TTCTokenizer: Sendable {
    let vocabulary: TTCVocabulary
    private let settings: TTCSettings
    private let firstBucketId: Int

    init(settings: TTCSettings, vocabulary: TTCVocabulary) {
        self.settings = settings
        self.vocabulary = vocabulary
        firstBucketId = TTCSettings.firstWordId + settings.wordCount
    }

    /// Reusable buffers, so tokenizing allocates nothing once they have grown to a text's size.
    struct Scratch {
        var scalars: [UInt32] = []
        var ids: [Int32] = []

        init(capacity: Int = 256) {
            scalars.reserveCapacity(capacity * 8)
            ids.reserveCapacity(capacity * 16)
        }
    }

    /// Fills `scratch.ids` with the ids of `text`; there is always at least one.
    func ids(of text: String, into scratch: inout Scratch) {
        if settings.cleanText {
            TTCTextCleaner.clean(text, into: &scratch.scalars)
        } else {
            Self.rawScalars(of: text, into: &scratch.scalars)
        }
        scratch.ids.removeAll(keepingCapacity: true)
        let limit = settings.maxLength ?? .max
        scratch.scalars.withUnsafeBufferPointer { scalars in
            var start = 0
            for index in 0...scalars.count where index == scalars.count || Self.isSpace(scalars[index]) {
                if index > start, scratch.ids.count < limit {
                    appendIds(ofWord: UnsafeBufferPointer(rebasing: scalars[start..<index]), to: &scratch.ids)
                }
                start = index + 1
            }
        }
        scratch.ids.append(Int32(settings.eosId))
        if scratch.ids.count > limit { scratch.ids.removeLast(scratch.ids.count - limit) }
    }

    /// The text's scalars, without the trailing NULs numpy's fixed-width strings drop.
    static func rawScalars(of text: String, into scalars: inout [UInt32]) {
        scalars.removeAll(keepingCapacity: true)
        for scalar in text.unicodeScalars { scalars.append(scalar.value) }
        while scalars.last == 0 { scalars.removeLast() }
    }

    private func appendIds(ofWord word: UnsafeBufferPointer<UInt32>, to ids: inout [Int32]) {
        let before = ids.count
        let index = vocabulary.index(of: word)
        if index >= 0 { ids.append(Int32(TTCSettings.firstWordId + index)) }
        appendNgramIds(of: word, to: &ids)
        if ids.count == before { ids.append(Int32(settings.unkId)) }
    }

    /// Char n-grams of `<word>`, n outer and start inner, as the library loops.
    private func appendNgramIds(of word: UnsafeBufferPointer<UInt32>, to ids: inout [Int32]) {
        let length = word.count + 2
        // The only n-gram as long as `<word>` is `<word>` itself, which the library skips.
        let longest = min(settings.maxN, length - 1)
        guard settings.minN <= longest else { return }
        let buckets = UInt32(settings.buckets)
        for n in settings.minN...longest {
            for start in 0...(length - n) {
                if n == word.count && Self.tagged(word, start, n).elementsEqual(word) { continue }
                var hash: UInt32 = 2_166_136_261
                for value in Self.tagged(word, start, n) { hash = (hash ^ value) &* 16_777_619 }
                ids.append(Int32(firstBucketId + Int(hash % buckets)))
            }
        }
    }

    /// Scalars `start ..< start + count` of `"<" + word + ">"`, without building it.
    @inline(__always)
    private static func tagged(_ word: UnsafeBufferPointer<UInt32>, _ start: Int, _ count: Int) -> TaggedSlice {
        TaggedSlice(word: word, start: start, count: count)
    }

    private struct TaggedSlice: Sequence, IteratorProtocol {
        let word: UnsafeBufferPointer<UInt32>
        var start: Int
        var count: Int

        mutating func next() -> UInt32? {
            guard count > 0 else { return nil }
            defer { (start, count) = (start + 1, count - 1) }
            if start == 0 { return 0x3C }  // "<"
            if start == word.count + 1 { return 0x3E }  // ">"
            return word[start - 1]
        }
    }

    /// Python's `str.isspace()`, which `str.split()` splits on.
    @inline(__always)
    static func isSpace(_ value: UInt32) -> Bool {
        switch value {
        case 0x20, 0x09...0x0D, 0x1C...0x1F, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F,
            0x3000:
            true
        default: false
        }
    }
}
