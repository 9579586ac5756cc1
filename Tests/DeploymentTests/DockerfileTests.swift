import ArgumentParser
import Foundation
import Testing

@testable import streamcoder

/// The Dockerfile builds the binary in a Swift stage and runs it from a slim Debian one.
@Suite("Dockerfile")
struct DockerfileTests {
    @Test func itBuildsWithSwift63AndRunsOnSlimDebian() throws {
        let dockerfile = try Dockerfile.load()
        #expect(dockerfile.stages.count == 2)
        let build = try #require(dockerfile.stages.first)
        #expect(build.image.hasPrefix("swift:6.3"), "\(build.image)")
        #expect(build.all("RUN").contains { $0.arguments.contains("swift build -c release") })
        #expect(build.all("RUN").contains { $0.arguments.contains("--product streamcoder") })
        #expect(dockerfile.runtime.image == "debian:bookworm-slim")
    }

    @Test func everyFileItCopiesIsInTheBuildContext() throws {
        let dockerfile = try Dockerfile.load()
        let ignore = try DockerIgnore.load()
        var copied = 0
        for stage in dockerfile.stages {
            for copy in stage.all("COPY") + stage.all("ADD") {
                if let from = copy.flag("from") {
                    let earlier = dockerfile.stages.prefix { $0.name != stage.name }.compactMap(\.name)
                    #expect(earlier.contains(from), "COPY --from=\(from): no earlier stage of that name")
                    continue
                }
                for source in copy.operands.dropLast() {
                    #expect(Repository.exists(source), "COPY \(source): not in the repository")
                    #expect(!ignore.excludes(source), "COPY \(source): .dockerignore leaves it out")
                    copied += 1
                }
            }
        }
        #expect(copied >= 4)
        // SwiftPM refuses a manifest whose targets are missing: every target folder must be copied.
        let copiedFolders = dockerfile.stages[0].all("COPY").flatMap { $0.operands.dropLast() }
        for folder in ["Package.swift", "Sources", "Tests"] {
            #expect(copiedFolders.contains(folder), "the build stage does not copy \(folder)")
        }
    }

    @Test func theEntrypointIsTheBinaryTheBuildStageMade() throws {
        let dockerfile = try Dockerfile.load()
        let runtime = dockerfile.runtime
        let entrypoint = try #require(runtime.all("ENTRYPOINT").last?.execForm, "ENTRYPOINT in exec form")
        let binary = try #require(entrypoint.first)
        #expect(entrypoint.count == 1, "arguments belong to each service's command")
        let copy = runtime.all("COPY").first { $0.flag("from") != nil && $0.operands.last == binary }
        let built = try #require(copy?.operands.first, "no COPY --from puts \(binary) in the image")
        #expect(URL(fileURLWithPath: built).lastPathComponent == "streamcoder")
        let build = try #require(dockerfile.stage(copy?.flag("from") ?? ""))
        #expect(build.all("RUN").contains { $0.arguments.contains(built) }, "the build stage never writes \(built)")
    }

    @Test func itRunsAsAnUnprivilegedUser() throws {
        let runtime = try Dockerfile.load().runtime
        let user = try #require(runtime.all("USER").last?.operands.first)
        #expect(!["root", "0"].contains(user))
        #expect(runtime.all("RUN").contains { $0.arguments.contains("useradd") && $0.arguments.contains(user) })
    }

    @Test func theHealthCheckAsksTheWorkersHealthz() throws {
        let runtime = try Dockerfile.load().runtime
        let check = try #require(runtime.all("HEALTHCHECK").last?.arguments)
        let worker = try #require(try StreamCoderCommand.parseAsRoot(["worker"]) as? WorkerCommand)
        #expect(check.contains("http://127.0.0.1:\(worker.probeEndpoint(environment: [:]).port)/healthz"), "\(check)")
        #expect(Dockerfile.aptPackages(of: runtime).contains("curl"), "the health check's curl is not installed")
    }

    /// The Debian runtime package of each -dev package Package.swift names.
    static let runtimePackages = [
        "librdkafka-dev": "librdkafka1", "libprotobuf-c-dev": "libprotobuf-c1",
        "libopenblas-dev": "libopenblas0-pthread", "libjemalloc-dev": "libjemalloc2",
    ]

    @Test func bothStagesInstallTheSystemLibrariesOfThePackage() throws {
        let manifest = try Repository.text("Package.swift")
        let providers = manifest.matches(of: #/\.apt\(\[([^\]]*)\]\)/#).flatMap {
            $0.output.1.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
        }
        #expect(providers.count >= 4, "\(providers)")
        let dockerfile = try Dockerfile.load()
        let build = Dockerfile.aptPackages(of: dockerfile.stages[0])
        let runtime = Dockerfile.aptPackages(of: dockerfile.runtime)
        #expect(build.contains("pkg-config"))
        for provider in providers {
            #expect(build.contains(provider), "the build stage does not install \(provider)")
            let library = try #require(Self.runtimePackages[provider], "which Debian package runs \(provider)?")
            #expect(runtime.contains(library), "the runtime stage does not install \(library)")
        }
    }

    @Test func composeBuildsThisDockerfile() throws {
        let services = try Repository.yaml(Repository.compose)["services"]
        let builds = services.entries.map { $0.value["build"] }.filter(\.exists)
        #expect(!builds.isEmpty)
        for build in builds {
            let context = Repository.url("compose").appendingPathComponent(build["context"].string ?? ".")
            #expect(context.standardized.path == Repository.root.standardized.path)
            #expect(Repository.exists(build["dockerfile"].string ?? "Dockerfile"))
        }
    }
}
