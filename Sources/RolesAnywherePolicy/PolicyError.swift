/// A policy document IAM would refuse: `MalformedPolicyDocument`, with a message saying what is wrong.
public struct PolicyError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
