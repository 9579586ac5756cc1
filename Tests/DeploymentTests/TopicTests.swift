import Foundation
import Kafka
import Testing
import Wire

/// The init job creates every topic the fleet uses, with the contract's partitions and configs, and
/// the autoscaler follows the workers' group on the forms topic within its partitions.
@Suite("Topics and consumer groups")
struct TopicTests {
    /// The topics the init job of `file` creates (its one `topics create` command).
    static func createdTopics(in file: String) throws -> [KafkaTopicSpecification] {
        let jobs = try DeployedCommands.all().filter { $0.file == file && $0.isTopicsCreate }
        let job = try #require(jobs.count == 1 ? jobs.first : nil, "\(file): \(jobs.count) topics create commands")
        return try #require(job.createdTopics, "\(job): its topics do not parse")
    }

    @Test(arguments: [Repository.compose, Repository.kubernetes])
    func theInitJobCreatesEveryTopicOfTheContractWithItsPartitionsAndConfigs(_ file: String) throws {
        let created = Dictionary(uniqueKeysWithValues: try Self.createdTopics(in: file).map { ($0.name, $0) })
        for topic in StreamCoderTopic.defaults {
            let spec = try #require(created[topic.name], "\(file): \(topic.name) is not created")
            if let partitions = topic.partitions {
                #expect(spec.partitions == partitions, "\(file): \(topic.name)")
            }
            // Exactly the contract's configs: an extra --config would reach every topic (a compacted
            // forms topic would lose forms).
            #expect(spec.configs == topic.configs, "\(file): \(topic.name) configs \(spec.configs)")
        }
        #expect(created[StreamCoderTopic.control]?.configs["cleanup.policy"] == "compact")
        #expect(created[StreamCoderTopic.forms]?.configs["cleanup.policy"] == nil)
    }

    @Test func everyTopicAServiceUsesIsCreatedByItsInitJob() throws {
        for command in try DeployedCommands.all() {
            let created = Set(try Self.createdTopics(in: command.file).map(\.name))
            #expect(!command.topicsUsed.isEmpty || command.isTopicsCreate || command.store != nil, "\(command)")
            for topic in command.topicsUsed.sorted() {
                #expect(created.contains(topic), "\(command): uses \(topic), which its init job does not create")
            }
        }
    }

    @Test func composeKafkaCreatesNoTopicByItself() throws {
        // Otherwise a misspelt topic would be auto-created and the mistake hidden.
        let kafka = try Repository.yaml(Repository.compose)["services"]["kafka"]
        #expect(kafka["image"].string?.hasPrefix("apache/kafka:") == true)
        #expect(kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"].string == "false")
        #expect(kafka["environment"]["KAFKA_PROCESS_ROLES"].string == "broker,controller", "KRaft mode")
        let advertised = kafka["environment"]["KAFKA_ADVERTISED_LISTENERS"].string ?? ""
        for command in try DeployedCommands.compose() {
            guard let brokers = command.brokers else { continue }
            #expect(advertised.contains("://\(brokers)"), "\(command): \(brokers) is not advertised (\(advertised))")
        }
    }

    @Test func theAutoscalerFollowsTheWorkersGroupOnTheFormsTopicWithinItsPartitions() throws {
        let documents = try Repository.kubernetesDocuments()
        let scaled = try #require(Kubernetes.documents("ScaledObject", in: documents).first)
        let trigger = try #require(scaled["spec"]["triggers"].list.first { $0["type"].string == "kafka" })
        let metadata = trigger["metadata"]
        let target = scaled["spec"]["scaleTargetRef"]["name"].string
        let deployment = try #require(
            Kubernetes.documents("Deployment", in: documents).first { $0["metadata"]["name"].string == target },
            "the ScaledObject scales \(target ?? "nothing"), which is no Deployment here"
        )
        let containerNames = Kubernetes.podSpec(of: deployment)["containers"].list.compactMap { $0["name"].string }
        let workers = try DeployedCommands.kubernetes().filter(\.isWorker)
        let worker = try #require(workers.first { containerNames.contains($0.name) }, "it does not scale workers")

        #expect(metadata["consumerGroup"].string == worker.group)
        #expect(metadata["topic"].string == worker.formsTopic)
        #expect(metadata["bootstrapServers"].string == worker.brokers)
        #expect(metadata["allowIdleConsumers"].string != "true", "idle workers past the partition count")
        let coordinator = try #require(try DeployedCommands.kubernetes().first { $0.isCoordinator })
        #expect(coordinator.group == worker.group, "the coordinator follows another fleet")

        let forms = try Self.createdTopics(in: Repository.kubernetes).first { $0.name == worker.formsTopic }
        let partitions = try #require(forms?.partitions)
        let maximum = try #require(scaled["spec"]["maxReplicaCount"].int)
        let minimum = scaled["spec"]["minReplicaCount"].int ?? 0
        #expect(maximum <= partitions, "a worker past the forms topic's \(partitions) partitions would sit idle")
        #expect(minimum >= 1 && minimum <= maximum)
        // The Deployment leaves the count to the autoscaler; a fixed one would be reset by every apply.
        #expect(!deployment["spec"]["replicas"].exists)
    }

    @Test func composeStartsFewerWorkersThanTheFormsTopicHasPartitions() throws {
        let services = try Repository.yaml(Repository.compose)["services"]
        let worker = try #require(try DeployedCommands.compose().first { $0.isWorker })
        let replicas = try #require(services[worker.name]["deploy"]["replicas"].int)
        let forms = try Self.createdTopics(in: Repository.compose).first { $0.name == worker.formsTopic }
        #expect(replicas >= 1 && replicas <= (forms?.partitions ?? 0))
    }
}
