#!/usr/bin/env python3
"""Independent PAdES judge: pyHanko validates every signature of a PDF.

Usage: pades_check.py FILE.pdf [CA.pem ...] [--ltv]
Prints one JSON object: {"signatures": [{"intact", "valid", "trusted", "coverage",
"modification_level", "bottom_line", "md_algorithm", "signer", "timestamp",
"timestamp_valid", "ltv"}...], "document_timestamps": [{"intact", "valid", "trusted",
"time"}...], "error": null}.
Without CA.pem nothing is trusted (intact/valid still say whether the signature holds); several
CA files may be given (seal CA, TSA CA). No network: certificate fetching is off; revocation is
soft-fail (no OCSP/CRL in B-B). With --ltv each seal is also validated the PAdES B-LTA way
(validate_pdf_ltv_signature, revocation from the DSS only, hard-fail): "ltv" is then that
validation's bottom line, or the error it raised.
Exit 0 when the file could be read (the verdict is in the JSON), 2 otherwise.
"""
import json
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import (
    validate_pdf_ltv_signature,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.ltv import RevocationInfoValidationType
from pyhanko_certvalidator import ValidationContext


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    ltv = "--ltv" in sys.argv[1:]
    path = args[0]
    roots = [load_cert_from_pemder(p) for p in args[1:]]
    vc = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    out = {"signatures": [], "document_timestamps": [], "error": None}
    try:
        with open(path, "rb") as f:
            reader = PdfFileReader(f, strict=False)
            for sig in reader.embedded_signatures:
                if sig.sig_object.get("/Type") == "/DocTimeStamp":
                    ts = validate_pdf_timestamp(sig, validation_context=vc)
                    out["document_timestamps"].append({
                        "intact": bool(ts.intact),
                        "valid": bool(ts.valid),
                        "trusted": bool(ts.trusted),
                        "time": ts.timestamp.isoformat(),
                    })
                    continue
                status = validate_pdf_signature(sig, signer_validation_context=vc)
                tsv = status.timestamp_validity
                entry = {
                    "intact": bool(status.intact),
                    "valid": bool(status.valid),
                    "trusted": bool(status.trusted),
                    "coverage": status.coverage.name if status.coverage else None,
                    "modification_level": status.modification_level.name if status.modification_level else None,
                    "bottom_line": bool(status.bottom_line),
                    "md_algorithm": status.md_algorithm,
                    "signer": status.signing_cert.subject.human_friendly,
                    "timestamp": tsv.timestamp.isoformat() if tsv else None,
                    "timestamp_valid": bool(tsv.valid and tsv.intact and tsv.trusted) if tsv else None,
                    "ltv": None,
                }
                if ltv:
                    try:
                        lta = validate_pdf_ltv_signature(
                            sig,
                            RevocationInfoValidationType.PADES_LTA,
                            validation_context_kwargs={"trust_roots": roots},
                        )
                        entry["ltv"] = bool(lta.bottom_line)
                    except Exception as e:  # reported, the Rust test decides
                        entry["ltv"] = f"{type(e).__name__}: {e}"
                out["signatures"].append(entry)
    except Exception as e:  # a judge reports, the Rust test decides
        out["error"] = f"{type(e).__name__}: {e}"
        print(json.dumps(out))
        return 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
