# Shared helpers for the scripts in this directory. Source it; do not run it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf '%s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Makes sure the tools the tests and the demo drive are present, installing what a fresh machine
# lacks: openssl, the SQLite headers, SoftHSM2, OpenSC, p11-kit, swtpm and tpm2-tools (Debian), and the AWS CLI, boto3,
# cryptography, dilithium-py, prometheus_client, moto's server and awslabs' iam-rolesanywhere-session client (PyPI).
ensure_prerequisites() {
    command -v swift >/dev/null || fail "Swift is not installed (https://www.swift.org/install/)"
    local missing=()
    command -v openssl >/dev/null || missing+=(openssl)
    command -v curl >/dev/null || missing+=(curl)
    # GRDB (rolesanywhere-local's store) compiles against the system SQLite.
    [ -e /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
    # The PKCS#11 tests use a real SoftHSM2 token, made with OpenSC's pkcs11-tool, through p11-kit.
    command -v softhsm2-util >/dev/null || missing+=(softhsm2)
    command -v pkcs11-tool >/dev/null || missing+=(opensc)
    [ -e /usr/share/p11-kit/modules ] && ls /usr/lib/*/p11-kit-proxy.so >/dev/null 2>&1 || missing+=(p11-kit)
    # The TPM tests use a software TPM (swtpm), provisioned with tpm2-tools through its swtpm TCTI.
    command -v swtpm >/dev/null || missing+=(swtpm)
    command -v tpm2_createprimary >/dev/null || missing+=(tpm2-tools)
    ls /usr/lib/*/libtss2-tcti-swtpm.so.0 >/dev/null 2>&1 || missing+=(libtss2-tcti-swtpm0)
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}..."
        if command -v apt-get >/dev/null; then
            (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
                || fail "could not install ${missing[*]} with apt-get"
        else
            fail "please install ${missing[*]}"
        fi
    fi
    command -v python3 >/dev/null || fail "python3 is not installed"
    if ! command -v aws >/dev/null || ! python3 -c 'import boto3, botocore, cryptography, iam_rolesanywhere_session' 2>/dev/null; then
        say "installing the AWS CLI, boto3, cryptography and iam-rolesanywhere-session with pip..."
        python3 -m pip install --quiet awscli boto3 cryptography iam-rolesanywhere-session || fail "could not install the AWS CLI with pip"
        hash -r
    fi
    # The ML-DSA oracles: cryptography 48 or later (OpenSSL 4 inside) and dilithium-py, an
    # independent pure-Python FIPS 204 implementation with deterministic signing.
    if ! python3 -c 'from cryptography.hazmat.primitives.asymmetric import mldsa; import dilithium_py' 2>/dev/null; then
        say "installing cryptography (48 or later) and dilithium-py with pip..."
        python3 -m pip install --quiet 'cryptography>=48' dilithium-py || fail "could not install the ML-DSA oracles with pip"
    fi
    # serve's metrics are checked with the Prometheus project's own parser.
    if ! python3 -c 'import prometheus_client' 2>/dev/null; then
        say "installing prometheus_client with pip..."
        python3 -m pip install --quiet prometheus_client || fail "could not install prometheus_client with pip"
    fi
    # rolesanywhere-local --upstream is tested in front of a real moto server.
    if ! python3 -c 'import moto.server, flask, flask_cors' 2>/dev/null; then
        say "installing moto's server with pip..."
        python3 -m pip install --quiet 'moto[server]' || fail "could not install moto[server] with pip"
    fi
    command -v aws >/dev/null || fail "the AWS CLI is not on PATH after installing it (check pip's script directory)"
}
