import Foundation
import Testing

/// Every deployment file parses, as Docker, Kubernetes, Prometheus and Grafana would read it.
@Suite("Deployment files parse")
struct FileSyntaxTests {
    /// The YAML files of compose/ and deploy/.
    static let yamlFiles =
        Repository.files(under: "compose", extensions: ["yml", "yaml"])
        + Repository.files(under: "deploy", extensions: ["yml", "yaml"])

    @Test func theDeploymentFilesAreThere() {
        for file in [
            "Dockerfile", ".dockerignore", Repository.compose, "compose/prometheus.yml",
            "compose/grafana/dashboards/streamcoder.json", "docs/deploy.md",
        ] {
            #expect(Repository.exists(file), "\(file) is missing")
        }
        #expect(Self.yamlFiles.count >= 10, "\(Self.yamlFiles)")
    }

    @Test(arguments: yamlFiles)
    func everyYAMLDocumentParses(_ file: String) throws {
        let documents = try Repository.parseYAML(Repository.text(file))
        #expect(!documents.isEmpty, "\(file) holds no document")
        for (index, document) in documents.enumerated() {
            #expect(!Tree(document).keys.isEmpty, "\(file): document \(index + 1) is not a mapping")
        }
    }

    @Test(arguments: Repository.files(under: "compose", extensions: ["json"]))
    func everyJSONFileParses(_ file: String) throws {
        let value = try JSONSerialization.jsonObject(with: Data(contentsOf: Repository.url(file)))
        #expect(value is [String: Any], "\(file) is not a JSON object")
    }

    @Test func everyKubernetesObjectIsNamedAndInTheNamespace() throws {
        let documents = try Repository.kubernetesDocuments()
        let namespaces = Kubernetes.documents("Namespace", in: documents).compactMap { $0["metadata"]["name"].string }
        #expect(namespaces == ["streamcoder"])
        for document in documents {
            let kind = document["kind"].string ?? "?"
            #expect(document["apiVersion"].string != nil, "\(kind) without apiVersion")
            #expect(document["metadata"]["name"].string != nil, "\(kind) without a name")
            if kind != "Namespace" {
                #expect(document["metadata"]["namespace"].string == "streamcoder", "\(kind) outside the namespace")
            }
        }
        let kinds = Set(documents.compactMap { $0["kind"].string })
        #expect(kinds.isSuperset(of: ["ConfigMap", "Deployment", "Service", "Job", "ScaledObject"]), "\(kinds)")
    }

    @Test func theNamespaceComesFirstWhenTheFolderIsApplied() {
        // kubectl applies a folder's files in name order: the namespace must exist before the rest.
        let files = Repository.files(under: Repository.kubernetes, extensions: ["yaml", "yml"])
        #expect(files.first == "\(Repository.kubernetes)/00-namespace.yaml", "\(files)")
    }
}
