/// Bounds on what the decoders accept, so a hostile or buggy producer cannot make a worker
/// allocate without limit or pass absurd text to the classifier.
///
/// The defaults are generous for real registry forms (a Sirene activity description is a line
/// or two) while keeping a form's worst case to a few kilobytes of text. Message sizes are
/// checked before any parsing; field lengths are in UTF-8 bytes, checked by `validate(limits:)`.
public struct WireLimits: Sendable, Equatable {
    /// Largest encoded `RegistryForm`, in bytes (default 64 KiB).
    public var maxFormBytes: Int
    /// Largest encoded `CodingResult`, which may carry the form, top-k candidates and an
    /// explanation (default 256 KiB).
    public var maxResultBytes: Int
    /// Largest encoded control message, `ModelDirective` or `WorkerReport` (default 64 KiB).
    public var maxControlBytes: Int
    /// Longest `description_activity` (default 2,000 bytes): the text the model reads.
    public var maxDescriptionBytes: Int
    /// Longest other free-text field, `other_nature_activity` and `precision_act_sec_agricole`
    /// (default 2,000 bytes).
    public var maxFreeTextBytes: Int
    /// Longest `form_id` (default 256 bytes); it is also the Kafka key.
    public var maxFormIDBytes: Int
    /// Longest code-like field: `siren`, `type_form`, `nature`, `cj`,
    /// `activity_permanence_status`, `event` (default 64 bytes; real values are 1–9 characters).
    public var maxCodeBytes: Int

    /// The limits with every bound at its documented default.
    public static let `default` = WireLimits()

    /// Creates limits; every parameter defaults to the documented value.
    public init(
        maxFormBytes: Int = 64 * 1024,
        maxResultBytes: Int = 256 * 1024,
        maxControlBytes: Int = 64 * 1024,
        maxDescriptionBytes: Int = 2_000,
        maxFreeTextBytes: Int = 2_000,
        maxFormIDBytes: Int = 256,
        maxCodeBytes: Int = 64
    ) {
        self.maxFormBytes = maxFormBytes
        self.maxResultBytes = maxResultBytes
        self.maxControlBytes = maxControlBytes
        self.maxDescriptionBytes = maxDescriptionBytes
        self.maxFreeTextBytes = maxFreeTextBytes
        self.maxFormIDBytes = maxFormIDBytes
        self.maxCodeBytes = maxCodeBytes
    }
}
