import Foundation
import Testing

@testable import Classifier

@Suite("Trainer")
struct TrainerTests {
    @Test("a trained model is written as a package that loads, passes its checks and runs")
    func trainedPackageLoads() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let examples = SyntheticTrainingData.examples(perCode: 30)
        let model = try Trainer(configuration: SyntheticTrainingData.configuration()).train(examples)
        let package = try model.writePackage(
            to: directory,
            name: "synthetic",
            version: "1",
            labelTexts: Dictionary(uniqueKeysWithValues: SyntheticTrainingData.codes.map { ($0, "label of \($0)") }),
            goldenTexts: examples.prefix(4).map(\.text)
        )
        let reloaded = try ModelPackage.load(from: directory)
        #expect(reloaded.manifest == package.manifest)
        #expect(reloaded.manifest.architecture == .fasttext)
        #expect(reloaded.manifest.fasttext == model.settings)
        #expect(model.settings.loss == .softmax && model.settings.wordCount == model.words.count)
        #expect(reloaded.manifest.goldenExamples.count == 4)
        #expect(Set(reloaded.manifest.labels.map(\.code)) == Set(SyntheticTrainingData.codes))
        #expect(reloaded.manifest.labels.allSatisfy { $0.label == "label of \($0.code)" })
        let prediction = Classifier(package: reloaded).classify(text: "BOULANGERIE PAIN DE")
        #expect(prediction.candidates.first?.code == "1071C")
    }

    @Test("on a separable data set the held-out accuracy is high")
    func separableDataIsLearnt() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = TrainingData(examples: SyntheticTrainingData.examples(perCode: 60))
        let (training, validation) = data.split(validationFraction: 0.2, seed: 5)
        let model = try Trainer(configuration: SyntheticTrainingData.configuration()).train(training)
        let package = try model.writePackage(to: directory, name: "synthetic", version: "1")
        let evaluation = HeldOutEvaluation(
            classifier: Classifier(package: package),
            examples: validation,
            field: "description_activity",
            threshold: 0.4
        )
        #expect(evaluation.count == validation.count)
        #expect(evaluation.top1Accuracy >= 0.95)
        #expect(evaluation.top5Accuracy >= evaluation.top1Accuracy)
        #expect(model.report.loss < 1.0)
    }

    @Test("several Hogwild threads share the matrices and still learn")
    func severalThreadsLearn() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let examples = SyntheticTrainingData.examples(perCode: 60)
        let model = try Trainer(configuration: SyntheticTrainingData.configuration(threads: 3)).train(examples)
        #expect(model.report.threads == 3 && model.report.examples == examples.count)
        let package = try model.writePackage(to: directory, name: "synthetic", version: "1")
        let evaluation = HeldOutEvaluation(
            classifier: Classifier(package: package),
            examples: SyntheticTrainingData.examples(perCode: 10, seed: 99),
            field: "description_activity",
            threshold: 0.4
        )
        #expect(evaluation.top1Accuracy >= 0.9)
    }

    @Test("with one thread and a seed, training gives the same weights twice; another seed differs")
    func deterministicWithOneThread() throws {
        let examples = SyntheticTrainingData.examples(perCode: 20)
        func digest(seed: UInt64) throws -> String {
            let directory = Fixtures.temporaryDirectory("deterministic-\(seed)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let model = try Trainer(configuration: SyntheticTrainingData.configuration(seed: seed)).train(examples)
            return try model.writePackage(to: directory, name: "synthetic", version: "1").manifest.weights.sha256
        }
        let first = try digest(seed: 7)
        #expect(try digest(seed: 7) == first)
        #expect(try digest(seed: 8) != first)
    }

    @Test("the async entry point trains on its own thread and gives the same model")
    func asyncTrainingMatches() async throws {
        let examples = SyntheticTrainingData.examples(perCode: 10)
        let trainer = Trainer(configuration: SyntheticTrainingData.configuration())
        let awaited = try await trainer.train(examples)
        let blocking: TrainedModel = try { () throws(TrainerError) in try trainer.train(examples) }()
        #expect(awaited.input == blocking.input && awaited.output == blocking.output)
    }

    @Test("out-of-range settings and empty data are refused before training")
    func invalidConfigurationRefused() {
        var configuration = SyntheticTrainingData.configuration()
        configuration.minn = 7
        configuration.maxn = 6
        #expect(throws: TrainerError.self) {
            _ = try Trainer(configuration: configuration).train(SyntheticTrainingData.examples(perCode: 1))
        }
        #expect {
            _ = try Trainer(configuration: SyntheticTrainingData.configuration()).train([])
        } throws: { ($0 as? TrainerError)?.code == .noExamples }
    }

    @Test("progress is reported up to completion, with a decaying learning rate")
    func progressReported() throws {
        let seen = ProgressLog()
        let configuration = SyntheticTrainingData.configuration()
        _ = try Trainer(configuration: configuration).train(SyntheticTrainingData.examples(perCode: 20)) {
            seen.append($0)
        }
        let last = try #require(seen.values.last)
        #expect(last.fraction == 1 && last.learningRate == 0)
        #expect(seen.values.allSatisfy { $0.learningRate <= configuration.learningRate && $0.loss >= 0 })
    }
}
