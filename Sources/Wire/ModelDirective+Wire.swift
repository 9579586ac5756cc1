internal import CProtobufC
internal import StreamCoderProtoC

/// Bytes ↔ `ModelDirective`, through protobuf-c's `Streamcoder__V1__ModelDirective`.
extension ModelDirective: CMessageCodable {
    static let protoName = "streamcoder.v1.ModelDirective"

    /// Decodes and validates a directive (see ``validate(limits:)``). Throws before parsing when
    /// the bytes exceed ``WireLimits/maxControlBytes``. An absent package decodes as an empty one,
    /// which validation rejects.
    public init(decoding bytes: UnsafeRawBufferPointer, limits: WireLimits = .default) throws(WireError) {
        self = try WireCodec.decode(Self.self, from: bytes, limits: limits)
    }

    /// Decodes and validates a directive from any bytes, e.g. `[UInt8]` or a slice.
    public init(decoding bytes: some Collection<UInt8>, limits: WireLimits = .default) throws(WireError) {
        self = try WireCodec.decode(Self.self, from: bytes, limits: limits)
    }

    /// The protobuf encoding of the directive. Throws `invalidValue` for a string holding NUL.
    public func encoded() throws(WireError) -> [UInt8] {
        try WireCodec.encode(self)
    }

    /// Checks what a worker relies on before acting: the package names a model and a version,
    /// and the canary fraction is finite and in [0, 1].
    public func validate(limits: WireLimits = .default) throws(WireError) {
        let root = FieldPath(root: Self.protoName)
        guard !package.model.name.isEmpty, !package.model.version.isEmpty else {
            throw .field(
                .missingField,
                root.child("package").child("model"),
                "needs a model name and version; "
                    + "a directive must say which package to run"
            )
        }
        guard canaryFraction.isFinite, (0...1).contains(canaryFraction) else {
            throw .field(
                .invalidValue,
                root.child("canary_fraction"),
                "is \(canaryFraction); send a fraction "
                    + "between 0 (no canary) and 1 (every form)"
            )
        }
    }

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> {
        // The generated initialiser stores the address of the static descriptor.
        var directive = Streamcoder__V1__ModelDirective()
        streamcoder__v1__model_directive__init(&directive)
        return directive.base.descriptor
    }

    static func maxBytes(_ limits: WireLimits) -> Int { limits.maxControlBytes }

    init(cMessage directive: Streamcoder__V1__ModelDirective, at path: FieldPath) throws(WireError) {
        let package = try directive.package.map { pointer throws(WireError) in
            try PackageRef(cMessage: pointer.pointee, at: path.child("package"))
        }
        self.init(
            generation: directive.generation,
            package: package ?? PackageRef(model: ModelRef(name: "", version: ""), uri: ""),
            canaryFraction: directive.canary_fraction,
            shadow: directive.shadow != 0,
            previous: try directive.previous.map { pointer throws(WireError) in
                try ModelRef(cMessage: pointer.pointee, at: path.child("previous"))
            },
            issuedAtUnixMs: directive.issued_at_unix_ms,
            reason: try String(cField: directive.reason, at: path.child("reason"))
        )
    }

    func cMessage(in arena: CArena, at path: FieldPath) throws(WireError) -> Streamcoder__V1__ModelDirective {
        var directive = Streamcoder__V1__ModelDirective()
        streamcoder__v1__model_directive__init(&directive)
        directive.generation = generation
        directive.package = arena.box(try package.cMessage(in: arena, at: path.child("package")))
        directive.canary_fraction = canaryFraction
        directive.shadow = shadow ? 1 : 0
        directive.previous = try previous.map { previous throws(WireError) in
            arena.box(try previous.cMessage(in: arena, at: path.child("previous")))
        }
        directive.issued_at_unix_ms = issuedAtUnixMs
        directive.reason = try arena.string(reason, at: path.child("reason"))
        return directive
    }
}

extension PackageRef {
    init(cMessage package: Streamcoder__V1__PackageRef, at path: FieldPath) throws(WireError) {
        self.init(
            model: try ModelRef(cField: package.model, at: path.child("model")),
            uri: try String(cField: package.uri, at: path.child("uri"))
        )
    }

    func cMessage(in arena: CArena, at path: FieldPath) throws(WireError) -> Streamcoder__V1__PackageRef {
        var package = Streamcoder__V1__PackageRef()
        streamcoder__v1__package_ref__init(&package)
        package.model = arena.box(try model.cMessage(in: arena, at: path.child("model")))
        package.uri = try arena.string(uri, at: path.child("uri"))
        return package
    }
}
