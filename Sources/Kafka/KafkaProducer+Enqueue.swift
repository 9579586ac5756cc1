internal import CRdKafka

extension KafkaProducer {
    /// Hands one message to `rd_kafka_produceva`, which copies key, value and headers.
    func enqueue(_ message: KafkaProducerMessage, id: UInt64) throws(KafkaError) {
        // Topic and header names as NUL-terminated strings, header values after them, in one arena
        // so that every pointer stays valid for the duration of the call.
        var arena = Array(message.topic.utf8) + [0]
        var headerSpans: [(name: Int, value: Int, count: Int, isNull: Bool)] = []
        for header in message.headers {
            let name = arena.count
            arena += Array(header.key.utf8) + [0]
            let value = arena.count
            arena += header.value ?? []
            headerSpans.append((name, value, header.value?.count ?? 0, header.value == nil))
        }
        let failure: OpaquePointer? = arena.withUnsafeBufferPointer { arena in
            withOptionalBytes(message.key) { key in
                withOptionalBytes(message.value) { value in
                    var args = Self.arguments(
                        arena: arena,
                        key: key,
                        value: value,
                        id: id,
                        partition: message.partition
                    )
                    for span in headerSpans {
                        var header = rd_kafka_vu_t()
                        header.vtype = RD_KAFKA_VTYPE_HEADER
                        header.u.header.name = UnsafeRawPointer(arena.baseAddress! + span.name)
                            .assumingMemoryBound(to: CChar.self)
                        header.u.header.val = span.isNull ? nil : UnsafeRawPointer(arena.baseAddress! + span.value)
                        header.u.header.size = span.count
                        args.append(header)
                    }
                    return client.withHandle { rd_kafka_produceva($0, args, args.count) }
                }
            }
        }
        if let failure {
            throw KafkaError(.delivery, "could not enqueue a message for topic \(message.topic)", consuming: failure)
        }
    }

    private static func arguments(
        arena: UnsafeBufferPointer<UInt8>,
        key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer?,
        id: UInt64,
        partition: Int32?
    ) -> [rd_kafka_vu_t] {
        var topic = rd_kafka_vu_t()
        topic.vtype = RD_KAFKA_VTYPE_TOPIC
        topic.u.cstr = UnsafeRawPointer(arena.baseAddress!).assumingMemoryBound(to: CChar.self)
        var opaque = rd_kafka_vu_t()
        opaque.vtype = RD_KAFKA_VTYPE_OPAQUE
        opaque.u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(id))
        var flags = rd_kafka_vu_t()
        flags.vtype = RD_KAFKA_VTYPE_MSGFLAGS
        flags.u.i = RD_KAFKA_MSG_F_COPY
        var args = [topic, opaque, flags]
        if let partition {
            var part = rd_kafka_vu_t()
            part.vtype = RD_KAFKA_VTYPE_PARTITION
            part.u.i32 = partition
            args.append(part)
        }
        for (type, bytes) in [(RD_KAFKA_VTYPE_KEY, key), (RD_KAFKA_VTYPE_VALUE, value)] {
            guard let bytes else { continue }
            var arg = rd_kafka_vu_t()
            arg.vtype = type
            arg.u.mem.ptr = UnsafeMutableRawPointer(mutating: bytes.baseAddress)
            arg.u.mem.size = bytes.count
            args.append(arg)
        }
        return args
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
