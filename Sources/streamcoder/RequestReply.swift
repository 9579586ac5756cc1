import Foundation
import Kafka
import Wire

/// One request through the workers: publish a form with reply headers, read the answer.
struct RequestReply {
    let kafka: KafkaOptions
    let replyTopic: String

    func code(_ form: RegistryForm, deadlineMilliseconds: Int, timeout: Duration) async throws -> CodingResult {
        let servers = try kafka.bootstrapServers()
        let properties = try kafka.librdkafkaProperties()
        let logger = makeLogger("streamcoder.code")
        let reader = try await replyReader(servers: servers, properties: properties)
        let correlationID = UUID().uuidString
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: servers, properties: properties),
            logger: logger
        )
        // Looked up first: a topic librdkafka has not seen waits for its once-a-second scan.
        _ = await producer.prepare(topics: [StreamCoderTopic.forms], timeout: .seconds(5))
        try await producer.send(
            KafkaProducerMessage(
                topic: StreamCoderTopic.forms,
                key: Array(form.formID.utf8),
                value: try form.encoded(),
                headers: [
                    KafkaHeader(key: StreamCoderHeader.replyTo, text: replyTopic),
                    KafkaHeader(key: StreamCoderHeader.correlationID, text: correlationID),
                    KafkaHeader(key: StreamCoderHeader.deadline, text: String(now + Int64(deadlineMilliseconds))),
                    KafkaHeader(key: StreamCoderHeader.traceparent, text: Self.newTraceparent()),
                ]
            )
        )
        defer { Task { try? await reader.close() } }
        let giveUp = ContinuousClock.now + timeout
        while ContinuousClock.now < giveUp {
            for message in try await reader.nextBatch(maxMessages: 100, timeout: .milliseconds(50))
            where message.header(StreamCoderHeader.correlationID)?.text == correlationID {
                return try CodingResult(decoding: message.value ?? [])
            }
        }
        throw CommandError("no answer on \(replyTopic) within \(timeout): is a worker running on \(servers)?")
    }

    /// A consumer positioned at the end of every partition of the reply topic, with no group join.
    private func replyReader(servers: String, properties: [String: String]) async throws -> KafkaConsumer {
        let admin = try KafkaAdmin(
            configuration: .init(bootstrapServers: servers, properties: properties),
            logger: makeLogger("streamcoder.code")
        )
        guard let topic = try await admin.listTopics().first(where: { $0.name == replyTopic }) else {
            throw CommandError(
                "reply topic \(replyTopic) does not exist: create it (streamcoder topics create "
                    + "\(replyTopic):4) or pass --reply-topic"
            )
        }
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: servers,
            groupID: "streamcoder-code-\(UUID().uuidString)",
            properties: properties
        )
        configuration.autoCommitIntervalMilliseconds = 0
        configuration.properties["fetch.wait.max.ms"] = configuration.properties["fetch.wait.max.ms"] ?? "10"
        let reader = try KafkaConsumer(configuration: configuration, logger: makeLogger("streamcoder.code"))
        var ends: [KafkaTopicPartition: Int64] = [:]
        for partition in 0..<Int32(topic.partitionCount) {
            let topicPartition = KafkaTopicPartition(topic: replyTopic, partition: partition)
            ends[topicPartition] = try await reader.watermarks(of: topicPartition).high
        }
        try reader.assign(ends)
        return reader
    }

    /// A W3C trace context for a new trace: version 00, random trace and span ids, sampled.
    static func newTraceparent() -> String {
        func hex(_ bytes: Int) -> String {
            (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        }
        return "00-\(hex(16))-\(hex(8))-01"
    }
}
