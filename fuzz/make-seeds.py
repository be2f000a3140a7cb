#!/usr/bin/env python3
"""make-seeds.py - write the seed corpora corpus/<target>/ from the SMTP
exchanges below (greetings and EHLO lists as real servers send them:
Postfix, Exim, OpenSMTPD, Sendmail, Gmail, Outlook/Exchange), commands with
every parameter kind, and the scenario files of scenarios/.  Run from the
top of the checkout; the files are committed, so this only needs running
again when the list changes.  File names are content hashes (libFuzzer's
style), so running it twice changes nothing."""
import glob, hashlib, os, struct

GREETINGS = [
    b"220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n",
    b"220 mx.example.org ESMTP Exim 4.96 Thu, 26 Nov 2026 01:00:00 +0000\r\n",
    b"220 mail.example.net ESMTP OpenSMTPD\r\n",
    b"220 mail.example.com ESMTP Sendmail 8.17.1/8.17.1; Thu, 26 Nov 2026 01:00:00 GMT\r\n",
    b"220 mx.google.com ESMTP d2e1a72fcca58-7a9b1c2d3e4f.12 - gsmtp\r\n",
    b"220 BN8NAM11FT066.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at Thu, 26 Nov 2026 01:00:00 +0000\r\n",
    b"220-mail.example.com ESMTP\r\n220-No UCE.\r\n220 Go ahead\r\n",
    b"220 mx.harness.test ESMTP smtp-harness reference server\r\n",
    b"220\r\n",
    b"220 \r\n",
]

EHLOS = {
    "postfix": b"250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-AUTH=PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n",
    "exim": b"250-mx.example.org Hello client.example [192.0.2.1]\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-PIPE_CONNECT\r\n250-AUTH PLAIN LOGIN CRAM-MD5\r\n250-CHUNKING\r\n250-STARTTLS\r\n250-PRDR\r\n250 HELP\r\n",
    "opensmtpd": b"250-mail.example.net Hello client.example [192.0.2.1], pleased to meet you\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250-SIZE 36700160\r\n250-DSN\r\n250-STARTTLS\r\n250 HELP\r\n",
    "sendmail": b"250-mail.example.com Hello client.example [192.0.2.1], pleased to meet you\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250-ETRN\r\n250-AUTH DIGEST-MD5 CRAM-MD5\r\n250-STARTTLS\r\n250-DELIVERBY\r\n250 HELP\r\n",
    "gmail": b"250-mx.google.com at your service, [192.0.2.1]\r\n250-SIZE 157286400\r\n250-8BITMIME\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n",
    "outlook": b"250-BN8NAM11FT066.mail.protection.outlook.com Hello [192.0.2.1]\r\n250-SIZE 49283072\r\n250-PIPELINING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-8BITMIME\r\n250-BINARYMIME\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n",
    "exchange": b"250-EXCH01.corp.example.com Hello [192.0.2.1]\r\n250-SIZE 37748736\r\n250-PIPELINING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-X-ANONYMOUSTLS\r\n250-AUTH NTLM\r\n250-AUTH=LOGIN\r\n250-X-EXPS GSSAPI NTLM\r\n250-8BITMIME\r\n250-BINARYMIME\r\n250-CHUNKING\r\n250-XEXCH50\r\n250-XRDST\r\n250 XSHADOWREQUEST\r\n",
    "reference": b"250-mx.harness.test\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n",
    "single": b"250 mail.example.com\r\n",
}

REPLIES = [
    b"250 2.1.0 Ok\r\n", b"250 2.1.5 Ok\r\n", b"251 2.1.5 User not local; will forward\r\n",
    b"354 End data with <CR><LF>.<CR><LF>\r\n", b"354 Go ahead d2e1a72fcca58 - gsmtp\r\n",
    b"250 2.0.0 Ok: queued as 4ABC123DEF\r\n", b"221 2.0.0 Bye\r\n",
    b"221 2.0.0 closing connection d2e1a72fcca58 - gsmtp\r\n",
    b"252 2.0.0 Cannot VRFY user, but will accept message\r\n",
    b"500 5.5.2 Error: command not recognized\r\n", b"501 5.5.4 Syntax: MAIL FROM:<address>\r\n",
    b"502 5.5.1 Error: command not implemented\r\n", b"503 5.5.1 Error: need RCPT command\r\n",
    b"530 5.7.0 Must issue a STARTTLS command first\r\n",
    b"550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table\r\n",
    b"552 5.3.4 Message size exceeds fixed limit\r\n",
    b"554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org\r\n",
    b"421 4.7.0 Try again later, closing connection. (EHLO) d2e1a72fcca58 - gsmtp\r\n",
    b"450 4.2.0 <a@example.com>: Recipient address rejected: Greylisted, see https://postgrey.schweikert.ch/help/example.com.html\r\n",
    b"451 4.7.1 Please try again later\r\n",
    b"550-5.7.1 [192.0.2.1] Our system has detected that this message is\r\n550-5.7.1 likely unsolicited mail. To reduce the amount of spam sent to Gmail,\r\n550 5.7.1 this message has been blocked. d2e1a72fcca58 - gsmtp\r\n",
    b"214-2.0.0 This is sendmail version 8.17.1\r\n214-2.0.0 Topics:\r\n214-2.0.0 \tHELO\tEHLO\tMAIL\tRCPT\tDATA\r\n214 2.0.0 End of HELP info\r\n",
    b"250\r\n", b"250 \r\n", b"250-\r\n250 \r\n",
    # the violations the parser names, one each
    b"25\r\n", b"2a0 x\r\n", b"650 x\r\n", b"250_x\r\n", b"250-a\r\n251 b\r\n", b"250 a\nb\r\n",
    b"250 a\rb\r\n", b"250 a\x00b\r\n", b"250 a\x01b\r\n", b"250 caf\xc3\xa9\r\n",
    b"250 " + b"x" * 600 + b"\r\n",
]

SESSIONS = [
    b"EHLO client.example\r\nMAIL FROM:<alice@client.example> SIZE=100 BODY=8BITMIME\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nSubject: hi\r\n\r\nhello\r\n..dot\r\n.\r\nQUIT\r\n",
    b"EHLO client.example\r\nMAIL FROM:<>\r\nRCPT TO:<Postmaster>\r\nRCPT TO:<postmaster@example.com>\r\nRSET\r\nNOOP\r\nVRFY bob\r\nEXPN list\r\nHELP\r\nQUIT\r\n",
    b"HELO client.example\r\nMAIL FROM:<a@[192.0.2.1]>\r\nRCPT TO:<\"quoted local\"@example.com>\r\nRCPT TO:<x@[IPv6:2001:db8::1]>\r\nDATA\r\n.\r\nQUIT\r\n",
    b"EHLO [192.0.2.1]\r\nMAIL FROM:<a@b.example> RET=HDRS ENVID=QQ314159 AUTH=<>\r\nRCPT TO:<c@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;c+40example.com\r\nDATA\r\nx\r\n.\r\n",
    b"FOOBAR\r\nMAIL FROM:<a@b>\r\nEHLO\r\nEHLO bad..domain\r\nmail from:<a@b.example>\r\nRCPT TO:<@hop1,@hop2:c@example.com>\r\nSTARTTLS\r\nAUTH PLAIN AGFiYwBkZWY=\r\nBDAT 10 LAST\r\nTURN\r\nQUIT\r\n",
    b"EHLO a\r\nNOOP\nQUIT\r\n",
    b"EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@example.com>\r\nDATA\r\nhello\n.\nRSET\r\n.\r\nQUIT\r\n",
    b"EHLO a\r\n" + b"NOOP " + b"x" * 600 + b"\r\nNOOP\r\nQUIT\r\n",
    b"EHLO a\r\nMAIL FROM:<a@b.example> SIZE=99999999999\r\nMAIL FROM:<a@b.example>\r\nMAIL FROM:<c@d.example>\r\nDATA\r\nQUIT\r\n",
    b"EHLO a\r\nMAIL FROM: <a@b.example>\r\nMAIL FROM:<a@b.example> \r\nRSET x\r\nNOOP x\r\nQUIT x\r\n",
]

SYNTAX = [  # (mode, input): 0 command, 1 MAIL arg, 2 RCPT arg, 3 domain, 4 literal, 5 mailbox, 6 ehlo arg/xtext, 7 param
    (0, b"MAIL FROM:<a@b.example> SIZE=1000 BODY=8BITMIME"), (0, b"RCPT TO:<Postmaster>"),
    (0, b"EHLO client.example"), (0, b"HELO [192.0.2.1]"), (0, b"DATA"), (0, b"QUIT"),
    (0, b"noop  two spaces "), (0, b"STARTTLS"), (0, b"AUTH PLAIN AGFiYwBkZWY="), (0, b"BDAT 100 LAST"),
    (0, b"X-UNKNOWN arg"), (0, b"ETRN @example.com"), (0, b"VRFY <a@b>"),
    (1, b"FROM:<>"), (1, b"FROM:<a@b.example> SIZE=100 BODY=8BITMIME SMTPUTF8"),
    (1, b"FROM:<a@b.example> RET=HDRS ENVID=QQ314159 AUTH=<>"), (1, b"FROM:<@hop1.example,@[10.0.0.1]:a@b.example>"),
    (1, b"FROM:<\"a b\\\"c\"@b.example>"), (1, b"FROM:<a@[IPv6:2001:db8::1]>  "), (1, b"FROM: <a@b>"),
    (2, b"TO:<Postmaster>"), (2, b"TO:<postmaster@example.com>"), (2, b"TO:<c@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;c+40example.com"),
    (2, b"TO:<c@[IPv6:2001:db8:0:0:0:0:0:1]>"), (2, b"TO:<c@[IPv6:::ffff:192.0.2.1]>"), (2, b"TO:<>"),
    (3, b"mail.example.com"), (3, b"1.2.3.4"), (3, b"a-b.c"), (3, b"example.com."),
    (4, b"[192.0.2.1]"), (4, b"[IPv6:2001:db8::1]"), (4, b"[IPv6:::]"), (4, b"[IPv6:1:2:3:4:5:6:7:8]"),
    (4, b"[IPv6:1:2:3:4:5:6:1.2.3.4]"), (4, b"[IPv6:1::5:1.2.3.4]"), (4, b"[x-tag:content]"), (4, b"[256.1.1.1]"),
    (5, b"a@b.example"), (5, b"\"\"@b.example"), (5, b"a.b.c@[192.0.2.1]"), (5, b"\"x\\y\"@[IPv6:::1]"),
    (6, b"client.example"), (6, b"rfc822;a+2Bb@x.example"), (6, b"bad+zzxtext"),
    (7, b"SIZE=100"), (7, b"BODY=8BITMIME"), (7, b"SMTPUTF8"), (7, b"KEY="),
]

def put(target, data):
    d = os.path.join("corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)

# Reply parser: 2 header bytes (options, cut count) then the stream.
stream_all = b"".join(GREETINGS[:1]) + EHLOS["postfix"] + b"".join(REPLIES[:8])
for r in GREETINGS + list(EHLOS.values()) + REPLIES + [stream_all]:
    put("fuzz_reply", b"\x00\x00" + r)
put("fuzz_reply", b"\x01\x03\x05\x01\x07" + stream_all)
put("fuzz_reply", b"\x06\x02\x03\x09" + EHLOS["exim"])
for name, e in EHLOS.items():
    put("fuzz_ehlo", e)
put("fuzz_ehlo", b"250-x\r\n" + b"".join(b"250-K%d\r\n" % i for i in range(70)) + b"250 END\r\n")
put("fuzz_ehlo", b"250-x\r\n250-SIZE 18446744073709551616\r\n250 AUTH  PLAIN\r\n")
for mode, s in SYNTAX:
    put("fuzz_syntax", bytes([mode]) + s)
for p in sorted(glob.glob("scenarios/**/*.yaml", recursive=True)):
    with open(p, "rb") as f:
        put("fuzz_loader", f.read())
# Mailbox parsers: byte 0 the cut point (x/256 of the rest), then an mbox
# as MDAs write it (postfix local, procmail: mboxrd/mboxo quoting, an empty
# line after each message), one in CRLF, one cut short, one starting inside a
# message (what a reader opening mid-write sees).
MBOXES = [
    b"From sender@example.org Thu Nov 26 01:00:00 2026\n"
    b"Return-Path: <sender@example.org>\nX-Original-To: rcpt@example.com\n"
    b"Delivered-To: rcpt@example.com\nDelivered-To: alias@example.com\n"
    b"Received: from client.example (client.example [192.0.2.1])\n\tby mx.example.com (Postfix) with ESMTP id 4ABC\n"
    b"Subject: tok-1\n\nbody\n>From the start\n>>From quoted\n\n"
    b"From MAILER-DAEMON Thu Nov 26 01:00:01 2026\nReturn-Path: <>\n"
    b"Delivered-To: postmaster@example.com\nSubject: bounce\n\n\nFrom here\n\n",
    b"From a@b Thu Nov 26 01:00:00 2026\r\nReturn-Path: <a@b>\r\nSubject: crlf\r\n\r\nx\r\n\r\n",
    b"From a@b Thu Nov 26 01:00:00 2026\nSubject: half\n\nthe writer has not fin",
    b"rest of a message\n\nFrom c@d Thu Nov 26 01:00:02 2026\nX-Original-To: c@d\n\ny\n\n",
    b"From x\n\nFrom y\n\n",
]
for cut, mb in zip((0x00, 0x80, 0xff, 0x40, 0xc0), MBOXES):
    put("fuzz_mailbox", bytes([cut]) + mb)
for s in SESSIONS:
    put("fuzz_server", b"\x00" + s)
put("fuzz_server", b"\x03\x01\x02\x01" + SESSIONS[0])
# The high four bits of byte 0 pick one of fuzz_server.c's fault sets.
for fault in range(1, 16):
    for s in SESSIONS[:2]:
        put("fuzz_server", bytes([fault << 4]) + s)
# Engine: server bytes for the built-in scenario, and scenario files each
# followed by a plausible server script.
for g, (name, e) in zip(GREETINGS, EHLOS.items()):
    script = (g + e + b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok\r\n"
              b"354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as 4ABC\r\n221 2.0.0 Bye\r\n")
    put("fuzz_engine", script)
ref = (GREETINGS[7] + EHLOS["reference"] + b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
       b"250 2.0.0 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as 1\r\n"
       b"500 5.5.2 Error: command not recognized\r\n221 2.0.0 Bye\r\n")
# The reference server's own replies to each scenario, from a JSON report
# of `smtp-harness run --target builtin` (built by `make`), so the seeds
# reach the end of each scenario; the generic script otherwise.
def unescape(t):
    out, i = bytearray(), 0
    while i < len(t):
        c = t[i]
        if c == "\\" and i + 1 < len(t):
            n = t[i + 1]
            if n == "x":
                out.append(int(t[i + 2:i + 4], 16)); i += 4; continue
            out += {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0"}.get(n, n.encode()); i += 2; continue
        out += c.encode("utf-8"); i += 1
    return bytes(out)

served = {}
if os.path.exists("build/smtp-harness"):
    import json, subprocess, tempfile
    with tempfile.TemporaryDirectory() as tmp:
        rep = os.path.join(tmp, "r.json")
        subprocess.run(["build/smtp-harness", "run", "scenarios/", "--target", "builtin",
                        "--report", "json:" + rep], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for sc in json.load(open(rep))["scenarios"]:
            served[sc["file"]] = b"".join(unescape(e["data"]) for e in sc["transcript"] if e["dir"] == "S")
    # Queue ids hold the server's start time: fixed, so the seeds stay put.
    import re
    for k in served:
        served[k] = re.sub(rb"queued as [0-9A-F]+", b"queued as 0000000000001", served[k])
for p in sorted(glob.glob("scenarios/**/*.yaml", recursive=True)):
    with open(p, "rb") as f:
        put("fuzz_engine", f.read() + b"\n#SERVER\n" + (served.get(p) or ref))
