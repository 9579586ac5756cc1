import Crypto
import Foundation

/// A detached Ed25519 signature over a package's `manifest.json`, in `manifest.sig` beside it.
/// The manifest pins the weights' sha256, so the signature covers the whole package.
///
/// The file is JSON: `{"key_id": "…", "signature": "…"}`, the key id being the first 16 hex
/// digits of the SHA-256 of the signer's raw public key, the signature base64.
public struct PackageSignature: Codable, Sendable, Equatable {
    /// File name of the signature inside a package directory.
    public static let file = "manifest.sig"

    /// Which key signed.
    public var keyID: String
    /// The Ed25519 signature of the manifest's bytes, base64.
    public var signature: String

    enum CodingKeys: String, CodingKey {
        case keyID = "key_id"
        case signature
    }

    /// Signs the manifest of the package in `directory` with `key` and writes `manifest.sig`.
    @discardableResult
    public static func sign(
        packageAt directory: URL,
        with key: Curve25519.Signing.PrivateKey
    ) throws(ModelPackageError) -> PackageSignature {
        let manifest = try read(directory.appendingPathComponent(ModelPackage.manifestFile))
        let signature: Data
        do {
            signature = try key.signature(for: manifest)
        } catch {
            throw ModelPackageError(
                .writeFailed,
                file: directory.path,
                problem: "could not be signed (\(error))",
                remedy: "check the key file"
            )
        }
        let result = PackageSignature(
            keyID: SigningKeys.keyID(of: key.publicKey),
            signature: signature.base64EncodedString()
        )
        let url = directory.appendingPathComponent(file)
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(result).write(to: url, options: .atomic)
        } catch {
            throw ModelPackageError(
                .writeFailed,
                file: url.path,
                problem: "could not be written (\(error))",
                remedy: "check the directory's permissions"
            )
        }
        return result
    }

    /// Checks that the package in `directory` is signed by one of `trusted` and unchanged since.
    public static func verify(packageAt directory: URL, trusted: TrustedKeys) throws(ModelPackageError) {
        let url = directory.appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ModelPackageError(
                .unsigned,
                file: url.path,
                problem: "is missing: the package is not signed, and this process only runs signed packages",
                remedy: "sign it with a trusted key (streamcoder models sign PKG --key KEY)"
            )
        }
        let signature: PackageSignature
        do {
            signature = try JSONDecoder().decode(PackageSignature.self, from: try read(url))
        } catch {
            throw ModelPackageError(
                .signatureInvalid,
                file: url.path,
                problem: "is not a signature file (\(error))",
                remedy: "sign the package again (streamcoder models sign PKG --key KEY)"
            )
        }
        guard let raw = trusted.keys[signature.keyID],
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else {
            throw ModelPackageError(
                .untrustedSigner,
                file: url.path,
                problem:
                    "was made by key \(signature.keyID), which is not among the \(trusted.keys.count) trusted keys",
                remedy: "sign with a trusted key, or add its .pub file to the trusted keys directory"
            )
        }
        let manifest = try read(directory.appendingPathComponent(ModelPackage.manifestFile))
        guard let bytes = Data(base64Encoded: signature.signature), key.isValidSignature(bytes, for: manifest) else {
            throw ModelPackageError(
                .signatureInvalid,
                file: url.path,
                problem: "does not match manifest.json: the package changed after it was signed",
                remedy: "push the package again from its source, or sign it again if the change is wanted"
            )
        }
    }

    private static func read(_ url: URL) throws(ModelPackageError) -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .unreadable(url.path, "\(error.localizedDescription)")
        }
    }
}

/// The public keys a process trusts: every `*.pub` file of a directory (base64 of the raw 32-byte
/// Ed25519 key, as `models keygen` writes it), by key id.
public struct TrustedKeys: Sendable {
    /// The raw 32-byte keys by key id (kept raw: swift-crypto's key type is not `Sendable`).
    public let keys: [String: Data]

    /// Reads every `*.pub` file of `directory`; refuses a directory without one, or a bad file.
    public init(directory: URL) throws(ModelPackageError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".pub") }
        } catch {
            throw .unreadable(directory.path, "\(error.localizedDescription)")
        }
        var keys: [String: Data] = [:]
        for name in names.sorted() {
            let url = directory.appendingPathComponent(name)
            let key = try SigningKeys.readPublicKey(url)
            keys[SigningKeys.keyID(of: key)] = key.rawRepresentation
        }
        guard !keys.isEmpty else {
            throw ModelPackageError(
                .fileUnreadable,
                file: directory.path,
                problem: "holds no .pub key file, so no package could ever be trusted",
                remedy: "copy the signers' .pub files there (streamcoder models keygen writes them)"
            )
        }
        self.keys = keys
    }
}

/// Ed25519 key files as `models keygen` writes them: base64 of the raw key, one line.
public enum SigningKeys {
    /// The first 16 hex digits of the SHA-256 of the raw public key.
    public static func keyID(of key: Curve25519.Signing.PublicKey) -> String {
        String(SHA256.hash(data: key.rawRepresentation).map { String(format: "%02x", $0) }.joined().prefix(16))
    }

    /// Writes a new key pair as `NAME.key` (private, mode 600) and `NAME.pub` in `directory`.
    public static func generate(name: String, in directory: URL) throws(ModelPackageError) -> (key: URL, pub: URL) {
        let key = Curve25519.Signing.PrivateKey()
        let keyURL = directory.appendingPathComponent("\(name).key")
        let pubURL = directory.appendingPathComponent("\(name).pub")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            guard !FileManager.default.fileExists(atPath: keyURL.path) else {
                throw ModelPackageError(
                    .writeFailed,
                    file: keyURL.path,
                    problem: "exists already",
                    remedy: "choose another --name or directory; a key is never overwritten"
                )
            }
            try Data((key.rawRepresentation.base64EncodedString() + "\n").utf8).write(to: keyURL)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyURL.path)
            try Data((key.publicKey.rawRepresentation.base64EncodedString() + "\n").utf8).write(to: pubURL)
        } catch let error as ModelPackageError {
            throw error
        } catch {
            throw ModelPackageError(
                .writeFailed,
                file: directory.path,
                problem: "could not hold the new keys (\(error.localizedDescription))",
                remedy: "check the directory's permissions"
            )
        }
        return (keyURL, pubURL)
    }

    /// Reads a private key file.
    public static func readPrivateKey(_ url: URL) throws(ModelPackageError) -> Curve25519.Signing.PrivateKey {
        let raw = try rawKey(url)
        do {
            return try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        } catch {
            throw invalidKey(url)
        }
    }

    /// Reads a public key file.
    public static func readPublicKey(_ url: URL) throws(ModelPackageError) -> Curve25519.Signing.PublicKey {
        let raw = try rawKey(url)
        do {
            return try Curve25519.Signing.PublicKey(rawRepresentation: raw)
        } catch {
            throw invalidKey(url)
        }
    }

    private static func rawKey(_ url: URL) throws(ModelPackageError) -> Data {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .unreadable(url.path, "\(error.localizedDescription)")
        }
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 32
        else { throw invalidKey(url) }
        return raw
    }

    private static func invalidKey(_ url: URL) -> ModelPackageError {
        ModelPackageError(
            .fileUnreadable,
            file: url.path,
            problem: "is not an Ed25519 key (expected the base64 of 32 raw bytes, as models keygen writes)",
            remedy: "give the file streamcoder models keygen wrote"
        )
    }
}
