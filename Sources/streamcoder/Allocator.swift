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
}
