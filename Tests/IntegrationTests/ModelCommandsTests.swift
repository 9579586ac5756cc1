import Foundation
import Testing

/// The model commands a user runs on the packaged demo model.
@Suite("Model commands")
struct ModelCommandsTests {
    let package = TestPaths.packageRoot.appendingPathComponent("Models/naf-demo").path

    @Test func theDemoPackageCodesTheSampleFormsAsExpected() async throws {
        let output = try await runToCompletion(
            TestPaths.streamcoder,
            ["code", "--model", package, "--csv", TestPaths.sampleForms.path, "--json"]
        )
        let results = try output.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(results.count == 25)
        // The file has CRLF line ends: "\r\n" is one Character to Swift, so split on scalars.
        let expected = try String(contentsOf: TestPaths.sampleForms, encoding: .utf8)
            .components(separatedBy: .newlines).filter { !$0.isEmpty }.dropFirst()
            .map { String($0.split(separator: ",").last ?? "") }
        let top = results.map { (($0["candidates"] as? [[String: Any]])?.first?["code"] as? String) ?? "" }
        #expect(zip(top, expected).filter { $0 == $1 }.count >= 23, "the demo model codes the samples")
        #expect(results.allSatisfy { ($0["model"] as? [String: Any])?["name"] as? String == "naf-demo" })
    }

    @Test func evaluationPrintsTheThresholdTradeOffAndDrawsIt() async throws {
        let chart = FileManager.default.temporaryDirectory.appendingPathComponent("eval-\(UUID().uuidString).svg")
        let output = try await runToCompletion(
            TestPaths.streamcoder,
            [
                "models", "evaluate", package, "--data", TestPaths.sampleForms.path, "--plot", chart.path,
            ]
        )
        #expect(output.contains("top-1 accuracy"))
        #expect(output.contains("← package threshold"))
        #expect(output.split(separator: "\n").filter { $0.contains(" %") }.count >= 20)
        let svg = try String(contentsOf: chart, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.components(separatedBy: "<polyline").count == 3)
    }

    @Test func inspectLoadsAndChecksThePackage() async throws {
        let output = try await runToCompletion(TestPaths.streamcoder, ["models", "inspect", package])
        #expect(output.contains("naf-demo@"))
        #expect(output.contains("labels: 732"))
        #expect(output.contains("all reproduced"))
    }
}
