import Foundation

/// How a coding worker runs. Defaults are the contract's topics and an at-least-once pipeline.
public struct WorkerConfiguration: Sendable {
    /// `HOST:PORT[,…]` of the brokers.
    public var bootstrapServers: String
    /// The consumer group all workers of a fleet share.
    public var groupID = "streamcoder-workers"
    /// The topics read and written.
    public var topics = WorkerTopics()
    /// The model package directory.
    public var modelPackage: URL
    /// Per-deployment changes to the package's decision policy.
    public var decision = DecisionOverrides()
    /// Attach to each result the tokens that weigh most on its top code (costs some CPU).
    public var explain = false
    /// A micro-batch holds up to this many forms…
    public var maxBatch = 256
    /// …or what arrived within this time, whichever comes first.
    public var maxBatchWait: Duration = .milliseconds(5)
    /// Coding lanes: threads that each take whole micro-batches to decode, classify (with a
    /// classifier of their own) and encode; one per core by default.
    public var codingThreads = ProcessInfo.processInfo.activeProcessorCount
    /// How long the producer waits to fill a batch of results (librdkafka's linger.ms): short,
    /// since a result's latency includes it.
    public var producerLingerMilliseconds = 1
    /// Forms read whose outputs are not all delivered yet; above it, partitions are paused.
    public var maxInFlight = 20_000
    /// How long a revoke or a shutdown waits for in-flight outputs before giving the partitions up.
    public var drainTimeout: Duration = .seconds(15)
    /// Any librdkafka property for the consumer, applied last.
    public var consumerProperties: [String: String] = [:]
    /// Any librdkafka property for the producer, applied last.
    public var producerProperties: [String: String] = [:]

    /// A worker of `groupID` on `bootstrapServers` coding with the package at `modelPackage`.
    public init(bootstrapServers: String, modelPackage: URL) {
        self.bootstrapServers = bootstrapServers
        self.modelPackage = modelPackage
    }
}

/// What a worker did so far.
public struct CodingCounters: Sendable, Equatable {
    /// Form records read.
    public var formsIn: UInt64 = 0
    /// Results published as auto-coded.
    public var autoCoded: UInt64 = 0
    /// Results published for manual review (including expired deadlines).
    public var manualReview: UInt64 = 0
    /// Inputs sent to the dead-letter topic.
    public var deadLetters: UInt64 = 0
    /// Output deliveries that failed and were retried.
    public var deliveryRetries: UInt64 = 0
    /// Forms whose every output is delivered.
    public var completed: UInt64 = 0
    /// Replies to a caller's topic given up after repeated failures (the result stays published).
    public var abandonedReplies: UInt64 = 0
}
