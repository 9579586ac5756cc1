import Foundation
import Kafka
import Logging
import Wire

extension CoordinatorState {
    /// The state of fleet `group` as an operator's tool reads it in one go: the last `window`
    /// reports of the fleet topic, and the fleet's newest directive when `directive` is given.
    public static func read(
        group: String,
        directive: ModelDirective?,
        bootstrapServers: String,
        properties: [String: String] = [:],
        topic: String = StreamCoderTopic.fleet,
        window: Int64 = 10_000,
        logger: Logger
    ) async throws -> CoordinatorState {
        var state = CoordinatorState(group: group)
        if let directive { state.apply(controlKey: group, directive: directive) }
        let reader = TopicReader(bootstrapServers: bootstrapServers, properties: properties, logger: logger)
        try await reader.readToEnd(topic, window: window) { message in
            guard let value = message.value, let report = try? WorkerReport(decoding: value) else { return }
            state.apply(report)
        }
        return state
    }
}
