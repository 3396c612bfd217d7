public import RolesAnywhereSigning

/// Watches the certificate, key and intermediates files of a ``ReloadingIdentity`` and reports a
/// rotation as soon as the new files load: `serve` and `update` fetch new credentials with them at
/// once instead of at the next scheduled refresh.
///
/// It looks at the files' versions (device, inode, size, modification and change time, following
/// symbolic links) a few times a second: that sees files replaced atomically by a rename, as
/// renewers do, the `..data` symbolic link swap of a Kubernetes secret mount, and files rewritten in
/// place, on every file system (inotify misses changes on network file systems and inside
/// bind-mounted secrets). A look is a `stat` per file; the files are read only when one changed.
public struct IdentityFileWatcher: Sendable {
    public let identity: ReloadingIdentity
    /// The time between two looks.
    public var interval: Duration

    public init(identity: ReloadingIdentity, interval: Duration = .milliseconds(200)) {
        self.identity = identity
        self.interval = interval
    }

    /// Looks at the files until the task is cancelled, calling `rotated` with each new identity.
    public func run(rotated: @Sendable (SigningIdentity) async -> Void) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            if case .rotated(let new) = identity.checkForChange() {
                await rotated(new)
            }
        }
    }
}
