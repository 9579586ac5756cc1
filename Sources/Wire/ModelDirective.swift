/// The fleet's desired model, as the coordinator writes it to the compacted
/// `streamcoder.control` topic. Workers follow the latest generation.
public struct ModelDirective: Sendable, Equatable, Codable {
    /// Monotonic generation; a worker ignores a directive older than the one it follows.
    public var generation: UInt64
    /// The package to run.
    public var package: PackageRef
    /// Fraction of forms (by key hash) coded by the candidate: 0 = none, 1 = all.
    public var canaryFraction: Double
    /// Whether the candidate also codes every form, with its results on the shadow topic only.
    public var shadow: Bool
    /// The version to roll back to, when there is one.
    public var previous: ModelRef?
    /// When the coordinator issued the directive, in unix milliseconds.
    public var issuedAtUnixMs: Int64
    /// Why it was written (an automatic rollback says so, with its numbers); may be empty.
    public var reason: String

    /// Creates a directive.
    public init(
        generation: UInt64,
        package: PackageRef,
        canaryFraction: Double = 1,
        shadow: Bool = false,
        previous: ModelRef? = nil,
        issuedAtUnixMs: Int64 = 0,
        reason: String = ""
    ) {
        self.generation = generation
        self.package = package
        self.canaryFraction = canaryFraction
        self.shadow = shadow
        self.previous = previous
        self.issuedAtUnixMs = issuedAtUnixMs
        self.reason = reason
    }
}

/// Where a worker finds a model package, and which model it is.
public struct PackageRef: Sendable, Equatable, Codable {
    /// Model name, version and weights sha256.
    public var model: ModelRef
    /// Where the package lives: a model store URI or directory.
    public var uri: String

    /// Creates a package reference.
    public init(model: ModelRef, uri: String) {
        self.model = model
        self.uri = uri
    }
}
