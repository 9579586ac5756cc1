import Classifier
import Foundation
import Kafka
import Testing
import Wire

@testable import Worker

/// A package imported from the fastText fixture of the classifier tests, once per test run.
enum TestPackage {
    static let directory = imported(version: "1")
    /// The same model as another version, for swaps.
    static let secondVersion = imported(version: "2")

    /// The classifier tests' fastText fixture imported as naf-test@`version`.
    static func imported(version: String) -> URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let fixtures = root.appendingPathComponent("Tests/ClassifierTests/Fixtures/fasttext")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "worker-tests-v\(version)-\(getpid())"
        )
        _ = try! FastTextImporter.importModel(
            from: fixtures.appendingPathComponent("ova.bin"),
            labels: fixtures.appendingPathComponent("naf_labels.csv"),
            name: "naf-test",
            version: version,
            to: directory
        )
        return directory
    }

    static func classifier(threshold: Double? = nil, version: String = "1") throws -> FormClassifier {
        try FormClassifier(
            packageAt: version == "1" ? directory : secondVersion,
            overrides: DecisionOverrides(confidenceThreshold: threshold)
        )
    }
}

@Suite("Form coder")
struct FormCoderTests {
    let coder = FormCoder(topics: WorkerTopics())

    func record(_ value: [UInt8]?, headers: [KafkaHeader] = [], offset: Int64 = 7) -> KafkaConsumerMessage {
        KafkaConsumerMessage(
            topicPartition: KafkaTopicPartition(topic: StreamCoderTopic.forms, partition: 2),
            offset: offset,
            key: Array("k".utf8),
            value: value,
            headers: headers,
            timestampMilliseconds: nil
        )
    }

    func form(_ text: String, id: String = "f-1") throws -> [UInt8] {
        try RegistryForm(formID: id, descriptionActivity: text, typeForm: "M").encoded()
    }

    @Test func poisonInputGoesToTheDeadLetterTopicUnchangedWithItsErrorAndOrigin() throws {
        let garbage: [UInt8] = [0xFF, 0xFF, 0x01, 0x02]
        let blank = try RegistryForm(formID: "f-2", descriptionActivity: "   ").encoded()
        let outputs = coder.outputs(
            for: [record(garbage, headers: [KafkaHeader(key: "traceparent", text: "t")]), record(blank), record(nil)],
            classifier: try TestPackage.classifier(),
            now: 0
        )
        #expect(outputs.map(\.count) == [1, 1, 1])
        let dead = outputs.map { $0[0] }
        #expect(dead.allSatisfy { $0.topic == StreamCoderTopic.deadLetter })
        #expect(dead[0].value == garbage)
        #expect(dead[1].value == blank)
        let headers = Dictionary(dead[0].headers.map { ($0.key, $0.text ?? "") }) { $1 }
        #expect(headers["traceparent"] == "t")
        #expect(headers["sc-error-code"] == "malformed")
        #expect(headers["sc-source-topic"] == StreamCoderTopic.forms)
        #expect(headers["sc-source-partition"] == "2")
        #expect(headers["sc-source-offset"] == "7")
        #expect(dead[1].headers.first { $0.key == "sc-error-code" }?.text == "blankField")
        #expect(dead[2].headers.first { $0.key == "sc-error-code" }?.text == "missingField")
    }

    @Test func aFormWithoutIdIsADeadLetterNamingTheField() throws {
        let anonymous = try RegistryForm(formID: "", descriptionActivity: "coiffure").encoded()
        let outputs = coder.outputs(for: [record(anonymous)], classifier: try TestPackage.classifier(), now: 0)
        let letter = try #require(outputs.first?.first)
        #expect(letter.topic == StreamCoderTopic.deadLetter)
        #expect(letter.headers.first { $0.key == "sc-error-code" }?.text == "missingField")
        #expect(letter.headers.first { $0.key == "sc-error" }?.text?.contains("RegistryForm.form_id") == true)
    }

    @Test func everyOutputFitsTheMessageLimitWhateverTheInput() throws {
        let coder = FormCoder(topics: WorkerTopics(), maxMessageBytes: 100_000)
        let huge = [UInt8](repeating: 0x41, count: 1_000_514)  // over every limit: not even parsed
        let hugeHeader = KafkaHeader(
            key: StreamCoderHeader.correlationID,
            value: Array(repeating: 0x42, count: 150_000)
        )
        let outputs = coder.outputs(
            for: [record(huge), record(try form("coiffure"), headers: [hugeHeader])],
            classifier: try TestPackage.classifier(),
            now: 0
        )
        let letters = outputs.map { $0[0] }
        #expect(letters.allSatisfy { $0.topic == StreamCoderTopic.deadLetter && DeadLetters.size(of: $0) <= 100_000 })
        #expect(letters[0].headers.first { $0.key == "sc-error-code" }?.text == "messageTooLarge")
        #expect(
            letters[0].headers.first { $0.key == "sc-truncated" }?.text?.hasPrefix("value 1000514 bytes cut to") == true
        )
        #expect(letters[1].headers.first { $0.key == "sc-error-code" }?.text == "resultTooLarge")
    }

    @Test func aConfidentFormIsAutoCodedAndAnUnsureOneGoesToReviewWithTheForm() throws {
        let messages = [record(try form("coiffure a domicile"))]
        let sure = coder.outputs(for: messages, classifier: try TestPackage.classifier(threshold: 0), now: 5)[0]
        #expect(sure.count == 1 && sure[0].topic == StreamCoderTopic.codings)
        let coded = try CodingResult(decoding: sure[0].value!)
        #expect(coded.decision == .autoCoded)
        #expect(coded.form == nil)
        #expect(coded.model?.name == "naf-test")
        #expect(coded.model?.sha256.count == 64)
        #expect(coded.candidates.count == 5)
        #expect(coded.codedAtUnixMs == 5)

        let unsure = coder.outputs(for: messages, classifier: try TestPackage.classifier(threshold: 1.01), now: 5)[0]
        #expect(unsure[0].topic == StreamCoderTopic.manualReview)
        let reviewed = try CodingResult(decoding: unsure[0].value!)
        #expect(reviewed.decision == .manualReview)
        #expect(reviewed.form?.descriptionActivity == "coiffure a domicile")
        #expect(reviewed.candidates == coded.candidates)
    }

    @Test func aPassedDeadlineIsAnsweredWithoutInference() throws {
        let message = record(try form("coiffure"), headers: [KafkaHeader(key: "sc-deadline", text: "1000")])
        let output = coder.outputs(for: [message], classifier: try TestPackage.classifier(), now: 2_000)[0][0]
        let result = try CodingResult(decoding: output.value!)
        #expect(result.status.code == .deadlineExceeded)
        #expect(result.decision == .rejected)
        #expect(result.candidates.isEmpty)
        #expect(result.model == nil)
        #expect(output.topic == StreamCoderTopic.manualReview)

        let inTime = coder.outputs(for: [message], classifier: try TestPackage.classifier(), now: 999)[0][0]
        #expect(try CodingResult(decoding: inTime.value!).status.code == .ok)
    }

    @Test func aCallerGetsTheResultOnItsReplyTopicWithItsCorrelationIDAndTrace() throws {
        let headers = [
            KafkaHeader(key: "sc-reply-to", text: "caller.replies"),
            KafkaHeader(key: "sc-correlation-id", text: "req-9"),
            KafkaHeader(key: "traceparent", text: "00-trace-span-01"),
        ]
        let outputs = coder.outputs(
            for: [record(try form("boulangerie"), headers: headers)],
            classifier: try TestPackage.classifier(),
            now: 1
        )[0]
        #expect(outputs.map(\.topic) == [StreamCoderTopic.manualReview, "caller.replies"])
        #expect(outputs[0].value == outputs[1].value)
        for output in outputs {
            #expect(output.key == Array("f-1".utf8))
            #expect(output.headers.first { $0.key == "sc-correlation-id" }?.text == "req-9")
            #expect(output.headers.first { $0.key == "traceparent" }?.text == "00-trace-span-01")
            #expect(!output.headers.contains { $0.key == "sc-reply-to" })
        }
    }

    @Test func aResultSaysWhereItsFormWasRead() throws {
        let output = coder.outputs(
            for: [record(try form("coiffure"), offset: 41)],
            classifier: try TestPackage.classifier(),
            now: 1
        )[0][0]
        #expect(output.headers.first { $0.key == "sc-source-topic" }?.text == StreamCoderTopic.forms)
        #expect(output.headers.first { $0.key == "sc-source-partition" }?.text == "2")
        #expect(output.headers.first { $0.key == "sc-source-offset" }?.text == "41")
    }

    @Test func aReplayCodesPastDeadlinesAndAnswersNoCaller() throws {
        let replaying = FormCoder(topics: WorkerTopics(), replaying: true)
        let headers = [
            KafkaHeader(key: "sc-deadline", text: "1000"), KafkaHeader(key: "sc-reply-to", text: "caller.replies"),
        ]
        let message = record(try form("coiffure"), headers: headers)
        let outputs = replaying.outputs(for: [message], classifier: try TestPackage.classifier(), now: 2_000)[0]
        #expect(outputs.count == 1, "no reply to a caller of the past")
        let result = try CodingResult(decoding: outputs[0].value!)
        #expect(result.status.code == .ok && !result.candidates.isEmpty, "coded, not DEADLINE_EXCEEDED")
        let live = coder.outputs(for: [message], classifier: try TestPackage.classifier(), now: 2_000)[0]
        let liveResult = try CodingResult(decoding: live[0].value!)
        #expect(live.count == 2 && liveResult.status.code == .deadlineExceeded)
    }

    @Test func recodingAFormGivesTheSameResultBytesApartFromTheTime() throws {
        let message = record(try form("boulangerie patisserie artisanale"))
        let first = coder.outputs(for: [message], classifier: try TestPackage.classifier(), now: 10)[0][0]
        var again = try CodingResult(
            decoding: coder.outputs(for: [message], classifier: try TestPackage.classifier(), now: 99)[0][0].value!
        )
        again.codedAtUnixMs = 10
        #expect(try again.encoded() == first.value!)
    }

    @Test func anExplainingCoderAttachesTheWeightiestTokensOfTheTopCode() throws {
        let explaining = FormCoder(topics: WorkerTopics(), explain: true)
        let output = explaining.outputs(
            for: [record(try form("coiffure a domicile"))],
            classifier: try TestPackage.classifier(),
            now: 1
        )[0][0]
        let tokens = try #require(try CodingResult(decoding: output.value!).explanation?.tokens)
        #expect(!tokens.isEmpty && tokens.count <= 10)
        #expect(tokens.contains { $0.token == "coiffure" })
        let plain = coder.outputs(
            for: [record(try form("coiffure a domicile"))],
            classifier: try TestPackage.classifier(),
            now: 1
        )
        #expect(try CodingResult(decoding: plain[0][0].value!).explanation == nil)
    }

    @Test func aBatchKeepsItsOrderAcrossGoodAndBadRecords() throws {
        let messages = [record(try form("coiffure", id: "a")), record([1, 2, 3]), record(try form("taxi", id: "c"))]
        let outputs = coder.outputs(for: messages, classifier: try TestPackage.classifier(), now: 1)
        #expect(try CodingResult(decoding: outputs[0][0].value!).formID == "a")
        #expect(outputs[1][0].topic == StreamCoderTopic.deadLetter)
        #expect(try CodingResult(decoding: outputs[2][0].value!).formID == "c")
    }
}

@Suite("Form coder with a torchTextClassifiers package")
struct FormCoderCategoricalTests {
    @Test func theFormsCategoricalFieldsReachTheModel() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let fixtures = root.appendingPathComponent("Tests/ClassifierTests/Fixtures")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("worker-ttc-\(getpid())")
        _ = try TTCImporter.importModel(
            from: fixtures.appendingPathComponent("ttc/avg-concat"),
            labels: fixtures.appendingPathComponent("fasttext/naf_labels.csv"),
            name: "naf-ttc",
            version: "1",
            to: directory
        )
        let classifier = try FormClassifier(packageAt: directory, overrides: DecisionOverrides())
        let forms = [
            RegistryForm(formID: "a", descriptionActivity: "vente", typeForm: "M", event: "01P"),
            RegistryForm(formID: "b", descriptionActivity: "vente", typeForm: "X", event: "54P"),
            RegistryForm(formID: "c", descriptionActivity: "vente", typeForm: "??", event: "??"),
        ]
        let answers = classifier.answers(for: forms)
        #expect(answers.count == 3)
        #expect(answers[0].proposals != answers[1].proposals, "type_form and event change the answer")
        #expect(answers[2].proposals.count == 5, "unknown categorical values are coded, not refused")
    }
}
