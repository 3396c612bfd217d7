import RolesAnywhereSigning

/// A request recognised as one modelled operation.
public struct ResolvedOperation: Sendable {
    public var model: OperationModel
    /// The decoded values of the path's labels (`Bucket`, `Key`, `trustAnchorId`).
    public var labels: [String: String]

    public var operation: Operation { model.operation }

    /// The value of a path label the operation's `requestUri` has.
    public func label(_ name: String) -> String { labels[name] ?? "" }
}

/// Why a request is not any operation of its service.
public enum ResolutionFailure: Error, Sendable, Hashable {
    /// A query-protocol request without an `Action`, or with one the model does not have.
    case unknownAction(String?)
    /// A JSON-protocol request without an `X-Amz-Target`, or with one the model does not have.
    case unknownTarget(String?)
    /// No operation has this method and path shape (with the query keys and headers it requires).
    case noOperation(method: String, path: String)
    /// The request carries a query key that selects another operation, or a sub-resource no
    /// operation of this path knows; answering it as `operation` would answer the wrong call.
    case unknownSubresource(String, operation: String)
    /// A path segment that is not valid percent-encoded UTF-8.
    case malformedPath
}

/// One query parameter as sent: `?uploads` has no value, `?prefix=` an empty one.
public struct QueryItem: Sendable, Hashable {
    public var name: String
    public var value: String?

    /// The items of a raw query string (without `?`), decoded; nil if one is not valid
    /// percent-encoded UTF-8.
    public static func parse(_ query: String) -> [QueryItem]? {
        var items = [QueryItem]()
        // Split on the bytes (`&` and `=` are ASCII, so every cut falls between characters).
        for bytes in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let pair = Substring(bytes)
            if let equals = pair.utf8.firstIndex(of: UInt8(ascii: "=")) {
                guard let name = URIEncoding.decode(pair[..<equals]), let value = URIEncoding.decode(pair[pair.utf8.index(after: equals)...]) else {
                    return nil
                }
                items.append(QueryItem(name: name, value: value))
            } else {
                guard let name = URIEncoding.decode(pair) else { return nil }
                items.append(QueryItem(name: name, value: nil))
            }
        }
        return items
    }
}

/// Finds the one operation of a service's model a request is, the way AWS chooses: for REST
/// protocols the method, then the path shape (literal segments before labels), then the query
/// keys the `requestUri` carries and the required query keys and headers, then how many of the
/// request's query keys the operation binds; for the query protocol the `Action`; for the JSON
/// protocol the `X-Amz-Target`. There is no default: a request that is no operation fails.
public struct OperationResolver: Sendable {
    public let service: AWSService
    private let byMethod: [String: [OperationModel]]
    private let byName: [String: OperationModel]
    private let byTarget: [String: OperationModel]
    /// Query keys that select some operation of the service (`uploads`, `tagging`, ...).
    private let selectorKeys: Set<String>

    /// Query keys that authenticate a request rather than select or parameterise an operation.
    static let authenticationKeys: Set<String> = [
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",
        "X-Amz-Security-Token", "x-id",
    ]

    public init(service: AWSService) {
        self.service = service
        let operations = service.operations
        byMethod = Dictionary(grouping: operations, by: \.method)
        byName = Dictionary(operations.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        if case .json(let prefix, _) = service.wireProtocol {
            byTarget = Dictionary(operations.map { ("\(prefix).\($0.name)", $0) }, uniquingKeysWith: { first, _ in first })
        } else {
            byTarget = [:]
        }
        selectorKeys = Set(operations.flatMap { $0.selectors.map(\.key) })
    }

    /// The resolver of each service, built once.
    public static func of(_ service: AWSService) -> OperationResolver {
        switch service {
        case .iam: iam
        case .sts: sts
        case .s3: s3
        case .rolesAnywhere: rolesAnywhere
        case .acmPCA: acmPCA
        }
    }

    private static let iam = OperationResolver(service: .iam)
    private static let sts = OperationResolver(service: .sts)
    private static let s3 = OperationResolver(service: .s3)
    private static let rolesAnywhere = OperationResolver(service: .rolesAnywhere)
    private static let acmPCA = OperationResolver(service: .acmPCA)

    /// The operation of a query-protocol request, by its `Action` parameter.
    public func resolve(action: String?) -> Result<ResolvedOperation, ResolutionFailure> {
        guard let action, let model = byName[action] else { return .failure(.unknownAction(action)) }
        return .success(ResolvedOperation(model: model, labels: [:]))
    }

    /// The operation of a JSON-protocol request, by its `X-Amz-Target` header.
    public func resolve(target: String?) -> Result<ResolvedOperation, ResolutionFailure> {
        guard let target, let model = byTarget[target] else { return .failure(.unknownTarget(target)) }
        return .success(ResolvedOperation(model: model, labels: [:]))
    }

    /// The operation of a REST request.
    /// - Parameters:
    ///   - path: the path as sent, percent-encoded.
    ///   - query: the request's query items.
    ///   - hasHeader: whether the request has a header (lower-case name).
    public func resolve(
        method: String, path: String, query: [QueryItem], hasHeader: (String) -> Bool
    ) -> Result<ResolvedOperation, ResolutionFailure> {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false)
        if segments.first == "" { segments.removeFirst() }
        let keys = Dictionary(query.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        let explicitName = keys["x-id"].flatMap { $0 }

        var best: (model: OperationModel, labels: [String: Substring], score: [Int])?
        for model in byMethod[method] ?? [] {
            if let explicitName, model.name != explicitName { continue }
            guard let labels = Self.match(model.path, segments) else { continue }
            guard model.selectors.allSatisfy({ selector in
                guard let present = keys[selector.key] else { return false }
                return selector.value == nil || present == selector.value
            }) else { continue }
            guard model.requiredQuery.allSatisfy({ keys[$0] != nil }), model.requiredHeaders.allSatisfy(hasHeader) else { continue }
            let literals = model.path.reduce(0) { count, segment in if case .literal = segment { count + 1 } else { count } }
            let bound = keys.keys.reduce(0) { $0 + (model.query.contains($1) ? 1 : 0) }
            let score = [
                literals, model.selectors.count, model.requiredQuery.count + model.requiredHeaders.count, bound,
                model.aliasOf == nil ? 1 : 0, model.deprecated ? 0 : 1,
            ]
            if best.map({ $0.score.lexicographicallyPrecedes(score) }) ?? true {
                best = (model, labels, score)
            }
        }
        guard let best else { return .failure(.noOperation(method: method, path: path)) }

        // A key the operation does not bind is ignored, as AWS ignores unknown parameters, unless it
        // selects another operation or is (in S3) a sub-resource without a value: then the request
        // was meant for an operation this is not.
        let known = Set(best.model.query).union(best.model.selectors.map(\.key))
        for item in query where !known.contains(item.name) && !Self.authenticationKeys.contains(item.name) {
            if selectorKeys.contains(item.name) || (item.value == nil && service.wireProtocol == .restXML) {
                return .failure(.unknownSubresource(item.name, operation: best.model.name))
            }
        }
        var labels = [String: String]()
        for (name, raw) in best.labels {
            guard let decoded = URIEncoding.decode(raw) else { return .failure(.malformedPath) }
            labels[name] = decoded
        }
        return .success(ResolvedOperation(model: best.model, labels: labels))
    }

    /// The raw label values if `segments` has the pattern's shape. A trailing slash after a
    /// non-greedy pattern is allowed (`/bucket/`); a greedy label takes the rest, slashes included,
    /// and must not be empty.
    static func match(_ pattern: [PathSegment], _ segments: [Substring]) -> [String: Substring]? {
        var labels = [String: Substring]()
        var index = 0
        for segment in pattern {
            switch segment {
            case .literal(let text):
                guard index < segments.count, segments[index] == text else { return nil }
                index += 1
            case .label(let name):
                guard index < segments.count, !segments[index].isEmpty else { return nil }
                labels[name] = segments[index]
                index += 1
            case .greedyLabel(let name):
                guard index < segments.count else { return nil }
                let rest = segments[index...].joined(separator: "/")
                guard !rest.isEmpty else { return nil }
                labels[name] = Substring(rest)
                index = segments.count
            }
        }
        let remaining = segments.count - index
        return remaining == 0 || (remaining == 1 && segments[index].isEmpty) ? labels : nil
    }
}
