import Classifier
import Coordinator
import Foundation
import Kafka
import Wire
import Worker

/// What the demo saw: a result or a dead letter per form, with its latency.
struct DemoReport {
    struct Outcome {
        var result: CodingResult?
        var latencyMilliseconds: Int64
        var deliveredAt: Int64
    }

    let forms: [DemoForm]
    let sentAt: [String: Int64]
    var outcomes: [String: Outcome] = [:]
    var duplicates = 0
    var elapsed: Duration = .zero
    var counters: [CodingCounters] = []
    /// The model change midway, if any.
    var swap: DemoSwap?
    /// The coordinator's view at the end.
    var fleet: FleetStatus?

    init(forms: [DemoForm], sentAt: [String: Int64]) {
        self.forms = forms
        self.sentAt = sentAt
    }

    var everyFormAccountedFor: Bool { outcomes.count == forms.count }

    mutating func record(_ message: KafkaConsumerMessage) {
        let key = String(decoding: message.key ?? [], as: UTF8.self)
        guard let sent = sentAt[key] else { return }
        if outcomes[key] != nil { duplicates += 1 }
        let deliveredAt = message.timestampMilliseconds ?? sent
        let result =
            message.topic == StreamCoderTopic.deadLetter ? nil : try? CodingResult(decoding: message.value ?? [])
        outcomes[key] = Outcome(result: result, latencyMilliseconds: deliveredAt - sent, deliveredAt: deliveredAt)
    }

    /// Prints the samples' results and the summary; `manifest` tells the forms whose text the
    /// model was trained on (its training-set fingerprint) from the others.
    func print(samples: [DemoForm], manifest: ModelManifest) {
        printLine("")
        printLine("form        expected  coded  IC     decision        label")
        for sample in samples {
            let outcome = outcomes[sample.form.formID]
            let top = outcome?.result?.candidates.first
            let code = top?.code ?? "-"
            let mark = code == sample.expectedCode ? "=" : " "
            printLine(
                pad(sample.form.formID, 11) + " " + pad(sample.expectedCode ?? "", 8) + " \(mark)"
                    + pad(code, 6) + " " + pad(String(format: "%.3f", outcome?.result?.confidenceIndex ?? 0), 6) + " "
                    + pad(decisionName(outcome?.result), 15) + " " + String((top?.label ?? "").prefix(48))
            )
        }
        printLine("")
        printSummary()
        printAccuracy(manifest)
    }

    /// Top-1 and automation on the forms the model never saw, beside the forms it was trained on.
    private func printAccuracy(_ manifest: ModelManifest) {
        guard let trainingSet = manifest.trainingSet else {
            printLine("(the package does not record its training set: these forms may be training data)")
            return
        }
        let known = forms.filter { $0.expectedCode != nil }
        let seen = known.filter { trainingSet.contains(manifest.text(fromFields: $0.form.fieldsByName)) }
        let seenIDs = Set(seen.map(\.form.formID))
        let unseen = known.filter { !seenIDs.contains($0.form.formID) }
        for (name, part) in [("never seen in training", unseen), ("seen in training", seen)] where !part.isEmpty {
            let results = part.compactMap { form in outcomes[form.form.formID]?.result.map { (form, $0) } }
            let right = results.filter { $0.1.candidates.first?.code == $0.0.expectedCode }.count
            let automated = results.filter { $0.1.decision == .autoCoded }
            let automatedRight = automated.filter { $0.1.candidates.first?.code == $0.0.expectedCode }.count
            printLine(
                "forms \(name): \(part.count); top-1 as expected \(percent(right, results.count)), "
                    + "auto-coded \(percent(automated.count, results.count)) "
                    + "(\(percent(automatedRight, automated.count)) of them right)"
            )
        }
    }

    private func printSummary() {
        let results = outcomes.values.compactMap(\.result)
        let auto = results.filter { $0.decision == .autoCoded }.count
        let dead = outcomes.values.filter { $0.result == nil }.count
        let latencies = outcomes.values.map(\.latencyMilliseconds).sorted()
        let first = sentAt.values.min() ?? 0
        let last = outcomes.values.map(\.deliveredAt).max() ?? first
        let seconds = max(Double(last - first) / 1_000, 0.001)
        printLine(
            "auto-coded \(auto) of \(results.count) forms (\(percent(auto, results.count))), "
                + "\(results.count - auto) to manual review, \(dead) dead letters"
        )
        printLine(
            String(
                format: "throughput: %.0f forms/s (first form published → last result delivered, %.2f s, two workers)",
                Double(outcomes.count) / seconds,
                seconds
            )
        )
        printLine(
            "latency, published → result delivered, all forms sent at once: p50 \(percentile(latencies, 0.5)) ms, "
                + "p99 \(percentile(latencies, 0.99)) ms"
        )
        let versions = Dictionary(grouping: results) { $0.model.map { "\($0.name)@\($0.version)" } ?? "no model" }
        printLine(
            "coded per model version: "
                + versions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.count)" }.joined(separator: ", ")
                + (swap.map { " (\($0.to.name)@\($0.to.version) activated midway)" } ?? "")
        )
        if let fleet {
            let generation = fleet.directive.map { "directive \($0.generation)" } ?? "no directive"
            printLine("coordinator: \(generation), \(fleet.workers.count) workers reporting")
        }
        printLine(
            "per worker: " + counters.map { "\($0.formsIn) forms in, \($0.completed) done" }.joined(separator: "; ")
        )
        printLine(
            everyFormAccountedFor
                ? "every form accounted for: \(forms.count) published = \(results.count) results + \(dead) dead letters"
                    + (duplicates > 0 ? " (\(duplicates) duplicates)" : "")
                : "MISSING: \(forms.count - outcomes.count) forms have no result after a minute"
        )
    }

    private func decisionName(_ result: CodingResult?) -> String {
        guard let result else { return "dead letter" }
        switch result.decision {
        case .autoCoded: return "auto-coded"
        case .manualReview: return "manual review"
        default: return "rejected"
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    private func percent(_ part: Int, _ whole: Int) -> String {
        whole == 0 ? "-" : String(format: "%.1f %%", 100 * Double(part) / Double(whole))
    }

    private func percentile(_ sorted: [Int64], _ fraction: Double) -> Int64 {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }
}
