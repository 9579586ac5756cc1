internal import CRdKafka

/// An error from the Kafka layer.
///
/// It keeps librdkafka's own error code and name when there is one, and says whether trying
/// again can help (`isRetriable`) or whether the client is unusable (`isFatal`).
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A librdkafka configuration property was unknown or had an invalid value.
        public static let configuration = Code("configuration")
        /// A client (producer, consumer, admin) could not be created.
        public static let clientCreation = Code("clientCreation")
        /// The local producer queue is full; wait for deliveries and retry.
        public static let queueFull = Code("queueFull")
        /// A message could not be delivered to the broker.
        public static let delivery = Code("delivery")
        /// Polling, committing, seeking or another consumer operation failed.
        public static let consumer = Code("consumer")
        /// An admin operation (create or list topics) failed.
        public static let admin = Code("admin")
        /// An operation did not finish in time.
        public static let timedOut = Code("timedOut")
        /// The embedded broker could not be started or controlled.
        public static let embeddedBroker = Code("embeddedBroker")
        /// The client was already closed.
        public static let closed = Code("closed")
        /// A message is larger than the producer's or the broker's `message.max.bytes`: sending
        /// the same bytes again cannot help.
        public static let messageTooLarge = Code("messageTooLarge")
        /// A transaction could not begin, take offsets, commit or abort.
        public static let transaction = Code("transaction")
        /// The client hit a fatal error (e.g. an idempotent producer lost its sequence): it can no
        /// longer be used; build a new one.
        public static let fatal = Code("fatal")

        /// The code's name.
        public var description: String { name }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong, naming the input and what to do.
    public var message: String
    /// librdkafka's numeric error code (`rd_kafka_resp_err_t`), when librdkafka reported one.
    public var rdKafkaCode: Int32?
    /// librdkafka's error name, e.g. `_QUEUE_FULL` or `UNKNOWN_TOPIC_OR_PART`.
    public var rdKafkaName: String?
    /// Whether the same operation may succeed when tried again.
    public var isRetriable: Bool
    /// Whether the client that raised it can no longer be used.
    public var isFatal: Bool
    /// Whether the current transaction must be aborted before anything else (then it may be
    /// tried again); only transactional calls set it.
    public var requiresAbort = false

    /// Creates an error without a librdkafka code.
    public init(_ code: Code, _ message: String, isRetriable: Bool = false, isFatal: Bool = false) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable
        self.isFatal = isFatal
    }

    public var description: String {
        var text = "Kafka \(code): \(message)"
        if let rdKafkaName { text += " [\(rdKafkaName)]" }
        return text
    }
}

extension KafkaError {
    /// Wraps a librdkafka response error code, with a message saying what was attempted.
    init(_ code: Code, _ context: String, rdKafkaError err: rd_kafka_resp_err_t) {
        let name = String(cString: rd_kafka_err2name(err))
        let text = String(cString: rd_kafka_err2str(err))
        self.init(
            Self.specific(err) ?? code,
            "\(context): \(text)",
            isRetriable: Self.isRetriable(err),
            isFatal: err == RD_KAFKA_RESP_ERR__FATAL
        )
        self.rdKafkaCode = err.rawValue
        self.rdKafkaName = name
    }

    /// Wraps (and destroys) a librdkafka `rd_kafka_error_t`, which knows whether it is retriable.
    init(_ code: Code, _ context: String, consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        let err = rd_kafka_error_code(error)
        let text = String(cString: rd_kafka_error_string(error))
        let retriable = rd_kafka_error_is_retriable(error) != 0 || Self.isRetriable(err)
        let fatal = rd_kafka_error_is_fatal(error) != 0 || err == RD_KAFKA_RESP_ERR__FATAL
        self.init(
            fatal ? .fatal : Self.specific(err) ?? code,
            "\(context): \(text)",
            isRetriable: retriable && !fatal,
            isFatal: fatal
        )
        self.rdKafkaCode = err.rawValue
        self.rdKafkaName = String(cString: rd_kafka_err2name(err))
        self.requiresAbort = rd_kafka_error_txn_requires_abort(error) != 0
    }

    /// The code of errors whose cause callers branch on, whatever the operation.
    static func specific(_ err: rd_kafka_resp_err_t) -> Code? {
        switch err {
        case RD_KAFKA_RESP_ERR__QUEUE_FULL: return .queueFull
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE: return .messageTooLarge
        case RD_KAFKA_RESP_ERR__FATAL: return .fatal
        default: return nil
        }
    }

    /// Errors that librdkafka or the broker report for passing conditions.
    static func isRetriable(_ err: rd_kafka_resp_err_t) -> Bool {
        switch err {
        case RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT,
            RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
            RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
            RD_KAFKA_RESP_ERR__WAIT_COORD, RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
            RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
            return true
        default:
            return false
        }
    }
}
