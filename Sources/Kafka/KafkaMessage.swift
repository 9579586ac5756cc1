/// A Kafka record header.
public struct KafkaHeader: Sendable, Hashable {
    /// The header's name, e.g. `sc-reply-to`.
    public var key: String
    /// The header's value; `nil` is a header without a value (not the same as empty).
    public var value: [UInt8]?

    /// Creates a header with a binary value.
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// Creates a header with a UTF-8 text value.
    public init(key: String, text: String) {
        self.init(key: key, value: Array(text.utf8))
    }

    /// The value as UTF-8 text, when it is one.
    public var text: String? {
        value.flatMap { String(validating: $0, as: UTF8.self) }
    }
}

/// A partition of a topic.
public struct KafkaTopicPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The topic's name.
    public var topic: String
    /// The partition number.
    public var partition: Int32

    /// Creates a topic partition.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A message to produce.
public struct KafkaProducerMessage: Sendable {
    /// The topic to write to.
    public var topic: String
    /// The partition, or `nil` to let the partitioner choose from the key.
    public var partition: Int32?
    /// The key; StreamCoder keys forms and results by form id so one form's records stay ordered.
    public var key: [UInt8]?
    /// The payload.
    public var value: [UInt8]?
    /// Record headers.
    public var headers: [KafkaHeader]
    /// The record's (create) time in Unix milliseconds; `nil` for now.
    public var timestampMilliseconds: Int64?

    /// Creates a message.
    public init(
        topic: String,
        partition: Int32? = nil,
        key: [UInt8]? = nil,
        value: [UInt8]?,
        headers: [KafkaHeader] = [],
        timestampMilliseconds: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }
}

/// A message read by a consumer, copied out of librdkafka's buffers.
public struct KafkaConsumerMessage: Sendable {
    /// Where it was read.
    public var topicPartition: KafkaTopicPartition
    /// Its offset in the partition.
    public var offset: Int64
    /// The key, if any.
    public var key: [UInt8]?
    /// The payload, if any.
    public var value: [UInt8]?
    /// Record headers, in order.
    public var headers: [KafkaHeader]
    /// The record's timestamp in unix milliseconds, when the broker or producer set one.
    public var timestampMilliseconds: Int64?

    /// Creates a message as a consumer would have read it (for tests and tools).
    public init(
        topicPartition: KafkaTopicPartition,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader] = [],
        timestampMilliseconds: Int64? = nil
    ) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// The topic it was read from.
    public var topic: String { topicPartition.topic }
    /// The partition it was read from.
    public var partition: Int32 { topicPartition.partition }

    /// The first header with that name.
    public func header(_ key: String) -> KafkaHeader? {
        headers.first { $0.key == key }
    }
}

/// Identifies a produced message in its delivery report.
public struct KafkaMessageID: Sendable, Hashable, CustomStringConvertible {
    /// A number unique within one producer.
    public var rawValue: UInt64

    /// An id; a producer hands them out with `makeMessageID()`.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public var description: String { "#\(rawValue)" }
}

/// The outcome of producing one message.
public struct KafkaDeliveryReport: Sendable {
    /// The message this report is about.
    public var id: KafkaMessageID
    /// The topic it was sent to.
    public var topic: String
    /// The partition it landed in (or was meant for).
    public var partition: Int32
    /// Its offset when delivered.
    public var offset: Int64?
    /// The error, when it was not delivered.
    public var error: KafkaError?

    /// Whether the broker acknowledged it.
    public var isDelivered: Bool { error == nil }

    /// A report, as a producer serves it (or a test makes it).
    public init(id: KafkaMessageID, topic: String, partition: Int32, offset: Int64?, error: KafkaError?) {
        self.id = id
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.error = error
    }
}
