import Foundation
import Kafka
import Logging

/// Before partitions go, waits (bounded) until the outputs of their forms are delivered, so that
/// their offsets are stored and committed with the revoke; lost partitions are given up at once,
/// and so are revoked ones once the worker cannot deliver anything more.
///
/// `producer` is weak: the producer's handlers lead back to the consumer that calls this.
/// `@unchecked Sendable`: `producer` is set once, right after the producer is created and before
/// the consumer subscribes, so before any rebalance can call `handle`.
final class RevocationDrain: @unchecked Sendable {
    private let ledger: OutputLedger
    private let timeout: Duration
    private let abandon: StopFlag
    private let logger: Logger
    weak var producer: KafkaProducer?

    /// Waits up to `timeout` per revoke, less once `abandon` is raised or the ledger has failed.
    init(ledger: OutputLedger, timeout: Duration, abandon: StopFlag, logger: Logger) {
        self.ledger = ledger
        self.timeout = timeout
        self.abandon = abandon
        self.logger = logger
    }

    /// Called on the pipeline thread, inside a poll.
    func handle(_ event: KafkaRebalanceEvent) {
        switch event {
        case .assigned:
            break
        case .revoked(let partitions):
            let deadline = ContinuousClock.now + timeout
            while ledger.pending(in: partitions) > 0 && ContinuousClock.now < deadline && canDeliver {
                if let producer {
                    resend(ledger.takeRetries(), with: producer, ledger: ledger, logger: logger, abandon: abandon)
                }
                Thread.sleep(forTimeInterval: 0.001)
            }
            let left = ledger.pending(in: partitions)
            if left > 0 {
                logger.warning(
                    "giving up partitions with undelivered results: they will be coded again",
                    metadata: ["forms": "\(left)", "partitions": "\(partitions.count)"]
                )
            }
            ledger.forget(partitions)
        case .lost(let partitions):
            ledger.forget(partitions)
        }
    }

    private var canDeliver: Bool {
        !abandon.isRaised && ledger.failure == nil && producer?.fatalFailure == nil
    }
}

/// Sends outputs again after a failed delivery.
func resend(
    _ retries: [OutputLedger.Output],
    with producer: KafkaProducer,
    ledger: OutputLedger,
    logger: Logger,
    abandon: StopFlag
) {
    for output in retries { enqueue(output, with: producer, ledger: ledger, logger: logger, abandon: abandon) }
}

/// Enqueues one output, waiting while the producer's queue is full, until `abandon` is raised
/// (then the output is dropped, its input stays uncommitted). An output the producer refuses goes
/// through the ledger's delivery policy: a dead letter of its input is enqueued in its place, or it
/// waits for a retry, or it is given up.
func enqueue(
    _ output: OutputLedger.Output,
    with producer: KafkaProducer,
    ledger: OutputLedger,
    logger: Logger,
    abandon: StopFlag
) {
    var output = output
    while !abandon.isRaised {
        do {
            let id = producer.makeMessageID()
            try ledger.send(output, id: id) { (message) throws(KafkaError) in try producer.produce(message, id: id) }
            return
        } catch  where error.code == .queueFull {
            Thread.sleep(forTimeInterval: 0.000_5)
        } catch {
            logger.debug(
                "the producer refused an output",
                metadata: ["topic": "\(output.message.topic)", "error": "\(error)"]
            )
            guard case .send(let next) = ledger.refused(output, error: error) else { return }
            output = next
        }
    }
}
