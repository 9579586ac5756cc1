extension ModelManifest {
    /// The text the model classifies for a form given as field name → value.
    ///
    /// Text fields are joined in manifest order with the separator, skipping empty ones; then
    /// the normalisation applies; then, for fastText, each categorical feature is appended as
    /// one token. A later layer maps a `RegistryForm` to these fields; this module knows no form type.
    public func text(fromFields fields: some FormFields) -> String {
        let values = text.fields.compactMap { fields.value(ofField: $0) }.filter { !$0.isEmpty }
        var joined = values.joined(separator: text.separator)
        switch text.normalization {
        case .none: break
        case .lowercase: joined = joined.lowercased()
        }
        if let preprocessing = text.preprocessing { joined = preprocessing.apply(joined) }
        guard architecture == .fasttext, !categorical.isEmpty else { return joined }
        let tokens = categorical.map { $0.token(for: fields.value(ofField: $0.field)) }
        return ([joined] + tokens).filter { !$0.isEmpty }.joined(separator: " ")
    }
}
