internal import CProtobufC

/// A top-level contract message and its protobuf-c twin: how to pack, unpack and convert it.
///
/// Each conformance names its descriptor and converts its C struct; the size check, the raw-byte
/// scan, the unpack/free pairing and the pack live once, here and in `WireCodec`.
protocol CMessageCodable {
    /// The generated C struct, e.g. `Streamcoder__V1__RegistryForm`.
    associatedtype CMessage

    /// The full protobuf name, e.g. `streamcoder.v1.RegistryForm`.
    static var protoName: String { get }
    /// The descriptor protobuf-c generated for the message.
    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { get }
    /// The largest encoding the limits allow for this message type.
    static func maxBytes(_ limits: WireLimits) -> Int
    /// `…__unpack` with the default (NULL) allocator.
    static func unpack(_ count: Int, _ data: UnsafePointer<UInt8>) -> UnsafeMutablePointer<CMessage>?
    /// `…__free_unpacked` with the default (NULL) allocator.
    static func freeUnpacked(_ message: UnsafeMutablePointer<CMessage>)
    /// `…__get_packed_size`.
    static func packedSize(_ message: UnsafePointer<CMessage>) -> Int
    /// `…__pack` into a buffer of `packedSize` bytes; returns the bytes written.
    static func pack(_ message: UnsafePointer<CMessage>, _ out: UnsafeMutablePointer<UInt8>) -> Int

    /// Converts an unpacked C message, checking its text.
    init(cMessage: CMessage, at path: FieldPath) throws(WireError)
    /// Builds the C message, with every pointer owned by `arena`.
    func cMessage(in arena: CArena, at path: FieldPath) throws(WireError) -> CMessage
    /// Checks the value against the contract and the limits.
    func validate(limits: WireLimits) throws(WireError)
}

/// protobuf-c's generated `…__unpack`, `…__free_unpacked`, `…__get_packed_size` and `…__pack`
/// only check the descriptor and call these generic functions; every message struct starts with
/// its `ProtobufCMessage` base, so one implementation serves every message type.
extension CMessageCodable {
    static func unpack(_ count: Int, _ data: UnsafePointer<UInt8>) -> UnsafeMutablePointer<CMessage>? {
        protobuf_c_message_unpack(descriptor, nil, count, data).map {
            UnsafeMutableRawPointer($0).assumingMemoryBound(to: CMessage.self)
        }
    }

    static func freeUnpacked(_ message: UnsafeMutablePointer<CMessage>) {
        protobuf_c_message_free_unpacked(
            UnsafeMutableRawPointer(message).assumingMemoryBound(to: ProtobufCMessage.self),
            nil
        )
    }

    static func packedSize(_ message: UnsafePointer<CMessage>) -> Int {
        protobuf_c_message_get_packed_size(UnsafeRawPointer(message).assumingMemoryBound(to: ProtobufCMessage.self))
    }

    static func pack(_ message: UnsafePointer<CMessage>, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        protobuf_c_message_pack(UnsafeRawPointer(message).assumingMemoryBound(to: ProtobufCMessage.self), out)
    }
}

/// The one place where contract values become bytes and bytes become contract values.
enum WireCodec {
    /// Packs `value` with protobuf-c.
    static func encode<Message: CMessageCodable>(_ value: Message) throws(WireError) -> [UInt8] {
        let arena = CArena()
        let message = try value.cMessage(in: arena, at: FieldPath(root: Message.protoName))
        return withExtendedLifetime(arena) {
            withUnsafePointer(to: message) { pointer in
                let size = Message.packedSize(pointer)
                guard size > 0 else { return [] }
                return [UInt8](unsafeUninitializedCapacity: size) { buffer, written in
                    written = Message.pack(pointer, buffer.baseAddress!)
                    assert(written == size, "protobuf-c packed \(written) bytes after announcing \(size)")
                }
            }
        }
    }

    /// Decodes and validates bytes of any collection, without a copy when they are contiguous.
    static func decode<Message: CMessageCodable>(
        _ type: Message.Type,
        from bytes: some Collection<UInt8>,
        limits: WireLimits
    ) throws(WireError) -> Message {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(WireError) -> Message in
                try decode(type, from: UnsafeRawBufferPointer(buffer), limits: limits)
            }
        }
        if let contiguous {
            return try contiguous.get()
        }
        try checkSize(bytes.count, of: type, limits: limits)
        let copy = Array(bytes)
        return try copy.withUnsafeBytes { buffer in
            Result { () throws(WireError) -> Message in try decode(type, from: buffer, limits: limits) }
        }.get()
    }

    /// Decodes and validates bytes: size first, then the raw scan, then protobuf-c, then the contract.
    static func decode<Message: CMessageCodable>(
        _ type: Message.Type,
        from bytes: UnsafeRawBufferPointer,
        limits: WireLimits
    ) throws(WireError) -> Message {
        let root = FieldPath(root: Message.protoName)
        try checkSize(bytes.count, of: type, limits: limits)
        try WireScanner.check(bytes, descriptor: Message.descriptor, at: root)
        guard let unpacked = unpack(type, bytes) else {
            throw .field(
                .malformed,
                root,
                "is not a valid protobuf encoding of \(Message.protoName) "
                    + "(\(bytes.count) bytes); check the producer serialises this message type"
            )
        }
        defer { Message.freeUnpacked(unpacked) }
        let value = try Message(cMessage: unpacked.pointee, at: root)
        try value.validate(limits: limits)
        return value
    }

    private static func checkSize<Message: CMessageCodable>(
        _ count: Int,
        of type: Message.Type,
        limits: WireLimits
    ) throws(WireError) {
        let maximum = Message.maxBytes(limits)
        guard count <= maximum else {
            throw .field(
                .messageTooLarge,
                FieldPath(root: Message.protoName),
                "is \(count) bytes, more than the "
                    + "\(maximum) allowed; shorten the text fields or raise WireLimits"
            )
        }
    }

    private static func unpack<Message: CMessageCodable>(
        _ type: Message.Type,
        _ bytes: UnsafeRawBufferPointer
    ) -> UnsafeMutablePointer<Message.CMessage>? {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            // protobuf-c wants a pointer even for zero bytes (the empty message).
            var empty: UInt8 = 0
            return withUnsafePointer(to: &empty) { Message.unpack(0, $0) }
        }
        return Message.unpack(bytes.count, base.assumingMemoryBound(to: UInt8.self))
    }
}
