import Foundation
import Testing

/// The README's first command, as a user runs it (a smaller stream, from another directory): the
/// demo's report accounts for every form, says how many each model version coded around the swap
/// midway, and gives the accuracy on forms the model never saw apart.
@Suite("The demo", .serialized)
struct DemoProcessTests {
    @Test func theDemoSwapsModelsMidwayAndAccountsForEveryForm() async throws {
        // From another working directory, with no path given: the defaults are the project's.
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let demo = try ChildProcess(
            TestPaths.streamcoder,
            ["demo", "--generated", "975"],
            name: "demo",
            environment: ["STREAMCODER_LOG_LEVEL": "info"],
            directory: elsewhere
        )
        #expect(try await demo.waitForExit(timeout: .seconds(120)) == 0, "\(demo.diagnostics)")
        try await Task.sleep(for: .milliseconds(100))
        let output = demo.lines.joined(separator: "\n")
        // At the default level, a normal run says nothing on standard error worth a second look.
        let noise = demo.errorOutput.split(separator: "\n").filter {
            $0.contains(" warning ") || $0.contains(" error ") || $0.contains(" notice ") || $0.contains(" critical ")
        }
        #expect(noise.isEmpty, "\(noise.joined(separator: "\n"))")
        #expect(output.contains("every form accounted for: 1000 published = 1000 results"), "\(output)")
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("coded per model version: ") })
        let counts = line.matches(of: /naf-demo@[0-9.]+(-t030)? (\d+)/).map { Int($0.output.2) ?? 0 }
        #expect(counts.count == 2 && counts.reduce(0, +) == 1_000, "two versions, every form once: \(line)")
        #expect(counts.allSatisfy { $0 > 0 }, "each version coded forms: \(line)")
        #expect(output.contains("coordinator: directive 1, 2 workers reporting"), "\(output)")
        #expect(output.contains("forms never seen in training: "), "\(output)")
    }
}
