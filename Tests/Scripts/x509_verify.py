"""Checks what `rolesanywhere pki` writes with Python's cryptography (OpenSSL 4 inside), which reads
ML-DSA as well as RSA and EC: an oracle independent of the Swift code.

  x509_verify.py cert CERT ISSUER     CERT's signature verifies with ISSUER's key
  x509_verify.py csr CSR              the request's own signature verifies; prints its SANs
  x509_verify.py crl CRL ISSUER       the CRL's signature verifies with ISSUER's key; prints
                                      the revoked serials in hex
  x509_verify.py key KEY CERT [PW]    the private key loads (with password PW) and is CERT's key

Exits 0 when the check holds, 1 (with the reason on stderr) when it does not.
"""
import sys

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


def load_certificate(path):
    return x509.load_pem_x509_certificate(open(path, "rb").read())


ML_DSA_OIDS = {"2.16.840.1.101.3.4.3.17", "2.16.840.1.101.3.4.3.18", "2.16.840.1.101.3.4.3.19"}


def verify(public_key, signed):
    """Verifies a certificate's, request's or CRL's signature (`signed` has the bytes and algorithm)."""
    signature, algorithm = signed.signature, signed.signature_algorithm_oid.dotted_string
    data = getattr(signed, "tbs_certificate_bytes", None) or getattr(signed, "tbs_certrequest_bytes", None) or signed.tbs_certlist_bytes
    if isinstance(public_key, rsa.RSAPublicKey):
        public_key.verify(signature, data, padding.PKCS1v15(), signed.signature_hash_algorithm)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(signed.signature_hash_algorithm))
    elif algorithm in ML_DSA_OIDS:
        # ML-DSA: pure, over the data itself, empty context.
        public_key.verify(signature, data)
    else:
        raise ValueError(f"signature algorithm {algorithm} does not suit the key {type(public_key).__name__}")


def main(args):
    command = args[0]
    if command == "cert":
        certificate, issuer = load_certificate(args[1]), load_certificate(args[2])
        verify(issuer.public_key(), certificate)
        if certificate.issuer != issuer.subject:
            raise ValueError("the certificate's issuer is not the issuer's subject")
    elif command == "csr":
        request = x509.load_pem_x509_csr(open(args[1], "rb").read())
        verify(request.public_key(), request)
        try:
            names = request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            print(" ".join(str(name.value) for name in names))
        except x509.ExtensionNotFound:
            print("")
    elif command == "crl":
        crl = x509.load_pem_x509_crl(open(args[1], "rb").read())
        issuer = load_certificate(args[2])
        verify(issuer.public_key(), crl)
        print(" ".join(format(entry.serial_number, "x") for entry in crl))
    elif command == "key":
        password = args[3].encode() if len(args) > 3 else None
        key = serialization.load_pem_private_key(open(args[1], "rb").read(), password)
        if key.public_key() != load_certificate(args[2]).public_key():
            raise ValueError("the private key is not the certificate's key")
    else:
        raise ValueError("unknown command " + command)


try:
    main(sys.argv[1:])
except (InvalidSignature, ValueError, TypeError) as error:
    print(f"{type(error).__name__}: {error}", file=sys.stderr)
    sys.exit(1)
