import Foundation
import Testing

@testable import Worker

/// A container's cgroup v2 CPU limit sets how many coding lanes a worker starts by default.
@Suite("CPU budget")
struct CPUBudgetTests {
    @Test func aCgroupLimitIsReadAsWholeCoresRoundedUp() {
        #expect(CPUBudget.limit(cpuMax: "200000 100000\n") == 2)
        #expect(CPUBudget.limit(cpuMax: "150000 100000") == 2, "1.5 CPUs keep two lanes busy part of the time")
        #expect(CPUBudget.limit(cpuMax: "50000 100000") == 1)
        #expect(CPUBudget.limit(cpuMax: "max 100000") == nil, "no limit")
        #expect(CPUBudget.limit(cpuMax: "") == nil)
        #expect(CPUBudget.limit(cpuMax: "garbage") == nil)
    }

    @Test func theBudgetIsAtLeastOneAndAtMostTheCPUs() {
        #expect(CPUBudget.cores >= 1)
        #expect(CPUBudget.cores <= ProcessInfo.processInfo.activeProcessorCount)
    }
}
