import ServiceLifecycle

/// Where a Kafka client is in its life: open, then closing while it drains (a producer delivers
/// what it holds, a consumer commits and leaves its group), then closed. Once closing it refuses
/// new work, with an error that says so, instead of queueing work nobody will ever serve.
///
/// A value kept under the client's lock; its methods say what the caller must do, and the caller
/// does it outside the lock.
struct ClientLifecycle: Sendable, Equatable {
    /// The phases of a client.
    enum State: Sendable, Equatable {
        case open
        case closing
        case closed
    }

    /// Where the client is.
    private(set) var state = State.open
    /// The client's name in errors, e.g. "producer".
    let client: String

    init(client: String) {
        self.client = client
    }

    /// Throws `.closed` once the client is closing or closed.
    func checkOpen() throws(KafkaError) {
        guard state == .open else {
            throw KafkaError(.closed, "the \(client) is \(state == .closing ? "closing" : "closed"); create a new one")
        }
    }

    /// Starts closing; whether this caller must do the closing (only the first one does).
    mutating func beginClosing() -> Bool {
        guard state == .open else { return false }
        state = .closing
        return true
    }

    /// The closing is done.
    mutating func finishClosing() {
        state = .closed
    }
}

extension KafkaProducer: Service {
    /// Starts the producer's thread (if its first use has not), runs until a graceful shutdown
    /// (or cancellation), then closes: what the producer holds is delivered (up to 30 s) and
    /// nothing more is accepted.
    public func run() async throws {
        try admit()
        try? await gracefulShutdown()
        try await close()
    }
}

extension KafkaConsumer: Service {
    /// Runs until a graceful shutdown (or cancellation), then closes: stored offsets are committed
    /// and the consumer leaves its group. Its thread for blocking calls starts with the first one.
    public func run() async throws {
        try? await gracefulShutdown()
        try await close()
    }
}
