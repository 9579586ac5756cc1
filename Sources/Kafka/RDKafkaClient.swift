internal import CRdKafka
import Logging

/// Owns one librdkafka handle (`rd_kafka_t`) and destroys it in `deinit`.
///
/// `@unchecked Sendable`: librdkafka handles are thread-safe (its documentation guarantees
/// every `rd_kafka_*` call on one handle may come from any thread); the pointer itself is
/// never changed after `init`.
final class RDKafkaClient: @unchecked Sendable {
    enum Kind {
        case producer, consumer

        var rdKafkaType: rd_kafka_type_t { self == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER }
    }

    private let handle: OpaquePointer
    /// What the handle's callbacks reach through its opaque pointer: released only after the
    /// handle is destroyed (stored properties go after `deinit`'s body).
    private let context: ClientContext

    /// Builds the configuration from `properties`, routes librdkafka's logs to `logger`, lets
    /// `customize` add events, and creates the handle, which takes ownership of the configuration.
    /// A consumer passes its `rebalance` coordinator, reached from the rebalance callback.
    init(
        kind: Kind,
        properties: [(String, String)],
        logger: Logger,
        rebalance: RebalanceCoordinator? = nil,
        customize: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) {
        let conf = try Self.makeConf(properties)
        let context = ClientContext(logger: logger, rebalance: rebalance)
        context.install(on: conf)
        customize(conf)
        var errorText = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(kind.rdKafkaType, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            let reason = String(errorBuffer: errorText)
            throw KafkaError(.clientCreation, "could not create the Kafka \(kind) client: \(reason)")
        }
        self.handle = handle
        self.context = context
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// Logs through the client's logger, holding back repeats of warnings and errors.
    func log(_ level: Logger.Level, _ message: String, metadata: Logger.Metadata = [:]) {
        context.logOnce(level: level, message, metadata: metadata)
    }

    /// Gives `body` the raw handle; it must not keep it.
    func withHandle<T>(_ body: (OpaquePointer) throws(KafkaError) -> T) throws(KafkaError) -> T {
        try body(handle)
    }

    /// Gives `body` the raw handle; it must not keep it.
    func withHandle<T>(_ body: (OpaquePointer) -> T) -> T {
        body(handle)
    }

    /// A new `rd_kafka_conf_t` with `properties` set, in order; the caller owns it.
    static func makeConf(_ properties: [(String, String)]) throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errorText = [CChar](repeating: 0, count: 512)
        for (key, value) in properties {
            guard rd_kafka_conf_set(conf, key, value, &errorText, errorText.count) == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                let reason = String(errorBuffer: errorText)
                throw KafkaError(
                    .configuration,
                    "librdkafka property \(key)=\(value) was refused: \(reason). "
                        + "See librdkafka's CONFIGURATION.md for the property names and values."
                )
            }
        }
        return conf
    }
}

extension String {
    /// The NUL-terminated text librdkafka wrote into an error buffer.
    init(errorBuffer: [CChar]) {
        self = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
