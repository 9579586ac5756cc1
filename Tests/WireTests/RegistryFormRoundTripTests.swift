import Foundation
import Testing
import Wire

@Suite("RegistryForm round trips")
struct RegistryFormRoundTripTests {
    @Test(
        "every field survives encoding and decoding",
        arguments: [
            Samples.fullForm, Samples.minimalForm, Samples.zeroSurfaceForm,
        ]
    )
    func roundTrip(form: RegistryForm) throws {
        #expect(try RegistryForm(decoding: form.encoded()) == form)
    }

    @Test("an absent surface and a surface of 0 stay different")
    func absentSurfaceDiffersFromZero() throws {
        var absent = Samples.minimalForm
        absent.surface = nil
        var zero = absent
        zero.surface = 0
        #expect(try absent.encoded() != zero.encoded())
        #expect(try RegistryForm(decoding: absent.encoded()).surface == nil)
        #expect(try RegistryForm(decoding: zero.encoded()).surface == 0)
    }

    @Test("unicode text comes back byte for byte")
    func unicodeText() throws {
        let form = RegistryForm(
            formID: "F-ü",
            descriptionActivity: "boulangerie pâtisserie",
            otherNatureActivity: "crêperie – salon de thé ☕️, 日本料理, Ωmega",
            precisionActSecAgricole: "e\u{301}levage"  // decomposed é stays decomposed
        )
        let decoded = try RegistryForm(decoding: form.encoded())
        #expect(decoded == form)
        #expect(Array(decoded.descriptionActivity.utf8) == Array("boulangerie pâtisserie".utf8))
        #expect(Array(decoded.precisionActSecAgricole.utf8) == [0x65, 0xCC, 0x81] + Array("levage".utf8))
    }

    @Test("decoding reads from a raw buffer and from a slice")
    func decodesFromBuffersAndSlices() throws {
        let bytes = try Samples.fullForm.encoded()
        let fromBuffer = try bytes.withUnsafeBytes { buffer in try RegistryForm(decoding: buffer) }
        #expect(fromBuffer == Samples.fullForm)
        let framed = [0xAA] + bytes + [0xBB]
        #expect(try RegistryForm(decoding: framed[1..<(framed.count - 1)]) == Samples.fullForm)
        #expect(try RegistryForm(decoding: AnyCollection(bytes)) == Samples.fullForm)
    }

    @Test("extreme numbers survive", arguments: [Int64.max, 0, 1])
    func extremeNumbers(submittedAt: Int64) throws {
        var form = Samples.fullForm
        form.submittedAtUnixMs = submittedAt
        form.surface = .greatestFiniteMagnitude
        #expect(try RegistryForm(decoding: form.encoded()) == form)
    }

    @Test("a form prints as JSON with camelCase names and comes back from it")
    func jsonPrinting() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(Samples.fullForm)
        let text = try #require(String(data: json, encoding: .utf8))
        #expect(text.contains("\"descriptionActivity\":\"boulangerie pâtisserie artisanale\""))
        #expect(text.contains("\"precisionActSecAgricole\""))
        #expect(text.contains("\"surface\":120.5"))
        #expect(try JSONDecoder().decode(RegistryForm.self, from: json) == Samples.fullForm)
    }
}
