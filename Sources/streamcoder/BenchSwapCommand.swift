import ArgumentParser
import Classifier
import Foundation
import Kafka
import Logging
import Synchronization
import Wire

/// `streamcoder bench swap`: latency and memory of a worker process around a model swap.
struct BenchSwapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swap",
        abstract: "Latency and memory of a worker around a hot swap, beside steady state and the broker floor.",
        discussion: """
            Starts the embedded broker and one `streamcoder worker` process on --package, publishes \
            forms at --rate per second for --seconds, and --swap-at seconds in writes a directive \
            switching the worker to --to (default: a re-tuned copy of --package: the same weights, \
            linked, under another version with a confidence threshold of 0.3). Latency runs from a \
            form's publication to the reception of its result; it is reported for the forms \
            published in the 10 s before the directive (steady state; the first second is left out), \
            in the 10 s from the directive (the swap window: the new package is loaded and checked \
            off the coding path, then the lanes switch), and after, beside the broker's own floor \
            (the same round trip with no worker). The embedded broker slows down as its logs grow \
            (a minute at 1,000/s doubles its p99): keep runs short and compare neighbouring windows. Also: when the first result of the new version arrived, the \
            longest pause between two results, and the worker's resident memory (VmRSS, sampled \
            every 20 ms) before, at its peak in the window, and at the end, against the targets \
            peak ≤ before + new model + 64 MB and end ≤ before + 64 MB. \
            scripts/bench/bench-swap.sh runs it for the demo model and an 800 MB fastText model.
            """
    )

    @Option(help: "The package the worker starts with.")
    var package: String = "Models/naf-demo"

    @Option(help: "The package swapped to (default: a re-tuned copy of --package).")
    var to: String?

    @Option(help: "Forms per second.")
    var rate: Int = 1_000

    @Option(help: "Seconds of publication.")
    var seconds: Int = 30

    @Option(name: .customLong("swap-at"), help: "Seconds into the publication when the directive is written.")
    var swapAt: Int = 12

    @Option(help: "The NAF table forms are made from (default: the project's data/naf_rev2_subclasses.csv).")
    var naf: String?

    @Flag(help: "Also print the worst latency of each 250 ms of the swap window.")
    var timeline = false

    func validate() throws {
        guard rate >= 1 else { throw ValidationError("--rate must be at least 1") }
        guard swapAt >= 3, seconds >= swapAt + 12 else {
            throw ValidationError(
                "--swap-at must be at least 3 and --seconds at least --swap-at + 12 (window and after)"
            )
        }
    }

    func run() async throws {
        let naf = try ProjectFiles.path(naf, default: ProjectFiles.nafTable, option: "--naf")
        let logger = makeLogger("streamcoder.bench")
        var quiet = logger
        quiet.logLevel = .critical  // clients still closing when the cluster goes away log connection errors
        let cluster = try EmbeddedKafkaCluster(logger: quiet)
        for suffix in ["forms", "codings", "review", "dlq", "floor"] {
            try cluster.createTopic("bench.swap.\(suffix)", partitions: 12)
        }
        try cluster.createTopic("bench.swap.control", partitions: 1)
        let swap = try DemoSwap.prepare(
            package: URL(fileURLWithPath: package),
            next: to.map { URL(fileURLWithPath: $0) },
            linkingWeights: true
        )
        let newModelBytes = try ModelPackage.load(from: URL(fileURLWithPath: swap.uri)).manifest.weights.bytes
        printLine(
            "embedded broker \(cluster.bootstrapServers); \(swap.from.name)@\(swap.from.version) → "
                + "\(swap.to.name)@\(swap.to.version) (\(swap.change)); \(rate) forms/s for \(seconds) s, directive at \(swapAt) s"
        )
        let worker = try WorkerProcess(bootstrap: cluster.bootstrapServers, package: package)
        defer { worker.stop() }
        try await worker.waitUntilAssigned()
        let memory = MemorySampler(pid: worker.pid)
        let sampling = Task { await memory.run() }
        let forms = try DemoForms.generated(rate * seconds, from: naf).map(\.form)
        let directiveAt = Mutex<ContinuousClock.Instant?>(nil)
        let publicationStart = Mutex<ContinuousClock.Instant?>(nil)
        let trip = PacedRoundTrip(
            bootstrapServers: cluster.bootstrapServers,
            rate: rate,
            readerProperties: ["fetch.wait.max.ms": "1"],
            logger: quiet
        )
        let directive = Task {
            while publicationStart.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
            try await Task.sleep(until: (publicationStart.withLock { $0 } ?? .now) + .seconds(swapAt))
            try await Self.publish(swap.directive, to: cluster.bootstrapServers, logger: quiet)
            directiveAt.withLock { $0 = .now }
        }
        let trips = try await trip.run(
            forms,
            to: "bench.swap.forms",
            from: ["bench.swap.codings", "bench.swap.review"]
        ) { start in publicationStart.withLock { $0 = start } }
        try await directive.value
        memory.stop()
        await sampling.value
        let floor = try await trip.run(
            Array(forms.prefix(rate * 10)),
            to: "bench.swap.floor",
            from: ["bench.swap.floor"]
        )
        guard let swappedAt = directiveAt.withLock({ $0 }) else { throw CommandError("the directive was not written") }
        SwapReport(
            trips: trips,
            floor: Array(floor.dropFirst(rate)),
            expected: forms.count,
            directiveAt: swappedAt,
            newVersion: swap.to.version,
            memory: memory.samples,
            newModelBytes: newModelBytes,
            rate: rate,
            timeline: timeline
        ).print()
    }

    static func publish(_ directive: ModelDirective, to bootstrap: String, logger: Logger) async throws {
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: bootstrap), logger: logger)
        try await producer.send(
            KafkaProducerMessage(
                topic: "bench.swap.control",
                key: Array(WorkerProcess.group.utf8),
                value: try directive.encoded()
            )
        )
        try await producer.close()
    }
}

/// The worker under measure, as an operator runs it: a `streamcoder worker` process.
final class WorkerProcess: Sendable {
    static let group = "bench.swap.workers"
    private let process: Process
    private let log: URL

    var pid: Int32 { process.processIdentifier }

    init(bootstrap: String, package: String) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("bench-swap-worker-\(UUID()).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        process.arguments = [
            "worker", "--brokers", bootstrap, "--model", package, "--group", Self.group,
            "--forms-topic", "bench.swap.forms", "--codings-topic", "bench.swap.codings",
            "--manual-review-topic", "bench.swap.review", "--dead-letter-topic", "bench.swap.dlq",
            "--control-topic", "bench.swap.control", "--metrics-port", "0", "--batch-wait-ms", "1",
            "-X", "fetch.wait.max.ms=1",
        ]
        process.environment = ProcessInfo.processInfo.environment.merging([StreamCoderCommand.exitWithParent: "1"]) {
            $1
        }
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// Waits until the worker logs its partitions (up to 60 s).
    func waitUntilAssigned() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw CommandError("the worker exited:\n\(logTail)") }
            if logText.contains("partitions assigned") { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CommandError("the worker had no partitions after 60 s:\n\(logTail)")
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    private var logText: String { (try? Data(contentsOf: log)).map { String(decoding: $0, as: UTF8.self) } ?? "" }
    private var logTail: String { logText.split(separator: "\n").suffix(20).joined(separator: "\n") }
}

/// A process's resident memory (VmRSS of /proc/PID/status), sampled every 20 ms until `stop`.
final class MemorySampler: Sendable {
    private let pid: Int32
    private let stopped = Mutex(false)
    private let taken = Mutex<[(at: ContinuousClock.Instant, bytes: Int)]>([])

    init(pid: Int32) { self.pid = pid }

    var samples: [(at: ContinuousClock.Instant, bytes: Int)] { taken.withLock { $0 } }

    func run() async {
        while !stopped.withLock({ $0 }) {
            if let bytes = Self.residentBytes(of: pid) { taken.withLock { $0.append((.now, bytes)) } }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    func stop() { stopped.withLock { $0 = true } }

    static func residentBytes(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kilobytes * 1_024
    }
}

/// What `bench swap` measured.
struct SwapReport {
    var trips: [PacedRoundTrip.Trip]
    var floor: [PacedRoundTrip.Trip]
    var expected: Int
    var directiveAt: ContinuousClock.Instant
    var newVersion: String
    var memory: [(at: ContinuousClock.Instant, bytes: Int)]
    var newModelBytes: Int
    var rate: Int
    /// Whether to print the worst latency of each 250 ms of the swap window.
    var timeline: Bool

    func print() {
        let windowEnd = directiveAt + .seconds(10)
        let steady = trips.filter {
            $0.index >= rate && $0.sentAt < directiveAt && $0.sentAt >= directiveAt - .seconds(10)
        }
        let window = trips.filter { $0.sentAt >= directiveAt && $0.sentAt < windowEnd }
        let after = trips.filter { $0.sentAt >= windowEnd }
        printLine("")
        printLine("forms published                          results    p50 ms    p99 ms    max ms  longest pause ms")
        row("the 10 s before the directive (steady)", steady)
        row("the 10 s from the directive", window)
        row("after the swap window", after)
        row("broker floor (no worker)", floor)
        let versions = trips.map { trip in (try? CodingResult(decoding: trip.message.value ?? []))?.model?.version }
        let newest = zip(trips, versions).filter { $0.1 == newVersion }.map(\.0.receivedAt)
        if let first = newest.min() {
            let late = zip(trips, versions).filter { $0.1 != newVersion && $0.0.receivedAt > first }.count
            printLine(
                "first result of \(newVersion) \(milliseconds(first - directiveAt)) ms after the directive; "
                    + "\(late) results of the old version arrived after it (in flight at the switch)"
            )
        } else {
            printLine("no result of \(newVersion): the worker did not swap (see its log)")
        }
        printLine("results: \(trips.count) of \(expected) forms")
        if timeline {
            for bucket in 0..<40 {
                let from = directiveAt + .milliseconds(bucket * 250)
                let slice = window.filter { $0.sentAt >= from && $0.sentAt < from + .milliseconds(250) }.map(
                    \.milliseconds
                )
                printLine("  directive +\(bucket * 250) ms: worst \(Int(slice.max() ?? 0)) ms of \(slice.count) forms")
            }
        }
        printMemory()
        let steadyP99 = percentile(steady.map(\.milliseconds), 0.99)
        let windowP99 = percentile(window.map(\.milliseconds), 0.99)
        printLine(
            String(
                format: "target p99 in the window ≤ 2 × steady p99: %.2f ≤ %.2f ms: %@",
                windowP99,
                2 * steadyP99,
                windowP99 <= 2 * steadyP99 ? "met" : "NOT MET"
            )
        )
    }

    private func row(_ name: String, _ trips: [PacedRoundTrip.Trip]) {
        let latencies = trips.map(\.milliseconds)
        let received = trips.map(\.receivedAt).sorted()
        let pause = zip(received, received.dropFirst()).map { $1 - $0 }.max() ?? .zero
        printLine(
            name.padding(toLength: 40, withPad: " ", startingAt: 0)
                + String(
                    format: " %7d %9.2f %9.2f %9.2f %17.1f",
                    trips.count,
                    percentile(latencies, 0.5),
                    percentile(latencies, 0.99),
                    latencies.max() ?? 0,
                    pause.seconds * 1_000
                )
        )
    }

    private func printMemory() {
        let before = memory.filter { $0.at < directiveAt }.last?.bytes ?? 0
        let peak = memory.filter { $0.at >= directiveAt && $0.at < directiveAt + .seconds(10) }.map(\.bytes).max() ?? 0
        let end = memory.last?.bytes ?? 0
        let slack = 64 << 20
        printLine(
            "worker resident memory: \(mb(before)) before, \(mb(peak)) at the peak of the window, \(mb(end)) at the end "
                + "(new model's weights \(mb(newModelBytes)))"
        )
        printLine(
            "target peak ≤ before + new model + 64 MB = \(mb(before + newModelBytes + slack)): "
                + (peak <= before + newModelBytes + slack ? "met" : "NOT MET")
                + "; target end ≤ before + 64 MB = \(mb(before + slack)): "
                + (end <= before + slack ? "met" : "NOT MET")
        )
    }

    private func mb(_ bytes: Int) -> String { String(format: "%.0f MB", Double(bytes) / 1_048_576) }

    private func milliseconds(_ duration: Duration) -> String { String(format: "%.0f", duration.seconds * 1_000) }

    private func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }
}
