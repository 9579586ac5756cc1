import ArgumentParser
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Wire

/// `streamcoder consume`: reads a topic in a consumer group, decodes each record with the
/// contract and prints it as one JSON line.
struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Print a topic's records as JSON lines, decoded with the contract.",
        discussion: """
            Each line has topic, partition, offset, key, headers and either the decoded value or \
            the decoding error. Offsets are stored once a line is printed and committed in the \
            background, on rebalance and on exit (SIGINT/SIGTERM stop it cleanly), so a group \
            resumes where it left off.
            """
    )

    enum MessageType: String, ExpressibleByArgument, CaseIterable {
        case form, result, directive, report, raw

        /// What a topic holds, by its name: results on the coded, manual-review, shadow, reply and
        /// backfill topics, directives on the control topic, reports on the fleet topic, raw bytes
        /// on the dead-letter topic (whatever could not be coded), forms otherwise.
        static func of(topic: String) -> MessageType {
            switch topic {
            case StreamCoderTopic.codings, StreamCoderTopic.manualReview, StreamCoderTopic.shadow,
                StreamCoderTopic.replies:
                return .result
            case StreamCoderTopic.control: return .directive
            case StreamCoderTopic.fleet: return .report
            case StreamCoderTopic.deadLetter: return .raw
            case _ where topic.contains("codings") || topic.contains("manual-review") || topic.contains("backfill"):
                return .result
            case _ where topic.contains("dlq"): return .raw
            default: return .form
            }
        }
    }

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "A topic to read (repeatable; default: \(StreamCoderTopic.forms)).")
    var topic: [String] = []

    @Option(help: "The consumer group.")
    var group: String = "streamcoder-consume"

    @Option(
        help: """
            How to decode values: \(MessageType.allCases.map(\.rawValue).joined(separator: ", ")) (default: from \
            the topic's name: results on the coded, manual-review and shadow topics, directives on \
            streamcoder.control, reports on streamcoder.fleet, raw on the dead-letter topic, forms otherwise).
            """
    )
    var type: MessageType?

    @Option(help: "Exit after this many records.")
    var max: Int?

    @Option(
        name: .customLong("idle-exit"),
        help: "Exit once no record arrived for this many seconds after partitions were assigned."
    )
    var idleExit: Double?

    @Option(name: .customLong("max-rate"), help: "Read at most this many records per second (throttle).")
    var maxRate: Double?

    func run() async throws {
        let logger = makeLogger("streamcoder.consume")
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: try kafka.bootstrapServers(),
            groupID: group,
            properties: try kafka.librdkafkaProperties()
        )
        configuration.clientID = "streamcoder-consume"
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        try consumer.subscribe(topics: topic.isEmpty ? [StreamCoderTopic.forms] : topic)
        let service = ConsumeService(consumer: consumer, command: self, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}

/// The consume loop, stopped by graceful shutdown, `--max` or `--idle-exit`.
struct ConsumeService: Service {
    let consumer: KafkaConsumer
    let command: ConsumeCommand
    let logger: Logger

    func run() async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var printed = 0
        var lastArrival = ContinuousClock.now
        var throttleStart: ContinuousClock.Instant?
        let started = ContinuousClock.now
        var toldWaiting = false
        while !Task.isShuttingDownGracefully {
            let room = command.max.map { $0 - printed } ?? 500
            if room <= 0 { break }
            let batch = try await consumer.nextBatch(
                maxMessages: Swift.min(room, command.maxRate == nil ? 500 : 10),
                timeout: .milliseconds(100)
            )
            if batch.isEmpty {
                // Idle time counts from the assignment: joining a group takes seconds.
                if consumer.assignment.isEmpty { lastArrival = .now }
                if consumer.assignment.isEmpty && !toldWaiting && ContinuousClock.now - started > .seconds(10) {
                    toldWaiting = true
                    let reachable = await Task.detached { consumer.brokersReachable(timeout: .seconds(2)) }.value
                    let brokers = command.kafka.brokers ?? "of STREAMCODER_BROKERS"
                    let message =
                        reachable
                        ? "no partitions assigned after 10 s: waiting for the group (is the topic there?)"
                        : "cannot reach the brokers \(brokers): retrying until one answers; check --brokers and the cluster"
                    logger.warning("\(message)")
                }
                if let idle = command.idleExit, ContinuousClock.now - lastArrival > .seconds(idle) { break }
                continue
            }
            lastArrival = .now
            printLine(batch.map { line(for: $0, encoder: encoder) }.joined(separator: "\n"))
            do {
                try consumer.storeOffsets(
                    Dictionary(batch.map { ($0.topicPartition, $0.offset + 1) }) { Swift.max($0, $1) }
                )
            } catch {
                // The partition moved to another member meanwhile: it reads these records again.
                logger.warning("offsets not stored: \(error)")
            }
            printed += batch.count
            if let rate = command.maxRate {
                // The rate counts from the first record, not from the (seconds-long) group join.
                let start = throttleStart ?? .now
                throttleStart = start
                let due = start + .seconds(Double(printed) / rate)
                if due > .now { try? await Task.sleep(until: due) }
            }
        }
        do {
            try await consumer.close()
        } catch {
            // Offsets not committed now are committed by nobody: the group reads those records again.
            logger.warning("closing the consumer: \(error)")
        }
        logger.info("consumed \(printed) records")
    }

    private func line(for message: KafkaConsumerMessage, encoder: JSONEncoder) -> String {
        var record = ConsumedRecord(
            topic: message.topic,
            partition: message.partition,
            offset: message.offset,
            key: message.key.map { String(decoding: $0, as: UTF8.self) },
            headers: Dictionary(message.headers.map { ($0.key, $0.text ?? "") }) { $1 }
        )
        let type = command.type ?? ConsumeCommand.MessageType.of(topic: message.topic)
        do {
            try record.decode(message.value ?? [], as: type)
        } catch {
            record.error = "\(error)" + ConsumedRecord.hint(for: message.value ?? [], not: type)
        }
        let data = (try? encoder.encode(record)) ?? Data("{\"error\":\"unprintable record\"}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// One printed line of `streamcoder consume`.
struct ConsumedRecord: Encodable {
    var topic: String
    var partition: Int32
    var offset: Int64
    var key: String?
    var headers: [String: String]
    var form: RegistryForm?
    var result: CodingResult?
    var directive: ModelDirective?
    var report: WorkerReport?
    var base64: String?
    var error: String?

    /// When a value that is not a `type` decodes as another type, which `--type` to use.
    static func hint(for value: [UInt8], not type: ConsumeCommand.MessageType) -> String {
        for other in [ConsumeCommand.MessageType.result, .form, .directive, .report] where other != type {
            var probe = ConsumedRecord(topic: "", partition: 0, offset: 0, key: nil, headers: [:])
            if (try? probe.decode(value, as: other)) != nil {
                return " (it decodes as a \(other.rawValue): pass --type \(other.rawValue))"
            }
        }
        return " (pass --type raw to see its bytes)"
    }

    mutating func decode(_ value: [UInt8], as type: ConsumeCommand.MessageType) throws {
        switch type {
        case .form: form = try RegistryForm(decoding: value)
        case .result: result = try CodingResult(decoding: value)
        case .directive: directive = try ModelDirective(decoding: value)
        case .report: report = try WorkerReport(decoding: value)
        case .raw: base64 = Data(value).base64EncodedString()
        }
    }
}
