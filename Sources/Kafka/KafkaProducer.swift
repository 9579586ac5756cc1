internal import CRdKafka
import Foundation
import Logging

/// Produces messages to Kafka and reports the outcome of each one.
///
/// `produce` only enqueues (it never blocks); a dedicated thread serves librdkafka's delivery
/// reports and hands each to `onDelivery` and to whoever awaits it in `send`. Idempotence is
/// on by default, so the producer's own retries neither duplicate nor reorder messages.
public final class KafkaProducer: Sendable {
    struct State {
        var nextID: UInt64 = 1
        var waiters: [UInt64: CheckedContinuation<KafkaDeliveryReport, Never>] = [:]
        var delivered: UInt64 = 0
        var failed: UInt64 = 0
        var stopped = false
        var lifecycle = ClientLifecycle(client: "producer")
        /// Whether the thread serving delivery reports runs (from the first use, or `run`).
        var eventLoopStarted = false
        /// librdkafka's fatal error, once one was raised: the producer cannot deliver anything more.
        var fatal: KafkaError?
        /// The last error a broker connection reported (e.g. connection refused), for messages.
        var lastBrokerError: String?
        /// Whether librdkafka has said that no broker at all could be reached (it does not say when
        /// one answers again: for a one-shot command's check at start).
        var allBrokersDown = false
    }

    let client: RDKafkaClient
    private let state: Locked<State>
    private let blocking: BlockingThread
    private let logger: Logger
    private let eventLoop: ProducerEventLoop

    /// Creates a producer. `onDelivery` runs on the producer's thread with the reports librdkafka
    /// serves together (one or many, in order): keep it short.
    public init(
        configuration: KafkaProducerConfiguration,
        logger: Logger,
        onDelivery: (@Sendable ([KafkaDeliveryReport]) -> Void)? = nil
    ) throws(KafkaError) {
        let client = try RDKafkaClient(
            kind: .producer,
            properties: configuration.rdKafkaProperties,
            logger: logger
        ) { conf in
            rd_kafka_conf_set_events(conf, Int32(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR))
        }
        let state = Locked(State())
        self.client = client
        self.state = state
        self.logger = logger
        self.blocking = BlockingThread(name: "kafka-producer-flush")
        self.eventLoop = ProducerEventLoop(client: client, state: state, logger: logger, onDelivery: onDelivery)
    }

    /// Refuses work once closing; starts the thread serving delivery reports on first use, so
    /// that a producer nobody uses (or only runs as a service) holds no thread until then.
    func admit() throws(KafkaError) {
        let start = try state.withLock { state throws(KafkaError) -> Bool in
            try state.lifecycle.checkOpen()
            defer { state.eventLoopStarted = true }
            return !state.eventLoopStarted
        }
        guard start else { return }
        let eventLoop = self.eventLoop
        let thread = Thread {
            Thread.current.name = "kafka-producer-events"
            eventLoop.run()
        }
        thread.start()
    }

    deinit {
        state.withLock { $0.stopped = true }
        blocking.stop()
    }

    /// Enqueues a message without waiting; its outcome arrives as a delivery report.
    ///
    /// Throws `.queueFull` (retriable) when the local queue is full: wait for deliveries
    /// (or `flush`) and try again.
    @discardableResult
    public func produce(_ message: KafkaProducerMessage) throws(KafkaError) -> KafkaMessageID {
        let id = makeMessageID()
        try produce(message, id: id)
        return id
    }

    /// A new id for `produce(_:id:)`: a caller that must know a message's id before its delivery
    /// report can arrive takes one first, records it, then produces.
    public func makeMessageID() -> KafkaMessageID {
        KafkaMessageID(
            rawValue: state.withLock { state in
                defer { state.nextID += 1 }
                return state.nextID
            }
        )
    }

    /// Enqueues a message under an id from `makeMessageID()` (each used once). Throws `.closed`
    /// once `close` has begun.
    public func produce(_ message: KafkaProducerMessage, id: KafkaMessageID) throws(KafkaError) {
        try admit()
        try enqueue(message, id: id.rawValue)
    }

    /// Delivers what it holds (waiting up to `timeout`), then refuses anything more: `produce`
    /// and `send` throw `.closed`. Only the first call does the work; later ones return at once.
    public func close(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        guard state.withLock({ $0.lifecycle.beginClosing() }) else { return }
        defer { state.withLock { $0.lifecycle.finishClosing() } }
        try await flush(timeout: timeout)
    }

    /// Whether `close` has begun.
    public var isClosed: Bool { state.withLock { $0.lifecycle.state != .open } }

    /// Produces a message and waits until the broker acknowledges it; throws when it was not delivered.
    @discardableResult
    public func send(_ message: KafkaProducerMessage) async throws(KafkaError) -> KafkaDeliveryReport {
        let id = makeMessageID().rawValue
        let report = await withCheckedContinuation { continuation in
            state.withLock { $0.waiters[id] = continuation }
            do throws(KafkaError) {
                try admit()
                try enqueue(message, id: id)
            } catch {
                let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
                waiter?.resume(
                    returning: KafkaDeliveryReport(
                        id: KafkaMessageID(rawValue: id),
                        topic: message.topic,
                        partition: message.partition ?? -1,
                        offset: nil,
                        error: error
                    )
                )
            }
        }
        if let error = report.error { throw error }
        return report
    }

    /// Waits until every enqueued message has its delivery report, or throws `.timedOut`.
    public func flush(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let client = self.client
        _ = try? admit()  // the reports it waits for are served by the event loop
        try await blocking.run { () throws(KafkaError) in
            let err = client.withHandle { rd_kafka_flush($0, Int32(timeout.milliseconds)) }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                let left = client.withHandle { rd_kafka_outq_len($0) }
                throw KafkaError(
                    .timedOut,
                    "flush: \(left) messages still undelivered after \(timeout)",
                    rdKafkaError: err
                )
            }
        }
    }

    /// Looks the partitions of `topics` up now. librdkafka looks up a topic it has not seen only
    /// on its once-a-second scan, so without this the first messages to each topic can wait up
    /// to a second. Returns, with the reason, the topics that could not be looked up (absent
    /// and not auto-created, or unreachable): messages to them wait or fail as they would have.
    public func prepare(
        topics: [String],
        timeout: Duration = .seconds(10)
    ) async -> [(topic: String, error: KafkaError)] {
        let client = self.client
        _ = try? admit()
        return
            (try? await blocking.run { () throws(KafkaError) in
                topics.compactMap { topic -> (String, KafkaError)? in
                    guard let error = Self.lookUp(topic, client: client, timeout: timeout) else { return nil }
                    return (topic, error)
                }
            }) ?? topics.map { ($0, KafkaError(.closed, "the producer is closed")) }
    }

    private static func lookUp(_ topic: String, client: RDKafkaClient, timeout: Duration) -> KafkaError? {
        client.withHandle { handle -> KafkaError? in
            guard let topicHandle = rd_kafka_topic_new(handle, topic, nil) else {
                return KafkaError(.configuration, "invalid topic name \(topic)", rdKafkaError: rd_kafka_last_error())
            }
            defer { rd_kafka_topic_destroy(topicHandle) }
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let err = rd_kafka_metadata(handle, 0, topicHandle, &metadata, Int32(timeout.milliseconds))
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                return KafkaError(.timedOut, "could not look topic \(topic) up", rdKafkaError: err)
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            let found = metadata.pointee.topic_cnt > 0 ? metadata.pointee.topics[0] : nil
            guard let found, found.err == RD_KAFKA_RESP_ERR_NO_ERROR, found.partition_cnt > 0 else {
                return KafkaError(
                    .delivery,
                    "topic \(topic) is not available; create it (streamcoder topics create) or let the broker auto-create topics",
                    rdKafkaError: found?.err ?? err
                )
            }
            return nil
        }
    }

    /// The fatal error this producer hit (e.g. an idempotent producer that lost its sequence
    /// numbers), or `nil`: once set, nothing more will be delivered, and the owner should build a
    /// new producer.
    public var fatalFailure: KafkaError? {
        state.withLock { $0.fatal }
    }

    /// When librdkafka has reported that no broker at all could be reached (not one broker of
    /// several), the last connection error it gave (e.g. "Connect to ipv4#127.0.0.1:9999 failed:
    /// Connection refused"); `nil` otherwise.
    public var allBrokersDownError: String? {
        state.withLock { $0.allBrokersDown ? $0.lastBrokerError ?? "all brokers are down" : nil }
    }

    /// Messages enqueued and not yet reported (librdkafka's out-queue length).
    public var outstandingCount: Int {
        Int(client.withHandle { rd_kafka_outq_len($0) })
    }

    /// How many messages were delivered and how many failed so far.
    public var deliveryCounts: (delivered: UInt64, failed: UInt64) {
        state.withLock { ($0.delivered, $0.failed) }
    }
}

extension Duration {
    /// Whole milliseconds, saturating at `Int.max`.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? Int.max : Int(ms + attoseconds / 1_000_000_000_000_000)
    }
}
