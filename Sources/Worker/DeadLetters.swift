import Kafka
import Wire

/// Builds dead letters the producer can always deliver: the input unchanged, with headers saying
/// what went wrong and where it came from — or, when that would not fit in `maxMessageBytes`, the
/// same with the value (then the key and the input's own headers) cut to fit and marked
/// `sc-truncated`, so that one oversized input can never hold its partition's offset back.
struct DeadLetters: Sendable {
    /// The dead-letter topic.
    var topic: String
    /// The largest record the producer sends (its `message.max.bytes`).
    var maxMessageBytes: Int

    /// What a record costs besides its key, value and headers, with room to spare (the record's
    /// length, attributes, timestamp and offset deltas, and varint lengths; librdkafka counts
    /// them when it checks a message against `message.max.bytes`).
    static let recordOverhead = 256
    /// What each header costs besides its name and value (two varint lengths).
    static let headerOverhead = 10
    /// The error text is cut to this many bytes; the code header says the rest.
    static let maxErrorBytes = 1_024
    /// A key longer than this is cut when the dead letter must shrink.
    static let maxShrunkKeyBytes = 1_024
    /// The input's own headers are kept up to this many bytes when the dead letter must shrink.
    static let maxShrunkHeaderBytes = 16_384

    /// The bytes `message` counts against `message.max.bytes`, overestimated a little.
    static func size(of message: KafkaProducerMessage) -> Int {
        recordOverhead + (message.key?.count ?? 0) + (message.value?.count ?? 0)
            + message.headers.reduce(0) { $0 + size(of: $1) }
    }

    static func size(of header: KafkaHeader) -> Int {
        headerOverhead + header.key.utf8.count + (header.value?.count ?? 0)
    }

    /// `input` on the dead-letter topic with `code` and `reason`, cut to fit when it must be.
    func make(for input: KafkaConsumerMessage, code: String, reason: String) -> KafkaProducerMessage {
        let whole = letter(input, key: input.key, value: input.value, inputHeaders: input.headers, code, reason)
        return Self.size(of: whole) <= maxMessageBytes ? whole : shrunk(input, code: code, reason: reason)
    }

    /// The smallest dead letter of `input`: no value, none of its headers, its key cut; only
    /// where it came from and why. For when even a cut dead letter was refused.
    func minimal(for input: KafkaConsumerMessage, code: String, reason: String) -> KafkaProducerMessage {
        let key = input.key.map { Array($0.prefix(Self.maxShrunkKeyBytes)) }
        var letter = letter(input, key: key, value: nil, inputHeaders: [], code, reason)
        letter.headers.append(
            KafkaHeader(
                key: StreamCoderHeader.truncated,
                text: "value \(input.value?.count ?? 0) bytes dropped; key \(describe(input.key, kept: key)); "
                    + "\(input.headers.count) of \(input.headers.count) headers dropped"
            )
        )
        return letter
    }

    private func shrunk(_ input: KafkaConsumerMessage, code: String, reason: String) -> KafkaProducerMessage {
        let key = input.key.map { Array($0.prefix(Self.maxShrunkKeyBytes)) }
        var kept: [KafkaHeader] = []
        var headerBytes = 0
        for header in input.headers where headerBytes + Self.size(of: header) <= Self.maxShrunkHeaderBytes {
            kept.append(header)
            headerBytes += Self.size(of: header)
        }
        // The marker's text is written once the value's size is known; reserve room for it first.
        let marker = KafkaHeader(key: StreamCoderHeader.truncated, text: String(repeating: " ", count: 160))
        var letter = letter(input, key: key, value: [], inputHeaders: kept, code, reason)
        letter.headers.append(marker)
        let room = max(0, maxMessageBytes - Self.size(of: letter))
        let original = input.value?.count ?? 0
        let value = input.value.map { Array($0.prefix(room)) }
        letter.value = value
        letter.headers[letter.headers.count - 1] = KafkaHeader(
            key: StreamCoderHeader.truncated,
            text: "value \(original) bytes cut to \(value?.count ?? 0); key \(describe(input.key, kept: key)); "
                + "\(input.headers.count - kept.count) of \(input.headers.count) headers dropped"
        )
        return letter
    }

    private func describe(_ key: [UInt8]?, kept: [UInt8]?) -> String {
        (key?.count ?? 0) == (kept?.count ?? 0) ? "kept" : "\(key?.count ?? 0) bytes cut to \(kept?.count ?? 0)"
    }

    private func letter(
        _ input: KafkaConsumerMessage,
        key: [UInt8]?,
        value: [UInt8]?,
        inputHeaders: [KafkaHeader],
        _ code: String,
        _ reason: String
    ) -> KafkaProducerMessage {
        let reason =
            reason.utf8.count <= Self.maxErrorBytes
            ? reason : String(decoding: reason.utf8.prefix(Self.maxErrorBytes), as: UTF8.self)
        return KafkaProducerMessage(
            topic: topic,
            key: key,
            value: value,
            headers: inputHeaders + [
                KafkaHeader(key: StreamCoderHeader.errorCode, text: code),
                KafkaHeader(key: StreamCoderHeader.error, text: reason),
            ] + Self.sourceHeaders(of: input)
        )
    }

    /// Where `input` was read: its topic, partition and offset.
    static func sourceHeaders(of input: KafkaConsumerMessage) -> [KafkaHeader] {
        [
            KafkaHeader(key: StreamCoderHeader.sourceTopic, text: input.topic),
            KafkaHeader(key: StreamCoderHeader.sourcePartition, text: String(input.partition)),
            KafkaHeader(key: StreamCoderHeader.sourceOffset, text: String(input.offset)),
        ]
    }
}
