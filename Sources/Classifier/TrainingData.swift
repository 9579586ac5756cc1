import Foundation

/// One labelled text to train on or to evaluate with.
public struct TrainingExample: Sendable, Equatable {
    /// The text, as the model will see it (the trainer applies no cleaning, as fastText).
    public var text: String
    /// The expected code, e.g. `1071C`.
    public var label: String

    /// Creates an example.
    public init(text: String, label: String) {
        self.text = text
        self.label = label
    }
}

/// Labelled examples read from a CSV file, and their split into training and held-out parts.
public struct TrainingData: Sendable {
    /// Columns tried for the text when none is named: the form field, then the reference API's.
    public static let textColumns = ["description_activity", "text_description", "libelle_activite"]

    /// The examples, in file order.
    public var examples: [TrainingExample]
    /// Rows left out because their text or label was empty.
    public var skippedRows: Int

    /// Creates data from examples.
    public init(examples: [TrainingExample], skippedRows: Int = 0) {
        self.examples = examples
        self.skippedRows = skippedRows
    }

    /// Reads the labelled rows of a CSV file. Rows with an empty text or label are skipped (and
    /// counted); a file with no column for the text or the label, or no labelled row, is refused.
    ///
    /// - Parameters:
    ///   - textColumn: the text's column; `nil` takes the first of ``textColumns`` present.
    ///   - labelColumn: the code's column.
    public static func read(
        csv path: String,
        textColumn: String? = nil,
        labelColumn: String = "code"
    ) throws(CSVFileError) -> TrainingData {
        let table = try CSVTable(contentsOf: path)
        let text = try textIndex(of: table, named: textColumn)
        let label = try table.requireColumn(
            labelColumn,
            remedy: "name the code column with --label-column, or add a '\(labelColumn)' column"
        )
        var data = TrainingData(examples: [])
        for row in table.rows {
            let value = text < row.count ? row[text] : ""
            let code = label < row.count ? row[label].trimmingCharacters(in: .whitespaces) : ""
            if value.isEmpty || code.isEmpty {
                data.skippedRows += 1
            } else {
                data.examples.append(TrainingExample(text: value, label: code))
            }
        }
        guard !data.examples.isEmpty else {
            throw CSVFileError(
                .empty,
                file: path,
                column: labelColumn,
                problem: "has no row with both a text and a '\(labelColumn)' value",
                remedy: "give a CSV with one labelled example per row"
            )
        }
        return data
    }

    private static func textIndex(of table: CSVTable, named column: String?) throws(CSVFileError) -> Int {
        let remedy = "name the text column with --text-column"
        if let column { return try table.requireColumn(column, remedy: remedy) }
        guard let index = textColumns.lazy.compactMap(table.index(of:)).first else {
            throw .missing(textColumns[0], file: table.path, columns: table.columns, remedy: remedy)
        }
        return index
    }

    /// Splits off a random `fraction` of the examples (rounded) as held-out data, the same for the
    /// same seed. Both parts keep their order of the file.
    public func split(
        validationFraction fraction: Double,
        seed: UInt64
    ) -> (training: [TrainingExample], validation: [TrainingExample]) {
        let count = Int((Double(examples.count) * min(max(fraction, 0), 1)).rounded())
        guard count > 0 else { return (examples, []) }
        var order = Array(examples.indices)
        var generator = SeededGenerator(seed: seed ^ 0x5EED_0F_5B11)
        generator.shuffle(&order)
        let held = Set(order.prefix(count))
        let training = examples.indices.filter { !held.contains($0) }.map { examples[$0] }
        let validation = examples.indices.filter { held.contains($0) }.map { examples[$0] }
        return (training, validation)
    }

    /// Codes of the examples that `labels` (code → label) has no entry for, sorted.
    public func codesMissing(from labels: [String: String]) -> [String] {
        Set(examples.map(\.label)).filter { labels[$0] == nil }.sorted()
    }
}
