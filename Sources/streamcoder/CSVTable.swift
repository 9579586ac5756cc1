import Foundation

/// A CSV file read whole: RFC 4180 quoting (commas, quotes and newlines inside quoted fields),
/// a header row naming the columns.
struct CSVTable {
    /// Column names of the header row.
    let columns: [String]
    /// Data rows, each with as many fields as it had in the file.
    let rows: [[String]]

    /// Reads and parses the file at `path`; errors name the file.
    init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CSVError("cannot read \(path): no such file or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CSVError("\(path) is not UTF-8 text; convert it (e.g. iconv -f latin1 -t utf-8)")
        }
        let records = Self.parse(text)
        guard let header = records.first, !header.isEmpty else {
            throw CSVError("\(path) is empty: expected a header row")
        }
        columns = header.map { $0.trimmingCharacters(in: .whitespaces) }
        rows = Array(records.dropFirst())
    }

    /// The value of `column` in `row`, or nil when the table has no such column.
    func value(_ column: String, in row: [String]) -> String? {
        guard let index = columns.firstIndex(of: column) else { return nil }
        return index < row.count ? row[index] : ""
    }

    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending = iterator.next()
        while let scalar = pending {
            pending = iterator.next()
            switch (quoted, scalar) {
            case (true, "\""):
                if pending == "\"" {
                    field.unicodeScalars.append("\"")
                    pending = iterator.next()
                } else {
                    quoted = false
                }
            case (true, _): field.unicodeScalars.append(scalar)
            case (false, "\""): quoted = true
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
        return records
    }
}

/// A CSV file that cannot be used, with what to do about it.
struct CSVError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
