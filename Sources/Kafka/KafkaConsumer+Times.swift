internal import CRdKafka

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
}
