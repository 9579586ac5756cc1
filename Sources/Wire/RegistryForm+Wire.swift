internal import CProtobufC
internal import StreamCoderProtoC

/// Bytes ↔ `RegistryForm`, through protobuf-c's `Streamcoder__V1__RegistryForm`.
extension RegistryForm: CMessageCodable {
    static let protoName = "streamcoder.v1.RegistryForm"

    /// Decodes and validates a form (see ``validate(limits:)``).
    ///
    /// Throws `messageTooLarge` before parsing when the bytes exceed ``WireLimits/maxFormBytes``,
    /// `malformed` when they are not a form, `invalidUTF8` or `invalidValue` (a NUL byte) for a bad
    /// string, and the validation errors. Nothing in the bytes is trusted.
    public init(decoding bytes: UnsafeRawBufferPointer, limits: WireLimits = .default) throws(WireError) {
        self = try WireCodec.decode(Self.self, from: bytes, limits: limits)
    }

    /// Decodes and validates a form from any bytes, e.g. `[UInt8]` or a slice.
    public init(decoding bytes: some Collection<UInt8>, limits: WireLimits = .default) throws(WireError) {
        self = try WireCodec.decode(Self.self, from: bytes, limits: limits)
    }

    /// The protobuf encoding of the form. It is not validated: call ``validate(limits:)`` first
    /// when the form comes from outside. Throws `invalidValue` for a string holding a NUL character.
    public func encoded() throws(WireError) -> [UInt8] {
        try WireCodec.encode(self)
    }

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> {
        // The generated initialiser stores the address of the static descriptor.
        var form = Streamcoder__V1__RegistryForm()
        streamcoder__v1__registry_form__init(&form)
        return form.base.descriptor
    }

    static func maxBytes(_ limits: WireLimits) -> Int { limits.maxFormBytes }

    init(cMessage form: Streamcoder__V1__RegistryForm, at path: FieldPath) throws(WireError) {
        self.init(
            descriptionActivity: try String(cField: form.description_activity, at: path.child("description_activity"))
        )
        formID = try String(cField: form.form_id, at: path.child("form_id"))
        siren = try String(cField: form.siren, at: path.child("siren"))
        otherNatureActivity = try String(cField: form.other_nature_activity, at: path.child("other_nature_activity"))
        precisionActSecAgricole = try String(
            cField: form.precision_act_sec_agricole,
            at: path.child("precision_act_sec_agricole")
        )
        typeForm = try String(cField: form.type_form, at: path.child("type_form"))
        nature = try String(cField: form.nature, at: path.child("nature"))
        surface = form.surface?.pointee.square_metres
        cj = try String(cField: form.cj, at: path.child("cj"))
        activityPermanenceStatus = try String(
            cField: form.activity_permanence_status,
            at: path.child("activity_permanence_status")
        )
        event = try String(cField: form.event, at: path.child("event"))
        submittedAtUnixMs = form.submitted_at_unix_ms
    }

    func cMessage(in arena: CArena, at path: FieldPath) throws(WireError) -> Streamcoder__V1__RegistryForm {
        var form = Streamcoder__V1__RegistryForm()
        streamcoder__v1__registry_form__init(&form)
        form.form_id = try arena.string(formID, at: path.child("form_id"))
        form.siren = try arena.string(siren, at: path.child("siren"))
        form.description_activity = try arena.string(descriptionActivity, at: path.child("description_activity"))
        form.other_nature_activity = try arena.string(otherNatureActivity, at: path.child("other_nature_activity"))
        form.precision_act_sec_agricole = try arena.string(
            precisionActSecAgricole,
            at: path.child("precision_act_sec_agricole")
        )
        form.type_form = try arena.string(typeForm, at: path.child("type_form"))
        form.nature = try arena.string(nature, at: path.child("nature"))
        form.surface = surface.map { arena.box(Self.cSurface($0)) }
        form.cj = try arena.string(cj, at: path.child("cj"))
        form.activity_permanence_status = try arena.string(
            activityPermanenceStatus,
            at: path.child("activity_permanence_status")
        )
        form.event = try arena.string(event, at: path.child("event"))
        form.submitted_at_unix_ms = submittedAtUnixMs
        return form
    }

    private static func cSurface(_ squareMetres: Double) -> Streamcoder__V1__Surface {
        var surface = Streamcoder__V1__Surface()
        streamcoder__v1__surface__init(&surface)
        surface.square_metres = squareMetres
        return surface
    }
}
