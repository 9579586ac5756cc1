import ArgumentParser
import Foundation
import Kafka
import Wire

import struct Classifier.CSVTable

/// `streamcoder produce`: registry forms from a CSV file, encoded with the contract, onto a topic.
struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Publish registry forms read from a CSV file (keyed by form id).",
        discussion: """
            The CSV has a header row. Columns are matched by name: form_id, siren, \
            description_activity (or text_description), other_nature_activity, \
            precision_act_sec_agricole, type_form (or type_), nature, surface, cj, \
            activity_permanence_status, event; others (e.g. code) are ignored. Without form_id, \
            forms get ids PREFIX1, PREFIX2, … in file order. With --count, rows are reused in \
            turn until that many forms are published (ids stay unique).
            """
    )

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "The CSV file of forms, e.g. ../shared/data/forms/sirene_examples.csv.")
    var csv: String

    @Option(help: "The topic to publish to.")
    var topic: String = StreamCoderTopic.forms

    @Option(name: .customLong("id-prefix"), help: "Prefix of generated form ids.")
    var idPrefix: String = "form-"

    @Option(help: "Publish this many forms, cycling through the rows (default: each row once).")
    var count: Int?

    func run() async throws {
        let forms = try readForms()
        let logger = makeLogger("streamcoder.produce")
        // A one-shot command: the producer's connection warnings are summed up in its own error
        // (and its count of failed forms), unless a debug level was asked for.
        var quiet = logger
        if logger.logLevel >= .info { quiet.logLevel = .error }
        let producer = try KafkaProducer(
            configuration: .init(
                bootstrapServers: try kafka.bootstrapServers(),
                properties: try kafka.librdkafkaProperties()
            ),
            logger: quiet
        )
        // Looked up first: a topic librdkafka has not seen waits for its once-a-second scan. And
        // brokers that cannot be reached are said so now, not after a minute of retries.
        let servers = try kafka.bootstrapServers()
        if let (_, error) = await producer.prepare(topics: [topic], timeout: .seconds(10)).first {
            if let broker = producer.allBrokersDownError {
                throw CommandError(
                    "cannot reach the brokers \(servers): \(broker). Check --brokers (or STREAMCODER_BROKERS) "
                        + "and that the cluster is up"
                )
            }
            logger.warning(
                "\(topic) could not be looked up: the forms wait until it can",
                metadata: ["error": "\(error)"]
            )
        }
        let total = count ?? forms.count
        for index in 0..<total {
            var form = forms[index % forms.count]
            if count != nil && index >= forms.count { form.formID = "\(form.formID)-\(index / forms.count)" }
            try await produce(form, with: producer)
        }
        try await producer.flush(timeout: .seconds(60))
        let (delivered, failed) = producer.deliveryCounts
        printLine("produced \(delivered) forms to \(topic)" + (failed > 0 ? ", \(failed) FAILED" : ""))
        if failed > 0 { throw ExitCode.failure }
    }

    /// The forms of the CSV file, validated; an invalid row stops the command with its line number.
    func readForms() throws -> [RegistryForm] {
        let table = try CSVTable(contentsOf: csv)
        try RegistryForm.checkColumns(of: table, path: csv)
        guard !table.rows.isEmpty else { throw CommandError("\(csv) has a header but no rows") }
        return try table.rows.enumerated().map { offset, row in
            let line = offset + 2
            let form = try RegistryForm(csvRow: row, of: table, line: line, formID: "\(idPrefix)\(offset + 1)")
            do {
                try form.validate()
            } catch {
                throw CommandError("\(csv) line \(line): \(error)")
            }
            return form
        }
    }

    private func produce(_ form: RegistryForm, with producer: KafkaProducer) async throws {
        try await producer.produceWaitingForRoom(
            KafkaProducerMessage(topic: topic, key: Array(form.formID.utf8), value: try form.encoded())
        )
    }
}
