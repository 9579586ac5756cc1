import ArgumentParser
import Foundation
import Kafka
import Wire

/// `streamcoder demo`: the whole flow available so far on the embedded default, in one process.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the embedded broker, publish the sample forms, read them back and account for every one.",
        discussion: """
            Runs on the embedded default: an in-process Kafka-protocol broker on 127.0.0.1 with \
            StreamCoder's topics. It publishes the sample registry forms (plus --extra generated \
            copies), reads them back in a consumer group, decodes them with the contract, prints \
            the samples as a table and checks that every published form was read. Coding the forms \
            with a model comes with the worker.
            """
    )

    @Option(help: "The sample forms.")
    var csv: String = "../shared/data/forms/sirene_examples.csv"

    @Option(help: "How many more forms to publish, cycling through the samples.")
    var extra: Int = 5_000

    func run() async throws {
        let logger = makeLogger("streamcoder.demo")
        let produce = ProduceCommand.parseOrExit(["--csv", csv, "--id-prefix", "demo-"])
        let samples = try produce.readForms()
        let cluster = try EmbeddedKafkaCluster(logger: logger)
        for topic in StreamCoderTopic.defaults {
            try cluster.createTopic(topic.name, partitions: topic.partitions ?? 12)
        }
        printLine(
            "embedded broker on \(cluster.bootstrapServers); topics: "
                + StreamCoderTopic.defaults.map(\.name).joined(separator: ", ")
        )

        let forms =
            samples
            + (0..<extra).map { index in
                var form = samples[index % samples.count]
                form.formID = "demo-gen-\(index)"
                return form
            }
        let started = ContinuousClock.now
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers),
            logger: logger
        )
        for form in forms {
            try producer.produce(
                KafkaProducerMessage(
                    topic: StreamCoderTopic.forms,
                    key: Array(form.formID.utf8),
                    value: try form.encoded()
                )
            )
        }
        try await producer.flush()
        let produced = ContinuousClock.now - started
        printLine("published \(forms.count) forms to \(StreamCoderTopic.forms) in \(produced.formatted)")

        let read = try await readBack(count: forms.count, from: cluster)
        printTable(samples.map { read[$0.formID] ?? ($0, -1) })
        let missing = forms.filter { read[$0.formID]?.form != $0 }
        printLine(
            "read back \(read.count) of \(forms.count) forms; "
                + (missing.isEmpty ? "every form accounted for." : "\(missing.count) MISSING or changed.")
        )
        if !missing.isEmpty { throw ExitCode.failure }
    }

    /// Reads the forms topic in a fresh group until `count` distinct forms arrived.
    private func readBack(
        count: Int,
        from cluster: EmbeddedKafkaCluster
    ) async throws
        -> [String: (form: RegistryForm, partition: Int32)]
    {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: "demo")
        configuration.properties["fetch.wait.max.ms"] = "10"
        let consumer = try KafkaConsumer(configuration: configuration, logger: makeLogger("streamcoder.demo"))
        try consumer.subscribe(topics: [StreamCoderTopic.forms])
        var read: [String: (form: RegistryForm, partition: Int32)] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while read.count < count && ContinuousClock.now < deadline {
            for message in try await consumer.nextBatch(maxMessages: 1_000, timeout: .milliseconds(100)) {
                let form = try RegistryForm(decoding: message.value ?? [])
                read[form.formID] = (form, message.partition)
                try consumer.storeOffset(of: message)
            }
        }
        try await consumer.close()
        return read
    }

    private func printTable(_ rows: [(form: RegistryForm, partition: Int32)]) {
        printLine("")
        printLine("form id    part  type  event  activity")
        for (form, partition) in rows {
            let text =
                form.descriptionActivity.count > 60
                ? String(form.descriptionActivity.prefix(57)) + "..." : form.descriptionActivity
            printLine(
                form.formID.padding(toLength: 10, withPad: " ", startingAt: 0) + " "
                    + String(partition).padding(toLength: 5, withPad: " ", startingAt: 0) + " "
                    + form.typeForm.padding(toLength: 5, withPad: " ", startingAt: 0) + " "
                    + form.event.padding(toLength: 6, withPad: " ", startingAt: 0) + " " + text
            )
        }
        printLine("")
    }
}

extension Duration {
    /// Milliseconds with one decimal, e.g. "12.3 ms".
    var formatted: String {
        let (seconds, attoseconds) = components
        let milliseconds = Double(seconds) * 1_000 + Double(attoseconds) / 1e15
        return String(format: "%.1f ms", milliseconds)
    }
}
