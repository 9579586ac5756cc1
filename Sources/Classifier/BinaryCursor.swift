import Foundation

/// Reads the little-endian fields of a binary model file in order, refusing to read past its end.
struct BinaryCursor {
    let bytes: Data
    let file: String
    private(set) var position = 0

    init(bytes: Data, file: String) {
        self.bytes = bytes
        self.file = file
    }

    mutating func int32() throws(ModelPackageError) -> Int32 {
        Int32(littleEndian: try load(Int32.self))
    }

    mutating func int64() throws(ModelPackageError) -> Int64 {
        Int64(littleEndian: try load(Int64.self))
    }

    mutating func int8() throws(ModelPackageError) -> Int8 {
        try load(Int8.self)
    }

    mutating func double() throws(ModelPackageError) -> Double {
        Double(bitPattern: UInt64(littleEndian: try load(UInt64.self)))
    }

    mutating func bool() throws(ModelPackageError) -> Bool {
        try load(UInt8.self) != 0
    }

    /// A NUL-terminated byte string, without its NUL.
    mutating func cString() throws(ModelPackageError) -> [UInt8] {
        let start = bytes.startIndex + position
        guard let end = bytes[start...].firstIndex(of: 0) else { throw truncated(needing: 1) }
        position += end - start + 1
        return Array(bytes[start..<end])
    }

    /// The next `count` bytes.
    mutating func take(_ count: Int) throws(ModelPackageError) -> [UInt8] {
        guard count >= 0, count <= bytes.count - position else { throw truncated(needing: count) }
        let start = bytes.startIndex + position
        position += count
        return Array(bytes[start..<start + count])
    }

    var isAtEnd: Bool { position == bytes.count }

    /// Bytes left to read.
    var remaining: Int { bytes.count - position }

    private mutating func load<T: FixedWidthInteger>(_ type: T.Type) throws(ModelPackageError) -> T {
        let size = MemoryLayout<T>.size
        guard size <= bytes.count - position else { throw truncated(needing: size) }
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position, as: T.self) }
        position += size
        return value
    }

    func truncated(needing count: Int) -> ModelPackageError {
        .source(file, "ends at byte \(bytes.count) while \(count) more bytes were expected at byte \(position)")
    }
}

extension ModelPackageError {
    static func source(_ file: String, _ problem: String) -> ModelPackageError {
        ModelPackageError(
            .sourceInvalid,
            file: file,
            problem: problem,
            remedy: "give a model saved by fastText's save_model (a complete .bin file)"
        )
    }
}
