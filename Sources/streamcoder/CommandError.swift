/// A command-line failure with what to do about it (a CSV file that cannot be used, an answer
/// that did not come).
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
