import Classifier
import Foundation

/// The lines `streamcoder models train` prints once training is done.
enum TrainSummary {
    static func training(_ report: TrainingReport) -> String {
        let threads = report.threads == 1 ? "1 thread" : "\(report.threads) threads"
        return "trained \(report.epochs) epochs on \(report.examples) examples "
            + "(\(report.words) words, \(report.labels) labels, \(report.tokensPerEpoch) tokens per epoch) in "
            + String(format: "%.2f s", report.trainingSeconds)
            + " on \(threads) (" + String(format: "%.0f", report.wordsPerSecondPerThread) + " words/s/thread; "
            + String(format: "preparation %.2f s", report.preparationSeconds)
            + "), avg.loss " + String(format: "%.4f", report.loss)
    }

    static func evaluation(_ evaluation: HeldOutEvaluation) -> String {
        "held out (\(evaluation.count) examples): top-1 \(percent(evaluation.top1Accuracy)), "
            + "top-5 \(percent(evaluation.top5Accuracy)), auto-coded \(percent(evaluation.autoCodingRate)) at "
            + String(format: "threshold %.2f", evaluation.threshold)
            + " (\(percent(evaluation.autoCodedAccuracy)) of them right)"
    }

    static func package(_ package: ModelPackage, directory: String) -> String {
        let manifest = package.manifest
        return "wrote \(directory): \(manifest.name)@\(manifest.version), \(manifest.labels.count) labels, "
            + "\(manifest.weights.bytes) bytes of weights, sha256 \(manifest.weights.sha256.prefix(16))…, "
            + "\(manifest.goldenExamples.count) golden examples"
    }

    private static func percent(_ share: Double) -> String {
        String(format: "%.1f%%", share * 100)
    }
}
