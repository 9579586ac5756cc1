import ArgumentParser
import Classifier
import Foundation

extension ModelsCommand {
    /// `streamcoder models train`: a fastText-style model trained on a CSV of labelled forms.
    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a fastText-style model (softmax) on a CSV of labelled forms and write it as a package.",
            discussion: """
                The text is used as it is in the CSV (no cleaning, as fastText) unless --preprocess \
                names a cleaning, which is then applied to the training texts and recorded in the \
                package, so that every text it codes is cleaned the same way. A share of the rows (--validation) is held out; the report gives top-1 \
                and top-5 accuracy and the auto-coding rate at --threshold on it. With one thread \
                and a seed, training is deterministic. The run is synchronous: it blocks this process \
                while its own threads train.
                """
        )

        @Option(help: "CSV of labelled examples (a header row; a text column and a code column).")
        var data: String

        @Option(help: "Directory to write the package to (created).")
        var out: String

        @Option(
            name: .customLong("text-column"),
            help: "The text column (default: the first of description_activity, text_description, libelle_activite)."
        )
        var textColumn: String?

        @Option(name: .customLong("label-column"), help: "The code column.")
        var labelColumn: String = "code"

        @Option(help: "CSV with code and label columns naming the codes (e.g. naf_rev2_subclasses.csv).")
        var labels: String?

        @OptionGroup var hyperParameters: TrainOptions

        @Option(help: "Share of the rows held out for the report (0 trains on everything).")
        var validation: Double = 0.1

        @Option(name: .customLong("validation-data"), help: "A CSV to evaluate on instead of a held-out share.")
        var validationData: String?

        @Option(help: "Confidence threshold (p1 − p2) for auto-coding: the package's, and the report's.")
        var threshold: Double = 0.4

        @Option(help: "Package name.")
        var name: String = "naf-trained"

        @Option(help: "Package version.")
        var version: String = "1"

        @Option(help: "Golden examples to record in the package.")
        var golden: Int = 5

        @OptionGroup var input: TextInputOptions

        @Flag(help: "Replace --out if it exists.")
        var force = false

        @Flag(help: "No progress bar.")
        var quiet = false

        func validate() throws {
            guard (0..<1).contains(validation) else { throw ValidationError("--validation must be in 0..<1") }
            guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be in 0...1") }
        }

        func run() async throws {
            try PackageOutput.prepare(out, force: force)
            let (training, heldOut) = try examples()
            let labelTexts = try labels.map { path throws in try checkedLabels(path, training + heldOut) }
            printLine("training: \(training.count) examples; held out: \(heldOut.count)")
            let bar = quiet ? nil : TrainingProgressBar()
            let preprocessing = input.preprocess.preprocessing
            var cleaned = training
            if let preprocessing {
                cleaned = training.map { TrainingExample(text: preprocessing.apply($0.text), label: $0.label) }
                cleaned.removeAll { $0.text.isEmpty }
                printLine(
                    "preprocessing: \(preprocessing.summary)"
                        + (cleaned.count < training.count
                            ? "; \(training.count - cleaned.count) examples left no text" : "")
                )
            }
            let model = try await Trainer(configuration: hyperParameters.configuration).train(cleaned) {
                bar?.show($0)
            }
            bar?.finish()
            printLine(TrainSummary.training(model.report))
            // A model that learned nothing predicts the label frequencies: its loss stays near the
            // entropy of a uniform guess, ln(labels).
            let uniform = log(Double(max(model.report.labels, 2)))
            if Double(model.report.loss) > 0.8 * uniform {
                printLine(
                    String(
                        format: "warning: the loss (%.2f) is close to ln(%d labels) = %.2f: the model learned next to "
                            + "nothing; train longer (--epoch), with a higher --lr, or on more data per code",
                        Double(model.report.loss),
                        model.report.labels,
                        uniform
                    )
                )
            }
            let package = try model.writePackage(
                to: URL(fileURLWithPath: out),
                name: name,
                version: version,
                labelTexts: labelTexts,
                text: input.textInput,
                policy: .init(confidenceThreshold: threshold),
                trainingTexts: cleaned.map(\.text),
                goldenTexts: goldenTexts(heldOut.isEmpty ? training : heldOut)
            )
            if !heldOut.isEmpty {
                let classifier = Classifier(package: package)
                let evaluation = HeldOutEvaluation(
                    classifier: classifier,
                    examples: heldOut,
                    field: input.fields[0],
                    threshold: threshold
                )
                printLine(TrainSummary.evaluation(evaluation))
            }
            printLine(TrainSummary.package(package, directory: out))
        }

        private func examples() throws -> (training: [TrainingExample], heldOut: [TrainingExample]) {
            let data = try TrainingData.read(csv: data, textColumn: textColumn, labelColumn: labelColumn)
            if data.skippedRows > 0 { printLine("skipped \(data.skippedRows) rows without a text or a code") }
            if let validationData {
                let heldOut = try TrainingData.read(
                    csv: validationData,
                    textColumn: textColumn,
                    labelColumn: labelColumn
                )
                return (data.examples, heldOut.examples)
            }
            let split = data.split(validationFraction: validation, seed: hyperParameters.seed)
            return (split.training, split.validation)
        }

        private func checkedLabels(_ path: String, _ examples: [TrainingExample]) throws -> [String: String] {
            let texts = try LabelsCSV.read(URL(fileURLWithPath: path))
            let missing = TrainingData(examples: examples).codesMissing(from: texts)
            guard missing.isEmpty else {
                throw ValidationError(
                    "\(path) has no label for \(missing.count) code(s) of \(data): "
                        + missing.prefix(10).joined(separator: ", ") + (missing.count > 10 ? ", …" : "")
                )
            }
            return texts
        }

        /// Distinct texts, in order, for the golden examples.
        private func goldenTexts(_ examples: [TrainingExample]) -> [String] {
            var seen = Set<String>()
            var texts: [String] = []
            for example in examples where texts.count < golden && seen.insert(example.text).inserted {
                texts.append(example.text)
            }
            return texts
        }
    }
}
