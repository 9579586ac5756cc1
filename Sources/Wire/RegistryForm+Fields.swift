extension RegistryForm {
    /// The form's fields by their contract (proto) names, as model manifests name them; the
    /// surface as a decimal number when declared.
    public var fieldsByName: [String: String] {
        var fields = [
            "form_id": formID,
            "siren": siren,
            "description_activity": descriptionActivity,
            "other_nature_activity": otherNatureActivity,
            "precision_act_sec_agricole": precisionActSecAgricole,
            "type_form": typeForm,
            "nature": nature,
            "cj": cj,
            "activity_permanence_status": activityPermanenceStatus,
            "event": event,
        ]
        if let surface { fields["surface"] = String(surface) }
        return fields
    }
}
