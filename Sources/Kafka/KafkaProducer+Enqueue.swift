internal import CRdKafka

extension KafkaProducer {
    /// Hands one message to `rd_kafka_produceva`, which copies key, value and headers.
    ///
    /// Nothing is allocated for a message without headers: the topic's own UTF-8 serves as its C
    /// string and the argument list lives on the stack.
    func enqueue(_ message: KafkaProducerMessage, id: UInt64) throws(KafkaError) {
        // Header names as NUL-terminated strings, their values after them, in one arena, so that
        // every pointer stays valid for the duration of the call.
        var arena: [UInt8] = []
        var headerSpans: [(name: Int, value: Int, count: Int, isNull: Bool)] = []
        for header in message.headers {
            let name = arena.count
            arena += Array(header.key.utf8) + [0]
            let value = arena.count
            arena += header.value ?? []
            headerSpans.append((name, value, header.value?.count ?? 0, header.value == nil))
        }
        let failure: OpaquePointer? = message.topic.withCString { topic in
            arena.withUnsafeBufferPointer { arena in
                withOptionalBytes(message.key) { key in
                    withOptionalBytes(message.value) { value in
                        withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7 + headerSpans.count) { args in
                            var count = 0
                            func add(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                                var arg = rd_kafka_vu_t()
                                arg.vtype = type
                                fill(&arg)
                                args.initializeElement(at: count, to: arg)
                                count += 1
                            }
                            add(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic }
                            add(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(id)) }
                            add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                            if let partition = message.partition {
                                add(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition }
                            }
                            if let timestamp = message.timestampMilliseconds {
                                add(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestamp }
                            }
                            func addBytes(_ type: rd_kafka_vtype_t, _ bytes: UnsafeRawBufferPointer?) {
                                guard let bytes else { return }
                                add(type) {
                                    $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: bytes.baseAddress)
                                    $0.u.mem.size = bytes.count
                                }
                            }
                            addBytes(RD_KAFKA_VTYPE_KEY, key)
                            addBytes(RD_KAFKA_VTYPE_VALUE, value)
                            for span in headerSpans {
                                add(RD_KAFKA_VTYPE_HEADER) {
                                    $0.u.header.name = UnsafeRawPointer(arena.baseAddress! + span.name)
                                        .assumingMemoryBound(to: CChar.self)
                                    $0.u.header.val =
                                        span.isNull ? nil : UnsafeRawPointer(arena.baseAddress! + span.value)
                                    $0.u.header.size = span.count
                                }
                            }
                            defer { args.baseAddress!.deinitialize(count: count) }
                            return client.withHandle { rd_kafka_produceva($0, args.baseAddress, count) }
                        }
                    }
                }
            }
        }
        if let failure {
            throw KafkaError(.delivery, "could not enqueue a message for topic \(message.topic)", consuming: failure)
        }
    }
}

/// Calls `body` with the bytes of `array`, or with `nil` when there is no array.
/// An empty array still gets a non-nil (empty) buffer so that "empty" and "absent" differ.
func withOptionalBytes<T>(_ array: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> T) -> T {
    guard let array else { return body(nil) }
    if array.isEmpty {
        return withUnsafeTemporaryAllocation(byteCount: 1, alignment: 1) {
            body(UnsafeRawBufferPointer(rebasing: $0[0..<0]))
        }
    }
    return array.withUnsafeBytes { body($0) }
}
