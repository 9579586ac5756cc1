import Foundation
import Testing

/// Runs `protoc`, the reference protobuf implementation, on our contract (`Proto/`), and reads
/// the fixtures it produced (`Fixtures/`, see `scripts/fixtures/make-wire-fixtures.sh`).
enum Protoc {
    /// The failure of a protoc run, with what it said.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `Proto/` of this package, found from this file's path.
    static let protoDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // WireTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()
        .appendingPathComponent("Proto")

    /// The bytes of `Fixtures/NAME.bin`.
    static func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixtureURL(name, "bin")))
    }

    /// The text of `Fixtures/NAME.txtpb`.
    static func fixtureText(_ name: String) throws -> String {
        try String(contentsOf: fixtureURL(name, "txtpb"), encoding: .utf8)
    }

    private static func fixtureURL(_ name: String, _ ext: String) throws -> URL {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return directory.appendingPathComponent("\(name).\(ext)")
    }

    /// `protoc --decode=streamcoder.v1.TYPE`: the text format protoc reads from `bytes`.
    static func decode(_ bytes: [UInt8], as type: String) throws -> String {
        let output = try run(["--decode=streamcoder.v1.\(type)"], input: Data(bytes))
        return String(decoding: output, as: UTF8.self)
    }

    /// `protoc --encode=streamcoder.v1.TYPE`: protoc's encoding of a text-format message.
    static func encode(_ text: String, as type: String) throws -> [UInt8] {
        [UInt8](try run(["--encode=streamcoder.v1.\(type)"], input: Data(text.utf8)))
    }

    private static func run(_ arguments: [String], input: Data) throws -> Data {
        let inputFile = FileManager.default.temporaryDirectory.appendingPathComponent("wire-\(UUID().uuidString)")
        try input.write(to: inputFile)
        defer { try? FileManager.default.removeItem(at: inputFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["protoc", "-I\(protoDirectory.path)"] + arguments + ["streamcoder/v1/service.proto"]
        process.standardInput = try FileHandle(forReadingFrom: inputFile)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                description: "protoc \(arguments) failed (\(process.terminationStatus)): "
                    + "\(String(decoding: message, as: UTF8.self)); is protoc installed (scripts/setup.sh)?"
            )
        }
        return data
    }
}
