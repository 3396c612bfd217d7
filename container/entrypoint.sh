#!/bin/sh
# Writes ~/.aws/config so that the AWS CLI and SDKs get credentials from rolesanywhere, then runs
# the command (default: aws sts get-caller-identity). With "serve" as the command it runs
# `rolesanywhere serve` instead: an IMDSv2 endpoint for the other containers of a pod.
#
# Environment:
#   ROLESANYWHERE_TRUST_ANCHOR_ARN, ROLESANYWHERE_PROFILE_ARN, ROLESANYWHERE_ROLE_ARN   required
#   ROLESANYWHERE_CERTIFICATE     default /etc/rolesanywhere/cert.pem (mount it read-only)
#   ROLESANYWHERE_PRIVATE_KEY     default /etc/rolesanywhere/key.pem (mount it read-only), or a TPM key:
#                                 handle:0x81... (with TPM_DEVICE, the TPM mounted into the container)
#   ROLESANYWHERE_NO_TPM_KEY_PASSWORD  "true" for a TPM key without a password (else ROLESANYWHERE_TPM_KEY_PASSWORD)
#   ROLESANYWHERE_INTERMEDIATES   optional PEM bundle
#   ROLESANYWHERE_PKCS8_PASSWORD_FILE  optional: the key's password in a file (or ROLESANYWHERE_PKCS8_PASSWORD)
#   ROLESANYWHERE_ENDPOINT        optional Roles Anywhere endpoint URL (e.g. rolesanywhere-local)
#   ROLESANYWHERE_SESSION_DURATION, ROLESANYWHERE_ROLE_SESSION_NAME   optional
#   ROLESANYWHERE_NO_VERIFY_SSL   "true" for a local http:// or self-signed endpoint only
#   AWS_REGION / AWS_DEFAULT_REGION  default: the trust anchor's region
set -eu

fail() { echo "rolesanywhere-entrypoint: $*" >&2; exit 2; }

for name in ROLESANYWHERE_TRUST_ANCHOR_ARN ROLESANYWHERE_PROFILE_ARN ROLESANYWHERE_ROLE_ARN; do
    eval "value=\${$name:-}"
    [ -n "$value" ] || fail "$name is not set: pass the ARNs of the trust anchor, the profile and the role (-e $name=arn:aws:...)"
done
for name in ROLESANYWHERE_CERTIFICATE ROLESANYWHERE_PRIVATE_KEY; do
    eval "path=\${$name}"
    case "$path" in handle:*) continue ;; esac  # a key in the TPM, not a file
    [ -r "$path" ] || fail "cannot read $path ($name): mount the certificate and key read-only, e.g. -v /etc/app/pki:/etc/rolesanywhere:ro"
done

# The helper's flags, one per line (paths and ARNs never contain newlines).
flags="--certificate
$ROLESANYWHERE_CERTIFICATE
--private-key
$ROLESANYWHERE_PRIVATE_KEY
--trust-anchor-arn
$ROLESANYWHERE_TRUST_ANCHOR_ARN
--profile-arn
$ROLESANYWHERE_PROFILE_ARN
--role-arn
$ROLESANYWHERE_ROLE_ARN"
add() { flags="$flags
$1
$2"; }
[ -n "${ROLESANYWHERE_INTERMEDIATES:-}" ] && add --intermediates "$ROLESANYWHERE_INTERMEDIATES"
[ -n "${ROLESANYWHERE_PKCS8_PASSWORD_FILE:-}" ] && add --pkcs8-password-file "$ROLESANYWHERE_PKCS8_PASSWORD_FILE"
[ -n "${ROLESANYWHERE_ENDPOINT:-}" ] && add --endpoint "$ROLESANYWHERE_ENDPOINT"
[ -n "${ROLESANYWHERE_SESSION_DURATION:-}" ] && add --session-duration "$ROLESANYWHERE_SESSION_DURATION"
[ -n "${ROLESANYWHERE_ROLE_SESSION_NAME:-}" ] && add --role-session-name "$ROLESANYWHERE_ROLE_SESSION_NAME"
[ -n "${AWS_REGION:-${AWS_DEFAULT_REGION:-}}" ] && add --region "${AWS_REGION:-$AWS_DEFAULT_REGION}"
[ "${ROLESANYWHERE_NO_VERIFY_SSL:-false}" = "true" ] && flags="$flags
--no-verify-ssl"
[ "${ROLESANYWHERE_NO_TPM_KEY_PASSWORD:-false}" = "true" ] && flags="$flags
--no-tpm-key-password"

if [ "${1:-}" = "serve" ]; then
    shift
    old_ifs=$IFS; IFS='
'
    # shellcheck disable=SC2086
    set -- $flags "$@"
    IFS=$old_ifs
    exec /usr/local/bin/rolesanywhere serve "$@"
fi

# credential_process is one line: quote each flag for the AWS CLI's shell-like splitting.
line="/usr/local/bin/rolesanywhere credential-process"
old_ifs=$IFS; IFS='
'
for flag in $flags; do
    case "$flag" in
        *[!A-Za-z0-9_./:=@+,-]*) line="$line \"$flag\"" ;;
        *) line="$line $flag" ;;
    esac
done
IFS=$old_ifs

region="${AWS_REGION:-${AWS_DEFAULT_REGION:-$(echo "$ROLESANYWHERE_TRUST_ANCHOR_ARN" | cut -d: -f4)}}"
config="${AWS_CONFIG_FILE:-$HOME/.aws/config}"
mkdir -p "$(dirname "$config")"
chmod 700 "$(dirname "$config")" 2>/dev/null || true
umask 077
printf '[default]\nregion = %s\ncredential_process = %s\n' "$region" "$line" > "$config"
export AWS_CONFIG_FILE="$config"
exec "$@"
