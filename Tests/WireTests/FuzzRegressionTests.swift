import Foundation
import Testing
import Wire

/// Inputs the Wire fuzzer (docs/fuzzing.md) broke an invariant with, kept as tests. Each file is
/// a fuzz input: a selector byte, then the message bytes.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static func input(_ name: String) throws -> [UInt8] {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent("fuzz-regressions/\(name).bin")))
        return Array(bytes.dropFirst())
    }

    /// The fuzzer's tight limits (selector bit 2).
    static let tight = WireLimits(
        maxFormBytes: 256,
        maxResultBytes: 1_024,
        maxControlBytes: 512,
        maxDescriptionBytes: 32,
        maxFreeTextBytes: 16,
        maxFormIDBytes: 16,
        maxCodeBytes: 4
    )

    @Test func aReportWithLoadErrorsWithoutAModelReEncodesWithinTheLimitItDecodedUnder() throws {
        let bytes = try Self.input("report-reencoding-exceeds-limit")
        let report = try WorkerReport(decoding: bytes, limits: Self.tight)
        #expect(report.loadErrors.count == 128)
        let again = try report.encoded()
        #expect(again.count <= bytes.count)
        #expect(try WorkerReport(decoding: again, limits: Self.tight) == report)
    }

    @Test func aSingleMessageFieldRepeatedThousandsOfTimesIsRefusedBeforeProtobufCMergesIt() throws {
        let bytes = try Self.input("result-repeated-explanation-quadratic")
        let error = #expect(throws: WireError.self) { try CodingResult(decoding: bytes) }
        #expect(error?.code == .malformed)
        #expect(error?.message.contains("explanation repeated more than 16 times") == true)
    }
}
