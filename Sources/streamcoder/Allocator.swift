internal import CJemalloc

/// The process's allocator. `streamcoder` links jemalloc in place of glibc's malloc: with one
/// coding lane per core plus librdkafka's and the delivery threads all allocating and freeing
/// each other's memory, glibc's arena locks held the lanes back (see the README's benchmarks).
enum Allocator {
    /// jemalloc's version as it reports it, e.g. `5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c`;
    /// `nil` if it cannot say (then it is not the allocator in use).
    static var version: String? {
        var version: UnsafePointer<CChar>?
        var size = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("version", &version, &size, nil, 0) == 0, let version else { return nil }
        return String(cString: version)
    }

    /// Lets jemalloc's own threads return freed memory to the system, instead of the threads
    /// that happen to allocate next: after a hot swap frees a large model, those are the coding
    /// lanes, and returning hundreds of MB inline stalls them (p99 doubled in `bench swap` with
    /// an 800 MB model). Returns whether jemalloc accepted it.
    @discardableResult
    static func purgeInBackground() -> Bool {
        var enabled = true
        return mallctl("background_thread", nil, nil, &enabled, MemoryLayout<Bool>.size) == 0
    }
}
