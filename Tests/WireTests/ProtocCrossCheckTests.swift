import Foundation
import Testing
import Wire

/// A fixture, the proto message it holds, and the Swift value written out by hand to match it.
struct ProtocFixture: Sendable, CustomTestStringConvertible {
    let name: String
    let expected: any WireMessage

    var testDescription: String { name }
    /// The proto message name without its package, e.g. `RegistryForm`.
    var type: String { String(describing: Swift.type(of: expected)) }

    /// Whether the Wire decoding of `bytes` equals the hand-written value.
    func decodedMatches(_ bytes: [UInt8]) throws -> Bool {
        func matches<Message: WireMessage>(_ expected: Message) throws -> Bool {
            try Message(decoding: bytes, limits: .default) == expected
        }
        return try matches(expected)
    }

    /// The Wire encoding of the hand-written value.
    func encodedWithWire() throws -> [UInt8] {
        try expected.encoded()
    }

    static let all: [ProtocFixture] = [
        ProtocFixture(name: "form_full", expected: Samples.fullForm),
        ProtocFixture(name: "form_minimal", expected: Samples.minimalForm),
        ProtocFixture(name: "form_zero_surface", expected: Samples.zeroSurfaceForm),
        ProtocFixture(name: "result_manual_review", expected: Samples.manualReviewResult),
        ProtocFixture(name: "result_rejected", expected: Samples.rejectedResult),
        ProtocFixture(name: "directive", expected: Samples.directive),
        ProtocFixture(name: "worker_report", expected: Samples.workerReport),
    ]
}

/// Our protobuf-c based Wire against protoc, the reference implementation, both ways.
@Suite("Cross-checks with protoc")
struct ProtocCrossCheckTests {
    @Test("Wire decodes protoc's encoding of each fixture to the expected value", arguments: ProtocFixture.all)
    func wireReadsProtocBytes(fixture: ProtocFixture) throws {
        let bytes = try Protoc.fixture(fixture.name)
        #expect(try fixture.decodedMatches(bytes), "\(fixture.name).bin decoded differently from Samples")
    }

    @Test("protoc reads Wire's encoding as the same message as the fixture", arguments: ProtocFixture.all)
    func protocReadsWireBytes(fixture: ProtocFixture) throws {
        let ours = try Protoc.decode(try fixture.encodedWithWire(), as: fixture.type)
        let reference = try Protoc.decode(try Protoc.fixture(fixture.name), as: fixture.type)
        #expect(ours == reference)
    }

    @Test("the committed .bin files are protoc's encoding of their .txtpb", arguments: ProtocFixture.all)
    func fixturesAreFresh(fixture: ProtocFixture) throws {
        let text = try Protoc.fixtureText(fixture.name)
        #expect(
            try Protoc.encode(text, as: fixture.type) == Protoc.fixture(fixture.name),
            "run scripts/fixtures/make-wire-fixtures.sh"
        )
    }

    @Test("protoc sees unicode text, an absent surface and a zero surface as Wire wrote them")
    func protocSeesFieldValues() throws {
        let full = try Protoc.decode(try Samples.fullForm.encoded(), as: "RegistryForm")
        // protoc prints non-ASCII bytes as octal escapes: "â" is \303\242.
        #expect(full.contains(#"description_activity: "boulangerie p\303\242tisserie artisanale""#))
        #expect(full.contains("square_metres: 120.5"))
        let minimal = try Protoc.decode(try Samples.minimalForm.encoded(), as: "RegistryForm")
        #expect(!minimal.contains("surface"))
        let zero = try Protoc.decode(try Samples.zeroSurfaceForm.encoded(), as: "RegistryForm")
        #expect(zero.contains("surface {\n}"))
    }

    @Test("protoc reads a Wire result's enums, floats and repeated fields")
    func protocSeesResultValues() throws {
        let text = try Protoc.decode(try Samples.manualReviewResult.encoded(), as: "CodingResult")
        #expect(text.contains("decision: DECISION_MANUAL_REVIEW"))
        #expect(text.components(separatedBy: "candidates {").count == 4)
        #expect(text.contains("probability: 0.375"))
        #expect(text.contains("contribution: -0.5"))
        #expect(text.contains("form {"))
    }
}
