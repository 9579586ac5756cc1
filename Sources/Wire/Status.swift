/// How processing a form went, gRPC style: a code and a human-readable message.
public struct Status: Sendable, Equatable, Codable {
    /// The outcome; `.ok` when the form was coded.
    public var code: StatusCode
    /// What went wrong, for people; empty when `code` is `.ok`.
    public var message: String

    /// Creates a status; the default is OK with no message.
    public init(code: StatusCode = .ok, message: String = "") {
        self.code = code
        self.message = message
    }
}

/// gRPC-style status codes, with the numbers of `google.rpc.Code`.
///
/// An open set, like ``Decision``: unknown numbers are kept, not rejected.
public struct StatusCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The number on the wire.
    public var rawValue: Int32

    /// Wraps a wire number, known or not.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Success.
    public static let ok = StatusCode(rawValue: 0)
    /// The caller cancelled the request.
    public static let cancelled = StatusCode(rawValue: 1)
    /// An error with no better code.
    public static let unknown = StatusCode(rawValue: 2)
    /// The form is invalid; sending it again cannot help.
    public static let invalidArgument = StatusCode(rawValue: 3)
    /// The request's `sc-deadline` passed before the work was done.
    public static let deadlineExceeded = StatusCode(rawValue: 4)
    /// A limit was hit (queue full, message too large).
    public static let resourceExhausted = StatusCode(rawValue: 8)
    /// The worker is not in a state to do the work (e.g. no model loaded).
    public static let failedPrecondition = StatusCode(rawValue: 9)
    /// A bug on the worker side.
    public static let `internal` = StatusCode(rawValue: 13)
    /// Temporarily unable to serve; retrying later can help.
    public static let unavailable = StatusCode(rawValue: 14)

    static let names: [Int32: String] = [
        0: "STATUS_CODE_OK", 1: "STATUS_CODE_CANCELLED", 2: "STATUS_CODE_UNKNOWN",
        3: "STATUS_CODE_INVALID_ARGUMENT", 4: "STATUS_CODE_DEADLINE_EXCEEDED", 8: "STATUS_CODE_RESOURCE_EXHAUSTED",
        9: "STATUS_CODE_FAILED_PRECONDITION", 13: "STATUS_CODE_INTERNAL", 14: "STATUS_CODE_UNAVAILABLE",
    ]

    /// The proto name (`STATUS_CODE_OK`), or the number when unknown.
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
