import Synchronization

/// A flag one side raises and a loop on another thread checks.
final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    /// Asks the loop to stop.
    func raise() { raised.store(true, ordering: .relaxed) }

    /// Whether the loop was asked to stop.
    var isRaised: Bool { raised.load(ordering: .relaxed) }
}
