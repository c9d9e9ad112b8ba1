#!/usr/bin/env python3
"""A stand-in for the Europass wallet deposit endpoint on 127.0.0.1 (edc-formats.md section 6).

POST /api/v1/wallets/email/{email}/credentials or /api/v1/wallets/{address}/credentials,
multipart/form-data with the part `_credential`, query sendEmail and locale, bearer token.
Answers the statuses given with --statuses (comma-separated, in order of arrival; the last one
repeats), or per target with --status-for TARGET=CODE (TARGET = the e-mail or address in the
path); 401 when the token is wrong, 400 when the part is missing or the query lacks sendEmail
(true|false) or a locale other than --locale (when given). Each request is logged to LOG as one
JSON line: path, target, query, status, the part's file name, and its bytes as hex.
"""
import argparse
import json
import sys
from email.parser import BytesParser
from email.policy import default
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlsplit, parse_qs, unquote

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, required=True)
p.add_argument("--token", required=True)
p.add_argument("--statuses", required=True)
p.add_argument("--log", required=True)
p.add_argument("--locale")
p.add_argument("--status-for", action="append", default=[])
a = p.parse_args()
statuses = [int(s) for s in a.statuses.split(",")]
status_for = {k: int(v) for k, v in (x.rsplit("=", 1) for x in a.status_for)}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ctype = self.headers.get("Content-Type", "")
        msg = BytesParser(policy=default).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
        part, filename = None, None
        if msg.is_multipart():
            for p_ in msg.iter_parts():
                if p_.get_param("name", header="content-disposition") == "_credential":
                    part = p_.get_payload(decode=True)
                    filename = p_.get_filename()
        query = parse_qs(url.query)
        # The wallet may live under a base path (https://host/edci-wallet/api/v1/...).
        at = url.path.find("/api/v1/wallets/")
        ok_path = at >= 0 and url.path.endswith("/credentials")
        target = unquote(url.path[at + len("/api/v1/wallets/"):-len("/credentials")])
        if target.startswith("email/"):
            target = target[len("email/"):]
        ok_query = (query.get("sendEmail") in (["true"], ["false"])
                    and (a.locale is None or query.get("locale") == [a.locale]))
        if self.headers.get("Authorization") != "Bearer " + a.token:
            status = 401
        elif part is None or not ok_path or not ok_query:
            status = 400
        elif target in status_for:
            status = status_for[target]
        else:
            status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
        with open(a.log, "a") as f:
            f.write(json.dumps({"path": url.path, "target": target, "query": query,
                                "status": status, "filename": filename,
                                "hex": (part or b"").hex()}) + "\n")
        reason = {201: "created", 400: "invalid credential", 404: "wallet not found",
                  409: "credential already exists"}.get(status, "")
        data = json.dumps({"message": reason}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


server = HTTPServer(("127.0.0.1", a.port), Handler)
print("ready", flush=True)
server.serve_forever()
