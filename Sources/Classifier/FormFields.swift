/// A form's fields by the names a manifest uses (the contract's proto field names), read one at
/// a time: the text fields and categorical features a package names.
///
/// A dictionary is one; a form type can answer from its own properties without building one.
public protocol FormFields {
    /// The value of the field called `name`; `nil` when the form has no such field.
    func value(ofField name: String) -> String?
}

extension Dictionary: FormFields where Key == String, Value == String {
    public func value(ofField name: String) -> String? { self[name] }
}

/// No field at all: every categorical feature takes its unknown value.
struct NoFormFields: FormFields {
    func value(ofField name: String) -> String? { nil }
}
