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
        reader: TopicSnapshotReader
    ) async throws -> ReplayComparison {
        var replayed: [String: Answer] = [:]
        for topic in replayTopics {
            try await reader.read(topic) { message in
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
        try await reader.read(earlierTopic) { message in
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

/// Reads every partition of a topic from its first record to its end as of the call, outside any
/// consumer group, committing nothing.
struct TopicSnapshotReader {
    var bootstrapServers: String
    var properties: [String: String]
    var logger: Logger

    /// Hands every record to `body`, partition by partition in offset order (interleaved across
    /// partitions); a topic that does not exist holds nothing.
    func read(_ topic: String, _ body: (KafkaConsumerMessage) -> Void) async throws {
        let admin = try KafkaAdmin(
            configuration: .init(bootstrapServers: bootstrapServers, properties: properties),
            logger: logger
        )
        guard let description = try await admin.listTopics().first(where: { $0.name == topic }) else { return }
        let consumer = try KafkaConsumer(
            configuration: .reader(
                bootstrapServers: bootstrapServers,
                groupID: "streamcoder-replay-compare",
                properties: properties
            ),
            logger: logger
        )
        defer { Task { try? await consumer.close() } }
        let partitions = (0..<Int32(description.partitionCount)).map {
            KafkaTopicPartition(topic: topic, partition: $0)
        }
        let ends = try await TimeOffsetLocator(reader: consumer, logger: logger).watermarks(of: partitions)
        var positions = ends.mapValues(\.low)
        try consumer.assign(positions.filter { $0.value < ends[$0.key]!.high })
        var idle = ContinuousClock.now
        while positions.contains(where: { $0.value < ends[$0.key]!.high }) {
            let batch = try await consumer.nextBatch(maxMessages: 1_000, timeout: .milliseconds(200))
            if batch.isEmpty {
                guard ContinuousClock.now - idle < .seconds(30) else {
                    throw CommandError("\(topic) could not be read to its end in 30 s without a record")
                }
                continue
            }
            idle = .now
            for message in batch where message.offset < ends[message.topicPartition]!.high {
                positions[message.topicPartition] = message.offset + 1
                body(message)
            }
            for lag in consumer.lag() {
                guard let position = lag.position, let end = ends[lag.topicPartition]?.high else { continue }
                positions[lag.topicPartition] = max(positions[lag.topicPartition] ?? 0, min(position, end))
            }
        }
    }
}
