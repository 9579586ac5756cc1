/// Why a model package (or a model being imported into one) cannot be used.
///
/// Every failure names the file it is about, says what is wrong with it, and what to do.
/// A package that raises any of these is never served: callers keep the model they had.
public struct ModelPackageError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, stable across releases so operators can alert on it.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name as it appears in logs and reports.
        public let name: String

        private init(_ name: String) { self.name = name }

        public var description: String { name }

        /// A file of the package is missing or cannot be read.
        public static let fileUnreadable = Code("file_unreadable")
        /// `manifest.json` is not JSON or lacks a required field.
        public static let manifestInvalid = Code("manifest_invalid")
        /// The package was written by a newer format, or names an architecture this build cannot run.
        public static let unsupported = Code("unsupported")
        /// `weights.safetensors` is malformed or truncated.
        public static let weightsInvalid = Code("weights_invalid")
        /// The weights' sha256 differs from the one in the manifest.
        public static let checksumMismatch = Code("checksum_mismatch")
        /// A tensor is missing, extra, or has another dtype or shape than the manifest says.
        public static let tensorMismatch = Code("tensor_mismatch")
        /// The labels do not match the output layer, or are empty or duplicated.
        public static let labelsMismatch = Code("labels_mismatch")
        /// A golden example does not give its recorded answer.
        public static let goldenExampleMismatch = Code("golden_example_mismatch")
        /// Writing the package failed.
        public static let writeFailed = Code("write_failed")
        /// A model file given to an importer is not one it can read.
        public static let sourceInvalid = Code("source_invalid")
        /// A label of an imported model has no entry in the labels CSV.
        public static let labelMissing = Code("label_missing")
        /// Trusted keys are configured and the package has no signature.
        public static let unsigned = Code("unsigned")
        /// The signature does not match the manifest (the package was changed after signing).
        public static let signatureInvalid = Code("signature_invalid")
        /// The package is signed by a key that is not among the trusted ones.
        public static let untrustedSigner = Code("untrusted_signer")
    }

    /// The kind of failure.
    public let code: Code
    /// The path of the file the failure is about.
    public let file: String
    /// What is wrong, in a sentence.
    public let problem: String
    /// What an operator can do about it.
    public let remedy: String

    /// Creates an error about `file`.
    public init(_ code: Code, file: String, problem: String, remedy: String) {
        self.code = code
        self.file = file
        self.problem = problem
        self.remedy = remedy
    }

    public var description: String {
        "\(file): \(problem) [\(code)] — \(remedy)"
    }

    /// Whether trying again unchanged can succeed: only for I/O failures (a file not yet
    /// synced to this host, a full disk freed). A package that is wrong stays wrong.
    public var retryCanHelp: Bool {
        code == .fileUnreadable || code == .writeFailed
    }
}

extension ModelPackageError {
    static func unreadable(_ file: String, _ reason: String) -> ModelPackageError {
        ModelPackageError(
            .fileUnreadable,
            file: file,
            problem: "cannot be read (\(reason))",
            remedy: "check the path and permissions; a package from a model store can be pushed again "
                + "(streamcoder models push PKG --store DIR)"
        )
    }

    static func weights(_ file: String, _ problem: String) -> ModelPackageError {
        ModelPackageError(
            .weightsInvalid,
            file: file,
            problem: problem,
            remedy: "the weights are damaged or half-written; push the package again from its source"
        )
    }

    static func tensor(_ file: String, _ problem: String) -> ModelPackageError {
        ModelPackageError(
            .tensorMismatch,
            file: file,
            problem: problem,
            remedy: "the manifest and the weights belong to different models; rebuild the package"
        )
    }
}
