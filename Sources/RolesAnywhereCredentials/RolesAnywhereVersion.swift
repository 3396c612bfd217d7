/// The version of this toolkit, printed by `rolesanywhere version` and sent in `User-Agent`.
public enum RolesAnywhereVersion {
    public static let current = "0.1.0"
}
