import Foundation
import Testing

@testable import Classifier

/// Damaged or tampered packages are refused with a typed error naming the file at fault.
@Suite("Bad packages are refused")
final class BadPackageTests {
    private let directory = Fixtures.temporaryDirectory("bad-package")
    private var manifestURL: URL { directory.appendingPathComponent(ModelPackage.manifestFile) }
    private var weightsURL: URL { directory.appendingPathComponent(ModelPackage.weightsFile) }

    init() throws {
        _ = try TinyModel.write(to: directory)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    private func editManifest(_ edit: (inout ModelManifest) -> Void) throws {
        var manifest = try ModelPackage.readManifest(at: manifestURL.path)
        edit(&manifest)
        try ModelPackage.encodeManifest(manifest).write(to: manifestURL)
    }

    private func refusal(_ code: ModelPackageError.Code, naming file: URL) {
        #expect {
            _ = try ModelPackage.load(from: directory)
        } throws: { error in
            guard let error = error as? ModelPackageError else { return false }
            return error.code == code && error.file == file.path && error.description.contains(file.lastPathComponent)
        }
    }

    @Test("the intact package loads")
    func intactPackageLoads() throws {
        _ = try ModelPackage.load(from: directory)
    }

    @Test("a wrong sha256 in the manifest")
    func wrongChecksum() throws {
        try editManifest { $0.weights.sha256 = String(repeating: "0", count: 64) }
        refusal(.checksumMismatch, naming: weightsURL)
    }

    @Test("weights changed after the manifest was written")
    func tamperedWeights() throws {
        var bytes = try Data(contentsOf: weightsURL)
        bytes[bytes.count - 20] ^= 0x01
        try bytes.write(to: weightsURL)
        refusal(.checksumMismatch, naming: weightsURL)
    }

    @Test("truncated weights")
    func truncatedWeights() throws {
        let bytes = try Data(contentsOf: weightsURL)
        try bytes.prefix(bytes.count - 7).write(to: weightsURL)
        refusal(.weightsInvalid, naming: weightsURL)
    }

    @Test("weights cut inside their header")
    func truncatedHeader() throws {
        try Data(try Data(contentsOf: weightsURL).prefix(30)).write(to: weightsURL)
        refusal(.weightsInvalid, naming: weightsURL)
    }

    @Test("a tensor shape that differs from the manifest's")
    func shapeMismatch() throws {
        try editManifest { manifest in
            let index = manifest.tensors.firstIndex { $0.name == FastTextSettings.TensorName.input }!
            manifest.tensors[index].shape = [10, 1]
        }
        refusal(.tensorMismatch, naming: weightsURL)
    }

    @Test("fastText settings that do not fit the input matrix")
    func settingsMismatch() throws {
        try editManifest { $0.fasttext?.bucket = 4 }
        refusal(.tensorMismatch, naming: weightsURL)
    }

    @Test("a label missing from the manifest")
    func missingLabel() throws {
        try editManifest { $0.labels.removeLast() }
        refusal(.labelsMismatch, naming: weightsURL)
    }

    @Test("a golden example whose answer changed")
    func goldenExampleMismatch() throws {
        try editManifest { $0.goldenExamples[0].expected[0].probability += 0.01 }
        refusal(.goldenExampleMismatch, naming: manifestURL)
    }

    @Test("a manifest that is not JSON")
    func manifestNotJSON() throws {
        try Data("{ not json".utf8).write(to: manifestURL)
        refusal(.manifestInvalid, naming: manifestURL)
    }

    @Test("a half-written package: weights present, manifest never renamed into place")
    func halfWritten() throws {
        try FileManager.default.removeItem(at: manifestURL)
        refusal(.fileUnreadable, naming: manifestURL)
    }

    @Test("missing weights")
    func missingWeights() throws {
        try FileManager.default.removeItem(at: weightsURL)
        refusal(.fileUnreadable, naming: weightsURL)
    }

    @Test("only I/O failures say a retry can help")
    func retryOnlyForIO() {
        let unreadable = ModelPackageError(.fileUnreadable, file: "f", problem: "p", remedy: "r")
        let tampered = ModelPackageError(.checksumMismatch, file: "f", problem: "p", remedy: "r")
        #expect(unreadable.retryCanHelp)
        #expect(!tampered.retryCanHelp)
    }
}

@Suite("Bad fastText models are refused")
struct BadFastTextModelTests {
    @Test("a truncated .bin names the file")
    func truncatedBinary() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("cut.bin")
        try Data(try Data(contentsOf: Fixtures.url("fasttext/softmax.bin")).prefix(5000)).write(to: source)
        #expect {
            _ = try FastTextImporter.importModel(
                from: source,
                labels: Fixtures.labelsCSV,
                name: "x",
                version: "1",
                to: directory.appendingPathComponent("out")
            )
        } throws: { error in
            (error as? ModelPackageError)?.code == .sourceInvalid && (error as? ModelPackageError)?.file == source.path
        }
    }

    @Test("a model label absent from the labels CSV")
    func labelAbsentFromCSV() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("labels.csv")
        try Data("code,label\n0111Z,Culture de céréales\n".utf8).write(to: csv)
        #expect {
            _ = try FastTextImporter.importModel(
                from: Fixtures.url("fasttext/softmax.bin"),
                labels: csv,
                name: "x",
                version: "1",
                to: directory.appendingPathComponent("out")
            )
        } throws: { error in
            (error as? ModelPackageError)?.code == .labelMissing && (error as? ModelPackageError)?.file == csv.path
        }
    }
}

@Suite("Hostile safetensors headers are refused")
struct HostileHeaderTests {
    private func layout(header: String, data: Int) -> Result<SafeTensorsLayout, ModelPackageError> {
        var json = Array(header.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        let bytes =
            withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) } + json
            + [UInt8](repeating: 0, count: data)
        return bytes.withUnsafeBytes { raw in
            Result { () throws(ModelPackageError) in try SafeTensorsLayout(parsing: raw, file: "hostile.safetensors") }
        }
    }

    @Test("overflowing shapes, overlapping ranges and oversized header lengths are errors, not crashes")
    func hostileHeaders() {
        let cases = [
            #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}}"#,
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
                + #""b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#,
            #"{"a":{"dtype":"Q9","shape":[2],"data_offsets":[0,8]}}"#,
            #"[1,2,3]"#,
        ]
        for header in cases {
            guard case .failure(let error) = layout(header: header, data: 16) else {
                Issue.record("accepted \(header)")
                continue
            }
            #expect(error.code == .weightsInvalid)
        }
        var huge = withUnsafeBytes(of: UInt64.max.littleEndian) { Array($0) }
        huge += [UInt8](repeating: 0x20, count: 8)
        let result = huge.withUnsafeBytes { raw in
            Result { () throws(ModelPackageError) in try SafeTensorsLayout(parsing: raw, file: "hostile.safetensors") }
        }
        #expect(throws: ModelPackageError.self) { try result.get() }
    }
}

@Suite("Damaged fastText files are refused without crashing")
struct DamagedFastTextTests {
    private func parse(_ bytes: Data) -> Bool {
        do {
            let binary = try FastTextBinary(bytes: bytes, file: "damaged.bin")
            _ = try FastTextImporter.settings(of: binary, file: "damaged.bin")
            return true
        } catch {
            return false
        }
    }

    @Test("every truncation of a quantized model is refused", arguments: ["softmax.ftz", "ova.ftz"])
    func truncations(model: String) throws {
        let bytes = try Data(contentsOf: Fixtures.url("fasttext/\(model)"))
        for length in stride(from: 0, to: bytes.count, by: 3001) {
            #expect(!parse(bytes.prefix(length)), "accepted the first \(length) bytes")
        }
    }

    @Test("corrupted header and dictionary bytes give errors, not crashes")
    func corruptions() throws {
        let original = try Data(contentsOf: Fixtures.url("fasttext/softmax.ftz"))
        // A fixed linear congruential sequence: the same corruptions on every run.
        var state: UInt64 = 0x5EED
        for _ in 0..<80 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var bytes = original
            bytes[Int(state >> 33) % 2000] = UInt8(truncatingIfNeeded: state >> 17)
            _ = parse(bytes)
        }
        for position in [8, 12, 40, 60, 64, 68, 72, 80] {
            var bytes = original
            bytes.replaceSubrange(position..<position + 4, with: [0xFF, 0xFF, 0xFF, 0x7F])
            _ = parse(bytes)
        }
    }
}
