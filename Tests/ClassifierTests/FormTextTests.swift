import Testing

@testable import Classifier

@Suite("Form text")
struct FormTextTests {
    @Test("text fields are joined in manifest order, skipping empty ones, then categorical tokens follow")
    func fieldsJoinedThenCategoricalTokens() {
        let manifest = TinyModel.manifest
        let fields = ["other_nature_activity": "au levain", "description_activity": "boulangerie", "type_form": "X"]
        #expect(manifest.text(fromFields: fields) == "boulangerie au levain TYPE_X")
        #expect(
            manifest.text(fromFields: ["description_activity": "pain", "other_nature_activity": ""]) == "pain TYPE_NaN"
        )
    }

    @Test("unknown and missing categorical values map to the reserved id, never an error")
    func unknownValuesMapToReservedId() {
        let feature = TinyModel.manifest.categorical[0]
        #expect(feature.id(for: "M") == 1)
        #expect(feature.id(for: "Z") == 0)
        #expect(feature.id(for: nil) == 0)
        #expect(feature.token(for: "Z") == "TYPE_NaN")
    }

    @Test("a surface falls in the bin counting the edges at or below it")
    func surfaceBins() {
        let surface = CategoricalFeature(
            name: "surface",
            field: "surface",
            vocabulary: ["S0", "S1", "S2", "S3", "unknown"],
            unknownId: 4,
            bins: [120, 400, 2500],
            tokenPrefix: "SURF_"
        )
        #expect(surface.id(for: "50") == 0)
        #expect(surface.id(for: "120") == 1)
        #expect(surface.id(for: "399.5") == 1)
        #expect(surface.id(for: "10000") == 3)
        #expect(surface.id(for: "") == 4)
        #expect(surface.id(for: "grand") == 4)
        #expect(surface.token(for: "500") == "SURF_S2")
    }
}

@Suite("Form text normalisation")
struct FormTextNormalisationTests {
    @Test("a lowercase normalisation lowercases the joined text but not the categorical tokens")
    func lowercaseNormalisation() {
        var manifest = TinyModel.manifest
        manifest.text.normalization = .lowercase
        let fields = ["description_activity": "BOULANGERIE Pâtisserie", "type_form": "M"]
        #expect(manifest.text(fromFields: fields) == "boulangerie pâtisserie TYPE_M")
    }
}
