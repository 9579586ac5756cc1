internal import CRdKafka
import Logging

/// A consumer in a Kafka consumer group.
///
/// Reading happens in batches on the consumer's own thread (`nextBatch`), or on a thread of
/// the caller's (`poll`, which blocks). Offsets are committed only once stored with
/// `storeOffset`: an at-least-once application stores an offset when every output of the
/// messages at and below it is delivered. Stored offsets are committed in the background,
/// before partitions are revoked, and on `close`.
public final class KafkaConsumer: Sendable {
    let client: RDKafkaClient
    private let queue: ConsumerQueue
    let rebalance: RebalanceCoordinator
    private let blocking: BlockingThread
    let logger: Logger
    private let subscribed = Locked(false)
    private let lifecycle = Locked(ClientLifecycle(client: "consumer"))

    /// Creates a consumer. `onRebalance` runs on the polling thread before librdkafka applies
    /// the change, so a revoke handler can store the offsets of finished work first.
    public init(
        configuration: KafkaConsumerConfiguration,
        logger: Logger,
        onRebalance: (@Sendable (KafkaRebalanceEvent) -> Void)? = nil
    ) throws(KafkaError) {
        let strategy = configuration.rdKafkaProperties.last { $0.0 == "partition.assignment.strategy" }?.1 ?? ""
        let rebalance = RebalanceCoordinator(
            logger: logger,
            configuredCooperative: strategy.contains("cooperative"),
            handler: onRebalance
        )
        let client = try RDKafkaClient(
            kind: .consumer,
            properties: configuration.rdKafkaProperties,
            logger: logger,
            rebalance: rebalance
        )
        client.withHandle { _ = rd_kafka_poll_set_consumer($0) }
        self.client = client
        self.rebalance = rebalance
        self.queue = ConsumerQueue(client: client)
        self.blocking = BlockingThread(name: "kafka-consumer")
        self.logger = logger
    }

    deinit {
        // Dropped without `close`: the handle closes itself when destroyed, which must not happen
        // before the first assignment either (see `waitForFirstAssignment`).
        if lifecycle.withLock({ $0.state == .open }) { waitForFirstAssignment() }
        blocking.stop()
    }

    /// Joins the group and subscribes to `topics`; partitions arrive with the next polls.
    public func subscribe(topics: [String]) throws(KafkaError) {
        let list = TopicPartitionList(topics: topics)
        subscribed.withLock { $0 = true }
        let err = client.withHandle { rd_kafka_subscribe($0, list.pointer) }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.consumer, "could not subscribe to \(topics.joined(separator: ","))", rdKafkaError: err)
        }
    }

    /// Waits up to `timeout` for messages and returns at most `maxMessages` of them (possibly
    /// none). Blocks the calling thread: call it from a thread of your own, or use `nextBatch`.
    public func poll(maxMessages: Int, timeout: Duration) throws(KafkaError) -> [KafkaConsumerMessage] {
        try lifecycle.withLock { lifecycle throws(KafkaError) in try lifecycle.checkOpen() }
        return try queue.consumeBatch(
            maxMessages: maxMessages,
            timeoutMilliseconds: Int32(timeout.milliseconds),
            logger: logger
        )
    }

    /// `poll` on the consumer's own thread.
    public func nextBatch(maxMessages: Int, timeout: Duration) async throws(KafkaError) -> [KafkaConsumerMessage] {
        try await blocking.run { () throws(KafkaError) in
            try self.poll(maxMessages: maxMessages, timeout: timeout)
        }
    }

    /// librdkafka 2.0.2 crashes when a cooperative-sticky member leaves the group before its
    /// first assignment (the assignor's state is still NULL; fixed in 2.2.1, librdkafka issue
    /// 4312). So a subscribed member that was never assigned polls, blocking, until the group
    /// assigns it or `timeout` passes; what it reads meanwhile is dropped, not stored, so the
    /// group reads it again.
    func waitForFirstAssignment(timeout: Duration = .seconds(15)) {
        guard subscribed.withLock({ $0 }) else { return }
        let deadline = ContinuousClock.now + timeout
        while !rebalance.hasBeenAssigned.withLock({ $0 }) && ContinuousClock.now < deadline {
            _ = try? queue.consumeBatch(maxMessages: 100, timeoutMilliseconds: 100, logger: logger)
        }
    }

    /// Runs a blocking call on the consumer's own thread.
    func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws(KafkaError) -> T) async throws(KafkaError) -> T
    {
        try await blocking.run(body)
    }

    /// Whether any broker answers a metadata request within `timeout`. Blocks: call it from a
    /// thread of your own (a health probe), not from the cooperative pool.
    public func brokersReachable(timeout: Duration) -> Bool {
        client.withHandle { handle in
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let err = rd_kafka_metadata(handle, 0, nil, &metadata, Int32(timeout.milliseconds))
            guard let metadata else { return false }
            defer { rd_kafka_metadata_destroy(metadata) }
            return err == RD_KAFKA_RESP_ERR_NO_ERROR && metadata.pointee.broker_cnt > 0
        }
    }

    /// The partitions this consumer owns now.
    public var assignment: Set<KafkaTopicPartition> {
        rebalance.assignment.withLock { $0 }
    }

    /// Leaves the group: revokes (committing stored offsets) and closes the consumer; `poll`
    /// throws `.closed` afterwards. Only the first call does the work; later ones return at once.
    public func close() async throws(KafkaError) {
        let client = self.client
        guard lifecycle.withLock({ $0.beginClosing() }) else { return }
        defer { lifecycle.withLock { $0.finishClosing() } }
        try await blocking.run { () throws(KafkaError) in
            self.waitForFirstAssignment()
            let err = client.withHandle { rd_kafka_consumer_close($0) }  // serves the last revoke
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(.consumer, "closing the consumer failed", rdKafkaError: err)
            }
        }
        blocking.stop()
    }
}

extension KafkaConsumer {
    /// Closes like `close()` but waits at most `timeout`, for a process about to exit: once the
    /// revoke has committed, leaving the group is a courtesy (the group otherwise notices after
    /// its session timeout), and a coordinator that never answers the leave request must not hold
    /// the process until it is killed. Returns whether the close finished; when it did not, it
    /// goes on in the background.
    public func close(waitingAtMost timeout: Duration) async throws(KafkaError) -> Bool {
        try await finishes(within: timeout) { () async throws(KafkaError) in try await self.close() }
    }

    /// Commits like `commit()` but waits at most `timeout`; returns whether the commit finished
    /// (when it did not, it goes on in the background).
    public func commit(waitingAtMost timeout: Duration) async throws(KafkaError) -> Bool {
        try await finishes(within: timeout) { () async throws(KafkaError) in try await self.commit() }
    }
}

/// Runs `work` and waits for it at most `timeout`: whether it finished (rethrowing its error), or
/// `false` when the time ran out first (it goes on in the background).
func finishes(
    within timeout: Duration,
    _ work: @escaping @Sendable () async throws(KafkaError) -> Void
) async throws(KafkaError) -> Bool {
    let outcome = Locked<CheckedContinuation<Result<Bool, KafkaError>, Never>?>(nil)
    let result = await withCheckedContinuation { continuation in
        outcome.withLock { $0 = continuation }
        Task {
            let result: Result<Bool, KafkaError>
            do throws(KafkaError) {
                try await work()
                result = .success(true)
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0.take() }?.resume(returning: result)
        }
        Task {
            try? await Task.sleep(for: timeout)
            outcome.withLock { $0.take() }?.resume(returning: .success(false))
        }
    }
    return try result.get()
}

/// Owns the consumer's queue, destroyed before the handle it belongs to.
///
/// `@unchecked Sendable`: the queue pointer is set once; librdkafka queues are thread-safe.
final class ConsumerQueue: @unchecked Sendable {
    private let client: RDKafkaClient
    private let queue: OpaquePointer

    init(client: RDKafkaClient) {
        self.client = client
        self.queue = client.withHandle { rd_kafka_queue_get_consumer($0) }
    }

    deinit {
        rd_kafka_queue_destroy(queue)
    }

    func consumeBatch(
        maxMessages: Int,
        timeoutMilliseconds: Int32,
        logger: Logger
    ) throws(KafkaError)
        -> [KafkaConsumerMessage]
    {
        var raw = [UnsafeMutablePointer<rd_kafka_message_t>?](repeating: nil, count: max(maxMessages, 1))
        let count = rd_kafka_consume_batch_queue(queue, timeoutMilliseconds, &raw, raw.count)
        guard count >= 0 else {
            throw KafkaError(.consumer, "polling the consumer failed", rdKafkaError: rd_kafka_last_error())
        }
        var messages: [KafkaConsumerMessage] = []
        messages.reserveCapacity(count)
        var failure: KafkaError?
        var topics = TopicNames()
        for message in raw.prefix(count) {
            guard let message else { continue }
            defer { rd_kafka_message_destroy(message) }
            if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                messages.append(KafkaConsumerMessage(copying: message, topics: &topics))
            } else {
                failure = failure ?? Self.consumerError(message, client: client)
            }
        }
        if let failure, messages.isEmpty { throw failure }
        return messages
    }

    /// Logs a per-message consumer error and returns it when it is fatal.
    private static func consumerError(
        _ message: UnsafeMutablePointer<rd_kafka_message_t>,
        client: RDKafkaClient
    )
        -> KafkaError?
    {
        let err = message.pointee.err
        let error = KafkaError(.consumer, "consumer error", rdKafkaError: err)
        if err == RD_KAFKA_RESP_ERR__FATAL {
            return KafkaError(.consumer, "fatal consumer error: \(error.message)", isFatal: true)
        }
        client.log(.warning, "\(error)")
        return nil
    }
}
