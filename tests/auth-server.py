#!/usr/bin/env python3
"""A tiny SMTP server on 127.0.0.1 for tests/e2e.sh: a submission server's
policy, which the reference server does not have.  MAIL before AUTH is
answered "530 5.7.0 Authentication required" (RFC 4954 6); AUTH PLAIN takes
one account.  With CERT and KEY it offers STARTTLS and answers AUTH in clear
with "538 5.7.11 Encryption required" (RFC 4954 6), AUTH only inside TLS.

usage: auth-server.py USER PASSWORD [CERT KEY]
Prints "listening on 127.0.0.1:PORT" once it accepts connections.
"""
import base64
import socket
import ssl
import sys
import threading


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def reply(self, text):
        self.sock.sendall(text.encode("latin-1") + b"\r\n")


def plain_ok(b64, user, password):
    try:
        return base64.b64decode(b64, validate=True) == b"\0" + user + b"\0" + password
    except ValueError:
        return False


def session(sock, user, password, ctx):
    c = Conn(sock)
    tls = helo = authed = mail = rcpt = False
    c.reply("220 auth-server.test ESMTP ready")
    while True:
        line = c.line()
        if line is None:
            return
        verb, _, arg = line.partition(" ")
        verb = verb.upper()
        if verb == "EHLO":
            helo, mail, rcpt = True, False, False
            lines = ["auth-server.test", "PIPELINING", "8BITMIME"]
            if ctx and not tls:
                lines.append("STARTTLS")
            if not ctx or tls:
                lines.append("AUTH PLAIN")
            for extension in lines[:-1]:
                c.sock.sendall(("250-%s\r\n" % extension).encode())
            c.reply("250 " + lines[-1])
        elif verb == "HELO":
            helo, mail, rcpt = True, False, False
            c.reply("250 auth-server.test")
        elif verb == "STARTTLS" and ctx and not tls:
            c.reply("220 2.0.0 Go ahead")
            c.sock = ctx.wrap_socket(c.sock, server_side=True)
            c.buf = b""
            tls, helo, authed, mail, rcpt = True, False, False, False, False
        elif verb == "AUTH":
            mech, _, initial = arg.partition(" ")
            if authed:
                c.reply("503 5.5.1 Already authenticated")
            elif not helo:
                c.reply("503 5.5.1 EHLO first")
            elif mech.upper() != "PLAIN":
                c.reply("504 5.5.4 Unrecognized authentication type")
            elif ctx and not tls:
                c.reply("538 5.7.11 Encryption required for requested authentication mechanism")
            else:
                if not initial:
                    c.reply("334 ")
                    initial = c.line() or ""
                if initial == "*":
                    c.reply("501 5.0.0 Authentication cancelled")
                elif plain_ok(initial, user, password):
                    authed = True
                    c.reply("235 2.7.0 Authentication successful")
                else:
                    c.reply("535 5.7.8 Authentication credentials invalid")
        elif verb == "MAIL":
            if not helo:
                c.reply("503 5.5.1 EHLO first")
            elif not authed:
                c.reply("530 5.7.0 Authentication required")
            elif mail:
                c.reply("503 5.5.1 Nested MAIL command")
            else:
                mail = True
                c.reply("250 2.1.0 Ok")
        elif verb == "RCPT":
            if not mail:
                c.reply("503 5.5.1 Need MAIL command")
            else:
                rcpt = True
                c.reply("250 2.1.5 Ok")
        elif verb == "DATA":
            if not rcpt:
                c.reply("503 5.5.1 Need RCPT command")
                continue
            c.reply("354 End data with <CR><LF>.<CR><LF>")
            while True:
                data = c.line()
                if data is None:
                    return
                if data == ".":
                    break
            mail = rcpt = False
            c.reply("250 2.0.0 Ok: queued")
        elif verb == "RSET":
            mail = rcpt = False
            c.reply("250 2.0.0 Ok")
        elif verb == "NOOP":
            c.reply("250 2.0.0 Ok")
        elif verb == "QUIT":
            c.reply("221 2.0.0 Bye")
            return
        else:
            c.reply("500 5.5.2 Command not recognized")


def serve(sock, user, password, ctx):
    try:
        session(sock, user, password, ctx)
    except (OSError, ssl.SSLError):
        pass
    finally:
        sock.close()


def main():
    if len(sys.argv) not in (3, 5):
        sys.exit(__doc__)
    user, password = sys.argv[1].encode(), sys.argv[2].encode()
    ctx = None
    if len(sys.argv) == 5:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print("listening on 127.0.0.1:%d" % listener.getsockname()[1], flush=True)
    while True:
        sock, _ = listener.accept()
        threading.Thread(target=serve, args=(sock, user, password, ctx), daemon=True).start()


if __name__ == "__main__":
    main()
