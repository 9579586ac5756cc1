import Classifier
import Coordinator
import Foundation
import Testing

@Suite("Model store")
struct ModelStoreTests {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Models/naf-demo")

    func copyOfDemo(_ name: String, edit: ((inout String) -> Void)? = nil) throws -> URL {
        let copy = scratch.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.demo, to: copy)
        if let edit {
            let url = copy.appendingPathComponent("manifest.json")
            var text = try String(contentsOf: url, encoding: .utf8)
            edit(&text)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return copy
    }

    @Test func aPackageIsAddedOnceAndItsNameAndVersionCannotBeReused() throws {
        let store = ModelStore(directory: scratch.appendingPathComponent("store"))
        guard case .added(let entry) = try store.push(try copyOfDemo("a"), now: 1_000) else {
            Issue.record("the first push did not add the package")
            return
        }
        #expect(entry.name == "naf-demo" && entry.signer == nil && entry.hash.count == 64)
        #expect(try store.push(try copyOfDemo("b"), now: 2_000) == .alreadyPresent(entry), "the same package again")
        let stored = try ModelPackage.load(from: store.packageDirectory(hash: entry.hash))
        #expect(stored.manifest.version == entry.version, "the stored copy loads")

        // Another package (its threshold changed) under the same name@version.
        let other = try copyOfDemo("c") {
            $0 = $0.replacingOccurrences(of: "\"confidence_threshold\" : 0.4", with: "\"confidence_threshold\" : 0.5")
        }
        let refused = #expect(throws: ModelStoreError.self) { try store.push(other) }
        #expect(refused?.description.contains("give the new package another version") == true)
        #expect(try store.list() == [entry])
    }

    @Test func aPackageThatFailsACheckNeverEntersTheStore() throws {
        let store = ModelStore(directory: scratch.appendingPathComponent("store"))
        let broken = try copyOfDemo("broken")
        let weights = broken.appendingPathComponent("weights.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: weights)
        let error = #expect(throws: ModelPackageError.self) { try store.push(broken) }
        #expect(error?.code == .checksumMismatch)
        #expect(try store.list().isEmpty)
    }
}
