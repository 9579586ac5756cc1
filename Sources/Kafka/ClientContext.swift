internal import CRdKafka
import Logging
import Synchronization

/// What librdkafka's callbacks reach through a handle's opaque pointer: the logger for its
/// log lines and, for a consumer, the rebalance coordinator. The `RDKafkaClient` owning the
/// handle keeps it alive until after the handle is destroyed, so the pointer is unretained.
///
/// `@unchecked Sendable`: both fields are set once; `Logger` and the coordinator are thread-safe.
final class ClientContext: @unchecked Sendable {
    let logger: Logger
    let rebalance: RebalanceCoordinator?
    /// One for the whole process: the producers, consumers and admin clients of one worker meet
    /// the same broker failures, which are logged once, not once per client.
    private static let repeats = Mutex(RepeatFilter())

    init(logger: Logger, rebalance: RebalanceCoordinator?) {
        self.logger = logger
        self.rebalance = rebalance
    }

    /// Sets the opaque pointer and the callbacks librdkafka needs on `conf`.
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, text in
            guard let rk, let context = ClientContext.of(rk) else { return }
            context.log(level: level, facility: facility, text: text)
        }
        guard rebalance != nil else { return }
        rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, _ in
            guard let rk, let coordinator = ClientContext.of(rk)?.rebalance else { return }
            coordinator.rebalance(rk, err, partitions)
        }
    }

    private static func of(_ rk: OpaquePointer) -> ClientContext? {
        rd_kafka_opaque(rk).map { Unmanaged<ClientContext>.fromOpaque($0).takeUnretainedValue() }
    }

    /// librdkafka's syslog levels; its level 6 ("info") is mostly connection churn, so it is debug
    /// here. A broker failure (facility FAIL or ERROR) also arrives as an error event, which the
    /// client logs: its log line goes to debug, so that each error is logged once. A commit that
    /// fails because the group is rebalancing or has moved to a new generation (COMMITFAIL,
    /// REBALANCE_IN_PROGRESS or ILLEGAL_GENERATION, e.g. librdkafka's own commit of unassigned
    /// partitions while a whole group stops) is the group at work, not a fault: the offsets go with
    /// the partitions, and the consumer's own commit on revoke says when stored offsets were left
    /// uncommitted.
    private func log(level: Int32, facility: UnsafePointer<CChar>?, text: UnsafePointer<CChar>?) {
        let facility = facility.map { String(cString: $0) } ?? ""
        let message = text.map { String(cString: $0) } ?? ""
        let swiftLevel: Logger.Level
        switch level {
        case _ where facility == "FAIL" || facility == "ERROR": swiftLevel = .debug
        case _ where facility == "COMMITFAIL" && Self.groupAtWork.contains(where: message.contains): swiftLevel = .info
        case ...2: swiftLevel = .critical
        case 3: swiftLevel = .error
        case 4: swiftLevel = .warning
        case 5: swiftLevel = .notice
        default: swiftLevel = .debug
        }
        logOnce(level: swiftLevel, message, metadata: ["librdkafka": "\(facility)"])
    }

    /// How librdkafka words a commit refused because the group is rebalancing or moved on.
    private static let groupAtWork = ["Group rebalance in progress", "generation id is not valid"]

    /// Logs `message`, holding back its repeats for a while when it is a warning or worse: a
    /// broker that stays down is one line every 10 s with a count, not thirty lines a second.
    func logOnce(level: Logger.Level, _ message: String, metadata: Logger.Metadata = [:]) {
        guard level >= .warning, logger.logLevel <= level else {
            logger.log(level: level, "\(message)", metadata: metadata)
            return
        }
        let admission = Self.repeats.withLock { $0.admit(message, at: .now) }
        guard case .log(let suppressed) = admission else { return }
        logger.log(level: level, "\(RepeatFilter.text(message, suppressed: suppressed))", metadata: metadata)
    }
}
