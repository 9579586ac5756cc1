internal import CRdKafka

/// How far a consumer is behind on one partition.
public struct KafkaPartitionLag: Sendable, Hashable {
    /// The partition.
    public var topicPartition: KafkaTopicPartition
    /// The next offset this consumer will read, when known.
    public var position: Int64?
    /// The partition's high watermark (the offset the next produced message gets), when known.
    public var highWatermark: Int64?

    /// A partition's position and high watermark.
    public init(topicPartition: KafkaTopicPartition, position: Int64?, highWatermark: Int64? = nil) {
        self.topicPartition = topicPartition
        self.position = position
        self.highWatermark = highWatermark
    }

    /// Messages not read yet, when both ends are known.
    public var lag: Int64? {
        guard let position, let highWatermark else { return nil }
        return max(0, highWatermark - position)
    }
}

extension KafkaConsumer {
    /// Marks `message` as done: its offset + 1 is committed with the next commit.
    public func storeOffset(of message: KafkaConsumerMessage) throws(KafkaError) {
        try storeOffsets([message.topicPartition: message.offset + 1])
    }

    /// Stores, per partition, the next offset to read; the next commit sends them.
    public func storeOffsets(_ nextOffsets: [KafkaTopicPartition: Int64]) throws(KafkaError) {
        guard !nextOffsets.isEmpty else { return }
        let list = TopicPartitionList(nextOffsets.map { ($0.key, $0.value) })
        let err = client.withHandle { rd_kafka_offsets_store($0, list.pointer) }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let failed = list.entries.filter { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }.map(\.partition)
            throw KafkaError(
                .consumer,
                "could not store offsets for \(failed) (not assigned to this consumer?)",
                rdKafkaError: err
            )
        }
    }

    /// Commits the stored offsets now and waits for the broker's answer.
    public func commit() async throws(KafkaError) {
        let client = self.client
        try await runBlocking { () throws(KafkaError) in
            let err = client.withHandle { rd_kafka_commit($0, nil, 0) }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET else {
                throw KafkaError(.consumer, "commit failed", rdKafkaError: err)
            }
        }
    }

    /// Stops fetching from these partitions (backpressure) until `resume`; the assignment stays.
    public func pause(_ partitions: [KafkaTopicPartition]) throws(KafkaError) {
        try changeFetching(partitions, paused: true)
    }

    /// Fetches again from paused partitions.
    public func resume(_ partitions: [KafkaTopicPartition]) throws(KafkaError) {
        try changeFetching(partitions, paused: false)
    }

    /// Moves the read position of assigned partitions to the given offsets.
    public func seek(_ offsets: [KafkaTopicPartition: Int64], timeout: Duration = .seconds(10)) async throws(KafkaError)
    {
        let client = self.client
        try await runBlocking { () throws(KafkaError) in
            let list = TopicPartitionList(offsets.map { ($0.key, $0.value) })
            if let error = client.withHandle({ rd_kafka_seek_partitions($0, list.pointer, Int32(timeout.milliseconds)) }
            ) {
                throw KafkaError(.consumer, "seek to \(offsets) failed", consuming: error)
            }
        }
    }

    /// Reads the given partitions from the given offsets, outside any group rebalancing (a reader
    /// of replies or a replay); replaces the current assignment.
    public func assign(_ offsets: [KafkaTopicPartition: Int64]) throws(KafkaError) {
        let list = TopicPartitionList(offsets.map { ($0.key, $0.value) })
        let err = client.withHandle { rd_kafka_assign($0, list.pointer) }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.consumer, "could not assign \(offsets.keys.sorted())", rdKafkaError: err)
        }
        rebalance.assignment.withLock { $0 = Set(offsets.keys) }
    }

    /// Asks the partition's leader for its low and high watermarks.
    public func watermarks(
        of partition: KafkaTopicPartition,
        timeout: Duration = .seconds(10)
    ) async throws(KafkaError) -> (low: Int64, high: Int64) {
        let client = self.client
        return try await runBlocking { () throws(KafkaError) in
            var low: Int64 = 0
            var high: Int64 = 0
            let err = client.withHandle {
                rd_kafka_query_watermark_offsets(
                    $0,
                    partition.topic,
                    partition.partition,
                    &low,
                    &high,
                    Int32(timeout.milliseconds)
                )
            }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(.consumer, "could not read the watermarks of \(partition)", rdKafkaError: err)
            }
            return (low, high)
        }
    }

    /// Position and high watermark of every assigned partition (watermarks as last fetched).
    public func lag() -> [KafkaPartitionLag] {
        let assigned = assignment.sorted()
        guard !assigned.isEmpty else { return [] }
        let list = TopicPartitionList(assigned.map { ($0, nil) })
        _ = client.withHandle { rd_kafka_position($0, list.pointer) }
        return list.entries.map { entry in
            var low: Int64 = 0
            var high: Int64 = 0
            let known =
                client.withHandle {
                    rd_kafka_get_watermark_offsets($0, entry.partition.topic, entry.partition.partition, &low, &high)
                } == RD_KAFKA_RESP_ERR_NO_ERROR
            return KafkaPartitionLag(
                topicPartition: entry.partition,
                position: entry.offset >= 0 ? entry.offset : nil,
                highWatermark: known && high >= 0 ? high : nil
            )
        }
    }

    private func changeFetching(_ partitions: [KafkaTopicPartition], paused: Bool) throws(KafkaError) {
        let list = TopicPartitionList(partitions.map { ($0, nil) })
        let err = client.withHandle {
            paused ? rd_kafka_pause_partitions($0, list.pointer) : rd_kafka_resume_partitions($0, list.pointer)
        }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.consumer, "could not \(paused ? "pause" : "resume") \(partitions)", rdKafkaError: err)
        }
    }
}
