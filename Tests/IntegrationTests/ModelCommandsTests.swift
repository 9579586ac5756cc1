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
        #expect(svg.contains("(25 forms)</text>") && svg.contains("package threshold"), "titled, threshold marked")
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

    @Test func theDemoModelCodesNaturalTextAsTheRegistryFormOfIt() async throws {
        let texts = [
            "Coiffure à domicile", "Boulangerie pâtisserie artisanale", "Maçonnerie générale",
            "Restaurant traditionnel",
            "Vente de vêtements en ligne", "Réparation automobile", "Agence immobilière", "Conseil en informatique",
            "Élevage de bovins", "Culture de céréales", "Fabrication de meubles", "Transport routier de marchandises",
            "Plombier chauffagiste", "Location de meublés de tourisme", "École de conduite", "Cabinet d'avocats",
            "Nettoyage de bureaux", "Travaux de peinture", "Électricien bâtiment", "Menuiserie bois",
            "Fabrication de pain", "Commerce de détail de fleurs", "Hôtel restaurant", "Salon d'esthétique",
            "Développement de logiciels", "Conseil en gestion", "Traduction et interprétation", "Photographe",
            "Vétérinaire", "Pharmacie", "Garde d'enfants à domicile", "Cours particuliers", "Livraison de repas",
            "Taxi", "Déménagement", "Jardinage et paysagisme", "Épicerie fine", "Boucherie charcuterie",
            "Poissonnerie", "Fromagerie", "Crèche", "Maison de retraite", "Ambulance", "Kinésithérapeute",
            "Infirmière libérale", "Architecte", "Géomètre expert", "Expert-comptable", "Notaire",
            "Assurance", "Banque", "Imprimerie", "Édition de livres", "Production de films",
        ]
        #expect(texts.count >= 50)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("texts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func answers(_ rows: [String]) async throws -> [String] {
            let csv = directory.appendingPathComponent("\(UUID().uuidString).csv")
            try (["text_description"] + rows.map { "\"\($0)\"" }).joined(separator: "\n").write(
                to: csv,
                atomically: true,
                encoding: .utf8
            )
            let output = try await runToCompletion(
                TestPaths.streamcoder,
                ["code", "--model", package, "--csv", csv.path, "--json"]
            )
            return try output.split(separator: "\n").map { line in
                let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let candidates = try #require(result["candidates"] as? [[String: Any]])
                return candidates.map { "\($0["code"] ?? "")=\($0["probability"] ?? "")" }.joined(separator: " ")
            }
        }
        let natural = try await answers(texts.map { $0.lowercased() })
        let registry = try await answers(
            texts.map { $0.uppercased().folding(options: .diacriticInsensitive, locale: nil) }
        )
        #expect(natural.count == texts.count)
        for (index, text) in texts.enumerated() {
            #expect(natural[index] == registry[index], "\(text): \(natural[index]) vs \(registry[index])")
        }
    }

    @Test func evaluateOnTheHeldOutSplitReportsTheFiguresTheREADMEStates() async throws {
        let heldOut = TestPaths.packageRoot.appendingPathComponent("data/naf-demo-heldout.csv").path
        let output = try await runToCompletion(
            TestPaths.streamcoder,
            ["models", "evaluate", package, "--data", heldOut]
        )
        #expect(!output.contains("warning:"), "no held-out form is in the training set: \(output)")
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("top-1 accuracy") })
        let figures = line.split(separator: " ").filter { $0.first?.isNumber == true }.map { String($0) }
        #expect(figures.count == 2, "\(line)")
        let readme = try String(
            contentsOf: TestPaths.packageRoot.appendingPathComponent("README.md"),
            encoding: .utf8
        )
        let stated = readme.split(separator: "\n").joined(separator: " ")
        #expect(stated.contains("top-1 code right for \(figures[0]) % (top-5 \(figures[1]) %)"), "\(line)")
    }

    @Test func codeRefusesBadCSVRowsByLineAndCodesTheRest() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func run(_ name: String, _ text: String) async throws -> (ChildProcess, Int32) {
            let file = directory.appendingPathComponent(name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            let child = try ChildProcess(
                TestPaths.streamcoder,
                ["code", "--model", package, "--csv", file.path, "--json"],
                name: name
            )
            let status = try await child.waitForExit()
            try await Task.sleep(for: .milliseconds(100))
            return (child, status)
        }
        let (blank, blankStatus) = try await run(
            "blank.csv",
            "text_description,code\nCOIFFURE,9602A\n   ,1071C\nTAXI,4932Z\n"
        )
        #expect(blankStatus == 1)
        #expect(blank.lines.count == 2, "the two good rows are coded")
        #expect(blank.lines.first?.contains("\"expected_code\":\"9602A\"") == true, "\(blank.lines)")
        #expect(blank.lines.first?.contains("\"text\":\"COIFFURE\"") == true)
        #expect(
            blank.errorOutput.contains("blank.csv, line 3: not coded") && blank.errorOutput.contains("only whitespace")
        )
        let (quote, quoteStatus) = try await run("quote.csv", "text_description\n\"COIFFURE A DOMICILE\nTAXI\n")
        #expect(quoteStatus != 0 && quote.lines.isEmpty)
        #expect(quote.errorOutput.contains("quote opened on line 2 that is never closed"), "\(quote.errorOutput)")
        let (header, headerStatus) = try await run("header.csv", "text_description\n")
        #expect(headerStatus != 0)
        #expect(header.errorOutput.contains("has a header but no rows"), "\(header.errorOutput)")
    }
}
