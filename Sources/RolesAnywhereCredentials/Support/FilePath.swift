/// The directory and last component of a path, as `dirname` and `basename` give them.
package enum FilePath {
    /// `a/b/c` gives `a/b`; `c` gives `.`; `/c` gives `/`.
    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    /// `a/b/c` gives `c`.
    package static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
