"""Makes ML-DSA certificates and keys for the tests, independently of the project's own code:
the DER is assembled here by hand and signed with Python's cryptography (OpenSSL 4), whose ML-DSA
keys cannot build X.509 certificates themselves yet.

  mldsa_certificate.py DIR SET [--issuer-set SET] [--leaf-cn NAME]

writes into DIR: ca.pem and ca-seed.pem (a self-signed CA, ML-DSA of --issuer-set, default SET),
leaf.pem (an end-entity certificate for an ML-DSA key of SET, CN=--leaf-cn, signed by the CA), and
the leaf's key in every form:
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

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import mldsa
from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87

SETS = {
    "ML-DSA-44": ("2.16.840.1.101.3.4.3.17", mldsa.MLDSA44PrivateKey, ML_DSA_44),
    "ML-DSA-65": ("2.16.840.1.101.3.4.3.18", mldsa.MLDSA65PrivateKey, ML_DSA_65),
    "ML-DSA-87": ("2.16.840.1.101.3.4.3.19", mldsa.MLDSA87PrivateKey, ML_DSA_87),
}


def tlv(tag, content):
    length = len(content)
    if length < 0x80:
        header = bytes([length])
    else:
        octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
        header = bytes([0x80 | len(octets)]) + octets
    return bytes([tag]) + header + content


def seq(*parts):
    return tlv(0x30, b"".join(parts))


def oid(text):
    numbers = [int(n) for n in text.split(".")]
    body = bytes([numbers[0] * 40 + numbers[1]])
    for number in numbers[2:]:
        chunk = [number & 0x7F]
        number >>= 7
        while number:
            chunk.append(0x80 | (number & 0x7F))
            number >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, body)


def integer(value):
    raw = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big")
    return tlv(0x02, raw)


def name(common_name):
    return seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0C, common_name.encode()))))


def time(moment):
    return tlv(0x17, moment.strftime("%y%m%d%H%M%SZ").encode())


def extension(identifier, critical, value):
    return seq(oid(identifier), tlv(0x01, b"\xff") if critical else b"", tlv(0x04, value))


def certificate(issuer_key, issuer_set, issuer_cn, subject_cn, subject_public, subject_set, is_ca, serial):
    now = datetime.datetime.now(datetime.timezone.utc)
    algorithm = seq(oid(SETS[issuer_set][0]))
    basic = seq(tlv(0x01, b"\xff")) if is_ca else seq()
    # keyUsage: keyCertSign and cRLSign (bits 5, 6) for a CA, digitalSignature (bit 0) for a leaf.
    usage = tlv(0x03, b"\x01\x06") if is_ca else tlv(0x03, b"\x07\x80")
    extensions = tlv(0xA3, seq(
        extension("2.5.29.19", True, basic),
        extension("2.5.29.15", True, usage),
    ))
    tbs = seq(
        tlv(0xA0, integer(2)),
        integer(serial),
        algorithm,
        name(issuer_cn),
        seq(time(now - datetime.timedelta(minutes=5)), time(now + datetime.timedelta(days=30))),
        name(subject_cn),
        seq(seq(oid(SETS[subject_set][0])), tlv(0x03, b"\x00" + subject_public)),
        extensions,
    )
    signature = issuer_key.sign(tbs)
    return seq(tbs, algorithm, tlv(0x03, b"\x00" + signature))


def pem(label, der):
    body = base64.b64encode(der).decode()
    return f"-----BEGIN {label}-----\n" + "\n".join(body[i:i + 64] for i in range(0, len(body), 64)) + f"\n-----END {label}-----\n"


def pkcs8(set_name, field):
    return seq(integer(0), seq(oid(SETS[set_name][0])), tlv(0x04, field))


def main():
    directory, leaf_set = sys.argv[1], sys.argv[2]
    issuer_set = sys.argv[sys.argv.index("--issuer-set") + 1] if "--issuer-set" in sys.argv else leaf_set
    leaf_cn = sys.argv[sys.argv.index("--leaf-cn") + 1] if "--leaf-cn" in sys.argv else "ml-dsa leaf"
    ca_seed, leaf_seed = os.urandom(32), os.urandom(32)
    ca_key = SETS[issuer_set][1].from_seed_bytes(ca_seed)
    leaf_key = SETS[leaf_set][1].from_seed_bytes(leaf_seed)
    ca_public = ca_key.public_key().public_bytes_raw()
    leaf_public = leaf_key.public_key().public_bytes_raw()
    ca = certificate(ca_key, issuer_set, "ML-DSA test CA", "ML-DSA test CA", ca_public, issuer_set, True, 1)
    leaf = certificate(ca_key, issuer_set, "ML-DSA test CA", leaf_cn, leaf_public, leaf_set, False, int.from_bytes(os.urandom(15), "big"))
    public, expanded = SETS[leaf_set][2].key_derive(leaf_seed)
    assert public == leaf_public, "dilithium-py and cryptography disagree on the public key"
    files = {
        "ca.pem": pem("CERTIFICATE", ca),
        "ca-seed.pem": ca_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(),
        "leaf.pem": pem("CERTIFICATE", leaf),
        "leaf-seed.pem": leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(),
        "leaf-both.pem": pem("PRIVATE KEY", pkcs8(leaf_set, seq(tlv(0x04, leaf_seed), tlv(0x04, expanded)))),
        "leaf-expanded.pem": pem("PRIVATE KEY", pkcs8(leaf_set, tlv(0x04, expanded))),
        "leaf-encrypted.pem": leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pass phrase")
        ).decode(),
    }
    for file, text in files.items():
        with open(os.path.join(directory, file), "w") as out:
            out.write(text)
    print(leaf_public.hex())


if __name__ == "__main__":
    main()
