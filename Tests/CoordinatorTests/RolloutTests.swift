import Testing
import Wire

@testable import Coordinator

/// The coordinator's comparison of a canary with the stable model, and the state it rebuilds from
/// the two topics: pure logic, no broker.
@Suite("Rollout assessment and coordinator state")
struct RolloutTests {
    static let stable = ModelRef(name: "naf", version: "1", sha256: "aa")
    static let candidate = ModelRef(name: "naf", version: "2", sha256: "bb")
    static let canary = ModelDirective(
        generation: 4,
        package: PackageRef(model: candidate, uri: "/store/bb"),
        canaryFraction: 0.2,
        previous: stable
    )
    static let policy = RolloutPolicy(minForms: 100, maxReviewIncrease: 0.10, maxErrorIncrease: 0.02)

    /// A report of `worker` with the stable and candidate counts given as (forms, manual review, errors).
    static func report(
        _ worker: String,
        stable: (UInt64, UInt64, UInt64),
        candidate: (UInt64, UInt64, UInt64),
        at time: Int64 = 1_000
    ) -> WorkerReport {
        func counters(_ counts: (UInt64, UInt64, UInt64)) -> WorkerCounters {
            WorkerCounters(
                formsIn: counts.0,
                autoCoded: counts.0 - counts.1 - counts.2,
                manualReview: counts.1,
                deadLetters: counts.2
            )
        }
        return WorkerReport(
            workerID: worker,
            active: Self.stable,
            candidate: Self.candidate,
            reportedAtUnixMs: time,
            models: [
                ModelCounters(model: Self.stable, counters: counters(stable)),
                ModelCounters(model: Self.candidate, counters: counters(candidate)),
            ]
        )
    }

    @Test func aCanaryIsComparedOnlyOnceBothModelsCodedEnoughFormsSummedOverTheFleet() {
        let early = RolloutAssessment.assess(
            Self.canary,
            reports: [Self.report("w1", stable: (400, 40, 0), candidate: (60, 50, 0))],
            policy: Self.policy
        )
        #expect(early.verdict == .collecting)
        #expect(early.summary.contains("60 forms by the canary"))
        let enough = RolloutAssessment.assess(
            Self.canary,
            reports: [
                Self.report("w1", stable: (400, 40, 0), candidate: (60, 50, 0)),
                Self.report("w2", stable: (400, 40, 0), candidate: (60, 50, 0)),
            ],
            policy: Self.policy
        )
        #expect(enough.candidateCounts.formsIn == 120 && enough.stableCounts.formsIn == 800)
        #expect(enough.verdict == .worse)
        #expect(enough.summary.contains("manual review 83.3 % vs 10.0 %"), "\(enough.summary)")
    }

    @Test func aCanaryWithinTheAllowedIncreaseIsKeptAndOneWithMoreErrorsIsNot() {
        let close = RolloutAssessment.assess(
            Self.canary,
            reports: [Self.report("w1", stable: (1_000, 100, 0), candidate: (200, 38, 2))],
            policy: Self.policy
        )
        #expect(close.verdict == .withinBounds, "19 % vs 10 % manual review, 1 % errors: \(close.summary)")
        let failing = RolloutAssessment.assess(
            Self.canary,
            reports: [Self.report("w1", stable: (1_000, 100, 0), candidate: (200, 20, 10))],
            policy: Self.policy
        )
        #expect(failing.verdict == .worse, "5 % errors against 0 %: \(failing.summary)")
    }

    @Test func aShadowOrASingleModelHasNoCanaryToCompare() {
        var shadow = Self.canary
        shadow.shadow = true
        let reports = [Self.report("w1", stable: (1_000, 0, 0), candidate: (1_000, 1_000, 0))]
        #expect(RolloutAssessment.assess(shadow, reports: reports, policy: Self.policy).verdict == .noCanary)
        var everywhere = Self.canary
        everywhere.canaryFraction = 1
        #expect(RolloutAssessment.assess(everywhere, reports: reports, policy: Self.policy).verdict == .noCanary)
        #expect(RolloutAssessment.assess(nil, reports: reports, policy: Self.policy).verdict == .noCanary)
    }

    @Test func countsOfAModelWithOtherWeightsUnderTheSameVersionAreNotMixedIn() {
        var other = Self.report("w1", stable: (1_000, 0, 0), candidate: (1_000, 1_000, 0))
        other.models[1].model.sha256 = "cc"
        let assessment = RolloutAssessment.assess(Self.canary, reports: [other], policy: Self.policy)
        #expect(assessment.candidateCounts.formsIn == 0)
        #expect(assessment.verdict == .collecting)
    }

    @Test func theStateKeepsTheNewestDirectiveOfItsFleetAndTheNewestReportOfEachWorker() {
        var state = CoordinatorState(group: "fleet-a")
        let first = state.apply(controlKey: "fleet-a", directive: Self.canary)
        #expect(first)
        var older = Self.canary
        older.generation = 3
        let olderApplied = state.apply(controlKey: "fleet-a", directive: older)
        #expect(!olderApplied, "an older generation changes nothing")
        var otherFleet = Self.canary
        otherFleet.generation = 9
        let otherApplied = state.apply(controlKey: "fleet-b", directive: otherFleet)
        #expect(!otherApplied, "another fleet's directive is ignored")
        #expect(state.directive?.generation == 4)

        state.apply(Self.report("w1", stable: (10, 0, 0), candidate: (0, 0, 0), at: 2_000))
        state.apply(Self.report("w1", stable: (5, 0, 0), candidate: (0, 0, 0), at: 1_000))
        state.apply(Self.report("w2", stable: (7, 0, 0), candidate: (0, 0, 0), at: 1_000))
        #expect(state.reports["w1"]?.models[0].counters.formsIn == 10, "a late older report changes nothing")
        let members = state.members(nowUnixMs: 40_000, goneAfterMs: 38_500)
        #expect(members.map(\.report.workerID) == ["w1", "w2"])
        #expect(members.map(\.gone) == [false, true])
        #expect(state.modelTotals.first { $0.model == Self.stable }?.counters.formsIn == 17)
    }

    @Test func aWorseCanaryIsRolledBackOnceAndANewDirectiveIsJudgedAfresh() {
        var state = CoordinatorState(group: "fleet-a")
        state.apply(controlKey: "fleet-a", directive: Self.canary)
        state.apply(Self.report("w1", stable: (1_000, 0, 0), candidate: (200, 200, 0)))
        let due = state.rollbackDue(policy: Self.policy)
        #expect(due?.verdict == .worse)
        state.rolledBack(
            .init(generation: 5, from: Self.candidate, to: Self.stable, reason: due?.summary ?? "", atUnixMs: 0)
        )
        #expect(state.rollbackDue(policy: Self.policy) == nil, "not twice for generation 4")
        var again = Self.canary
        again.generation = 6
        state.apply(controlKey: "fleet-a", directive: again)
        #expect(state.rollbackDue(policy: Self.policy)?.verdict == .worse, "generation 6 is judged on its own")
        #expect(state.rollbacks.count == 1)
    }
}
