import Foundation
import Kafka
import Logging

/// Before partitions go, waits (bounded) until the outputs of their forms are delivered, so that
/// their offsets are stored and committed with the revoke; lost partitions are given up at once.
///
/// `producer` is weak: the producer's handlers lead back to the consumer that calls this.
/// `@unchecked Sendable`: `producer` is set once, right after the producer is created and before
/// the consumer subscribes, so before any rebalance can call `handle`.
final class RevocationDrain: @unchecked Sendable {
    private let ledger: OutputLedger
    private let timeout: Duration
    private let logger: Logger
    weak var producer: KafkaProducer?

    init(ledger: OutputLedger, timeout: Duration, logger: Logger) {
        self.ledger = ledger
        self.timeout = timeout
        self.logger = logger
    }

    /// Called on the pipeline thread, inside a poll.
    func handle(_ event: KafkaRebalanceEvent) {
        switch event {
        case .assigned:
            break
        case .revoked(let partitions):
            let deadline = ContinuousClock.now + timeout
            while ledger.pending(in: partitions) > 0 && ContinuousClock.now < deadline {
                if let producer { resend(ledger.takeRetries(), with: producer, ledger: ledger, logger: logger) }
                Thread.sleep(forTimeInterval: 0.001)
            }
            let left = ledger.pending(in: partitions)
            if left > 0 {
                logger.warning(
                    "giving up partitions with undelivered results: they will be coded again",
                    metadata: ["forms": "\(left)", "partitions": "\(partitions)"]
                )
            }
            ledger.forget(partitions)
        case .lost(let partitions):
            ledger.forget(partitions)
        }
    }
}

/// Sends outputs again after a failed delivery.
func resend(_ retries: [OutputLedger.Output], with producer: KafkaProducer, ledger: OutputLedger, logger: Logger) {
    for output in retries { enqueue(output, with: producer, ledger: ledger, logger: logger) }
}

/// Enqueues one output, waiting while the producer's queue is full. A reply whose topic the
/// producer refuses is given up (the result is on the worker's topics); a result is tried again.
func enqueue(_ output: OutputLedger.Output, with producer: KafkaProducer, ledger: OutputLedger, logger: Logger) {
    while true {
        do {
            let id = producer.makeMessageID()
            try ledger.send(output, id: id) { (message) throws(KafkaError) in try producer.produce(message, id: id) }
            return
        } catch  where error.code == .queueFull {
            Thread.sleep(forTimeInterval: 0.000_5)
        } catch {
            logger.error(
                "could not enqueue an output",
                metadata: ["topic": "\(output.message.topic)", "error": "\(error)"]
            )
            if ledger.isReply(output.message.topic) {
                ledger.abandon(output)
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}
