import Foundation
import Kafka

/// The loop that reads, codes and publishes: at least once (`PipelineThread`) or exactly once
/// (`TransactionalPipeline`).
protocol CodingPipeline: Sendable {
    /// Starts the loop; `done` runs once it has stopped. With `replay`, the loop codes only the
    /// forms of its range and ends by itself once all of them have their outputs delivered.
    func start(stopping: StopFlag, replay: ReplayProgress?, done: @escaping @Sendable () -> Void)
    /// Whether the loop has ended.
    var hasStopped: Bool { get }
    /// Codes the batches not started yet with `classifier` (and siblings of it, one per lane),
    /// switching between two micro-batches.
    func swap(to classifier: FormClassifier)
    /// The model coding now.
    var model: ModelIdentity { get }
    /// Runs `classifier` beside the model as a canary (the forms whose key hashes under
    /// `fraction`) or in shadow (every form, results to the shadow topic); `nil` ends it. Taken
    /// between two micro-batches, with any pending swap.
    func setCandidate(_ classifier: FormClassifier?, fraction: Double, shadow: Bool)
    /// The candidate model, if any.
    var candidateModel: ModelIdentity? { get }
}

extension WorkerConfiguration {
    /// The coder of this configuration's topics, limits and explanations.
    var formCoder: FormCoder {
        FormCoder(
            topics: topics,
            limits: wireLimits,
            maxMessageBytes: maxMessageBytes,
            explain: explain,
            replaying: replay != nil
        )
    }

    /// `classifier` and a sibling of it for each further coding thread: one per lane.
    func laneClassifiers(_ classifier: FormClassifier) -> [FormClassifier] {
        [classifier] + (1..<max(1, codingThreads)).map { _ in classifier.sibling() }
    }
}

/// The pipeline gauges (in-flight forms, consumer lag, assignment), refreshed at most once a
/// second from the loop's thread.
struct PipelineGauges {
    private let metrics = WorkerMetrics()
    private var last = ContinuousClock.now

    mutating func update(ledger: OutputLedger, consumer: KafkaConsumer) {
        guard ContinuousClock.now - last > .seconds(1) else { return }
        last = .now
        metrics.inFlight.record(ledger.pending())
        metrics.consumerLag.record(consumer.lag().compactMap(\.lag).reduce(0, +))
        metrics.assignedPartitions.record(consumer.assignment.count)
    }
}
