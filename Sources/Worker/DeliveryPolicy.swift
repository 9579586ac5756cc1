import Kafka

/// What becomes of an output whose delivery failed: nothing is retried forever.
///
/// A retriable failure is retried with exponential backoff up to `maxAttempts`; past that, or at
/// once for a failure that cannot pass (too large, refused), the output is replaced by something
/// smaller that still accounts for its input: a result by a dead letter of the input, a dead letter
/// by a minimal one (where the input came from and why, no value). A minimal dead letter that
/// cannot be delivered either leaves the worker no way forward without losing the form: that is
/// fatal, and the input's offset is never committed. A reply to a caller's own topic is given up
/// instead, since its result is published on the worker's topics anyway.
struct DeliveryPolicy: Sendable, Equatable {
    /// What an output is, which decides what replaces it.
    enum Kind: Sendable, Equatable {
        /// A result on the coded or manual-review topic.
        case result
        /// A copy of a result on a caller's reply topic.
        case reply
        /// The input on the dead-letter topic (possibly cut to fit).
        case deadLetter
        /// The input's coordinates and error only, on the dead-letter topic.
        case minimalDeadLetter
    }

    /// What to do with a failed output.
    enum Decision: Sendable, Equatable {
        /// Send it again once `backoff` has passed.
        case retry(backoff: Duration)
        /// Send a dead letter of its input instead, of this kind, with this error code and reason.
        case replace(by: Kind, code: String, reason: String)
        /// Give it up: its input needs it no longer (a reply).
        case abandon
        /// Nothing can be delivered for its input: stop without committing it.
        case fatal(reason: String)
    }

    /// Tries of one output (the first send included) before it is replaced.
    var maxAttempts = 5
    /// Tries of a reply before it is given up.
    var maxReplyAttempts = 3
    /// The wait before the first retry; it doubles with each retry, up to `maxBackoff`.
    var initialBackoff: Duration = .milliseconds(100)
    /// The longest wait between two tries.
    var maxBackoff: Duration = .seconds(5)

    /// The decision for an output of `kind` to `topic` that failed on its `attempts`-th try.
    func decide(kind: Kind, topic: String, attempts: Int, error: KafkaError) -> Decision {
        if error.isFatal || error.code == .fatal {
            return .fatal(reason: "the producer can deliver nothing more: \(error)")
        }
        let limit = kind == .reply ? maxReplyAttempts : maxAttempts
        if error.isRetriable && error.code != .messageTooLarge && attempts < limit {
            return .retry(backoff: backoff(after: attempts))
        }
        let tries = attempts == 1 ? "1 try" : "\(attempts) tries"
        switch kind {
        case .reply:
            return .abandon
        case .result:
            let code = error.code == .messageTooLarge ? "resultTooLarge" : "deliveryFailed"
            return .replace(
                by: .deadLetter,
                code: code,
                reason: "its result could not be delivered to \(topic) after \(tries): \(error)"
            )
        case .deadLetter:
            return .replace(
                by: .minimalDeadLetter,
                code: "deadLetterUndeliverable",
                reason: "its dead letter could not be delivered to \(topic) after \(tries) (\(error)); "
                    + "read the input at its source coordinates"
            )
        case .minimalDeadLetter:
            return .fatal(
                reason: "the dead-letter topic \(topic) refuses even a minimal dead letter after \(tries): \(error)"
            )
        }
    }

    /// The wait after the `attempts`-th failed try.
    func backoff(after attempts: Int) -> Duration {
        var wait = initialBackoff
        for _ in 1..<max(1, attempts) where wait < maxBackoff { wait *= 2 }
        return min(wait, maxBackoff)
    }
}
