# Shared helpers for the scripts in this directory. Source it; do not run it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf '%s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Makes sure the tools the tests and the demo drive are present, installing what a fresh machine
# lacks: openssl (Debian), and the AWS CLI, botocore and cryptography (PyPI).
ensure_prerequisites() {
    command -v swift >/dev/null || fail "Swift is not installed (https://www.swift.org/install/)"
    if ! command -v openssl >/dev/null; then
        say "installing openssl..."
        if command -v apt-get >/dev/null; then
            (apt-get update -qq && apt-get install -y -qq openssl >/dev/null) || fail "could not install openssl with apt-get"
        else
            fail "openssl is not installed"
        fi
    fi
    command -v python3 >/dev/null || fail "python3 is not installed"
    if ! command -v aws >/dev/null || ! python3 -c 'import botocore, cryptography' 2>/dev/null; then
        say "installing the AWS CLI, botocore and cryptography with pip..."
        python3 -m pip install --quiet awscli cryptography || fail "could not install the AWS CLI with pip"
        hash -r
    fi
    command -v aws >/dev/null || fail "the AWS CLI is not on PATH after installing it (check pip's script directory)"
}
