import Foundation

/// The files commands use by default (the NAF table, the sample forms, the demo model), found
/// whatever the working directory: in it, then in the project the binary was built in (found by
/// walking up from the executable), then in `$STREAMCODER_HOME`, then in `/usr/share/streamcoder`
/// (where the container image installs them).
enum ProjectFiles {
    static let nafTable = "data/naf_rev2_subclasses.csv"
    static let sampleForms = "data/sirene_examples.csv"
    static let demoModel = "Models/naf-demo"

    /// `given` when an option named a path; otherwise the first place holding `relative`.
    static func path(_ given: String?, default relative: String, option: String) throws -> String {
        if let given { return given }
        let files = FileManager.default
        for root in roots where files.fileExists(atPath: root.appendingPathComponent(relative).path) {
            return root.appendingPathComponent(relative).path
        }
        throw CommandError(
            "cannot find \(relative) (looked in \(roots.map(\.path).joined(separator: ", "))): pass \(option) PATH, "
                + "or set STREAMCODER_HOME to the StreamCoder directory"
        )
    }

    /// Where defaults are looked for, in order.
    static var roots: [URL] {
        var roots = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                roots.append(directory)
                break
            }
            directory.deleteLastPathComponent()
        }
        if let home = ProcessInfo.processInfo.environment["STREAMCODER_HOME"] {
            roots.append(URL(fileURLWithPath: home))
        }
        roots.append(URL(fileURLWithPath: "/usr/share/streamcoder"))
        return roots
    }
}
