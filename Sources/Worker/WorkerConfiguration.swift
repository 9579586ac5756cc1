import Foundation
import Wire

/// How a coding worker runs. Defaults are the contract's topics and an at-least-once pipeline.
public struct WorkerConfiguration: Sendable {
    /// `HOST:PORT[,…]` of the brokers.
    public var bootstrapServers: String
    /// The consumer group all workers of a fleet share.
    public var groupID = StreamCoderFleet.defaultGroup
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
    /// classifier of their own) and encode; one per core the process may use by default (its
    /// container's CPU limit counted, see `CPUBudget`).
    public var codingThreads = CPUBudget.cores
    /// How long the producer waits to fill a batch of results (librdkafka's linger.ms): short,
    /// since a result's latency includes it.
    public var producerLingerMilliseconds = 1
    /// Forms read whose outputs are not all delivered yet; above it, partitions are paused.
    public var maxInFlight = 20_000
    /// How long a revoke or a shutdown waits for in-flight outputs before giving the partitions up.
    public var drainTimeout: Duration = .seconds(15)
    /// How long a graceful shutdown may take in all, whatever the brokers and the producer do:
    /// past it, what is not delivered is left uncommitted (coded again by the next owner).
    public var shutdownGrace: Duration = .seconds(30)
    /// The compacted topic of the fleet's desired model (directives keyed by `groupID`), followed
    /// outside the group; `nil` runs `modelPackage` whatever the fleet does.
    public var controlTopic: String? = StreamCoderTopic.control
    /// The topic worker reports go to (`nil`: no reports).
    public var fleetTopic: String? = StreamCoderTopic.fleet
    /// A directory of trusted `.pub` keys: when set, only packages signed by one of them are run.
    public var trustedKeys: URL?
    /// Exactly once: outputs and input offsets committed in one transaction per micro-batch, by a
    /// transactional producer (its `transactional.id` is derived from the group and `instanceID`).
    public var exactlyOnce = false
    /// How long forms may stay in flight without any completing before `/healthz` says the worker
    /// cannot make progress (an orchestrator then restarts it; nothing uncommitted is lost).
    public var stallTimeout: Duration = .seconds(60)
    /// The largest record a worker sends, and so the producer's `message.max.bytes`; the largest
    /// form it accepts and result it writes are derived from it (see `wireLimits`).
    public var maxMessageBytes = Self.defaultMaxMessageBytes
    /// Retries and replacements of outputs whose delivery failed.
    public var deliveryAttempts = DeliveryPolicy().maxAttempts
    /// A stable id for this member (`group.instance.id`, static membership): a worker restarted
    /// with the same id within the session timeout takes its partitions back without a rebalance.
    public var instanceID: String?
    /// How long the group waits for a silent member before giving its partitions to others
    /// (Kafka's default, 45 s: a short broker outage must not make every member leave).
    public var sessionTimeout: Duration = .seconds(45)
    /// A bounded replay of this range of the forms topic instead of membership in the group: its
    /// partitions are read by assignment (from the group's committed offsets when a rerun finds
    /// some), callers' deadlines and reply topics are ignored, and the worker stops once every form
    /// of the range has its outputs delivered and committed.
    public var replay: ReplayRange?
    /// A replay reads at most this many forms per second; `nil` for as fast as it codes.
    public var replayRate: Double?
    /// Any librdkafka property for the consumer, applied last.
    public var consumerProperties: [String: String] = [:]
    /// Any librdkafka property for the producer, applied last.
    public var producerProperties: [String: String] = [:]

    /// librdkafka's default `message.max.bytes`, and Kafka's broker default (1 MB) less room for
    /// the batch headers.
    public static let defaultMaxMessageBytes = 1_000_000
    /// Room kept in a result record for its key and headers.
    static let envelopeBytes = 8 * 1024
    /// Room kept in a result for what it adds to the form: candidates, explanation, model.
    static let resultOverheadBytes = 32 * 1024
    /// The smallest `maxMessageBytes` that holds a form and its result.
    public static let minimumMaxMessageBytes = 64 * 1024

    /// The limits of forms and results, derived from `maxMessageBytes` so that every result fits
    /// in a record: a result is at most `maxMessageBytes` less room for its key and headers, and a
    /// form (which a manual-review result carries) leaves room in it for the candidates and the
    /// explanation. The defaults (1,000,000 bytes) give the contract's 256 KiB and 64 KiB.
    public var wireLimits: WireLimits {
        var limits = WireLimits.default
        limits.maxResultBytes = min(limits.maxResultBytes, maxMessageBytes - Self.envelopeBytes)
        limits.maxFormBytes = min(limits.maxFormBytes, limits.maxResultBytes - Self.resultOverheadBytes)
        return limits
    }

    /// Refuses settings that cannot hold, with the numbers and what to change.
    public func check() throws(WorkerConfigurationError) {
        guard maxMessageBytes >= Self.minimumMaxMessageBytes else {
            throw WorkerConfigurationError(
                "--max-message-bytes \(maxMessageBytes) is too small: a form of up to "
                    + "\(WireLimits.default.maxDescriptionBytes) bytes of description and its result need at least "
                    + "\(Self.minimumMaxMessageBytes)"
            )
        }
        if let producerLimit = producerProperties["message.max.bytes"], Int(producerLimit) != maxMessageBytes {
            throw WorkerConfigurationError(
                "-X message.max.bytes=\(producerLimit) disagrees with --max-message-bytes \(maxMessageBytes): "
                    + "the worker derives its form and result limits from one setting; set --max-message-bytes only"
            )
        }
        if replay != nil && exactlyOnce {
            throw WorkerConfigurationError("a replay is at least once: leave --exactly-once out")
        }
        guard maxInFlight >= 1 else { throw WorkerConfigurationError("--max-in-flight must be at least 1") }
        if let threshold = decision.confidenceThreshold, !(0...1).contains(threshold) {
            throw WorkerConfigurationError(
                "--threshold \(threshold) is not a confidence index: p1 − p2 lies in [0, 1] (e.g. 0.4)"
            )
        }
        if let probMin = decision.probMin, !(0...1).contains(probMin) {
            throw WorkerConfigurationError("--prob-min \(probMin) is not a probability: give a value in [0, 1]")
        }
        if let topK = decision.topK, topK < 1 { throw WorkerConfigurationError("--top-k must be at least 1") }
        guard codingThreads >= 1 else { throw WorkerConfigurationError("--coding-threads must be at least 1") }
        guard deliveryAttempts >= 1 else { throw WorkerConfigurationError("--delivery-attempts must be at least 1") }
        guard stallTimeout >= .seconds(1) else {
            throw WorkerConfigurationError("--stall-timeout must be at least 1 second")
        }
        guard shutdownGrace >= .seconds(1) else {
            throw WorkerConfigurationError("--shutdown-grace must be at least 1 second")
        }
    }

    /// The transactional id of an exactly-once worker: stable for a given `instanceID`, so that a
    /// restarted worker fences its predecessor and aborts what it left open at once; unique per
    /// process otherwise (an unfinished transaction then ends at the broker's transaction timeout).
    public var transactionalID: String {
        "streamcoder-\(groupID)-\(workerID)"
    }

    /// The id the worker reports under: the one set, else its `instanceID`, else host and process
    /// id (set one for several workers in one process).
    public var workerID: String {
        get {
            explicitWorkerID ?? instanceID
                ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        }
        set { explicitWorkerID = newValue }
    }

    private var explicitWorkerID: String?

    /// A worker of `groupID` on `bootstrapServers` coding with the package at `modelPackage`.
    public init(bootstrapServers: String, modelPackage: URL) {
        self.bootstrapServers = bootstrapServers
        self.modelPackage = modelPackage
    }
}

/// A worker configuration that cannot work, saying why and what to change.
public struct WorkerConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and what to do.
    public var description: String

    init(_ description: String) { self.description = description }
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
    /// Outputs that could not be delivered and were replaced by a dead letter of their input.
    public var replacedOutputs: UInt64 = 0
}

extension CodingCounters: CustomStringConvertible {
    /// The counts in words, e.g. "25 forms read, 24 auto-coded, 1 to manual review, 0 dead letters".
    public var description: String {
        var parts = [
            "\(formsIn) forms read", "\(autoCoded) auto-coded", "\(manualReview) to manual review",
            "\(deadLetters) dead letters",
        ]
        if deliveryRetries > 0 { parts.append("\(deliveryRetries) deliveries retried") }
        if replacedOutputs > 0 { parts.append("\(replacedOutputs) outputs replaced by dead letters") }
        if abandonedReplies > 0 { parts.append("\(abandonedReplies) replies given up") }
        return parts.joined(separator: ", ")
    }
}
