import Foundation
import Kafka
import Logging
import Wire

/// The fleet as its reports on `streamcoder.fleet` show it: the newest report of each worker, and
/// whether the worker is gone (silent for longer than a timeout).
public struct FleetView: Sendable {
    /// One worker as last reported.
    public struct Member: Sendable {
        /// The newest report.
        public var report: WorkerReport
        /// Whether it stopped reporting (silent for longer than the timeout).
        public var isGone: Bool
        /// The report before the newest, if the window held one.
        public var previous: WorkerReport?
    }

    /// The workers, by id.
    public var members: [String: Member]

    /// Reads the last `window` reports of the fleet topic; a worker silent for `goneAfter` is gone.
    public static func read(
        bootstrapServers: String,
        properties: [String: String] = [:],
        topic: String = StreamCoderTopic.fleet,
        window: Int64 = 10_000,
        goneAfter: Duration = .seconds(30),
        logger: Logger
    ) async throws -> FleetView {
        var newest: [String: WorkerReport] = [:]
        var previous: [String: WorkerReport] = [:]
        let reader = TopicReader(bootstrapServers: bootstrapServers, properties: properties, logger: logger)
        try await reader.readToEnd(topic, window: window) { message in
            guard let value = message.value, let report = try? WorkerReport(decoding: value) else { return }
            let known = newest[report.workerID]
            if report.reportedAtUnixMs >= (known?.reportedAtUnixMs ?? 0) {
                if let known, known.reportedAtUnixMs < report.reportedAtUnixMs { previous[report.workerID] = known }
                newest[report.workerID] = report
            }
        }
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let limit = Int64(goneAfter.components.seconds) * 1_000
        return FleetView(
            members: newest.mapValues {
                Member(report: $0, isGone: now - $0.reportedAtUnixMs > limit, previous: previous[$0.workerID])
            }
        )
    }
}
