#!/usr/bin/env python3
"""A real SMTP server on 127.0.0.1 for the outbox tests (aiosmtpd).

Every accepted message is written verbatim (as received, after dot-unstuffing) to
MAILDIR/NNNN.eml before the 250 reply is sent. Faults, counted over DATA commands in order:
  --drop N      close the connection without answering the first N DATA commands (not stored)
  --defer N     answer 451 to the next N DATA commands (not stored)
  --reject ADDR answer 550 to RCPT TO:<ADDR>
TLS: --tls (implicit) or --starttls (required) with --cert/--key; --auth USER:PASSWORD requires
AUTH (PLAIN/LOGIN, only over TLS). Prints "ready" on stdout once listening; runs until killed.
"""
import argparse
import asyncio
import os
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--tls", action="store_true")
    p.add_argument("--starttls", action="store_true")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--auth")
    p.add_argument("--drop", type=int, default=0)
    p.add_argument("--defer", type=int, default=0)
    p.add_argument("--reject", action="append", default=[])
    a = p.parse_args()
    os.makedirs(a.maildir, exist_ok=True)
    state = {"drop": a.drop, "defer": a.defer, "n": len(os.listdir(a.maildir))}

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address in a.reject:
                return "550 5.1.1 <%s>: mailbox unavailable, no such user" % address
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            if state["drop"] > 0:
                state["drop"] -= 1
                server.transport.abort()
                return "250 never seen"
            if state["defer"] > 0:
                state["defer"] -= 1
                return "451 4.3.0 mailbox busy, try again later"
            state["n"] += 1
            path = os.path.join(a.maildir, "%04d.eml" % state["n"])
            with open(path + ".part", "wb") as f:
                f.write(envelope.original_content)
            os.rename(path + ".part", path)
            return "250 2.0.0 Ok: queued as %04d" % state["n"]

    def authenticator(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = a.auth.split(":", 1)
        ok = auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok)

    kwargs = {}
    context = None
    if a.tls or a.starttls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(a.cert, a.key)
    if a.starttls:
        kwargs.update(tls_context=context, require_starttls=True)
    if a.tls:
        kwargs.update(ssl_context=context)
    if a.auth:
        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=not a.tls)
    controller = Controller(Handler(), hostname="127.0.0.1", port=a.port,
                            ready_timeout=20, **kwargs)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
