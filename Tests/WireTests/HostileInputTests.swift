import Testing
import Wire

/// What a decoder made of one input.
enum Outcome: Equatable {
    case value
    case error(WireError.Code)
}

@Suite("Hostile input")
struct HostileInputTests {
    /// Decodes `bytes`; a value must re-encode and decode to itself, an error must be typed
    /// and complete. A crash would end the test process, which is the failure this suite is for.
    static func outcome<Message: WireMessage>(_ bytes: [UInt8], as type: Message.Type) -> Outcome {
        do {
            let value = try Message(decoding: bytes, limits: .default)
            let again = try Message(decoding: try value.encoded(), limits: .default)
            #expect(again == value, "a decoded value must survive re-encoding")
            return .value
        } catch {
            #expect(!error.message.isEmpty)
            #expect(!error.isRetriable)
            return .error(error.code)
        }
    }

    static func outcomes(_ bytes: [UInt8]) -> [Outcome] {
        [
            outcome(bytes, as: RegistryForm.self), outcome(bytes, as: CodingResult.self),
            outcome(bytes, as: ModelDirective.self), outcome(bytes, as: WorkerReport.self),
        ]
    }

    @Test("every corpus input yields a value or a typed error, for every message type")
    func corpusNeverCrashes() throws {
        let corpus = try HostileCorpus.inputs(seed: 0x5EED_C0DE)
        #expect(corpus.count >= 1_000)
        let results = corpus.flatMap(Self.outcomes)
        let values = results.filter { $0 == .value }.count
        let malformed = results.filter { $0 == .error(.malformed) }.count
        // Both kinds must show up, or the corpus is not exercising the decoders.
        #expect(values > 100)
        #expect(malformed > 100)
    }

    @Test("a 10 MB string is refused before it is parsed")
    func tenMegabyteStringTooLarge() {
        let bytes = ProtoWriter.message { $0.field(3, [UInt8](repeating: 0x61, count: 10 << 20)) }
        let error = #expect(throws: WireError.self) { try RegistryForm(decoding: bytes) }
        #expect(error?.code == .messageTooLarge)
        #expect(error?.field == nil)
        let resultError = #expect(throws: WireError.self) { try CodingResult(decoding: bytes) }
        #expect(resultError?.code == .messageTooLarge)
    }

    @Test("with raised limits a 10 MB description is parsed and then refused as too long")
    func tenMegabyteStringTooLong() {
        let bytes = ProtoWriter.message { $0.field(3, [UInt8](repeating: 0x61, count: 10 << 20)) }
        let limits = WireLimits(maxFormBytes: 16 << 20)
        let error = #expect(throws: WireError.self) { try RegistryForm(decoding: bytes, limits: limits) }
        #expect(error?.code == .fieldTooLong)
        #expect(error?.field == "description_activity")
    }

    @Test("with raised limits a 10 MB form inside a result decodes whole")
    func tenMegabyteNestedForm() throws {
        let form = ProtoWriter.message { $0.field(3, [UInt8](repeating: 0x62, count: 10 << 20)) }
        let bytes = ProtoWriter.message {
            $0.field(1, "F-big")
            $0.field(9, form)
        }
        let result = try CodingResult(decoding: bytes, limits: WireLimits(maxResultBytes: 16 << 20))
        #expect(result.form?.descriptionActivity.utf8.count == 10 << 20)
    }

    @Test("a 10 MB string of invalid UTF-8 is refused")
    func tenMegabyteInvalidUTF8() {
        let bytes = ProtoWriter.message { $0.field(2, [UInt8](repeating: 0xFF, count: 10 << 20)) }
        let error = #expect(throws: WireError.self) {
            try RegistryForm(decoding: bytes, limits: WireLimits(maxFormBytes: 16 << 20))
        }
        #expect(error?.code == .invalidUTF8)
        #expect(error?.field == "siren")
    }

    @Test("lengths past the end, endless varints and field 0 are malformed", arguments: HostileCorpus.lyingLengths())
    func lyingLengthsAreMalformed(bytes: [UInt8]) {
        #expect(Self.outcomes(bytes) == Array(repeating: .error(.malformed), count: 4))
    }

    @Test("every prefix of a form decodes or fails with a typed error")
    func truncatedForms() throws {
        let full = try Samples.fullForm.encoded()
        for prefix in HostileCorpus.truncations(of: full) {
            if Self.outcome(prefix, as: RegistryForm.self) == .value {
                // A prefix that still decodes ends on a field boundary after the description.
                #expect(try RegistryForm(decoding: prefix).descriptionActivity == Samples.fullForm.descriptionActivity)
            }
        }
    }
}
