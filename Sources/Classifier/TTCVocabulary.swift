/// The words of a torchTextClassifiers tokenizer, looked up by unicode scalars without allocating.
///
/// The library compares words code point by code point (`"ae\u{301}riens"` is not `"aériens"`),
/// so words are keyed on their scalars, never on `String` (whose `==` is canonical equivalence).
struct TTCVocabulary: Sendable {
    private let scalars: [UInt32]
    private let offsets: [Int]
    private let table: [Int32]
    private let mask: Int

    /// Number of words.
    var count: Int { offsets.count - 1 }

    /// Builds the vocabulary from its words, in id order (the first gets id `firstId`).
    init(words: [String]) {
        var scalars: [UInt32] = []
        var offsets = [0]
        for word in words {
            scalars += word.unicodeScalars.map(\.value)
            offsets.append(scalars.count)
        }
        var size = 16
        while size < 2 * words.count { size <<= 1 }
        var table = [Int32](repeating: -1, count: size)
        scalars.withUnsafeBufferPointer { all in
            for word in words.indices {
                let key = UnsafeBufferPointer(rebasing: all[offsets[word]..<offsets[word + 1]])
                var slot = Int(Self.hash(key)) & (size - 1)
                while table[slot] != -1 { slot = (slot + 1) & (size - 1) }
                table[slot] = Int32(word)
            }
        }
        self.scalars = scalars
        self.offsets = offsets
        self.table = table
        self.mask = size - 1
    }

    /// The index of `word` in the vocabulary (0 for the first word), or -1 when it is not in it.
    func index(of word: UnsafeBufferPointer<UInt32>) -> Int {
        var slot = Int(Self.hash(word)) & mask
        return scalars.withUnsafeBufferPointer { all in
            while true {
                let candidate = Int(table[slot])
                if candidate == -1 { return -1 }
                if UnsafeBufferPointer(rebasing: all[offsets[candidate]..<offsets[candidate + 1]]).elementsEqual(word) {
                    return candidate
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The words as `String`s, in id order (for tests and inspection).
    func word(_ index: Int) -> String {
        var word = ""
        for value in scalars[offsets[index]..<offsets[index + 1]] {
            word.unicodeScalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return word
    }

    /// The library's FNV-1a: over code points, not UTF-8 bytes, with no sign extension.
    @inline(__always)
    static func hash(_ scalars: UnsafeBufferPointer<UInt32>) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for value in scalars { hash = (hash ^ value) &* 16_777_619 }
        return hash
    }
}
