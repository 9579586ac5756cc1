internal import CRdKafka
import Logging

/// A change of the partitions this consumer owns in its group.
public enum KafkaRebalanceEvent: Sendable, Equatable {
    /// Partitions given to this consumer; reading starts at their committed offsets.
    case assigned([KafkaTopicPartition])
    /// Partitions taken away in an orderly rebalance. The handler runs before they go:
    /// store the offsets of finished work now, and they are committed before the revoke.
    case revoked([KafkaTopicPartition])
    /// Partitions lost without an orderly rebalance (session timed out): another member may
    /// already own them, so nothing is committed for them.
    case lost([KafkaTopicPartition])
}

/// What librdkafka's rebalance callback reaches through its opaque pointer: it applies the
/// assignment change (incremental for cooperative-sticky, eager otherwise), commits stored
/// offsets before a revoke, and tells the application.
///
/// `@unchecked Sendable`: the assignment is behind a `Locked`; the handler is `@Sendable`.
final class RebalanceCoordinator: @unchecked Sendable {
    private let handler: (@Sendable (KafkaRebalanceEvent) -> Void)?
    private let logger: Logger
    let assignment = Locked<Set<KafkaTopicPartition>>([])
    /// Whether the group has assigned this member anything yet (even nothing).
    let hasBeenAssigned = Locked(false)

    /// Whether the configured assignor is cooperative, for when librdkafka cannot tell.
    private let configuredCooperative: Bool

    init(logger: Logger, configuredCooperative: Bool, handler: (@Sendable (KafkaRebalanceEvent) -> Void)?) {
        self.logger = logger
        self.configuredCooperative = configuredCooperative
        self.handler = handler
    }

    /// Called by librdkafka, on the thread that polls the consumer.
    func rebalance(
        _ rk: OpaquePointer,
        _ err: rd_kafka_resp_err_t,
        _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) {
        let partitions = TopicPartitionList.entries(of: list).map(\.partition).sorted()
        // NULL while the consumer is closing or before the group chose a protocol.
        let cooperative =
            rd_kafka_rebalance_protocol(rk).map { String(cString: $0) == "COOPERATIVE" } ?? configuredCooperative
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            report(cooperative ? incremental(rd_kafka_incremental_assign(rk, list)) : assignEager(rk, list), "assign")
            assignment.withLock { $0.formUnion(partitions) }
            hasBeenAssigned.withLock { $0 = true }
            logger.info(
                "partitions assigned",
                metadata: ["partitions": "\(KafkaTopicPartition.summary(of: partitions))"]
            )
            handler?(.assigned(partitions))
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(rk) != 0
            handler?(lost ? .lost(partitions) : .revoked(partitions))
            if !lost { commitStored(rk, list) }
            report(
                cooperative ? incremental(rd_kafka_incremental_unassign(rk, list)) : assignEager(rk, nil),
                "unassign"
            )
            assignment.withLock { $0.subtract(partitions) }
            logger.info(
                lost ? "partitions lost" : "partitions revoked",
                metadata: ["partitions": "\(KafkaTopicPartition.summary(of: partitions))"]
            )
        default:
            logger.error("rebalance failed", metadata: ["error": "\(String(cString: rd_kafka_err2str(err)))"])
            report(assignEager(rk, nil), "unassign after a failed rebalance")
            assignment.withLock { $0.removeAll() }
        }
    }

    private func assignEager(
        _ rk: OpaquePointer,
        _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) -> KafkaError? {
        let err = rd_kafka_assign(rk, list)
        return err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(.consumer, "rebalance", rdKafkaError: err)
    }

    private func incremental(_ error: OpaquePointer?) -> KafkaError? {
        error.map { KafkaError(.consumer, "rebalance", consuming: $0) }
    }

    private func report(_ error: KafkaError?, _ what: String) {
        guard let error else { return }
        logger.error("rebalance \(what) failed: \(error)")
    }

    /// Commits the offsets stored for the revoked partitions, synchronously, before they go.
    private func commitStored(_ rk: OpaquePointer, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let err = rd_kafka_commit(rk, nil, 0)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET {
            logger.warning("commit on revoke failed", metadata: ["error": "\(String(cString: rd_kafka_err2str(err)))"])
        }
    }
}

extension KafkaTopicPartition {
    /// Partitions as a short line, per topic: `registry.forms.v1: 6 (0, 2, 4, 6, 8, 10)`, and
    /// only the count past a dozen.
    public static func summary(of partitions: [KafkaTopicPartition]) -> String {
        Dictionary(grouping: partitions, by: \.topic).sorted { $0.key < $1.key }.map { topic, members in
            let numbers = members.map(\.partition).sorted()
            let listed = numbers.count <= 12 ? " (\(numbers.map(String.init).joined(separator: ", ")))" : ""
            return "\(topic): \(numbers.count)\(listed)"
        }.joined(separator: "; ")
    }
}
