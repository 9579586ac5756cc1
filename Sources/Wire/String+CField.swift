/// Reading the strings of an unpacked protobuf-c message.
extension String {
    /// The text of a string field that protobuf-c unpacked, checked to be UTF-8.
    ///
    /// protobuf-c does not check UTF-8 for proto3 strings; `String(cString:)` would replace bad
    /// bytes with U+FFFD without a word, so a decoder rejects them instead. (`WireScanner` has
    /// already checked the raw bytes; this keeps the guarantee where the `String` is made.)
    /// `path` is only built when the text is refused.
    init(cField pointer: UnsafePointer<CChar>?, at path: @autoclosure () -> FieldPath) throws(WireError) {
        guard let pointer else {
            self = ""
            return
        }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: cStringLength(pointer))
        // ASCII needs no validation (most registry text is), and then decoding repairs nothing.
        if isASCII(bytes) {
            self = String(decoding: bytes, as: UTF8.self)
            return
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .field(.invalidUTF8, path(), "is not valid UTF-8; producers must send text encoded as UTF-8")
        }
        self = text
    }
}

/// Counts the bytes of a C string up to its NUL terminator.
private func cStringLength(_ pointer: UnsafePointer<CChar>) -> Int {
    var count = 0
    while pointer[count] != 0 {
        count += 1
    }
    return count
}

/// Reading the repeated message fields of an unpacked protobuf-c message.
extension Array {
    /// The elements of a C array of message pointers (`n_field`, `field`), converted one by one.
    ///
    /// protobuf-c never leaves a NULL element in an array it unpacked; one is skipped rather than
    /// trusted, as decoding trusts nothing.
    init<Message>(
        cArray pointers: UnsafeMutablePointer<UnsafeMutablePointer<Message>?>?,
        count: Int,
        convert: (Message, Int) throws(WireError) -> Element
    ) throws(WireError) {
        self.init()
        guard let pointers, count > 0 else { return }
        reserveCapacity(count)
        for index in 0..<count {
            if let element = pointers[index] {
                append(try convert(element.pointee, index))
            }
        }
    }
}

/// Whether every byte is below 0x80, eight bytes at a time.
private func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var index = 0
    while index + 8 <= bytes.count {
        if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
        index += 8
    }
    while index < bytes.count {
        if bytes[index] >= 0x80 { return false }
        index += 1
    }
    return true
}
