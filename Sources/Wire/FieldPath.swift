/// Where in a message a value sits, in proto field names, so errors can point at it.
///
/// Paths read like `candidates[2].code` or `form.description_activity`; the root of a message
/// has an empty field path and names only the message type.
struct FieldPath: Sendable, Equatable {
    /// The full protobuf name of the outermost message, e.g. `streamcoder.v1.CodingResult`.
    let messageType: String
    /// The dotted path below the outermost message; `nil` at the root.
    let field: String?

    /// The root of a message of the given type.
    init(root messageType: String) {
        self.messageType = messageType
        self.field = nil
    }

    private init(messageType: String, field: String?) {
        self.messageType = messageType
        self.field = field
    }

    /// The path of a child field.
    func child(_ name: String) -> FieldPath {
        FieldPath(messageType: messageType, field: field.map { "\($0).\(name)" } ?? name)
    }

    /// The path of one element of a repeated field.
    func element(_ name: String, _ index: Int) -> FieldPath {
        child("\(name)[\(index)]")
    }

    /// The path as it appears in messages: the field, or the message type at the root.
    var display: String { field ?? messageType }
}
