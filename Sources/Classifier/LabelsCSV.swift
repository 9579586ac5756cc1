import Foundation

/// A labels CSV (`code,label,…` with a header row, RFC 4180 quoting), read as code → label.
enum LabelsCSV {
    /// Reads the `code` and `label` columns of `url`.
    static func read(_ url: URL) throws(ModelPackageError) -> [String: String] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .unreadable(url.path, error.localizedDescription)
        }
        let rows = parse(text)
        guard let header = rows.first, let code = header.firstIndex(of: "code"),
            let label = header.firstIndex(of: "label")
        else {
            throw ModelPackageError(
                .sourceInvalid,
                file: url.path,
                problem: "has no 'code' and 'label' columns in its header",
                remedy: "give a CSV like naf_rev2_subclasses.csv"
            )
        }
        var labels: [String: String] = [:]
        for row in rows.dropFirst() where row.count > max(code, label) {
            labels[row[code]] = row[label]
        }
        return labels
    }

    /// Splits CSV text into rows of fields; quoted fields may hold commas, quotes (doubled) and newlines.
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
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
                row.append(field)
                field = ""
            case (false, "\r"): continue
            case (false, "\n"):
                row.append(field)
                rows.append(row)
                (row, field) = ([], "")
            default: field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !row.isEmpty { rows.append(row + [field]) }
        return rows
    }
}
