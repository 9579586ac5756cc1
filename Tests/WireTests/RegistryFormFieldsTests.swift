import Testing
import Wire

@Suite("Form fields by contract name")
struct RegistryFormFieldsTests {
    @Test func everyFieldIsNamedAsInTheProtoAndTheSurfaceOnlyWhenDeclared() {
        var form = RegistryForm(
            formID: "f",
            siren: "123456789",
            descriptionActivity: "boulangerie",
            otherNatureActivity: "o",
            precisionActSecAgricole: "p",
            typeForm: "M",
            nature: "99",
            cj: "5499",
            activityPermanenceStatus: "P",
            event: "01P"
        )
        #expect(
            form.fieldsByName == [
                "form_id": "f", "siren": "123456789", "description_activity": "boulangerie",
                "other_nature_activity": "o",
                "precision_act_sec_agricole": "p", "type_form": "M", "nature": "99", "cj": "5499",
                "activity_permanence_status": "P", "event": "01P",
            ]
        )
        form.surface = 42.5
        #expect(form.fieldsByName["surface"] == "42.5")
    }
}
