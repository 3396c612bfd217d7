#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RolesAnywhereSigning

enum PKIText {
    static func date(_ date: Date) -> String { AmzDate(date).iso8601 }
}
