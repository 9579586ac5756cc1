/// What the worker did with a form.
///
/// An open set, like a proto3 enum: a value this build does not know (from a newer producer)
/// is kept as its number rather than rejected, and prints as that number.
public struct Decision: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The number on the wire.
    public var rawValue: Int32

    /// Wraps a wire number, known or not.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// No decision was set (the proto3 default); a worker never publishes it.
    public static let unspecified = Decision(rawValue: 0)
    /// The model was confident enough: the top candidate is the code.
    public static let autoCoded = Decision(rawValue: 1)
    /// The model was not confident enough: an annotator codes the form from the candidates.
    public static let manualReview = Decision(rawValue: 2)
    /// The form could not be coded (invalid input, deadline passed); see the result's status.
    public static let rejected = Decision(rawValue: 3)

    static let names: [Int32: String] = [
        0: "DECISION_UNSPECIFIED", 1: "DECISION_AUTO_CODED", 2: "DECISION_MANUAL_REVIEW", 3: "DECISION_REJECTED",
    ]

    /// The proto name (`DECISION_AUTO_CODED`), or the number when unknown.
    public var description: String { Self.names[rawValue] ?? String(rawValue) }

    /// Reads the proto name or the number.
    public init(from decoder: any Decoder) throws {
        rawValue = try ProtoEnumCoding.decode(from: decoder, names: Self.names)
    }

    /// Writes the proto name, or the number when unknown.
    public func encode(to encoder: any Encoder) throws {
        try ProtoEnumCoding.encode(rawValue, to: encoder, names: Self.names)
    }
}

/// JSON for open proto enums: the proto name when known, the number otherwise (as protobuf's
/// canonical JSON mapping does).
enum ProtoEnumCoding {
    /// Reads a name from `names` or a bare number.
    static func decode(from decoder: any Decoder, names: [Int32: String]) throws -> Int32 {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int32.self) {
            return number
        }
        let name = try container.decode(String.self)
        guard let number = names.first(where: { $0.value == name })?.key else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown enum name \(name)")
        }
        return number
    }

    /// Writes the name from `names`, or the bare number.
    static func encode(_ value: Int32, to encoder: any Encoder, names: [Int32: String]) throws {
        var container = encoder.singleValueContainer()
        if let name = names[value] {
            try container.encode(name)
        } else {
            try container.encode(value)
        }
    }
}
