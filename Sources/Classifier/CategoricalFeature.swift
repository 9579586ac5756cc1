/// A categorical input of the model, such as the form type or the surface.
///
/// Values map to ids through the vocabulary; a value not in it maps to the reserved
/// `unknownId`, never to an error, because forms carry codes the model never saw. A missing or
/// empty value is read as `missingValue` when the package names one (Insee's API fills missing
/// categorical values with `NaN` before encoding them), otherwise it is unknown too.
public struct CategoricalFeature: Codable, Sendable, Equatable {
    /// The feature's name, e.g. `type_form`.
    public var name: String
    /// The form field it is read from.
    public var field: String
    /// Known values (or, for a binned feature, one name per bin), indexed by id.
    public var vocabulary: [String]
    /// The id given to missing and unknown values.
    public var unknownId: Int
    /// Ascending bin edges for a numeric feature (surface in m²): a value gets the id of the
    /// number of edges at or below it. `nil` for a plain categorical.
    public var bins: [Double]?
    /// For fastText, the feature enters the text as the token `tokenPrefix + vocabulary[id]`.
    public var tokenPrefix: String
    /// The value a missing or empty field stands for, e.g. `NaN`; `nil` gives such forms `unknownId`.
    public var missingValue: String?

    /// Creates a feature.
    public init(
        name: String,
        field: String,
        vocabulary: [String],
        unknownId: Int,
        bins: [Double]? = nil,
        tokenPrefix: String,
        missingValue: String? = nil
    ) {
        self.name = name
        self.field = field
        self.vocabulary = vocabulary
        self.unknownId = unknownId
        self.bins = bins
        self.tokenPrefix = tokenPrefix
        self.missingValue = missingValue
    }

    /// `value`, or `missingValue` in its place when it is missing or empty.
    public func present(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return missingValue }
        return value
    }

    /// The id of `value`; `unknownId` when it is unknown, not a number for a binned feature, or
    /// missing or empty without a `missingValue`.
    public func id(for value: String?) -> Int {
        guard let value = present(value), !value.isEmpty else { return unknownId }
        if let bins {
            guard let number = Double(value), number.isFinite else { return unknownId }
            return bins.reduce(0) { count, edge in edge <= number ? count + 1 : count }
        }
        return vocabulary.firstIndex(of: value) ?? unknownId
    }

    /// The token a fastText model sees for `value`.
    public func token(for value: String?) -> String {
        let id = id(for: value)
        let name = vocabulary.indices.contains(id) ? vocabulary[id] : String(id)
        return tokenPrefix + name
    }
}
