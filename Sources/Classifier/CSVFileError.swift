/// Why a CSV file (training data, labels, forms) cannot be used.
///
/// Every failure names the file and, when it is about a column, the column; it says what to do.
public struct CSVFileError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, stable across releases.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name as it appears in messages.
        public let name: String

        private init(_ name: String) { self.name = name }

        public var description: String { name }

        /// The file does not exist or cannot be read.
        public static let unreadable = Code("csv_unreadable")
        /// The file is not UTF-8 text.
        public static let notUTF8 = Code("csv_not_utf8")
        /// The file has no header row, or no data rows where some are needed.
        public static let empty = Code("csv_empty")
        /// A column the caller needs is not in the header.
        public static let missingColumn = Code("csv_missing_column")
        /// A field holds a value the caller cannot use.
        public static let invalidValue = Code("csv_invalid_value")
    }

    /// The kind of failure.
    public let code: Code
    /// The path of the file.
    public let file: String
    /// The column the failure is about, if any.
    public let column: String?
    /// What is wrong, in a sentence.
    public let problem: String
    /// What to do about it.
    public let remedy: String

    /// Creates an error about `file` (and `column`).
    public init(_ code: Code, file: String, column: String? = nil, problem: String, remedy: String) {
        self.code = code
        self.file = file
        self.column = column
        self.problem = problem
        self.remedy = remedy
    }

    public var description: String {
        "\(file): \(problem) [\(code)] — \(remedy)"
    }
}

extension CSVFileError {
    /// `file` lacks `column`; lists the columns it has.
    static func missing(_ column: String, file: String, columns: [String], remedy: String) -> CSVFileError {
        CSVFileError(
            .missingColumn,
            file: file,
            column: column,
            problem: "has no column '\(column)' (columns found: \(columns.joined(separator: ", ")))",
            remedy: remedy
        )
    }
}
