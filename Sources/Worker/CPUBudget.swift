import Foundation

/// How many cores the process may keep busy: the CPUs it may run on, bounded by a CPU limit of its
/// container. Foundation reads the first and cgroup v1's quota; a container under cgroup v2 (most
/// Kubernetes nodes today) states its limit in `/sys/fs/cgroup/cpu.max`, which is read here, so
/// that a worker limited to two CPUs on a 64-core node starts two coding lanes, not 64.
public enum CPUBudget {
    /// The cores this process may use (at least 1).
    public static var cores: Int {
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        let file = try? String(contentsOfFile: "/sys/fs/cgroup/cpu.max", encoding: .utf8)
        return max(1, min(cpus, file.flatMap(limit(cpuMax:)) ?? cpus))
    }

    /// The whole cores a cgroup v2 `cpu.max` ("QUOTA PERIOD" in microseconds, or "max PERIOD")
    /// allows, rounded up; `nil` when it sets no limit or cannot be read.
    static func limit(cpuMax: String) -> Int? {
        let fields = cpuMax.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]), quota > 0, period > 0
        else { return nil }
        return Int((quota / period).rounded(.up))
    }
}
