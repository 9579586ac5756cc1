import Logging

/// Finds, per partition, the first offset whose message was written at or after a time: where a
/// replay by time starts or ends.
///
/// It asks the brokers first (ListOffsets by timestamp) and checks their answer by reading the
/// messages at and just before it; brokers that do not answer, or answer wrongly (librdkafka's
/// mock cluster answers "the end" for every time, Tansu answers 0), are replaced by a binary
/// search over the messages' timestamps. Timestamps are taken to grow with offsets within a partition, as they
/// do for producer (create) times of one producer and for log-append times.
///
/// The search reads one message per partition per step, every partition in the same step: about
/// log2(messages per partition) round trips in all.
public struct TimeOffsetLocator: Sendable {
    /// How a partition's offset was found.
    public enum Method: String, Sendable {
        /// The brokers' answer, checked.
        case broker
        /// The binary search over timestamps (the brokers' answer was missing or wrong).
        case search
    }

    /// A partition's offset for the time, and how it was found.
    public struct Located: Sendable, Hashable {
        /// The first offset at or after the time; the high watermark when every message is older.
        public var offset: Int64
        /// How it was found.
        public var method: Method
    }

    private let reader: KafkaConsumer
    private let timeout: Duration
    private let logger: Logger

    /// A locator reading with `reader`: a consumer of its own (its assignment is replaced and its
    /// group never committed to), for a topic whose partitions' watermarks are given to `locate`.
    public init(reader: KafkaConsumer, timeout: Duration = .seconds(10), logger: Logger) {
        self.reader = reader
        self.timeout = timeout
        self.logger = logger
    }

    /// The watermarks of `partitions`, checked against a fetch (see `KafkaConsumer.checkedWatermarks`).
    public func watermarks(
        of partitions: [KafkaTopicPartition]
    ) async throws(KafkaError) -> [KafkaTopicPartition: (low: Int64, high: Int64)] {
        try await reader.checkedWatermarks(of: partitions, timeout: timeout)
    }

    /// The first offset at or after `unixMilliseconds` of each partition, within `watermarks`
    /// (the partition's low and high watermarks, read when the replay was planned).
    public func locate(
        _ unixMilliseconds: Int64,
        in watermarks: [KafkaTopicPartition: (low: Int64, high: Int64)]
    ) async throws(KafkaError) -> [KafkaTopicPartition: Located] {
        var located: [KafkaTopicPartition: Located] = [:]
        var toSearch: [KafkaTopicPartition: (low: Int64, high: Int64)] = [:]
        for (partition, range) in watermarks where range.low >= range.high {
            located[partition] = Located(offset: range.high, method: .broker)
        }
        let nonEmpty = watermarks.filter { $0.value.low < $0.value.high }
        let answers: [KafkaTopicPartition: Int64?]
        do {
            answers = try await reader.offsets(forTime: unixMilliseconds, of: Array(nonEmpty.keys), timeout: timeout)
        } catch {
            logger.debug("the brokers did not map the time to offsets: searching", metadata: ["error": "\(error)"])
            answers = [:]
        }
        var claims: [KafkaTopicPartition: Int64] = [:]
        for (partition, range) in nonEmpty {
            guard let answer = answers[partition] else {
                toSearch[partition] = range
                continue
            }
            let offset = answer ?? range.high
            if offset < range.low || offset > range.high {
                toSearch[partition] = range
            } else {
                claims[partition] = offset
            }
        }
        // A claim holds when the message at it (if any) is at or after the time and the one just
        // before it (if any) is earlier.
        let atClaims = try await firstMessages(claims.filter { $0.value < nonEmpty[$0.key]!.high })
        let beforeClaims = try await firstMessages(
            claims.filter { $0.value > nonEmpty[$0.key]!.low }.mapValues { $0 - 1 }
        )
        for (partition, offset) in claims {
            let range = nonEmpty[partition]!
            let atHolds =
                offset == range.high || atClaims[partition].map { $0.timestamp >= unixMilliseconds } == true
            let beforeHolds =
                offset == range.low
                || beforeClaims[partition].map { $0.offset < offset && $0.timestamp < unixMilliseconds } == true
            if atHolds && beforeHolds {
                located[partition] = Located(offset: offset, method: .broker)
            } else {
                toSearch[partition] = range
            }
        }
        if !toSearch.isEmpty {
            logger.debug(
                "the brokers' time-to-offset answer is missing or wrong: searching by timestamps",
                metadata: ["partitions": "\(toSearch.count)"]
            )
            for (partition, offset) in try await search(unixMilliseconds, in: toSearch) {
                located[partition] = Located(offset: offset, method: .search)
            }
        }
        return located
    }

    /// The binary search: `low` only ever moves past messages older than the time and `high` to
    /// offsets whose next message is at or after it.
    private func search(
        _ unixMilliseconds: Int64,
        in ranges: [KafkaTopicPartition: (low: Int64, high: Int64)]
    ) async throws(KafkaError) -> [KafkaTopicPartition: Int64] {
        var bounds = ranges
        while true {
            let open = bounds.filter { $0.value.low < $0.value.high }
            guard !open.isEmpty else { return bounds.mapValues(\.low) }
            let middles = open.mapValues { $0.low + ($0.high - $0.low) / 2 }
            let found = try await firstMessages(middles)
            for (partition, middle) in middles {
                let range = bounds[partition]!
                if let message = found[partition], message.offset < range.high {
                    bounds[partition] =
                        message.timestamp >= unixMilliseconds
                        ? (range.low, middle) : (message.offset + 1, range.high)
                } else {
                    // No message between the middle and the high end (compacted or control records).
                    bounds[partition] = (range.low, middle)
                }
            }
        }
    }

    /// The first message at or after each offset (its offset and timestamp); a partition with no
    /// message there within the timeout is left out.
    private func firstMessages(
        _ offsets: [KafkaTopicPartition: Int64]
    ) async throws(KafkaError) -> [KafkaTopicPartition: (offset: Int64, timestamp: Int64)] {
        guard !offsets.isEmpty else { return [:] }
        try reader.assign(offsets)
        var found: [KafkaTopicPartition: (offset: Int64, timestamp: Int64)] = [:]
        let deadline = ContinuousClock.now + timeout
        while found.count < offsets.count && ContinuousClock.now < deadline {
            for message in try await reader.nextBatch(maxMessages: 1_000, timeout: .milliseconds(5)) {
                let partition = message.topicPartition
                guard found[partition] == nil, let start = offsets[partition], message.offset >= start else { continue }
                found[partition] = (message.offset, message.timestampMilliseconds ?? 0)
            }
        }
        return found
    }
}
