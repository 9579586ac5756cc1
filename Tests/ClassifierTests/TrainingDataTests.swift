import Foundation
import Testing

@testable import Classifier

/// Training data is read from CSV; a file that cannot be used says which file and which column.
@Suite("Training data")
struct TrainingDataTests {
    private func refusal(
        _ text: String,
        textColumn: String? = nil,
        code: CSVFileError.Code,
        column: String?,
        name: String = #function
    ) throws {
        let path = try SyntheticTrainingData.csvFile(text, name: name)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        #expect {
            _ = try TrainingData.read(csv: path, textColumn: textColumn)
        } throws: { error in
            guard let error = error as? CSVFileError else { return false }
            let namesColumn = column.map { error.column == $0 && error.description.contains("'\($0)'") } ?? true
            return error.code == code && error.file == path && error.description.contains(path) && namesColumn
        }
    }

    @Test("a CSV without the code column is refused, naming the file and the column")
    func missingLabelColumn() throws {
        try refusal("text_description,naf\nPAIN,1071C\n", code: .missingColumn, column: "code")
    }

    @Test("a CSV without a text column is refused, naming the file and the column expected")
    func missingTextColumn() throws {
        try refusal("texte,code\nPAIN,1071C\n", code: .missingColumn, column: "description_activity")
        try refusal("texte,code\nPAIN,1071C\n", textColumn: "libelle", code: .missingColumn, column: "libelle")
    }

    @Test("an empty CSV, or one with no labelled row, is refused, naming the file")
    func emptyFile() throws {
        try refusal("", code: .empty, column: nil)
        try refusal("text_description,code\n", code: .empty, column: "code")
        try refusal("text_description,code\n,1071C\nPAIN,\n", code: .empty, column: "code")
    }

    @Test("a missing file is refused, naming it")
    func missingFile() {
        #expect {
            _ = try TrainingData.read(csv: "/nonexistent/data.csv")
        } throws: { ($0 as? CSVFileError)?.code == .unreadable && "\($0)".contains("/nonexistent/data.csv") }
    }

    @Test("rows are read with RFC 4180 quoting; rows without a text or a code are skipped and counted")
    func readsRows() throws {
        let path = try SyntheticTrainingData.csvFile(
            "code,description_activity,other\n1071C,\"PAIN, VIENNOISERIE\",x\n4399C,\"MACONNERIE\nGENERALE\",y\n,RIEN,z\n"
        )
        let data = try TrainingData.read(csv: path)
        #expect(
            data.examples == [
                TrainingExample(text: "PAIN, VIENNOISERIE", label: "1071C"),
                TrainingExample(text: "MACONNERIE\nGENERALE", label: "4399C"),
            ]
        )
        #expect(data.skippedRows == 1)
        #expect(data.codesMissing(from: ["1071C": "Boulangerie"]) == ["4399C"])
    }

    @Test("the held-out split is disjoint, complete and the same for the same seed")
    func splitIsDeterministic() {
        let data = TrainingData(examples: SyntheticTrainingData.examples(perCode: 10))
        let (training, validation) = data.split(validationFraction: 0.25, seed: 4)
        #expect(validation.count == 15 && training.count == 45)
        #expect(Set((training + validation).map(\.text)) == Set(data.examples.map(\.text)))
        let again = data.split(validationFraction: 0.25, seed: 4)
        #expect(again.training == training && again.validation == validation)
        #expect(data.split(validationFraction: 0, seed: 4).validation.isEmpty)
    }
}
