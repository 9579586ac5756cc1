import ArgumentParser

@main
struct StreamCoderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamcoder",
        abstract: "Codes business-registry forms with their NAF activity code, in a Kafka stream.",
        subcommands: [
            DemoCommand.self, WorkerCommand.self, CoordinatorCommand.self, BrokerCommand.self, TopicsCommand.self,
            ProduceCommand.self,
            ConsumeCommand.self, ModelsCommand.self, CodeCommand.self, BenchCommand.self,
        ]
    )
}
