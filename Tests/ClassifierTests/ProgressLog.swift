import Synchronization

@testable import Classifier

/// Collects progress reports from a training thread.
final class ProgressLog: Sendable {
    private let storage = Mutex<[TrainingProgress]>([])

    func append(_ progress: TrainingProgress) {
        storage.withLock { $0.append(progress) }
    }

    var values: [TrainingProgress] { storage.withLock { $0 } }
}
