internal import CRdKafka

/// Transactions (a producer configured with a `transactionalID`): outputs and the consumer's
/// input offsets committed together, so that a `read_committed` reader sees each output once.
///
/// Every call blocks until the brokers answer (or `timeout` passes): call them from a thread of
/// your own, as the worker's pipeline does, never from the cooperative pool. A failure says
/// whether to abort the transaction and try again (`requiresAbort`, `isRetriable`) or to build a
/// new producer (`isFatal`: fenced by a newer instance, or the producer's state is lost).
extension KafkaProducer {
    /// Registers the transactional id with its coordinator, fencing any older producer with the
    /// same id and aborting what it left open. Once per producer, before the first transaction.
    public func initTransactions(timeout: Duration) throws(KafkaError) {
        try check("initialise transactions") { rd_kafka_init_transactions($0, Int32(timeout.milliseconds)) }
    }

    /// Starts a transaction: what is produced until the commit belongs to it.
    public func beginTransaction() throws(KafkaError) {
        try check("begin a transaction") { rd_kafka_begin_transaction($0) }
    }

    /// Adds the consumer's next offsets to the transaction: they are committed with its outputs.
    public func sendOffsetsToTransaction(
        _ offsets: [KafkaTopicPartition: Int64],
        group: KafkaConsumerGroupMetadata,
        timeout: Duration
    ) throws(KafkaError) {
        let list = TopicPartitionList(offsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        try check("send offsets to the transaction") { handle in
            group.withPointer {
                rd_kafka_send_offsets_to_transaction(handle, list.pointer, $0, Int32(timeout.milliseconds))
            }
        }
    }

    /// Delivers everything produced in the transaction and commits it with its offsets.
    public func commitTransaction(timeout: Duration) throws(KafkaError) {
        try check("commit the transaction") { rd_kafka_commit_transaction($0, Int32(timeout.milliseconds)) }
    }

    /// Aborts the transaction: its outputs are never seen by `read_committed` readers, and its
    /// offsets are not committed.
    public func abortTransaction(timeout: Duration) throws(KafkaError) {
        try check("abort the transaction") { rd_kafka_abort_transaction($0, Int32(timeout.milliseconds)) }
    }

    private func check(_ what: String, _ call: (OpaquePointer) -> OpaquePointer?) throws(KafkaError) {
        guard let error = client.withHandle(call) else { return }
        throw KafkaError(.transaction, "could not \(what)", consuming: error)
    }
}

/// A consumer's group membership as a transaction needs it (group, generation, member): the
/// broker commits a transaction's offsets only for the current member, which fences zombies.
///
/// `@unchecked Sendable`: the pointer is set once and only read by librdkafka.
public final class KafkaConsumerGroupMetadata: @unchecked Sendable {
    private let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        rd_kafka_consumer_group_metadata_destroy(pointer)
    }

    func withPointer<T>(_ body: (OpaquePointer) -> T) -> T { body(pointer) }
}

extension KafkaConsumer {
    /// The consumer's group membership now, for `sendOffsetsToTransaction`.
    public func groupMetadata() -> KafkaConsumerGroupMetadata? {
        client.withHandle { rd_kafka_consumer_group_metadata($0) }.map(KafkaConsumerGroupMetadata.init)
    }

    /// The group's committed offsets of `partitions` (absent when none is committed). Blocks.
    public func committedOffsets(
        _ partitions: [KafkaTopicPartition],
        timeout: Duration
    ) throws(KafkaError) -> [KafkaTopicPartition: Int64] {
        let list = TopicPartitionList(partitions.map { ($0, nil) })
        let err = client.withHandle { rd_kafka_committed($0, list.pointer, Int32(timeout.milliseconds)) }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                .consumer,
                "could not read the committed offsets of \(partitions.count) partitions",
                rdKafkaError: err
            )
        }
        var offsets: [KafkaTopicPartition: Int64] = [:]
        for entry in list.entries where entry.offset >= 0 { offsets[entry.partition] = entry.offset }
        return offsets
    }

    /// Moves the read position of assigned partitions, on the calling thread. Blocks.
    public func rewind(to offsets: [KafkaTopicPartition: Int64], timeout: Duration) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = TopicPartitionList(offsets.map { ($0.key, $0.value) })
        if let error = client.withHandle({ rd_kafka_seek_partitions($0, list.pointer, Int32(timeout.milliseconds)) }) {
            throw KafkaError(.consumer, "could not rewind \(offsets.count) partitions", consuming: error)
        }
    }
}
