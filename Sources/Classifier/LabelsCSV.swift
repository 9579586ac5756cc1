import Foundation

/// A labels CSV (`code,label,…` with a header row), read as code → label.
public enum LabelsCSV {
    /// Reads the `code` and `label` columns of `url`.
    public static func read(_ url: URL) throws(ModelPackageError) -> [String: String] {
        let table: CSVTable
        do throws(CSVFileError) {
            table = try CSVTable(contentsOf: url.path)
        } catch {
            throw error.code == .empty ? invalid(url) : .unreadable(url.path, error.problem)
        }
        guard let code = table.index(of: "code"), let label = table.index(of: "label") else { throw invalid(url) }
        var labels: [String: String] = [:]
        for row in table.rows where row.count > max(code, label) {
            labels[row[code]] = row[label]
        }
        return labels
    }

    private static func invalid(_ url: URL) -> ModelPackageError {
        ModelPackageError(
            .sourceInvalid,
            file: url.path,
            problem: "has no 'code' and 'label' columns in its header",
            remedy: "give a CSV like naf_rev2_subclasses.csv"
        )
    }
}
