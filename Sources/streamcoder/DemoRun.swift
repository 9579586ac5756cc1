import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Synchronization
import Wire
import Worker

/// Publishes the demo's forms once the workers own their partitions, then reads every result
/// back; ends (shutting the group down) when every form is accounted for or a minute passed.
final class DemoRun: Service, Sendable {
    private let bootstrapServers: String
    private let forms: [DemoForm]
    private let workers: [CodingWorker]
    private let logger: Logger
    private let outcome = Mutex<DemoReport?>(nil)

    init(bootstrapServers: String, forms: [DemoForm], workers: [CodingWorker], logger: Logger) {
        self.bootstrapServers = bootstrapServers
        self.forms = forms
        self.workers = workers
        self.logger = logger
    }

    func run() async throws {
        let reader = try resultReader()
        try await waitForAssignments(reader)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: bootstrapServers), logger: logger)
        // Looked up first: a topic librdkafka has not seen waits for its once-a-second scan.
        _ = await producer.prepare(topics: [StreamCoderTopic.forms], timeout: .seconds(5))
        var sentAt: [String: Int64] = [:]
        let started = ContinuousClock.now
        for demo in forms {
            sentAt[demo.form.formID] = Int64(Date().timeIntervalSince1970 * 1_000)
            try producer.produce(
                KafkaProducerMessage(
                    topic: StreamCoderTopic.forms,
                    key: Array(demo.form.formID.utf8),
                    value: try demo.form.encoded()
                )
            )
        }
        try await producer.flush()
        printLine("published \(forms.count) forms; two workers coding…")
        var report = DemoReport(forms: forms, sentAt: sentAt)
        let deadline = ContinuousClock.now + .seconds(60)
        while !report.everyFormAccountedFor && ContinuousClock.now < deadline {
            for message in try await reader.nextBatch(maxMessages: 1_000, timeout: .milliseconds(50)) {
                report.record(message)
            }
        }
        report.elapsed = ContinuousClock.now - started
        report.counters = workers.map(\.counters)
        try await reader.close()
        outcome.withLock { $0 = report }
    }

    /// The report, once `run` has returned.
    func report() throws -> DemoReport {
        guard let report = outcome.withLock({ $0 }) else { throw CommandError("the demo stopped before it finished") }
        return report
    }

    private func resultReader() throws -> KafkaConsumer {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: "demo-results")
        configuration.properties["fetch.wait.max.ms"] = "5"
        let reader = try KafkaConsumer(configuration: configuration, logger: logger)
        try reader.subscribe(topics: [
            StreamCoderTopic.codings, StreamCoderTopic.manualReview, StreamCoderTopic.deadLetter,
        ])
        return reader
    }

    /// Joining groups takes seconds on the embedded broker: wait until the reader has its
    /// partitions and both workers report theirs, so the timings measure coding, not joining.
    private func waitForAssignments(_ reader: KafkaConsumer) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            _ = try await reader.nextBatch(maxMessages: 1, timeout: .milliseconds(100))
            if !reader.assignment.isEmpty && workers.allSatisfy({ $0.assignedPartitions > 0 }) { return }
        }
        logger.warning("workers not all assigned after 30 s; publishing anyway")
    }
}
