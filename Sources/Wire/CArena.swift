/// Owns the C memory of one message while protobuf-c packs it.
///
/// protobuf-c packs from plain C structs whose strings and sub-messages are raw pointers; the
/// arena hands those out and frees them all when it goes away, so an encoder cannot leak even
/// when it throws halfway. Use it for one `encoded()` call and keep it alive across the pack.
///
/// Memory comes from a few blocks cut in order (a bump allocator): encoding a result takes one
/// or two allocations instead of one per string and sub-message.
final class CArena {
    /// Bytes of the first block; a later block doubles, or fits a larger request.
    private static let firstBlockBytes = 1_024
    /// Every cut is aligned for any C struct protobuf-c packs (pointers, doubles, 64-bit ints).
    private static let alignment = 16

    private var blocks: [UnsafeMutableRawPointer] = []
    private var next: UnsafeMutableRawPointer?
    private var left = 0
    private var lastBlockBytes = 0

    deinit {
        for block in blocks {
            block.deallocate()
        }
    }

    /// `count` uninitialised bytes, valid as long as the arena.
    private func allocate(_ count: Int) -> UnsafeMutableRawPointer {
        let rounded = (count + Self.alignment - 1) & ~(Self.alignment - 1)
        if rounded > left {
            lastBlockBytes = max(rounded, lastBlockBytes == 0 ? Self.firstBlockBytes : lastBlockBytes * 2)
            let block = UnsafeMutableRawPointer.allocate(byteCount: lastBlockBytes, alignment: Self.alignment)
            blocks.append(block)
            next = block
            left = lastBlockBytes
        }
        let cut = next!
        next = cut + rounded
        left -= rounded
        return cut
    }

    /// A NUL-terminated copy of `value`.
    ///
    /// Throws `invalidValue` when the text holds a NUL character: protobuf-c measures strings
    /// with `strlen`, so it would silently cut the text there. `path` is only built then.
    func string(_ value: String, at path: @autoclosure () -> FieldPath) throws(WireError) -> UnsafeMutablePointer<CChar>
    {
        var value = value
        let copy = value.withUTF8 { bytes -> UnsafeMutablePointer<CChar>? in
            guard !bytes.contains(0) else { return nil }
            let raw = allocate(bytes.count + 1)
            if let base = bytes.baseAddress { raw.copyMemory(from: base, byteCount: bytes.count) }
            raw.storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self)
            return raw.bindMemory(to: CChar.self, capacity: bytes.count + 1)
        }
        guard let copy else {
            let nul = value.utf8.firstIndex(of: 0).map { value.utf8.distance(from: value.utf8.startIndex, to: $0) } ?? 0
            throw .field(
                .invalidValue,
                path(),
                "holds a NUL character at byte \(nul), which protobuf strings "
                    + "cannot carry through protobuf-c; remove it before encoding"
            )
        }
        return copy
    }

    /// A copy of a C message in the arena, for a sub-message pointer field.
    func box<Message>(_ value: Message) -> UnsafeMutablePointer<Message> {
        precondition(MemoryLayout<Message>.alignment <= Self.alignment, "CArena cannot align \(Message.self)")
        let pointer = allocate(MemoryLayout<Message>.stride).bindMemory(to: Message.self, capacity: 1)
        pointer.initialize(to: value)
        return pointer
    }

    /// A C array of copies of `values`, for a repeated scalar field; `nil` when empty.
    func scalars<Value>(_ values: [Value]) -> UnsafeMutablePointer<Value>? {
        guard !values.isEmpty else { return nil }
        precondition(MemoryLayout<Value>.alignment <= Self.alignment, "CArena cannot align \(Value.self)")
        let pointer = allocate(MemoryLayout<Value>.stride * values.count).bindMemory(
            to: Value.self,
            capacity: values.count
        )
        pointer.initialize(from: values, count: values.count)
        return pointer
    }

    /// A C array of pointers to copies of `values`, for a repeated message field; `nil` when empty.
    func array<Message>(_ values: [Message]) -> UnsafeMutablePointer<UnsafeMutablePointer<Message>?>? {
        guard !values.isEmpty else { return nil }
        let pointers = allocate(MemoryLayout<UnsafeMutablePointer<Message>?>.stride * values.count)
            .bindMemory(to: UnsafeMutablePointer<Message>?.self, capacity: values.count)
        for (index, value) in values.enumerated() {
            (pointers + index).initialize(to: box(value))
        }
        return pointers
    }
}
