import Testing

@testable import Classifier

@Suite("fastText hash")
struct FastTextHashTests {
    @Test("ASCII strings hash as plain 32-bit FNV-1a")
    func asciiIsPlainFNV1a() {
        #expect(FastTextHash.hash("") == 2_166_136_261)
        #expect(FastTextHash.hash("a") == 3_826_002_220)
        #expect(FastTextHash.hash("boulangerie") == 874_440_988)
        #expect(FastTextHash.hash("</s>") == 3_617_362_777)
    }

    @Test("bytes above 0x7F are sign-extended before the XOR, as fastText's int8 cast does")
    func nonASCIIBytesAreSignExtended() {
        // Plain FNV-1a would give 513665217 for "é" and 3109836038 for "pâtisserie".
        #expect(FastTextHash.hash("é") == 1_023_043_777)
        #expect(FastTextHash.hash("pâtisserie") == 945_220_870)
        #expect(
            FastTextHash.step(FastTextHash.offsetBasis, 0xC3) == (FastTextHash.offsetBasis ^ 0xFFFF_FFC3) &* 16_777_619
        )
    }

    @Test("word n-gram chains widen negative int32 word hashes with sign extension")
    func wordNgramChainSignExtends() {
        let negative = Int32(bitPattern: 0x8000_0001)
        #expect(FastTextHash.chainStart(negative) == 0xFFFF_FFFF_8000_0001)
        let chained = FastTextHash.chain(FastTextHash.chainStart(5), negative)
        #expect(chained == 5 &* 116_049_371 &+ 0xFFFF_FFFF_8000_0001)
    }
}
