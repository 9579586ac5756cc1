import Foundation
import Testing

/// `models keygen` / `models sign` and `--trusted-keys`: a fleet given trusted keys runs only
/// packages signed by one of them, unchanged since.
@Suite("Package signing")
struct PackageSigningTests {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("signing-\(UUID().uuidString)")

    @discardableResult
    func streamcoder(_ arguments: [String]) async throws -> String {
        try await runToCompletion(TestPaths.streamcoder, arguments)
    }

    /// A copy of the demo package.
    func copyOfDemo(_ name: String) throws -> URL {
        let copy = scratch.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestPaths.packageRoot.appendingPathComponent("Models/naf-demo"), to: copy)
        return copy
    }

    /// `models inspect --trusted-keys`'s error, or nil when it accepts the package.
    func refusal(_ package: URL, trusting keys: URL) async -> String? {
        do {
            _ = try await streamcoder(["models", "inspect", package.path, "--trusted-keys", keys.path])
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func onlyUnchangedPackagesSignedByATrustedKeyAreAccepted() async throws {
        let trusted = scratch.appendingPathComponent("trusted")
        let rogue = scratch.appendingPathComponent("rogue")
        try await streamcoder(["models", "keygen", "--out", trusted.path])
        try await streamcoder(["models", "keygen", "--out", rogue.path, "--name", "rogue"])
        let signed = try copyOfDemo("signed")
        let output = try await streamcoder(["models", "sign", signed.path, "--key", trusted.path + "/signer.key"])
        #expect(output.hasPrefix("signed naf-demo@"))
        #expect(await refusal(signed, trusting: trusted) == nil)

        #expect(await refusal(signed, trusting: rogue)?.contains("[untrusted_signer]") == true)
        #expect(await refusal(try copyOfDemo("unsigned"), trusting: trusted)?.contains("[unsigned]") == true)
        // One byte of the manifest changed after signing (its threshold).
        let manifest = signed.appendingPathComponent("manifest.json")
        var bytes = try Data(contentsOf: manifest)
        let position = try #require(bytes.firstRange(of: Data("\"confidence_threshold\"".utf8))).upperBound + 3
        bytes[position] = bytes[position] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        try bytes.write(to: manifest)
        #expect(await refusal(signed, trusting: trusted)?.contains("[signature_invalid]") == true)

        // A worker given trusted keys refuses the unsigned package at start, naming the problem.
        let worker = try ChildProcess(
            TestPaths.streamcoder,
            [
                "worker", "--brokers", "127.0.0.1:9", "--model", try copyOfDemo("for-worker").path,
                "--trusted-keys", trusted.path, "--metrics-port", "0",
            ],
            name: "worker"
        )
        #expect(try await worker.waitForExit() != 0)
        #expect(worker.errorOutput.contains("[unsigned]"), "\(worker.diagnostics)")
    }
}
