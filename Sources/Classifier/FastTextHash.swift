/// fastText's string hash: 32-bit FNV-1a, with one quirk that decides every bucket.
///
/// fastText XORs each byte *as a signed char* widened to 32 bits, so a byte ≥ 0x80 (every byte
/// of a non-ASCII UTF-8 character) is sign-extended: `0xC3` is XORed as `0xFFFFFFC3`. A plain
/// FNV-1a gives other buckets for every accented word.
enum FastTextHash {
    static let offsetBasis: UInt32 = 2_166_136_261
    static let prime: UInt32 = 16_777_619
    /// The multiplier fastText chains word hashes with to hash a word n-gram.
    static let wordNgramMultiplier: UInt64 = 116_049_371

    /// One FNV-1a step with fastText's signed-byte widening.
    @inline(__always)
    static func step(_ hash: UInt32, _ byte: UInt8) -> UInt32 {
        (hash ^ UInt32(bitPattern: Int32(Int8(bitPattern: byte)))) &* prime
    }

    /// The hash of a byte string.
    static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
        bytes.reduce(offsetBasis, step)
    }

    /// The hash of a string's UTF-8 bytes.
    static func hash(_ string: String) -> UInt32 {
        hash(string.utf8)
    }

    /// The next hash of a word n-gram chain: fastText keeps word hashes as `int32` and widens
    /// them to `uint64` with sign extension before chaining.
    @inline(__always)
    static func chain(_ hash: UInt64, _ wordHash: Int32) -> UInt64 {
        hash &* wordNgramMultiplier &+ UInt64(bitPattern: Int64(wordHash))
    }

    /// The first value of a word n-gram chain.
    @inline(__always)
    static func chainStart(_ wordHash: Int32) -> UInt64 {
        UInt64(bitPattern: Int64(wordHash))
    }
}
