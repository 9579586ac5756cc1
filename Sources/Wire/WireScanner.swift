internal import CProtobufC

/// Walks raw protobuf bytes before protobuf-c unpacks them, checking what protobuf-c would lose.
///
/// protobuf-c copies a proto3 string without checking its UTF-8 and hands it back NUL-terminated
/// with no length, so invalid bytes would reach us unflagged and an embedded NUL would silently
/// cut the text. The scan follows the message's own descriptors: each string field (at any
/// depth) must be UTF-8 without NUL; sub-messages are scanned recursively; unknown fields are
/// skipped, as protobuf-c never interprets them. Anything that is not well-formed protobuf
/// (truncation, an overlong varint, a group, a length past the end) is `malformed`.
struct WireScanner {
    /// Deeper than the contract's own nesting (a form inside a result is 3 levels); a guard
    /// should a recursive message ever enter the contract.
    static let maxDepth = 16
    /// How often a singular message field may occur: protobuf merges the copies, and protobuf-c
    /// copies everything merged so far at each one, so thousands of them cost quadratic time.
    static let maxSingularMessageRepeats = 16

    private let bytes: UnsafeRawBufferPointer
    private let path: FieldPath
    private var offset = 0

    /// Checks `bytes` as an encoding of the message `descriptor` describes.
    static func check(
        _ bytes: UnsafeRawBufferPointer,
        descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        at path: FieldPath,
        depth: Int = 0
    ) throws(WireError) {
        var scanner = WireScanner(bytes: bytes, path: path)
        try scanner.scanFields(of: descriptor, depth: depth)
    }

    private init(bytes: UnsafeRawBufferPointer, path: FieldPath) {
        self.bytes = bytes
        self.path = path
    }

    private mutating func scanFields(
        of descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        depth: Int
    ) throws(WireError) {
        var occurrences: [UInt32: Int] = [:]
        while offset < bytes.count {
            let tag = try varint()
            guard tag >> 3 > 0, tag <= UInt64(UInt32.max) else { throw malformed("field number \(tag >> 3)") }
            switch tag & 7 {
            case 0: _ = try varint()
            case 1: try skip(8)
            case 5: try skip(4)
            case 2:
                let field = try lengthDelimited()
                let number = UInt32(tag >> 3)
                try checkField(number, field, of: descriptor, occurrences: &occurrences, depth: depth)
            default: throw malformed("wire type \(tag & 7) (groups are not supported)")
            }
        }
    }

    private func checkField(
        _ number: UInt32,
        _ field: UnsafeRawBufferPointer,
        of descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        occurrences: inout [UInt32: Int],
        depth: Int
    ) throws(WireError) {
        guard let info = protobuf_c_message_descriptor_get_field(descriptor, number)?.pointee else { return }
        let name = String(cString: info.name)
        let index = occurrences[number, default: 0]
        occurrences[number] = index + 1
        let fieldPath = info.label == PROTOBUF_C_LABEL_REPEATED ? path.element(name, index) : path.child(name)
        switch info.type {
        case PROTOBUF_C_TYPE_STRING:
            try Self.checkString(field, at: fieldPath)
        case PROTOBUF_C_TYPE_MESSAGE:
            guard depth < Self.maxDepth else { throw malformed("nesting deeper than \(Self.maxDepth)") }
            guard info.label == PROTOBUF_C_LABEL_REPEATED || index < Self.maxSingularMessageRepeats else {
                throw malformed(
                    "the single field \(name) repeated more than \(Self.maxSingularMessageRepeats) times"
                )
            }
            let nested = info.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
            try Self.check(field, descriptor: nested, at: fieldPath, depth: depth + 1)
        default:
            return  // bytes and packed scalars: protobuf-c checks them itself
        }
    }

    private static func checkString(_ text: UnsafeRawBufferPointer, at path: FieldPath) throws(WireError) {
        if let nul = text.firstIndex(of: 0) {
            throw .field(
                .invalidValue,
                path,
                "holds a NUL byte at byte \(nul), which protobuf-c would cut the "
                    + "text at; remove it"
            )
        }
        var iterator = text.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return
            case .error:
                throw .field(.invalidUTF8, path, "is not valid UTF-8; producers must send text encoded as UTF-8")
            }
        }
    }

    private mutating func varint() throws(WireError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            guard offset < bytes.count else { throw malformed("a varint cut short") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 63 || byte <= 1 else { throw malformed("a varint over 64 bits") }
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        throw malformed("a varint over 10 bytes")
    }

    private mutating func skip(_ count: Int) throws(WireError) {
        guard bytes.count - offset >= count else { throw malformed("a \(count)-byte field cut short") }
        offset += count
    }

    private mutating func lengthDelimited() throws(WireError) -> UnsafeRawBufferPointer {
        let length = try varint()
        guard length <= UInt64(bytes.count - offset) else {
            throw malformed("a length of \(length) past the end of the bytes")
        }
        let start = offset
        offset += Int(length)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
    }

    private func malformed(_ what: String) -> WireError {
        .field(
            .malformed,
            path,
            "is not valid protobuf: \(what) at byte \(offset); check the producer "
                + "serialises \(path.messageType)"
        )
    }
}
