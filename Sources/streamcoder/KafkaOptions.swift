import ArgumentParser
import Foundation
import Kafka

/// Options every command that talks to Kafka takes.
struct KafkaOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Brokers as HOST:PORT[,HOST:PORT…] (default: $STREAMCODER_BROKERS).",
            valueName: "brokers"
        )
    )
    var brokers: String?

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp(
            "Any librdkafka property, as key=value (repeatable), as kcat's -X.",
            valueName: "key=value"
        )
    )
    var properties: [String] = []

    /// The brokers from the flag or the environment.
    func bootstrapServers() throws -> String {
        if let brokers, !brokers.isEmpty { return brokers }
        if let fromEnvironment = ProcessInfo.processInfo.environment["STREAMCODER_BROKERS"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        throw ValidationError("No brokers: pass --brokers HOST:PORT or set STREAMCODER_BROKERS.")
    }

    /// The -X properties as a dictionary.
    func librdkafkaProperties() throws -> [String: String] {
        var result: [String: String] = [:]
        for property in properties {
            guard let equals = property.firstIndex(of: "="), equals != property.startIndex else {
                throw ValidationError("-X \(property): expected key=value, e.g. -X fetch.wait.max.ms=10")
            }
            result[String(property[..<equals])] = String(property[property.index(after: equals)...])
        }
        return result
    }

    /// An admin client for these brokers and properties.
    func makeAdmin() throws -> KafkaAdmin {
        try KafkaAdmin(
            configuration: .init(bootstrapServers: try bootstrapServers(), properties: try librdkafkaProperties()),
            logger: makeLogger("streamcoder.admin")
        )
    }
}
