import ArgumentParser
import Classifier
import Foundation
import Kafka
import Wire

/// `streamcoder code`: code one activity text, locally with a package or through the fleet.
struct CodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "code",
        abstract:
            "Code an activity text: with a local package (--model) or by request/reply through the workers (--brokers).",
        discussion: """
            Through the workers, the form is published on the forms topic with the headers \
            sc-reply-to, sc-correlation-id, sc-deadline and traceparent; the answer is read from the \
            reply topic. A worker that finds the deadline passed answers DEADLINE_EXCEEDED without \
            coding.
            """
    )

    @Argument(help: "The activity text, e.g. \"boulangerie pâtisserie artisanale\".")
    var text: String?

    @Option(help: "Code every form of this CSV (with --model), one line each: with --json, one object per form.")
    var csv: String?

    @Option(help: "A model package directory: code here, without Kafka.")
    var model: String?

    @OptionGroup var kafka: KafkaOptions

    @Option(name: .customLong("type-form"), help: "The form's type (liasse type).")
    var typeForm: String = ""

    @Option(help: "The form's event code.")
    var event: String = ""

    @Option(name: .customLong("top-k"), help: "Candidates to show (local mode).")
    var topK: Int?

    @Option(help: "Seconds to wait for the answer (request/reply).")
    var timeout: Double = 10

    @Option(
        name: .customLong("deadline-ms"),
        help: "The workers must answer within this many milliseconds (request/reply)."
    )
    var deadlineMilliseconds: Int = 5_000

    @Option(name: .customLong("reply-topic"), help: "The topic to read the answer from.")
    var replyTopic: String = StreamCoderTopic.replies

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Flag(help: "Show each token's contribution to the top code's score (local fastText packages).")
    var explain = false

    func validate() throws {
        guard (text == nil) != (csv == nil) else { throw ValidationError("Give a text or --csv FILE (one of them).") }
        guard csv == nil || model != nil else {
            throw ValidationError("--csv codes with a local package: add --model PKG.")
        }
        let fleet = kafka.brokers ?? ProcessInfo.processInfo.environment["STREAMCODER_BROKERS"]
        if model == nil && fleet != nil && (explain || topK != nil) {
            throw ValidationError(
                "--explain and --top-k apply to a package coding here (--model); through --brokers the workers "
                    + "answer with their own settings (start them with --explain or --top-k)."
            )
        }
        guard model != nil || fleet != nil else {
            throw ValidationError(
                "Nothing to code with: pass --model PKG to code with a package here (e.g. --model Models/naf-demo), "
                    + "or --brokers HOST:PORT to ask a running fleet of workers."
            )
        }
    }

    func run() async throws {
        if let csv, let model {
            try codeFile(csv, package: model)
            return
        }
        let text = self.text ?? ""
        let form = RegistryForm(
            formID: "code-\(UUID().uuidString.prefix(8))",
            descriptionActivity: text,
            typeForm: typeForm,
            event: event
        )
        try form.validate()
        let result: CodingResult
        if let model {
            result = try codeLocally(form, package: model)
        } else {
            result = try await RequestReply(kafka: kafka, replyTopic: replyTopic)
                .code(form, deadlineMilliseconds: deadlineMilliseconds, timeout: .seconds(timeout))
        }
        try show(result, text: text)
    }

    /// Codes every row of a CSV of forms with a local package. A row that is not a valid form (a
    /// blank text, a value over its limit) is refused with its line, as a single text would be,
    /// and the others are coded; the command then exits 1.
    private func codeFile(_ path: String, package directory: String) throws {
        let table = try CSVTable(contentsOf: path)
        try RegistryForm.checkColumns(of: table, path: path)
        guard !table.rows.isEmpty else {
            throw CommandError("\(path) has a header but no rows: nothing to code")
        }
        let package = try ModelPackage.load(from: URL(fileURLWithPath: directory))
        let classifier = Classifier(package: package)
        var refused = 0
        for (index, row) in table.rows.enumerated() {
            let line = index + 2
            do {
                let form = try RegistryForm(
                    csvRow: row,
                    of: table,
                    line: line,
                    formID: table.value("form_id", in: row).flatMap { $0.isEmpty ? nil : $0 } ?? "row-\(index + 1)"
                )
                try form.validate()
                let result = code(form, with: classifier, package: package)
                if json {
                    try showRow(
                        result,
                        line: line,
                        text: form.descriptionActivity,
                        expected: table.value("code", in: row)
                    )
                } else {
                    try show(result, text: form.descriptionActivity)
                }
            } catch {
                refused += 1
                printError("\(path), line \(line): not coded: \(error)")
            }
        }
        if refused > 0 {
            printError("\(refused) of \(table.rows.count) rows of \(path) were not coded (see above)")
            throw ExitCode.failure
        }
    }

    /// A row's result as one JSON object: the result's fields, with the row's line, its text and,
    /// when the CSV has a code column, the expected code.
    private func showRow(_ result: CodingResult, line: Int, text: String, expected: String?) throws {
        let encoded = try JSONEncoder().encode(result)
        guard var object = try JSONSerialization.jsonObject(with: encoded) as? [String: Any] else { return }
        object["line"] = line
        object["text"] = text
        if let expected, !expected.isEmpty { object["expected_code"] = expected }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        printLine(String(decoding: data, as: UTF8.self))
    }

    private func codeLocally(_ form: RegistryForm, package directory: String) throws -> CodingResult {
        let package = try ModelPackage.load(from: URL(fileURLWithPath: directory))
        if explain
            && (package.manifest.architecture != .fasttext || package.manifest.fasttext?.loss == .hierarchicalSoftmax)
        {
            printError(
                "note: --explain gives nothing for \(package.manifest.name)@\(package.manifest.version): only fastText "
                    + "softmax and one-vs-all packages split their score by word"
            )
        }
        return code(form, with: Classifier(package: package), package: package)
    }

    private func code(_ form: RegistryForm, with classifier: Classifier, package: ModelPackage) -> CodingResult {
        let prediction = classifier.classify(fields: form.fieldsByName, topK: topK)
        let explanation =
            explain
            ? Explanation(
                tokens: classifier.explain(text: package.manifest.text(fromFields: form.fieldsByName))
                    .prefix(10).map { Wire.TokenContribution(token: $0.token, contribution: Float($0.contribution)) }
            )
            : nil
        return CodingResult(
            formID: form.formID,
            decision: prediction.decision == .autoCoded ? .autoCoded : .manualReview,
            candidates: prediction.candidates.map {
                Wire.Candidate(code: $0.code, label: $0.label, probability: Float($0.probability))
            },
            confidenceIndex: Float(prediction.confidenceIndex),
            model: ModelRef(
                name: package.manifest.name,
                version: package.manifest.version,
                sha256: package.manifest.weights.sha256
            ),
            codedAtUnixMs: Int64(Date().timeIntervalSince1970 * 1_000),
            explanation: explanation
        )
    }

    private func show(_ result: CodingResult, text: String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            printLine(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        printLine("\(text)")
        if result.status.code != .ok {
            printLine("  status \(result.status.code): \(result.status.message)")
            return
        }
        printLine("  code   probability  label")
        for candidate in result.candidates {
            printLine("  \(candidate.code)  \(String(format: "%.4f", candidate.probability))       \(candidate.label)")
        }
        if let tokens = result.explanation?.tokens, let top = result.candidates.first {
            printLine("  why \(top.code): each word's (or word pair's) share of its score, as the model sees the text")
            for token in tokens {
                printLine("    \(String(format: "%+.3f", token.contribution))  \(token.token)")
            }
        }
        let decision = result.decision == .autoCoded ? "auto-coded" : "manual review"
        printLine(
            "  confidence index (p1 − p2) \(String(format: "%.4f", result.confidenceIndex)) → \(decision)"
                + (result.model.map { " (\($0.name)@\($0.version))" } ?? "")
        )
    }
}
