import Testing

@testable import Worker

@Suite("Worker health")
struct WorkerHealthTests {
    let healthy = WorkerHealth.Snapshot(
        pipelineRunning: true,
        failure: nil,
        inFlight: 10,
        sinceProgress: .seconds(1),
        assignedPartitions: 4,
        brokersReachable: true,
        shuttingDown: false,
        model: "naf@1"
    )

    func health(_ change: (inout WorkerHealth.Snapshot) -> Void) -> WorkerHealth {
        var snapshot = healthy
        change(&snapshot)
        return WorkerHealth(snapshot, stallTimeout: .seconds(60))
    }

    @Test func aWorkingWorkerIsLiveAndReady() {
        let health = health { _ in }
        #expect(health.isLive && health.liveness == "ok")
        #expect(health.isReady && health.readiness == "ready: model naf@1, 4 partitions")
    }

    @Test func aWorkerThatCannotMakeProgressIsNeitherLiveNorReady() {
        let fatal = health { $0.failure = "the producer hit a fatal error" }
        #expect(!fatal.isLive && fatal.liveness.contains("fatal error"))
        #expect(!fatal.isReady)
        let stopped = health { $0.pipelineRunning = false }
        #expect(!stopped.isLive && stopped.liveness == "not live: the coding pipeline stopped")
        let stalled = health { $0.sinceProgress = .seconds(61) }
        #expect(!stalled.isLive && stalled.liveness.contains("10 forms in flight and none completed for 61 s"))
        let idle = health {
            $0.inFlight = 0
            $0.sinceProgress = .seconds(3_600)
        }
        #expect(idle.isLive, "nothing in flight is not a stall")
    }

    @Test func readinessNeedsABrokerPartitionsAndNoShutdown() {
        #expect(health { $0.brokersReachable = false }.readiness == "not ready: no broker reachable")
        #expect(health { $0.brokersReachable = nil }.readiness == "not ready: no broker answered yet")
        #expect(health { $0.assignedPartitions = 0 }.readiness == "not ready: no partitions assigned yet")
        let stopping = health { $0.shuttingDown = true }
        #expect(stopping.isLive && !stopping.isReady && stopping.readiness == "not ready: shutting down")
        #expect(health { $0.brokersReachable = false }.isLive, "a broker outage alone is no reason to restart")
    }
}
