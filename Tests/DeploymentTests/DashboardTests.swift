import Foundation
import Testing

/// The Grafana dashboard is provisioned where compose mounts it, and asks Prometheus for metrics
/// the code publishes, with labels the code sets.
@Suite("Grafana dashboard")
struct DashboardTests {
    static let dashboardFile = "compose/grafana/dashboards/streamcoder.json"

    /// Every PromQL expression of the dashboard's panels.
    static func expressions() throws -> [String] {
        try Repository.json(dashboardFile)["panels"].list.flatMap {
            $0["targets"].list.compactMap { $0["expr"].string }
        }
    }

    @Test func everyMetricTheDashboardAsksForIsPublishedByTheCode() throws {
        let metrics = try PublishedMetrics.fromSources()
        #expect(metrics.names.contains("streamcoder_forms_in_total"), "\(metrics.names)")
        let expressions = try Self.expressions()
        #expect(expressions.count >= 10)
        for expression in expressions {
            for match in expression.matches(of: #/\bstreamcoder_[a-z0-9_]+/#) {
                let name = String(match.output)
                #expect(metrics.series.contains(name), "\(name) (in \(expression)) is published by no code")
            }
        }
    }

    @Test func everyLabelTheDashboardUsesIsSetByTheCode() throws {
        let metrics = try PublishedMetrics.fromSources()
        let jobs = try Repository.yaml("compose/prometheus.yml")["scrape_configs"].list.compactMap {
            $0["job_name"].string
        }
        // Prometheus's own: the bucket bound, the target, the scrape job.
        let labels = metrics.labels.union(["le", "instance", "job"])
        for expression in try Self.expressions() {
            for match in expression.matches(of: #/by \(([^)]*)\)/#) {
                for label in match.output.1.split(separator: ",") {
                    let name = label.trimmingCharacters(in: .whitespaces)
                    #expect(labels.contains(name), "\(name) (in \(expression)) is a label no code sets")
                }
            }
            for match in expression.matches(of: #/([a-z_]+)="([^"]*)"/#) {
                let (label, value) = (String(match.output.1), String(match.output.2))
                let known =
                    metrics.labelValues.contains("\(label)=\(value)") || (label == "job" && jobs.contains(value))
                #expect(known, "\(label)=\"\(value)\" (in \(expression)) is a label value no code sets")
            }
        }
    }

    @Test func itShowsThroughputRatesPerModelVersionLagAndP99Latency() throws {
        let all = try Self.expressions().joined(separator: "\n")
        #expect(all.contains("rate(streamcoder_forms_in_total"), "forms/s")
        #expect(all.contains(#"sum by (model_version) (rate(streamcoder_results_total{decision="auto_coded"}"#))
        #expect(all.contains(#"sum by (model_version) (rate(streamcoder_results_total{decision="manual_review"}"#))
        #expect(all.contains("streamcoder_consumer_lag"))
        #expect(
            all.contains(
                "histogram_quantile(0.99, sum by (le, model_version) (rate(streamcoder_form_latency_seconds_bucket"
            )
        )
    }

    @Test func grafanaProvisionsTheDashboardAndItsDataSourceFromTheMountedFolders() throws {
        let grafana = try Repository.yaml(Repository.compose)["services"]["grafana"]
        let mounts = Dictionary(
            uniqueKeysWithValues: grafana["volumes"].strings.map { volume in
                let parts = volume.split(separator: ":").map(String.init)
                return (parts[1], parts[0])
            }
        )
        #expect(mounts["/etc/grafana/provisioning"] == "./grafana/provisioning")
        let providers = try Repository.yaml("compose/grafana/provisioning/dashboards/streamcoder.yml")["providers"]
        let path = try #require(providers.list.first?["options"]["path"].string)
        let folder = try #require(mounts[path], "the dashboards' path \(path) is not mounted")
        #expect(Repository.exists("compose/\(folder)/\(URL(fileURLWithPath: Self.dashboardFile).lastPathComponent)"))

        let sources = try Repository.yaml("compose/grafana/provisioning/datasources/prometheus.yml")["datasources"]
        let uids = Set(sources.list.compactMap { $0["uid"].string })
        let url = try #require(URL(string: sources.list.first?["url"].string ?? ""))
        let services = try Repository.yaml(Repository.compose)["services"]
        #expect(services[url.host ?? ""]["image"].string?.hasPrefix("prom/prometheus") == true, "\(url)")
        #expect(services[url.host ?? ""]["ports"].strings.contains { $0.hasSuffix(":\(url.port ?? 0)") })
        for panel in try Repository.json(Self.dashboardFile)["panels"].list {
            #expect(uids.contains(panel["datasource"]["uid"].string ?? ""), "panel \(panel["title"].string ?? "?")")
        }
    }
}

/// The metrics the code publishes through swift-metrics, found in Sources/.
struct PublishedMetrics {
    /// Metric names as created (`Counter(label: "…")` and the like).
    let names: Set<String>
    /// The series Prometheus sees: the names, plus `_bucket`, `_sum`, `_count` of the histograms
    /// (swift-prometheus makes a Timer or an aggregating Recorder a histogram).
    let series: Set<String>
    /// Dimension names (`("model_version", …)`).
    let labels: Set<String>
    /// Dimension pairs given literally, as `name=value` (`("decision", "auto_coded")`).
    let labelValues: Set<String>

    /// Reads them off Sources/.
    static func fromSources() throws -> PublishedMetrics {
        let sources = try Repository.swiftSources()
        var names: Set<String> = []
        var series: Set<String> = []
        let made = #/\b(Counter|Gauge|Timer|Recorder|Meter)\(\s*label:\s*"([a-z_:][a-z0-9_:]*)"/#
        for match in sources.matches(of: made) {
            let name = String(match.output.2)
            names.insert(name)
            series.insert(name)
            if ["Timer", "Recorder"].contains(match.output.1) {
                series.formUnion(["_bucket", "_sum", "_count"].map { name + $0 })
            }
        }
        let labels = Set(sources.matches(of: #/\(\s*"([a-z][a-z0-9_]*)",/#).map { String($0.output.1) })
        let values = Set(
            sources.matches(of: #/\(\s*"([a-z][a-z0-9_]*)",\s*"([a-z0-9_]+)"\s*\)/#).map {
                "\($0.output.1)=\($0.output.2)"
            }
        )
        return PublishedMetrics(names: names, series: series, labels: labels, labelValues: values)
    }
}
