import ArgumentParser
import Classifier
import Foundation

extension ModelsCommand {
    /// `models keygen`: a new Ed25519 key pair for signing packages.
    struct Keygen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keygen",
            abstract: "Make an Ed25519 key pair to sign packages with.",
            discussion: """
                Writes NAME.key (the private key, mode 600: keep it where packages are built) and \
                NAME.pub (the public key: copy it into the --trusted-keys directory of workers and \
                coordinators). An existing key is never overwritten.
                """
        )

        @Option(help: "Directory to write the keys to (created).")
        var out: String

        @Option(help: "File name of the keys, NAME.key and NAME.pub.")
        var name: String = "signer"

        func run() async throws {
            let (key, pub) = try SigningKeys.generate(name: name, in: URL(fileURLWithPath: out))
            let id = SigningKeys.keyID(of: try SigningKeys.readPublicKey(pub))
            printLine("key \(id): private \(key.path), public \(pub.path)")
        }
    }

    /// `models sign`: a detached signature over a package's manifest.
    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sign",
            abstract: "Sign a package (manifest.sig beside its manifest, which pins the weights' sha256).",
            discussion: """
                The package is loaded and checked first (sha256, tensors, golden examples): a \
                package that fails a check is not signed.
                """
        )

        @Argument(help: "The package directory.")
        var package: String

        @Option(help: "The private key file (NAME.key from models keygen).")
        var key: String

        func run() async throws {
            let directory = URL(fileURLWithPath: package)
            let loaded = try ModelPackage.load(from: directory)
            let signature = try PackageSignature.sign(
                packageAt: directory,
                with: try SigningKeys.readPrivateKey(URL(fileURLWithPath: key))
            )
            printLine(
                "signed \(loaded.manifest.name)@\(loaded.manifest.version) with key \(signature.keyID): "
                    + directory.appendingPathComponent(PackageSignature.file).path
            )
        }
    }
}
