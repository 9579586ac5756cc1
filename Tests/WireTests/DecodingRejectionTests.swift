import Testing
import Wire

@Suite("Decoding rejects bad strings and values")
struct DecodingRejectionTests {
    static let invalidUTF8: [[UInt8]] = [
        [0xFF],  // never valid
        [0x62, 0x6F, 0xC3],  // "bo" then a cut 2-byte sequence
        [0xC0, 0xAF],  // overlong "/"
        [0xED, 0xA0, 0x80],  // a UTF-16 surrogate
        [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
        Array("pâtisserie".utf8.dropLast(2)) + [0xE9],  // Latin-1 é instead of UTF-8
    ]

    @Test("invalid UTF-8 in a form is refused, not repaired", arguments: invalidUTF8)
    func invalidUTF8InForm(bytes: [UInt8]) {
        let encoded = ProtoWriter.message {
            $0.field(3, "boulangerie")
            $0.field(4, bytes)
        }
        let error = #expect(throws: WireError.self) { try RegistryForm(decoding: encoded) }
        #expect(error?.code == .invalidUTF8)
        #expect(error?.field == "other_nature_activity")
    }

    @Test("invalid UTF-8 deep inside a result names its path")
    func invalidUTF8InResultPaths() {
        let candidate = { (label: [UInt8]) in
            ProtoWriter.message {
                $0.field(1, "1071C")
                $0.field(2, label)
            }
        }
        let inCandidate = ProtoWriter.message {
            $0.field(1, "F-1")
            $0.field(4, candidate(Array("ok".utf8)))
            $0.field(4, candidate([0xFF]))
        }
        let error = #expect(throws: WireError.self) { try CodingResult(decoding: inCandidate) }
        #expect(error?.code == .invalidUTF8)
        #expect(error?.field == "candidates[1].label")

        let inForm = ProtoWriter.message { $0.field(9, ProtoWriter.message { $0.field(3, [0x61, 0xFE]) }) }
        let formError = #expect(throws: WireError.self) { try CodingResult(decoding: inForm) }
        #expect(formError?.field == "form.description_activity")

        let inReport = ProtoWriter.message {
            $0.field(5, ProtoWriter.message { $0.field(1, ProtoWriter.message { $0.field(2, [0xC3]) }) })
        }
        let reportError = #expect(throws: WireError.self) { try WorkerReport(decoding: inReport) }
        #expect(reportError?.field == "load_errors[0].model.version")
    }

    @Test("a NUL byte inside a string is refused rather than cutting the text")
    func nulByteInString() {
        let encoded = ProtoWriter.message { $0.field(3, Array("boulangerie".utf8) + [0] + Array(" secrète".utf8)) }
        let error = #expect(throws: WireError.self) { try RegistryForm(decoding: encoded) }
        #expect(error?.code == .invalidValue)
        #expect(error?.field == "description_activity")
    }

    @Test("encoding refuses a NUL character that protobuf-c would cut at")
    func encodingRefusesNul() {
        let form = RegistryForm(descriptionActivity: "a\u{0}b")
        let error = #expect(throws: WireError.self) { try form.encoded() }
        #expect(error?.code == .invalidValue)
        #expect(error?.field == "description_activity")
    }

    @Test("empty bytes are a form with no description")
    func emptyBytes() {
        let error = #expect(throws: WireError.self) { try RegistryForm(decoding: [UInt8]()) }
        #expect(error?.code == .missingField)
    }

    @Test("a string sent as a varint is malformed")
    func wrongWireTypeForString() {
        let encoded = ProtoWriter.message {
            $0.tag(3, wireType: 0)
            $0.varint(1)
        }
        let error = #expect(throws: WireError.self) { try RegistryForm(decoding: encoded) }
        #expect(error?.code == .malformed)
    }

    @Test("results with impossible probabilities are refused", arguments: [Float.nan, -0.1, 1.5, .infinity])
    func impossibleProbabilities(probability: Float) throws {
        var result = Samples.manualReviewResult
        result.candidates[2].probability = probability
        let error = #expect(throws: WireError.self) { try CodingResult(decoding: try result.encoded()) }
        #expect(error?.field == "candidates[2].probability")
        result = Samples.manualReviewResult
        result.confidenceIndex = probability
        let confidenceError = #expect(throws: WireError.self) { try CodingResult(decoding: try result.encoded()) }
        #expect(confidenceError?.field == "confidence_index")
    }

    @Test("results with a non-finite token contribution are refused", arguments: [Float.nan, .infinity])
    func nonFiniteContribution(contribution: Float) throws {
        var result = Samples.manualReviewResult
        result.explanation?.tokens[1].contribution = contribution
        let error = #expect(throws: WireError.self) { try CodingResult(decoding: try result.encoded()) }
        #expect(error?.field == "explanation.tokens[1].contribution")
    }

    @Test("a result carries a rejected form without judging it")
    func resultCarriesInvalidForm() throws {
        var result = Samples.rejectedResult
        result.form = RegistryForm(descriptionActivity: "   ")
        #expect(try CodingResult(decoding: result.encoded()) == result)
    }

    @Test("directives need a package and a canary fraction in [0, 1]")
    func directiveValidation() throws {
        var directive = Samples.directive
        directive.canaryFraction = 1.5
        let canaryError = #expect(throws: WireError.self) { try ModelDirective(decoding: try directive.encoded()) }
        #expect(canaryError?.field == "canary_fraction")
        let missing = ProtoWriter.message {
            $0.varint(1 << 3)
            $0.varint(7)
        }  // generation only
        let packageError = #expect(throws: WireError.self) { try ModelDirective(decoding: missing) }
        #expect(packageError?.code == .missingField)
        #expect(packageError?.field == "package.model")
    }

    @Test("unknown fields are skipped")
    func unknownFieldsSkipped() throws {
        var bytes = try Samples.fullForm.encoded()
        bytes += ProtoWriter.message {
            $0.field(99, [0xFF, 0xFE])  // not a string we know: never read
            $0.tag(100, wireType: 0)
            $0.varint(5)
        }
        #expect(try RegistryForm(decoding: bytes) == Samples.fullForm)
    }
}
