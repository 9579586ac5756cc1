import Foundation
import Kafka
import Logging
import Wire

/// Publishes the worker's `WorkerReport` on the fleet topic, keyed by its id, every few seconds
/// and at once when its model changes or a package is refused, with a producer of its own (the
/// worker's may be transactional, or rebuilt after a fatal error). Operators read them with
/// `models status`.
final class FleetReporter: Sendable {
    private let topic: String
    private let workerID: String
    private let interval: Duration
    private let producer: KafkaProducer
    private let logger: Logger
    private let stopped = StopFlag()

    init(configuration: WorkerConfiguration, topic: String, interval: Duration = .seconds(5), logger: Logger) throws {
        self.topic = topic
        self.workerID = configuration.workerID
        self.interval = interval
        self.logger = logger
        var settings = KafkaProducerConfiguration(
            bootstrapServers: configuration.bootstrapServers,
            properties: configuration.producerProperties
        )
        settings.clientID = "streamcoder-fleet-report"
        settings.idempotence = false
        producer = try KafkaProducer(configuration: settings, logger: logger)
    }

    /// Reports what `snapshot` says every `interval`, and whenever its model or refusals change,
    /// until `stop`; then a last report.
    func run(snapshot: @escaping @Sendable () -> WorkerReport) async {
        var last: WorkerReport?
        var lastSent = ContinuousClock.now
        while !stopped.isRaised {
            let report = snapshot()
            let changed =
                last.map {
                    $0.active != report.active || $0.candidate != report.candidate || $0.loadErrors != report.loadErrors
                } ?? true
            if changed || ContinuousClock.now - lastSent >= interval {
                send(report)
                last = report
                lastSent = .now
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        send(snapshot())
        try? await producer.close(timeout: .seconds(2))
    }

    /// Ends the reports.
    func stop() { stopped.raise() }

    private func send(_ report: WorkerReport) {
        do {
            try producer.produce(
                KafkaProducerMessage(topic: topic, key: Array(workerID.utf8), value: try report.encoded())
            )
        } catch {
            logger.debug("fleet report not sent", metadata: ["error": "\(error)"])
        }
    }
}
