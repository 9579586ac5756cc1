import ArgumentParser
import Classifier
import Foundation

extension ModelsCommand {
    struct ImportTTC: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-ttc",
            abstract: "Turn a torchTextClassifiers n-gram model into a model package.",
            discussion: """
                DIR holds model.safetensors, tokenizer.json and ttc-export.json, as written from a \
                model saved by the library with scripts/fixtures/ttc/ttc_export.py. The package \
                answers as the library's forward pass does (docs/torchtextclassifiers-ngram.md); an \
                unknown categorical value maps to the reserved value's id, never an error.
                """
        )

        @Argument(help: "The exported model directory.")
        var directory: String

        @Option(help: "CSV with code and label columns (default: the project's data/naf_rev2_subclasses.csv).")
        var labels: String?

        @Option(help: "Directory to write the package to (created).")
        var out: String

        @Option(help: "Package name.")
        var name: String = "naf-ttc"

        @Option(help: "Package version.")
        var version: String = "1"

        @Option(name: .customLong("unknown-value"), help: "The categorical value that stands for unknown values.")
        var unknownValue: String?

        @Option(
            name: .customLong("missing-value"),
            help: """
                The categorical value a missing or empty field stands for (default: NaN with \
                --preprocess insee, as Insee's API fills them; otherwise missing values are unknown).
                """
        )
        var missingValue: String?

        @OptionGroup var input: TextInputOptions

        @Flag(help: "Replace --out if it exists.")
        var force = false

        func run() async throws {
            try PackageOutput.prepare(out, force: force)
            let package = try TTCImporter.importModel(
                from: URL(fileURLWithPath: directory),
                labels: URL(
                    fileURLWithPath: try ProjectFiles.path(labels, default: ProjectFiles.nafTable, option: "--labels")
                ),
                name: name,
                version: version,
                to: URL(fileURLWithPath: out),
                unknownValue: unknownValue,
                missingValue: missingValue ?? (input.preprocess.name == "insee" ? "NaN" : nil),
                text: input.textInput
            )
            let manifest = package.manifest
            printLine(
                "wrote \(out): \(manifest.name)@\(manifest.version), \(manifest.labels.count) labels, "
                    + "\(manifest.categorical.count) categorical features"
                    + (manifest.categorical.first?.missingValue.map { " (missing values read as '\($0)')" } ?? "")
                    + ", "
                    + "weights sha256 \(manifest.weights.sha256.prefix(16))…"
            )
        }
    }
}
