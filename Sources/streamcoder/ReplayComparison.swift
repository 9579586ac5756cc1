import Coordinator
import Foundation
import Kafka
import Logging
import Wire
import Worker

/// `replay --compare-with TOPIC`: the replay's results against the results an earlier run (the
/// live fleet, or an earlier replay) left in `TOPIC`, form by form: how many top codes changed,
/// and those forms as CSV with `--changes FILE`.
struct ReplayComparison {
    /// A result as compared: its top code, decision, confidence and model.
    struct Answer: Equatable {
        var code: String
        var decision: String
        var confidence: Float
        var model: String

        init(_ result: CodingResult) {
            code = result.candidates.first?.code ?? ""
            decision =
                switch result.decision {
                case .autoCoded: "auto-coded"
                case .manualReview: "manual-review"
                default: "rejected"
                }
            confidence = result.confidenceIndex
            model = result.model.map { "\($0.name)@\($0.version)" } ?? ""
        }
    }

    /// A form whose top code differs.
    struct Change {
        var formID: String
        var earlier: Answer
        var replayed: Answer
    }

    /// Forms of the range the replay coded.
    var replayed = 0
    /// Of those, forms the earlier topic has a result for.
    var compared = 0
    /// Of those, the forms whose top code changed.
    var changes: [Change] = []

    /// Compares the newest result per form of `replayTopics` whose form was read inside `range`
    /// of `formsTopic` with the newest result per form in `earlierTopic`.
    static func compare(
        replayTopics: [String],
        formsTopic: String,
        range: ReplayRange,
        earlierTopic: String,
        reader: TopicReader
    ) async throws -> ReplayComparison {
        var replayed: [String: Answer] = [:]
        for topic in replayTopics {
            try await reader.readToEnd(topic) { message in
                guard message.header(StreamCoderHeader.sourceTopic)?.text == formsTopic,
                    let partition = message.header(StreamCoderHeader.sourcePartition)?.text.flatMap(Int32.init),
                    let offset = message.header(StreamCoderHeader.sourceOffset)?.text.flatMap(Int64.init),
                    let start = range.starts[partition], let end = range.ends[partition],
                    (start..<end).contains(offset),
                    let result = try? CodingResult(decoding: message.value ?? [])
                else { return }
                replayed[result.formID] = Answer(result)
            }
        }
        var earlier: [String: Answer] = [:]
        try await reader.readToEnd(earlierTopic) { message in
            guard let result = try? CodingResult(decoding: message.value ?? []), replayed[result.formID] != nil
            else { return }
            earlier[result.formID] = Answer(result)
        }
        var comparison = ReplayComparison(replayed: replayed.count)
        for (formID, answer) in replayed.sorted(by: { $0.key < $1.key }) {
            guard let before = earlier[formID] else { continue }
            comparison.compared += 1
            if before.code != answer.code {
                comparison.changes.append(Change(formID: formID, earlier: before, replayed: answer))
            }
        }
        return comparison
    }

    /// One line for the summary.
    func summary(earlierTopic: String) -> String {
        let share = compared > 0 ? Double(changes.count) / Double(compared) * 100 : 0
        return "compared with \(earlierTopic): \(compared) of \(replayed) replayed forms have an earlier result there; "
            + String(format: "%d changed top code (%.1f %%)", changes.count, share)
    }

    /// The changed forms as CSV.
    func csv() -> String {
        var lines = [
            "form_id,earlier_code,earlier_decision,earlier_model,replayed_code,replayed_decision,replayed_confidence,replayed_model"
        ]
        for change in changes {
            let fields = [
                change.formID, change.earlier.code, change.earlier.decision, change.earlier.model, change.replayed.code,
                change.replayed.decision, String(format: "%.4f", change.replayed.confidence), change.replayed.model,
            ]
            lines.append(fields.map(Self.quoted).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { ",\"\n\r".contains($0) }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
