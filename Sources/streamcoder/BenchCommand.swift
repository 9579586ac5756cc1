import ArgumentParser

/// `streamcoder bench …`: measurements, each beside the baseline it is judged against.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed beside the baseline, in one run (build with -c release; pin with taskset).",
        subcommands: [BenchInferCommand.self, BenchE2ECommand.self, BenchSwapCommand.self, BenchReplayCommand.self]
    )
}
