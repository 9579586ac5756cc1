import Foundation

/// The repository's Dockerfile as a list of instructions, grouped by stage.
struct Dockerfile {
    /// One instruction: its keyword (upper case) and the rest of its line, continuations joined.
    struct Instruction {
        let keyword: String
        let arguments: String

        /// The words of the arguments, split on whitespace (shell form; flags included).
        var words: [String] { arguments.split(whereSeparator: \.isWhitespace).map(String.init) }

        /// The value of a `--name=value` flag of the instruction (`COPY --from=build`).
        func flag(_ name: String) -> String? {
            words.first { $0.hasPrefix("--\(name)=") }.map { String($0.dropFirst(name.count + 3)) }
        }

        /// The words that are not flags: a COPY's sources then its destination.
        var operands: [String] { words.filter { !$0.hasPrefix("--") } }

        /// The exec form (`["a", "b"]`) as its elements, or `nil` for the shell form.
        var execForm: [String]? {
            guard arguments.hasPrefix("[") else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(arguments.utf8))) as? [String]
        }
    }

    /// A build stage: its base image, its name (after `AS`), and its instructions.
    struct Stage {
        let image: String
        let name: String?
        var instructions: [Instruction] = []

        /// The instructions with a keyword.
        func all(_ keyword: String) -> [Instruction] { instructions.filter { $0.keyword == keyword } }
    }

    /// The stages in order; the last one is the image that runs.
    let stages: [Stage]

    /// Reads `Dockerfile` at the repository root.
    static func load() throws -> Dockerfile {
        try Dockerfile(text: Repository.text("Dockerfile"))
    }

    /// Parses the instructions: comments and blank lines dropped, `\` continuations joined.
    init(text: String) throws {
        var stages: [Stage] = []
        var pending = ""
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || (line.isEmpty && pending.isEmpty) { continue }
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
                continue
            }
            let whole = (pending + line).trimmingCharacters(in: .whitespaces)
            pending = ""
            guard !whole.isEmpty else { continue }
            let keyword = String(whole.prefix { !$0.isWhitespace }).uppercased()
            let arguments = whole.dropFirst(keyword.count).trimmingCharacters(in: .whitespaces)
            let instruction = Instruction(keyword: keyword, arguments: arguments)
            if keyword == "FROM" {
                let words = instruction.operands
                let named = words.count == 3 && words[1].uppercased() == "AS"
                stages.append(Stage(image: words.first ?? "", name: named ? words[2] : nil))
            } else if stages.isEmpty {
                throw DeploymentFailure("Dockerfile: \(keyword) before the first FROM")
            } else {
                stages[stages.count - 1].instructions.append(instruction)
            }
        }
        self.stages = stages
    }

    /// The stage that runs: the last one.
    var runtime: Stage { stages[stages.count - 1] }

    /// The stage named `name`.
    func stage(_ name: String) -> Stage? { stages.first { $0.name == name } }

    /// The Debian packages a stage installs with `apt-get install`.
    static func aptPackages(of stage: Stage) -> Set<String> {
        var packages: Set<String> = []
        for run in stage.all("RUN") {
            for command in run.arguments.components(separatedBy: "&&") {
                let words = command.split(whereSeparator: \.isWhitespace).map(String.init)
                guard let install = words.firstIndex(of: "install"), words[..<install].contains("apt-get") else {
                    continue
                }
                packages.formUnion(words[(install + 1)...].filter { !$0.hasPrefix("-") })
            }
        }
        return packages
    }
}

/// The patterns of `.dockerignore`: which files the build context leaves out.
struct DockerIgnore {
    let patterns: [String]

    /// Reads `.dockerignore` at the repository root.
    static func load() throws -> DockerIgnore {
        let lines = try Repository.text(".dockerignore").split(separator: "\n").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        return DockerIgnore(patterns: lines.filter { !$0.isEmpty && !$0.hasPrefix("#") })
    }

    /// Whether `path` (relative to the root) or a folder above it is left out of the context.
    func excludes(_ path: String) -> Bool {
        let components = path.split(separator: "/").map(String.init)
        let prefixes = components.indices.map { components[...$0].joined(separator: "/") }
        return patterns.contains { pattern in
            let trimmed = pattern.hasPrefix("**/") ? String(pattern.dropFirst(3)) : pattern
            let candidates = pattern.hasPrefix("**/") ? components : prefixes
            return candidates.contains { fnmatch(trimmed, $0, FNM_PATHNAME) == 0 }
        }
    }
}
