import Foundation
import Synchronization

/// The SGD loop of one training: `threads` threads, each over its own contiguous slice of the
/// (shuffled) examples for every epoch, all updating the same matrices (see ``HogwildMatrices``).
///
/// The learning rate decays linearly from its initial value to 0 over all tokens × epochs. As in
/// fastText, a thread adds its processed tokens to the shared count only every
/// `learningRateUpdateRate` tokens, and the rate follows the shared count, so with several
/// threads each sees the others' progress.
final class TrainingRun: Sendable {
    private let corpus: TrainingCorpus
    private let matrices: HogwildMatrices
    private let configuration: TrainerConfiguration
    private let progress: (@Sendable (TrainingProgress) -> Void)?
    private let totalTokens: Int
    private let processedTokens = Atomic<Int>(0)
    private let losses = Mutex<(sum: Double, examples: Int)>((0, 0))
    private let started = ContinuousClock.now

    init(
        corpus: TrainingCorpus,
        matrices: HogwildMatrices,
        configuration: TrainerConfiguration,
        progress: (@Sendable (TrainingProgress) -> Void)?
    ) {
        self.corpus = corpus
        self.matrices = matrices
        self.configuration = configuration
        self.progress = progress
        totalTokens = corpus.tokenCounts.reduce(0) { $0 + Int($1) } * configuration.epochs
    }

    /// Runs every thread to the end, and returns the average loss over all examples seen.
    func run() -> Double {
        let group = DispatchGroup()
        for thread in 0..<configuration.threads {
            group.enter()
            let worker = Thread { [self] in
                train(thread: thread)
                group.leave()
            }
            worker.name = "streamcoder-train-\(thread)"
            worker.start()
        }
        group.wait()
        let (sum, examples) = losses.withLock { $0 }
        return examples == 0 ? 0 : sum / Double(examples)
    }

    private func train(thread: Int) {
        var sgd = SoftmaxSGD(matrices: matrices)
        defer { sgd.deallocate() }
        let count = corpus.count
        let threads = configuration.threads
        let slice = (thread * count / threads)..<((thread + 1) * count / threads)
        var pending = 0
        var lastReport = ContinuousClock.now
        corpus.rows.withUnsafeBufferPointer { rows in
            for _ in 0..<configuration.epochs {
                for example in slice {
                    let range = corpus.starts[example]..<corpus.starts[example + 1]
                    let target = Int(corpus.labels[example])
                    sgd.update(rows: .init(rebasing: rows[range]), target: target, learningRate: learningRate())
                    pending += Int(corpus.tokenCounts[example])
                    guard pending > configuration.learningRateUpdateRate else { continue }
                    processedTokens.add(pending, ordering: .relaxed)
                    pending = 0
                    if thread == 0 { report(loss: sgd.averageLoss, last: &lastReport) }
                }
            }
        }
        processedTokens.add(pending, ordering: .relaxed)
        losses.withLock { $0 = ($0.sum + sgd.lossSum, $0.examples + sgd.examples) }
        if thread == 0 { progress?(snapshot(fraction: 1, learningRate: 0, loss: sgd.averageLoss)) }
    }

    private func learningRate() -> Float {
        let fraction = Double(processedTokens.load(ordering: .relaxed)) / Double(totalTokens)
        return Float(configuration.learningRate * max(0, 1 - fraction))
    }

    /// Calls the progress callback at most ten times a second.
    private func report(loss: Double, last: inout ContinuousClock.Instant) {
        guard let progress, last.duration(to: .now) >= .milliseconds(100) else { return }
        last = .now
        let fraction = min(1, Double(processedTokens.load(ordering: .relaxed)) / Double(totalTokens))
        progress(snapshot(fraction: fraction, learningRate: Double(learningRate()), loss: loss))
    }

    private func snapshot(fraction: Double, learningRate: Double, loss: Double) -> TrainingProgress {
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let tokens = Double(processedTokens.load(ordering: .relaxed))
        return TrainingProgress(
            fraction: fraction,
            learningRate: learningRate,
            wordsPerSecondPerThread: tokens / max(seconds, 1e-9) / Double(configuration.threads),
            loss: loss,
            elapsedSeconds: seconds
        )
    }
}
