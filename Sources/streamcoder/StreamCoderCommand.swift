import ArgumentParser
import Foundation

@main
struct StreamCoderCommand: AsyncParsableCommand {
    /// The version `--version` prints.
    static let version = "0.9.0"

    static let configuration = CommandConfiguration(
        commandName: "streamcoder",
        abstract: "Codes business-registry forms with their NAF activity code, in a Kafka stream.",
        version: version,
        subcommands: [
            DemoCommand.self, WorkerCommand.self, CoordinatorCommand.self, BrokerCommand.self, TopicsCommand.self,
            ProduceCommand.self,
            ConsumeCommand.self, ReplayCommand.self, ModelsCommand.self, CodeCommand.self, BenchCommand.self,
        ]
    )

    /// Set to 1 in a child's environment: it gets SIGTERM when its parent process dies.
    static let exitWithParent = "STREAMCODER_EXIT_WITH_PARENT"

    /// Parses and runs, first turning a mistyped command into a suggestion of the nearest one.
    static func main() async {
        // A process started by another streamcoder (bench swap's worker) ends with it: SIGTERM
        // within a second of the parent dying, even by SIGKILL, instead of running on orphaned.
        if ProcessInfo.processInfo.environment[Self.exitWithParent] == "1" {
            let parent = getppid()
            Thread.detachNewThread {
                while getppid() == parent { Thread.sleep(forTimeInterval: 1) }
                kill(getpid(), SIGTERM)
            }
        }
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let unknown = Suggestion.unknownCommand(in: arguments, of: Self.self) {
            printError("Error: '\(unknown.given)' is not a streamcoder command. \(unknown.hint)")
            printError("See 'streamcoder --help' for the commands.")
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        await main(nil)
    }
}

/// The command a mistyped one was meant to be: the known one fewest edits away.
enum Suggestion {
    /// The first word that should name a subcommand and does not, with a hint; `nil` when the
    /// words are fine (options and arguments are left to the parser).
    static func unknownCommand(
        in arguments: [String],
        of root: any ParsableCommand.Type
    ) -> (given: String, hint: String)? {
        var command = root
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !word.hasPrefix("-"), !subcommands.isEmpty else { return nil }
            let names = subcommands.map { $0.configuration.commandName ?? "\($0)".lowercased() } + ["help"]
            guard let index = names.firstIndex(of: word) else {
                let nearest = names.min { distance(word, $0) < distance(word, $1) }
                let hint =
                    nearest.map { distance(word, $0) <= max(2, word.count / 3) ? "Did you mean '\($0)'?" : "" } ?? ""
                return (word, hint.isEmpty ? "Commands: \(names.joined(separator: ", "))." : hint)
            }
            command = subcommands[index]
        }
        return nil
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
