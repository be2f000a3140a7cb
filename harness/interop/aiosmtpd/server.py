"""aiosmtpd (Debian's python3-aiosmtpd) as an interop target.

Usage: server.py PORT CERT KEY.  Listens on 127.0.0.1:PORT until SIGTERM;
STARTTLS with the given test certificate; interop.test is the only domain
it accepts recipients for (anything else is a relay it refuses with 550);
accepted messages are read and dropped.  AUTH PLAIN and LOGIN, also
without TLS, accept one account: harness / harness-secret (the profile's
auth_user and auth_password).
"""
import asyncio
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Discard:
    """The handler: refuse relaying, drop the data."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        domain = address.rpartition("@")[2].lower()
        if address.lower() != "postmaster" and domain != "interop.test":
            return "550 5.7.1 Relaying denied"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return "250 OK: discarded"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login == b"harness" and auth_data.password == b"harness-secret")
    # handled=False: aiosmtpd then answers a failure itself with "535 5.7.8"
    # (AuthResult.handled defaults to True, which means "the authenticator
    # already sent the reply", so a refused login got no reply at all).
    return AuthResult(success=ok, handled=False)


def main():
    port = int(sys.argv[1])
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    handler = Discard()

    def factory():
        return SMTP(handler, hostname="mx.interop.test", tls_context=ctx,
                    require_starttls=False, enable_SMTPUTF8=True,
                    authenticator=authenticator, auth_require_tls=False)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(factory, host="127.0.0.1", port=port))
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    loop.add_signal_handler(signal.SIGINT, stop.set_result, None)
    loop.run_until_complete(stop)
    server.close()
    loop.run_until_complete(server.wait_closed())


if __name__ == "__main__":
    main()
