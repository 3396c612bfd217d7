import RolesAnywhereCredentials

enum RolesAnywhereVersionText {
    static let current = RolesAnywhereVersion.current
}
