"""Writes a PKCS#12 file holding an ML-DSA key and its certificate, laid out as OpenSSL 3.5+ writes
one by default, for the helper's tests (no tool here writes such a file: OpenSSL 3.0 cannot read
ML-DSA keys and Python's cryptography refuses them in PKCS#12).

    mldsa_pkcs12.py KEY.pem CERT.pem PASSWORD OUT.p12

- the key: a PKCS8ShroudedKeyBag whose EncryptedPrivateKeyInfo is written by Python's cryptography
  (OpenSSL 4: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC), with a localKeyId;
- the certificate: a CertBag in an EncryptedData safe, PBES2 (PBKDF2-HMAC-SHA256, 2048
  iterations, AES-256-CBC), encrypted here with cryptography's AES;
- the MAC: HMAC-SHA256 over the authenticated safe, with the key of RFC 7292 appendix B (ID 3),
  2048 iterations.

Only the DER layout is assembled here; every cryptographic operation is cryptography's or
hashlib's. `openssl pkcs12 -info -nokeys` (OpenSSL 3.0) verifies the MAC and decrypts the
certificate safe, which checks the layout independently.
"""
import hashlib
import hmac
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from der import explicit, integer, octets, oid, seq, tlv  # noqa: E402


DATA, ENCRYPTED_DATA = "1.2.840.113549.1.7.1", "1.2.840.113549.1.7.6"
SHROUDED_KEY_BAG, CERT_BAG = "1.2.840.113549.1.12.10.1.2", "1.2.840.113549.1.12.10.1.3"
X509_CERTIFICATE, LOCAL_KEY_ID = "1.2.840.113549.1.9.22.1", "1.2.840.113549.1.9.21"
PBES2, PBKDF2, HMAC_SHA256, AES256_CBC = "1.2.840.113549.1.5.13", "1.2.840.113549.1.5.12", "1.2.840.113549.2.9", "2.16.840.1.101.3.4.1.42"
SHA256 = "2.16.840.1.101.3.4.2.1"
ITERATIONS = 2048


def pkcs12_kdf(password, salt, identifier, iterations, size):
    """RFC 7292 appendix B.2 with SHA-256 (u = 32, v = 64); the password as a BMPString with NULs."""
    u, v = 32, 64
    bmp = (password + "\0").encode("utf-16-be")
    d = bytes([identifier]) * v

    def stretch(data):
        target = v * ((len(data) + v - 1) // v)
        return (data * (target // len(data) + 1))[:target] if data else b""

    i = bytearray(stretch(salt) + stretch(bmp))
    out = b""
    while len(out) < size:
        # A = H^c(D || I): hashed `iterations` times.
        a = d + bytes(i)
        for _ in range(iterations):
            a = hashlib.sha256(a).digest()
        out += a
        b = (a * ((v + u - 1) // u))[:v]
        for j in range(0, len(i), v):
            block = int.from_bytes(i[j:j + v], "big") + int.from_bytes(b, "big") + 1
            i[j:j + v] = (block % (1 << (8 * v))).to_bytes(v, "big")
    return out[:size]


def pbes2_encrypt(password, plaintext):
    salt, iv = os.urandom(16), os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS, 32)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    parameters = seq(
        seq(oid(PBKDF2), seq(octets(salt), integer(ITERATIONS), seq(oid(HMAC_SHA256), tlv(0x05, b"")))),
        seq(oid(AES256_CBC), octets(iv)),
    )
    return seq(oid(PBES2), parameters), ciphertext


def main(key_path, certificate_path, password, output):
    key = serialization.load_pem_private_key(open(key_path, "rb").read(), None)
    certificate = x509.load_pem_x509_certificate(open(certificate_path, "rb").read())
    certificate_der = certificate.public_bytes(serialization.Encoding.DER)
    local_key_id = hashlib.sha1(certificate_der).digest()
    attributes = tlv(0x31, seq(oid(LOCAL_KEY_ID), tlv(0x31, octets(local_key_id))))

    shrouded = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                 serialization.BestAvailableEncryption(password.encode()))
    key_safe = seq(seq(oid(SHROUDED_KEY_BAG), explicit(0, shrouded), attributes))

    cert_safe = seq(seq(oid(CERT_BAG), explicit(0, seq(oid(X509_CERTIFICATE), explicit(0, octets(certificate_der)))), attributes))
    algorithm, ciphertext = pbes2_encrypt(password, cert_safe)
    encrypted_data = seq(integer(0), seq(oid(DATA), algorithm, tlv(0x80, ciphertext)))

    authenticated_safe = seq(
        seq(oid(ENCRYPTED_DATA), explicit(0, encrypted_data)),
        seq(oid(DATA), explicit(0, octets(key_safe))),
    )
    salt = os.urandom(8)
    mac_key = pkcs12_kdf(password, salt, 3, ITERATIONS, 32)
    digest = hmac.new(mac_key, authenticated_safe, hashlib.sha256).digest()
    mac_data = seq(seq(seq(oid(SHA256), tlv(0x05, b"")), octets(digest)), octets(salt), integer(ITERATIONS))
    pfx = seq(integer(3), seq(oid(DATA), explicit(0, octets(authenticated_safe))), mac_data)
    with open(output, "wb") as handle:
        handle.write(pfx)


if __name__ == "__main__":
    main(*sys.argv[1:5])
