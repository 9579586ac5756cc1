import Metrics
import Synchronization

/// The worker's metrics, through swift-metrics: whichever backend the process bootstraps
/// (Prometheus in `streamcoder worker`) receives them; without one they cost next to nothing.
struct WorkerMetrics: Sendable {
    let formsIn = Counter(label: "streamcoder_forms_in_total")
    let deliveryRetries = Counter(label: "streamcoder_delivery_retries_total")
    let batchSize = Recorder(label: "streamcoder_batch_size", aggregate: true)
    let inFlight = Gauge(label: "streamcoder_in_flight_forms")
    let consumerLag = Gauge(label: "streamcoder_consumer_lag")
    let assignedPartitions = Gauge(label: "streamcoder_assigned_partitions")

    /// The metrics of the forms `identity` coded, labelled `model_version="name@version"`
    /// (`"none"` for an input no model coded).
    func model(_ identity: ModelIdentity?) -> ModelMetrics {
        Self.models.withLock { models in
            let label = identity.map { "\($0.name)@\($0.version)" } ?? "none"
            if let known = models[label] { return known }
            let made = ModelMetrics(version: label)
            models[label] = made
            return made
        }
    }

    /// Made once per model version: the metrics backend hands out the same series for the same
    /// labels, but looking them up on every form would cost a lock and a dictionary each.
    private static let models = Mutex<[String: ModelMetrics]>([:])

    /// Publishes the active model as a gauge set to 1, labelled with its identity.
    func activeModel(_ identity: ModelIdentity) {
        modelGauge(identity).record(1)
    }

    /// Sets a model's gauge back to 0 once another took over.
    func retiredModel(_ identity: ModelIdentity) {
        modelGauge(identity).record(0)
    }

    private func modelGauge(_ identity: ModelIdentity) -> Gauge {
        Gauge(
            label: "streamcoder_active_model",
            dimensions: [
                ("name", identity.name), ("version", identity.version), ("sha256", String(identity.sha256.prefix(12))),
            ]
        )
    }
}

/// The metrics of one model version: which forms it coded, what became of them, how long it took.
struct ModelMetrics: Sendable {
    let forms: Counter
    let autoCoded: Counter
    let manualReview: Counter
    let deadLetters: Counter
    let errors: Counter
    let batchCoding: Timer
    let formLatency: Timer

    init(version label: String) {
        let version = ("model_version", label)
        forms = Counter(label: "streamcoder_forms_coded_total", dimensions: [version])
        autoCoded = Counter(label: "streamcoder_results_total", dimensions: [("decision", "auto_coded"), version])
        manualReview = Counter(label: "streamcoder_results_total", dimensions: [("decision", "manual_review"), version])
        deadLetters = Counter(label: "streamcoder_dead_letters_total", dimensions: [version])
        errors = Counter(label: "streamcoder_replaced_outputs_total", dimensions: [version])
        batchCoding = Timer(label: "streamcoder_batch_coding_seconds", dimensions: [version], preferredDisplayUnit: .seconds)
        formLatency = Timer(
            label: "streamcoder_form_latency_seconds",
            dimensions: [version],
            preferredDisplayUnit: .seconds
        )
    }
}

extension Duration {
    /// Seconds, as Foundation and Dispatch count them.
    var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole milliseconds, saturating.
    var wholeMilliseconds: Int { Int(nanoseconds / 1_000_000) }

    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled + attoseconds / 1_000_000_000
    }
}
