import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ModelPackage {
    /// Writes a package into `directory` and returns the manifest as written.
    ///
    /// The manifest's `tensors` and `weights` fields are filled in from `tensors`. The weights
    /// go first and the manifest last, each through a temporary file renamed into place, so a
    /// crash leaves either no manifest or one whose sha256 refuses the weights beside it: a
    /// half-written package never loads.
    @discardableResult
    public static func write(
        manifest draft: ModelManifest,
        tensors: [Tensor],
        to directory: URL
    ) throws(ModelPackageError) -> ModelManifest {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .writing(directory.path, error.localizedDescription)
        }
        // Widest elements first: with an 8-aligned data section every tensor is then aligned.
        let ordered = tensors.enumerated().sorted {
            ($0.element.dtype.size, -$0.offset) > ($1.element.dtype.size, -$1.offset)
        }.map(\.element)
        var manifest = draft
        let weightsName = draft.weights.file.isEmpty ? weightsFile : draft.weights.file
        let weightsURL = directory.appendingPathComponent(weightsName)
        let (digest, size) = try writeWeights(
            ordered,
            metadata: ["model": "\(draft.name)@\(draft.version)"],
            to: weightsURL
        )
        manifest.tensors = ordered.map(\.spec)
        manifest.weights = ModelManifest.WeightsReference(file: weightsName, sha256: digest, bytes: size)
        try writeManifest(manifest, to: directory)
        return manifest
    }

    /// Replaces the manifest of a package directory, atomically.
    static func writeManifest(_ manifest: ModelManifest, to directory: URL) throws(ModelPackageError) {
        let url = directory.appendingPathComponent(manifestFile)
        try writeAtomically(url) { handle throws(ModelPackageError) in
            try write(encodeManifest(manifest), to: handle, path: url.path)
        }
    }

    private static func writeWeights(
        _ tensors: [Tensor],
        metadata: [String: String],
        to url: URL
    ) throws(ModelPackageError) -> (String, Int) {
        var hasher = SHA256Hex()
        var size = 0
        try writeAtomically(url) { handle throws(ModelPackageError) in
            let header = SafeTensorsLayout.header(for: tensors, metadata: metadata)
            for chunk in [header] + tensors.map(\.bytes) {
                hasher.update(chunk)
                size += chunk.count
                try write(chunk, to: handle, path: url.path)
            }
        }
        return (hasher.finalize(), size)
    }

    private static func writeAtomically(
        _ url: URL,
        _ body: (FileHandle) throws(ModelPackageError) -> Void
    ) throws(ModelPackageError) {
        let temporary = url.appendingPathExtension("partial")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporary.path)
        else { throw .writing(temporary.path, "cannot create the file") }
        do {
            try body(handle)
            try handle.synchronize()
            try handle.close()
        } catch let error as ModelPackageError {
            throw error
        } catch {
            throw .writing(temporary.path, error.localizedDescription)
        }
        guard rename(temporary.path, url.path) == 0 else {
            throw .writing(url.path, "rename failed: \(String(cString: strerror(errno)))")
        }
    }

    private static func write(
        _ data: some DataProtocol,
        to handle: FileHandle,
        path: String
    ) throws(ModelPackageError) {
        do {
            try handle.write(contentsOf: data)
        } catch {
            throw .writing(path, error.localizedDescription)
        }
    }
}

extension ModelPackageError {
    static func writing(_ file: String, _ reason: String) -> ModelPackageError {
        ModelPackageError(
            .writeFailed,
            file: file,
            problem: "cannot be written (\(reason))",
            remedy: "check free space and permissions of the output directory, then write the package again"
        )
    }
}
