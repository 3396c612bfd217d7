import CFuzzDriver

/// The code under test of this process (one fuzz target per executable).
nonisolated(unsafe) private var body: (([UInt8]) -> Void)?

private func callback(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    body?(bytes)
    return 0
}

/// Runs libFuzzer with `test` as the code under test: call it from the target's `<Target>_main`.
/// libFuzzer's flags work as usual (`-max_total_time=60 CORPUS_DIR`, or files to run once).
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ test: @escaping ([UInt8]) -> Void) -> CInt {
    body = test
    return fuzz_driver_run(argc, argv, callback)
}

/// A fuzz input read as lines: a request line (`METHOD /path?query`), header lines
/// (`Name: value`), an empty line, then the body.
public struct FuzzRequest {
    public var method: String
    public var path: String
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(_ bytes: [UInt8]) {
        var lines = [[UInt8]]()
        var index = 0
        var bodyStart = bytes.count
        while index < bytes.count {
            let end = bytes[index...].firstIndex(of: 10) ?? bytes.count
            let line = Array(bytes[index..<end]).filter { $0 != 13 }
            index = end + 1
            if line.isEmpty && !lines.isEmpty {
                bodyStart = min(index, bytes.count)
                break
            }
            lines.append(line)
        }
        let requestLine = String(decoding: lines.first ?? [], as: UTF8.self)
        let parts = requestLine.split(separator: " ", maxSplits: 1).map(String.init)
        method = parts.first ?? "GET"
        let target = parts.count > 1 ? parts[1] : "/"
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        } else {
            path = target
            query = ""
        }
        headers = lines.dropFirst().compactMap { line in
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else { return nil }
            return (String(text[..<colon]), String(text[text.index(after: colon)...]).trimmingCharacters(in: " \t"))
        }
        body = bodyStart < bytes.count ? Array(bytes[bodyStart...]) : []
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var result = Substring(self)
        while let first = result.first, set.contains(first) { result = result.dropFirst() }
        while let last = result.last, set.contains(last) { result = result.dropLast() }
        return String(result)
    }
}
