import Foundation
import Yams

/// The repository's files, as the deployment checks read them.
enum Repository {
    /// The package root: three levels above this file (Tests/DeploymentTests/Support/).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The compose file, relative to the root.
    static let compose = "compose/docker-compose.yml"

    /// The Kubernetes folder, relative to the root.
    static let kubernetes = "deploy/kubernetes"

    /// A path relative to the root.
    static func url(_ relative: String) -> URL {
        root.appendingPathComponent(relative)
    }

    /// Whether a file or directory exists at a path relative to the root.
    static func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: url(relative).path)
    }

    /// A text file relative to the root.
    static func text(_ relative: String) throws -> String {
        try String(contentsOf: url(relative), encoding: .utf8)
    }

    /// Every file under `folder` whose name ends with one of `extensions`, relative to the root, sorted.
    static func files(under folder: String, extensions: Set<String>) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: url(folder).path) else { return [] }
        return walker.compactMap { $0 as? String }
            .filter { extensions.contains(URL(fileURLWithPath: $0).pathExtension) }
            .map { "\(folder)/\($0)" }
            .sorted()
    }

    /// Every YAML document of a file (a Kubernetes file may hold several, split by `---`).
    static func yamlDocuments(_ relative: String) throws -> [Tree] {
        try parseYAML(text(relative)).map { Tree($0) }
    }

    /// Every document of a YAML text; throws at the first syntax error (`Yams.load_all`'s sequence
    /// would end there quietly, dropping the rest).
    static func parseYAML(_ text: String) throws -> [Any] {
        let parser = try Parser(yaml: text)
        var documents: [Any] = []
        while let root = try parser.nextRoot() {
            documents.append(root.any)
        }
        return documents
    }

    /// The one YAML document of a file.
    static func yaml(_ relative: String) throws -> Tree {
        Tree(try Yams.load(yaml: text(relative)))
    }

    /// A JSON file.
    static func json(_ relative: String) throws -> Tree {
        Tree(try JSONSerialization.jsonObject(with: Data(contentsOf: url(relative))))
    }

    /// Every Kubernetes document of deploy/kubernetes/, in the order `kubectl apply -f` reads them.
    static func kubernetesDocuments() throws -> [Tree] {
        try files(under: kubernetes, extensions: ["yaml", "yml"]).flatMap { try yamlDocuments($0) }
    }

    /// Every Swift source of Sources/, concatenated: what the checks grep names from.
    static func swiftSources() throws -> String {
        try files(under: "Sources", extensions: ["swift"]).map { try text($0) }.joined(separator: "\n")
    }
}

/// A parsed YAML or JSON value, navigated by key and index; a missing part reads as an empty tree.
struct Tree {
    /// The value: a dictionary, an array, a string, a number, a boolean, or `nil` when missing.
    let value: Any?

    init(_ value: Any?) {
        self.value = value is NSNull ? nil : value
    }

    /// The value under `key` of a mapping.
    subscript(key: String) -> Tree {
        if let mapping = value as? [String: Any] { return Tree(mapping[key]) }
        if let mapping = value as? [AnyHashable: Any] { return Tree(mapping[AnyHashable(key)]) }
        return Tree(nil)
    }

    /// Whether there is a value here.
    var exists: Bool { value != nil }

    /// A scalar as text: YAML reads `9464` as a number and `"9464"` as a string; both are 9464 here.
    var string: String? {
        switch value {
        case let text as String: text
        case let number as Int: String(number)
        case let number as Double: String(number)
        case let flag as Bool: String(flag)
        default: nil
        }
    }

    /// A scalar as an integer.
    var int: Int? { string.flatMap { Int($0) } }

    /// The items of a sequence (none when this is not one).
    var list: [Tree] { (value as? [Any])?.map { Tree($0) } ?? [] }

    /// The entries of a mapping, sorted by key (none when this is not one).
    var entries: [(key: String, value: Tree)] {
        if let mapping = value as? [String: Any] {
            return mapping.map { ($0.key, Tree($0.value)) }.sorted { $0.key < $1.key }
        }
        if let mapping = value as? [AnyHashable: Any] {
            return mapping.map { ("\($0.key.base)", Tree($0.value)) }.sorted { $0.key < $1.key }
        }
        return []
    }

    /// The keys of a mapping, sorted.
    var keys: [String] { entries.map(\.key) }

    /// A mapping of scalars as text (an environment block, a ConfigMap's data).
    var stringMap: [String: String] {
        Dictionary(uniqueKeysWithValues: entries.compactMap { entry in entry.value.string.map { (entry.key, $0) } })
    }

    /// A sequence of scalars as text.
    var strings: [String] { list.compactMap(\.string) }
}
