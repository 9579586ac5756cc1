import Foundation
import Testing

/// What a newcomer meets on a fresh clone when a command is mistyped or misused: each error says
/// what is wrong with which input and what to do, and exits non-zero.
@Suite("Errors a newcomer meets")
struct NewcomerErrorsTests {
    let demo = TestPaths.packageRoot.appendingPathComponent("Models/naf-demo").path

    /// Runs `arguments`; its exit status and standard error.
    func fail(_ arguments: [String]) async throws -> (status: Int32, error: String, output: String) {
        let child = try ChildProcess(TestPaths.streamcoder, arguments, name: arguments.first ?? "streamcoder")
        let status = try await child.waitForExit()
        try await Task.sleep(for: .milliseconds(100))
        return (status, child.errorOutput, child.lines.joined(separator: "\n"))
    }

    @Test func mistypedCommandsAreAnsweredWithTheNearestOne() async throws {
        let top = try await fail(["modls"])
        #expect(top.status != 0 && top.error.contains("Did you mean 'models'?"), "\(top.error)")
        let nested = try await fail(["models", "trian"])
        #expect(nested.status != 0 && nested.error.contains("Did you mean 'train'?"), "\(nested.error)")
        let version = try await fail(["--version"])
        #expect(version.status == 0 && !version.output.isEmpty, "--version prints one")
    }

    @Test func codeSaysWhatToCodeWithAndWhatAPackageIs() async throws {
        let nothing = try await fail(["code", "TAXI"])
        #expect(nothing.status != 0)
        #expect(nothing.error.contains("--model") && nothing.error.contains("--brokers"), "\(nothing.error)")
        let file = try await fail(["code", "--model", TestPaths.sampleForms.path, "TAXI"])
        #expect(file.error.contains("is a file, not a package directory"), "\(file.error)")
        #expect(!file.error.contains("NSCocoaErrorDomain"))
        let through = try await fail(["code", "--brokers", "127.0.0.1:1", "--explain", "TAXI"])
        #expect(through.status != 0 && through.error.contains("--explain and --top-k apply to a package"))
    }

    @Test func settingsOutOfRangeAndOverwritesAreRefused() async throws {
        let threshold = try await fail(["worker", "--model", demo, "--brokers", "127.0.0.1:1", "--threshold", "2"])
        #expect(threshold.status != 0 && threshold.error.contains("--threshold 2.0 is not a confidence index"))
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
        let train = ["models", "train", "--data", TestPaths.sampleForms.path, "--out", out.path, "--validation", "0"]
        let first = try await fail(train + ["--epoch", "1", "--lr", "0.01", "--quiet"])
        #expect(first.status == 0)
        #expect(first.output.contains("the model learned next to nothing"), "\(first.output)")
        let again = try await fail(train + ["--quiet"])
        #expect(again.status != 0 && again.error.contains("exists already: pass --force"), "\(again.error)")
        let forced = try await fail(train + ["--quiet", "--force", "--epoch", "200"])
        #expect(forced.status == 0 && !forced.output.contains("learned next to nothing"), "\(forced.output)")
    }
}
