/// Writes protobuf wire format by hand, so tests can build bytes no well-behaved encoder would
/// produce: invalid UTF-8, wrong wire types, lying lengths, huge fields.
struct ProtoWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    /// Appends a base-128 varint.
    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends a field tag.
    mutating func tag(_ field: UInt64, wireType: UInt64) {
        varint(field << 3 | wireType)
    }

    /// Appends a length-delimited field holding `payload`.
    mutating func field(_ field: UInt64, _ payload: some Collection<UInt8>) {
        tag(field, wireType: 2)
        varint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// Appends a length-delimited field holding a string's UTF-8.
    mutating func field(_ field: UInt64, _ text: String) {
        self.field(field, Array(text.utf8))
    }

    /// Appends raw bytes.
    mutating func raw(_ more: [UInt8]) {
        bytes.append(contentsOf: more)
    }

    /// A message built by `build`.
    static func message(_ build: (inout ProtoWriter) -> Void) -> [UInt8] {
        var writer = ProtoWriter()
        build(&writer)
        return writer.bytes
    }
}
