import ArgumentParser
import Foundation
import Kafka
import Logging
import Wire

/// `streamcoder bench replay`: a replay's throughput beside a live worker's on the same preloaded
/// forms, and the time-to-offset search over a million records.
struct BenchReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay throughput beside a live worker's, and the time-to-offset search, on the embedded broker.",
        discussion: """
            (a) Throughput: --forms forms are preloaded on fresh topics for each run; a live worker \
            (in its group) and a replay of the whole topic (by assignment, bounded) code them with one \
            and with two coding threads; the time runs from the first form read to the last result \
            delivered; --runs runs alternate and report their median and range. (b) Search: \
            --search-records records over --search-partitions partitions, each written 1 ms after \
            the last; times are mapped to offsets as `replay --from` does (the embedded broker \
            does not answer the question, so the search over timestamps runs).
            """
    )

    @Option(help: "The model package both code with.")
    var package: String = "Models/naf-demo"

    @Option(help: "Forms preloaded for each throughput run.")
    var forms: Int = 200_000

    @Option(help: "Runs of each measurement, alternating; the median is reported, with the range.")
    var runs: Int = 3

    @Option(name: .customLong("search-records"), help: "Records the time-to-offset search runs over.")
    var searchRecords: Int = 1_000_000

    @Option(name: .customLong("search-partitions"), help: "Partitions of the search's topic.")
    var searchPartitions: Int = 12

    @Option(help: "The NAF table forms are made from (default: the project's data/naf_rev2_subclasses.csv).")
    var naf: String?

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard searchRecords >= searchPartitions, searchPartitions >= 1 else {
            throw ValidationError("--search-records must be at least --search-partitions (at least 1)")
        }
    }

    func run() async throws {
        let naf = try ProjectFiles.path(naf, default: ProjectFiles.nafTable, option: "--naf")
        let logger = makeLogger("streamcoder.bench")
        var quiet = logger
        quiet.logLevel = .critical
        let cluster = try EmbeddedKafkaCluster(logger: quiet)
        let settings = try BenchE2ECommand.parse(["--package", package, "--forms", "\(forms)", "--skip-python"])
        let bench = E2EBench(
            cluster: cluster,
            command: settings,
            labels: naf,
            logger: quiet,
            forms: try DemoForms.generated(forms, from: naf).map(\.form)
        )
        printLine(
            "embedded broker \(cluster.bootstrapServers); \(forms) forms preloaded per run; \(runs) runs; "
                + "malloc: \(Allocator.version.map { "jemalloc \($0.prefix(5))" } ?? "glibc")"
        )
        var live: [Int: [Double]] = [:]
        var replay: [Int: [Double]] = [:]
        for run in 1...runs {
            for threads in [1, 2] {
                live[threads, default: []].append(try await bench.throughputOfOurs(run: run, codingThreads: threads))
                replay[threads, default: []].append(
                    try await bench.throughputOfReplay(run: run, codingThreads: threads)
                )
            }
        }
        var rows: [E2ERow] = []
        for threads in [1, 2] {
            rows.append(E2ERow(name: "live, \(threads) thread(s)", throughputRuns: live[threads]!))
            rows.append(E2ERow(name: "replay, \(threads) thread(s)", throughputRuns: replay[threads]!))
        }
        E2ERow.print(rows)
        for threads in [1, 2] {
            let ratio = median(replay[threads]!) / median(live[threads]!)
            printLine(String(format: "replay / live, %d coding thread(s): %.2f", threads, ratio))
        }
        try await search(cluster: cluster, logger: quiet)
    }

    /// Writes the search's records and maps five times to offsets, reporting each search's time.
    private func search(cluster: EmbeddedKafkaCluster, logger: Logger) async throws {
        let topic = "bench.search"
        try cluster.createTopic(topic, partitions: searchPartitions)
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers),
            logger: logger
        )
        let base: Int64 = 1_700_000_000_000
        for index in 0..<searchRecords {
            let message = KafkaProducerMessage(
                topic: topic,
                partition: Int32(index % searchPartitions),
                value: [UInt8(truncatingIfNeeded: index)],
                timestampMilliseconds: base + Int64(index)
            )
            try await producer.produceWaitingForRoom(message)
        }
        try await producer.flush(timeout: .seconds(120))
        let reader = try KafkaConsumer(
            configuration: .reader(
                bootstrapServers: cluster.bootstrapServers,
                groupID: "bench.search",
                properties: ["fetch.wait.max.ms": "10"]
            ),
            logger: logger
        )
        let locator = TimeOffsetLocator(reader: reader, logger: logger)
        let partitions = (0..<Int32(searchPartitions)).map { KafkaTopicPartition(topic: topic, partition: $0) }
        let watermarks = try await locator.watermarks(of: partitions)
        var seconds: [Double] = []
        for fraction in [0.1, 0.3, 0.5, 0.7, 0.9] {
            let time = base + Int64(Double(searchRecords) * fraction)
            let started = ContinuousClock.now
            let located = try await locator.locate(time, in: watermarks)
            seconds.append((ContinuousClock.now - started).seconds)
            // Record i sits on partition i mod P at offset i / P: check the answer.
            let first = Int(time - base)
            for (partition, found) in located {
                let expected = (first - Int(partition.partition) + searchPartitions - 1) / searchPartitions
                guard found.offset == Int64(expected) else {
                    throw CommandError("the search found offset \(found.offset) on \(partition), not \(expected)")
                }
            }
        }
        try? await reader.close()
        printLine(
            "time → offset over \(searchRecords) records in \(searchPartitions) partitions (search, checked): "
                + String(
                    format: "median %.0f ms, max %.0f ms over 5 times",
                    median(seconds) * 1_000,
                    (seconds.max() ?? 0) * 1_000
                ) + " (in order: " + seconds.map { String(format: "%.0f", $0 * 1_000) }.joined(separator: ", ") + " ms)"
        )
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
