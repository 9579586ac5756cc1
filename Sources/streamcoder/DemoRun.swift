import Coordinator
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
    private let swap: DemoSwap?
    private let coordinator: CoordinatorService
    private let logger: Logger
    private let outcome = Mutex<DemoReport?>(nil)

    init(
        bootstrapServers: String,
        forms: [DemoForm],
        workers: [CodingWorker],
        swap: DemoSwap?,
        coordinator: CoordinatorService,
        logger: Logger
    ) {
        self.bootstrapServers = bootstrapServers
        self.forms = forms
        self.workers = workers
        self.swap = swap
        self.coordinator = coordinator
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
        let half = swap == nil ? forms.count : forms.count / 2
        for demo in forms[..<half] { try publish(demo, with: producer, sentAt: &sentAt) }
        try await producer.flush()
        if let swap {
            printLine("published \(half) forms; two workers coding with \(swap.from.name)@\(swap.from.version)…")
            try await activate(swap, with: producer)
        }
        for demo in forms[half...] { try publish(demo, with: producer, sentAt: &sentAt) }
        try await producer.flush()
        printLine("published \(forms.count - half)\(swap == nil ? "" : " more") forms; two workers coding…")
        var report = DemoReport(forms: forms, sentAt: sentAt)
        let deadline = ContinuousClock.now + .seconds(60)
        while !report.everyFormAccountedFor && ContinuousClock.now < deadline {
            for message in try await reader.nextBatch(maxMessages: 1_000, timeout: .milliseconds(50)) {
                report.record(message)
            }
        }
        report.elapsed = ContinuousClock.now - started
        // Everything delivered and committed before the group stops: the workers leave together,
        // and a member cannot commit while another's leaving rebalances the group.
        for worker in workers where !(await worker.settle(timeout: .seconds(10))) {
            logger.warning("a worker's last offsets are not committed: a rerun on these topics would code them again")
        }
        report.counters = workers.map(\.counters)
        report.swap = swap
        report.fleet = coordinator.status
        try await reader.close()
        try await producer.close()
        outcome.withLock { $0 = report }
    }

    /// The report, once `run` has returned.
    func report() throws -> DemoReport {
        guard let report = outcome.withLock({ $0 }) else { throw CommandError("the demo stopped before it finished") }
        return report
    }

    private func publish(_ demo: DemoForm, with producer: KafkaProducer, sentAt: inout [String: Int64]) throws {
        sentAt[demo.form.formID] = Int64(Date().timeIntervalSince1970 * 1_000)
        try producer.produce(
            KafkaProducerMessage(
                topic: StreamCoderTopic.forms,
                key: Array(demo.form.formID.utf8),
                value: try demo.form.encoded()
            )
        )
    }

    /// Writes the swap's directive to the control topic, as `models activate` does, and waits
    /// (up to 15 s) until both workers code with the new version.
    private func activate(_ swap: DemoSwap, with producer: KafkaProducer) async throws {
        let started = ContinuousClock.now
        try await producer.send(
            KafkaProducerMessage(
                topic: StreamCoderTopic.control,
                key: Array(DemoCommand.group.utf8),
                value: try swap.directive.encoded()
            )
        )
        let deadline = started + .seconds(15)
        while ContinuousClock.now < deadline
            && !workers.allSatisfy({ $0.report.active?.version == swap.to.version })
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        let took = ContinuousClock.now - started
        guard workers.allSatisfy({ $0.report.active?.version == swap.to.version }) else {
            printLine(
                "activated \(swap.to.name)@\(swap.to.version), but not every worker switched within 15 s: "
                    + "the rest of the stream may be coded by \(swap.from.version) (see the workers' warnings)"
            )
            return
        }
        printLine(
            "activated \(swap.to.name)@\(swap.to.version) (\(swap.change)); "
                + "both workers switched \(took.formatted(.units(allowed: [.milliseconds]))) after the directive"
        )
    }

    private func resultReader() throws -> KafkaConsumer {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: "demo-results")
        configuration.properties["fetch.wait.max.ms"] = "5"
        var quiet = logger
        quiet.logLevel = .warning  // its own partitions are not the demo's news
        let reader = try KafkaConsumer(configuration: configuration, logger: quiet)
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
