import ArgumentParser
import Classifier
import Foundation

/// `streamcoder bench infer`: inference alone, ours beside fastText's own predict.
struct BenchInferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Inference speed on one core: per-form latency and forms/s, single and batched, beside fastText.",
        discussion: """
            Codes --count texts made from the NAF labels and the sample forms (registry style) with \
            the package, one form per call (latency p50/p99) and in batches, then runs fastText's \
            Python predict on the same model file and texts (scripts/bench/fasttext_predict.py; \
            needs `pip install fasttext-numpy2`). Run it pinned to one core, e.g. \
            `taskset -c 1 .build/release/streamcoder bench infer --package P --fasttext-model M.bin`; \
            scripts/bench/bench-infer.sh makes the models and runs both sizes.
            """
    )

    @Option(help: "The model package to measure.")
    var package: String = "Models/naf-demo"

    @Option(name: .customLong("fasttext-model"), help: "The fastText .bin the package was imported from (baseline).")
    var fasttextModel: String?

    @Option(help: "How many texts.")
    var count: Int = 20_000

    @Option(name: .customLong("batch-size"), help: "Forms per batched call.")
    var batchSize: Int = 256

    @Option(name: .customLong("top-k"), help: "Candidates per form, for both engines.")
    var topK: Int = 5

    @Option(help: "The NAF table the texts are made from (default: the project's data/naf_rev2_subclasses.csv).")
    var naf: String?

    func run() async throws {
        let naf = try ProjectFiles.path(naf, default: ProjectFiles.nafTable, option: "--naf")
        let loaded = try ModelPackage.load(from: URL(fileURLWithPath: package))
        let texts = try DemoForms.generated(count, from: naf).map(\.form.descriptionActivity)
        let classifier = Classifier(package: loaded)
        let description = describe(loaded.manifest)
        printLine(
            "model \(loaded.manifest.name)@\(loaded.manifest.version): \(description); \(texts.count) texts, top-\(topK)"
        )
        _ = classifier.classify(batch: Array(texts.prefix(500)), topK: topK)  // warm-up: page the weights in
        var rows = [measureSingle(classifier, texts), measureBatched(classifier, texts)]
        if let fasttextModel { rows += try measureFastText(fasttextModel, texts) }
        printTable(rows)
    }

    private func measureSingle(_ classifier: Classifier, _ texts: [String]) -> BenchRow {
        var latencies: [Duration] = []
        latencies.reserveCapacity(texts.count)
        let clock = ContinuousClock()
        let total = clock.measure {
            for text in texts {
                let start = clock.now
                _ = classifier.classify(text: text, topK: topK)
                latencies.append(clock.now - start)
            }
        }
        latencies.sort()
        return BenchRow(
            engine: "streamcoder",
            mode: "one form per call",
            formsPerSecond: Double(texts.count) / total.seconds,
            p50: latencies[latencies.count / 2].microseconds,
            p99: latencies[Int(Double(latencies.count) * 0.99)].microseconds
        )
    }

    private func measureBatched(_ classifier: Classifier, _ texts: [String]) -> BenchRow {
        let batches = stride(from: 0, to: texts.count, by: batchSize).map {
            Array(texts[$0..<min($0 + batchSize, texts.count)])
        }
        let total = ContinuousClock().measure {
            for batch in batches { _ = classifier.classify(batch: batch, topK: topK) }
        }
        return BenchRow(
            engine: "streamcoder",
            mode: "batches of \(batchSize)",
            formsPerSecond: Double(texts.count) / total.seconds
        )
    }

    private func measureFastText(_ model: String, _ texts: [String]) throws -> [BenchRow] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-texts-\(getpid()).txt")
        try texts.joined(separator: "\n").appending("\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try runPython(["scripts/bench/fasttext_predict.py", model, file.path, String(topK)])
        guard let json = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Double] else {
            throw CommandError("fasttext_predict.py printed no JSON: \(output)")
        }
        return [
            BenchRow(
                engine: "fastText (python)",
                mode: "one form per call",
                formsPerSecond: json["single_forms_per_second"] ?? 0,
                p50: json["single_p50_us"],
                p99: json["single_p99_us"]
            ),
            BenchRow(
                engine: "fastText (python)",
                mode: "list predict (C++ loop)",
                formsPerSecond: json["list_forms_per_second"] ?? 0
            ),
        ]
    }

    private func column(_ value: Double?) -> String {
        let text = value.map { String(format: "%.1f", $0) } ?? "-"
        return String(repeating: " ", count: max(1, 9 - text.count)) + text
    }

    private func describe(_ manifest: ModelManifest) -> String {
        guard let settings = manifest.fasttext else { return "\(manifest.architecture)" }
        return
            "fastText dim \(settings.dim), \(settings.wordCount) words, \(settings.bucket) buckets, loss \(settings.loss)"
    }

    private func printTable(_ rows: [BenchRow]) {
        printLine("")
        printLine("engine              mode                       forms/s   p50 µs   p99 µs")
        for row in rows {
            printLine(
                row.engine.padding(toLength: 19, withPad: " ", startingAt: 0) + " "
                    + row.mode.padding(toLength: 25, withPad: " ", startingAt: 0)
                    + String(format: " %9.0f", row.formsPerSecond) + column(row.p50) + column(row.p99)
            )
        }
        let ours = rows.filter { $0.engine == "streamcoder" }.map(\.formsPerSecond).max() ?? 0
        if let theirs = rows.filter({ $0.engine != "streamcoder" }).map(\.formsPerSecond).max(), theirs > 0 {
            printLine(String(format: "ratio, best of ours / best of fastText's: %.2f×", ours / theirs))
        }
    }
}

/// One line of a benchmark table.
struct BenchRow {
    var engine: String
    var mode: String
    var formsPerSecond: Double
    var p50: Double? = nil
    var p99: Double? = nil
}

extension Duration {
    /// Seconds as a floating-point number.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Microseconds as a floating-point number.
    var microseconds: Double { seconds * 1e6 }
}

/// Runs `python3 ARGS…` and returns its standard output; throws with its standard error when it fails.
func runPython(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CommandError(
            "python3 \(arguments.joined(separator: " ")) failed: \(String(decoding: errors, as: UTF8.self))"
        )
    }
    return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
