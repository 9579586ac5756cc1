internal import CRdKafka
import Logging

/// Serves a producer's main queue on the producer's own thread: delivery reports to their
/// waiters and to the delivery handler, client errors to the log. Ends once the producer is
/// gone and its last reports are served.
struct ProducerEventLoop: Sendable {
    let client: RDKafkaClient
    let state: Locked<KafkaProducer.State>
    let logger: Logger
    /// Receives the reports of one librdkafka event at a time, in their order.
    let onDelivery: (@Sendable ([KafkaDeliveryReport]) -> Void)?

    func run() {
        let queue = client.withHandle { rd_kafka_queue_get_main($0) }
        defer { rd_kafka_queue_destroy(queue) }
        while true {
            if let event = rd_kafka_queue_poll(queue, 100) {
                serve(event)
                rd_kafka_event_destroy(event)
                continue
            }
            let stopped = state.withLock { $0.stopped }
            if stopped && client.withHandle({ rd_kafka_outq_len($0) }) == 0 { return }
        }
    }

    private func serve(_ event: OpaquePointer) {
        switch Int32(rd_kafka_event_type(event)) {
        case RD_KAFKA_EVENT_DR:
            var reports: [KafkaDeliveryReport] = []
            reports.reserveCapacity(rd_kafka_event_message_count(event))
            var topics = TopicNames()
            while let message = rd_kafka_event_message_next(event) {
                reports.append(Self.deliveryReport(message.pointee, topics: &topics))
            }
            report(reports)
        case RD_KAFKA_EVENT_ERROR:
            // A producer being torn down has nobody left to tell about lost connections.
            guard !state.withLock({ $0.stopped }) else { return }
            let err = rd_kafka_event_error(event)
            let text = String(cString: rd_kafka_event_error_string(event))
            if rd_kafka_event_error_is_fatal(event) != 0 {
                let fatal = fatalFailure(fallback: text)
                let first = state.withLock { state in
                    defer { state.fatal = state.fatal ?? fatal }
                    return state.fatal == nil
                }
                if first { logger.critical("fatal Kafka producer error", metadata: ["error": "\(fatal.message)"]) }
            } else {
                state.withLock { state in
                    if err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__RESOLVE {
                        state.lastBrokerError = text
                    }
                    if err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN { state.allBrokersDown = true }
                }
                let retrying =
                    err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN
                    ? "no broker can be reached (\(text)): retrying until one answers; check --brokers and the cluster"
                    : "Kafka producer error: \(text)"
                client.log(
                    .warning,
                    "\(retrying)",
                    metadata: ["code": "\(String(cString: rd_kafka_err2name(err)))"]
                )
            }
        default:
            break
        }
    }

    /// The fatal error's own code and reason, as librdkafka keeps them.
    private func fatalFailure(fallback: String) -> KafkaError {
        var buffer = [CChar](repeating: 0, count: 512)
        let err = client.withHandle { rd_kafka_fatal_error($0, &buffer, buffer.count) }
        let reason = err == RD_KAFKA_RESP_ERR_NO_ERROR ? fallback : String(errorBuffer: buffer)
        var error = KafkaError(
            .fatal,
            "the producer hit a fatal error and can deliver nothing more: \(reason)",
            isFatal: true
        )
        error.rdKafkaCode = err.rawValue
        error.rdKafkaName = String(cString: rd_kafka_err2name(err))
        return error
    }

    private func report(_ reports: [KafkaDeliveryReport]) {
        let waiters = state.withLock { state in
            reports.compactMap { report -> (CheckedContinuation<KafkaDeliveryReport, Never>, KafkaDeliveryReport)? in
                if report.isDelivered { state.delivered += 1 } else { state.failed += 1 }
                guard !state.waiters.isEmpty else { return nil }
                return state.waiters.removeValue(forKey: report.id.rawValue).map { ($0, report) }
            }
        }
        for (waiter, report) in waiters { waiter.resume(returning: report) }
        onDelivery?(reports)
    }

    private static func deliveryReport(_ message: rd_kafka_message_t, topics: inout TopicNames) -> KafkaDeliveryReport {
        let id = UInt64(UInt(bitPattern: message._private))
        let topic = topics.name(of: message.rkt)
        var error: KafkaError?
        if message.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            error = KafkaError(.delivery, "message \(id) to \(topic) was not delivered", rdKafkaError: message.err)
        }
        return KafkaDeliveryReport(
            id: KafkaMessageID(rawValue: id),
            topic: topic,
            partition: message.partition,
            offset: error == nil ? message.offset : nil,
            error: error
        )
    }
}
