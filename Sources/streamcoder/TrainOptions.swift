import ArgumentParser
import Classifier
import Foundation

/// The hyper-parameters of `streamcoder models train`, named as fastText's options.
struct TrainOptions: ParsableArguments {
    @Option(help: "Passes over the training data.")
    var epoch: Int = 25

    @Option(help: "Initial learning rate (decays linearly to 0).")
    var lr: Double = 0.5

    @Option(help: "Embedding size.")
    var dim: Int = 16

    @Option(name: .customLong("word-ngrams"), help: "Longest word n-gram (1: words only).")
    var wordNgrams: Int = 2

    @Option(help: "Shortest char n-gram.")
    var minn: Int = 3

    @Option(help: "Longest char n-gram (0: none).")
    var maxn: Int = 6

    @Option(help: "Hash buckets for char and word n-grams.")
    var bucket: Int = 200_000

    @Option(name: .customLong("min-count"), help: "Words seen fewer times are left out of the vocabulary.")
    var minCount: Int = 1

    @Option(help: "Training threads (Hogwild); default: the cores of this machine.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Seed of the shuffle, the split and the initial weights.")
    var seed: UInt64 = 0

    @Flag(name: .customLong("no-shuffle"), help: "Train in file order, as fastText does.")
    var noShuffle = false

    /// The trainer's configuration.
    var configuration: TrainerConfiguration {
        TrainerConfiguration(
            dim: dim,
            epochs: epoch,
            learningRate: lr,
            wordNgrams: wordNgrams,
            minn: minn,
            maxn: maxn,
            bucket: bucket,
            minCount: minCount,
            threads: threads,
            seed: seed,
            shuffle: !noShuffle
        )
    }
}
