"""Independent ML-DSA oracles for the Swift tests: dilithium-py (a pure-Python FIPS 204
implementation, which signs deterministically) and Python's cryptography (OpenSSL 4).

Reads one JSON request per line on stdin and answers one JSON line each:
  {"op": "derive", "set": "ML-DSA-65", "seed": HEX, "message": HEX}
      -> public and expanded keys from dilithium-py and cryptography, dilithium-py's deterministic
         signature of the message, and a randomized signature by cryptography
  {"op": "verify", "set": ..., "public": HEX, "message": HEX, "signature": HEX}
      -> whether cryptography verifies the signature (pure ML-DSA, empty context)
  {"op": "pkcs8", "set": ..., "seed": HEX}
      -> cryptography's PKCS#8 DER of the key (the seed form)
"""
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import mldsa
from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87

SETS = {
    "ML-DSA-44": (ML_DSA_44, mldsa.MLDSA44PrivateKey, mldsa.MLDSA44PublicKey),
    "ML-DSA-65": (ML_DSA_65, mldsa.MLDSA65PrivateKey, mldsa.MLDSA65PublicKey),
    "ML-DSA-87": (ML_DSA_87, mldsa.MLDSA87PrivateKey, mldsa.MLDSA87PublicKey),
}


def answer(request):
    reference, private_type, public_type = SETS[request["set"]]
    if request["op"] == "derive":
        seed = bytes.fromhex(request["seed"])
        message = bytes.fromhex(request["message"])
        public, expanded = reference.key_derive(seed)
        key = private_type.from_seed_bytes(seed)
        return {
            "public": public.hex(),
            "expanded": expanded.hex(),
            "deterministic": reference.sign(expanded, message, ctx=b"", deterministic=True).hex(),
            "cryptographyPublic": key.public_key().public_bytes_raw().hex(),
            "randomized": key.sign(message).hex(),
        }
    if request["op"] == "verify":
        public = public_type.from_public_bytes(bytes.fromhex(request["public"]))
        try:
            public.verify(bytes.fromhex(request["signature"]), bytes.fromhex(request["message"]))
            return {"valid": True}
        except InvalidSignature:
            return {"valid": False}
    if request["op"] == "pkcs8":
        key = private_type.from_seed_bytes(bytes.fromhex(request["seed"]))
        der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        return {"der": der.hex()}
    raise ValueError("unknown op " + request["op"])


for line in sys.stdin:
    if line.strip():
        print(json.dumps(answer(json.loads(line))), flush=True)
