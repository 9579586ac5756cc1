#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory mapping of a whole file, unmapped when the last reference goes.
///
/// Weights are mapped, not read: a worker holding two models (the stable one and a candidate)
/// shares their pages with the page cache instead of copying hundreds of megabytes. Packages are
/// immutable once written (a new version is a new directory): a file truncated under a live
/// mapping would fault its reader.
// @unchecked Sendable: the mapping is PROT_READ and never changes after init; only immutable
// reads go through `bytes`.
final class MappedFile: @unchecked Sendable {
    /// The path the mapping was made from, for error messages.
    let path: String
    private let base: UnsafeMutableRawPointer?
    /// The file's size in bytes.
    let count: Int

    /// Maps `path` read-only.
    init(path: String) throws(ModelPackageError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path, String(cString: strerror(errno))) }
        count = Int(info.st_size)
        guard count > 0 else {
            base = nil
            return
        }
        guard let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw .unreadable(path, "mmap: \(String(cString: strerror(errno)))")
        }
        base = mapped
    }

    deinit {
        if let base { munmap(base, count) }
    }

    /// The mapped bytes; valid as long as this object lives.
    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base, count: count)
    }
}
