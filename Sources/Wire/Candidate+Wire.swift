internal import CProtobufC
internal import StreamCoderProtoC

/// The parts of a `CodingResult` ↔ their protobuf-c structs.
extension Candidate {
    init(cMessage candidate: Streamcoder__V1__Candidate, at path: FieldPath) throws(WireError) {
        self.init(
            code: try String(cField: candidate.code, at: path.child("code")),
            label: try String(cField: candidate.label, at: path.child("label")),
            probability: candidate.probability
        )
    }

    func cMessage(in arena: CArena, at path: FieldPath) throws(WireError) -> Streamcoder__V1__Candidate {
        var candidate = Streamcoder__V1__Candidate()
        streamcoder__v1__candidate__init(&candidate)
        candidate.code = try arena.string(code, at: path.child("code"))
        candidate.label = try arena.string(label, at: path.child("label"))
        candidate.probability = probability
        return candidate
    }
}

extension Status {
    init(cMessage status: Streamcoder__V1__Status, at path: FieldPath) throws(WireError) {
        self.init(
            code: StatusCode(rawValue: Int32(truncatingIfNeeded: status.code.rawValue)),
            message: try String(cField: status.message, at: path.child("message"))
        )
    }

    func cMessage(in arena: CArena, at path: FieldPath) throws(WireError) -> Streamcoder__V1__Status {
        var status = Streamcoder__V1__Status()
        streamcoder__v1__status__init(&status)
        status.code = Streamcoder__V1__StatusCode(rawValue: .init(truncatingIfNeeded: code.rawValue))
        status.message = try arena.string(message, at: path.child("message"))
        return status
    }
}

extension Explanation {
    init(cMessage explanation: Streamcoder__V1__Explanation, at path: FieldPath) throws(WireError) {
        self.init(
            tokens: try [TokenContribution](cArray: explanation.tokens, count: explanation.n_tokens) {
                token,
                index throws(WireError) in
                try TokenContribution(cMessage: token, at: path.element("tokens", index))
            }
        )
    }

    func cMessage(in arena: CArena, at path: FieldPath) throws(WireError) -> Streamcoder__V1__Explanation {
        var explanation = Streamcoder__V1__Explanation()
        streamcoder__v1__explanation__init(&explanation)
        var cTokens: [Streamcoder__V1__TokenContribution] = []
        for (index, token) in tokens.enumerated() {
            cTokens.append(try token.cMessage(in: arena, at: path.element("tokens", index)))
        }
        explanation.n_tokens = cTokens.count
        explanation.tokens = arena.array(cTokens)
        return explanation
    }
}

extension TokenContribution {
    init(cMessage token: Streamcoder__V1__TokenContribution, at path: FieldPath) throws(WireError) {
        self.init(
            token: try String(cField: token.token, at: path.child("token")),
            contribution: token.contribution
        )
    }

    func cMessage(in arena: CArena, at path: FieldPath) throws(WireError) -> Streamcoder__V1__TokenContribution {
        var token = Streamcoder__V1__TokenContribution()
        streamcoder__v1__token_contribution__init(&token)
        token.token = try arena.string(self.token, at: path.child("token"))
        token.contribution = contribution
        return token
    }
}

extension ModelRef {
    init(cMessage model: Streamcoder__V1__ModelRef, at path: FieldPath) throws(WireError) {
        self.init(
            name: try String(cField: model.name, at: path.child("name")),
            version: try String(cField: model.version, at: path.child("version")),
            sha256: try String(cField: model.sha256, at: path.child("sha256"))
        )
    }

    func cMessage(in arena: CArena, at path: FieldPath) throws(WireError) -> Streamcoder__V1__ModelRef {
        var model = Streamcoder__V1__ModelRef()
        streamcoder__v1__model_ref__init(&model)
        model.name = try arena.string(name, at: path.child("name"))
        model.version = try arena.string(version, at: path.child("version"))
        model.sha256 = try arena.string(sha256, at: path.child("sha256"))
        return model
    }

    /// A sub-message field of a control message: an absent one decodes as an empty reference.
    init(cField pointer: UnsafeMutablePointer<Streamcoder__V1__ModelRef>?, at path: FieldPath) throws(WireError) {
        self =
            try pointer.map { pointer throws(WireError) in try ModelRef(cMessage: pointer.pointee, at: path) }
            ?? ModelRef(name: "", version: "")
    }

    /// The sub-message field of this reference; left off when empty, since absent and empty decode
    /// alike (so re-encoding a decoded message never makes it larger).
    func cField(
        in arena: CArena,
        at path: FieldPath
    ) throws(WireError) -> UnsafeMutablePointer<Streamcoder__V1__ModelRef>? {
        self == ModelRef(name: "", version: "") ? nil : arena.box(try cMessage(in: arena, at: path))
    }
}
