import Wire

import struct Classifier.CSVTable

extension RegistryForm {
    /// Column names accepted for each field: the contract's names, and those of the reference
    /// API's example file (`text_description`, `type_`).
    static var csvColumns: [(field: WritableKeyPath<RegistryForm, String> & Sendable, names: [String])] {
        [
            (\.formID, ["form_id"]),
            (\.siren, ["siren"]),
            (\.descriptionActivity, ["description_activity", "text_description", "libelle_activite"]),
            (\.otherNatureActivity, ["other_nature_activity"]),
            (\.precisionActSecAgricole, ["precision_act_sec_agricole"]),
            (\.typeForm, ["type_form", "type_", "type"]),
            (\.nature, ["nature"]),
            (\.cj, ["cj"]),
            (\.activityPermanenceStatus, ["activity_permanence_status"]),
            (\.event, ["event"]),
        ]
    }

    /// Reads a form from a CSV row; `formID` is used when the file has no `form_id` column.
    init(csvRow row: [String], of table: CSVTable, line: Int, formID: String) throws {
        self.init(formID: formID, descriptionActivity: "")
        for (field, names) in Self.csvColumns {
            if let value = names.lazy.compactMap({ table.value($0, in: row) }).first, !value.isEmpty {
                self[keyPath: field] = value
            }
        }
        if let surface = table.value("surface", in: row), !surface.isEmpty {
            guard let square = Double(surface) else {
                throw CommandError("line \(line): surface \"\(surface)\" is not a number of square metres")
            }
            self.surface = square
        }
    }

    /// Checks that a table has a column for the activity text.
    static func checkColumns(of table: CSVTable, path: String) throws {
        let names = csvColumns.first { $0.field == \.descriptionActivity }!.names
        guard names.contains(where: table.columns.contains) else {
            throw CommandError(
                "\(path) has no activity text column: expected one of \(names.joined(separator: ", ")) "
                    + "(columns found: \(table.columns.joined(separator: ", ")))"
            )
        }
    }
}
