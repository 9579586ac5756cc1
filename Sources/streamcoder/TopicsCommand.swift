import ArgumentParser
import Kafka
import Wire

/// `streamcoder topics …`: create, list and describe topics with the admin client.
struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Create, list and describe topics.",
        subcommands: [Create.self, List.self, Describe.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create topics (CreateTopics). With no names, creates StreamCoder's default topics.",
            discussion:
                "The embedded broker does not answer CreateTopics: name topics with `streamcoder broker --topic`."
        )

        @OptionGroup var kafka: KafkaOptions

        @Argument(help: ArgumentHelp("Topics as NAME or NAME:PARTITIONS.", valueName: "name[:partitions]"))
        var topics: [String] = []

        @Option(help: "Partitions of topics named without a count.")
        var partitions: Int = 12

        @Option(help: "Replication factor.")
        var replication: Int = 1

        @Option(
            name: .customLong("config"),
            help: ArgumentHelp(
                "A topic config as key=value, e.g. cleanup.policy=compact (repeatable).",
                valueName: "key=value"
            )
        )
        var configs: [String] = []

        @Flag(help: "Succeed when a topic exists already.")
        var ifNotExists = false

        @Option(help: "Seconds to wait for the brokers' answer.")
        var timeout: Double = 30

        func run() async throws {
            let admin = try kafka.makeAdmin()
            let specifications = try specifications()
            try await admin.createTopics(specifications, ignoreExisting: ifNotExists, timeout: .seconds(timeout))
            for spec in specifications {
                printLine(
                    "created \(spec.name) partitions=\(spec.partitions) replication=\(spec.replicationFactor)"
                        + spec.configs.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
                )
            }
        }

        func specifications() throws -> [KafkaTopicSpecification] {
            var extra: [String: String] = [:]
            for config in configs {
                let pair = config.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { throw ValidationError("--config \(config): expected key=value") }
                extra[String(pair[0])] = String(pair[1])
            }
            guard !topics.isEmpty else {
                return StreamCoderTopic.defaults.map {
                    KafkaTopicSpecification(
                        name: $0.name,
                        partitions: $0.partitions ?? partitions,
                        replicationFactor: replication,
                        configs: $0.configs.merging(extra) { $1 }
                    )
                }
            }
            return try topics.map { topic in
                let parts = topic.split(separator: ":")
                guard (1...2).contains(parts.count), parts.count == 1 || Int(parts[1]) != nil else {
                    throw ValidationError("\(topic): expected NAME or NAME:PARTITIONS")
                }
                return KafkaTopicSpecification(
                    name: String(parts[0]),
                    partitions: parts.count == 2 ? Int(parts[1])! : partitions,
                    replicationFactor: replication,
                    configs: extra
                )
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List topics with their partition counts.")

        @OptionGroup var kafka: KafkaOptions

        func run() async throws {
            let admin = try kafka.makeAdmin()
            for topic in try await admin.listTopics() {
                printLine("\(topic.name)\t\(topic.partitionCount)")
            }
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a topic's configs (DescribeConfigs).")

        @OptionGroup var kafka: KafkaOptions

        @Argument(help: "The topic.")
        var topic: String

        func run() async throws {
            let admin = try kafka.makeAdmin()
            for (key, value) in try await admin.topicConfigs(topic).sorted(by: { $0.key < $1.key }) {
                printLine("\(key)=\(value)")
            }
        }
    }
}
