/// Why bytes could not become a contract value, or a value breaks the contract.
///
/// Every wire error is about the input itself, so retrying the same bytes cannot help
/// (`isRetriable` is always `false`): a worker sends such input to the dead-letter topic with
/// ``code`` in `sc-error-code` and ``description`` in `sc-error`.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem the input has; compare against the static constants.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The stable name of the code, e.g. `"blankField"`; used in `sc-error-code` headers.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The bytes are larger than the ``WireLimits`` allow for this message type; nothing was parsed.
        public static let messageTooLarge = Code("messageTooLarge")
        /// The bytes are not a valid protobuf encoding of the message type.
        public static let malformed = Code("malformed")
        /// A required field is absent or empty.
        public static let missingField = Code("missingField")
        /// A required text field holds only whitespace.
        public static let blankField = Code("blankField")
        /// A string field holds bytes that are not valid UTF-8.
        public static let invalidUTF8 = Code("invalidUTF8")
        /// A field is longer than the ``WireLimits`` allow.
        public static let fieldTooLong = Code("fieldTooLong")
        /// A field's value is outside its allowed range (or a string holds a NUL byte).
        public static let invalidValue = Code("invalidValue")

        /// The code's name.
        public var description: String { name }
    }

    /// What kind of problem this is.
    public var code: Code
    /// The protobuf message type the input was meant to be, e.g. `streamcoder.v1.RegistryForm`.
    public var messageType: String
    /// The path of the offending field in proto names (`description_activity`,
    /// `candidates[1].label`, `form.surface`), or `nil` when the problem is the whole message.
    public var field: String?
    /// What is wrong and what the producer should do about it.
    public var message: String

    /// Whether retrying the same input can help: never, the input itself is wrong.
    public var isRetriable: Bool { false }

    /// Creates an error; `message` should say what is wrong and what to do.
    public init(code: Code, messageType: String, field: String?, message: String) {
        self.code = code
        self.messageType = messageType
        self.field = field
        self.message = message
    }

    /// One line naming the message type, the field and the problem, e.g. for an `sc-error` header.
    public var description: String {
        let location = field.map { "\(messageType).\($0)" } ?? messageType
        return "\(location): \(message) [\(code)]"
    }
}

extension WireError {
    /// An error about one field of a message.
    static func field(
        _ code: Code,
        _ path: FieldPath,
        _ message: String
    ) -> WireError {
        WireError(code: code, messageType: path.messageType, field: path.field, message: message)
    }
}
