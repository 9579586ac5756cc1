import ArgumentParser
import Coordinator
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Wire
import Worker

/// `streamcoder replay`: re-codes a bounded range of the forms topic (a backfill) in a consumer
/// group of its own, with a chosen package or the fleet's model, into a backfill topic or the
/// live output topics.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-code a bounded range of the forms topic (a backfill) without touching the live fleet.",
        discussion: """
            The range is a time span (--from/--to, RFC 3339, e.g. 2026-11-01T00:00:00Z) or offsets \
            per partition (--from-offsets 0:1200,1:980), over every partition or --partitions. Its \
            end is fixed when the run starts (by default: the end of each partition then), so the run \
            finishes. It reads in a consumer group of its own (streamcoder-replay-RUN_ID), never the \
            live one, and ignores callers' deadlines and reply topics. Killed or stopped, it is \
            resumed by running it again with the same --run-id: the range is the one first planned \
            (kept in the compacted topic streamcoder.replays) and coding goes on from the offsets \
            the run committed.
            """
    )

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "The forms topic to replay.")
    var topic: String = StreamCoderTopic.forms

    @Option(help: "Start of the range: the first form written at or after this time (RFC 3339).")
    var from: String?

    @Option(help: "End of the range: forms written before this time (RFC 3339; default: the end when the run starts).")
    var to: String?

    @Option(
        name: .customLong("from-offsets"),
        help: "Start of the range as PARTITION:OFFSET,… (partitions not named start at their first offset)."
    )
    var fromOffsets: String?

    @Option(
        name: .customLong("to-offsets"),
        help: "End of the range (exclusive) as PARTITION:OFFSET,… (partitions not named end where they end now)."
    )
    var toOffsets: String?

    @Option(help: "Partitions to replay, e.g. 0,3,5 (default: every partition).")
    var partitions: String?

    @Option(name: .customLong("run-id"), help: "Names the run; run again with it to resume (default: a new id).")
    var runID: String?

    @Option(help: "Package directory to code with (default: the fleet's active model, from the control topic).")
    var model: String?

    @Option(
        name: .customLong("fleet-group"),
        help: """
            The fleet whose active model codes the replay when --model is not given (default: \
            $STREAMCODER_GROUP, else streamcoder-workers).
            """
    )
    var fleetGroupOption: String?

    /// `--fleet-group`, else `STREAMCODER_GROUP` (as the workers read it), else the workers' default.
    var fleetGroup: String {
        StreamCoderFleet.group(flag: fleetGroupOption, environment: ProcessInfo.processInfo.environment)
    }

    @Option(name: .customLong("output-topic"), help: "Topic for every result of the replay.")
    var outputTopic: String = StreamCoderTopic.backfill

    @Flag(
        name: .customLong("live-topics"),
        help: "Publish into the live coded and manual-review topics instead of --output-topic (repairing a period)."
    )
    var liveTopics = false

    @Option(name: .customLong("dead-letter-topic"), help: "Topic for forms that cannot be coded.")
    var deadLetterTopic: String = StreamCoderTopic.backfillDeadLetters

    @Option(help: "At most this many forms per second (default: as fast as it can).")
    var rate: Double?

    @Flag(name: .customLong("dry-run"), help: "Plan the range and count its forms; code nothing.")
    var dryRun = false

    @Option(name: .customLong("coding-threads"), help: "Coding threads (default: one per core).")
    var codingThreads: Int?

    @Option(
        name: .customLong("compare-with"),
        help: "A results topic of an earlier coding (e.g. registry.codings.v1): count the forms whose top code changed."
    )
    var compareWith: String?

    @Option(help: "With --compare-with: write the changed forms to this CSV file.")
    var changes: String?

    @Flag(help: "No progress bar or lines.")
    var quiet = false

    func validate() throws {
        if from != nil && fromOffsets != nil { throw ValidationError("give --from or --from-offsets, not both") }
        if to != nil && toOffsets != nil { throw ValidationError("give --to or --to-offsets, not both") }
        if changes != nil && compareWith == nil { throw ValidationError("--changes needs --compare-with TOPIC") }
        if let rate, !(rate > 0) { throw ValidationError("--rate must be a positive number of forms per second") }
        if let runID, runID.isEmpty || runID.contains(where: { $0.isWhitespace }) {
            throw ValidationError("--run-id \"\(runID)\": use a name without spaces, e.g. backfill-2026-11")
        }
    }

    func run() async throws {
        let logger = makeLogger("streamcoder.replay")
        let servers = try kafka.bootstrapServers()
        let properties = try kafka.librdkafkaProperties()
        let runID = self.runID ?? Self.newRunID()
        let plans = ReplayPlans(bootstrapServers: servers, properties: properties, logger: logger)
        let plan: ReplayPlan
        if let earlier = dryRun ? nil : try await plans.plan(of: runID) {
            plan = earlier
            printLine(
                "resuming run \(runID) (planned \(earlier.plannedAt)): its range and model are the ones first planned"
            )
            if from != nil || to != nil || fromOffsets != nil || toOffsets != nil || partitions != nil || model != nil {
                printLine("note: the range and model options given are ignored for a run being resumed")
            }
        } else {
            let range = try await ReplayPlanner(
                bootstrapServers: servers,
                properties: properties,
                topic: topic,
                logger: logger
            )
            .plan(
                from: try from.map { try Self.time($0, option: "--from") },
                to: try to.map { try Self.time($0, option: "--to") },
                fromOffsets: try fromOffsets.map { try Self.offsets($0, option: "--from-offsets") },
                toOffsets: try toOffsets.map { try Self.offsets($0, option: "--to-offsets") },
                partitions: try partitions.map(Self.partitionList)
            )
            plan = ReplayPlan(
                runID: runID,
                topic: topic,
                range: range,
                model: try await packagePath(servers: servers, properties: properties, logger: logger),
                output: liveTopics ? "live" : outputTopic
            )
        }
        let range = plan.range
        printLine(
            "run \(runID): \(range.total) forms of \(plan.topic) over \(range.ends.count) partitions "
                + "→ \(plan.output == "live" ? "the live output topics" : plan.output), model \(plan.model)"
        )
        if dryRun {
            for partition in range.ends.keys.sorted() {
                let start = range.starts[partition] ?? range.ends[partition]!
                printLine("  partition \(partition): offsets \(start)..<\(range.ends[partition]!)")
            }
            return
        }
        try await plans.record(plan)
        let worker = try CodingWorker(
            configuration: try configuration(plan: plan, servers: servers, properties: properties),
            logger: logger
        )
        let progress = ReplayProgressDisplay(runID: runID, quiet: quiet)
        let display = Task { await progress.follow(worker) }
        let started = ContinuousClock.now
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch let failure as WorkerFailure {
            display.cancel()
            throw CommandError(
                "run \(runID) stopped: \(failure.reason). What was delivered is committed: run "
                    + "`streamcoder replay --run-id \(runID)` to go on"
            )
        }
        display.cancel()
        await display.value
        let elapsed = (ContinuousClock.now - started).seconds
        let counters = worker.counters
        let complete = worker.replayIsDone
        printLine(
            "run \(runID): \(counters.formsIn) forms read, \(counters.autoCoded) auto-coded, "
                + "\(counters.manualReview) to manual review, \(counters.deadLetters) dead letters in "
                + String(format: "%.1f s (%.0f forms/s)", elapsed, Double(counters.formsIn) / max(elapsed, 0.001))
        )
        guard complete else {
            throw CommandError(
                "run \(runID) stopped before the end of its range: run `streamcoder replay --run-id \(runID)` to go on"
            )
        }
        printLine("run \(runID) complete")
        if let compareWith {
            try await compare(plan: plan, with: compareWith, servers: servers, properties: properties)
        }
    }

    /// Compares the run's results with `earlier`'s and writes `--changes`.
    private func compare(
        plan: ReplayPlan,
        with earlier: String,
        servers: String,
        properties: [String: String]
    )
        async throws
    {
        let reader = TopicReader(
            bootstrapServers: servers,
            properties: properties,
            logger: makeLogger("streamcoder.replay")
        )
        let outputs =
            plan.output == "live" ? [StreamCoderTopic.codings, StreamCoderTopic.manualReview] : [plan.output]
        let comparison = try await ReplayComparison.compare(
            replayTopics: outputs,
            formsTopic: plan.topic,
            range: plan.range,
            earlierTopic: earlier,
            reader: reader
        )
        printLine(comparison.summary(earlierTopic: earlier))
        if let changes {
            try comparison.csv().write(toFile: changes, atomically: true, encoding: .utf8)
            printLine("wrote \(comparison.changes.count) changed forms to \(changes)")
        }
    }

    /// The worker configuration of a run: its own group, the plan's range and model, no control
    /// or fleet topic (the model is fixed for the whole run).
    private func configuration(
        plan: ReplayPlan,
        servers: String,
        properties: [String: String]
    ) throws
        -> WorkerConfiguration
    {
        var configuration = WorkerConfiguration(
            bootstrapServers: servers,
            modelPackage: URL(fileURLWithPath: plan.model)
        )
        configuration.groupID = ReplayPlan.group(of: plan.runID)
        configuration.topics.forms = plan.topic
        if plan.output != "live" {
            configuration.topics.codings = plan.output
            configuration.topics.manualReview = plan.output
        }
        configuration.topics.deadLetter = deadLetterTopic
        configuration.controlTopic = nil
        configuration.fleetTopic = nil
        configuration.replay = plan.range
        configuration.replayRate = rate
        if let codingThreads { configuration.codingThreads = codingThreads }
        configuration.consumerProperties = properties
        configuration.producerProperties = properties.filter { !WorkerCommand.consumerOnly.contains($0.key) }
        do {
            try configuration.check()
        } catch {
            throw ValidationError(error.description)
        }
        return configuration
    }

    /// `--model`, or the package of the fleet's active model.
    private func packagePath(servers: String, properties: [String: String], logger: Logger) async throws -> String {
        if let model { return URL(fileURLWithPath: model).standardizedFileURL.path }
        let directives = try await ControlTopic(bootstrapServers: servers, properties: properties)
            .directives(logger: logger)
        guard let directive = directives[fleetGroup] else {
            throw CommandError(
                "fleet \(fleetGroup) has no active model on \(StreamCoderTopic.control): pass --model PACKAGE_DIR, "
                    + "or --fleet-group with the group of a fleet that has one"
            )
        }
        return directive.package.uri
    }

    static func newRunID() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return "replay-\(formatter.string(from: Date()))"
    }

    /// Unix milliseconds of an RFC 3339 time.
    static func time(_ text: String, option: String) throws -> Int64 {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        guard let date = formatter.date(from: text) ?? plain.date(from: text) else {
            throw ValidationError("\(option) \(text): give an RFC 3339 time such as 2026-11-01T00:00:00Z")
        }
        return Int64((date.timeIntervalSince1970 * 1_000).rounded())
    }

    /// `0:1200,1:980` as offsets by partition.
    static func offsets(_ text: String, option: String) throws -> [Int32: Int64] {
        var offsets: [Int32: Int64] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: ":")
            guard parts.count == 2, let partition = Int32(parts[0]), let offset = Int64(parts[1]), partition >= 0,
                offset >= 0
            else {
                throw ValidationError(
                    "\(option) \(text): give PARTITION:OFFSET pairs separated by commas, e.g. 0:1200,1:980"
                )
            }
            offsets[partition] = offset
        }
        return offsets
    }

    /// `0,3,5` as partitions.
    static func partitionList(_ text: String) throws -> [Int32] {
        try text.split(separator: ",").map { item in
            guard let partition = Int32(item), partition >= 0 else {
                throw ValidationError("--partitions \(text): give partition numbers separated by commas, e.g. 0,3,5")
            }
            return partition
        }
    }
}

/// Turns the options of a new run into its range: the topic's partitions, their watermarks now,
/// and times mapped to offsets.
struct ReplayPlanner {
    var bootstrapServers: String
    var properties: [String: String]
    var topic: String
    var logger: Logger

    func plan(
        from: Int64?,
        to: Int64?,
        fromOffsets: [Int32: Int64]?,
        toOffsets: [Int32: Int64]?,
        partitions chosen: [Int32]?
    ) async throws -> ReplayRange {
        let admin = try KafkaAdmin(
            configuration: .init(bootstrapServers: bootstrapServers, properties: properties),
            logger: logger
        )
        guard let description = try await admin.listTopics().first(where: { $0.name == topic }) else {
            throw CommandError("topic \(topic) does not exist on \(bootstrapServers): check --topic and --brokers")
        }
        let all = (0..<Int32(description.partitionCount))
        let named = chosen ?? fromOffsets.map { Array($0.keys) } ?? toOffsets.map { Array($0.keys) } ?? Array(all)
        if let missing = named.first(where: { !all.contains($0) }) {
            throw CommandError(
                "\(topic) has \(description.partitionCount) partitions: there is no partition \(missing)"
            )
        }
        let reader = try KafkaConsumer(
            configuration: .reader(
                bootstrapServers: bootstrapServers,
                groupID: "streamcoder-replay-planner",
                // One record per partition per step of the search: a fetch need not wait for more.
                properties: ["fetch.wait.max.ms": "10"].merging(properties) { $1 }
            ),
            logger: logger
        )
        defer { Task { try? await reader.close() } }
        let locator = TimeOffsetLocator(reader: reader, logger: logger)
        let watermarks = try await locator.watermarks(
            of: Set(named).map { KafkaTopicPartition(topic: topic, partition: $0) }
        )
        var fromTime: [KafkaTopicPartition: TimeOffsetLocator.Located]?
        var toTime: [KafkaTopicPartition: TimeOffsetLocator.Located]?
        if let from { fromTime = try await locator.locate(from, in: watermarks) }
        if let to { toTime = try await locator.locate(to, in: watermarks) }
        var starts: [Int32: Int64] = [:]
        var ends: [Int32: Int64] = [:]
        for (topicPartition, bounds) in watermarks {
            let partition = topicPartition.partition
            let start = fromTime?[topicPartition]?.offset ?? fromOffsets?[partition] ?? bounds.low
            let end = toTime?[topicPartition]?.offset ?? toOffsets?[partition] ?? bounds.high
            starts[partition] = min(max(start, bounds.low), bounds.high)
            ends[partition] = max(min(end, bounds.high), starts[partition]!)
        }
        let methods: [TimeOffsetLocator.Method] =
            (fromTime ?? [:]).values.map(\.method) + (toTime ?? [:]).values.map(\.method)
        if !methods.isEmpty {
            let searched = methods.filter { $0 == .search }.count
            logger.info(
                "times mapped to offsets (a broker's answer is checked against the records' timestamps; a wrong or missing one is replaced by a search)",
                metadata: ["byTheBrokers": "\(methods.count - searched)", "bySearch": "\(searched)"]
            )
        }
        return ReplayRange(starts: starts, ends: ends)
    }
}

/// The run's progress on standard error: a bar redrawn in place on a terminal, a line every ten
/// seconds otherwise.
struct ReplayProgressDisplay: Sendable {
    var runID: String
    var quiet: Bool

    func follow(_ worker: CodingWorker) async {
        guard !quiet else { return }
        let interactive = isatty(STDERR_FILENO) == 1
        let started = ContinuousClock.now
        var lastLine = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(interactive ? 250 : 1_000))
            guard let replay = worker.replay else { continue }
            let total = max(replay.range.total, 1)
            let done = max(0, Int64(worker.counters.completed))
            let elapsed = (ContinuousClock.now - started).seconds
            let rate = Double(done) / max(elapsed, 0.001)
            let remaining = rate > 0 ? Double(total - done) / rate : 0
            let fraction = min(1, Double(done) / Double(total))
            let width = 30
            let filled = Int(fraction * Double(width))
            let line =
                "replay \(runID): [" + String(repeating: "#", count: filled)
                + String(repeating: " ", count: width - filled) + "] "
                + String(
                    format: "%lld / %lld forms (%.1f%%) %.0f forms/s ETA %.0f s",
                    done,
                    total,
                    fraction * 100,
                    rate,
                    remaining
                )
            if interactive {
                FileHandle.standardError.write(Data("\r\(line)".utf8))
            } else if ContinuousClock.now - lastLine >= .seconds(10) {
                lastLine = .now
                FileHandle.standardError.write(Data("\(line)\n".utf8))
            }
        }
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
