import Metrics

/// The worker's metrics, through swift-metrics: whichever backend the process bootstraps
/// (Prometheus in `streamcoder worker`) receives them; without one they cost next to nothing.
struct WorkerMetrics: Sendable {
    let formsIn = Counter(label: "streamcoder_forms_in_total")
    let autoCoded = Counter(label: "streamcoder_results_total", dimensions: [("decision", "auto_coded")])
    let manualReview = Counter(label: "streamcoder_results_total", dimensions: [("decision", "manual_review")])
    let deadLetters = Counter(label: "streamcoder_dead_letters_total")
    let deliveryRetries = Counter(label: "streamcoder_delivery_retries_total")
    let replacedOutputs = Counter(label: "streamcoder_replaced_outputs_total")
    let batchSize = Recorder(label: "streamcoder_batch_size", aggregate: true)
    let batchCoding = Timer(label: "streamcoder_batch_coding_seconds", preferredDisplayUnit: .seconds)
    let formLatency = Timer(label: "streamcoder_form_latency_seconds", preferredDisplayUnit: .seconds)
    let inFlight = Gauge(label: "streamcoder_in_flight_forms")
    let consumerLag = Gauge(label: "streamcoder_consumer_lag")
    let assignedPartitions = Gauge(label: "streamcoder_assigned_partitions")

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
