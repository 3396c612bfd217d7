"""Makes ML-DSA certificates and keys for the tests, independently of the project's own code:
the DER is assembled here by hand and signed with Python's cryptography (OpenSSL 4), whose ML-DSA
keys cannot build X.509 certificates themselves yet.

  mldsa_certificate.py DIR SET [--issuer-set SET] [--leaf-cn NAME]
                           [--chain ALG,...] [--crl] [--no-digital-signature]

writes into DIR: ca.pem and ca-seed.pem (a self-signed CA, ML-DSA of --issuer-set, default SET),
leaf.pem (an end-entity certificate for an ML-DSA key of SET, CN=--leaf-cn, signed by the CA), and
the leaf's key in every form (below).

--chain names the key of every certificate from the root to the leaf (ML-DSA-44/65/87, EC-P256 or
RSA-2048, or RSA-2048-SHA1 to sign with SHA-1; it replaces SET and --issuer-set), so that chains may mix algorithms: each certificate is
signed by the one before it with that one's algorithm (ML-DSA, ecdsa-with-SHA256 or
sha256WithRSAEncryption). The root is ca.pem, with ca-seed.pem (ML-DSA) or ca-key.pem (classic);
the CAs between are intermediate-1.pem, ... and, together, chain.pem. A classic leaf's key is
leaf-key.pem (PKCS#8). --crl writes crl.pem, a v2 CRL by the leaf's issuer (signed with its
algorithm) that revokes the leaf; --no-digital-signature gives the leaf keyUsage keyEncipherment
only. The leaf's ML-DSA key forms:
  leaf-seed.pem       PKCS#8, RFC 9881 seed form (cryptography's own encoding)
  leaf-both.pem       PKCS#8, both form (seed and expanded key, as OpenSSL 3.5 writes it)
  leaf-expanded.pem   PKCS#8, expandedKey form
  leaf-encrypted.pem  encrypted PKCS#8 (cryptography's PBES2), password "pass phrase"
The expanded key comes from dilithium-py, a second independent implementation.
"""
import base64
import datetime
import os
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, mldsa, padding, rsa
from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from der import integer, oid, seq, tlv  # noqa: E402

SETS = {
    "ML-DSA-44": ("2.16.840.1.101.3.4.3.17", mldsa.MLDSA44PrivateKey, ML_DSA_44),
    "ML-DSA-65": ("2.16.840.1.101.3.4.3.18", mldsa.MLDSA65PrivateKey, ML_DSA_65),
    "ML-DSA-87": ("2.16.840.1.101.3.4.3.19", mldsa.MLDSA87PrivateKey, ML_DSA_87),
}


def name(common_name):
    return seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0C, common_name.encode()))))


def time(moment):
    return tlv(0x17, moment.strftime("%y%m%d%H%M%SZ").encode())


def extension(identifier, critical, value):
    return seq(oid(identifier), tlv(0x01, b"\xff") if critical else b"", tlv(0x04, value))


class Key:
    """A key of one algorithm: its SubjectPublicKeyInfo, its signature AlgorithmIdentifier, and signing."""

    def __init__(self, algorithm):
        self.algorithm = algorithm
        if algorithm in SETS:
            self.seed = os.urandom(32)
            self.private = SETS[algorithm][1].from_seed_bytes(self.seed)
            self.public_raw = self.private.public_key().public_bytes_raw()
            self.spki = seq(seq(oid(SETS[algorithm][0])), tlv(0x03, b"\x00" + self.public_raw))
            self.signature_algorithm = seq(oid(SETS[algorithm][0]))
        elif algorithm == "EC-P256":
            self.private = ec.generate_private_key(ec.SECP256R1())
            self.signature_algorithm = seq(oid("1.2.840.10045.4.3.2"))
        elif algorithm in ("RSA-2048", "RSA-2048-SHA1"):
            # RSA-2048-SHA1 signs with sha1WithRSAEncryption, which Roles Anywhere rejects.
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.signature_algorithm = seq(oid("1.2.840.113549.1.1.5" if algorithm.endswith("SHA1") else "1.2.840.113549.1.1.11"), tlv(0x05, b""))
        else:
            raise SystemExit(f"unknown algorithm {algorithm}")
        if algorithm not in SETS:
            self.spki = self.private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, data):
        if self.algorithm in SETS:
            return self.private.sign(data)
        if self.algorithm == "EC-P256":
            return self.private.sign(data, ec.ECDSA(hashes.SHA256()))
        return self.private.sign(data, padding.PKCS1v15(), hashes.SHA1() if self.algorithm.endswith("SHA1") else hashes.SHA256())

    def pkcs8_pem(self, password=None):
        encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        return self.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption).decode()


def certificate(issuer, issuer_cn, subject_cn, subject, is_ca, serial, digital_signature=True):
    now = datetime.datetime.now(datetime.timezone.utc)
    basic = seq(tlv(0x01, b"\xff")) if is_ca else seq()
    # keyUsage: keyCertSign and cRLSign (bits 5, 6) for a CA, digitalSignature (bit 0) for a leaf
    # (or keyEncipherment, bit 2, alone).
    usage = tlv(0x03, b"\x01\x06") if is_ca else tlv(0x03, b"\x07\x80") if digital_signature else tlv(0x03, b"\x05\x20")
    extensions = tlv(0xA3, seq(
        extension("2.5.29.19", True, basic),
        extension("2.5.29.15", True, usage),
    ))
    tbs = seq(
        tlv(0xA0, integer(2)),
        integer(serial),
        issuer.signature_algorithm,
        name(issuer_cn),
        seq(time(now - datetime.timedelta(minutes=5)), time(now + datetime.timedelta(days=30))),
        name(subject_cn),
        subject.spki,
        extensions,
    )
    return seq(tbs, issuer.signature_algorithm, tlv(0x03, b"\x00" + issuer.sign(tbs)))


def revocation_list(issuer, issuer_cn, serial):
    """A v2 CRL (RFC 5280 §5) by issuer_cn, revoking serial."""
    now = datetime.datetime.now(datetime.timezone.utc)
    crl_number = extension("2.5.29.20", False, integer(1))
    tbs = seq(
        integer(1),
        issuer.signature_algorithm,
        name(issuer_cn),
        time(now - datetime.timedelta(minutes=1)),
        time(now + datetime.timedelta(days=7)),
        seq(seq(integer(serial), time(now - datetime.timedelta(minutes=1)))),
        tlv(0xA0, seq(crl_number)),
    )
    return seq(tbs, issuer.signature_algorithm, tlv(0x03, b"\x00" + issuer.sign(tbs)))


def pem(label, der):
    body = base64.b64encode(der).decode()
    return f"-----BEGIN {label}-----\n" + "\n".join(body[i:i + 64] for i in range(0, len(body), 64)) + f"\n-----END {label}-----\n"


def pkcs8(set_name, field):
    return seq(integer(0), seq(oid(SETS[set_name][0])), tlv(0x04, field))


def option(flag, default):
    return sys.argv[sys.argv.index(flag) + 1] if flag in sys.argv else default


def main():
    directory, leaf_set = sys.argv[1], sys.argv[2]
    issuer_set = option("--issuer-set", leaf_set)
    leaf_cn = option("--leaf-cn", "ml-dsa leaf")
    algorithms = option("--chain", f"{issuer_set},{leaf_set}").split(",")
    keys = [Key(algorithm) for algorithm in algorithms]
    names = ["ML-DSA test CA"] + [f"ML-DSA test intermediate {n}" for n in range(1, len(keys) - 1)] + [leaf_cn]
    files = {}
    chain = []
    for index, key in enumerate(keys[:-1]):
        issuer = keys[max(0, index - 1)]
        der = certificate(issuer, names[max(0, index - 1)], names[index], key, True, index + 1)
        if index == 0:
            files["ca.pem"] = pem("CERTIFICATE", der)
            files["ca-seed.pem" if key.algorithm in SETS else "ca-key.pem"] = key.pkcs8_pem()
        else:
            files[f"intermediate-{index}.pem"] = pem("CERTIFICATE", der)
            chain.append(pem("CERTIFICATE", der))
    if chain:
        files["chain.pem"] = "".join(chain)
    leaf_key = keys[-1]
    leaf_serial = int.from_bytes(os.urandom(15), "big")
    leaf = certificate(
        keys[-2], names[-2], leaf_cn, leaf_key, False, leaf_serial, digital_signature="--no-digital-signature" not in sys.argv
    )
    files["leaf.pem"] = pem("CERTIFICATE", leaf)
    if "--crl" in sys.argv:
        files["crl.pem"] = pem("X509 CRL", revocation_list(keys[-2], names[-2], leaf_serial))
    if leaf_key.algorithm in SETS:
        public, expanded = SETS[leaf_key.algorithm][2].key_derive(leaf_key.seed)
        assert public == leaf_key.public_raw, "dilithium-py and cryptography disagree on the public key"
        seed = leaf_key.seed
        files.update({
            "leaf-seed.pem": leaf_key.pkcs8_pem(),
            "leaf-both.pem": pem("PRIVATE KEY", pkcs8(leaf_key.algorithm, seq(tlv(0x04, seed), tlv(0x04, expanded)))),
            "leaf-expanded.pem": pem("PRIVATE KEY", pkcs8(leaf_key.algorithm, tlv(0x04, expanded))),
            "leaf-encrypted.pem": leaf_key.pkcs8_pem(b"pass phrase"),
        })
        print(leaf_key.public_raw.hex())
    else:
        files["leaf-key.pem"] = leaf_key.pkcs8_pem()
    for file, text in files.items():
        with open(os.path.join(directory, file), "w") as out:
            out.write(text)


if __name__ == "__main__":
    main()
