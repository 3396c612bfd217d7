/// The verdict on one Roles Anywhere requirement for one certificate (or chain, or CRL).
public struct RequirementFinding: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case pass = "PASS"
        case fail = "FAIL"
        /// Accepted by Roles Anywhere, but worth changing (a CA about to expire).
        case warn = "WARN"
    }

    /// A stable identifier, e.g. `basic-constraints`.
    public var id: String
    /// The requirement, e.g. `basicConstraints CA:TRUE`.
    public var requirement: String
    public var status: Status
    /// What was found.
    public var detail: String
    /// What to change, for FAIL and WARN.
    public var fix: String?

    public init(id: String, requirement: String, status: Status, detail: String, fix: String? = nil) {
        self.id = id
        self.requirement = requirement
        self.status = status
        self.detail = detail
        self.fix = fix
    }

    static func pass(_ id: String, _ requirement: String, _ detail: String) -> RequirementFinding {
        RequirementFinding(id: id, requirement: requirement, status: .pass, detail: detail)
    }

    static func fail(_ id: String, _ requirement: String, _ detail: String, fix: String) -> RequirementFinding {
        RequirementFinding(id: id, requirement: requirement, status: .fail, detail: detail, fix: fix)
    }
}
