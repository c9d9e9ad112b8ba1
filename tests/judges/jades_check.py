#!/usr/bin/env python3
"""Independent JAdES/JWS verifier for Sealdesk output (jwcrypto, RFC 7797 b64:false).

Usage: jades_check.py FILE [FILE...]
For each file: load the JWS JSON (general or flattened), take x5c[0] of each signature's
protected header as the key, verify the signature with jwcrypto, and check x5t#S256 against
x5c[0]. Prints one line per file; exit status 0 iff every file verifies.

Written for Sealdesk's tests; it shares no code with the Rust verifier. The JAdES header
names that may appear in `crit` (sigT, iat, adoTst, ...) are registered as understood: they
do not change what is signed, and jwcrypto rejects unknown critical names.
"""
import base64
import hashlib
import json
import sys

from cryptography import x509
from jwcrypto import jwk, jws
from jwcrypto.common import JWException

JADES_CRIT = ["sigT", "iat", "adoTst", "sigX5ts", "x5t#o", "srCms", "sigPl", "srAts", "sigPId"]
REGISTRY = {name: jws.JWSEHeaderParameter("JAdES " + name, True, True, None) for name in JADES_CRIT}


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check(path):
    with open(path, "rb") as f:
        raw = f.read().decode("utf-8")
    doc = json.loads(raw)
    signatures = doc["signatures"] if "signatures" in doc else [doc]
    if not signatures:
        raise ValueError("no signatures")
    algs = []
    for i, sig in enumerate(signatures):
        header = json.loads(b64url_decode(sig["protected"]))
        x5c = header.get("x5c")
        if not x5c:
            raise ValueError(f"signature {i}: no x5c")
        der = base64.b64decode(x5c[0])
        thumb = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()
        if header.get("x5t#S256") != thumb:
            raise ValueError(f"signature {i}: x5t#S256 does not match x5c[0]")
        cert = x509.load_der_x509_certificate(der)
        key = jwk.JWK.from_pyca(cert.public_key())
        # Verify this one signature alone (a general JWS with one entry).
        single = dict(doc)
        single.pop("signatures", None)
        for k in ("protected", "header", "signature"):
            single.pop(k, None)
        single["signatures"] = [sig]
        token = jws.JWS(header_registry=REGISTRY)
        token.deserialize(json.dumps(single))
        token.verify(key, alg=header["alg"])
        algs.append(header["alg"])
    return ", ".join(algs)


def main(paths):
    if not paths:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    ok = True
    for path in paths:
        try:
            algs = check(path)
            print(f"OK    {path}: {algs}, x5t#S256 matches x5c[0]")
        except (JWException, ValueError, KeyError, TypeError) as e:
            ok = False
            print(f"FAIL  {path}: {type(e).__name__}: {e}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
