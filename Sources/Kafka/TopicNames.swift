internal import CRdKafka

/// The names of the topics a batch of librdkafka messages belongs to, made into Swift strings
/// once per topic handle rather than once per message (a name over 15 bytes costs an allocation).
struct TopicNames {
    private var names: [(handle: OpaquePointer, name: String)] = []

    /// The name of the topic behind `handle`.
    mutating func name(of handle: OpaquePointer) -> String {
        if let known = names.first(where: { $0.handle == handle }) { return known.name }
        let name = String(cString: rd_kafka_topic_name(handle))
        names.append((handle, name))
        return name
    }
}
