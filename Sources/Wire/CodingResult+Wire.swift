internal import CProtobufC
internal import StreamCoderProtoC

/// Bytes ↔ `CodingResult`, through protobuf-c's `Streamcoder__V1__CodingResult`.
extension CodingResult: CMessageCodable {
    static let protoName = "streamcoder.v1.CodingResult"

    /// Decodes and validates a result (see ``validate(limits:)``); every string, including
    /// those of the embedded form, must be UTF-8. Throws before parsing when the bytes exceed
    /// ``WireLimits/maxResultBytes``.
    public init(decoding bytes: UnsafeRawBufferPointer, limits: WireLimits = .default) throws(WireError) {
        self = try WireCodec.decode(Self.self, from: bytes, limits: limits)
    }

    /// Decodes and validates a result from any bytes, e.g. `[UInt8]` or a slice.
    public init(decoding bytes: some Collection<UInt8>, limits: WireLimits = .default) throws(WireError) {
        self = try WireCodec.decode(Self.self, from: bytes, limits: limits)
    }

    /// The protobuf encoding of the result. An OK status with no message is left off the wire
    /// (it is what an absent status decodes to). Throws `invalidValue` for a string holding NUL.
    public func encoded() throws(WireError) -> [UInt8] {
        try WireCodec.encode(self)
    }

    /// Checks what a consumer relies on: probabilities and the confidence index are finite and
    /// in [0, 1], token contributions are finite. The embedded form is not held to the form
    /// contract: a rejected result may carry the very form that failed it.
    public func validate(limits: WireLimits = .default) throws(WireError) {
        let root = FieldPath(root: Self.protoName)
        try Self.checkProbability(confidenceIndex, at: root.child("confidence_index"))
        for (index, candidate) in candidates.enumerated() {
            try Self.checkProbability(candidate.probability, at: root.element("candidates", index).child("probability"))
        }
        for (index, token) in (explanation?.tokens ?? []).enumerated() where !token.contribution.isFinite {
            let path = root.child("explanation").element("tokens", index).child("contribution")
            throw .field(.invalidValue, path, "is \(token.contribution); send a finite contribution")
        }
    }

    private static func checkProbability(_ value: Float, at path: FieldPath) throws(WireError) {
        guard value.isFinite, (0...1).contains(value) else {
            throw .field(.invalidValue, path, "is \(value); send a probability between 0 and 1")
        }
    }

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> {
        // The generated initialiser stores the address of the static descriptor.
        var result = Streamcoder__V1__CodingResult()
        streamcoder__v1__coding_result__init(&result)
        return result.base.descriptor
    }

    static func maxBytes(_ limits: WireLimits) -> Int { limits.maxResultBytes }

    init(cMessage result: Streamcoder__V1__CodingResult, at path: FieldPath) throws(WireError) {
        self.init(
            formID: try String(cField: result.form_id, at: path.child("form_id")),
            decision: Decision(rawValue: Int32(truncatingIfNeeded: result.decision.rawValue))
        )
        status =
            try result.status.map { pointer throws(WireError) in
                try Status(cMessage: pointer.pointee, at: path.child("status"))
            } ?? Status()
        candidates = try [Candidate](cArray: result.candidates, count: result.n_candidates) {
            candidate,
            index throws(WireError) in
            try Candidate(cMessage: candidate, at: path.element("candidates", index))
        }
        confidenceIndex = result.confidence_index
        model = try result.model.map { pointer throws(WireError) in
            try ModelRef(cMessage: pointer.pointee, at: path.child("model"))
        }
        codedAtUnixMs = result.coded_at_unix_ms
        explanation = try result.explanation.map { pointer throws(WireError) in
            try Explanation(cMessage: pointer.pointee, at: path.child("explanation"))
        }
        form = try result.form.map { pointer throws(WireError) in
            try RegistryForm(cMessage: pointer.pointee, at: path.child("form"))
        }
    }

    func cMessage(in arena: CArena, at path: FieldPath) throws(WireError) -> Streamcoder__V1__CodingResult {
        var result = Streamcoder__V1__CodingResult()
        streamcoder__v1__coding_result__init(&result)
        result.form_id = try arena.string(formID, at: path.child("form_id"))
        result.decision = Streamcoder__V1__Decision(rawValue: .init(truncatingIfNeeded: decision.rawValue))
        if status != Status() {
            result.status = arena.box(try status.cMessage(in: arena, at: path.child("status")))
        }
        var cCandidates: [Streamcoder__V1__Candidate] = []
        for (index, candidate) in candidates.enumerated() {
            cCandidates.append(try candidate.cMessage(in: arena, at: path.element("candidates", index)))
        }
        result.n_candidates = cCandidates.count
        result.candidates = arena.array(cCandidates)
        result.confidence_index = confidenceIndex
        result.model = try model.map { model throws(WireError) in
            arena.box(try model.cMessage(in: arena, at: path.child("model")))
        }
        result.coded_at_unix_ms = codedAtUnixMs
        result.explanation = try explanation.map { explanation throws(WireError) in
            arena.box(try explanation.cMessage(in: arena, at: path.child("explanation")))
        }
        result.form = try form.map { form throws(WireError) in
            arena.box(try form.cMessage(in: arena, at: path.child("form")))
        }
        return result
    }
}
