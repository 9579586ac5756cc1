import Foundation

/// A CSV file read whole: RFC 4180 quoting (commas, quotes and newlines inside quoted fields),
/// a header row naming the columns. The one CSV reader of the project: labels, training data
/// and the command line's form files all go through it.
public struct CSVTable: Sendable {
    /// The file the table was read from, for messages.
    public let path: String
    /// Column names of the header row, trimmed of surrounding spaces.
    public let columns: [String]
    /// Data rows, each with as many fields as it had in the file; blank lines are skipped.
    public let rows: [[String]]

    /// Reads and parses the file at `path`.
    public init(contentsOf path: String) throws(CSVFileError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CSVFileError(
                .unreadable,
                file: path,
                problem: "cannot be read (no such file, or not readable)",
                remedy: "check the path and permissions"
            )
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CSVFileError(
                .notUTF8,
                file: path,
                problem: "is not UTF-8 text",
                remedy: "convert it, e.g. iconv -f latin1 -t utf-8"
            )
        }
        try self.init(text: text, path: path)
    }

    /// Parses CSV `text`; `path` names it in errors.
    public init(text: String, path: String) throws(CSVFileError) {
        let (records, openQuoteLine) = Self.records(of: text)
        if let openQuoteLine {
            throw CSVFileError(
                .invalidValue,
                file: path,
                problem: "has a quote opened on line \(openQuoteLine) that is never closed (the rest of the file "
                    + "would be read as one field)",
                remedy: "close the quoted field, or double a quote inside it (\"\")"
            )
        }
        guard let header = records.first, header.contains(where: { !$0.isEmpty }) else {
            throw CSVFileError(
                .empty,
                file: path,
                problem: "is empty: expected a header row naming the columns",
                remedy: "give a CSV whose first line names its columns"
            )
        }
        self.path = path
        columns = header.map { $0.trimmingCharacters(in: .whitespaces) }
        rows = Array(records.dropFirst())
    }

    /// The index of `column`, or nil when the table has no such column.
    public func index(of column: String) -> Int? {
        columns.firstIndex(of: column)
    }

    /// The index of `column`; an error naming the file and the column when it is absent.
    public func requireColumn(_ column: String, remedy: String) throws(CSVFileError) -> Int {
        guard let index = index(of: column) else {
            throw .missing(column, file: path, columns: columns, remedy: remedy)
        }
        return index
    }

    /// The value of `column` in `row`, or nil when the table has no such column; a row shorter
    /// than the header reads as empty fields.
    public func value(_ column: String, in row: [String]) -> String? {
        guard let index = index(of: column) else { return nil }
        return index < row.count ? row[index] : ""
    }

    /// Splits CSV text into records of fields; a record that is one empty field (a blank line) is dropped.
    public static func parse(_ text: String) -> [[String]] {
        records(of: text).records
    }

    /// The records of `text`, and the line of a quote still open at its end, if any.
    private static func records(of text: String) -> (records: [[String]], openQuoteLine: Int?) {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var quoteLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending = iterator.next()
        while let scalar = pending {
            pending = iterator.next()
            if scalar == "\n" { line += 1 }
            switch (quoted, scalar) {
            case (true, "\""):
                if pending == "\"" {
                    field.unicodeScalars.append("\"")
                    pending = iterator.next()
                } else {
                    quoted = false
                }
            case (true, _): field.unicodeScalars.append(scalar)
            case (false, "\""):
                quoted = true
                quoteLine = line
            case (false, ","):
                record.append(field)
                field = ""
            case (false, "\r"): continue
            case (false, "\n"):
                record.append(field)
                field = ""
                if record != [""] { records.append(record) }
                record = []
            default: field.unicodeScalars.append(scalar)
            }
        }
        record.append(field)
        if record != [""] { records.append(record) }
        return (records, quoted ? quoteLine : nil)
    }
}
