import Crypto

/// The SHA-256 of a package's files, as lowercase hex: swift-crypto's digest, streamed.
struct SHA256Hex {
    private var hasher = Crypto.SHA256()

    init() {}

    /// Hashes `bytes` in one call and returns the lowercase hex digest.
    static func hex(of bytes: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256Hex()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Adds `bytes` to the digest.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    /// Adds `bytes` to the digest.
    mutating func update(_ bytes: [UInt8]) {
        hasher.update(data: bytes)
    }

    /// The lowercase hex digest of everything added.
    func finalize() -> String {
        hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
