import Testing
import Wire

/// One way to break a form, and the error it must produce.
struct BrokenForm: Sendable, CustomTestStringConvertible {
    let testDescription: String
    let code: WireError.Code
    let field: String
    let breakForm: @Sendable (inout RegistryForm) -> Void

    static let all: [BrokenForm] = [
        BrokenForm(testDescription: "empty description", code: .missingField, field: "description_activity") {
            $0.descriptionActivity = ""
        },
        BrokenForm(testDescription: "spaces-only description", code: .blankField, field: "description_activity") {
            $0.descriptionActivity = "   "
        },
        BrokenForm(testDescription: "tabs, newlines, NBSP", code: .blankField, field: "description_activity") {
            $0.descriptionActivity = "\t\n\u{A0}\u{2003}\r\n"
        },
        BrokenForm(testDescription: "long description", code: .fieldTooLong, field: "description_activity") {
            $0.descriptionActivity = String(repeating: "a", count: 2_001)
        },
        BrokenForm(testDescription: "long multibyte description", code: .fieldTooLong, field: "description_activity") {
            $0.descriptionActivity = String(repeating: "é", count: 1_001)  // 2,002 UTF-8 bytes
        },
        BrokenForm(testDescription: "long other nature", code: .fieldTooLong, field: "other_nature_activity") {
            $0.otherNatureActivity = String(repeating: "x", count: 2_001)
        },
        BrokenForm(testDescription: "long precision", code: .fieldTooLong, field: "precision_act_sec_agricole") {
            $0.precisionActSecAgricole = String(repeating: "x", count: 2_001)
        },
        BrokenForm(testDescription: "no form id", code: .missingField, field: "form_id") { $0.formID = "" },
        BrokenForm(testDescription: "blank form id", code: .blankField, field: "form_id") { $0.formID = " \t" },
        BrokenForm(testDescription: "long form id", code: .fieldTooLong, field: "form_id") {
            $0.formID = String(repeating: "9", count: 257)
        },
        BrokenForm(testDescription: "long cj", code: .fieldTooLong, field: "cj") {
            $0.cj = String(repeating: "5", count: 65)
        },
        BrokenForm(testDescription: "long event", code: .fieldTooLong, field: "event") {
            $0.event = String(repeating: "P", count: 65)
        },
        BrokenForm(testDescription: "negative surface", code: .invalidValue, field: "surface") { $0.surface = -1 },
        BrokenForm(testDescription: "NaN surface", code: .invalidValue, field: "surface") { $0.surface = .nan },
        BrokenForm(testDescription: "infinite surface", code: .invalidValue, field: "surface") {
            $0.surface = .infinity
        },
        BrokenForm(testDescription: "negative submitted-at", code: .invalidValue, field: "submitted_at_unix_ms") {
            $0.submittedAtUnixMs = -1
        },
    ]
}

@Suite("RegistryForm validation")
struct RegistryFormValidationTests {
    @Test("validation names the broken field", arguments: BrokenForm.all)
    func validationNamesTheField(broken: BrokenForm) {
        var form = Samples.fullForm
        broken.breakForm(&form)
        let error = #expect(throws: WireError.self) { try form.validate() }
        #expect(error?.code == broken.code)
        #expect(error?.field == broken.field)
        #expect(error?.messageType == "streamcoder.v1.RegistryForm")
        #expect(error?.isRetriable == false)
    }

    @Test("decoding rejects a broken form with the same error", arguments: BrokenForm.all)
    func decodingValidates(broken: BrokenForm) throws {
        var form = Samples.fullForm
        broken.breakForm(&form)
        let bytes = try form.encoded()  // encoding does not validate, so producers' bugs can be reproduced
        let error = #expect(throws: WireError.self) { try RegistryForm(decoding: bytes) }
        #expect(error?.code == broken.code)
        #expect(error?.field == broken.field)
    }

    @Test("a description with text around whitespace is fine, and 0 m² is a valid surface")
    func validEdgeCases() throws {
        var form = RegistryForm(formID: "F-9", descriptionActivity: "  boulangerie  ", surface: 0)
        try form.validate()
        form.descriptionActivity = String(repeating: "é", count: 1_000)  // exactly 2,000 bytes
        try form.validate()
    }

    @Test("limits are configurable")
    func configurableLimits() throws {
        let form = RegistryForm(descriptionActivity: "boulangerie pâtisserie")
        let tight = WireLimits(maxDescriptionBytes: 10)
        let error = #expect(throws: WireError.self) { try form.validate(limits: tight) }
        #expect(error?.code == .fieldTooLong)
        #expect(error?.message.contains("23 UTF-8 bytes") == true)
        let bytes = try Samples.fullForm.encoded()
        let tooLarge = #expect(throws: WireError.self) {
            try RegistryForm(decoding: bytes, limits: WireLimits(maxFormBytes: 100))
        }
        #expect(tooLarge?.code == .messageTooLarge)
        #expect(tooLarge?.field == nil)
    }

    @Test("an error's description names the message, the field and what to do")
    func errorDescription() {
        let form = RegistryForm(descriptionActivity: " ")
        let error = #expect(throws: WireError.self) { try form.validate() }
        let text = error?.description ?? ""
        #expect(text.hasPrefix("streamcoder.v1.RegistryForm.description_activity: "))
        #expect(text.contains("send the free-text description"))
        #expect(text.hasSuffix("[blankField]"))
    }
}
