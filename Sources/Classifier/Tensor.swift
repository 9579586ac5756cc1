import Foundation

/// A named tensor to be written into a package's `weights.safetensors`.
public struct Tensor: Sendable, Equatable {
    /// The tensor's name in the safetensors header.
    public var name: String
    /// The element type.
    public var dtype: TensorDType
    /// The shape, outermost dimension first (row-major).
    public var shape: [Int]
    /// The raw little-endian bytes, `shape.product × dtype.size` of them.
    public var bytes: [UInt8]

    /// Creates a tensor from raw little-endian bytes.
    public init(name: String, dtype: TensorDType, shape: [Int], bytes: [UInt8]) {
        precondition(bytes.count == shape.reduce(1, *) * dtype.size, "tensor '\(name)': bytes do not match shape")
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// Creates an `F32` tensor.
    public init(name: String, shape: [Int], floats: [Float]) {
        self.init(name: name, dtype: .f32, shape: shape, bytes: Self.littleEndianBytes(floats))
    }

    /// Creates an `I64` tensor.
    public init(name: String, shape: [Int], int64s: [Int64]) {
        self.init(name: name, dtype: .i64, shape: shape, bytes: Self.littleEndianBytes(int64s))
    }

    /// Creates an `I32` tensor.
    public init(name: String, shape: [Int], int32s: [Int32]) {
        self.init(name: name, dtype: .i32, shape: shape, bytes: Self.littleEndianBytes(int32s))
    }

    /// The tensor's description as the manifest records it.
    public var spec: ModelManifest.TensorSpec {
        ModelManifest.TensorSpec(name: name, dtype: dtype, shape: shape)
    }

    /// Packages are little-endian, as are the machines we run on (x86-64, arm64): the memory
    /// image of the array is the file image.
    private static func littleEndianBytes<T>(_ values: [T]) -> [UInt8] {
        precondition(1.littleEndian == 1, "big-endian hosts are not supported")
        return values.withUnsafeBytes { Array($0) }
    }
}

extension SafeTensorsLayout {
    /// The header bytes (length prefix included) for `tensors` written in that order.
    ///
    /// The JSON is padded with spaces to a multiple of 8 bytes so the data section starts
    /// 8-aligned; with the widest dtypes written first, every mapped tensor is aligned.
    static func header(for tensors: [Tensor], metadata: [String: String]) -> [UInt8] {
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            fields.append("\(jsonString(metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for tensor in tensors {
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            let end = offset + tensor.bytes.count
            fields.append(
                "\(jsonString(tensor.name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],"
                    + "\"data_offsets\":[\(offset),\(end)]}"
            )
            offset = end
        }
        var json = Array("{\(fields.joined(separator: ","))}".utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        return withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) } + json
    }

    private static func jsonString(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
