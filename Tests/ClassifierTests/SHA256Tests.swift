import Testing

@testable import Classifier

@Suite("SHA-256 (swift-crypto)")
struct SHA256Tests {
    private func digest(_ bytes: [UInt8]) -> String {
        var hasher = SHA256Hex()
        hasher.update(bytes)
        return hasher.finalize()
    }

    @Test("matches the FIPS 180-4 test vectors")
    func standardVectors() {
        #expect(digest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(digest(Array(twoBlocks.utf8)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            digest([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        )
    }

    @Test("feeding bytes in uneven pieces gives the one-shot digest")
    func streamingEqualsOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var hasher = SHA256Hex()
        var start = 0
        for size in [1, 63, 64, 65, 7, 200, 600] {
            hasher.update(Array(bytes[start..<start + size]))
            start += size
        }
        #expect(hasher.finalize() == digest(bytes))
    }
}
