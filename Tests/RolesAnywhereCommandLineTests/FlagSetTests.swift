import RolesAnywhereCommandLine
import Testing

/// The flag parser follows Go's pflag, which `aws_signing_helper` uses, so command lines written for
/// it parse the same way.
struct FlagSetTests {
    let flags = FlagSet([
        Flag("role-arn", help: "role"),
        Flag("session-duration", .int, default: "3600", help: "duration"),
        Flag("no-verify-ssl", .bool, help: "insecure"),
        Flag("debug", .bool, hidden: true, help: "debug"),
        Flag("dns", .stringList, help: "names"),
    ])

    @Test func valuesComeAfterASpaceOrAnEqualsSign() throws {
        let parsed = try flags.parse(["--role-arn", "arn:a", "--session-duration=900"])
        #expect(parsed.string("role-arn") == "arn:a")
        #expect(parsed.int("session-duration", default: 3600) == 900)
        #expect(!parsed.isSet("no-verify-ssl"))
        #expect(parsed.int("missing", default: 7) == 7)
    }

    @Test func aValueMayLookLikeAFlagOrBeEmpty() throws {
        #expect(try flags.parse(["--role-arn", "--debug"]).string("role-arn") == "--debug")
        #expect(try flags.parse(["--role-arn="]).string("role-arn") == "")
    }

    @Test func listFlagsCollectEveryValueAndSplitCommas() throws {
        let parsed = try flags.parse(["--dns", "a.example", "--dns=b.example,c.example", "--dns", ""])
        #expect(parsed.list("dns") == ["a.example", "b.example", "c.example"])
        #expect(try flags.parse([]).list("dns").isEmpty)
    }

    @Test func theLastOfARepeatedFlagWins() throws {
        #expect(try flags.parse(["--role-arn", "a", "--role-arn=b"]).string("role-arn") == "b")
    }

    @Test(arguments: [
        (["--no-verify-ssl"], true), (["--no-verify-ssl=true"], true), (["--no-verify-ssl=1"], true),
        (["--no-verify-ssl=T"], true), (["--no-verify-ssl=false"], false), (["--no-verify-ssl=0"], false),
        (["--no-verify-ssl", "--no-verify-ssl=False"], false), ([String](), false),
    ])
    func booleansTakeGoSpellings(arguments: [String], expected: Bool) throws {
        #expect(try flags.parse(arguments).bool("no-verify-ssl") == expected)
    }

    @Test func aBooleanNeverTakesTheNextArgument() throws {
        let parsed = try flags.parse(["--no-verify-ssl", "false"])
        #expect(parsed.bool("no-verify-ssl"))
        #expect(parsed.positionals == ["false"])
    }

    @Test func helpAndTheEndOfFlagsAreRecognised() throws {
        #expect(try flags.parse(["-h"]).helpRequested)
        #expect(try flags.parse(["--role-arn", "x", "--help"]).helpRequested)
        let parsed = try flags.parse(["--", "--role-arn", "x"])
        #expect(parsed.positionals == ["--role-arn", "x"])
        #expect(!parsed.isSet("role-arn"))
    }

    @Test(arguments: [
        (["--bogus"], "unknown flag: --bogus"),
        (["--role-arn"], "flag needs an argument: --role-arn"),
        (["--session-duration", "soon"], "invalid value \"soon\" for --session-duration"),
        (["--no-verify-ssl=maybe"], "invalid value \"maybe\" for --no-verify-ssl"),
        (["-role-arn", "x"], "unknown shorthand flag: 'r' in -role-arn"),
    ])
    func mistakesAreNamed(arguments: [String], message: String) {
        #expect {
            try flags.parse(arguments)
        } throws: { error in
            (error as? UsageError)?.message.hasPrefix(message) == true
        }
    }

    @Test func helpListsVisibleFlagsWithTheirDefaults() {
        let text = HelpText.command(program: "tool", name: "run", summary: "Runs.", details: "More.", flags: flags)
        #expect(text.contains("Usage:\n  tool run [flags]"))
        #expect(text.contains("--role-arn string"))
        #expect(text.contains("--session-duration int"))
        #expect(text.contains("(default 3600)"))
        #expect(text.contains("--help"))
        #expect(!text.contains("--debug"))
    }
}
