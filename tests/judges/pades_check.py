#!/usr/bin/env python3
"""Independent PAdES judge: pyHanko validates every signature of a PDF.

Usage: pades_check.py FILE.pdf [CA.pem]
Prints one JSON object: {"signatures": [{"intact", "valid", "trusted", "coverage",
"modification_level", "bottom_line", "md_algorithm", "signer"}...], "error": null}.
Without CA.pem nothing is trusted (intact/valid still say whether the signature holds).
No network: certificate fetching is off; revocation is soft-fail (no OCSP/CRL in B-B).
Exit 0 when the file could be read (the verdict is in the JSON), 2 otherwise.
"""
import json
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def main() -> int:
    path = sys.argv[1]
    roots = [load_cert_from_pemder(sys.argv[2])] if len(sys.argv) > 2 else []
    vc = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    out = {"signatures": [], "error": None}
    try:
        with open(path, "rb") as f:
            reader = PdfFileReader(f, strict=False)
            for sig in reader.embedded_signatures:
                status = validate_pdf_signature(sig, signer_validation_context=vc)
                out["signatures"].append({
                    "intact": bool(status.intact),
                    "valid": bool(status.valid),
                    "trusted": bool(status.trusted),
                    "coverage": status.coverage.name if status.coverage else None,
                    "modification_level": status.modification_level.name if status.modification_level else None,
                    "bottom_line": bool(status.bottom_line),
                    "md_algorithm": status.md_algorithm,
                    "signer": status.signing_cert.subject.human_friendly,
                })
    except Exception as e:  # a judge reports, the Rust test decides
        out["error"] = f"{type(e).__name__}: {e}"
        print(json.dumps(out))
        return 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
