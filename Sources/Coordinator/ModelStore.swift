import Classifier
import Crypto
import Foundation
import Wire

#if canImport(Glibc)
import Glibc
#endif

/// A directory of model packages, content-addressed: each package lives in `packages/HASH/`, where
/// HASH is the SHA-256 of its `manifest.json` (which pins the weights' sha256, checked on every
/// load), and `index.json` maps name@version to it. A shared volume serves a whole fleet.
///
/// A package enters the store only once it loads and passes every check (sha256, tensors, golden
/// examples, and its signature when trusted keys are given). Pushing the same package again
/// changes nothing; a different package under a name@version already in the store is refused.
public struct ModelStore: Sendable {
    /// One package of the store.
    public struct Entry: Codable, Sendable, Equatable {
        /// The package's name.
        public var name: String
        /// The package's version.
        public var version: String
        /// The SHA-256 of its manifest: where it lives in the store.
        public var hash: String
        /// The id of the key that signed it, when it is signed.
        public var signer: String?
        /// When it was pushed, unix milliseconds.
        public var pushedAt: Int64

        enum CodingKeys: String, CodingKey {
            case name, version, hash, signer
            case pushedAt = "pushed_at_unix_ms"
        }

        /// `name@version`.
        public var reference: String { "\(name)@\(version)" }
    }

    /// What a push did.
    public enum PushOutcome: Sendable, Equatable {
        /// The package was added.
        case added(Entry)
        /// The same package was in the store already: nothing changed.
        case alreadyPresent(Entry)
    }

    /// The store's directory.
    public let directory: URL

    /// The store in `directory` (created on the first push).
    public init(directory: URL) {
        self.directory = directory
    }

    private var indexURL: URL { directory.appendingPathComponent("index.json") }

    /// The directory of a stored package.
    public func packageDirectory(hash: String) -> URL {
        directory.appendingPathComponent("packages").appendingPathComponent(hash)
    }

    /// Every package, in the order they were pushed.
    public func list() throws(ModelStoreError) -> [Entry] {
        guard FileManager.default.fileExists(atPath: indexURL.path) else { return [] }
        do {
            return try JSONDecoder().decode([Entry].self, from: Data(contentsOf: indexURL))
        } catch {
            throw ModelStoreError("\(indexURL.path) cannot be read (\(error)); restore it from a backup or push again")
        }
    }

    /// The package stored as `name@version`, if any.
    public func entry(_ reference: String) throws(ModelStoreError) -> Entry? {
        try list().first { $0.reference == reference }
    }

    /// Checks the package in `source` and adds it (copied) to the store.
    public func push(
        _ source: URL,
        trustedKeys: TrustedKeys? = nil,
        now: Int64 = Int64(Date().timeIntervalSince1970 * 1_000)
    ) throws -> PushOutcome {
        let package = try ModelPackage.load(from: source, trustedKeys: trustedKeys)
        let manifest = try Data(contentsOf: source.appendingPathComponent(ModelPackage.manifestFile))
        let hash = SHA256.hash(data: manifest).map { String(format: "%02x", $0) }.joined()
        let signer = try? JSONDecoder().decode(
            PackageSignature.self,
            from: Data(contentsOf: source.appendingPathComponent(PackageSignature.file))
        ).keyID
        let entry = Entry(
            name: package.manifest.name,
            version: package.manifest.version,
            hash: hash,
            signer: signer,
            pushedAt: now
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try locked {
            var entries = try list()
            if let existing = entries.first(where: { $0.reference == entry.reference }) {
                guard existing.hash == hash else {
                    throw ModelStoreError(
                        "\(entry.reference) is in the store already as another package (\(existing.hash.prefix(12)), "
                            + "this one is \(hash.prefix(12))): give the new package another version"
                    )
                }
                return .alreadyPresent(existing)
            }
            try copy(package: source, files: files(of: package, in: source), to: packageDirectory(hash: hash))
            entries.append(entry)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(entries).write(to: indexURL, options: .atomic)
            return .added(entry)
        }
    }

    /// The files that make the package: manifest, weights, and the signature when there is one.
    private func files(of package: ModelPackage, in source: URL) -> [String] {
        var files = [ModelPackage.manifestFile, package.manifest.weights.file]
        if FileManager.default.fileExists(atPath: source.appendingPathComponent(PackageSignature.file).path) {
            files.append(PackageSignature.file)
        }
        return files
    }

    /// Copies the files into a scratch directory, then moves it into place: a reader never sees a
    /// half-copied package.
    private func copy(package source: URL, files: [String], to destination: URL) throws {
        guard !FileManager.default.fileExists(atPath: destination.path) else { return }
        let scratch = destination.deletingLastPathComponent().appendingPathComponent(".incoming-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        for file in files {
            try FileManager.default.copyItem(
                at: source.appendingPathComponent(file),
                to: scratch.appendingPathComponent(file)
            )
        }
        try FileManager.default.moveItem(at: scratch, to: destination)
    }

    /// Runs `body` holding the store's lock, so that two pushes never interleave their index writes.
    private func locked<T>(_ body: () throws -> T) throws -> T {
        let path = directory.appendingPathComponent(".lock").path
        let descriptor = open(path, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else { throw ModelStoreError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else {
            throw ModelStoreError("cannot lock \(path): \(String(cString: strerror(errno)))")
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}

/// A store operation that cannot be done, saying why and what to do.
public struct ModelStoreError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and what to do.
    public var description: String

    init(_ description: String) { self.description = description }
}

extension ModelStore {
    /// A stored package's directory and the package, loaded and checked again (with its signature
    /// when `trustedKeys` names a directory of keys).
    public func checkedPackage(_ entry: Entry, trustedKeys: String?) throws -> (URL, ModelPackage) {
        let directory = packageDirectory(hash: entry.hash)
        let trusted = try trustedKeys.map { path throws(ModelPackageError) in
            try TrustedKeys(directory: URL(fileURLWithPath: path))
        }
        return (directory, try ModelPackage.load(from: directory, trustedKeys: trusted))
    }

    /// The directive after `current` that returns the fleet `group` to the model `current` names
    /// as previous, found in the store and checked again (signature included with `trustedKeys`),
    /// so that no rollback points the fleet at a package it would refuse. `reason` says why.
    public func rollbackDirective(
        after current: ModelDirective,
        group: String,
        trustedKeys: String?,
        reason: String
    ) throws -> ModelDirective {
        guard let previous = current.previous, !previous.name.isEmpty else {
            throw ModelStoreError(
                "directive \(current.generation) of \(group) names no previous model: activate one by name instead"
            )
        }
        guard let entry = try entry("\(previous.name)@\(previous.version)") else {
            throw ModelStoreError(
                "\(previous.name)@\(previous.version) is not in the store \(directory.path): push it again"
            )
        }
        let (packageDirectory, package) = try checkedPackage(entry, trustedKeys: trustedKeys)
        return ModelDirective(
            generation: current.generation + 1,
            package: PackageRef(
                model: ModelRef(name: entry.name, version: entry.version, sha256: package.manifest.weights.sha256),
                uri: packageDirectory.path
            ),
            previous: current.package.model,
            issuedAtUnixMs: Int64(Date().timeIntervalSince1970 * 1_000),
            reason: reason
        )
    }
}
