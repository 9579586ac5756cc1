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

    @Test func aModelTrainedWithInseesPreprocessingCodesNaturalTextAsRegistryText() async throws {
        let package = FileManager.default.temporaryDirectory.appendingPathComponent("pre-\(UUID().uuidString)")
        let output = try await runToCompletion(
            TestPaths.streamcoder,
            [
                "models", "train", "--data", TestPaths.sampleForms.path, "--out", package.path, "--validation", "0",
                "--epoch", "20", "--bucket", "5000", "--threads", "1", "--quiet", "--preprocess", "insee",
            ]
        )
        #expect(output.contains("preprocessing: transliterate, lowercase, alphanumeric"), "\(output)")
        let inspected = try await runToCompletion(TestPaths.streamcoder, ["models", "inspect", package.path])
        #expect(inspected.contains("stem-french"), "\(inspected)")
        func answer(_ text: String) async throws -> [Substring] {
            try await runToCompletion(TestPaths.streamcoder, ["code", "--model", package.path, text])
                .split(separator: "\n").filter { $0.hasPrefix("  ") }
        }
        for (registry, natural) in [
            ("COIFFURE A DOMICILE", "coiffure à domicile"), ("MACONNERIE GENERALE", "Maçonnerie générale !"),
        ] {
            let expected = try await answer(registry)
            #expect(!expected.isEmpty)
            #expect(try await answer(natural) == expected, "\(natural) is coded as \(registry)")
        }
        let refused = try ChildProcess(
            TestPaths.streamcoder,
            [
                "models", "train", "--data", TestPaths.sampleForms.path, "--out", package.path, "--preprocess",
                "stemming",
            ],
            name: "train"
        )
        #expect(try await refused.waitForExit() != 0)
        #expect(
            refused.errorOutput.contains("--preprocess stemming: use insee (every step), none"),
            "\(refused.errorOutput)"
        )
    }
}
