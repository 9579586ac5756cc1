import ArgumentParser
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Wire
import Worker

/// `streamcoder bench e2e`: one worker against the embedded broker, beside the Python worker.
struct BenchE2ECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "e2e",
        abstract: "Worker throughput and end-to-end latency on the embedded broker, beside a Python worker.",
        discussion: """
            (a) Throughput: --forms forms are preloaded, then one worker codes them; the time runs \
            from its first form consumed to its last result delivered; --runs runs of each worker, \
            alternating, each on fresh topics, report their median and range. (b) Latency: forms are \
            published at --rate per second for --seconds; latency runs from a form's publication \
            to the reception of its result, beside the broker's own floor (the same round trip with \
            no worker). The Python worker (scripts/bench/python_worker.py: confluent-kafka, fastText \
            on the batch, protobuf, offsets stored after delivery) runs the same two measurements on \
            the same broker, forms and model. scripts/bench/bench-e2e.sh prepares and runs it.
            """
    )

    @Option(help: "The model package our worker runs.")
    var package: String = "Models/naf-demo"

    @Option(name: .customLong("fasttext-model"), help: "The fastText .bin of the same model, for the Python worker.")
    var fasttextModel: String = ".build-demo-model/naf-demo.bin"

    @Option(help: "Forms preloaded for each throughput run.")
    var forms: Int = 200_000

    @Option(help: "Throughput runs of each worker, alternating; the median is reported, with the range.")
    var runs: Int = 3

    @Option(help: "Forms per second in the latency run.")
    var rate: Int = 1_000

    @Option(help: "Seconds of the latency run (the first one warms up and is not reported).")
    var seconds: Int = 11

    @Option(
        name: .customLong("fetch-wait-ms"),
        help: "fetch.wait.max.ms of every consumer (the mock broker waits it out when a partition is empty)."
    )
    var fetchWaitMilliseconds: Int = 1

    @Option(name: .customLong("coding-threads"), help: "Coding threads of our worker (default: one per core).")
    var codingThreads: Int?

    @Option(help: "Confidence threshold for both workers.")
    var threshold: Double = 0.4

    @Option(help: "The NAF table forms are made from (default: the project's data/naf_rev2_subclasses.csv).")
    var naf: String?

    @Flag(name: .customLong("skip-python"), help: "Measure our worker only.")
    var skipPython = false

    @Flag(
        name: .customLong("exactly-once"),
        help: "Also measure our worker with --exactly-once (a transaction per micro-batch), beside at-least-once."
    )
    var exactlyOnce = false

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard seconds >= 2 else { throw ValidationError("--seconds must be at least 2 (the first second warms up)") }
    }

    func run() async throws {
        let naf = try ProjectFiles.path(naf, default: ProjectFiles.nafTable, option: "--naf")
        let logger = makeLogger("streamcoder.bench")
        var quiet = logger
        // Clients still closing when the embedded cluster goes away at the end log connection errors.
        quiet.logLevel = .critical
        let cluster = try EmbeddedKafkaCluster(logger: quiet)
        let bench = E2EBench(
            cluster: cluster,
            command: self,
            labels: naf,
            logger: quiet,
            forms: try DemoForms.generated(max(forms, rate * seconds), from: naf).map(\.form)
        )
        try bench.createTopics()
        printLine(
            "embedded broker \(cluster.bootstrapServers); \(forms) forms preloaded; latency at \(rate)/s for \(seconds) s; "
                + "malloc: \(Allocator.version.map { "jemalloc \($0.prefix(5))" } ?? "glibc")"
        )
        var rows: [E2ERow] = []
        var ours: [Double] = []
        var theirs: [Double] = []
        var transactional: [Double] = []
        for run in 1...runs {
            ours.append(try await bench.throughputOfOurs(run: run))
            if exactlyOnce { transactional.append(try await bench.throughputOfOurs(run: run, exactlyOnce: true)) }
            if !skipPython { theirs.append(try await bench.throughputOfPython(run: run)) }
        }
        rows.append(E2ERow(name: "streamcoder worker", throughputRuns: ours))
        if exactlyOnce { rows.append(E2ERow(name: "streamcoder worker, exactly once", throughputRuns: transactional)) }
        if !skipPython { rows.append(E2ERow(name: "python worker", throughputRuns: theirs)) }
        rows.append(try await bench.latencyOfOurs())
        if !skipPython { rows.append(try await bench.latencyOfPython()) }
        rows.append(try await bench.brokerFloor())
        E2ERow.print(rows)
    }
}
