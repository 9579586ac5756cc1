internal import CProtobufC
internal import StreamCoderProtoC

/// Bytes ↔ `WorkerReport`, through protobuf-c's `Streamcoder__V1__WorkerReport`.
extension WorkerReport: CMessageCodable {
    static let protoName = "streamcoder.v1.WorkerReport"

    /// Decodes a report, checking every string is UTF-8. Throws before parsing when the bytes
    /// exceed ``WireLimits/maxControlBytes``.
    public init(decoding bytes: UnsafeRawBufferPointer, limits: WireLimits = .default) throws(WireError) {
        self = try WireCodec.decode(Self.self, from: bytes, limits: limits)
    }

    /// Decodes a report from any bytes, e.g. `[UInt8]` or a slice.
    public init(decoding bytes: some Collection<UInt8>, limits: WireLimits = .default) throws(WireError) {
        self = try WireCodec.decode(Self.self, from: bytes, limits: limits)
    }

    /// The protobuf encoding of the report; all-zero counters are left off the wire (they are
    /// what absent counters decode to). Throws `invalidValue` for a string holding NUL.
    public func encoded() throws(WireError) -> [UInt8] {
        try WireCodec.encode(self)
    }

    /// A report is informational: beyond the UTF-8 checks of decoding there is nothing to check.
    public func validate(limits: WireLimits = .default) throws(WireError) {}

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> {
        // The generated initialiser stores the address of the static descriptor.
        var report = Streamcoder__V1__WorkerReport()
        streamcoder__v1__worker_report__init(&report)
        return report.base.descriptor
    }

    static func maxBytes(_ limits: WireLimits) -> Int { limits.maxControlBytes }

    init(cMessage report: Streamcoder__V1__WorkerReport, at path: FieldPath) throws(WireError) {
        self.init(workerID: try String(cField: report.worker_id, at: path.child("worker_id")))
        active = try report.active.map { pointer throws(WireError) in
            try ModelRef(cMessage: pointer.pointee, at: path.child("active"))
        }
        candidate = try report.candidate.map { pointer throws(WireError) in
            try ModelRef(cMessage: pointer.pointee, at: path.child("candidate"))
        }
        directiveGeneration = report.directive_generation
        loadErrors = try [ModelLoadError](cArray: report.load_errors, count: report.n_load_errors) {
            loadError,
            index throws(WireError) in
            try ModelLoadError(cMessage: loadError, at: path.element("load_errors", index))
        }
        counters = report.counters.map { WorkerCounters(cMessage: $0.pointee) } ?? WorkerCounters()
        reportedAtUnixMs = report.reported_at_unix_ms
        models = try [ModelCounters](cArray: report.models, count: report.n_models) { entry, index throws(WireError) in
            try ModelCounters(cMessage: entry, at: path.element("models", index))
        }
        host = try String(cField: report.host, at: path.child("host"))
        partitions = Array(UnsafeBufferPointer(start: report.partitions, count: report.n_partitions))
    }

    func cMessage(in arena: CArena, at path: FieldPath) throws(WireError) -> Streamcoder__V1__WorkerReport {
        var report = Streamcoder__V1__WorkerReport()
        streamcoder__v1__worker_report__init(&report)
        report.worker_id = try arena.string(workerID, at: path.child("worker_id"))
        report.active = try active.map { model throws(WireError) in
            arena.box(try model.cMessage(in: arena, at: path.child("active")))
        }
        report.candidate = try candidate.map { model throws(WireError) in
            arena.box(try model.cMessage(in: arena, at: path.child("candidate")))
        }
        report.directive_generation = directiveGeneration
        var cLoadErrors: [Streamcoder__V1__ModelLoadError] = []
        for (index, loadError) in loadErrors.enumerated() {
            cLoadErrors.append(try loadError.cMessage(in: arena, at: path.element("load_errors", index)))
        }
        report.n_load_errors = cLoadErrors.count
        report.load_errors = arena.array(cLoadErrors)
        report.counters = counters == WorkerCounters() ? nil : arena.box(counters.cMessage())
        report.reported_at_unix_ms = reportedAtUnixMs
        var cModels: [Streamcoder__V1__ModelCounters] = []
        for (index, entry) in models.enumerated() {
            cModels.append(try entry.cMessage(in: arena, at: path.element("models", index)))
        }
        report.n_models = cModels.count
        report.models = arena.array(cModels)
        report.host = try arena.string(host, at: path.child("host"))
        report.n_partitions = partitions.count
        report.partitions = arena.scalars(partitions)
        return report
    }
}

extension ModelCounters {
    init(cMessage entry: Streamcoder__V1__ModelCounters, at path: FieldPath) throws(WireError) {
        self.init(
            model: try ModelRef(cField: entry.model, at: path.child("model")),
            counters: entry.counters.map { WorkerCounters(cMessage: $0.pointee) } ?? WorkerCounters()
        )
    }

    func cMessage(in arena: CArena, at path: FieldPath) throws(WireError) -> Streamcoder__V1__ModelCounters {
        var entry = Streamcoder__V1__ModelCounters()
        streamcoder__v1__model_counters__init(&entry)
        entry.model = try model.cField(in: arena, at: path.child("model"))
        entry.counters = counters == WorkerCounters() ? nil : arena.box(counters.cMessage())
        return entry
    }
}

extension ModelLoadError {
    init(cMessage loadError: Streamcoder__V1__ModelLoadError, at path: FieldPath) throws(WireError) {
        self.init(
            model: try ModelRef(cField: loadError.model, at: path.child("model")),
            error: try String(cField: loadError.error, at: path.child("error")),
            atUnixMs: loadError.at_unix_ms
        )
    }

    func cMessage(in arena: CArena, at path: FieldPath) throws(WireError) -> Streamcoder__V1__ModelLoadError {
        var loadError = Streamcoder__V1__ModelLoadError()
        streamcoder__v1__model_load_error__init(&loadError)
        loadError.model = try model.cField(in: arena, at: path.child("model"))
        loadError.error = try arena.string(error, at: path.child("error"))
        loadError.at_unix_ms = atUnixMs
        return loadError
    }
}

extension WorkerCounters {
    init(cMessage counters: Streamcoder__V1__WorkerCounters) {
        self.init(
            formsIn: counters.forms_in,
            autoCoded: counters.auto_coded,
            manualReview: counters.manual_review,
            deadLetters: counters.dead_letters,
            errors: counters.errors
        )
    }

    func cMessage() -> Streamcoder__V1__WorkerCounters {
        var counters = Streamcoder__V1__WorkerCounters()
        streamcoder__v1__worker_counters__init(&counters)
        counters.forms_in = formsIn
        counters.auto_coded = autoCoded
        counters.manual_review = manualReview
        counters.dead_letters = deadLetters
        counters.errors = errors
        return counters
    }
}
