import Foundation
import Kafka
import Synchronization

/// Asks the brokers, about once a second on a thread of its own, whether any of them answers;
/// a worker's readiness reads the last answer, so a probe never waits on the network.
final class BrokerProbe: Sendable {
    private let answer = Mutex<Bool?>(nil)
    private let stopped = StopFlag()
    private let interval: Duration
    private let timeout: Duration

    /// A probe asking every `interval`, each question given up after `timeout`.
    init(interval: Duration = .seconds(1), timeout: Duration = .seconds(2)) {
        self.interval = interval
        self.timeout = timeout
    }

    /// Whether a broker answered the last question; `nil` before the first answer.
    var reachable: Bool? { answer.withLock { $0 } }

    /// Starts asking through `consumer` until `stop` (or until the consumer is gone).
    func start(asking consumer: KafkaConsumer) {
        let thread = Thread { [weak consumer, self] in
            Thread.current.name = "broker-probe"
            while !stopped.isRaised, let consumer {
                let reachable = consumer.brokersReachable(timeout: timeout)
                answer.withLock { $0 = reachable }
                Thread.sleep(forTimeInterval: interval.timeInterval)
            }
        }
        thread.start()
    }

    /// Stops asking.
    func stop() { stopped.raise() }
}
