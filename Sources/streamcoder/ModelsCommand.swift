import ArgumentParser
import Classifier
import Foundation

/// `streamcoder models …`: model packages.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract:
            "Import, inspect, train, evaluate, sign and store model packages, and switch the running fleet between them.",
        subcommands: [
            ImportFastText.self, ImportTTC.self, Inspect.self, EvaluateCommand.self, Train.self, Keygen.self,
            Sign.self, Push.self, List.self, Activate.self, Promote.self, Rollback.self, Status.self,
        ]
    )

    struct ImportFastText: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-fasttext",
            abstract: "Turn a fastText supervised model (.bin or .ftz) into a model package.",
            discussion: """
                The package answers exactly as fastText's predict does on the same text: no text \
                processing is added (fastText has none; clean text before calling it as you did \
                for training). Labels __label__CODE are named with the CSV's label column.
                """
        )

        @Argument(help: "The fastText model file.")
        var model: String

        @Option(help: "CSV with code and label columns (default: the project's data/naf_rev2_subclasses.csv).")
        var labels: String?

        @Option(help: "Directory to write the package to (created).")
        var out: String

        @Option(help: "Package name.")
        var name: String = "naf-fasttext"

        @Option(help: "Package version.")
        var version: String = "1"

        @Option(help: "Confidence threshold (p1 − p2) for auto-coding.")
        var threshold: Double = 0.8

        @OptionGroup var input: TextInputOptions

        @Flag(help: "Replace --out if it exists.")
        var force = false

        func run() async throws {
            try PackageOutput.prepare(out, force: force)
            let package = try FastTextImporter.importModel(
                from: URL(fileURLWithPath: model),
                labels: URL(
                    fileURLWithPath: try ProjectFiles.path(labels, default: ProjectFiles.nafTable, option: "--labels")
                ),
                name: name,
                version: version,
                to: URL(fileURLWithPath: out),
                text: input.textInput,
                policy: .init(confidenceThreshold: threshold)
            )
            let manifest = package.manifest
            printLine(
                "wrote \(out): \(manifest.name)@\(manifest.version), \(manifest.labels.count) labels, "
                    + "weights sha256 \(manifest.weights.sha256.prefix(16))…"
            )
        }
    }

    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load and check a package, and describe it.")

        @Argument(help: "The package directory.")
        var package: String

        @Option(
            name: .customLong("trusted-keys"),
            help: "Also check the package's signature against the .pub keys of this directory."
        )
        var trustedKeys: String?

        func run() async throws {
            let trusted = try trustedKeys.map { path throws(ModelPackageError) in
                try TrustedKeys(directory: URL(fileURLWithPath: path))
            }
            let loaded = try ModelPackage.load(from: URL(fileURLWithPath: package), trustedKeys: trusted)
            if trusted != nil { printLine("signature: valid, by a trusted key") }
            let manifest = loaded.manifest
            printLine("\(manifest.name)@\(manifest.version) (\(manifest.architecture))")
            printLine(
                "text: fields \(manifest.text.fields.joined(separator: ", ")); "
                    + "preprocessing: \(manifest.text.preprocessing?.summary ?? "none")"
            )
            if let ttc = manifest.ttc {
                printLine(
                    "torchTextClassifiers n-gram: dim \(ttc.dim), words \(ttc.wordCount), buckets \(ttc.buckets), "
                        + "char n-grams \(ttc.minN)…\(ttc.maxN), max length \(ttc.maxLength.map(String.init) ?? "none"), "
                        + "cleaning \(ttc.cleanText ? "on" : "off"), categorical \(ttc.combination.map { "\($0)" } ?? "none")"
                )
            }
            if let fasttext = manifest.fasttext {
                printLine(
                    "fastText: dim \(fasttext.dim), words \(fasttext.wordCount), buckets \(fasttext.bucket), "
                        + "char n-grams \(fasttext.minn)…\(fasttext.maxn), word n-grams \(fasttext.wordNgrams), loss \(fasttext.loss)"
                )
            }
            printLine("labels: \(manifest.labels.count); categorical features: \(manifest.categorical.count)")
            printLine(
                "decision: top-k \(manifest.decision.topK), prob_min \(manifest.decision.probMin), "
                    + "threshold \(manifest.decision.confidenceThreshold)"
            )
            printLine("weights: \(manifest.weights.bytes) bytes, sha256 \(manifest.weights.sha256)")
            printLine("golden examples: \(manifest.goldenExamples.count), all reproduced")
        }
    }
}
