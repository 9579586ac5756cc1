import ArgumentParser
import Foundation
import Kafka
import Logging
import ServiceLifecycle

/// Hosts the embedded cluster until graceful shutdown, with a control channel on standard input.
struct EmbeddedBrokerService: Service {
    let cluster: EmbeddedKafkaCluster
    let forwarder: LoopbackForwarder?
    let logger: Logger

    init(brokerCount: Int, port: UInt16, topics: [(name: String, partitions: Int)], logger: Logger) throws {
        cluster = try EmbeddedKafkaCluster(brokerCount: brokerCount, logger: logger)
        for topic in topics {
            try cluster.createTopic(topic.name, partitions: topic.partitions)
        }
        if port != 0 {
            let first = cluster.bootstrapServers.split(separator: ",")[0]
            let targetPort = UInt16(first.split(separator: ":").last!)!
            forwarder = try LoopbackForwarder(port: port, targetPort: targetPort)
        } else {
            forwarder = nil
        }
        self.logger = logger
    }

    /// The address clients should bootstrap from.
    var bootstrapAddress: String {
        forwarder.map { "127.0.0.1:\($0.port)" } ?? cluster.bootstrapServers
    }

    func run() async throws {
        printLine(bootstrapAddress)
        logger.info(
            "embedded broker ready",
            metadata: [
                "bootstrap": "\(bootstrapAddress)", "brokers": "\(cluster.bootstrapServers)",
            ]
        )
        let control = Thread { [cluster] in BrokerControl(cluster: cluster).serveStandardInput() }
        control.name = "broker-control"
        control.start()
        try? await gracefulShutdown()
        forwarder?.stop()
        logger.info("embedded broker stopped")
    }
}

/// Executes the control lines of `streamcoder broker`'s standard input.
struct BrokerControl {
    let cluster: EmbeddedKafkaCluster

    func serveStandardInput() {
        while let line = readLine() {
            let words = line.split(separator: " ").map(String.init)
            guard !words.isEmpty else { continue }
            do {
                try execute(words)
                printLine("ok")
            } catch {
                printLine("error: \(error)")
            }
        }
    }

    func execute(_ words: [String]) throws {
        func number<T: FixedWidthInteger>(_ index: Int, _ type: T.Type) throws -> T {
            guard index < words.count, let value = T(words[index]) else {
                throw ValidationError("\(words[0]): argument \(index) must be a number")
            }
            return value
        }
        switch words[0] {
        case "create-topic" where words.count == 3:
            try cluster.createTopic(words[1], partitions: try number(2, Int.self))
        case "broker-down" where words.count == 2:
            try cluster.setBrokerDown(try number(1, Int32.self))
        case "broker-up" where words.count == 2:
            try cluster.setBrokerUp(try number(1, Int32.self))
        case "rtt" where words.count == 3:
            try cluster.setRoundTripTime(broker: try number(1, Int32.self), .milliseconds(try number(2, Int.self)))
        case "broker-errors" where words.count == 5:
            let codes = words[3].split(separator: ",").compactMap { Int32($0) }
            try cluster.pushBrokerErrors(
                broker: try number(1, Int32.self),
                apiKey: try number(2, Int16.self),
                errorCodes: codes,
                delay: .milliseconds(try number(4, Int.self))
            )
        case "coordinator" where words.count == 4 && ["group", "transaction"].contains(words[1]):
            try cluster.setCoordinator(kind: words[1], key: words[2], broker: try number(3, Int32.self))
        case "request-errors" where words.count == 3:
            let codes = words[2].split(separator: ",").compactMap { Int32($0) }
            cluster.pushRequestErrors(apiKey: try number(1, Int16.self), errorCodes: codes)
        default:
            throw ValidationError(
                "unknown control line \"\(words.joined(separator: " "))\"; expected create-topic NAME PARTITIONS, "
                    + "broker-down ID, broker-up ID, rtt ID MS, request-errors API_KEY CODE[,CODE…], "
                    + "broker-errors ID API_KEY CODE[,CODE…] MS or coordinator group|transaction KEY ID"
            )
        }
    }
}
