/// The form's contract, beyond what protobuf itself says.
extension RegistryForm {
    /// The proto name and limit of every text field, in field-number order.
    private func textFields(_ limits: WireLimits) -> [(name: String, value: String, limit: Int)] {
        [
            ("form_id", formID, limits.maxFormIDBytes),
            ("siren", siren, limits.maxCodeBytes),
            ("description_activity", descriptionActivity, limits.maxDescriptionBytes),
            ("other_nature_activity", otherNatureActivity, limits.maxFreeTextBytes),
            ("precision_act_sec_agricole", precisionActSecAgricole, limits.maxFreeTextBytes),
            ("type_form", typeForm, limits.maxCodeBytes),
            ("nature", nature, limits.maxCodeBytes),
            ("cj", cj, limits.maxCodeBytes),
            ("activity_permanence_status", activityPermanenceStatus, limits.maxCodeBytes),
            ("event", event, limits.maxCodeBytes),
        ]
    }

    /// Checks the form against the contract: `form_id` and `description_activity` present and
    /// not only whitespace, every text field within its ``WireLimits`` length (UTF-8 bytes), `surface`
    /// finite and ≥ 0 when declared, `submitted_at_unix_ms` ≥ 0.
    ///
    /// Decoding calls this; call it yourself on a form built in Swift before publishing it.
    public func validate(limits: WireLimits = .default) throws(WireError) {
        try validate(limits: limits, at: FieldPath(root: Self.protoName))
    }

    /// Checks the form as it sits at `path` (the root, or `form` inside a result).
    func validate(limits: WireLimits, at path: FieldPath) throws(WireError) {
        try validateDescription(at: path.child("description_activity"))
        for field in textFields(limits) {
            try Self.checkLength(field.value, limit: field.limit, at: path.child(field.name))
        }
        try validateSurface(at: path.child("surface"))
        guard submittedAtUnixMs >= 0 else {
            throw .field(
                .invalidValue,
                path.child("submitted_at_unix_ms"),
                "is \(submittedAtUnixMs); send unix "
                    + "milliseconds, or 0 when the submission time is unknown"
            )
        }
        try validateFormID(at: path.child("form_id"))
    }

    /// The form id is the key of every output: without one, downstream can neither match a result
    /// to its form nor de-duplicate it.
    private func validateFormID(at path: FieldPath) throws(WireError) {
        guard !formID.isEmpty else {
            throw .field(.missingField, path, "is missing; give every form a unique id (it keys its results)")
        }
        guard formID.contains(where: { !$0.isWhitespace }) else {
            throw .field(.blankField, path, "holds only whitespace; give every form a unique id (it keys its results)")
        }
    }

    private func validateDescription(at path: FieldPath) throws(WireError) {
        guard !descriptionActivity.isEmpty else {
            throw .field(.missingField, path, "is missing; every form needs the free-text description of its activity")
        }
        guard descriptionActivity.contains(where: { !$0.isWhitespace }) else {
            throw .field(.blankField, path, "holds only whitespace; send the free-text description of the activity")
        }
    }

    private func validateSurface(at path: FieldPath) throws(WireError) {
        guard let surface else { return }
        guard surface.isFinite, surface >= 0 else {
            throw .field(
                .invalidValue,
                path,
                "is \(surface) m²; send a finite surface ≥ 0, or leave it unset when "
                    + "none is declared"
            )
        }
    }

    private static func checkLength(_ value: String, limit: Int, at path: FieldPath) throws(WireError) {
        let length = value.utf8.count
        guard length <= limit else {
            throw .field(
                .fieldTooLong,
                path,
                "is \(length) UTF-8 bytes, more than the \(limit) allowed; shorten it "
                    + "or raise WireLimits"
            )
        }
    }
}
