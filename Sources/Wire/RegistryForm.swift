/// A registry form ("liasse") as producers publish it on `registry.forms.v1`, keyed by its id.
///
/// The fields are those of the reference APE coding API's `SingleForm`. Only
/// ``descriptionActivity`` is required; every other text field may be empty, which is how
/// proto3 says "not given". Decoding checks the form (see ``validate(limits:)``); building one
/// in Swift does not, so call `validate` before publishing.
public struct RegistryForm: Sendable, Equatable, Codable {
    /// Unique id of the form; also the Kafka key on every form and result topic.
    public var formID: String
    /// SIREN of the business (9 digits), when known. Its format is not checked: a bad SIREN
    /// does not stop a form from being coded.
    public var siren: String
    /// Free-text description of the activity, the text the model reads. Required, non-blank.
    public var descriptionActivity: String
    /// Free-text "other nature of activity" field.
    public var otherNatureActivity: String
    /// Precision for a secondary agricultural activity (`precision_act_sec_agricole` on the wire).
    public var precisionActSecAgricole: String
    /// Type of form (liasse type): C, M, X, L, I, …
    public var typeForm: String
    /// Nature of the activity (a code, e.g. "99").
    public var nature: String
    /// Declared surface in square metres; `nil` when not declared, which differs from 0.
    public var surface: Double?
    /// Legal category (catégorie juridique) code.
    public var cj: String
    /// Permanent or seasonal activity (P / S).
    public var activityPermanenceStatus: String
    /// Registry event code (e.g. "01P", "05P").
    public var event: String
    /// When the form was submitted, in unix milliseconds; 0 when unknown.
    public var submittedAtUnixMs: Int64

    /// Creates a form; everything but the description defaults to "not given".
    public init(
        formID: String = "",
        siren: String = "",
        descriptionActivity: String,
        otherNatureActivity: String = "",
        precisionActSecAgricole: String = "",
        typeForm: String = "",
        nature: String = "",
        surface: Double? = nil,
        cj: String = "",
        activityPermanenceStatus: String = "",
        event: String = "",
        submittedAtUnixMs: Int64 = 0
    ) {
        self.formID = formID
        self.siren = siren
        self.descriptionActivity = descriptionActivity
        self.otherNatureActivity = otherNatureActivity
        self.precisionActSecAgricole = precisionActSecAgricole
        self.typeForm = typeForm
        self.nature = nature
        self.surface = surface
        self.cj = cj
        self.activityPermanenceStatus = activityPermanenceStatus
        self.event = event
        self.submittedAtUnixMs = submittedAtUnixMs
    }
}
