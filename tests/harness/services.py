#!/usr/bin/env python3
"""services.py SERVICES_DIR [PORT]

Serves the local trust services prepared by services.sh, over HTTP on 127.0.0.1 only:
  POST /tsa           RFC 3161 (application/timestamp-query -> application/timestamp-reply),
                      answered by `openssl ts -reply`
  POST /ocsp          OCSP for the harness seal CA (application/ocsp-request ->
                      application/ocsp-response), answered by `openssl ocsp -index ... -reqin`
  GET  /crl/seal-ca.crl, /crl/tsa-ca.crl   the CRLs (DER)
  POST /garbage/tsa, /garbage/ocsp         a well-formed HTTP answer with a malformed body
Prints "port N" on its first stdout line once listening (PORT 0 or absent = any free port).
Standard library only; each request runs the openssl CLI in a fresh temporary directory.
"""
import http.server
import os
import subprocess
import sys
import tempfile

DIR = os.path.abspath(sys.argv[1])
ENV = dict(os.environ, OPENSSL_CONF=os.path.join(DIR, "openssl.cnf"))


def run(args):
    return subprocess.run(args, env=ENV, capture_output=True, check=False)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def answer(self, code, ctype, body):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1]
        if self.path.startswith("/crl/") and name in ("seal-ca.crl", "tsa-ca.crl"):
            with open(os.path.join(DIR, name), "rb") as f:
                return self.answer(200, "application/pkix-crl", f.read())
        return self.answer(404, "text/plain", b"not found")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path.startswith("/garbage/"):
            return self.answer(200, "application/octet-stream", b"\x30\x82\xff\xffnot der")
        with tempfile.TemporaryDirectory() as tmp:
            req = os.path.join(tmp, "req.der")
            resp = os.path.join(tmp, "resp.der")
            with open(req, "wb") as f:
                f.write(body)
            if self.path == "/tsa":
                out = run(["openssl", "ts", "-reply", "-queryfile", req, "-out", resp,
                           "-config", ENV["OPENSSL_CONF"], "-section", "tsa_test"])
                ctype = "application/timestamp-reply"
            elif self.path == "/ocsp":
                out = run(["openssl", "ocsp", "-index", os.path.join(DIR, "seal-ca", "index.txt"),
                           "-CA", ca_pem(),
                           "-rsigner", os.path.join(DIR, "ocsp.pem"),
                           "-rkey", os.path.join(DIR, "ocsp.key"),
                           "-reqin", req, "-respout", resp, "-ndays", "7"])
                ctype = "application/ocsp-response"
            else:
                return self.answer(404, "text/plain", b"not found")
            if out.returncode != 0 or not os.path.exists(resp):
                return self.answer(500, "text/plain", out.stderr[-500:])
            with open(resp, "rb") as f:
                return self.answer(200, ctype, f.read())


def ca_pem():
    # services.sh names the seal CA certificate in its openssl.cnf ([ seal_ca ] certificate).
    with open(ENV["OPENSSL_CONF"]) as f:
        section = None
        for line in f:
            line = line.strip()
            if line.startswith("["):
                section = line.strip("[] ")
            elif section == "seal_ca" and line.startswith("certificate"):
                return line.split("=", 1)[1].strip()
    raise SystemExit("no seal CA certificate in openssl.cnf")


def main():
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
