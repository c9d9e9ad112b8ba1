#!/usr/bin/env python3
"""Reads the .eml files of a maildir (smtp_server.py) and prints one JSON array: per message its
headers, plain and HTML bodies, and attachments (file name, content type, bytes as hex)."""
import email
import email.policy
import json
import os
import sys

out = []
d = sys.argv[1]
for name in sorted(n for n in os.listdir(d) if n.endswith(".eml")):
    with open(os.path.join(d, name), "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    item = {"file": name, "headers": {k: str(v) for k, v in msg.items()},
            "text": None, "html": None, "attachments": []}
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment":
            item["attachments"].append({
                "filename": part.get_filename(),
                "contentType": part.get_content_type(),
                "hex": part.get_payload(decode=True).hex(),
            })
        elif part.get_content_type() == "text/plain":
            item["text"] = part.get_content()
        elif part.get_content_type() == "text/html":
            item["html"] = part.get_content()
    out.append(item)
json.dump(out, sys.stdout)
