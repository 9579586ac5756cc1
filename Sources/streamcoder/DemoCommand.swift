import ArgumentParser
import Classifier
import Coordinator
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Wire
import Worker

/// `streamcoder demo`: the product's main job on the embedded default, in one process.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Code the sample forms and a few thousand generated ones with two workers on an embedded broker.",
        discussion: """
            Starts an in-process Kafka-protocol broker on 127.0.0.1 with StreamCoder's topics, the \
            coordinator, and two coding workers in one consumer group with the packaged model; \
            publishes the sample registry forms plus --generated forms made from the NAF labels, \
            and midway activates a second version of the model (by default a re-tuned copy: the same \
            weights with a lower confidence threshold), which the running workers switch to \
            between two micro-batches. It prints what happened: the samples with their code, \
            label, confidence index and decision, the forms each model version coded, the \
            auto-coding rate, throughput, latency, and that every form is accounted for.
            """
    )

    @Option(help: "The model package (default: the project's Models/naf-demo).")
    var model: String?

    @Option(help: "The sample forms, with their expected code (default: the project's data/sirene_examples.csv).")
    var csv: String?

    @Option(help: "The NAF table generated forms are made from (default: the project's data/naf_rev2_subclasses.csv).")
    var naf: String?

    @Option(help: "How many generated forms to publish after the samples.")
    var generated: Int = 5_000

    @Option(
        name: .customLong("swap-to"),
        help: "The package activated midway (default: a re-tuned copy of --model, version VERSION-t030)."
    )
    var swapTo: String?

    @Flag(name: .customLong("no-swap"), help: "Keep one model for the whole run.")
    var noSwap = false

    func run() async throws {
        let model = try ProjectFiles.path(model, default: ProjectFiles.demoModel, option: "--model")
        let csv = try ProjectFiles.path(csv, default: ProjectFiles.sampleForms, option: "--csv")
        let naf = try ProjectFiles.path(naf, default: ProjectFiles.nafTable, option: "--naf")
        let logger = makeLogger("streamcoder.demo")
        let samples = try DemoForms.samples(csv)
        let forms = samples + (try DemoForms.generated(generated, from: naf))
        let cluster = try EmbeddedKafkaCluster(logger: logger)
        for topic in StreamCoderTopic.defaults {
            try cluster.createTopic(topic.name, partitions: topic.partitions ?? 12)
        }
        printLine("embedded broker on \(cluster.bootstrapServers), model \(model)")
        let swap =
            try noSwap
            ? nil
            : DemoSwap.prepare(
                package: URL(fileURLWithPath: model),
                next: swapTo.map { URL(fileURLWithPath: $0) }
            )
        let report = try await code(forms, model: model, on: cluster, swap: swap, logger: logger)
        report.print(samples: samples, manifest: try ModelPackage.load(from: URL(fileURLWithPath: model)).manifest)
        // The workers and their clients are gone by now; the broker goes last, so none of them
        // logs a lost connection.
        withExtendedLifetime(cluster) {}
        if !report.everyFormAccountedFor { throw ExitCode.failure }
    }

    /// Runs two workers and the demo's publisher/reader until every form is accounted for.
    private func code(
        _ forms: [DemoForm],
        model: String,
        on cluster: EmbeddedKafkaCluster,
        swap: DemoSwap?,
        logger: Logger
    ) async throws -> DemoReport {
        let workers = try (1...2).map {
            try makeWorker("demo-worker-\($0)", model: model, cluster.bootstrapServers, logger: logger)
        }
        var quiet = logger
        quiet.logLevel = .warning
        var fleet = CoordinatorConfiguration(bootstrapServers: cluster.bootstrapServers)
        fleet.group = Self.group
        let coordinator = CoordinatorService(configuration: fleet, logger: quiet)
        let run = DemoRun(
            bootstrapServers: cluster.bootstrapServers,
            forms: forms,
            workers: workers,
            swap: swap,
            coordinator: coordinator,
            logger: logger
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: coordinator)] + workers.map { .init(service: $0) }
                    + [.init(service: run, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        return try run.report()
    }

    /// The demo fleet's consumer group, the key of its directives.
    static let group = "demo-workers"

    private func makeWorker(_ id: String, model: String, _ servers: String, logger: Logger) throws -> CodingWorker {
        var configuration = WorkerConfiguration(bootstrapServers: servers, modelPackage: URL(fileURLWithPath: model))
        configuration.groupID = Self.group
        configuration.workerID = id
        configuration.consumerProperties = ["fetch.wait.max.ms": "5", "session.timeout.ms": "6000"]
        configuration.maxBatchWait = .milliseconds(2)
        var quiet = logger
        quiet.logLevel = .warning
        return try CodingWorker(configuration: configuration, logger: quiet)
    }
}

/// A form the demo publishes, with the code it should get when known.
struct DemoForm: Sendable {
    var form: RegistryForm
    var expectedCode: String?
}

/// The forms of the demo: the real samples and forms generated from NAF labels.
enum DemoForms {
    static func samples(_ path: String) throws -> [DemoForm] {
        let table = try CSVTable(contentsOf: path)
        try RegistryForm.checkColumns(of: table, path: path)
        return try table.rows.enumerated().map { index, row in
            let form = try RegistryForm(csvRow: row, of: table, line: index + 2, formID: "sample-\(index + 1)")
            return DemoForm(form: form, expectedCode: table.value("code", in: row))
        }
    }

    /// Forms whose text is a NAF label written the way registry forms arrive (uppercase, no
    /// accents), with varied form types and events.
    static func generated(_ count: Int, from path: String) throws -> [DemoForm] {
        let table = try CSVTable(contentsOf: path)
        let columns = ["label", "label65", "label40"]
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { index in
            let row = table.rows[Int.random(in: 0..<table.rows.count, using: &generator)]
            let text = registryStyle(table.value(columns[index % columns.count], in: row) ?? "")
            let form = RegistryForm(
                formID: "generated-\(index + 1)",
                descriptionActivity: text,
                typeForm: ["C", "M", "X", "L", "I"][index % 5],
                event: ["01P", "05P", "54P"][index % 3]
            )
            return DemoForm(form: form, expectedCode: table.value("code", in: row))
        }
    }

    /// Uppercase, accents stripped, anything but letters and digits as one space.
    static func registryStyle(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).uppercased()
        return folded.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }.joined(separator: " ")
    }
}
