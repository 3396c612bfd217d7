#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory of immutable body files (S3 objects, versions and parts of `rolesanywhere-local`),
/// each named by a random hex name and written once: created exclusively (0600), written whole and
/// flushed to disk, file and directory, before anything refers to it. A reader never sees a
/// partial file: a body is only named by a database row once it is complete.
package struct BodyDirectory: Sendable {
    /// Why a body could not be written or read.
    package struct Failure: Error, Sendable, CustomStringConvertible {
        package var description: String
    }

    package let path: String

    /// Opens the directory, creating it (0700) if needed.
    package init(path: String) throws(Failure) {
        self.path = path
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            throw Failure(description: "cannot create the object directory '\(path)': \(describeErrno(errno))")
        }
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
            throw Failure(description: "the object directory '\(path)' is not a directory")
        }
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// A body file being written.
    package final class Writer {
        package let name: String
        let path: String
        let directory: String
        private var descriptor: Int32

        init(directory: String) throws(Failure) {
            var random = SystemRandomNumberGenerator()
            name = (0..<2).map { _ in
                let value = random.next()
                let hex = String(value, radix: 16)
                return String(repeating: "0", count: 16 - hex.utf8.count) + hex
            }.joined()
            self.directory = directory
            path = directory + "/" + name
            descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw Failure(description: "cannot create an object file in '\(directory)': \(describeErrno(errno))") }
        }

        /// Appends `bytes`.
        package func append(_ bytes: [UInt8]) throws(Failure) {
            try check(bytes.withUnsafeBytes { writeAll(descriptor, $0) })
        }

        /// Appends `bytes`.
        package func append(_ bytes: ArraySlice<UInt8>) throws(Failure) {
            try check(bytes.withUnsafeBytes { writeAll(descriptor, $0) })
        }

        private func check(_ failure: Int32?) throws(Failure) {
            if let failure {
                discard()
                throw Failure(description: "cannot write the object file '\(path)': \(describeErrno(failure))")
            }
        }

        /// Flushes the file and its directory entry to disk; returns its name.
        package func finish() throws(Failure) -> String {
            guard fsync(descriptor) == 0 else {
                let failure = errno
                discard()
                throw Failure(description: "cannot flush the object file '\(path)': \(describeErrno(failure))")
            }
            close(descriptor)
            descriptor = -1
            let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if directoryDescriptor >= 0 {
                defer { close(directoryDescriptor) }
                guard fsync(directoryDescriptor) == 0 else {
                    let failure = errno
                    unlink(path)
                    throw Failure(description: "cannot flush the object directory '\(directory)': \(describeErrno(failure))")
                }
            }
            return name
        }

        /// Gives up on the file.
        package func discard() {
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
            unlink(path)
        }

        deinit {
            if descriptor >= 0 {
                close(descriptor)
                unlink(path)
            }
        }
    }

    /// A new body file to write.
    package func writer() throws(Failure) -> Writer {
        try Writer(directory: path)
    }

    /// Writes a whole body; returns its name.
    package func write(_ bytes: [UInt8]) throws(Failure) -> String {
        let writer = try writer()
        try writer.append(bytes)
        return try writer.finish()
    }

    /// The whole of a body.
    package func read(_ name: String) throws(Failure) -> [UInt8] {
        let path = file(name)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(description: "cannot open the object file '\(path)': \(describeErrno(errno))") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Failure(description: "cannot read the object file '\(path)': \(describeErrno(errno))") }
        let size = Int(status.st_size)
        var failure: Int32?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var offset = 0
            while offset < size {
                let count = readBytes(descriptor, buffer.baseAddress! + offset, size - offset)
                if count < 0 && errno == EINTR { continue }
                if count < 0 {
                    failure = errno
                    break
                }
                if count == 0 { break }
                offset += count
            }
            initialized = offset
        }
        if let failure { throw Failure(description: "cannot read the object file '\(path)': \(describeErrno(failure))") }
        guard bytes.count == size else { throw Failure(description: "the object file '\(path)' is shorter than it was") }
        return bytes
    }

    /// Removes bodies no longer named by anything (failures are ignored: an orphan is removed by
    /// the next ``removeAll(except:)``).
    package func remove(_ names: some Sequence<String>) {
        for name in names { unlink(file(name)) }
    }

    /// Removes every body not in `kept` (at start-up: files a crash left between their write and
    /// their row's commit). Returns how many went.
    @discardableResult
    package func removeAll(except kept: Set<String>) -> Int {
        guard let stream = opendir(path) else { return 0 }
        defer { closedir(stream) }
        var removed = 0
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name != ".", name != "..", !kept.contains(name) else { continue }
            if unlink(file(name)) == 0 { removed += 1 }
        }
        return removed
    }
}

private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

/// Writes all of `buffer`; the `errno` of a failure, or nil.
private func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32? {
    var offset = 0
    while offset < buffer.count {
        let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        if written < 0 && errno == EINTR { continue }
        if written <= 0 { return errno == 0 ? EIO : errno }
        offset += written
    }
    return nil
}
