import ArgumentParser
import Classifier
import Foundation
import Wire

/// `streamcoder models evaluate`: accuracy, and the automation rate / accuracy trade-off that
/// decides a deployment's confidence threshold.
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Accuracy of a package on labelled forms, and automation rate vs accuracy per confidence threshold.",
        discussion: """
            The CSV has the text column (description_activity or text_description) and the expected \
            code (--label-column, default code); other form columns (type_form, event, …) are used \
            when the package reads them. For each threshold t, the automation rate is the share of \
            forms with confidence index p1 − p2 ≥ t, and the accuracy is the top-1 accuracy among \
            them: production picks the highest automation rate whose accuracy is acceptable. When \
            the package records its training set (packages written by models train), the forms whose \
            text the model was trained on are counted and reported apart: accuracy on them says \
            little about new forms.
            """
    )

    @Argument(help: "The package directory.")
    var package: String

    @Option(help: "Labelled forms (CSV with a header).")
    var data: String

    @Option(name: .customLong("label-column"), help: "The column with the expected code.")
    var labelColumn: String = "code"

    @Option(help: "Write the trade-off as an SVG chart to this file.")
    var plot: String?

    func run() async throws {
        let loaded = try ModelPackage.load(from: URL(fileURLWithPath: package))
        let table = try CSVTable(contentsOf: data)
        try RegistryForm.checkColumns(of: table, path: data)
        guard table.columns.contains(labelColumn) else {
            throw CommandError(
                "\(data) has no \(labelColumn) column (columns: \(table.columns.joined(separator: ", ")))"
            )
        }
        let classifier = Classifier(package: loaded)
        let trainingSet = loaded.manifest.trainingSet
        let scored = try table.rows.enumerated().map { index, row in
            let form = try RegistryForm(csvRow: row, of: table, line: index + 2, formID: "row-\(index + 1)")
            let prediction = classifier.classify(fields: form.fieldsByName, topK: 5)
            let expected = table.value(labelColumn, in: row) ?? ""
            return Scored(
                confidence: prediction.confidenceIndex,
                top1: prediction.candidates.first?.code == expected,
                top5: prediction.candidates.contains { $0.code == expected },
                seenInTraining: trainingSet?.contains(loaded.manifest.text(fromFields: form.fieldsByName)) ?? false
            )
        }
        let report = Evaluation(scored: scored)
        let model = "\(loaded.manifest.name)@\(loaded.manifest.version)"
        report.print(model: model, data: data, threshold: loaded.manifest.decision.confidenceThreshold)
        let seen = scored.filter(\.seenInTraining)
        if trainingSet == nil {
            printLine("")
            printLine("note: \(model) does not record its training set: these forms may overlap it")
        } else if !seen.isEmpty {
            let unseen = scored.filter { !$0.seenInTraining }
            printLine("")
            printLine(
                "warning: \(seen.count) of \(scored.count) forms have a text \(model) was trained on (its "
                    + "fingerprint mistakes about 1 unseen text in 1,000 for a seen one); accuracy on them says "
                    + "little about new forms"
            )
            printLine(Evaluation(scored: seen).summary(of: "seen in training"))
            printLine(Evaluation(scored: unseen).summary(of: "never seen (held out)"))
        } else {
            printLine("")
            printLine("none of these forms has a text \(model) was trained on")
        }
        if let plot {
            try report.svg(
                title: "\(model) on \(URL(fileURLWithPath: data).lastPathComponent) (\(scored.count) forms)",
                threshold: loaded.manifest.decision.confidenceThreshold
            ).write(toFile: plot, atomically: true, encoding: .utf8)
            printLine("chart written to \(plot)")
        }
    }
}

/// One evaluated form.
struct Scored {
    var confidence: Double
    var top1: Bool
    var top5: Bool
    /// Whether its text is in the package's training set.
    var seenInTraining = false
}

/// Accuracy and the threshold trade-off of a set of evaluated forms.
struct Evaluation {
    let scored: [Scored]
    let thresholds = (0...19).map { Double($0) * 0.05 }

    /// (threshold, automation rate, accuracy among automated) for each threshold.
    var tradeOff: [(threshold: Double, automation: Double, accuracy: Double?)] {
        thresholds.map { threshold in
            let automated = scored.filter { $0.confidence >= threshold }
            let accuracy = automated.isEmpty ? nil : Double(automated.filter(\.top1).count) / Double(automated.count)
            return (threshold, Double(automated.count) / Double(max(scored.count, 1)), accuracy)
        }
    }

    /// One line: how many forms, top-1 and top-5 accuracy.
    func summary(of name: String) -> String {
        let count = Double(max(scored.count, 1))
        return String(
            format: "  %@: %d forms, top-1 %.1f %%, top-5 %.1f %%",
            name,
            scored.count,
            100 * Double(scored.filter(\.top1).count) / count,
            100 * Double(scored.filter(\.top5).count) / count
        )
    }

    func print(model: String, data: String, threshold: Double) {
        let count = Double(max(scored.count, 1))
        printLine("\(model) on \(data): \(scored.count) forms")
        printLine(
            String(
                format: "top-1 accuracy %.1f %%, top-5 accuracy %.1f %%",
                100 * Double(scored.filter(\.top1).count) / count,
                100 * Double(scored.filter(\.top5).count) / count
            )
        )
        printLine("")
        printLine("threshold  automation  accuracy (automated)")
        for row in tradeOff {
            let marker = abs(row.threshold - threshold) < 0.025 ? "  ← package threshold" : ""
            printLine(
                String(format: "%9.2f  %9.1f %%  ", row.threshold, 100 * row.automation)
                    + (row.accuracy.map { String(format: "%7.1f %%", 100 * $0) } ?? "      -") + marker
            )
        }
    }

    /// A line chart of automation rate and accuracy against the threshold.
    /// The chart, titled, with the package's threshold marked; the accuracy line is dashed over
    /// the automation line, so that neither hides the other where they meet.
    func svg(title: String, threshold: Double) -> String {
        let (width, height, margin) = (640.0, 400.0, 50.0)
        func x(_ threshold: Double) -> Double { margin + threshold * (width - 2 * margin) }
        func y(_ share: Double) -> Double { height - margin - share * (height - 2 * margin) }
        func line(_ points: [(Double, Double)], _ color: String) -> String {
            let path = points.map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }.joined(separator: " ")
            let style = color == "#d62728" ? " stroke-dasharray=\"6 4\"" : " stroke-opacity=\"0.7\""
            return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2.5\"\(style) points=\"\(path)\"/>"
        }
        let automation = tradeOff.map { ($0.threshold, $0.automation) }
        let accuracy = tradeOff.compactMap { row in row.accuracy.map { (row.threshold, $0) } }
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<line x1=\"\(margin)\" y1=\"\(y(0))\" x2=\"\(width - margin)\" y2=\"\(y(0))\" stroke=\"black\"/>",
            "<line x1=\"\(margin)\" y1=\"\(y(0))\" x2=\"\(margin)\" y2=\"\(y(1))\" stroke=\"black\"/>",
            line(automation, "#1f77b4"), line(accuracy, "#d62728"),
            "<line x1=\"\(x(threshold))\" y1=\"\(y(0))\" x2=\"\(x(threshold))\" y2=\"\(y(1))\" stroke=\"gray\" "
                + "stroke-dasharray=\"2 3\"/>",
            "<text x=\"\(x(threshold) + 4)\" y=\"\(y(1) + 12)\" fill=\"gray\">package threshold \(threshold)</text>",
            "<text x=\"\(width / 2)\" y=\"16\" text-anchor=\"middle\" font-weight=\"bold\">\(Self.escaped(title))</text>",
            "<text x=\"\(width / 2 - 60)\" y=\"\(height - 12)\">confidence threshold (p1 − p2)</text>",
            "<text x=\"\(margin + 10)\" y=\"\(margin - 20)\" fill=\"#1f77b4\">automation rate</text>",
            "<text x=\"\(margin + 140)\" y=\"\(margin - 20)\" fill=\"#d62728\">accuracy of automated forms</text>",
        ]
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            parts.append(
                String(
                    format: "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%.0f%%</text>",
                    margin - 5,
                    y(tick) + 4,
                    tick * 100
                )
            )
            parts.append(
                String(
                    format: "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">%.2f</text>",
                    x(tick),
                    y(0) + 16,
                    tick
                )
            )
        }
        return (parts + ["</svg>"]).joined(separator: "\n") + "\n"
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
