import ArgumentParser
import Kafka
import Logging
import ServiceLifecycle
import Wire

/// `streamcoder broker`: the embedded Kafka-protocol broker as a process of its own.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run an in-memory Kafka-protocol broker (librdkafka's mock cluster) on 127.0.0.1.",
        discussion: """
            Prints its bootstrap address (127.0.0.1:PORT) on the first line of standard output, \
            then serves until SIGINT or SIGTERM. It creates StreamCoder's default topics and the \
            --topic ones; a topic a client names that does not exist is auto-created with 4 \
            partitions (fixed by librdkafka 2.0.2's mock). Each partition keeps at most 5 MiB or \
            100,000 messages and drops older ones: give topics enough partitions for your volume. \
            Nothing persists.

            Control lines on standard input (answered "ok" or "error: …" on standard output):
              create-topic NAME PARTITIONS     broker-down ID     broker-up ID
              rtt ID MILLISECONDS              request-errors API_KEY CODE[,CODE…]
              broker-errors ID API_KEY CODE[,CODE…] MS   (one broker's next requests fail, each after MS)
              coordinator group|transaction KEY ID   (which broker coordinates a group or transactional id)
            """
    )

    @Option(help: "Bootstrap port (default: one the kernel picks).")
    var port: UInt16 = 0

    @Option(help: "Partitions of the default topics and of --topic names given without a count.")
    var partitions: Int = 12

    @Option(name: .customLong("broker-count"), help: "Number of brokers in the cluster.")
    var brokerCount: Int = 1

    @Option(
        name: .customLong("topic"),
        help: ArgumentHelp(
            "A topic to create, NAME or NAME:PARTITIONS (repeatable).",
            valueName: "name[:partitions]"
        )
    )
    var topics: [String] = []

    @Flag(name: .customLong("no-default-topics"), help: "Do not create StreamCoder's default topics.")
    var noDefaultTopics = false

    func validate() throws {
        guard partitions > 0 else { throw ValidationError("--partitions must be at least 1") }
        guard (1...32).contains(brokerCount) else { throw ValidationError("--broker-count must be 1…32") }
        _ = try requestedTopics()
    }

    func run() async throws {
        let logger = makeLogger("streamcoder.broker")
        let service = try EmbeddedBrokerService(
            brokerCount: brokerCount,
            port: port,
            topics: try requestedTopics(),
            logger: logger
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }

    /// The default topics (unless turned off) and the --topic ones, by name.
    func requestedTopics() throws -> [(name: String, partitions: Int)] {
        var result: [(name: String, partitions: Int)] = []
        if !noDefaultTopics {
            result += StreamCoderTopic.defaults.map { ($0.name, $0.partitions ?? partitions) }
        }
        for topic in topics {
            let parts = topic.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2, !parts[0].isEmpty, parts.count == 1 || Int(parts[1]).map({ $0 > 0 }) == true else {
                throw ValidationError("--topic \(topic): expected NAME or NAME:PARTITIONS, e.g. --topic orders:6")
            }
            result.append((String(parts[0]), parts.count == 2 ? Int(parts[1])! : partitions))
        }
        return result
    }
}
