internal import CRdKafka

/// Owns an `rd_kafka_topic_partition_list_t` and destroys it in `deinit`.
final class TopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    /// A list of partitions, each with an offset (`RD_KAFKA_OFFSET_INVALID` when none is given).
    init(_ entries: [(KafkaTopicPartition, Int64?)]) {
        pointer = rd_kafka_topic_partition_list_new(Int32(max(entries.count, 1)))
        for (topicPartition, offset) in entries {
            let element = rd_kafka_topic_partition_list_add(pointer, topicPartition.topic, topicPartition.partition)!
            element.pointee.offset = offset ?? CRdKafka_offsetInvalid()
        }
    }

    /// A list of topics for `rd_kafka_subscribe` (the partition is ignored there).
    convenience init(topics: [String]) {
        self.init(topics.map { (KafkaTopicPartition(topic: $0, partition: CRdKafka_partitionUnassigned()), nil) })
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(pointer)
    }

    /// The entries of a list librdkafka owns.
    static func entries(
        of list: UnsafePointer<rd_kafka_topic_partition_list_t>?
    ) -> [(partition: KafkaTopicPartition, offset: Int64, error: rd_kafka_resp_err_t)] {
        guard let list, list.pointee.cnt > 0 else { return [] }
        return UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)).map { element in
            (
                KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition),
                element.offset, element.err
            )
        }
    }

    /// This list's entries.
    var entries: [(partition: KafkaTopicPartition, offset: Int64, error: rd_kafka_resp_err_t)] {
        Self.entries(of: pointer)
    }
}
