import Foundation
import Testing

/// Prometheus, the health checks, the probes and the Services point at ports the containers serve.
@Suite("Ports, probes and scrapes")
struct PortTests {
    /// The compose services that serve HTTP, by name.
    static func composeEndpoints() throws -> [String: DeployedCommand.Endpoint] {
        var endpoints: [String: DeployedCommand.Endpoint] = [:]
        for command in try DeployedCommands.compose() {
            endpoints[command.name] = command.endpoint
        }
        return endpoints
    }

    /// A scrape job's targets: its static `HOST:PORT`s and the names its DNS discovery resolves.
    static func targets(of job: Tree) -> [(host: String, port: Int?)] {
        let fixed = job["static_configs"].list.flatMap { $0["targets"].strings }.map { target in
            let parts = target.split(separator: ":")
            return (host: String(parts[0]), port: parts.count == 2 ? Int(parts[1]) : nil)
        }
        let discovered = job["dns_sd_configs"].list.flatMap { discovery in
            discovery["names"].strings.map { (host: $0, port: discovery["port"].int) }
        }
        return fixed + discovered
    }

    @Test func prometheusScrapesEveryServingServiceOnThePortItServes() throws {
        let endpoints = try Self.composeEndpoints()
        let jobs = try Repository.yaml("compose/prometheus.yml")["scrape_configs"].list
        var scraped: Set<String> = []
        for job in jobs {
            let name = job["job_name"].string ?? "?"
            let path = job["metrics_path"].string ?? "/metrics"
            let targets = Self.targets(of: job)
            #expect(!targets.isEmpty, "job \(name) scrapes nothing")
            for target in targets {
                let endpoint = try #require(endpoints[target.host], "job \(name): \(target.host) serves no metrics")
                #expect(target.port == endpoint.port, "job \(name): \(target.host) serves on \(endpoint.port)")
                #expect(endpoint.paths.contains(path), "job \(name): \(target.host) does not serve \(path)")
                scraped.insert(target.host)
            }
        }
        #expect(
            scraped == Set(endpoints.keys),
            "serving services no job scrapes: \(Set(endpoints.keys).subtracting(scraped))"
        )
    }

    @Test func composeHealthChecksAskHealthzOnTheServedPort() throws {
        let services = try Repository.yaml(Repository.compose)["services"]
        for command in try DeployedCommands.compose() {
            let check = services[command.name]["healthcheck"]
            guard let endpoint = command.endpoint else {
                // A one-shot job serves nothing: the image's check (a worker's port) would fail it.
                #expect(check["disable"].string == "true", "\(command): disable the image's health check")
                continue
            }
            let test = check["test"].strings.joined(separator: " ")
            #expect(test.contains("http://127.0.0.1:\(endpoint.port)/healthz"), "\(command): \(test)")
            let published = services[command.name]["ports"].strings.compactMap { $0.split(separator: ":").last }
            for port in published {
                #expect(Int(port) == endpoint.port, "\(command): publishes \(port)")
            }
        }
    }

    @Test func workersStopWithinComposesAndKubernetesGracePeriods() throws {
        let services = try Repository.yaml(Repository.compose)["services"]
        for command in try DeployedCommands.compose() where command.isWorker {
            let grace = try #require(command.shutdownGrace)
            let stop = services[command.name]["stop_grace_period"].string ?? "10s"
            let seconds = try #require(Int(stop.dropLast()), "stop_grace_period \(stop): write it in seconds")
            #expect(stop.hasSuffix("s") && seconds > grace, "\(command): SIGKILL after \(stop), drain \(grace) s")
        }
        let documents = try Repository.kubernetesDocuments()
        for command in try DeployedCommands.kubernetes() where command.isWorker {
            let grace = try #require(command.shutdownGrace)
            let pods = documents.map { Kubernetes.podSpec(of: $0) }.filter {
                $0["containers"].list.contains { $0["name"].string == command.name }
            }
            for pod in pods {
                let period = pod["terminationGracePeriodSeconds"].int ?? 30
                #expect(period > grace, "\(command): SIGKILL after \(period) s, drain \(grace) s")
            }
        }
    }

    @Test func kubernetesProbesPortsAndAnnotationsPointAtTheServedPort() throws {
        let documents = try Repository.kubernetesDocuments()
        let commands = try DeployedCommands.kubernetes()
        var checked = 0
        for deployment in Kubernetes.documents("Deployment", in: documents) {
            let template = deployment["spec"]["template"]
            for container in template["spec"]["containers"].list {
                let command = try #require(commands.first { $0.name == container["name"].string })
                let endpoint = try #require(command.endpoint, "\(command): a Deployment that serves nothing")
                let ports = KubernetesPorts(container: container)
                #expect(ports.resolve("\(endpoint.port)") == endpoint.port, "\(command): no containerPort")
                let probes = ["livenessProbe": "/healthz", "readinessProbe": "/readyz"]
                for (probe, path) in probes.sorted(by: { $0.key < $1.key }) {
                    let get = container[probe]["httpGet"]
                    #expect(get["path"].string == path, "\(command): \(probe) should ask \(path) (README.md)")
                    #expect(ports.resolve(get["port"].string) == endpoint.port, "\(command): \(probe) port")
                }
                if container["startupProbe"].exists {
                    let get = container["startupProbe"]["httpGet"]
                    #expect(get["path"].string == "/healthz")
                    #expect(ports.resolve(get["port"].string) == endpoint.port, "\(command): startupProbe port")
                }
                let annotations = template["metadata"]["annotations"]
                #expect(annotations["prometheus.io/port"].int == endpoint.port, "\(command): scrape annotation")
                #expect(endpoint.paths.contains(annotations["prometheus.io/path"].string ?? "/metrics"))
                checked += 1
            }
        }
        #expect(checked >= 2)
    }

    @Test func kubernetesServicesSelectAPodAndTargetAPortItServes() throws {
        let documents = try Repository.kubernetesDocuments()
        let deployments = Kubernetes.documents("Deployment", in: documents)
        let services = Kubernetes.documents("Service", in: documents)
        #expect(services.count >= 2)
        for service in services {
            let name = service["metadata"]["name"].string ?? "?"
            let selector = service["spec"]["selector"].stringMap
            let selected = deployments.filter { deployment in
                let labels = deployment["spec"]["template"]["metadata"]["labels"].stringMap
                return !selector.isEmpty && selector.allSatisfy { labels[$0.key] == $0.value }
            }
            let deployment = try #require(
                selected.count == 1 ? selected.first : nil,
                "Service \(name) selects \(selected.count) Deployments"
            )
            let containers = deployment["spec"]["template"]["spec"]["containers"].list
            let served = try containers.compactMap { container in
                try DeployedCommands.kubernetes().first { $0.name == container["name"].string }?.endpoint?.port
            }
            for port in service["spec"]["ports"].list {
                let target = port["targetPort"].string ?? port["port"].string
                let resolved = containers.compactMap { KubernetesPorts(container: $0).resolve(target) }
                #expect(!resolved.isEmpty && resolved.allSatisfy(served.contains), "Service \(name): \(target ?? "?")")
                #expect(port["port"].int == resolved.first, "Service \(name): port \(port["port"].string ?? "?")")
            }
        }
    }
}

/// A container's ports, by name and number.
struct KubernetesPorts {
    let named: [String: Int]

    init(container: Tree) {
        named = Dictionary(
            container["ports"].list.compactMap { port in
                port["containerPort"].int.map { (port["name"].string ?? "\($0)", $0) }
            },
            uniquingKeysWith: { first, _ in first }
        )
    }

    /// The number a probe's or Service's port names: a declared name, or a declared number.
    func resolve(_ port: String?) -> Int? {
        guard let port else { return nil }
        if let number = named[port] { return number }
        return Int(port).flatMap { number in named.values.contains(number) ? number : nil }
    }
}
