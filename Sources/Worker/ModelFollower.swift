import Foundation
import Kafka
import Logging
import Metrics
import Synchronization
import Wire

#if canImport(Glibc)
import Glibc
#endif

/// Follows the fleet's desired model on the compacted control topic, outside the consumer group:
/// at start it reads the topic to its end, so that a restarted worker comes back on the fleet's
/// model (its `--model` is only the fallback while no directive exists); then it watches for new
/// directives on a thread of its own, loads and checks each new package there (off the coding
/// path), and hands it to the pipeline, which switches between two micro-batches. A package that
/// fails any check is never used: the worker keeps its model, and logs and counts the refusal.
///
/// `@unchecked Sendable`: `consumer` is set once in `catchUp`, before the thread starts.
final class ModelFollower: @unchecked Sendable {
    private let configuration: WorkerConfiguration
    private let topic: String
    private let pipeline: any CodingPipeline
    private let logger: Logger
    private let stopped = StopFlag()
    private let state = Mutex(State())
    private var consumer: KafkaConsumer?
    private let loadErrors = Counter(label: "streamcoder_model_load_errors_total")

    private struct State {
        var generation: UInt64 = 0
        var errors: [ModelLoadError] = []
    }

    init(configuration: WorkerConfiguration, topic: String, pipeline: any CodingPipeline, logger: Logger) {
        self.configuration = configuration
        self.topic = topic
        self.pipeline = pipeline
        self.logger = logger
    }

    /// The generation of the last directive followed (0 before any).
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Packages refused so far, newest last.
    var refusals: [ModelLoadError] { state.withLock { $0.errors } }

    /// Reads the control topic to its end and applies the newest directive for this fleet; returns
    /// whether the topic could be read (if not, the worker runs its `--model` and follows nothing).
    func catchUp() async -> Bool {
        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        do {
            var settings = KafkaConsumerConfiguration(
                bootstrapServers: configuration.bootstrapServers,
                groupID: "streamcoder-control-\(UUID().uuidString)",
                properties: configuration.consumerProperties.filter { !$0.key.hasPrefix("group.") }
            )
            settings.clientID = "streamcoder-control"
            settings.autoCommitIntervalMilliseconds = 0
            let consumer = try KafkaConsumer(configuration: settings, logger: logger)
            self.consumer = consumer
            let (low, high) = try await consumer.checkedWatermarks(of: [partition], timeout: .seconds(5))[partition]!
            try consumer.assign([partition: low])
            var newest: ModelDirective?
            var position = low
            let deadline = ContinuousClock.now + .seconds(30)
            while position < high && ContinuousClock.now < deadline {
                for message in try await consumer.nextBatch(maxMessages: 500, timeout: .milliseconds(200)) {
                    position = max(position, message.offset + 1)
                    if let directive = directive(in: message), directive.generation > (newest?.generation ?? 0) {
                        newest = directive
                    }
                }
            }
            if let newest { apply(newest) }
            return true
        } catch {
            logger.warning(
                "the control topic cannot be read: this worker runs its --model package and follows no directive",
                metadata: ["topic": "\(topic)", "error": "\(error)"]
            )
            return false
        }
    }

    /// Watches the control topic on a thread of its own until `stop`.
    func start() {
        guard let consumer else { return }
        let thread = Thread { [self] in
            Thread.current.name = "model-follower"
            // Loading and checking a package (reading, hashing and checking hundreds of MB) yields
            // the cores to the coding lanes: on Linux the nice value is per thread, and 0 names
            // the calling one.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            while !stopped.isRaised {
                do {
                    for message in try consumer.poll(maxMessages: 100, timeout: .milliseconds(500)) {
                        if let directive = directive(in: message) { apply(directive) }
                    }
                } catch let error as KafkaError where error.code == .closed {
                    return
                } catch {
                    Thread.sleep(forTimeInterval: 0.5)
                }
            }
        }
        thread.start()
    }

    /// Stops watching and closes the control topic's consumer.
    func stop() async {
        stopped.raise()
        try? await consumer?.close()
    }

    /// The directive a control record holds for this fleet (keyed by its group), if any.
    private func directive(in message: KafkaConsumerMessage) -> ModelDirective? {
        guard message.key.map({ String(decoding: $0, as: UTF8.self) }) == configuration.groupID,
            let value = message.value
        else { return nil }
        do {
            return try ModelDirective(decoding: value)
        } catch {
            logger.error(
                "a control record is not a model directive: ignored",
                metadata: ["offset": "\(message.offset)", "error": "\(error)"]
            )
            return nil
        }
    }

    /// Loads, checks and hands over the package of a directive newer than the one followed.
    func apply(_ directive: ModelDirective) {
        let isNew = state.withLock { state in
            guard directive.generation > state.generation else { return false }
            state.generation = directive.generation
            return true
        }
        guard isNew else { return }
        let wanted = directive.package.model
        let isCandidate = directive.canaryFraction < 1 || directive.shadow
        if !isCandidate && runs(wanted, pipeline.model) {
            pipeline.setCandidate(nil, fraction: 0, shadow: false)
            logger.info("directive \(directive.generation): \(wanted.name)@\(wanted.version) already runs")
            return
        }
        do {
            let classifier = try load(directive)
            let loaded = classifier.identity
            let mode =
                directive.shadow
                ? "in shadow"
                : isCandidate ? "as a canary for \(directive.canaryFraction * 100) % of the forms" : "everywhere"
            logger.info(
                "model loaded and checked: it codes \(mode) from the next micro-batch",
                metadata: ["generation": "\(directive.generation)", "model": "\(loaded.name)@\(loaded.version)"]
            )
            if isCandidate {
                pipeline.setCandidate(classifier, fraction: directive.canaryFraction, shadow: directive.shadow)
            } else {
                pipeline.setCandidate(nil, fraction: 0, shadow: false)
                pipeline.swap(to: classifier)
            }
        } catch {
            refuse(wanted, generation: directive.generation, because: "\(error)")
        }
    }

    private func runs(_ wanted: ModelRef, _ current: ModelIdentity) -> Bool {
        wanted.name == current.name && wanted.version == current.version
            && (wanted.sha256.isEmpty || wanted.sha256 == current.sha256)
    }

    /// The directive's package, loaded and checked, and checked to be the model it names.
    private func load(_ directive: ModelDirective) throws -> FormClassifier {
        let wanted = directive.package.model
        let classifier = try FormClassifier(
            packageAt: URL(fileURLWithPath: directive.package.uri),
            overrides: configuration.decision,
            trustedKeys: configuration.trustedKeys
        )
        let loaded = classifier.identity
        guard runs(wanted, loaded) else {
            throw ModelStoreMismatch(
                description: "\(directive.package.uri) holds \(loaded.name)@\(loaded.version) "
                    + "(sha256 \(loaded.sha256.prefix(12))), not the \(wanted.name)@\(wanted.version) "
                    + "(sha256 \(wanted.sha256.prefix(12))) the directive names"
            )
        }
        return classifier
    }

    private func refuse(_ model: ModelRef, generation: UInt64, because reason: String) {
        loadErrors.increment()
        let current = pipeline.model
        logger.error(
            "model refused: the worker keeps coding with its model",
            metadata: [
                "generation": "\(generation)", "refused": "\(model.name)@\(model.version)",
                "keeps": "\(current.name)@\(current.version)", "reason": "\(reason)",
            ]
        )
        let error = ModelLoadError(
            model: model,
            error: reason,
            atUnixMs: Int64(Date().timeIntervalSince1970 * 1_000)
        )
        state.withLock { state in
            state.errors.append(error)
            if state.errors.count > 20 { state.errors.removeFirst() }
        }
    }
}

/// A package that is not the one its directive names.
struct ModelStoreMismatch: Error, CustomStringConvertible {
    var description: String
}
