/// Owns the C memory of one message while protobuf-c packs it.
///
/// protobuf-c packs from plain C structs whose strings and sub-messages are raw pointers; the
/// arena hands those out and frees them all when it goes away, so an encoder cannot leak even
/// when it throws halfway. Use it for one `encoded()` call and keep it alive across the pack.
final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit {
        for block in blocks {
            block.deallocate()
        }
    }

    /// A NUL-terminated copy of `value`.
    ///
    /// Throws `invalidValue` when the text holds a NUL character: protobuf-c measures strings
    /// with `strlen`, so it would silently cut the text there.
    func string(_ value: String, at path: FieldPath) throws(WireError) -> UnsafeMutablePointer<CChar> {
        let count = value.utf8.count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count + 1, alignment: 1)
        blocks.append(raw)
        var offset = 0
        for byte in value.utf8 {
            guard byte != 0 else {
                throw .field(
                    .invalidValue,
                    path,
                    "holds a NUL character at byte \(offset), which protobuf strings "
                        + "cannot carry through protobuf-c; remove it before encoding"
                )
            }
            raw.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
            offset += 1
        }
        raw.storeBytes(of: 0, toByteOffset: count, as: UInt8.self)
        return raw.bindMemory(to: CChar.self, capacity: count + 1)
    }

    /// A heap copy of a C message, for a sub-message pointer field.
    func box<Message>(_ value: Message) -> UnsafeMutablePointer<Message> {
        let pointer = UnsafeMutablePointer<Message>.allocate(capacity: 1)
        blocks.append(UnsafeMutableRawPointer(pointer))
        pointer.initialize(to: value)
        return pointer
    }

    /// A C array of pointers to heap copies of `values`, for a repeated message field; `nil` when empty.
    func array<Message>(_ values: [Message]) -> UnsafeMutablePointer<UnsafeMutablePointer<Message>?>? {
        guard !values.isEmpty else { return nil }
        let pointers = UnsafeMutablePointer<UnsafeMutablePointer<Message>?>.allocate(capacity: values.count)
        blocks.append(UnsafeMutableRawPointer(pointers))
        for (index, value) in values.enumerated() {
            (pointers + index).initialize(to: box(value))
        }
        return pointers
    }
}
