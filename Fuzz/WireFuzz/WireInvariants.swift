/// The invariants of each contract message, with what is particular to each type.
enum WireInvariants {
    /// Forms: decoding validates, so a decoded form is valid (checked generically) and answers its
    /// fields by name consistently.
    static let form = MessageInvariants<RegistryForm>(
        protoName: "streamcoder.v1.RegistryForm",
        maxBytes: { $0.maxFormBytes },
        same: { $0 == $1 },
        checkDecoded: { form, _ in checkFieldsByName(form) }
    )

    /// Results: the embedded form is not held to the form contract, so its surface may be NaN,
    /// which `==` never equates; `sameResult` equates two NaN surfaces.
    static let result = MessageInvariants<CodingResult>(
        protoName: "streamcoder.v1.CodingResult",
        maxBytes: { $0.maxResultBytes },
        same: sameResult,
        checkDecoded: { result, limits in
            if let form = result.form { checkEmbeddedForm(form, limits: limits) }
        }
    )

    /// Directives: everything a worker relies on is in `validate`, checked generically.
    static let directive = MessageInvariants<ModelDirective>(
        protoName: "streamcoder.v1.ModelDirective",
        maxBytes: { $0.maxControlBytes },
        same: { $0 == $1 },
        checkDecoded: { _, _ in }
    )

    /// Reports: only the generic invariants; a report has no contract beyond UTF-8 text.
    static let report = MessageInvariants<WorkerReport>(
        protoName: "streamcoder.v1.WorkerReport",
        maxBytes: { $0.maxControlBytes },
        same: { $0 == $1 },
        checkDecoded: { _, _ in }
    )

    /// `fieldsByName` and `value(ofField:)` must agree, and the required field must be there.
    private static func checkFieldsByName(_ form: RegistryForm) {
        let fields = form.fieldsByName
        for name in RegistryForm.fieldNames {
            precondition(form.value(ofField: name) == fields[name], "fieldsByName and value(ofField: \(name)) differ")
        }
        precondition(fields["description_activity"] == form.descriptionActivity, "fieldsByName lost the description")
        precondition(Set(fields.keys).isSubset(of: RegistryForm.fieldNames), "fieldsByName has unknown names")
    }

    /// A form that came inside a result came through the same string checks as a form on its own:
    /// published alone it may break the form contract (a rejected result carries the form that
    /// failed), but it can never be malformed or hold invalid UTF-8, and when it is valid it
    /// decodes to itself.
    private static func checkEmbeddedForm(_ form: RegistryForm, limits: WireLimits) {
        let bytes: [UInt8]
        do {
            bytes = try form.encoded()
        } catch {
            fatalError("a form decoded inside a result does not encode: \(error)\nform: \(form)")
        }
        do {
            let alone = try RegistryForm(decoding: bytes, limits: limits)
            precondition(alone == form, "an embedded form decodes alone as \(alone), not \(form)")
        } catch {
            let contractCodes: [WireError.Code] = [
                .missingField, .blankField, .fieldTooLong, .invalidValue, .messageTooLarge,
            ]
            precondition(contractCodes.contains(error.code), "an embedded form, published alone, throws \(error)")
        }
    }

    /// `==`, except that two NaN surfaces of the embedded form are the same. Not a bit-pattern
    /// comparison: protobuf-c leaves a surface of -0.0 off the wire like 0, so -0.0 comes back as 0,
    /// which `==` rightly equates.
    private static func sameResult(_ a: CodingResult, _ b: CodingResult) -> Bool {
        switch (a.form?.surface, b.form?.surface) {
        case (nil, nil): break
        case (let x?, let y?) where x == y || (x.isNaN && y.isNaN): break
        default: return false
        }
        var a = a
        var b = b
        a.form?.surface = nil
        b.form?.surface = nil
        return a == b
    }
}
