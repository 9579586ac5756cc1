import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Synchronization
import Wire
import Worker

/// The runs of `streamcoder bench e2e`, each on topics of its own of one embedded cluster.
final class E2EBench: Sendable {
    private let cluster: EmbeddedKafkaCluster
    private let command: BenchE2ECommand
    private let logger: Logger
    private let forms: [RegistryForm]
    private var fetchWait: [String: String] { ["fetch.wait.max.ms": String(command.fetchWaitMilliseconds)] }

    init(cluster: EmbeddedKafkaCluster, command: BenchE2ECommand, labels: String, logger: Logger, forms: [RegistryForm])
    {
        self.cluster = cluster
        self.command = command
        self.labels = labels
        self.logger = logger
        self.forms = forms
    }

    func createTopics() throws {
        for prefix in ["bench.lat.ours", "bench.lat.py"] { try createTopics(prefix: prefix) }
        try cluster.createTopic("bench.floor", partitions: 12)
    }

    private func createTopics(prefix: String) throws {
        for suffix in ["forms", "codings", "review", "dlq"] {
            try cluster.createTopic("\(prefix).\(suffix)", partitions: 12)
        }
    }

    /// Forms per second of our worker's `run`-th throughput run, on topics of its own.
    /// With `exactlyOnce`, the worker commits a transaction per micro-batch.
    func throughputOfOurs(run: Int, exactlyOnce: Bool = false, codingThreads: Int? = nil) async throws -> Double {
        let prefix = exactlyOnce ? "bench.eos.\(run)" : "bench.ours.\(run).\(codingThreads ?? 0)"
        try createTopics(prefix: prefix)
        try await publish(forms.prefix(command.forms), to: "\(prefix).forms")
        let worker = try makeWorker(prefix: prefix, exactlyOnce: exactlyOnce, codingThreads: codingThreads)
        let running = RunningWorker(worker, logger: logger)
        let elapsed = try await waitFor(worker, count: command.forms)
        try await running.stop()
        return Double(command.forms) / elapsed
    }

    /// Forms per second of a replay of a whole preloaded topic (its `run`-th run, on topics of its
    /// own), from its first form read to its last result delivered.
    func throughputOfReplay(run: Int, codingThreads: Int) async throws -> Double {
        let prefix = "bench.replay.\(run).\(codingThreads)"
        try createTopics(prefix: prefix)
        try await publish(forms.prefix(command.forms), to: "\(prefix).forms")
        var ends: [Int32: Int64] = [:]
        let reader = try KafkaConsumer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers, groupID: "\(prefix).planner"),
            logger: logger
        )
        for partition in Int32(0)..<12 {
            ends[partition] = try await reader.watermarks(
                of: KafkaTopicPartition(topic: "\(prefix).forms", partition: partition)
            )
            .high
        }
        try? await reader.close()
        let worker = try makeWorker(
            prefix: prefix,
            codingThreads: codingThreads,
            replay: ReplayRange(starts: ends.mapValues { _ in 0 }, ends: ends)
        )
        let running = RunningWorker(worker, logger: logger)
        let elapsed = try await waitFor(worker, count: command.forms)
        try await running.stop()
        return Double(command.forms) / elapsed
    }

    /// Forms per second of the Python worker's `run`-th throughput run, on topics of its own.
    func throughputOfPython(run: Int) async throws -> Double {
        let prefix = "bench.py.\(run)"
        try createTopics(prefix: prefix)
        try await publish(forms.prefix(command.forms), to: "\(prefix).forms")
        let python = try PythonWorker(bench: self, prefix: prefix, count: command.forms)
        return Double(command.forms) / (try await python.result())
    }

    func latencyOfOurs() async throws -> E2ERow {
        let worker = try makeWorker(prefix: "bench.lat.ours")
        let running = RunningWorker(worker, logger: logger)
        while worker.assignedPartitions == 0 { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .seconds(2))  // offsets looked up, fetch sessions running: steady state
        let latencies = try await pacedRoundTrip(
            to: "bench.lat.ours.forms",
            from: ["bench.lat.ours.codings", "bench.lat.ours.review"]
        )
        try await running.stop()
        return E2ERow(latencies: latencies, name: "streamcoder worker", rate: command.rate)
    }

    func latencyOfPython() async throws -> E2ERow {
        let python = try PythonWorker(bench: self, prefix: "bench.lat.py", count: command.rate * command.seconds)
        try await python.waitUntilAssigned()
        let latencies = try await pacedRoundTrip(
            to: "bench.lat.py.forms",
            from: ["bench.lat.py.codings", "bench.lat.py.review"]
        )
        _ = try await python.result()
        return E2ERow(latencies: latencies, name: "python worker", rate: command.rate)
    }

    func brokerFloor() async throws -> E2ERow {
        let latencies = try await pacedRoundTrip(to: "bench.floor", from: ["bench.floor"])
        return E2ERow(latencies: latencies, name: "broker floor (no worker)", rate: command.rate)
    }

    var bootstrapServers: String { cluster.bootstrapServers }
    var fasttextModel: String { command.fasttextModel }
    let labels: String
    var threshold: Double { command.threshold }
    var fetchWaitMilliseconds: Int { command.fetchWaitMilliseconds }

    // MARK: - Pieces

    private func makeWorker(
        prefix: String,
        exactlyOnce: Bool = false,
        codingThreads: Int? = nil,
        replay: ReplayRange? = nil
    ) throws -> CodingWorker {
        var configuration = WorkerConfiguration(
            bootstrapServers: cluster.bootstrapServers,
            modelPackage: URL(fileURLWithPath: command.package)
        )
        configuration.groupID = "\(prefix).workers"
        configuration.topics.forms = "\(prefix).forms"
        configuration.topics.codings = "\(prefix).codings"
        configuration.topics.manualReview = "\(prefix).review"
        configuration.topics.deadLetter = "\(prefix).dlq"
        configuration.decision.confidenceThreshold = command.threshold
        configuration.consumerProperties = fetchWait
        // The latency worker waits at most 1 ms to fill a micro-batch; the throughput one keeps the
        // worker's default (5 ms), as the Python worker waits 5 ms for its batches.
        if prefix.hasPrefix("bench.lat.") { configuration.maxBatchWait = .milliseconds(1) }
        if let threads = codingThreads ?? command.codingThreads { configuration.codingThreads = threads }
        configuration.replay = replay
        configuration.exactlyOnce = exactlyOnce
        configuration.controlTopic = nil  // the bench measures coding, not model directives
        configuration.fleetTopic = nil
        configuration.instanceID = exactlyOnce ? prefix : nil
        return try CodingWorker(configuration: configuration, logger: logger)
    }

    /// A worker running in a service group of its own, until `stop`.
    private struct RunningWorker {
        let group: ServiceGroup
        let task: Task<Void, any Error>

        init(_ worker: CodingWorker, logger: Logger) {
            let group = ServiceGroup(configuration: .init(services: [.init(service: worker)], logger: logger))
            self.group = group
            task = Task { try await group.run() }
        }

        func stop() async throws {
            await group.triggerGracefulShutdown()
            try await task.value
        }
    }

    /// Seconds from the worker's first form in to its `count`-th form done.
    private func waitFor(_ worker: CodingWorker, count: Int) async throws -> Double {
        while worker.counters.formsIn == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let start = ContinuousClock.now
        let deadline = start + .seconds(300)
        while worker.counters.completed < count {
            guard ContinuousClock.now < deadline else { throw CommandError("the worker did not finish in 5 minutes") }
            try await Task.sleep(for: .milliseconds(2))
        }
        return (ContinuousClock.now - start).seconds
    }

    private func publish(_ forms: some Collection<RegistryForm>, to topic: String) async throws {
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers),
            logger: logger
        )
        for form in forms {
            let message = KafkaProducerMessage(topic: topic, key: Array(form.formID.utf8), value: try form.encoded())
            try await producer.produceWaitingForRoom(message)
        }
        try await producer.flush()
    }

    /// Publishes rate × seconds forms at a steady pace and returns, in milliseconds, the time
    /// from each publication to the reception of the record keyed by its form id; the first
    /// second warms connections and fetch sessions up and is not reported.
    private func pacedRoundTrip(to topic: String, from resultTopics: [String]) async throws -> [Double] {
        let trips = try await PacedRoundTrip(
            bootstrapServers: cluster.bootstrapServers,
            rate: command.rate,
            readerProperties: fetchWait,
            logger: logger
        ).run(Array(forms.prefix(command.rate * command.seconds)), to: topic, from: resultTopics)
        return trips.filter { $0.index >= command.rate }.map(\.milliseconds)
    }
}

extension KafkaProducer {
    /// Enqueues `message`, waiting while the local queue is full (the brokers take time to drain it).
    func produceWaitingForRoom(_ message: KafkaProducerMessage) async throws {
        while true {
            do {
                try produce(message)
                return
            } catch  where error.code == .queueFull {
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }
}
