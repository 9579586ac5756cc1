extension RegistryForm {
    /// The form's fields by their contract (proto) names, as model manifests name them; the
    /// surface as a decimal number when declared.
    public var fieldsByName: [String: String] {
        var fields: [String: String] = [:]
        for name in Self.fieldNames {
            if let value = value(ofField: name) { fields[name] = value }
        }
        return fields
    }

    /// The names ``value(ofField:)`` answers, in the contract's order.
    public static let fieldNames = [
        "form_id", "siren", "description_activity", "other_nature_activity", "precision_act_sec_agricole",
        "type_form", "nature", "surface", "cj", "activity_permanence_status", "event",
    ]
}

extension RegistryForm {
    /// One field by its contract (proto) name, as ``fieldsByName`` has it, without building the
    /// dictionary; `nil` for a name the contract does not have (or an undeclared surface).
    public func value(ofField name: String) -> String? {
        switch name {
        case "form_id": formID
        case "siren": siren
        case "description_activity": descriptionActivity
        case "other_nature_activity": otherNatureActivity
        case "precision_act_sec_agricole": precisionActSecAgricole
        case "type_form": typeForm
        case "nature": nature
        case "cj": cj
        case "activity_permanence_status": activityPermanenceStatus
        case "event": event
        case "surface": surface.map { String($0) }
        default: nil
        }
    }
}
