internal import CRdKafka
import Logging

extension KafkaConsumer {
    /// The offsets this consumer's group has committed for `partitions`; a partition without a
    /// committed offset is left out.
    public func committed(
        _ partitions: [KafkaTopicPartition],
        timeout: Duration = .seconds(10)
    ) async throws(KafkaError) -> [KafkaTopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let client = self.client
        return try await runBlocking { () throws(KafkaError) in
            let list = TopicPartitionList(partitions.map { ($0, nil) })
            let err = client.withHandle { rd_kafka_committed($0, list.pointer, Int32(timeout.milliseconds)) }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(.consumer, "could not read the committed offsets of \(partitions)", rdKafkaError: err)
            }
            var offsets: [KafkaTopicPartition: Int64] = [:]
            for entry in list.entries where entry.error == RD_KAFKA_RESP_ERR_NO_ERROR && entry.offset >= 0 {
                offsets[entry.partition] = entry.offset
            }
            return offsets
        }
    }

    /// The brokers' answer to "the first offset whose message is at or after `unixMilliseconds`"
    /// for each partition (`nil` where the broker says there is none: the end). Brokers do not
    /// all answer this correctly: check the answer (see `TimeOffsetLocator`).
    public func offsets(
        forTime unixMilliseconds: Int64,
        of partitions: [KafkaTopicPartition],
        timeout: Duration = .seconds(10)
    ) async throws(KafkaError) -> [KafkaTopicPartition: Int64?] {
        guard !partitions.isEmpty else { return [:] }
        let client = self.client
        return try await runBlocking { () throws(KafkaError) in
            let list = TopicPartitionList(partitions.map { ($0, unixMilliseconds) })
            let err = client.withHandle { rd_kafka_offsets_for_times($0, list.pointer, Int32(timeout.milliseconds)) }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(.consumer, "the brokers could not map a time to offsets", rdKafkaError: err)
            }
            var offsets: [KafkaTopicPartition: Int64?] = [:]
            for entry in list.entries {
                guard entry.error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError(
                        .consumer,
                        "the brokers could not map a time to an offset of \(entry.partition)",
                        rdKafkaError: entry.error
                    )
                }
                offsets[entry.partition] = entry.offset >= 0 ? entry.offset : nil
            }
            return offsets
        }
    }

    /// The low and high watermarks of `partitions`, as the brokers answer them and checked against
    /// what a fetch reports: Tansu answers the query with a high watermark of 1 whatever the
    /// partition holds, while its fetches report the right one. It reads the last record of each
    /// partition to do so: this consumer's assignment is replaced (a reader's, not a group
    /// member's).
    public func checkedWatermarks(
        of partitions: [KafkaTopicPartition],
        timeout: Duration = .seconds(10)
    ) async throws(KafkaError) -> [KafkaTopicPartition: (low: Int64, high: Int64)] {
        var watermarks: [KafkaTopicPartition: (low: Int64, high: Int64)] = [:]
        for partition in partitions {
            watermarks[partition] = try await self.watermarks(of: partition, timeout: timeout)
        }
        // Read from each partition's last record by the brokers' account: the fetch's answer
        // carries the partition's high watermark.
        try assign(watermarks.mapValues { max($0.low, $0.high - 1) })
        var fetched: [KafkaTopicPartition: Int64] = [:]
        let deadline = ContinuousClock.now + timeout
        while fetched.count < partitions.count && ContinuousClock.now < deadline {
            for message in try await nextBatch(maxMessages: 1_000, timeout: .milliseconds(50)) {
                fetched[message.topicPartition] = max(fetched[message.topicPartition] ?? 0, message.offset + 1)
            }
            for lag in lag() {
                guard let high = lag.highWatermark else { continue }
                fetched[lag.topicPartition] = max(fetched[lag.topicPartition] ?? 0, high)
            }
        }
        for (partition, high) in fetched where high > watermarks[partition]!.high {
            logger.debug(
                "the brokers' high watermark is behind what a fetch reports: taking the fetch's",
                metadata: [
                    "partition": "\(partition)", "queried": "\(watermarks[partition]!.high)", "fetched": "\(high)",
                ]
            )
            watermarks[partition]!.high = high
        }
        return watermarks
    }
}
