/// Why ``Trainer`` cannot train.
public struct TrainerError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name as it appears in messages.
        public let name: String

        private init(_ name: String) { self.name = name }

        public var description: String { name }

        /// A hyper-parameter is out of range.
        public static let invalidConfiguration = Code("invalid_configuration")
        /// There is nothing to train on.
        public static let noExamples = Code("no_examples")
        /// The model would be too large to index (rows beyond 32-bit ids) or to allocate.
        public static let tooLarge = Code("too_large")
    }

    /// The kind of failure.
    public let code: Code
    /// What is wrong, in a sentence.
    public let problem: String
    /// What to do about it.
    public let remedy: String

    /// Creates an error.
    public init(_ code: Code, problem: String, remedy: String) {
        self.code = code
        self.problem = problem
        self.remedy = remedy
    }

    public var description: String {
        "cannot train: \(problem) [\(code)] — \(remedy)"
    }

    /// Never: the same data and settings fail the same way again.
    public var retryCanHelp: Bool { false }
}
