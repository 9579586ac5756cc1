import ArgumentParser

@main
struct StreamCoderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "streamcoder")
}
