// Entry points of the BoringSSL inside swift-crypto (the `CCryptoBoringSSL` module, whose symbols
// carry the `CCryptoBoringSSL_` prefix) that its public ML-DSA header leaves out: signing with a
// caller-chosen randomizer (all zeros: FIPS 204's deterministic variant, which the official helper
// uses), and reading and writing the expanded private key (RFC 9881's `expandedKey` form).
//
// They are BoringSSL's own implementation, not lattice code of ours. Their declarations follow
// BoringSSL's crypto/fipsmodule/bcm_interface.h at the version swift-crypto 4.5.2 vendors: each
// returns a `bcm_status` (an `enum class` of `int`: 0 approved, 1 not approved, 2 failure), and the
// key pointers are BoringSSL's `MLDSA{44,65,87}_private_key` (same layout as the internal type).
// The symbols are resolved at link time from the copy of BoringSSL that `Crypto` links. If a
// swift-crypto update renames them, the link fails: nothing can silently change behaviour.

#ifndef C_BORINGSSL_MLDSA_H
#define C_BORINGSSL_MLDSA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

int CCryptoBoringSSL_BCM_mldsa44_sign_internal(
    uint8_t *out_signature, const void *private_key, const uint8_t *message, size_t message_length,
    const uint8_t *context_prefix, size_t context_prefix_length, const uint8_t *context, size_t context_length,
    const uint8_t randomizer[32]);
int CCryptoBoringSSL_BCM_mldsa65_sign_internal(
    uint8_t *out_signature, const void *private_key, const uint8_t *message, size_t message_length,
    const uint8_t *context_prefix, size_t context_prefix_length, const uint8_t *context, size_t context_length,
    const uint8_t randomizer[32]);
int CCryptoBoringSSL_BCM_mldsa87_sign_internal(
    uint8_t *out_signature, const void *private_key, const uint8_t *message, size_t message_length,
    const uint8_t *context_prefix, size_t context_prefix_length, const uint8_t *context, size_t context_length,
    const uint8_t randomizer[32]);

// `cbs` is a BoringSSL `CBS *`, `cbb` a `CBB *` (both declared by the CCryptoBoringSSL module).
int CCryptoBoringSSL_BCM_mldsa44_parse_private_key(void *private_key, void *cbs);
int CCryptoBoringSSL_BCM_mldsa65_parse_private_key(void *private_key, void *cbs);
int CCryptoBoringSSL_BCM_mldsa87_parse_private_key(void *private_key, void *cbs);
int CCryptoBoringSSL_BCM_mldsa44_marshal_private_key(void *cbb, const void *private_key);
int CCryptoBoringSSL_BCM_mldsa65_marshal_private_key(void *cbb, const void *private_key);
int CCryptoBoringSSL_BCM_mldsa87_marshal_private_key(void *cbb, const void *private_key);

#ifdef __cplusplus
}
#endif

#endif
