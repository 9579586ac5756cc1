import Foundation
import Kafka
import Logging
import Testing
import Wire

@testable import Worker

/// The revoke handler without a broker: it waits for the revoked partitions' outputs (so their
/// offsets are stored before the revoke commits), within its timeout, and not at all once the
/// worker cannot deliver; a lost partition is given up at once.
@Suite("Revocation drain")
struct RevocationDrainTests {
    let revoked = KafkaTopicPartition(topic: StreamCoderTopic.forms, partition: 1)
    let kept = KafkaTopicPartition(topic: StreamCoderTopic.forms, partition: 2)

    func ledger(stored: Shared<[KafkaTopicPartition: Int64]>) -> OutputLedger {
        var logger = Logger(label: "drain-tests")
        logger.logLevel = .critical
        let topics = WorkerTopics()
        return OutputLedger(
            topics: topics,
            deadLetters: DeadLetters(topic: topics.deadLetter, maxMessageBytes: 100_000),
            logger: logger
        ) { offsets in stored.withLock { $0.merge(offsets) { $1 } } }
    }

    /// Registers one form of `partition` with one output sent under `id`.
    func inFlight(_ ledger: OutputLedger, _ partition: KafkaTopicPartition, id: UInt64) throws {
        let input = ledger.register(partition, offset: 10, publishedAt: nil)
        ledger.expect(input, outputs: 1)
        let source = KafkaConsumerMessage(
            topicPartition: partition,
            offset: 10,
            key: nil,
            value: [1],
            headers: [],
            timestampMilliseconds: nil
        )
        try ledger.send(
            .init(
                input: input,
                message: .init(topic: StreamCoderTopic.codings, value: [2]),
                kind: .result,
                source: source
            ),
            id: KafkaMessageID(rawValue: id)
        ) { _ in }
    }

    func deliver(_ ledger: OutputLedger, id: UInt64) {
        ledger.delivered([
            KafkaDeliveryReport(
                id: KafkaMessageID(rawValue: id),
                topic: StreamCoderTopic.codings,
                partition: 0,
                offset: 1,
                error: nil
            )
        ])
    }

    @Test func aRevokeWaitsUntilTheRevokedPartitionsOutputsAreDelivered() throws {
        let stored = Shared<[KafkaTopicPartition: Int64]>([:])
        let ledger = ledger(stored: stored)
        try inFlight(ledger, revoked, id: 1)
        try inFlight(ledger, kept, id: 2)
        let drain = RevocationDrain(
            ledger: ledger,
            timeout: .seconds(60),
            abandon: StopFlag(),
            logger: Logger(label: "t")
        )
        let delivery = Thread { [self] in
            Thread.sleep(forTimeInterval: 0.05)
            deliver(ledger, id: 1)
        }
        delivery.start()
        drain.handle(.revoked([revoked]))
        #expect(stored.withLock { $0[revoked] } == 11, "stored before the revoke returned, so it is committed with it")
        #expect(ledger.pending(in: [revoked]) == 0)
        #expect(ledger.pending(in: [kept]) == 1, "other partitions are not waited for nor forgotten")
    }

    @Test func aRevokeGivesUpAtItsTimeoutOrAtOnceWhenNothingCanBeDelivered() throws {
        let stored = Shared<[KafkaTopicPartition: Int64]>([:])
        let ledger = ledger(stored: stored)
        try inFlight(ledger, revoked, id: 1)
        RevocationDrain(ledger: ledger, timeout: .milliseconds(20), abandon: StopFlag(), logger: Logger(label: "t"))
            .handle(.revoked([revoked]))
        #expect(ledger.pending(in: [revoked]) == 0, "given up: the next owner codes it again")
        deliver(ledger, id: 1)
        #expect(stored.withLock { $0[revoked] } == nil, "a late delivery stores nothing for a partition given up")

        try inFlight(ledger, kept, id: 2)
        ledger.fail("the producer hit a fatal error")
        RevocationDrain(ledger: ledger, timeout: .seconds(3_600), abandon: StopFlag(), logger: Logger(label: "t"))
            .handle(.revoked([kept]))
        #expect(ledger.pending(in: [kept]) == 0, "returned without waiting an hour")
    }

    @Test func aLostPartitionIsGivenUpAtOnce() throws {
        let stored = Shared<[KafkaTopicPartition: Int64]>([:])
        let ledger = ledger(stored: stored)
        try inFlight(ledger, revoked, id: 1)
        RevocationDrain(ledger: ledger, timeout: .seconds(3_600), abandon: StopFlag(), logger: Logger(label: "t"))
            .handle(.lost([revoked]))
        #expect(ledger.pending() == 0)
    }
}
