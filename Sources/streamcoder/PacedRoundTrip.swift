import Foundation
import Kafka
import Logging
import Synchronization
import Wire

/// Forms published at a steady rate and the records keyed by their ids read back: when each was
/// published and when its record arrived. The latency runs of `bench e2e` and `bench swap`.
struct PacedRoundTrip {
    var bootstrapServers: String
    /// Forms per second.
    var rate: Int
    /// Consumer properties of the reader (fetch.wait.max.ms).
    var readerProperties: [String: String]
    var logger: Logger

    /// One form's round trip.
    struct Trip: Sendable {
        /// The form's place in the publication order.
        var index: Int
        var sentAt: ContinuousClock.Instant
        var receivedAt: ContinuousClock.Instant
        /// The record received.
        var message: KafkaConsumerMessage

        /// Publication → reception, in milliseconds.
        var milliseconds: Double { (receivedAt - sentAt).seconds * 1_000 }
    }

    /// Publishes `forms` at `rate` per second to `topic` and returns, in the order received, the
    /// trip of the first record of each form on `resultTopics`; stops waiting for the rest
    /// `patience` after the last publication. `started` learns when the first form goes out.
    func run(
        _ forms: [RegistryForm],
        to topic: String,
        from resultTopics: [String],
        patience: Duration = .seconds(60),
        started: @escaping @Sendable (ContinuousClock.Instant) -> Void = { _ in }
    ) async throws -> [Trip] {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: "reader-\(topic)")
        configuration.properties = readerProperties
        let reader = try KafkaConsumer(configuration: configuration, logger: logger)
        try reader.subscribe(topics: resultTopics)
        while reader.assignment.isEmpty { _ = try await reader.nextBatch(maxMessages: 1, timeout: .milliseconds(50)) }
        // Offsets looked up and fetch sessions running on every partition before the clock starts.
        let settled = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < settled {
            _ = try await reader.nextBatch(maxMessages: 1, timeout: .milliseconds(50))
        }
        let sent = SentTimes()
        let publishing = Task { try await self.pace(forms, to: topic, sent: sent, started: started) }
        var trips: [Trip] = []
        var seen = Set<String>()
        let deadline = ContinuousClock.now + .seconds(Double(forms.count) / Double(rate)) + patience
        while seen.count < forms.count && ContinuousClock.now < deadline {
            for message in try await reader.nextBatch(maxMessages: 1_000, timeout: .milliseconds(1)) {
                let now = ContinuousClock.now
                let key = String(decoding: message.key ?? [], as: UTF8.self)
                guard let (index, at) = sent.times.withLock({ $0[key] }), seen.insert(key).inserted else { continue }
                trips.append(Trip(index: index, sentAt: at, receivedAt: now, message: message))
            }
        }
        try await publishing.value
        try await reader.close()
        return trips
    }

    private func pace(
        _ forms: [RegistryForm],
        to topic: String,
        sent: SentTimes,
        started: @Sendable (ContinuousClock.Instant) -> Void
    ) async throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        configuration.lingerMilliseconds = 0
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        // Looked up before the clock starts: a topic librdkafka has not seen waits for its
        // once-a-second scan, which held the first forms of some runs for up to a second.
        _ = await producer.prepare(topics: [topic], timeout: .seconds(5))
        let start = ContinuousClock.now
        started(start)
        for (index, form) in forms.enumerated() {
            try await Task.sleep(until: start + .seconds(Double(index) / Double(rate)))
            sent.times.withLock { $0[form.formID] = (index, .now) }
            try producer.produce(
                KafkaProducerMessage(topic: topic, key: Array(form.formID.utf8), value: try form.encoded())
            )
        }
        try await producer.flush()
        try await producer.close()
    }
}

/// When each form of a paced run was published, shared by the publisher and the reader.
final class SentTimes: Sendable {
    let times = Mutex<[String: (index: Int, at: ContinuousClock.Instant)]>([:])
}
