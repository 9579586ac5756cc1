import Foundation
import Testing
import Wire

@Suite("CodingResult round trips")
struct CodingResultRoundTripTests {
    @Test("a manual-review result keeps its candidates, model, explanation and form")
    func manualReview() throws {
        let result = Samples.manualReviewResult
        let decoded = try CodingResult(decoding: result.encoded())
        #expect(decoded == result)
        #expect(decoded.candidates.map(\.code) == ["1071C", "1071D", "4724Z"])
        #expect(decoded.form?.surface == 120.5)
    }

    @Test("a rejected result keeps its status and has no candidates")
    func rejected() throws {
        let decoded = try CodingResult(decoding: Samples.rejectedResult.encoded())
        #expect(decoded == Samples.rejectedResult)
        #expect(decoded.candidates.isEmpty)
        #expect(decoded.status.code == .invalidArgument)
        #expect(decoded.model == nil)
        #expect(decoded.form == nil)
    }

    @Test("an empty explanation stays present, an absent one stays absent")
    func emptyExplanation() throws {
        var result = Samples.rejectedResult
        result.explanation = Explanation(tokens: [])
        #expect(try CodingResult(decoding: result.encoded()).explanation == Explanation(tokens: []))
        result.explanation = nil
        #expect(try CodingResult(decoding: result.encoded()).explanation == nil)
    }

    @Test("an OK status with no message is what an absent status decodes to")
    func defaultStatus() throws {
        let result = CodingResult(formID: "F-1", decision: .autoCoded)
        #expect(try CodingResult(decoding: result.encoded()) == result)
        #expect(try CodingResult(decoding: [UInt8]()).status == Status(code: .ok, message: ""))
    }

    @Test("decision and status numbers this build does not know are kept")
    func unknownEnumValues() throws {
        var result = Samples.rejectedResult
        result.decision = Decision(rawValue: 7)
        result.status.code = StatusCode(rawValue: 99)
        let decoded = try CodingResult(decoding: result.encoded())
        #expect(decoded.decision.rawValue == 7)
        #expect(decoded.status.code.rawValue == 99)
        #expect(decoded.decision.description == "7")
    }

    @Test("enums print as their proto names in JSON")
    func jsonEnumNames() throws {
        let json = try JSONEncoder().encode(Samples.rejectedResult)
        let text = try #require(String(data: json, encoding: .utf8))
        #expect(text.contains("\"DECISION_REJECTED\""))
        #expect(text.contains("\"STATUS_CODE_INVALID_ARGUMENT\""))
        #expect(try JSONDecoder().decode(CodingResult.self, from: json) == Samples.rejectedResult)
    }
}

@Suite("Control message round trips")
struct ControlRoundTripTests {
    @Test("a directive keeps its package, canary, shadow flag and previous version")
    func directive() throws {
        #expect(try ModelDirective(decoding: Samples.directive.encoded()) == Samples.directive)
    }

    @Test("a directive without a previous version decodes with none")
    func directiveWithoutPrevious() throws {
        var directive = Samples.directive
        directive.previous = nil
        directive.shadow = false
        directive.canaryFraction = 0
        #expect(try ModelDirective(decoding: directive.encoded()) == directive)
    }

    @Test("a worker report keeps its models, load errors and counters")
    func workerReport() throws {
        #expect(try WorkerReport(decoding: Samples.workerReport.encoded()) == Samples.workerReport)
    }

    @Test("an empty report has no models, no load errors and zero counters")
    func emptyWorkerReport() throws {
        let report = WorkerReport(workerID: "worker-0")
        let decoded = try WorkerReport(decoding: report.encoded())
        #expect(decoded == report)
        #expect(decoded.loadErrors.isEmpty)
        #expect(decoded.active == nil)
        #expect(decoded.counters == WorkerCounters())
    }

    @Test("counters at their maximum survive")
    func maximumCounters() throws {
        let top = UInt64.max
        let report = WorkerReport(
            workerID: "w",
            directiveGeneration: top,
            counters: WorkerCounters(formsIn: top, autoCoded: top, manualReview: top, deadLetters: top, errors: top)
        )
        #expect(try WorkerReport(decoding: report.encoded()) == report)
    }
}
