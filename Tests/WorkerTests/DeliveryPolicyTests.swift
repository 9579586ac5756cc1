import Kafka
import Testing

@testable import Worker

@Suite("Delivery policy")
struct DeliveryPolicyTests {
    let policy = DeliveryPolicy()
    let timedOut = KafkaError(.delivery, "message timed out", isRetriable: true)
    let refused = KafkaError(.delivery, "topic authorization failed")
    let tooLarge = KafkaError(.messageTooLarge, "too large", isRetriable: true)
    let fatal = KafkaError(.fatal, "out of order sequence", isFatal: true)

    @Test func aRetriableFailureIsRetriedWithGrowingBackoffUpToTheBound() {
        var waits: [Duration] = []
        for attempts in 1..<policy.maxAttempts {
            guard
                case .retry(let backoff) = policy.decide(kind: .result, topic: "c", attempts: attempts, error: timedOut)
            else {
                Issue.record("attempt \(attempts) was not retried")
                return
            }
            waits.append(backoff)
        }
        #expect(waits == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800)])
        #expect(policy.backoff(after: 30) == policy.maxBackoff)
        guard
            case .replace(.deadLetter, "deliveryFailed", let reason) = policy.decide(
                kind: .result,
                topic: "codings",
                attempts: policy.maxAttempts,
                error: timedOut
            )
        else {
            Issue.record("a result that failed \(policy.maxAttempts) times is not replaced by a dead letter")
            return
        }
        #expect(reason.contains("codings after 5 tries"))
    }

    @Test func whatCannotPassIsReplacedAtOnceBySomethingSmaller() {
        #expect(
            policy.decide(kind: .result, topic: "c", attempts: 1, error: tooLarge)
                == .replace(
                    by: .deadLetter,
                    code: "resultTooLarge",
                    reason: "its result could not be delivered to c after 1 try: \(tooLarge)"
                )
        )
        guard
            case .replace(.minimalDeadLetter, "deadLetterUndeliverable", _) = policy.decide(
                kind: .deadLetter,
                topic: "dlq",
                attempts: 1,
                error: refused
            )
        else {
            Issue.record("a refused dead letter is not replaced by a minimal one")
            return
        }
        guard case .fatal = policy.decide(kind: .minimalDeadLetter, topic: "dlq", attempts: 5, error: timedOut) else {
            Issue.record("an undeliverable minimal dead letter is not fatal")
            return
        }
    }

    @Test func repliesAreGivenUpAndFatalErrorsStopEverything() {
        #expect(
            policy.decide(kind: .reply, topic: "r", attempts: 2, error: timedOut) == .retry(backoff: .milliseconds(200))
        )
        #expect(policy.decide(kind: .reply, topic: "r", attempts: 3, error: timedOut) == .abandon)
        #expect(policy.decide(kind: .reply, topic: "r", attempts: 1, error: refused) == .abandon)
        for kind in [DeliveryPolicy.Kind.result, .reply, .deadLetter, .minimalDeadLetter] {
            guard case .fatal = policy.decide(kind: kind, topic: "t", attempts: 1, error: fatal) else {
                Issue.record("a fatal producer error does not stop \(kind)")
                continue
            }
        }
    }
}
