import Foundation

/// A model package, loaded and checked: `manifest.json` plus memory-mapped `weights.safetensors`.
///
/// A value of this type exists only once every check passed: the weights' sha256, every tensor's
/// name, dtype and shape against the manifest, the labels against the output layer, and the
/// golden examples re-run. Share one package between the classifiers of a process.
public struct ModelPackage: Sendable {
    /// File name of the manifest inside a package directory.
    public static let manifestFile = "manifest.json"
    /// Default file name of the weights inside a package directory.
    public static let weightsFile = "weights.safetensors"

    /// The directory the package was loaded from.
    public let directory: URL
    /// The package's manifest.
    public let manifest: ModelManifest

    let weights: MappedFile
    let layout: SafeTensorsLayout
    /// The model of a `fasttext` package; `nil` for another architecture.
    let fastTextModel: FastTextModel?
    /// The model of a `ttc-ngram` package; `nil` for another architecture.
    let ttcModel: TTCModel?

    /// The fastText model; only for a package known to be `fasttext`.
    var fasttext: FastTextModel {
        guard let fastTextModel else { preconditionFailure("package \(manifest.name) is not a fastText model") }
        return fastTextModel
    }

    /// Loads the package in `directory` and checks it; a package that fails any check is refused.
    /// With `trustedKeys`, an unsigned package, or one signed by another key or changed since, is
    /// refused before anything else is read.
    public static func load(
        from directory: URL,
        trustedKeys: TrustedKeys? = nil
    ) throws(ModelPackageError) -> ModelPackage {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ModelPackageError(
                .fileUnreadable,
                file: directory.path,
                problem: "is a file, not a package directory",
                remedy: "give the directory that holds manifest.json and weights.safetensors (a fastText .bin is "
                    + "turned into one by streamcoder models import-fasttext)"
            )
        }
        if !FileManager.default.fileExists(atPath: directory.path) {
            throw ModelPackageError(
                .fileUnreadable,
                file: directory.path,
                problem: "does not exist",
                remedy: "give the directory of a model package (e.g. Models/naf-demo)"
            )
        }
        if let trustedKeys { try PackageSignature.verify(packageAt: directory, trusted: trustedKeys) }
        let manifestPath = directory.appendingPathComponent(manifestFile).path
        let manifest = try readManifest(at: manifestPath)
        try checkManifest(manifest, file: manifestPath)
        let weightsPath = directory.appendingPathComponent(manifest.weights.file).path
        let weights = try MappedFile(path: weightsPath)
        let layout = try SafeTensorsLayout(parsing: weights.bytes, file: weightsPath)
        try checkDigest(of: weights, against: manifest.weights)
        try checkTensors(layout, against: manifest, file: weightsPath)
        var fastText: FastTextModel? = nil
        var ttc: TTCModel? = nil
        switch manifest.architecture {
        case .fasttext:
            guard let settings = manifest.fasttext else {
                throw .manifest(manifestPath, "has architecture fasttext but no 'fasttext' settings")
            }
            fastText = try FastTextModel(
                settings: settings,
                labelCount: manifest.labels.count,
                weights: weights,
                layout: layout
            )
        case .ttcNgram:
            ttc = try loadTTC(manifest, weights: weights, layout: layout, file: manifestPath)
        }
        let package = ModelPackage(
            directory: directory,
            manifest: manifest,
            weights: weights,
            layout: layout,
            fastTextModel: fastText,
            ttcModel: ttc
        )
        try package.checkGoldenExamples(file: manifestPath)
        return package
    }

    /// Decodes `manifest.json` (snake_case keys).
    static func readManifest(at path: String) throws(ModelPackageError) -> ModelManifest {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path, error.localizedDescription)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(ModelManifest.self, from: data)
        } catch {
            throw .manifest(path, "is not a valid manifest (\(Self.describe(error)))")
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "\(context.debugDescription) at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty: "not JSON"
        case DecodingError.dataCorrupted(let context):
            "\(context.debugDescription) at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default: String(describing: error)
        }
    }

    /// Encodes a manifest as the package stores it: snake_case keys, sorted, indented.
    static func encodeManifest(_ manifest: ModelManifest) -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain value types with string keys cannot fail.
        return (try? encoder.encode(manifest)) ?? Data()
    }
}

extension ModelPackageError {
    static func manifest(_ file: String, _ problem: String) -> ModelPackageError {
        ModelPackageError(
            .manifestInvalid,
            file: file,
            problem: problem,
            remedy: "rewrite the package with `streamcoder models` tools rather than editing the manifest by hand"
        )
    }
}
