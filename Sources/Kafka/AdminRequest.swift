internal import CRdKafka

/// One blocking admin request on an admin client's thread.
struct AdminRequest {
    let client: RDKafkaClient
    let timeout: Duration

    func createTopics(_ topics: [KafkaTopicSpecification], ignoreExisting: Bool) throws(KafkaError) {
        var newTopics: [OpaquePointer?] = []
        defer { newTopics.forEach { rd_kafka_NewTopic_destroy($0) } }
        for spec in topics { newTopics.append(try newTopic(spec)) }
        let event = try run(RD_KAFKA_ADMIN_OP_CREATETOPICS, "create topics") { rk, options, queue in
            rd_kafka_CreateTopics(rk, &newTopics, newTopics.count, options, queue)
        }
        defer { rd_kafka_event_destroy(event) }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
        else {
            return
        }
        for result in UnsafeBufferPointer(start: results, count: count) {
            let err = rd_kafka_topic_result_error(result)
            if err == RD_KAFKA_RESP_ERR_NO_ERROR || (ignoreExisting && err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                continue
            }
            let name = String(cString: rd_kafka_topic_result_name(result))
            let detail = rd_kafka_topic_result_error_string(result).map { String(cString: $0) } ?? ""
            throw KafkaError(.admin, "could not create topic \(name) \(detail)", rdKafkaError: err)
        }
    }

    func listTopics() throws(KafkaError) -> [KafkaTopicDescription] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = client.withHandle { rd_kafka_metadata($0, 1, nil, &metadata, Int32(timeout.milliseconds)) }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(.admin, "could not list topics (are the brokers reachable?)", rdKafkaError: err)
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        return UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
            .filter { $0.err == RD_KAFKA_RESP_ERR_NO_ERROR }
            .map { KafkaTopicDescription(name: String(cString: $0.topic), partitionCount: Int($0.partition_cnt)) }
            .sorted { $0.name < $1.name }
    }

    func topicConfigs(_ topic: String) throws(KafkaError) -> [String: String] {
        var resource: OpaquePointer? = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic)
        defer { rd_kafka_ConfigResource_destroy(resource) }
        let event = try run(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, "describe topic \(topic)") { rk, options, queue in
            rd_kafka_DescribeConfigs(rk, &resource, 1, options, queue)
        }
        defer { rd_kafka_event_destroy(event) }
        var count = 0
        let resources = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event), &count)
        guard let described = resources?.pointee else { return [:] }
        let err = rd_kafka_ConfigResource_error(described)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.admin, "could not describe topic \(topic)", rdKafkaError: err)
        }
        var entryCount = 0
        guard let entries = rd_kafka_ConfigResource_configs(described, &entryCount) else { return [:] }
        var configs: [String: String] = [:]
        for entry in UnsafeBufferPointer(start: entries, count: entryCount) {
            configs[String(cString: rd_kafka_ConfigEntry_name(entry))] = rd_kafka_ConfigEntry_value(entry).map {
                String(cString: $0)
            }
        }
        return configs
    }

    private func newTopic(_ spec: KafkaTopicSpecification) throws(KafkaError) -> OpaquePointer {
        var errorText = [CChar](repeating: 0, count: 512)
        guard
            let topic = rd_kafka_NewTopic_new(
                spec.name,
                Int32(spec.partitions),
                Int32(spec.replicationFactor),
                &errorText,
                errorText.count
            )
        else {
            throw KafkaError(.admin, "invalid topic \(spec.name): \(String(errorBuffer: errorText))")
        }
        for (key, value) in spec.configs.sorted(by: { $0.key < $1.key }) {
            let err = rd_kafka_NewTopic_set_config(topic, key, value)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                rd_kafka_NewTopic_destroy(topic)
                throw KafkaError(.admin, "invalid config \(key)=\(value) for topic \(spec.name)", rdKafkaError: err)
            }
        }
        return topic
    }

    static let timeoutHint =
        "Are the brokers reachable? The embedded broker (librdkafka's mock) never answers "
        + "admin requests: create its topics with `streamcoder broker --topic NAME:PARTITIONS` or its create-topic control line."

    /// Sends one admin request with a result queue and waits for its result event.
    private func run(
        _ operation: rd_kafka_admin_op_t,
        _ what: String,
        _ send: (OpaquePointer, OpaquePointer, OpaquePointer) -> Void
    ) throws(KafkaError) -> OpaquePointer {
        try client.withHandle { (rk: OpaquePointer) throws(KafkaError) -> OpaquePointer in
            let options = rd_kafka_AdminOptions_new(rk, operation)!
            defer { rd_kafka_AdminOptions_destroy(options) }
            var errorText = [CChar](repeating: 0, count: 256)
            _ = rd_kafka_AdminOptions_set_request_timeout(
                options,
                Int32(timeout.milliseconds),
                &errorText,
                errorText.count
            )
            let queue = rd_kafka_queue_new(rk)!
            defer { rd_kafka_queue_destroy(queue) }
            send(rk, options, queue)
            guard let event = rd_kafka_queue_poll(queue, Int32(timeout.milliseconds) + 1_000) else {
                throw KafkaError(
                    .timedOut,
                    "\(what): no answer within \(timeout). \(Self.timeoutHint)",
                    isRetriable: true
                )
            }
            let err = rd_kafka_event_error(event)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                let text = String(cString: rd_kafka_event_error_string(event))
                rd_kafka_event_destroy(event)
                let hint = err == RD_KAFKA_RESP_ERR__TIMED_OUT ? " \(Self.timeoutHint)" : ""
                throw KafkaError(.admin, "\(what): \(text).\(hint)", rdKafkaError: err)
            }
            return event
        }
    }
}
