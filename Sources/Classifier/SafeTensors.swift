import Foundation

/// Element types a tensor of a package may have (safetensors dtype names).
public enum TensorDType: String, Codable, Sendable {
    case f32 = "F32"
    case i64 = "I64"
    case i32 = "I32"
    case u8 = "U8"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f32, .i32: 4
        case .i64: 8
        case .u8: 1
        }
    }
}

/// Where one tensor lives in a safetensors file: dtype, shape and byte range of the data section.
struct SafeTensorEntry: Codable, Equatable {
    var dtype: TensorDType
    var shape: [Int]
    var dataOffsets: [Int]

    enum CodingKeys: String, CodingKey {
        case dtype, shape
        case dataOffsets = "data_offsets"
    }

    var elementCount: Int { shape.reduce(1, *) }

    /// The tensor's byte count, or `nil` when its shape overflows (a hostile header).
    var byteCount: Int? {
        var total = dtype.size
        for dimension in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            total = product
        }
        return total
    }
}

/// The parsed header of a safetensors file: 8-byte little-endian header length, a JSON object
/// mapping tensor names to entries (plus an optional `__metadata__` of strings), then the
/// tensors' raw little-endian bytes, back to back.
struct SafeTensorsLayout {
    static let metadataKey = "__metadata__"
    /// Headers above this size are refused before any parsing: no model of ours needs one.
    static let maximumHeaderBytes = 100 << 20

    var entries: [String: SafeTensorEntry]
    /// Offset of the data section from the start of the file.
    var dataStart: Int

    /// Parses and checks the layout of `bytes`, the whole file `file`.
    init(parsing bytes: UnsafeRawBufferPointer, file: String) throws(ModelPackageError) {
        guard bytes.count >= 8 else { throw .weights(file, "is \(bytes.count) bytes long, shorter than its header") }
        let declared = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(Self.maximumHeaderBytes), Int(declared) <= bytes.count - 8 else {
            throw .weights(file, "declares a \(declared)-byte header but the file has \(bytes.count) bytes")
        }
        let headerLength = Int(declared)
        let header = Data(bytes[8..<8 + headerLength])
        entries = try Self.decodeEntries(header, file: file)
        dataStart = 8 + headerLength
        try checkCoverage(dataBytes: bytes.count - dataStart, file: file)
    }

    private static func decodeEntries(
        _ header: Data,
        file: String
    ) throws(ModelPackageError) -> [String: SafeTensorEntry] {
        guard let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else {
            throw .weights(file, "has a header that is not a JSON object")
        }
        var entries: [String: SafeTensorEntry] = [:]
        for (name, value) in object where name != metadataKey {
            guard let json = try? JSONSerialization.data(withJSONObject: value),
                let entry = try? JSONDecoder().decode(SafeTensorEntry.self, from: json),
                entry.dataOffsets.count == 2, entry.shape.allSatisfy({ $0 >= 0 })
            else { throw .weights(file, "has an unreadable header entry for tensor '\(name)'") }
            entries[name] = entry
        }
        return entries
    }

    /// Tensors must tile the data section exactly: no overlap, no hole, nothing missing at the end.
    private func checkCoverage(dataBytes: Int, file: String) throws(ModelPackageError) {
        var cursor = 0
        for (name, entry) in entries.sorted(by: { $0.value.dataOffsets[0] < $1.value.dataOffsets[0] }) {
            let (begin, end) = (entry.dataOffsets[0], entry.dataOffsets[1])
            guard begin == cursor, end >= begin, let size = entry.byteCount, end - begin == size else {
                throw .weights(file, "tensor '\(name)' has byte range \(begin)..<\(end), which does not fit its shape")
            }
            cursor = end
        }
        guard cursor == dataBytes else {
            throw .weights(file, "holds \(dataBytes) data bytes but its tensors need \(cursor) (truncated?)")
        }
    }
}
