/*
 * test_server.c - CUnit tests for the reference SMTP server (server.c).
 *
 * Each conversation attaches one end of an AF_UNIX socketpair to a server
 * on its own loop and drives the other end: write bytes, run the loop until
 * the exact expected reply bytes have arrived (2 s at most), and check that
 * nothing else came.  Every table conversation runs three ways: step by
 * step, all input in one write before the greeting (pipelining and an early
 * talker at once), and one byte at a time.  In expected text, '#' stands for
 * one or more upper-case hex digits (queue ids), '%' for one or more base64
 * characters (CRAM-MD5 challenges).
 */
#include "server.h"
#include "server_faults.h"
#include "server_hostile.h"
#include "buf.h"
#include "sasl.h"
#include "loop.h"
#include "util.h"
#include "testutil.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define WAIT_MS		2000

#define GREET	"220 mx.harness.test ESMTP smtp-harness reference server\r\n"
#define EHLO	"EHLO client.example\r\n"
/* The keyword lines of the EHLO reply, but the last. */
#define EXT_LINES(sep) "250-STARTTLS" sep "250-PIPELINING" sep "250-SIZE 10485760" sep \
		"250-8BITMIME" sep "250-BINARYMIME" sep "250-CHUNKING" sep \
		"250-AUTH PLAIN LOGIN CRAM-MD5" sep "250-DSN" sep \
		"250-SMTPUTF8" sep
#define EXT	EXT_LINES("\r\n")
#define EHLO_OK	"250-mx.harness.test greets client.example\r\n" EXT \
		"250 ENHANCEDSTATUSCODES\r\n"
#define MAIL	"MAIL FROM:<sender@client.example>\r\n"
#define RCPT	"RCPT TO:<user@example.com>\r\n"
#define OK	"250 2.0.0 Ok\r\n"
#define MAIL_OK	"250 2.1.0 Ok\r\n"
#define RCPT_OK	"250 2.1.5 Ok\r\n"
#define GO	"354 End data with <CR><LF>.<CR><LF>\r\n"
#define QUEUED	"250 2.0.0 Ok: queued as #\r\n"
#define BYE	"221 2.0.0 Bye\r\n"
#define E500	"500 5.5.2 Error: command not recognized\r\n"
#define E501M	"501 5.5.4 Syntax: MAIL FROM:<address>\r\n"
#define E501A	"501 5.1.7 Bad sender address syntax\r\n"
#define E501R	"501 5.1.3 Bad recipient address syntax\r\n"
#define NEEDMAIL "503 5.5.1 Error: need MAIL command\r\n"
#define NEEDRCPT "503 5.5.1 Error: need RCPT command\r\n"
#define RELAY	"550 5.7.1 Relay access denied\r\n"
#define TOOBIG	"552 5.3.4 Message size exceeds fixed maximum message size\r\n"
#define LONGTXT	"552 5.3.4 Message line too long\r\n"
#define BARE	"554 5.6.0 Message contains bare CR or LF\r\n"
#define TOOLONG	"500 5.5.2 Error: line too long\r\n"
#define BARECMD	"500 5.5.2 Error: bare CR or LF in command\r\n"
#define BADCHAR	"500 5.5.2 Error: invalid character in command\r\n"
#define NOTIMPL	"502 5.5.1 Error: command not implemented\r\n"
#define SHUT	"421 4.3.2 mx.harness.test Service shutting down\r\n"
#define HELP_OK	"214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET\r\n" \
		"214-2.0.0 NOOP QUIT VRFY EXPN HELP AUTH\r\n" \
		"214 2.0.0 End of HELP info\r\n"
#define L100	"aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa." \
		"aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa."
#define OPEN	EHLO MAIL RCPT
#define OPEN_OK	EHLO_OK MAIL_OK RCPT_OK

/* The extensions' replies and commands. */
#define EHLO_HEAD "250-mx.harness.test greets client.example\r\n" \
		"250-STARTTLS\r\n"
#define ES_LAST	"250 ENHANCEDSTATUSCODES\r\n"
#define HELO_OK	"250 mx.harness.test\r\n"
#define BOK(n)	"250 2.0.0 Ok: " #n " octets received\r\n"
#define BDATSYN	"501 5.5.4 Syntax: BDAT chunk-size [LAST]\r\n"
#define AFTERB	"503 5.5.1 Error: DATA after BDAT\r\n"
#define BINDATA	"503 5.5.1 Error: BODY=BINARYMIME requires BDAT\r\n"
#define AUTH_OK	"235 2.7.0 Authentication successful\r\n"
#define AUTH_NO	"535 5.7.8 Error: authentication failed\r\n"
#define ABORTED	"501 5.7.0 Authentication aborted\r\n"
#define B64ERR	"501 5.5.2 Cannot decode response\r\n"
#define EHLO1ST	"503 5.5.1 Error: send EHLO first\r\n"
#define ASK_USER "334 VXNlcm5hbWU6\r\n"
#define ASK_PASS "334 UGFzc3dvcmQ6\r\n"
#define PLAIN_OK "AGhhcm5lc3MAaGFybmVzcy1zZWNyZXQ="	/* \0harness\0harness-secret */
#define PLAIN_NO "AGhhcm5lc3MAd3Jvbmc="			/* \0harness\0wrong */
#define USER_B64 "aGFybmVzcw=="				/* harness */
#define PASS_B64 "aGFybmVzcy1zZWNyZXQ="			/* harness-secret */
#define MAILB(p) "MAIL FROM:<a@b.example> " p "\r\n"
#define RCPTU(p) "RCPT TO:<user@example.com> " p "\r\n"
#define BAD(what) "501 5.5.4 Bad " what " parameter\r\n"
#define DUP(what) "501 5.5.4 Duplicate " what " parameter\r\n"
#define UNSUP(what) "555 5.5.4 Unsupported option: " what "\r\n"
#define NOASCII_M "553 5.6.7 Non-ASCII addresses not permitted without SMTPUTF8\r\n"
#define NOASCII_R "553 5.6.7 Non-ASCII addresses not permitted without SMTPUTF8\r\n"
#define X10	"xxxxxxxxxx"
#define X100	X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
#define X1000	X100 X100 X100 X100 X100 X100 X100 X100 X100 X100
#define X13000	X1000 X1000 X1000 X1000 X1000 X1000 X1000 X1000 X1000 X1000 \
		X1000 X1000 X1000
#define LONGAUTH "500 5.5.6 Authentication Exchange line is too long\r\n"

/* A test client: our end of the connection and everything received. */
struct tc {
	struct loop *loop;
	struct srv *srv;
	int fd;
	struct buf got;
	int eof;
	const char *what;	/* for messages */
};

static void
show(const char *label, const char *p, size_t n)
{
	size_t i;

	fprintf(stderr, "    %s \"", label);
	for (i = 0; i < n && i < 600; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\r')
			fputs("\\r", stderr);
		else if (c == '\n')
			fputs("\\n", stderr);
		else if (c < 32 || c >= 127 || c == '"' || c == '\\')
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fprintf(stderr, "%s\"\n", n > 600 ? "..." : "");
}

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	CU_ASSERT_FATAL(fl != -1 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0);
}

static struct srv *
new_srv(struct loop *loop, const char *faults)
{
	char err[128] = "";
	struct srv *srv = srv_new(loop, faults, err, sizeof(err));

	if (srv == NULL)
		fprintf(stderr, "srv_new(%s): %s\n", faults, err);
	CU_ASSERT_FATAL(srv != NULL);
	return srv;
}

static void
tc_init(struct tc *t, struct loop *loop, struct srv *srv, int fd)
{
	t->loop = loop;
	t->srv = srv;
	t->fd = fd;
	t->eof = 0;
	t->what = "";
	buf_init(&t->got);
	set_nonblock(fd);
}

/* A server with faults and one session on a socketpair. */
static void
tc_open(struct tc *t, const char *faults)
{
	char err[128];
	int sv[2];
	struct loop *loop = loop_new();
	struct srv *srv = new_srv(loop, faults);

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CU_ASSERT_FATAL(srv_attach(srv, sv[0], sv[0], err, sizeof(err)) == 0);
	tc_init(t, loop, srv, sv[1]);
}

static void
tc_free(struct tc *t)
{
	if (t->fd != -1)
		close(t->fd);
	buf_free(&t->got);
}

static void
tc_close(struct tc *t)
{
	tc_free(t);
	srv_free(t->srv);
	loop_free(t->loop);
}

/* Take whatever the server sent so far. */
static void
tc_read(struct tc *t)
{
	char tmp[65536];
	ssize_t r;

	while (!t->eof) {
		r = read(t->fd, tmp, sizeof(tmp));
		if (r > 0)
			buf_append(&t->got, tmp, (size_t)r);
		else if (r == 0 || (errno != EAGAIN && errno != EINTR))
			t->eof = 1;
		else
			break;
	}
}

static void
tc_pump(struct tc *t, int ms)
{
	loop_run_once(t->loop, ms);
	tc_read(t);
}

/* Write all of p (pumping the loop and reading while the pipe is full). */
static void
tc_send(struct tc *t, const char *p, size_t n)
{
	int64_t deadline = util_now_ms() + 60000;
	ssize_t w;

	while (n > 0 && util_now_ms() < deadline) {
		w = send(t->fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w == -1 && (errno == EAGAIN || errno == EINTR))
			tc_pump(t, 1);
		else
			return;	/* the server closed: later checks say so */
	}
}

/* One byte per loop round. */
static void
tc_send_bytes(struct tc *t, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		tc_send(t, p + i, 1);
		tc_pump(t, 0);
	}
}

enum wm { WM_MATCH, WM_PARTIAL, WM_MISMATCH };

/* Match the pattern want against got[0..n); '#' is 1*HEXDIG (upper). */
static enum wm
wmatch(const char *want, const char *got, size_t n, size_t *used)
{
	size_t i = 0, k;

	for (; *want; want++) {
		if (*want == '%') {
			for (k = 0; i < n && (isalnum((unsigned char)got[i]) ||
			    got[i] == '+' || got[i] == '/' || got[i] == '='); i++)
				k++;
			if (i == n)
				return WM_PARTIAL;
			if (k == 0)
				return WM_MISMATCH;
			continue;
		}
		if (*want == '#') {
			for (k = 0; i < n && ((got[i] >= '0' && got[i] <= '9') ||
			    (got[i] >= 'A' && got[i] <= 'F')); i++)
				k++;
			if (i == n)
				return WM_PARTIAL;
			if (k == 0)
				return WM_MISMATCH;
			continue;
		}
		if (i == n)
			return WM_PARTIAL;
		if (got[i++] != *want)
			return WM_MISMATCH;
	}
	*used = i;
	return WM_MATCH;
}

/* Wait for exactly want (and nothing after it); consumes it. */
static int
tc_expect(struct tc *t, const char *want)
{
	int64_t deadline = util_now_ms() + WAIT_MS;
	enum wm m;
	size_t used = 0;
	int i;

	tc_read(t);
	while ((m = wmatch(want, t->got.data ? t->got.data : "", t->got.len,
	    &used)) == WM_PARTIAL && !t->eof && util_now_ms() < deadline)
		tc_pump(t, 10);
	/* Anything more that is already on its way is extra. */
	for (i = 0; i < (*want ? 3 : 5); i++)
		tc_pump(t, *want ? 0 : 10);
	if (m == WM_MATCH && t->got.len == used) {
		buf_reset(&t->got);
		return 1;
	}
	fprintf(stderr, "\n  %s: reply mismatch\n", t->what);
	show("expected", want, strlen(want));
	show("received", t->got.data ? t->got.data : "", t->got.len);
	buf_reset(&t->got);
	return 0;
}

/* The server closes the connection, with no more bytes. */
static int
tc_expect_close(struct tc *t)
{
	int64_t deadline = util_now_ms() + WAIT_MS;

	while (!t->eof && util_now_ms() < deadline)
		tc_pump(t, 10);
	if (t->eof && t->got.len == 0 && srv_active_sessions(t->srv) == 0)
		return 1;
	fprintf(stderr, "\n  %s: expected the close (eof %d, sessions %zu)\n",
	    t->what, t->eof, srv_active_sessions(t->srv));
	show("received", t->got.data ? t->got.data : "", t->got.len);
	return 0;
}

/* The session is still open: a NOOP gets its answer. */
static int
tc_expect_open(struct tc *t, const char *noop_reply)
{
	tc_send(t, "NOOP\r\n", 6);
	return tc_expect(t, noop_reply) && srv_active_sessions(t->srv) == 1;
}

/*
 * Table-driven conversations.
 */

struct step {
	const char *send;
	size_t len;
	const char *expect;
};

#define ST(s, e)	{ s, sizeof(s) - 1, e }

#define F_NOPIPE	1	/* depends on how the input is cut */
#define F_NOBYTES	2

struct conv {
	const char *name;
	const char *faults;
	const char *greet;	/* NULL: the normal greeting */
	int closes;		/* the server closes after the last step */
	int open;		/* the session must stay open after the steps */
	int flags;
	struct step steps[12];
};

static const struct conv clean_convs[] = {
	/* HELO / EHLO (RFC 5321 4.1.1.1) */
	{ "ehlo", NULL, NULL, 0, 1, 0, { ST(EHLO, EHLO_OK) } },
	{ "ehlo lower case", NULL, NULL, 0, 1, 0, {
	    ST("ehlo client.example\r\n", EHLO_OK) } },
	{ "ehlo literal", NULL, NULL, 0, 1, 0, {
	    ST("EHLO [192.0.2.1]\r\n", "250-mx.harness.test greets [192.0.2.1]\r\n"
		EXT "250 ENHANCEDSTATUSCODES\r\n") } },
	{ "ehlo trailing space", NULL, NULL, 0, 1, 0, {
	    ST("EHLO client.example \r\n", EHLO_OK) } },
	{ "ehlo no arg", NULL, NULL, 0, 1, 0, {
	    ST("EHLO\r\n", "501 5.5.4 Syntax: EHLO hostname\r\n"),
	    ST("EHLO \r\n", "501 5.5.4 Syntax: EHLO hostname\r\n"),
	    ST(MAIL, "503 5.5.1 Error: send HELO/EHLO first\r\n") } },
	{ "ehlo bad arg", NULL, NULL, 0, 1, 0, {
	    ST("EHLO -client-\r\n", "501 5.5.4 Syntax: EHLO hostname\r\n"),
	    ST("EHLO a b\r\n", "501 5.5.4 Syntax: EHLO hostname\r\n"),
	    ST("EHLO [1.2.3]\r\n", "501 5.5.4 Syntax: EHLO hostname\r\n") } },
	{ "ehlo bad arg keeps state", NULL, NULL, 0, 1, 0, {
	    ST(EHLO, EHLO_OK), ST(MAIL, MAIL_OK),
	    ST("EHLO bad..name\r\n", "501 5.5.4 Syntax: EHLO hostname\r\n"),
	    ST(RCPT, RCPT_OK) } },
	{ "helo", NULL, NULL, 0, 1, 0, {
	    ST("HELO client.example\r\n", "250 mx.harness.test\r\n"),
	    ST(MAIL, MAIL_OK) } },
	{ "helo no arg", NULL, NULL, 0, 1, 0, {
	    ST("HELO\r\n", "501 5.5.4 Syntax: HELO hostname\r\n"),
	    ST("HeLo x_y\r\n", "501 5.5.4 Syntax: HELO hostname\r\n") } },
	/* RFC 5321 4.1.4: EHLO in a transaction resets it. */
	{ "ehlo resets transaction", NULL, NULL, 0, 1, 0, {
	    ST(OPEN, OPEN_OK), ST(EHLO, EHLO_OK), ST("DATA\r\n", NEEDMAIL),
	    ST(MAIL, MAIL_OK) } },
	{ "helo resets transaction", NULL, NULL, 0, 1, 0, {
	    ST(OPEN, OPEN_OK), ST("HELO c.example\r\n", "250 mx.harness.test\r\n"),
	    ST(RCPT, NEEDMAIL) } },

	/* MAIL (RFC 5321 4.1.1.2, RFC 1870, RFC 6152) */
	{ "mail before helo", NULL, NULL, 0, 1, 0, {
	    ST(MAIL, "503 5.5.1 Error: send HELO/EHLO first\r\n") } },
	{ "mail", NULL, NULL, 0, 1, 0, { ST(EHLO MAIL, EHLO_OK MAIL_OK) } },
	{ "mail null sender", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<>\r\n", EHLO_OK MAIL_OK) } },
	{ "mail case", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "mail from:<a@b.example>\r\n", EHLO_OK MAIL_OK) } },
	{ "mail source route", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<@r.example:a@b.example>\r\n", EHLO_OK MAIL_OK) } },
	{ "mail nested", NULL, NULL, 0, 1, 0, {
	    ST(EHLO MAIL, EHLO_OK MAIL_OK),
	    ST(MAIL, "503 5.5.1 Error: nested MAIL command\r\n"),
	    ST(RCPT, RCPT_OK) } },
	{ "mail syntax", NULL, NULL, 0, 1, 0, {
	    ST(EHLO, EHLO_OK),
	    ST("MAIL\r\n", E501M),
	    ST("MAIL FROM: <a@b.example>\r\n", E501M),
	    ST("MAIL FROM :<a@b.example>\r\n", E501M),
	    ST("MAIL TO:<a@b.example>\r\n", E501M),
	    ST("MAIL FROM:a@b.example\r\n", E501M),
	    ST("MAIL FROM:<a@b.example> SIZE=\r\n", E501M),
	    ST(MAIL, MAIL_OK) } },
	{ "mail bad address", NULL, NULL, 0, 1, 0, {
	    ST(EHLO, EHLO_OK),
	    ST("MAIL FROM:<no-at-sign>\r\n", E501A),
	    ST("MAIL FROM:<a@-b.example>\r\n", E501A),
	    ST("MAIL FROM:<a b@c.example>\r\n", E501A),
	    ST("MAIL FROM:<a@b.example\r\n", E501A),
	    ST(MAIL, MAIL_OK) } },
	{ "mail size", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<a@b.example> SIZE=10485760\r\n", EHLO_OK MAIL_OK),
	    ST("RSET\r\nMAIL FROM:<a@b.example> size=0\r\n", OK MAIL_OK),
	    ST("RSET\r\nMAIL FROM:<a@b.example> SIZE=10485761\r\n", OK TOOBIG),
	    ST("MAIL FROM:<a@b.example> SIZE=99999999999999999999\r\n", TOOBIG),
	    ST("MAIL FROM:<a@b.example> SIZE=000000000000000000001\r\n",
		"501 5.5.4 Bad SIZE parameter\r\n"),
	    ST("MAIL FROM:<a@b.example> SIZE=12k\r\n",
		"501 5.5.4 Bad SIZE parameter\r\n"),
	    ST("MAIL FROM:<a@b.example> SIZE\r\n",
		"501 5.5.4 Bad SIZE parameter\r\n"),
	    ST("MAIL FROM:<a@b.example> SIZE=1 SIZE=2\r\n",
		"501 5.5.4 Duplicate SIZE parameter\r\n"),
	    ST("RCPT TO:<user@example.com>\r\n", NEEDMAIL) } },
	{ "mail body", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<a@b.example> BODY=8BITMIME\r\n", EHLO_OK MAIL_OK),
	    ST("RSET\r\nMAIL FROM:<a@b.example> body=7bit SIZE=10\r\n",
		OK MAIL_OK),
	    ST("RSET\r\nMAIL FROM:<a@b.example> BODY=BINARYMIME\r\n",
		OK MAIL_OK),
	    ST("RSET\r\nMAIL FROM:<a@b.example> BODY=8BIT\r\n",
		OK "501 5.5.4 Bad BODY parameter\r\n"),
	    ST("MAIL FROM:<a@b.example> BODY\r\n",
		"501 5.5.4 Bad BODY parameter\r\n"),
	    ST("MAIL FROM:<a@b.example> BODY=7BIT body=8BITMIME\r\n",
		"501 5.5.4 Duplicate body parameter\r\n") } },
	{ "mail unknown param", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<a@b.example> XFOO=1\r\n",
		EHLO_OK "555 5.5.4 Unsupported option: XFOO\r\n"),
	    ST("MAIL FROM:<a@b.example> NOTIFY=NEVER\r\n",
		"555 5.5.4 Unsupported option: NOTIFY\r\n"),
	    ST(MAIL, MAIL_OK) } },

	/* RCPT (RFC 5321 4.1.1.3) */
	{ "rcpt without mail", NULL, NULL, 0, 1, 0, {
	    ST(RCPT, NEEDMAIL), ST(EHLO RCPT, EHLO_OK NEEDMAIL) } },
	{ "rcpt local", NULL, NULL, 0, 1, 0, {
	    ST(EHLO MAIL, EHLO_OK MAIL_OK),
	    ST(RCPT, RCPT_OK),
	    ST("RCPT TO:<Some.One@EXAMPLE.com>\r\n", RCPT_OK),
	    ST("rcpt to:<x@example.com>\r\n", RCPT_OK),
	    ST("RCPT TO:<\"odd user\"@example.com>\r\n", RCPT_OK),
	    ST("RCPT TO:<@hop.example:x@example.com>\r\n", RCPT_OK),
	    ST("RCPT TO:<x@[127.0.0.1]>\r\n", RCPT_OK),
	    ST("RCPT TO:<x@[IPv6:::1]>\r\n", RCPT_OK),
	    ST("RCPT TO:<x@[ipv6:0:0:0:0:0:0:0:1]>\r\n", RCPT_OK) } },
	{ "rcpt postmaster", NULL, NULL, 0, 1, 0, {
	    ST(EHLO MAIL, EHLO_OK MAIL_OK),
	    ST("RCPT TO:<Postmaster>\r\n", RCPT_OK),
	    ST("RCPT TO:<postmaster>\r\n", RCPT_OK),
	    ST("RCPT TO:<POSTMASTER@example.com>\r\n", RCPT_OK),
	    ST("RCPT TO:<postmaster@relay.invalid>\r\n", RELAY) } },
	{ "rcpt relay", NULL, NULL, 0, 1, 0, {
	    ST(EHLO MAIL, EHLO_OK MAIL_OK),
	    ST("RCPT TO:<nobody@relay.invalid>\r\n", RELAY),
	    ST("RCPT TO:<x@example.com.evil>\r\n", RELAY),
	    ST("RCPT TO:<x@sub.example.com>\r\n", RELAY),
	    ST("RCPT TO:<x@[192.0.2.1]>\r\n", RELAY),
	    ST("RCPT TO:<x@[127.0.0.2]>\r\n", RELAY),
	    ST("RCPT TO:<x@[IPv6:::2]>\r\n", RELAY),
	    ST("RCPT TO:<x@[tag:whatever]>\r\n", RELAY),
	    ST("DATA\r\n", NEEDRCPT) } },
	{ "rcpt syntax", NULL, NULL, 0, 1, 0, {
	    ST(EHLO MAIL, EHLO_OK MAIL_OK),
	    ST("RCPT TO:<>\r\n", E501R),
	    ST("RCPT TO:user@example.com\r\n", E501R),
	    ST("RCPT TO: <user@example.com>\r\n", E501R),
	    ST("RCPT\r\n", E501R),
	    ST("RCPT FROM:<user@example.com>\r\n", E501R),
	    ST("RCPT TO:<user@example..com>\r\n", E501R),
	    ST("RCPT TO:<user@example.com> RET=HDRS\r\n",
		"555 5.5.4 Unsupported option: RET\r\n"),
	    ST(RCPT, RCPT_OK) } },

	/* DATA (RFC 5321 4.1.1.4) */
	{ "data", NULL, NULL, 0, 1, 0, {
	    ST(OPEN, OPEN_OK), ST("DATA\r\n", GO),
	    ST("Subject: hi\r\n\r\nhello\r\n.\r\n", QUEUED),
	    ST(RCPT, NEEDMAIL), ST("DATA\r\n", NEEDMAIL),
	    ST(MAIL RCPT "DATA\r\n.\r\n", MAIL_OK RCPT_OK GO QUEUED) } },
	{ "data errors", NULL, NULL, 0, 1, 0, {
	    ST("DATA\r\n", NEEDMAIL),
	    ST(EHLO "DATA\r\n", EHLO_OK NEEDMAIL),
	    ST(MAIL "DATA\r\n", MAIL_OK NEEDRCPT),
	    ST(RCPT "DATA now\r\n", RCPT_OK "501 5.5.4 Syntax: DATA\r\n"),
	    /* RFC 5321 4.1.1: trailing white space is tolerated. */
	    ST("DATA \r\n.\r\n", GO QUEUED) } },
	{ "data dot stuffing", NULL, NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n", OPEN_OK GO),
	    ST("..\r\n...\r\n..leading\r\n.x\r\n. \r\n.\r\n", QUEUED) } },
	{ "data bare LF does not end it", NULL, NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n", OPEN_OK GO),
	    ST("hello\n.\nQUIT\r\n", ""),
	    ST("\r\n.\nNOOP\r\n", ""),
	    ST("\n.\r\nNOOP\r\n", ""),
	    ST(".\r\n", BARE), ST("NOOP\r\n", OK) } },
	{ "data bare CR", NULL, NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n", OPEN_OK GO),
	    ST("a\rb\r\n.\r\n", BARE),
	    ST(MAIL RCPT "DATA\r\n", MAIL_OK RCPT_OK GO),
	    ST(".\rx\r\n.\r\n", BARE),
	    ST(MAIL RCPT "DATA\r\n", MAIL_OK RCPT_OK GO),
	    ST("x\r\r\n.\r\n", BARE),
	    ST(MAIL RCPT "DATA\r\n", MAIL_OK RCPT_OK GO),
	    ST("x\r\n\r.\r\n.\r\n", BARE) } },
	{ "data 8bit and NUL counted only", NULL, NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n", OPEN_OK GO),
	    ST("caf\xc3\xa9 \x00\x01\r\n.\r\n", QUEUED) } },
	{ "data then pipelined commands", NULL, NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\nbody\r\n.\r\nRSET\r\nNOOP\r\n",
		OPEN_OK GO QUEUED OK OK) } },

	/* RSET, NOOP, QUIT, VRFY, EXPN, HELP (RFC 5321 4.1.1.5-4.1.1.10) */
	{ "rset", NULL, NULL, 0, 1, 0, {
	    ST("RSET\r\n", OK),
	    ST(OPEN "RSET\r\n", OPEN_OK OK),
	    ST(RCPT, NEEDMAIL), ST(MAIL, MAIL_OK),
	    ST("RSET x\r\n", "501 5.5.4 Syntax: RSET\r\n"),
	    ST(RCPT, RCPT_OK),
	    /* RFC 5321 4.1.1: trailing white space is tolerated. */
	    ST("RSET  \r\n", OK), ST(RCPT, NEEDMAIL) } },
	{ "rset before helo", NULL, NULL, 0, 1, 0, {
	    ST("RSET\r\n", OK), ST(MAIL, "503 5.5.1 Error: send HELO/EHLO first\r\n") } },
	{ "noop", NULL, NULL, 0, 1, 0, {
	    ST("NOOP\r\n", OK), ST("NOOP anything at all\r\n", OK),
	    ST("noop\r\n", OK), ST(OPEN "NOOP\r\nDATA\r\n.\r\n", OPEN_OK OK GO QUEUED) } },
	{ "quit", NULL, NULL, 1, 0, 0, {
	    ST("QUIT\r\n", BYE) } },
	{ "quit drops the rest", NULL, NULL, 1, 0, 0, {
	    ST(EHLO "QUIT\r\nNOOP\r\n", EHLO_OK BYE) } },
	{ "quit with arg", NULL, NULL, 1, 0, 0, {
	    ST("QUIT now\r\n", "501 5.5.4 Syntax: QUIT\r\n"),
	    ST("quit\r\n", BYE) } },
	{ "vrfy", NULL, NULL, 0, 1, 0, {
	    ST("VRFY user\r\n",
		"252 2.0.0 Cannot VRFY user; try RCPT to attempt delivery\r\n"),
	    ST("VRFY\r\n", "501 5.5.4 Syntax: VRFY address\r\n") } },
	{ "expn", NULL, NULL, 0, 1, 0, {
	    ST("EXPN staff\r\n", "502 5.5.1 EXPN not available\r\n"),
	    ST("EXPN\r\n", "501 5.5.4 Syntax: EXPN mailing-list\r\n") } },
	{ "help", NULL, NULL, 0, 1, 0, {
	    ST("HELP\r\n", HELP_OK), ST("HELP MAIL\r\n", HELP_OK) } },
	{ "not implemented", NULL, NULL, 0, 1, 0, {
	    ST("TURN\r\nSEND FROM:<a@b.example>\r\nSOML FROM:<a@b.example>\r\n",
		NOTIMPL NOTIMPL NOTIMPL),
	    ST("SAML FROM:<a@b.example>\r\nETRN example.com\r\nATRN\r\n",
		NOTIMPL NOTIMPL NOTIMPL),
	    ST("STARTTLS now\r\n", "501 5.5.4 Syntax: STARTTLS\r\n") } },
	{ "unknown", NULL, NULL, 0, 1, 0, {
	    ST("FOO\r\n", E500), ST("\r\n", E500), ST("123\r\n", E500),
	    ST(" NOOP\r\n", E500), ST("MAIL-FROM:<a@b>\r\n", E500),
	    ST("NOOPX\r\n", E500), ST("EHLO" "\r\n", "501 5.5.4 Syntax: EHLO hostname\r\n") } },

	/* Command lines (RFC 5321 2.3.8, 4.5.3.1.4) */
	{ "bare LF in command", NULL, NULL, 0, 1, 0, {
	    ST("NOOP\nNOOP\r\n", BARECMD), ST("NO\rOP\r\n", BARECMD),
	    ST("NOOP\r\r\n", BARECMD), ST("\n\r\n", BARECMD),
	    ST("NOOP\r\n", OK) } },
	{ "invalid characters", NULL, NULL, 0, 1, 0, {
	    ST("NOOP\x00\r\n", BADCHAR), ST("NOOP \xe9\r\n", BADCHAR),
	    ST("NOOP\tx\r\n", BADCHAR), ST("\x7fNOOP\r\n", BADCHAR),
	    ST("EHLO caf\xc3\xa9.example\r\n", BADCHAR),
	    ST("NOOP\r\n", OK) } },
	{ "errors keep the pipeline", NULL, NULL, 0, 1, 0, {
	    ST(MAIL "FOO\r\n" EHLO MAIL "RCPT TO:<x@relay.invalid>\r\n" RCPT
		"DATA\r\nx\r\n.\r\n",
		"503 5.5.1 Error: send HELO/EHLO first\r\n" E500 EHLO_OK MAIL_OK
		RELAY RCPT_OK GO QUEUED) } },
};

static const struct conv fault_convs[] = {
	{ "close-on-invalid", "close-on-invalid", NULL, 1, 0, 0, {
	    ST("NOOP\r\n", OK), ST("FOO\r\nNOOP\r\n", E500) } },
	{ "accept-unknown", "accept-unknown", NULL, 0, 1, 0, {
	    ST("FOO\r\n", OK), ST("\r\n", OK) } },
	{ "invalid-421", "invalid-421", NULL, 1, 0, 0, {
	    ST("FOO\r\n", "421 4.7.0 mx.harness.test Error: too many errors\r\n") } },
	{ "quit-250", "quit-250", NULL, 1, 0, 0, { ST("QUIT\r\n", OK) } },
	{ "quit-no-close", "quit-no-close", NULL, 0, 1, 0, {
	    ST("QUIT\r\n", BYE) } },
	{ "greeting-421", "greeting-421",
	    "421 4.3.2 mx.harness.test Service not available\r\n", 1, 0, 0, {
	    ST("EHLO x.example\r\n", "") } },
	{ "tired-421", "tired-421", NULL, 1, 0, 0, {
	    ST(OPEN, OPEN_OK), ST("NOOP\r\nNOOP\r\n", SHUT) } },
	{ "421-no-close", "421-no-close", NULL, 0, 1, 0, {
	    ST("NOOP\r\nNOOP\r\nNOOP\r\n", OK OK OK),
	    ST("NOOP\r\n", SHUT), ST("NOOP\r\n", OK) } },
	{ "bare-lf-replies", "bare-lf-replies",
	    "220 mx.harness.test ESMTP smtp-harness reference server\n", 0, 0, 0, {
	    ST("NOOP\r\n", "250 2.0.0 Ok\n"),
	    ST(EHLO, "250-mx.harness.test greets client.example\n"
		EXT_LINES("\n") "250 ENHANCEDSTATUSCODES\n") } },
	{ "mixed-code-multiline", "mixed-code-multiline", NULL, 0, 1, 0, {
	    ST(EHLO, "250-mx.harness.test greets client.example\r\n"
		EXT "251 ENHANCEDSTATUSCODES\r\n") } },
	{ "code-out-of-range", "code-out-of-range", NULL, 0, 1, 0, {
	    ST("FOO\r\n", "599 5.5.2 Error: command not recognized\r\n") } },
	{ "unsolicited-reply", "unsolicited-reply", NULL, 0, 0, 0, {
	    ST("NOOP\r\n", OK OK) } },
	{ "no-ehlo", "no-ehlo", NULL, 0, 1, 0, {
	    ST(EHLO, E500),
	    ST("HELO client.example\r\n", "250 mx.harness.test\r\n") } },
	{ "helo-multiline", "helo-multiline", NULL, 0, 1, 0, {
	    ST("HELO client.example\r\n", EHLO_OK) } },
	{ "ehlo-no-arg-ok", "ehlo-no-arg-ok", NULL, 0, 1, 0, {
	    ST("EHLO\r\n", "250-mx.harness.test\r\n"
		EXT "250 ENHANCEDSTATUSCODES\r\n"),
	    ST("HELO\r\n", "250 mx.harness.test\r\n"),
	    ST("EHLO -bad-\r\n", "501 5.5.4 Syntax: EHLO hostname\r\n") } },
	{ "case-sensitive-verbs", "case-sensitive-verbs", NULL, 0, 1, 0, {
	    ST("noop\r\n", E500), ST("Noop\r\n", E500),
	    ST("ehlo client.example\r\n", E500), ST(EHLO, EHLO_OK) } },
	{ "noop-arg-501", "noop-arg-501", NULL, 0, 1, 0, {
	    ST("NOOP x\r\n", "501 5.5.4 Syntax: NOOP\r\n") } },
	{ "rset-arg-ok", "rset-arg-ok", NULL, 0, 1, 0, {
	    ST(OPEN "RSET x\r\n", OPEN_OK OK), ST(RCPT, NEEDMAIL) } },
	{ "rset-keeps-transaction", "rset-keeps-transaction", NULL, 0, 1, 0, {
	    ST(OPEN "RSET\r\n", OPEN_OK OK),
	    ST("DATA\r\n.\r\n", GO QUEUED) } },
	{ "ehlo-keeps-transaction", "ehlo-keeps-transaction", NULL, 0, 1, 0, {
	    ST(OPEN EHLO, OPEN_OK EHLO_OK),
	    ST(MAIL, "503 5.5.1 Error: nested MAIL command\r\n") } },
	{ "rcpt-without-mail", "rcpt-without-mail", NULL, 0, 1, 0, {
	    ST(EHLO RCPT, EHLO_OK RCPT_OK),
	    ST("RCPT TO:<x@relay.invalid>\r\n", RELAY),
	    ST("DATA\r\n", NEEDMAIL) } },
	{ "data-without-rcpt", "data-without-rcpt", NULL, 0, 1, 0, {
	    ST(EHLO MAIL "DATA\r\n", EHLO_OK MAIL_OK GO),
	    ST("Subject: x\r\n\r\n.\r\n",
		"554 5.5.1 Error: no valid recipients\r\n"),
	    ST(RCPT, NEEDMAIL) } },
	{ "vrfy-unrecognized", "vrfy-unrecognized", NULL, 0, 1, 0, {
	    ST("VRFY user\r\n", E500) } },
	{ "postmaster-rejected", "postmaster-rejected", NULL, 0, 1, 0, {
	    ST(EHLO MAIL "RCPT TO:<Postmaster>\r\n",
		EHLO_OK MAIL_OK "550 5.1.1 User unknown\r\n"),
	    ST(RCPT, RCPT_OK) } },
	{ "null-sender-rejected", "null-sender-rejected", NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<>\r\n", EHLO_OK E501A), ST(MAIL, MAIL_OK) } },
	{ "lf-dot-lf", "lf-dot-lf", NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n", OPEN_OK GO),
	    ST("hello\n.\nNOOP\r\n", QUEUED OK),
	    ST(MAIL RCPT "DATA\r\n", MAIL_OK RCPT_OK GO),
	    ST("hello\r\n.\nNOOP\r\n", QUEUED OK),
	    ST(MAIL RCPT "DATA\r\n", MAIL_OK RCPT_OK GO),
	    ST("hello\n.\r\nNOOP\r\n", QUEUED OK) } },
	{ "bare-lf-commands", "bare-lf-commands", NULL, 0, 1, 0, {
	    ST("NOOP\nNOOP\r\n", OK OK), ST(EHLO "MAIL FROM:<>\n",
		EHLO_OK MAIL_OK) } },
	{ "no-enhanced-codes", "no-enhanced-codes", NULL, 0, 0, 0, {
	    ST("NOOP\r\n", "250 Ok\r\n"), ST(EHLO, EHLO_OK),
	    ST("FOO\r\n", "500 Error: command not recognized\r\n") } },
	{ "size-ignored", "size-ignored", NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<a@b.example> SIZE=10485761\r\n",
		EHLO_OK MAIL_OK) } },
	{ "pipelining-drops-input", "pipelining-drops-input", NULL, 0, 1,
	    F_NOPIPE | F_NOBYTES, {
	    ST(MAIL "NOOP\r\nNOOP\r\n", "503 5.5.1 Error: send HELO/EHLO first\r\n"),
	    ST("NOOP\r\nNOOP\r\n", OK OK) } },
	{ "data-250-not-354", "data-250-not-354", NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n", OPEN_OK OK), ST("Subject: x\r\n", E500) } },
	{ "nested-mail-ok", "nested-mail-ok", NULL, 0, 1, 0, {
	    ST(OPEN MAIL, OPEN_OK MAIL_OK), ST("DATA\r\n", NEEDMAIL) } },
	{ "mail-before-helo", "mail-before-helo", NULL, 0, 1, 0, {
	    ST(MAIL RCPT "DATA\r\n.\r\n", MAIL_OK RCPT_OK GO QUEUED),
	    ST(MAIL, MAIL_OK),
	    ST(EHLO MAIL, EHLO_OK "503 5.5.1 Error: nested MAIL command\r\n") } },
	{ "ehlo-auth-equals", "ehlo-auth-equals", NULL, 0, 1, 0, {
	    ST(EHLO, "250-mx.harness.test greets client.example\r\n"
		"250-AUTH=LOGIN PLAIN\r\n" EXT "250 ENHANCEDSTATUSCODES\r\n") } },
	{ "greeting-no-domain", "greeting-no-domain", "220 ***** ready\r\n", 0, 1, 0, {
	    ST("NOOP\r\n", OK) } },
	{ "quit-needs-helo", "quit-needs-helo", NULL, 0, 1, 0, {
	    ST("QUIT\r\n", "503 5.5.1 Error: send HELO/EHLO first\r\n") } },
	{ "size-param-rejected", "size-param-rejected", NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<a@b.example> SIZE=100\r\n",
		EHLO_OK "555 5.5.4 Unsupported option: SIZE\r\n") } },
	/* -- core suite faults -- */
	{ "help-bare-lf", "help-bare-lf", NULL, 0, 1, 0, {
	    ST("HELP\r\n", "214-2.0.0 Commands:\n" HELP_OK) } },
	{ "reply-echoes-control", "reply-echoes-control", NULL, 0, 1, 0, {
	    ST("FOO\x1b[0m\r\n", "500 5.5.2 Error: invalid character in "
		"command: FOO\x1b[0m\r\n") } },
	{ "reply-over-512", "reply-over-512", NULL, 0, 1, 0, {
	    ST("EHLO " L100 L100 L100 L100 L100 "x\r\n",
		"250-mx.harness.test greets " L100 L100 L100 L100 L100 "x\r\n"
		EXT "250 ENHANCEDSTATUSCODES\r\n") } },
	{ "literals-rejected", "literals-rejected", NULL, 0, 1, 0, {
	    ST("EHLO [192.0.2.1]\r\n", "501 5.5.4 Syntax: EHLO hostname\r\n"),
	    ST(EHLO MAIL "RCPT TO:<postmaster@[127.0.0.1]>\r\n",
		EHLO_OK MAIL_OK E501R) } },
	{ "ehlo-any-name", "ehlo-any-name", NULL, 0, 1, 0, {
	    ST("EHLO bad_host.example\r\n", "250-mx.harness.test greets "
		"bad_host.example\r\n" EXT "250 ENHANCEDSTATUSCODES\r\n"),
	    ST("HELO\r\n", "501 5.5.4 Syntax: HELO hostname\r\n") } },
	{ "error-resets-transaction", "error-resets-transaction", NULL, 0, 1, 0, {
	    ST(OPEN MAIL, OPEN_OK "503 5.5.1 Error: nested MAIL command\r\n"),
	    ST(RCPT, NEEDMAIL) } },
	{ "source-route-rejected", "source-route-rejected", NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<@a.example:s@client.example>\r\n", EHLO_OK E501A),
	    ST(MAIL "RCPT TO:<@a.example,@b.example:user@example.com>\r\n",
		MAIL_OK E501R) } },
	{ "quoted-local-rejected", "quoted-local-rejected", NULL, 0, 1, 0, {
	    ST(EHLO MAIL "RCPT TO:<\"john doe\"@example.com>\r\n",
		EHLO_OK MAIL_OK E501R) } },
	{ "lax-octets", "lax-octets", NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<j\xf6rg@client.example>\r\n", EHLO_OK MAIL_OK),
	    ST("RCPT TO:<a\x01" "b@example.com>\r\n", RCPT_OK) } },
	{ "trailing-space-rejected", "trailing-space-rejected", NULL, 0, 1, 0, {
	    ST("RSET \r\n", "501 5.5.4 Syntax error: trailing white space\r\n"),
	    ST("RSET\r\n", OK) } },
	{ "close-on-syntax-error", "close-on-syntax-error", NULL, 1, 0, 0, {
	    ST("NOOP\r\n", OK),
	    ST("EHLO\r\nNOOP\r\n", "501 5.5.4 Syntax: EHLO hostname\r\n") } },
	{ "case-sensitive-keywords", "case-sensitive-keywords", NULL, 0, 1, 0, {
	    ST(EHLO "MAIL from:<a@b.example>\r\n", EHLO_OK E501M),
	    ST(MAIL "RCPT To:<user@example.com>\r\n",
		MAIL_OK "501 5.5.4 Syntax: RCPT TO:<address>\r\n") } },
	{ "obsolete-verbs-250", "obsolete-verbs-250", NULL, 0, 1, 0, {
	    ST("TURN\r\nSOML FROM:<a@b.example>\r\n", OK OK) } },
	{ "no-arg-check", "no-arg-check", NULL, 1, 0, 0, {
	    ST(OPEN "DATA now\r\n", OPEN_OK GO), ST(".\r\n", QUEUED),
	    ST("QUIT now\r\n", BYE) } },
	{ "bare-cr-commands", "bare-cr-commands", NULL, 0, 1, 0, {
	    ST("NOOP\rNOOP\r\n", OK OK) } },
	{ "transaction-persists", "transaction-persists", NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n.\r\n", OPEN_OK GO QUEUED),
	    ST(RCPT "DATA\r\n", RCPT_OK GO), ST(".\r\n", QUEUED) } },
	{ "open-relay", "open-relay", NULL, 0, 1, 0, {
	    ST(EHLO MAIL "RCPT TO:<x@relay.invalid>\r\n",
		EHLO_OK MAIL_OK RCPT_OK) } },
	{ "postmaster-case-sensitive", "postmaster-case-sensitive", NULL, 0, 1, 0, {
	    ST(EHLO MAIL "RCPT TO:<Postmaster>\r\nRCPT TO:<POSTMASTER>\r\n",
		EHLO_OK MAIL_OK RCPT_OK "550 5.1.1 User unknown\r\n") } },
	{ "postmaster-unknown", "postmaster-unknown", NULL, 0, 1, 0, {
	    ST(EHLO MAIL "RCPT TO:<postmaster@example.com>\r\n",
		EHLO_OK MAIL_OK "550 5.1.1 User unknown\r\n"),
	    ST("RCPT TO:<Postmaster>\r\n", RCPT_OK) } },
	{ "vrfy-expn-fake-250", "vrfy-expn-fake-250", NULL, 0, 1, 0, {
	    ST("VRFY nobody\r\nEXPN list\r\n",
		"250 2.1.5 nobody\r\n250 2.1.5 list\r\n") } },
	{ "address-length-limits", "address-length-limits", NULL, 0, 1, 0, {
	    ST(EHLO MAIL "RCPT TO:<" L100 "x@example.com>\r\n",
		EHLO_OK MAIL_OK E501R) } },
	{ "dotdot-ends-data", "dotdot-ends-data", NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n", OPEN_OK GO), ST("..\r\nNOOP\r\n", QUEUED OK) } },
	{ "any-newline-data", "any-newline-data", NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n", OPEN_OK GO),
	    ST("hello\r.\rNOOP\r\n", QUEUED OK),
	    ST(MAIL RCPT "DATA\r\n", MAIL_OK RCPT_OK GO),
	    ST("hello\r.\nNOOP\r\n", QUEUED OK) } },
	{ "nul-stripped", "nul-stripped", NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n", OPEN_OK GO),
	    ST("hello\r\n\0.\r\nNOOP\r\n", QUEUED OK) } },
	{ "eod-split-lost", "eod-split-lost", NULL, 0, 1,
	    F_NOPIPE | F_NOBYTES, {
	    ST(OPEN "DATA\r\n", OPEN_OK GO), ST("x\r\n.", ""),
	    ST("\r\n.\r\n", QUEUED) } },
	{ "resent-checked", "resent-checked", NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n", OPEN_OK GO),
	    ST("Resent-To: <a@b.example>\r\n\r\nx\r\n.\r\n",
		"554 5.6.0 Resent-To: without Resent-From:\r\n"),
	    ST(MAIL RCPT "DATA\r\n", MAIL_OK RCPT_OK GO),
	    ST("Resent-To: <a@b.example>\r\nresent-from: <c@d.example>\r\n"
		"\r\n.\r\n", QUEUED) } },
	{ "bare-codes", "bare-codes", NULL, 0, 0, 0, {
	    ST("NOOP\r\nRSET\r\nFOO\r\n", "250\r\n250\r\n" E500) } },
	{ "bare-newline-rejected", "bare-newline-rejected", NULL, 1, 0, 0, {
	    ST("NOOP\r\nNOOP\nNOOP\r\nNOOP\r\n", OK "550 5.5.2 Error: bare <CR> or <LF> received\r\n") } },
	/* -- end of core suite faults -- */

	/* -- extension faults -- */
	{ "ehlo-extension-params", "ehlo-extension-params", NULL, 0, 1, 0, {
	    ST(EHLO, EHLO_HEAD "250-PIPELINING\r\n250-SIZE 10485760\r\n"
		"250-8BITMIME 8bit\r\n250-BINARYMIME\r\n250-CHUNKING\r\n"
		"250-AUTH PLAIN LOGIN CRAM-MD5\r\n250-DSN RET\r\n"
		"250-SMTPUTF8 on\r\n" ES_LAST) } },
	{ "no-8bitmime", "no-8bitmime", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("BODY=8BITMIME"), EHLO_HEAD "250-PIPELINING\r\n"
		"250-SIZE 10485760\r\n250-BINARYMIME\r\n250-CHUNKING\r\n"
		"250-AUTH PLAIN LOGIN CRAM-MD5\r\n250-DSN\r\n250-SMTPUTF8\r\n"
		ES_LAST MAIL_OK) } },
	{ "size-keyword-unit", "size-keyword-unit", NULL, 0, 1, 0, {
	    ST(EHLO, EHLO_HEAD "250-PIPELINING\r\n250-SIZE 10MB\r\n"
		"250-8BITMIME\r\n250-BINARYMIME\r\n250-CHUNKING\r\n"
		"250-AUTH PLAIN LOGIN CRAM-MD5\r\n250-DSN\r\n250-SMTPUTF8\r\n"
		ES_LAST) } },
	{ "size-ends-data", "size-ends-data", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("SIZE=5") RCPT "DATA\r\n", EHLO_OK MAIL_OK RCPT_OK GO),
	    ST("Hello world\r\n.\r\n", QUEUED E500 E500) } },
	{ "size-must-match", "size-must-match", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("SIZE=100") RCPT "DATA\r\n", EHLO_OK MAIL_OK RCPT_OK GO),
	    ST("hi\r\n.\r\n", "552 5.3.4 Message size differs from SIZE\r\n") } },
	{ "size-lenient-parse", "size-lenient-parse", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("SIZE=abc"), EHLO_OK MAIL_OK),
	    ST("RSET\r\n" MAILB("SIZE=1 SIZE=2"), OK MAIL_OK) } },
	{ "pipelining-holds-replies", "pipelining-holds-replies", NULL, 0, 1, 0, {
	    ST(EHLO, EHLO_OK), ST(MAIL, ""), ST(RCPT, ""),
	    ST("NOOP\r\n", MAIL_OK RCPT_OK OK) } },
	{ "data-end-drops-input", "data-end-drops-input", NULL, 0, 1,
	    F_NOPIPE | F_NOBYTES, {
	    ST(OPEN "DATA\r\n", OPEN_OK GO),
	    ST("x\r\n.\r\nNOOP\r\n", QUEUED), ST("NOOP\r\n", OK) } },
	{ "body-param-rejected", "body-param-rejected", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("BODY=8BITMIME"), EHLO_OK UNSUP("BODY")) } },
	{ "body-unchecked", "body-unchecked", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("BODY=FOO"), EHLO_OK MAIL_OK),
	    ST("RSET\r\n" MAILB("BODY=7BIT BODY=7BIT"), OK MAIL_OK) } },
	{ "8bit-data-rejected", "8bit-data-rejected", NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n", OPEN_OK GO),
	    ST("caf\xc3\xa9\r\n.\r\n", "554 5.6.0 8-bit data not accepted\r\n") } },
	{ "unknown-param-ignored", "unknown-param-ignored", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("XFOO=1") RCPTU("XBAR"), EHLO_OK MAIL_OK RCPT_OK) } },
	{ "enhanced-class-mismatch", "enhanced-class-mismatch", NULL, 0, 1, 0, {
	    ST(EHLO MAIL "RCPT TO:<x@relay.invalid>\r\n",
		EHLO_OK MAIL_OK "550 4.7.1 Relay access denied\r\n") } },
	{ "enhanced-first-line-only", "enhanced-first-line-only", NULL, 0, 1, 0, {
	    ST("HELP\r\n", "214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT "
		"RSET\r\n214-NOOP QUIT VRFY EXPN HELP AUTH\r\n"
		"214 End of HELP info\r\n") } },
	{ "enhanced-ehlo-only", "enhanced-ehlo-only", NULL, 0, 1, 0, {
	    ST("HELO c.example\r\n" MAIL, HELO_OK "250 Ok\r\n"),
	    ST("RSET\r\n" EHLO "NOOP\r\n", "250 Ok\r\n" EHLO_OK OK) } },
	{ "enhanced-code-padded", "enhanced-code-padded", NULL, 0, 0, 0, {
	    ST("NOOP\r\n", "250 2.0.00 Ok\r\n"),
	    ST("FOO\r\n", "500 5.5.02 Error: command not recognized\r\n") } },
	{ "bdat-line-mode", "bdat-line-mode", NULL, 0, 1, 0, {
	    ST(OPEN "BDAT 3\r\nabcdef\r\nNOOP\r\n", OPEN_OK BOK(3) OK) } },
	{ "bdat-after-last-ok", "bdat-after-last-ok", NULL, 0, 1, 0, {
	    ST(OPEN "BDAT 1 LAST\r\nx", OPEN_OK QUEUED),
	    ST("BDAT 3\r\nabc", BOK(3)) } },
	{ "bdat-data-mix-ok", "bdat-data-mix-ok", NULL, 0, 1, 0, {
	    ST(OPEN "BDAT 3\r\nabc", OPEN_OK BOK(3)),
	    ST("DATA\r\n.\r\n", GO QUEUED) } },
	{ "bdat-rset-keeps-chunks", "bdat-rset-keeps-chunks", NULL, 0, 1, 0, {
	    ST(OPEN "BDAT 3\r\nabcRSET\r\n", OPEN_OK BOK(3) OK),
	    ST(MAIL RCPT "DATA\r\n", MAIL_OK RCPT_OK AFTERB) } },
	{ "bdat-error-no-discard", "bdat-error-no-discard", NULL, 0, 1, 0, {
	    ST("BDAT 4\r\nNOOP\r\n", NEEDMAIL OK) } },
	{ "bdat-lenient-syntax", "bdat-lenient-syntax", NULL, 0, 1, 0, {
	    ST(OPEN "BDAT 5 FIRST\r\nHello", OPEN_OK BOK(5)) } },
	{ "binarymime-data-ok", "binarymime-data-ok", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("BODY=BINARYMIME") RCPT "DATA\r\n.\r\n",
		EHLO_OK MAIL_OK RCPT_OK GO QUEUED) } },
	{ "bdat-binary-rejected", "bdat-binary-rejected", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("BODY=BINARYMIME") RCPT "BDAT 3 LAST\r\na\nb",
		EHLO_OK MAIL_OK RCPT_OK
		"554 5.6.0 Message contains NUL, bare CR or bare LF\r\n") } },
	{ "binarymime-without-chunking", "binarymime-without-chunking", NULL, 0,
	    1, 0, {
	    ST(EHLO, EHLO_HEAD "250-PIPELINING\r\n250-SIZE 10485760\r\n"
		"250-8BITMIME\r\n250-BINARYMIME\r\n"
		"250-AUTH PLAIN LOGIN CRAM-MD5\r\n250-DSN\r\n250-SMTPUTF8\r\n"
		ES_LAST) } },
	{ "auth-keyword-empty", "auth-keyword-empty", NULL, 0, 1, 0, {
	    ST(EHLO, EHLO_HEAD "250-PIPELINING\r\n250-SIZE 10485760\r\n"
		"250-8BITMIME\r\n250-BINARYMIME\r\n250-CHUNKING\r\n"
		"250-AUTH\r\n250-DSN\r\n250-SMTPUTF8\r\n" ES_LAST) } },
	{ "auth-unknown-mech-501", "auth-unknown-mech-501", NULL, 0, 1, 0, {
	    ST(EHLO "AUTH FOO\r\n", EHLO_OK
		"501 5.5.4 Unrecognized authentication type\r\n") } },
	{ "auth-in-transaction-ok", "auth-in-transaction-ok", NULL, 0, 1, 0, {
	    ST(EHLO MAIL "AUTH PLAIN " PLAIN_OK "\r\n", EHLO_OK MAIL_OK AUTH_OK) } },
	{ "auth-cancel-535", "auth-cancel-535", NULL, 0, 1, 0, {
	    ST(EHLO "AUTH LOGIN\r\n*\r\n", EHLO_OK ASK_USER AUTH_NO) } },
	{ "auth-base64-lenient", "auth-base64-lenient", NULL, 0, 1, 0, {
	    ST(EHLO "AUTH PLAIN\r\n" PLAIN_OK "!!\r\n", EHLO_OK "334 \r\n" AUTH_OK) } },
	{ "auth-challenge-text", "auth-challenge-text", NULL, 0, 1, 0, {
	    ST(EHLO "AUTH LOGIN\r\n" USER_B64 "\r\n*\r\n",
		EHLO_OK "334 Username:\r\n334 Password:\r\n" ABORTED),
	    ST("AUTH PLAIN\r\n*\r\n", "334 Go ahead\r\n" ABORTED) } },
	{ "auth-cram-ignores-ir", "auth-cram-ignores-ir", NULL, 0, 1, 0, {
	    ST(EHLO "AUTH CRAM-MD5 dGVzdA==\r\n*\r\n",
		EHLO_OK "334 %\r\n" ABORTED) } },
	{ "auth-long-line-close", "auth-long-line-close", NULL, 1, 0, 0, {
	    ST(EHLO "AUTH PLAIN\r\n" X13000 "\r\n", EHLO_OK "334 \r\n") } },
	{ "auth-accept-any", "auth-accept-any", NULL, 0, 1, 0, {
	    ST(EHLO "AUTH PLAIN " PLAIN_NO "\r\n", EHLO_OK AUTH_OK) } },
	{ "auth-success-250", "auth-success-250", NULL, 0, 1, 0, {
	    ST(EHLO "AUTH PLAIN " PLAIN_OK "\r\n",
		EHLO_OK "250 2.7.0 Authentication successful\r\n") } },
	{ "auth-reauth-ok", "auth-reauth-ok", NULL, 0, 1, 0, {
	    ST(EHLO "AUTH PLAIN " PLAIN_OK "\r\nAUTH PLAIN " PLAIN_OK "\r\n",
		EHLO_OK AUTH_OK AUTH_OK) } },
	{ "auth-param-rejected", "auth-param-rejected", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("AUTH=<>"), EHLO_OK UNSUP("AUTH")) } },
	{ "smtputf8-param-rejected", "smtputf8-param-rejected", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("SMTPUTF8"), EHLO_OK UNSUP("SMTPUTF8")) } },
	{ "smtputf8-value-ok", "smtputf8-value-ok", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("SMTPUTF8=yes"), EHLO_OK MAIL_OK) } },
	{ "utf8-without-smtputf8", "utf8-without-smtputf8", NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<pel\xc3\xa9@example.com>\r\n"
		"RCPT TO:<j\xc3\xb6rg@example.com>\r\n", EHLO_OK MAIL_OK RCPT_OK) } },
	{ "dsn-params-rejected", "dsn-params-rejected", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("RET=HDRS"), EHLO_OK UNSUP("RET")),
	    ST(MAIL RCPTU("NOTIFY=NEVER"), MAIL_OK UNSUP("NOTIFY")) } },
	{ "dsn-unchecked", "dsn-unchecked", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("RET=FOO RET=BAR") RCPTU("NOTIFY=NEVER,SUCCESS NOTIFY=X"),
		EHLO_OK MAIL_OK RCPT_OK) } },
	{ "dsn-case-sensitive", "dsn-case-sensitive", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("ret=hdrs"), EHLO_OK BAD("RET")),
	    ST(MAILB("RET=HDRS") RCPTU("NOTIFY=never"), MAIL_OK BAD("NOTIFY")) } },
	{ "dsn-short-buffers", "dsn-short-buffers", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("ENVID=" X10 X10 X10 X10), EHLO_OK BAD("ENVID")) } },
	/* -- end of extension faults -- */

	/* -- issue 12 faults -- */
	{ "noop-resets-transaction", "noop-resets-transaction", NULL, 0, 1, 0, {
	    ST(EHLO MAIL "NOOP\r\n", EHLO_OK MAIL_OK OK), ST(RCPT, NEEDMAIL) } },
	{ "rset-needs-helo", "rset-needs-helo", NULL, 0, 1, 0, {
	    ST("RSET\r\n", "503 5.5.1 Error: send HELO/EHLO first\r\n"),
	    ST(EHLO "RSET\r\n", EHLO_OK OK) } },
	{ "vrfy-no-arg-250", "vrfy-no-arg-250", NULL, 0, 1, 0, {
	    ST("VRFY\r\n", "250 2.1.5 Ok\r\n") } },
	{ "data-empty-accepted", "data-empty-accepted", NULL, 0, 1, 0, {
	    ST(EHLO "DATA\r\n", EHLO_OK GO), ST(".\r\n", QUEUED),
	    ST(MAIL "DATA\r\n", MAIL_OK GO), ST(".\r\n", QUEUED) } },
	{ "second-helo-503", "second-helo-503", NULL, 0, 1, 0, {
	    ST(EHLO, EHLO_OK),
	    ST(EHLO, "503 5.5.1 Error: duplicate HELO/EHLO\r\n"),
	    ST("HELO client.example\r\n", "503 5.5.1 Error: duplicate HELO/EHLO\r\n") } },
	{ "greeting-250", "greeting-250", "250 mx.harness.test ESMTP ready\r\n",
	    0, 1, 0, { ST(EHLO, EHLO_OK) } },
	{ "greeting-extra-reply", "greeting-extra-reply",
	    GREET "220 mx.harness.test still ready\r\n", 0, 1, 0, {
	    ST(EHLO, EHLO_OK) } },
	{ "data-answers-commands", "data-answers-commands", NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n", OPEN_OK GO),
	    ST("x\r\nRSET\r\nQUIT\r\nQUITE\r\n.\r\n", OK OK QUEUED) } },
	{ "ehlo-literal-503", "ehlo-literal-503", NULL, 0, 1, 0, {
	    ST("EHLO [127.0.0.1]\r\n", "503 5.5.1 Error: address literal\r\n"),
	    ST(EHLO, EHLO_OK) } },
	{ "mail-path-500", "mail-path-500", NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:sender@client.example\r\n", EHLO_OK E500),
	    ST("MAIL FROM: <sender@client.example>\r\n", E500),
	    ST(MAIL, MAIL_OK) } },
	{ "refused-mail-opens-transaction", "refused-mail-opens-transaction",
	    NULL, 0, 1, 0, {
	    ST(EHLO MAILB("XFOO=1"), EHLO_OK UNSUP("XFOO")),
	    ST(MAIL, "503 5.5.1 Error: nested MAIL command\r\n") } },
	{ "auth-drops-pipeline", "auth-drops-pipeline", NULL, 0, 1, F_NOBYTES, {
	    ST(EHLO, EHLO_OK),
	    ST("AUTH PLAIN " PLAIN_OK "\r\n" MAIL RCPT, AUTH_OK) } },
	{ "utf8-local-refused", "utf8-local-refused", NULL, 0, 1, 0, {
	    ST(EHLO MAILB("SMTPUTF8") "RCPT TO:<j\xc3\xb6rg@example.com>\r\n",
		EHLO_OK MAIL_OK "553 5.6.7 Non-ASCII local part not permitted\r\n"),
	    ST(RCPT, RCPT_OK) } },
	{ "helo-no-mail", "helo-no-mail", NULL, 0, 1, 0, {
	    ST("HELO client.example\r\n" MAIL, HELO_OK EHLO1ST),
	    ST(EHLO MAIL, EHLO_OK MAIL_OK) } },
	{ "null-sender-rcpt-503", "null-sender-rcpt-503", NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<>\r\n" RCPT, EHLO_OK MAIL_OK NEEDMAIL) } },
	{ "auth-unknown-mech-334", "auth-unknown-mech-334", NULL, 0, 1, 0, {
	    ST(EHLO "AUTH X-NONE\r\n", EHLO_OK "334 \r\n"),
	    ST("*\r\n", ABORTED) } },
	{ "bdat-no-size-250", "bdat-no-size-250", NULL, 0, 1, 0, {
	    ST(OPEN "BDAT\r\n", OPEN_OK OK), ST("BDAT x\r\n", BDATSYN) } },
	{ "bare-lf-loses-state", "bare-lf-loses-state", NULL, 1, 0, F_NOPIPE, {
	    ST("NOOP\nx\r\n", BARECMD),
	    ST("NOOP\r\n", "503 5.5.1 Error: bad sequence of commands\r\n"),
	    ST("QUIT\r\n", BYE) } },
	{ "chunking-data-502", "chunking-data-502", NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n", OPEN_OK "502 5.5.1 Error: use BDAT\r\n"),
	    ST("HELO client.example\r\n" MAIL RCPT "DATA\r\n.\r\n",
		HELO_OK MAIL_OK RCPT_OK GO QUEUED) } },
	{ "pipelining-holds-rset", "pipelining-holds-rset", NULL, 0, 1, 0, {
	    ST(EHLO "RSET\r\n", EHLO_OK), ST("NOOP\r\n", OK OK) } },
	{ "flood-421-talks-on", "flood-421-talks-on", NULL, 0, 1, 0, {
	    ST("X\r\nX\r\nX\r\nX\r\nX\r\nX\r\nX\r\nX\r\nX\r\nX\r\n", E500 E500 E500 E500 E500 E500 E500 E500 E500 E500),
	    ST("X\r\n", "421 4.7.0 mx.harness.test Error: too many errors\r\n" E500),
	    ST("X\r\n", E500) } },
	{ "auth-538-advertised", "auth-538-advertised", NULL, 0, 1, 0, {
	    ST(EHLO "AUTH PLAIN\r\n", EHLO_OK "538 5.7.11 Encryption required for "
		"requested authentication mechanism\r\n") } },
	{ "auth-required-554", "auth-required-554", NULL, 0, 1, 0, {
	    ST(EHLO MAIL, EHLO_OK MAIL_OK),
	    ST("RSET\r\nEHLO submit.client.example\r\n", OK
		"250-mx.harness.test greets submit.client.example\r\n" EXT
		"250 ENHANCEDSTATUSCODES\r\n"),
	    ST(MAIL, "554 5.7.1 Error: authenticate first\r\n") } },
	{ "message-limit-close", "message-limit-close", NULL, 1, 0, 0, {
	    ST(EHLO MAIL RCPT "DATA\r\n.\r\n" MAIL RCPT "DATA\r\n.\r\n" MAIL RCPT "DATA\r\n.\r\n", EHLO_OK MAIL_OK RCPT_OK GO QUEUED MAIL_OK RCPT_OK GO QUEUED MAIL_OK RCPT_OK GO QUEUED),
	    ST(MAIL RCPT "DATA\r\n.\r\n" MAIL RCPT "DATA\r\n.\r\n", MAIL_OK RCPT_OK GO QUEUED MAIL_OK RCPT_OK GO QUEUED), ST(MAIL, "") } },
	/* -- end of issue 12 faults -- */

	/* -- deep faults (the builtin's form: the close, not abort()) -- */
	{ "deep-crash", "deep-crash", NULL, 1, 0, 0, {
	    ST(EHLO "RSET\r\n", EHLO_OK OK),
	    ST("AUTH PLAIN " PLAIN_OK "\r\n", AUTH_OK),
	    ST(MAIL RCPT "BDAT 3\r\nabc", MAIL_OK RCPT_OK BOK(3)),
	    ST("RSET\r\n", "") } },
	{ "deep-hang", "deep-hang", NULL, 0, 1, 0, {
	    ST("VRFY user\r\n", "252 2.0.0 Cannot VRFY user; try RCPT to attempt delivery\r\n"),
	    ST(EHLO MAIL RCPT "DATA\r\n.\r\n", EHLO_OK MAIL_OK RCPT_OK GO QUEUED),
	    ST("VRFY user\r\n", "252 2.0.0 Cannot VRFY user; try RCPT to attempt delivery\r\n"),
	    ST(MAIL RCPT "RCPT TO:<postmaster@example.com>\r\nDATA\r\n.\r\n",
		MAIL_OK RCPT_OK RCPT_OK GO QUEUED),
	    ST("VRFY user\r\n", "") } },

	/* -- benign modes -- */
	{ "bare-newline-data", "bare-newline-data", NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n", OPEN_OK GO),
	    ST("a\nb\rc\n.\nd\r.\r\n.\r\n", QUEUED) } },
	{ "help-unknown", "help-unknown", NULL, 0, 1, 0, {
	    ST("HELP\r\n", E500) } },
	{ "error-limit-421", "error-limit-421", NULL, 1, 0, 0, {
	    ST("FOO\r\n", E500), ST(EHLO, EHLO_OK), ST("FOO\r\n", E500),
	    ST("BAR\r\n", E500),
	    ST("NOOP\r\n", "421 4.7.0 mx.harness.test Error: too many errors\r\n") } },
	{ "error-limit-close", "error-limit-close", NULL, 1, 0, 0, {
	    ST("FOO\r\n", E500), ST(EHLO MAIL "DATA\r\n", EHLO_OK MAIL_OK NEEDRCPT),
	    ST("BAR\r\n", E500) } },
	{ "long-lines", "long-lines", NULL, 0, 1, F_NOBYTES, {
	    ST("NOOP " X1000 "\r\n", OK),
	    ST("NOOP " X13000 X13000 X13000 "\r\n", OK),
	    ST(EHLO MAIL, EHLO_OK MAIL_OK),
	    ST("RSET\r\nAUTH PLAIN\r\n", OK "334 \r\n"),
	    ST(X13000 X13000 "\r\n",
		"535 5.7.8 Error: authentication failed\r\n"),
	    ST("NOOP\r\n", OK) } },
	{ "nested-mail-restarts", "nested-mail-restarts", NULL, 0, 1, 0, {
	    ST(OPEN MAIL, OPEN_OK MAIL_OK), ST("DATA\r\n", NEEDRCPT) } },
	{ "mail-before-helo-ok", "mail-before-helo-ok", NULL, 0, 1, 0, {
	    ST(MAIL, MAIL_OK), ST(EHLO RCPT, EHLO_OK NEEDMAIL) } },
	{ "accept-all-recipients", "accept-all-recipients", NULL, 0, 1, 0, {
	    ST(EHLO MAIL "RCPT TO:<a@relay.invalid>\r\n",
		EHLO_OK MAIL_OK RCPT_OK) } },
	{ "auth-required", "auth-required", NULL, 0, 1, 0, {
	    ST(EHLO MAIL, EHLO_OK "530 5.7.0 Authentication required\r\n"),
	    ST("AUTH PLAIN " PLAIN_OK "\r\n" MAIL, AUTH_OK MAIL_OK) } },
	{ "ehlo-literal-refused", "ehlo-literal-refused", NULL, 0, 1, 0, {
	    ST("EHLO [127.0.0.1]\r\n",
		"550 5.7.1 Address literals not accepted\r\n"),
	    ST(EHLO, EHLO_OK) } },
	{ "relay-554", "relay-554", NULL, 0, 1, 0, {
	    ST(EHLO MAIL "RCPT TO:<a@relay.invalid>\r\n",
		EHLO_OK MAIL_OK "554 5.7.1 Relay access denied\r\n") } },
	{ "lenient-paths", "lenient-paths", NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:sender@client.example SIZE=10\r\n"
		"RCPT TO: <user@example.com>\r\n", EHLO_OK MAIL_OK RCPT_OK) } },
	{ "unknown-502", "unknown-502", NULL, 0, 1, 0, {
	    ST("FOO\r\n", "502 5.5.2 Error: command not implemented\r\n"),
	    ST("TURN\r\n", E500), ST("\r\n", E500),
	    ST("NOOP\x1b[2J\r\n",
		"502 5.5.2 Error: command not implemented\r\n"),
	    ST("NOOP \x07\r\n", BADCHAR) } },
	{ "second-helo-refused", "second-helo-refused", NULL, 0, 1, 0, {
	    ST(OPEN EHLO, OPEN_OK "550 5.7.1 Error: already greeted\r\n"),
	    ST(RCPT, RCPT_OK) } },
	{ "strict-sender-paths", "strict-sender-paths", NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<a@[127.0.0.1]>\r\n"
		"MAIL FROM:<\"a b\"@client.example>\r\n",
		EHLO_OK "553 5.1.7 Sender address rejected\r\n"
		"553 5.1.7 Sender address rejected\r\n"),
	    ST(MAIL "RCPT TO:<\"a b\"@example.com>\r\n", MAIL_OK RCPT_OK) } },
	{ "syntax-500", "syntax-500", NULL, 0, 1, 0, {
	    ST("EHLO\r\n", "500 5.5.4 Syntax: EHLO hostname\r\n"),
	    ST("EHLO a_b\r\n", "501 5.5.4 Syntax: EHLO hostname\r\n"),
	    ST("VRFY\r\n", "500 5.5.4 Syntax: VRFY address\r\n"),
	    ST(EHLO "MAIL FROM:<a b>\r\n", EHLO_OK E501A),
	    ST(MAIL "RCPT TO:<>\r\n", MAIL_OK
		"500 5.1.3 Bad recipient address syntax\r\n"),
	    ST(RCPT "BDAT x\r\n", RCPT_OK
		"500 5.5.4 Syntax: BDAT chunk-size [LAST]\r\n"),
	    ST("DATA x\r\n", "501 5.5.4 Syntax: DATA\r\n") } },
	{ "data-354-no-rcpt", "data-354-no-rcpt", NULL, 0, 1, 0, {
	    ST(EHLO, "250-mx.harness.test greets client.example\r\n"
		"250-STARTTLS\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n"
		"250-BINARYMIME\r\n250-CHUNKING\r\n"
		"250-AUTH PLAIN LOGIN CRAM-MD5\r\n250-DSN\r\n"
		"250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n"),
	    ST("DATA\r\n", GO),
	    ST(".\r\n", "554 5.5.1 Error: no valid recipients\r\n"),
	    ST("BDAT 3\r\nabc", "554 5.5.1 Error: no valid recipients\r\n"),
	    ST(MAIL RCPT "BDAT 2 LAST\r\nhi", MAIL_OK RCPT_OK QUEUED),
	    ST("BDAT 1\r\nx", "503 5.5.1 Error: need MAIL command\r\n") } },
	{ "source-routes-refused", "source-routes-refused", NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<@a.example:a@client.example>\r\n",
		EHLO_OK "550 5.7.1 Source routes not accepted\r\n"),
	    ST(MAIL "RCPT TO:<@a.example,@b.example:user@example.com>\r\n",
		MAIL_OK "550 5.7.1 Source routes not accepted\r\n"),
	    ST(RCPT, RCPT_OK) } },
	{ "rcpt-failure-defers", "rcpt-failure-defers", NULL, 0, 1, 0, {
	    ST(OPEN "RCPT TO:<a@relay.invalid>\r\n", OPEN_OK RELAY),
	    ST(RCPT, "450 4.7.1 Error: too many refused recipients, try "
		"again later\r\n"),
	    ST("RSET\r\n" MAIL RCPT, OK MAIL_OK RCPT_OK) } },
	{ "auth-temp-failure", "auth-temp-failure", NULL, 0, 1, 0, {
	    ST(EHLO "AUTH PLAIN " PLAIN_OK "\r\n", EHLO_OK
		"454 4.7.0 Temporary authentication failure\r\n"),
	    ST("AUTH PLAIN AAA=BBBB\r\n",
		"501 5.5.2 Cannot decode response\r\n"),
	    ST(MAIL, MAIL_OK) } },
	{ "headers-required", "headers-required", NULL, 0, 1, 0, {
	    ST(OPEN "DATA\r\n", OPEN_OK GO),
	    ST("From: <a@client.example>\r\n\r\nDate: no\r\n.\r\n",
		"554 5.6.0 Message lacks the Date: or From: header field "
		"(RFC 5322 3.6)\r\n"),
	    ST(MAIL RCPT "DATA\r\n", MAIL_OK RCPT_OK GO),
	    ST("date: x\r\nFROM: <a@client.example>\r\n\r\nb\r\n.\r\n",
		QUEUED) } },
	{ "size-unlimited", "size-unlimited", NULL, 0, 1, F_NOBYTES, {
	    ST(EHLO, "250-mx.harness.test greets client.example\r\n"
		"250-STARTTLS\r\n250-PIPELINING\r\n250-SIZE\r\n"
		"250-8BITMIME\r\n250-BINARYMIME\r\n250-CHUNKING\r\n"
		"250-AUTH PLAIN LOGIN CRAM-MD5\r\n250-DSN\r\n"
		"250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n"),
	    ST("MAIL FROM:<a@client.example> SIZE=12k\r\n",
		"501 5.5.4 Bad SIZE parameter\r\n"),
	    ST("MAIL FROM:<a@client.example> SIZE=123456789012345678901\r\n"
		RCPT, MAIL_OK RCPT_OK) } },
	/* -- end of benign modes -- */
	{ "two faults", " quit-250 , no-enhanced-codes,", NULL, 1, 0, 0, {
	    ST("NOOP\r\n", "250 Ok\r\n"), ST("QUIT\r\n", "250 Ok\r\n") } },
};

enum mode { M_STEPS, M_PIPELINED, M_BYTES };
static const char *const mode_name[] = { "steps", "pipelined", "bytes" };

static int
run_conv(const struct conv *c, enum mode m)
{
	struct tc t;
	struct buf in, out;
	const struct step *st;
	char what[160];
	int ok = 1;

	snprintf(what, sizeof(what), "%s [%s]", c->name, mode_name[m]);
	tc_open(&t, c->faults);
	t.what = what;
	if (m == M_PIPELINED) {
		buf_init(&in);
		buf_init(&out);
		buf_puts(&out, c->greet ? c->greet : GREET);
		for (st = c->steps; st->send; st++) {
			buf_append(&in, st->send, st->len);
			buf_puts(&out, st->expect);
		}
		/* Sent before the loop ran: an early talker too. */
		tc_send(&t, in.data, in.len);
		ok = tc_expect(&t, out.data);
		buf_free(&in);
		buf_free(&out);
	} else {
		ok = tc_expect(&t, c->greet ? c->greet : GREET);
		for (st = c->steps; ok && st->send; st++) {
			if (m == M_BYTES)
				tc_send_bytes(&t, st->send, st->len);
			else
				tc_send(&t, st->send, st->len);
			ok = tc_expect(&t, st->expect);
		}
	}
	if (ok && c->closes)
		ok = tc_expect_close(&t);
	if (ok && c->open)
		ok = tc_expect_open(&t, OK);
	tc_close(&t);
	return ok;
}

/* Exactly want (a wmatch() pattern) is what came; consumed. */
static int
mem_expect(struct buf *out, const char *want)
{
	size_t used = 0;

	if (wmatch(want, out->data ? out->data : "", out->len, &used) != WM_MATCH ||
	    used != out->len)
		return 0;
	buf_reset(out);
	return 1;
}

/* The same conversation on the in-memory transport (srv_attach_mem, the
 * one fuzz_server uses): step by step, the same bytes as on a socket.
 * Faults that need descriptors (hostile) or the loop's timers (a delayed
 * greeting) are the socket's only: 1 then. */
static int
run_conv_mem(const struct conv *c)
{
	struct loop *loop = loop_new();
	char err[160];
	struct srv *srv = srv_new(loop, c->faults, err, sizeof(err));
	struct buf out;
	const struct step *st;
	int ok = 1;

	buf_init(&out);
	struct srv_mem *m = srv && !(c->faults && strstr(c->faults, "delayed-greeting")) ?
	    srv_attach_mem(srv, &out, err, sizeof(err)) : NULL;
	if (m) {
		ok = mem_expect(&out, c->greet ? c->greet : GREET);
		for (st = c->steps; ok && st->send; st++) {
			srv_mem_send(m, st->send, st->len);
			ok = mem_expect(&out, st->expect);
		}
		if (ok && c->closes)
			ok = srv_mem_closed(m);
		if (ok && c->open)
			ok = srv_mem_send(m, "NOOP\r\n", 6) == 0 && mem_expect(&out, OK);
		if (!ok)
			fprintf(stderr, "  %s [memory]: got \"%s\"\n", c->name, out.data ? out.data : "");
		srv_mem_free(m);
	}
	buf_free(&out);
	srv_free(srv);
	loop_free(loop);
	return ok;
}

static void
run_table(const struct conv *convs, size_t n)
{
	size_t i;
	int m;

	for (i = 0; i < n; i++) {
		for (m = M_STEPS; m <= M_BYTES; m++) {
			if ((convs[i].flags & F_NOPIPE) && m == M_PIPELINED)
				continue;
			if ((convs[i].flags & F_NOBYTES) && m == M_BYTES)
				continue;
			CU_ASSERT(run_conv(&convs[i], (enum mode)m));
		}
		CU_ASSERT(run_conv_mem(&convs[i]));
	}
}

static void
test_conversations(void)
{
	run_table(clean_convs, NELEM(clean_convs));
}

static void
test_fault_conversations(void)
{
	run_table(fault_convs, NELEM(fault_convs));
}

/*
 * The extensions (RFC 3030, 4954, 3461, 6531, 6152): the clean server.
 */


static const struct conv ext_convs[] = {
	/* CHUNKING (RFC 3030 2): exact octet counts, never parsed. */
	{ "bdat", NULL, NULL, 0, 1, 0, {
	    ST(OPEN "BDAT 5\r\nHello", OPEN_OK BOK(5)),
	    ST("BDAT 0\r\n", BOK(0)),
	    ST("bdat 0 last\r\n", QUEUED), ST(RCPT, NEEDMAIL) } },
	{ "bdat data is not parsed", NULL, NULL, 0, 1, 0, {
	    ST(OPEN "BDAT 13 LAST\r\n.\r\nQUIT\r\nxx\r\n", OPEN_OK QUEUED),
	    ST(MAIL RCPT "BDAT 7\r\nSubjectBDAT 9 LAST\r\n: x\r\n\r\nhi",
		MAIL_OK RCPT_OK BOK(7) QUEUED) } },
	{ "bdat binary", NULL, NULL, 0, 1, 0, {
	    ST(EHLO MAILB("BODY=BINARYMIME") RCPT "BDAT 6 LAST\r\n\0\r\n\n\rx",
		EHLO_OK MAIL_OK RCPT_OK QUEUED) } },
	{ "bdat refused, octets still read", NULL, NULL, 0, 1, 0, {
	    ST("BDAT 4\r\nNOOP", NEEDMAIL),
	    ST(EHLO MAIL "BDAT 3\r\nabc", EHLO_OK MAIL_OK NEEDRCPT),
	    ST("BDAT 2\r\nabBDAT 3 LAST\r\nxyzNOOP\r\n", NEEDRCPT NEEDRCPT OK),
	    ST(RCPT "BDAT 1 LAST\r\nx", RCPT_OK QUEUED),
	    ST("BDAT 3\r\nabc", NEEDMAIL), ST("RSET\r\n", OK) } },
	{ "bdat syntax", NULL, NULL, 0, 1, 0, {
	    ST(OPEN "BDAT\r\n", OPEN_OK BDATSYN),
	    ST("BDAT x\r\n", BDATSYN), ST("BDAT 5 FIRST\r\n", BDATSYN),
	    ST("BDAT -1\r\n", BDATSYN), ST("BDAT 5  LAST\r\n", BDATSYN),
	    ST("BDAT 123456789012345678901\r\n", BDATSYN),
	    ST("BDAT 1 LAST\r\nx", QUEUED) } },
	{ "bdat then data", NULL, NULL, 0, 1, 0, {
	    ST(OPEN "BDAT 3\r\nabc", OPEN_OK BOK(3)),
	    ST("DATA\r\n", AFTERB), ST("RSET\r\n", OK),
	    ST(MAIL RCPT "DATA\r\n.\r\n", MAIL_OK RCPT_OK GO QUEUED) } },
	{ "bdat rset", NULL, NULL, 0, 1, 0, {
	    ST(OPEN "BDAT 3\r\nabcRSET\r\n", OPEN_OK BOK(3) OK),
	    ST("BDAT 1 LAST\r\nx", NEEDMAIL),
	    ST(MAIL RCPT "DATA\r\n.\r\n", MAIL_OK RCPT_OK GO QUEUED) } },
	{ "bdat understated", NULL, NULL, 0, 1, 0, {
	    ST(OPEN "BDAT 3\r\nabcdef\r\nNOOP\r\n", OPEN_OK BOK(3) E500 OK) } },
	{ "binarymime needs bdat", NULL, NULL, 0, 1, 0, {
	    ST(EHLO MAILB("BODY=BINARYMIME") RCPT "DATA\r\n",
		EHLO_OK MAIL_OK RCPT_OK BINDATA),
	    ST("RSET\r\n" MAIL RCPT "DATA\r\n.\r\n",
		OK MAIL_OK RCPT_OK GO QUEUED) } },

	/* AUTH (RFC 4954 4, 5) */
	{ "auth plain", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "AUTH PLAIN " PLAIN_OK "\r\n", EHLO_OK AUTH_OK),
	    ST("AUTH PLAIN " PLAIN_OK "\r\n",
		"503 5.5.1 Error: already authenticated\r\n"),
	    ST(EHLO "AUTH LOGIN\r\n", EHLO_OK
		"503 5.5.1 Error: already authenticated\r\n"),
	    ST(MAIL, MAIL_OK) } },
	{ "auth plain challenge", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "AUTH plain\r\n", EHLO_OK "334 \r\n"),
	    ST(PLAIN_OK "\r\n", AUTH_OK) } },
	{ "auth plain identities", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "AUTH PLAIN b3RoZXIAaGFybmVzcwBoYXJuZXNzLXNlY3JldA==\r\n",
		EHLO_OK AUTH_NO),
	    ST("AUTH PLAIN " PLAIN_NO "\r\n", AUTH_NO),
	    ST("AUTH PLAIN =\r\n", AUTH_NO),
	    ST("AUTH PLAIN\r\n\r\n", "334 \r\n" AUTH_NO),
	    ST("AUTH PLAIN aGFybmVzcwBoYXJuZXNzAGhhcm5lc3Mtc2VjcmV0\r\n",
		AUTH_OK) } },
	{ "auth login", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "AUTH LOGIN\r\n", EHLO_OK ASK_USER),
	    ST(USER_B64 "\r\n", ASK_PASS), ST(PASS_B64 "\r\n", AUTH_OK) } },
	{ "auth login initial response", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "AUTH LOGIN " USER_B64 "\r\n", EHLO_OK ASK_PASS),
	    ST("d3JvbmctcGFzc3dvcmQ=\r\n", AUTH_NO),
	    ST("AUTH login " USER_B64 "\r\n" PASS_B64 "\r\n", ASK_PASS AUTH_OK) } },
	{ "auth errors", NULL, NULL, 0, 1, 0, {
	    ST("AUTH PLAIN\r\n", EHLO1ST),
	    ST("HELO c.example\r\nAUTH PLAIN\r\n", HELO_OK EHLO1ST),
	    ST(EHLO "AUTH\r\n", EHLO_OK
		"501 5.5.4 Syntax: AUTH mechanism [initial-response]\r\n"),
	    ST("AUTH FOO\r\n", "504 5.5.4 Unrecognized authentication type\r\n"),
	    ST("AUTH PLAIN a b\r\n",
		"501 5.5.4 Syntax: AUTH mechanism [initial-response]\r\n"),
	    ST("AUTH CRAM-MD5 dGVzdA==\r\n",
		"501 5.7.0 Initial response not allowed with CRAM-MD5\r\n"),
	    ST(MAIL "AUTH PLAIN\r\n", MAIL_OK "503 5.5.1 Error: AUTH not "
		"permitted during a mail transaction\r\n"),
	    ST(RCPT, RCPT_OK) } },
	{ "auth cancel and bad base64", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "AUTH LOGIN\r\n", EHLO_OK ASK_USER),
	    ST("*\r\n", ABORTED),
	    ST("AUTH CRAM-MD5\r\n*\r\n", "334 %\r\n" ABORTED),
	    ST("AUTH PLAIN\r\n=AAA\r\n", "334 \r\n" B64ERR),
	    ST("AUTH PLAIN !!!!\r\n", B64ERR),
	    ST("AUTH PLAIN AAA=BBBB\r\n", B64ERR),
	    ST("AUTH PLAIN AAA\r\n", B64ERR),
	    ST("AUTH PLAIN AB=C\r\n", B64ERR),
	    ST("AUTH PLAIN ====\r\n", B64ERR) } },
	{ "auth line too long", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "AUTH PLAIN\r\n", EHLO_OK "334 \r\n"),
	    ST(X13000 "\r\n", LONGAUTH),
	    ST("AUTH PLAIN\r\n" X1000 X1000 "\r\n", "334 \r\n" B64ERR) } },
	{ "auth mail parameter", NULL, NULL, 0, 1, 0, {
	    ST(EHLO MAILB("AUTH=<>"), EHLO_OK MAIL_OK),
	    ST("RSET\r\n" MAILB("AUTH=e+3Dmc2@example.com"), OK MAIL_OK),
	    ST("RSET\r\n" MAILB("AUTH=nobody"), OK BAD("AUTH")),
	    ST(MAILB("AUTH=a+2@b.example"), BAD("AUTH")),
	    ST(MAILB("AUTH=<> AUTH=<>"), DUP("AUTH")),
	    ST(MAILB("AUTH=" X100 X100 X100 X100 X100 "@example.com"),
		MAIL_OK) } },

	/* DSN (RFC 3461 4, 5.1) */
	{ "dsn mail", NULL, NULL, 0, 1, 0, {
	    ST(EHLO MAILB("RET=HDRS ENVID=QQ314159"), EHLO_OK MAIL_OK),
	    ST("RSET\r\n" MAILB("ret=full envid=" X100), OK MAIL_OK),
	    ST("RSET\r\n" MAILB("RET=FOO"), OK BAD("RET")),
	    ST(MAILB("RET=FULL RET=HDRS"), DUP("RET")),
	    ST(MAILB("ENVID=a+ZZ"), BAD("ENVID")),
	    ST(MAILB("ENVID=x" X100), BAD("ENVID")),
	    ST(MAILB("ENVID=a ENVID=b"), DUP("ENVID")),
	    ST(MAILB("RET"), BAD("RET")) } },
	{ "dsn rcpt", NULL, NULL, 0, 1, 0, {
	    ST(EHLO MAIL RCPTU("NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;user@example.com"),
		EHLO_OK MAIL_OK RCPT_OK),
	    ST(RCPTU("notify=never orcpt=RFC822;x+2By@example.com"), RCPT_OK),
	    ST(RCPTU("Notify=Delay,success"), RCPT_OK),
	    ST(RCPTU("NOTIFY=NEVER,SUCCESS"), BAD("NOTIFY")),
	    ST(RCPTU("NOTIFY=FAILURE NOTIFY=DELAY"), DUP("NOTIFY")),
	    ST(RCPTU("NOTIFY=SOMETIMES"), BAD("NOTIFY")),
	    ST(RCPTU("NOTIFY=SUCCESS,,DELAY"), BAD("NOTIFY")),
	    ST(RCPTU("ORCPT=rfc822"), BAD("ORCPT")),
	    ST(RCPTU("ORCPT=a;b ORCPT=a;c"), DUP("ORCPT")),
	    ST(RCPTU("ORCPT=rfc822;" X100 X100 X100 X100 X10 X10 X10 X10 X10
		X10 X10 X10 X10 "xxx"), RCPT_OK),	/* 500 characters */
	    ST(RCPTU("ORCPT=rfc822;" X100 X100 X100 X100 X100), BAD("ORCPT")) } },
	{ "parameters after helo", NULL, NULL, 0, 1, 0, {
	    ST("HELO c.example\r\n" MAILB("SIZE=100"), HELO_OK UNSUP("SIZE")),
	    ST(MAIL RCPTU("NOTIFY=NEVER"), MAIL_OK UNSUP("NOTIFY")) } },

	/* SMTPUTF8 (RFC 6531 3.3-3.5) */
	{ "smtputf8", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<pel\xc3\xa9@example.com> SMTPUTF8\r\n",
		EHLO_OK MAIL_OK),
	    ST("RCPT TO:<j\xc3\xb6rg@example.com>\r\n", RCPT_OK),
	    ST("RCPT TO:<\"\xe7\x94\xa8\xe6\x88\xb7\"@example.com>\r\n", RCPT_OK),
	    ST("RCPT TO:<user@ex\xc3\xa4mple.com>\r\n", RELAY),
	    ST("RCPT TO:<j\xc3\xb6rg@example.com> NOTIFY=NEVER\r\n", RCPT_OK),
	    /* UTF-8 never in an esmtp-keyword (fuzz_server found it echoed) */
	    ST("RCPT TO:<j\xc3\xb6rg@example.com> N\xc3\xb6TIFY=NEVER\r\n",
		"501 5.1.3 Bad recipient address syntax\r\n"),
	    ST("RSET\r\nMAIL FROM:<pel\xc3\xa9@example.com> SMTPUTF8 B\xc3\xa9" "DY=8BITMIME\r\n",
		OK "501 5.5.4 Syntax: MAIL FROM:<address>\r\n") } },
	{ "utf8 without smtputf8", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<pel\xc3\xa9@example.com>\r\n", EHLO_OK NOASCII_M),
	    ST(MAIL "RCPT TO:<j\xc3\xb6rg@example.com>\r\n", MAIL_OK NOASCII_R),
	    ST("RCPT TO:<j\xf6rg@example.com>\r\n", BADCHAR),
	    ST("RCPT TO:<j\xc3@example.com>\r\n", BADCHAR),
	    ST("RCPT TO:<j\xed\xa0\x80@example.com>\r\n", BADCHAR),
	    ST("NOOP \xc3\xa9\r\n", BADCHAR),
	    ST(MAILB("SMTPUTF8=yes"), "503 5.5.1 Error: nested MAIL command\r\n"),
	    ST("RSET\r\n" MAILB("SMTPUTF8=yes"),
		OK "501 5.5.4 SMTPUTF8 takes no value\r\n"),
	    ST(MAILB("SMTPUTF8 SMTPUTF8"), DUP("SMTPUTF8")) } },

	/* 8BITMIME (RFC 6152) and ENHANCEDSTATUSCODES on multi-line replies */
	{ "8bitmime data", NULL, NULL, 0, 1, 0, {
	    ST(EHLO MAILB("BODY=8BITMIME") RCPT "DATA\r\n",
		EHLO_OK MAIL_OK RCPT_OK GO),
	    ST("caf\xc3\xa9 \xff\r\n.\r\n", QUEUED),
	    ST("HELP\r\n", HELP_OK) } },
};

static void
test_ext_conversations(void)
{
	run_table(ext_convs, NELEM(ext_convs));
}

/* CRAM-MD5 (RFC 2195): the challenge is read, the digest computed. */
static int
cram_round(const char *faults, const char *pass, const char *want)
{
	struct tc t;
	unsigned char chal[256], mac[EVP_MAX_MD_SIZE];
	char line[512], b64[512];
	unsigned int mlen = 0, i;
	long n;
	size_t k;
	int64_t deadline;
	int ok;

	tc_open(&t, faults);
	t.what = "cram-md5";
	ok = tc_expect(&t, GREET);
	tc_send(&t, EHLO, strlen(EHLO));
	ok = ok && tc_expect(&t, EHLO_OK);
	tc_send(&t, "AUTH CRAM-MD5\r\n", 15);
	deadline = util_now_ms() + WAIT_MS;
	while (ok && (t.got.len < 2 || t.got.data[t.got.len - 1] != '\n') &&
	    util_now_ms() < deadline)
		tc_pump(&t, 10);
	ok = ok && t.got.len > 6 && memcmp(t.got.data, "334 ", 4) == 0;
	if (ok) {
		n = sasl_b64_decode(t.got.data + 4, t.got.len - 6, chal,
		    sizeof(chal));
		ok = n > 0 && chal[0] == '<' && chal[n - 1] == '>';
		buf_reset(&t.got);
		HMAC(EVP_md5(), pass, (int)strlen(pass), chal, (size_t)n, mac,
		    &mlen);
		k = (size_t)snprintf(line, sizeof(line), "harness ");
		for (i = 0; i < mlen; i++)
			k += (size_t)snprintf(line + k, sizeof(line) - k, "%02x",
			    mac[i]);
		sasl_b64_encode((unsigned char *)line, k, b64, sizeof(b64) - 2);
		strcat(b64, "\r\n");
		tc_send(&t, b64, strlen(b64));
		ok = ok && tc_expect(&t, want);
	}
	tc_close(&t);
	return ok;
}

static void
test_cram_md5(void)
{
	struct tc t;

	CU_ASSERT(cram_round(NULL, SRV_AUTH_PASSWORD, AUTH_OK));
	CU_ASSERT(cram_round(NULL, "wrong", AUTH_NO));
	CU_ASSERT(cram_round("auth-accept-any", "wrong", AUTH_OK));
	/* auth-cram-ignores-ir: the initial response is not refused. */
	tc_open(&t, "auth-cram-ignores-ir");
	t.what = "cram-md5 ir";
	CU_ASSERT(tc_expect(&t, GREET));
	tc_send(&t, EHLO "AUTH CRAM-MD5 dGVzdA==\r\n*\r\n",
	    strlen(EHLO "AUTH CRAM-MD5 dGVzdA==\r\n*\r\n"));
	CU_ASSERT(tc_expect(&t, EHLO_OK "334 %\r\n" ABORTED));
	tc_close(&t);
}

static char *repeat(char c, size_t n);

/* Chunks that add up to more than the SIZE limit: 552 once the chunk is
 * in, and the transaction is over. */
static void
test_bdat_too_big(void)
{
	struct tc t;
	char *x = repeat('z', SRV_SIZE_LIMIT / 2 + 1);
	const char *cmd = "BDAT 5242881\r\n";

	tc_open(&t, NULL);
	t.what = "bdat too big";
	CU_ASSERT(tc_expect(&t, GREET));
	tc_send(&t, OPEN, strlen(OPEN));
	CU_ASSERT(tc_expect(&t, OPEN_OK));
	tc_send(&t, cmd, strlen(cmd));
	tc_send(&t, x, SRV_SIZE_LIMIT / 2 + 1);
	CU_ASSERT(tc_expect(&t, BOK(5242881)));
	tc_send(&t, cmd, strlen(cmd));
	tc_send(&t, x, SRV_SIZE_LIMIT / 2 + 1);
	CU_ASSERT(tc_expect(&t, TOOBIG));
	tc_send(&t, "BDAT 1 LAST\r\nx", 14);
	CU_ASSERT(tc_expect(&t, NEEDMAIL));
	tc_close(&t);
	free(x);
}

/*
 * Generated input: long lines, big messages, many recipients.
 */

static char *
repeat(char c, size_t n)
{
	char *p = xmalloc(n + 1);

	memset(p, c, n);
	p[n] = '\0';
	return p;
}

/* "NOOP xxx...\r\n" of exactly n octets (n >= 7). */
static char *
noop_line(size_t n)
{
	char *p = repeat('x', n);

	memcpy(p, "NOOP ", 5);
	memcpy(p + n - 2, "\r\n", 2);
	return p;
}

static void
test_line_limits(void)
{
	static const struct {
		const char *faults;
		size_t len;
		const char *expect;	/* NULL: closes */
	} cases[] = {
		{ NULL, 7, OK },
		{ NULL, 511, OK },
		{ NULL, 512, OK },
		{ NULL, 513, TOOLONG },
		{ NULL, 514, TOOLONG },
		{ NULL, 2000, TOOLONG },
		{ NULL, 100000, TOOLONG },
		{ "short-line-limit", 256, OK },
		{ "short-line-limit", 257, TOOLONG },
		{ "short-line-limit", 512, TOOLONG },
		{ "long-line-close", 512, OK },
		{ "long-line-close", 513, NULL },
		{ "long-line-close", 5000, NULL },
	};
	size_t i;
	int m;

	for (i = 0; i < NELEM(cases); i++)
		for (m = M_STEPS; m <= M_BYTES; m++) {
			struct tc t;
			char what[80];
			char *line;
			int ok;

			if (m == M_BYTES && cases[i].len > 5000)
				continue;
			line = noop_line(cases[i].len);
			snprintf(what, sizeof(what), "line %zu %s [%s]",
			    cases[i].len, cases[i].faults ? cases[i].faults : "",
			    mode_name[m]);
			tc_open(&t, cases[i].faults);
			t.what = what;
			ok = tc_expect(&t, GREET);
			if (m == M_BYTES)
				tc_send_bytes(&t, line, cases[i].len);
			else
				tc_send(&t, line, cases[i].len);
			if (cases[i].expect) {
				ok = ok && tc_expect(&t, cases[i].expect);
				/* The session goes on; the rest was dropped. */
				ok = ok && tc_expect_open(&t, OK);
			} else
				ok = ok && tc_expect_close(&t);
			CU_ASSERT(ok);
			tc_close(&t);
			free(line);
		}
}

/* A long line cut into pieces, then commands pipelined behind it. */
static void
test_line_too_long_split(void)
{
	struct tc t;
	char *x = repeat('x', 700);

	tc_open(&t, NULL);
	t.what = "split long line";
	CU_ASSERT(tc_expect(&t, GREET));
	tc_send(&t, "NOOP ", 5);
	tc_send(&t, x, 700);
	CU_ASSERT(tc_expect(&t, ""));
	tc_send(&t, x, 700);
	tc_send(&t, "\r", 1);
	CU_ASSERT(tc_expect(&t, ""));
	tc_send(&t, "\nNOOP\r\n", 7);
	CU_ASSERT(tc_expect(&t, TOOLONG OK));
	/* A lone CR in the discarded part is not the end. */
	tc_send(&t, x, 600);
	tc_send(&t, "\rx\r\nNOOP\r\n", 10);
	CU_ASSERT(tc_expect(&t, TOOLONG OK));
	tc_close(&t);
	free(x);
}

/* Message body of exactly n octets as counted for SIZE: lines of up to
 * line_len octets with CRLF, dot-stuffed where needed. */
static void
send_body(struct tc *t, size_t n, size_t line_len)
{
	char *line = repeat('a', line_len);

	/* Each line starts with a dot, stuffed: one more octet on the wire. */
	line[0] = '.';
	while (n > 0) {
		size_t k = n < line_len ? n : line_len;

		CU_ASSERT_FATAL(k >= 3);
		tc_send(t, ".", 1);
		tc_send(t, line, k - 2);
		tc_send(t, "\r\n", 2);
		n -= k;
	}
	tc_send(t, ".\r\n", 3);
	free(line);
}

static void
test_data_limits(void)
{
	static const struct {
		const char *faults;
		size_t size, line;
		const char *expect;	/* NULL: closes */
	} cases[] = {
		{ NULL, 1000, 1000, QUEUED },
		{ NULL, 1001, 1001, LONGTXT },
		{ NULL, 3000, 1000, QUEUED },
		{ NULL, 65536, 1000, QUEUED },
		{ NULL, SRV_SIZE_LIMIT, 1000, QUEUED },
		{ NULL, SRV_SIZE_LIMIT + 1, 1000, TOOBIG },
		{ NULL, SRV_SIZE_LIMIT + 1, 2000, TOOBIG },	/* size wins */
		/* -- core suite faults -- */
		{ "message-limit-32k", 32768, 1000, QUEUED },
		{ "message-limit-32k", 65536, 1000, TOOBIG },
		{ "text-line-off-by-two", 996, 996, QUEUED },
		{ "text-line-off-by-two", 1000, 1000, LONGTXT },
		{ "long-text-line-close", 1000, 1000, QUEUED },
		{ "long-text-line-close", 1001, 1001, NULL },
		/* -- end of core suite faults -- */
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct tc t;
		char what[80];

		snprintf(what, sizeof(what), "body %zu/%zu %s", cases[i].size,
		    cases[i].line, cases[i].faults ? cases[i].faults : "");
		tc_open(&t, cases[i].faults);
		t.what = what;
		CU_ASSERT(tc_expect(&t, GREET));
		tc_send(&t, OPEN "DATA\r\n", strlen(OPEN "DATA\r\n"));
		CU_ASSERT(tc_expect(&t, OPEN_OK GO));
		send_body(&t, cases[i].size, cases[i].line);
		if (cases[i].expect == NULL) {
			CU_ASSERT(tc_expect_close(&t));
			tc_close(&t);
			continue;
		}
		CU_ASSERT(tc_expect(&t, cases[i].expect));
		CU_ASSERT(tc_expect_open(&t, OK));
		tc_close(&t);
	}
}

/* RFC 5321 4.5.3.1.6 at the boundary, byte by byte as well. */
static void
test_text_line_boundary(void)
{
	static const struct {
		size_t text;	/* octets before CRLF */
		int stuffed;
		const char *expect;
	} cases[] = {
		{ 998, 0, QUEUED },
		{ 999, 0, LONGTXT },
		{ 998, 1, QUEUED },	/* the stuffing dot is not counted */
		{ 999, 1, LONGTXT },
	};
	size_t i;
	int bytes;

	for (i = 0; i < NELEM(cases); i++)
		for (bytes = 0; bytes < 2; bytes++) {
			struct tc t;
			struct buf b;
			char *x = repeat('y', cases[i].text);

			buf_init(&b);
			if (cases[i].stuffed) {
				x[0] = '.';
				buf_puts(&b, ".");
			}
			buf_puts(&b, x);
			buf_puts(&b, "\r\nshort\r\n.\r\n");
			tc_open(&t, NULL);
			t.what = "text line boundary";
			CU_ASSERT(tc_expect(&t, GREET));
			tc_send(&t, OPEN "DATA\r\n", strlen(OPEN "DATA\r\n"));
			CU_ASSERT(tc_expect(&t, OPEN_OK GO));
			if (bytes)
				tc_send_bytes(&t, b.data, b.len);
			else
				tc_send(&t, b.data, b.len);
			CU_ASSERT(tc_expect(&t, cases[i].expect));
			tc_close(&t);
			buf_free(&b);
			free(x);
		}
}

static void
many_recipients(const char *faults, int n, int limit)
{
	struct tc t;
	struct buf in, out;
	int i;

	buf_init(&in);
	buf_init(&out);
	buf_puts(&in, EHLO MAIL);
	buf_puts(&out, EHLO_OK MAIL_OK);
	for (i = 0; i < n; i++) {
		buf_printf(&in, "RCPT TO:<u%d@example.com>\r\n", i);
		buf_puts(&out, i < limit ? RCPT_OK :
		    "452 4.5.3 Too many recipients\r\n");
	}
	buf_puts(&in, "DATA\r\n.\r\n" MAIL RCPT);
	buf_puts(&out, GO QUEUED MAIL_OK RCPT_OK);
	tc_open(&t, faults);
	t.what = faults ? faults : "1001 recipients";
	CU_ASSERT(tc_expect(&t, GREET));
	tc_send(&t, in.data, in.len);
	CU_ASSERT(tc_expect(&t, out.data));
	tc_close(&t);
	buf_free(&in);
	buf_free(&out);
}

/* RFC 5321 4.5.3.1.5: the echo of a long EHLO name is cut so that the
 * reply line stays within 512 octets with its CRLF. */
static void
test_reply_line_cap(void)
{
	struct tc t;
	struct buf in, out;
	int i;

	buf_init(&in);
	buf_init(&out);
	buf_puts(&in, "EHLO ");
	for (i = 0; i < 50; i++)
		buf_puts(&in, "abcdefghi.");
	buf_puts(&in, "x\r\n");
	buf_puts(&out, "250-mx.harness.test greets ");
	buf_append(&out, in.data + 5, 510 - out.len);
	buf_puts(&out, "\r\n" EXT "250 ENHANCEDSTATUSCODES\r\n");
	tc_open(&t, NULL);
	t.what = "long EHLO name";
	CU_ASSERT(tc_expect(&t, GREET));
	tc_send(&t, in.data, in.len);
	CU_ASSERT(tc_expect(&t, out.data));
	tc_close(&t);
	buf_free(&in);
	buf_free(&out);
}

static void
test_many_recipients(void)
{
	many_recipients(NULL, 1001, 1000);
	/* -- core suite faults -- */
	many_recipients("rcpt-limit-50", 100, 50);
	many_recipients("rcpt-limit-100", 150, 100);
	/* -- end of core suite faults -- */
}

/* no-service-554: the first connection is served; the next is greeted
 * 554, answered 503 to anything but QUIT, and 221 then the close. */
static void
test_no_service(void)
{
	struct tc t, u;
	char err[128];
	int sv[2];

	tc_open(&t, "no-service-554");
	t.what = "no-service-554, first session";
	CU_ASSERT(tc_expect(&t, GREET));
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CU_ASSERT_FATAL(srv_attach(t.srv, sv[0], sv[0], err, sizeof(err)) == 0);
	tc_init(&u, t.loop, t.srv, sv[1]);
	u.what = "no-service-554, second session";
	CU_ASSERT(tc_expect(&u, "554 5.3.2 mx.harness.test No SMTP service here\r\n"));
	tc_send(&u, "EHLO client.example\r\n", 21);
	CU_ASSERT(tc_expect(&u, "503 5.5.1 Error: no SMTP service here\r\n"));
	tc_send(&u, "QUIT\r\n", 6);
	CU_ASSERT(tc_expect(&u, "221 2.0.0 Bye\r\n"));
	tc_free(&u);
	tc_send(&t, "NOOP\r\n", 6);
	CU_ASSERT(tc_expect(&t, OK));
	tc_close(&t);
}

/* max-sessions: 4 sessions open are served; a fifth is greeted 421 and
 * closed (RFC 5321 3.8); once one ends, a new one is served again. */
static void
test_max_sessions(void)
{
	struct tc t, more[4];
	char err[128];
	int sv[2];

	tc_open(&t, "max-sessions");
	t.what = "max-sessions, first session";
	CU_ASSERT(tc_expect(&t, GREET));
	for (int k = 0; k < 4; k++) {
		CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
		CU_ASSERT_FATAL(srv_attach(t.srv, sv[0], sv[0], err, sizeof(err)) == 0);
		tc_init(&more[k], t.loop, t.srv, sv[1]);
		more[k].what = "max-sessions, another session";
		if (k < 3)
			CU_ASSERT(tc_expect(&more[k], GREET));
	}
	more[3].what = "max-sessions, the fifth session";
	CU_ASSERT(tc_expect(&more[3],
	    "421 4.7.0 mx.harness.test Too many sessions, try again later\r\n"));
	for (int64_t end = util_now_ms() + WAIT_MS; !more[3].eof && util_now_ms() < end;)
		tc_pump(&more[3], 10);
	CU_ASSERT(more[3].eof);
	tc_free(&more[3]);
	tc_send(&t, "NOOP\r\n", 6);
	CU_ASSERT(tc_expect(&t, OK));
	for (int k = 0; k < 3; k++)
		tc_free(&more[k]);
	tc_close(&t);
}

/* The client writes far more than it reads: the server stops reading
 * instead of buffering without bound, and loses nothing (RFC 2920 3.2). */
static void
test_backpressure(void)
{
	struct tc t;
	struct buf in, out;
	const char *p;
	size_t left;
	int i, stuck = 0;
	ssize_t w;

	buf_init(&in);
	buf_init(&out);
	buf_puts(&out, GREET);
	for (i = 0; i < 150000; i++) {
		buf_puts(&in, "NOOP\r\n");
		buf_puts(&out, OK);
	}
	tc_open(&t, NULL);
	t.what = "backpressure";
	p = in.data;
	left = in.len;
	/* Write without reading until nothing moves any more. */
	while (left > 0 && stuck < 20) {
		w = send(t.fd, p, left, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			left -= (size_t)w;
			stuck = 0;
		} else {
			loop_run_once(t.loop, 5);
			stuck++;
		}
	}
	CU_ASSERT(left > 0);	/* the server really stopped reading */
	tc_send(&t, p, left);
	CU_ASSERT(tc_expect(&t, out.data));
	tc_close(&t);
	buf_free(&in);
	buf_free(&out);
}

/*
 * Session life: close, shutdown, timeout, other descriptors, listening.
 */

static void
test_client_eof(void)
{
	struct tc t;

	/* Lines already sent are answered, then the session closes. */
	tc_open(&t, NULL);
	t.what = "client eof";
	tc_send(&t, "NOOP\r\nVRFY\r\nNOOP", 16);
	shutdown(t.fd, SHUT_WR);
	CU_ASSERT(tc_expect(&t, GREET OK "501 5.5.4 Syntax: VRFY address\r\n"));
	CU_ASSERT(tc_expect_close(&t));
	tc_close(&t);

	/* In the middle of a message. */
	tc_open(&t, NULL);
	t.what = "client eof in data";
	tc_send(&t, OPEN "DATA\r\npartial", strlen(OPEN "DATA\r\npartial"));
	CU_ASSERT(tc_expect(&t, GREET OPEN_OK GO));
	shutdown(t.fd, SHUT_WR);
	CU_ASSERT(tc_expect_close(&t));
	tc_close(&t);
}

/* The client vanishes with replies pending: no crash, no leak. */
static void
test_client_gone(void)
{
	struct tc t;
	struct buf in;
	int i;

	buf_init(&in);
	for (i = 0; i < 20000; i++)
		buf_puts(&in, "HELP\r\n");
	tc_open(&t, NULL);
	tc_send(&t, in.data, 60000);
	close(t.fd);
	t.fd = -1;
	for (i = 0; i < 200 && srv_active_sessions(t.srv) > 0; i++)
		loop_run_once(t.loop, 10);
	CU_ASSERT(srv_active_sessions(t.srv) == 0);
	tc_close(&t);
	buf_free(&in);
}

static void
test_shutdown(void)
{
	struct loop *loop = loop_new();
	struct srv *srv = new_srv(loop, NULL);
	struct tc t[3];
	char err[128];
	int sv[2], i, port;

	port = srv_listen(srv, "127.0.0.1", "0", err, sizeof(err));
	CU_ASSERT_FATAL(port > 0);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
		CU_ASSERT_FATAL(srv_attach(srv, sv[0], sv[0], err,
		    sizeof(err)) == 0);
		tc_init(&t[i], loop, srv, sv[1]);
		t[i].what = "shutdown";
		CU_ASSERT(tc_expect(&t[i], GREET));
	}
	/* One idle, one inside a transaction, one inside DATA. */
	tc_send(&t[1], OPEN, strlen(OPEN));
	CU_ASSERT(tc_expect(&t[1], OPEN_OK));
	tc_send(&t[2], OPEN "DATA\r\nhalf a mess", strlen(OPEN "DATA\r\nhalf a mess"));
	CU_ASSERT(tc_expect(&t[2], OPEN_OK GO));
	CU_ASSERT(srv_active_sessions(srv) == 3);
	srv_shutdown(srv);
	for (i = 0; i < 3; i++) {
		CU_ASSERT(tc_expect(&t[i], SHUT));
		for (int k = 0; k < 200 && !t[i].eof; k++)
			tc_pump(&t[i], 10);
		CU_ASSERT(t[i].eof);
	}
	CU_ASSERT(srv_active_sessions(srv) == 0);
	/* The listener is gone too. */
	{
		struct sockaddr_in sin;
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		CU_ASSERT(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1);
		close(fd);
	}
	for (i = 0; i < 3; i++)
		tc_free(&t[i]);
	srv_free(srv);
	loop_free(loop);
}

/* srv_free with sessions still open closes them without a word. */
static void
test_free_open_sessions(void)
{
	struct tc t;

	tc_open(&t, NULL);
	tc_send(&t, OPEN "DATA\r\nx", strlen(OPEN "DATA\r\nx"));
	tc_pump(&t, 0);
	srv_free(t.srv);
	t.srv = NULL;
	buf_reset(&t.got);
	tc_read(&t);
	CU_ASSERT(t.eof);
	tc_free(&t);
	loop_free(t.loop);
}

static void
test_idle_timeout(void)
{
	struct tc t;
	int64_t start, last;

	tc_open(&t, NULL);
	t.what = "idle timeout";
	srv_set_idle_timeout(t.srv, 500);
	CU_ASSERT(tc_expect(&t, GREET));
	start = util_now_ms();
	/* Activity pushes the deadline back (well past the first one). */
	while ((last = util_now_ms()) - start < 1000) {
		tc_send(&t, "NOOP\r\n", 6);
		CU_ASSERT_FATAL(tc_expect(&t, OK));
		while (util_now_ms() - last < 200)
			tc_pump(&t, 20);
	}
	CU_ASSERT(tc_expect(&t,
	    "421 4.4.2 mx.harness.test Error: timeout exceeded\r\n"));
	CU_ASSERT(tc_expect_close(&t));
	tc_close(&t);

	/* silent: closes without a word. */
	tc_open(&t, "silent");
	t.what = "idle timeout silent";
	srv_set_idle_timeout(t.srv, 100);
	CU_ASSERT(tc_expect_close(&t));
	tc_close(&t);
}

static void
test_silent(void)
{
	struct tc t;
	int i;

	tc_open(&t, "silent");
	t.what = "silent";
	for (i = 0; i < 10; i++)
		tc_pump(&t, 5);
	CU_ASSERT(tc_expect(&t, ""));
	tc_send(&t, EHLO "QUIT\r\n", strlen(EHLO "QUIT\r\n"));
	CU_ASSERT(tc_expect(&t, ""));
	CU_ASSERT(srv_active_sessions(t.srv) == 1);
	shutdown(t.fd, SHUT_WR);
	CU_ASSERT(tc_expect_close(&t));
	tc_close(&t);

	/* srv_shutdown closes it, still without a word. */
	tc_open(&t, "silent");
	t.what = "silent shutdown";
	tc_pump(&t, 0);
	srv_shutdown(t.srv);
	CU_ASSERT(tc_expect_close(&t));
	tc_close(&t);
}

/* stdin/stdout style: two pipes, write() instead of send(). */
static void
test_attach_pipes(void)
{
	struct loop *loop = loop_new();
	struct srv *srv = new_srv(loop, NULL);
	struct tc t;
	char err[128];
	int to_srv[2], from_srv[2];

	CU_ASSERT_FATAL(pipe(to_srv) == 0 && pipe(from_srv) == 0);
	CU_ASSERT_FATAL(srv_attach(srv, to_srv[0], from_srv[1], err,
	    sizeof(err)) == 0);
	tc_init(&t, loop, srv, from_srv[0]);
	t.what = "pipes";
	CU_ASSERT(tc_expect(&t, GREET));
	CU_ASSERT(write(to_srv[1], EHLO "NOOP\r\n", strlen(EHLO "NOOP\r\n")) > 0);
	CU_ASSERT(tc_expect(&t, EHLO_OK OK));
	CU_ASSERT(write(to_srv[1], "QUIT\r\n", 6) == 6);
	CU_ASSERT(tc_expect(&t, BYE));
	CU_ASSERT(tc_expect_close(&t));
	close(to_srv[1]);
	tc_free(&t);

	/* EOF on the input pipe ends the session after its replies. */
	CU_ASSERT_FATAL(pipe(to_srv) == 0 && pipe(from_srv) == 0);
	CU_ASSERT_FATAL(srv_attach(srv, to_srv[0], from_srv[1], err,
	    sizeof(err)) == 0);
	tc_init(&t, loop, srv, from_srv[0]);
	t.what = "pipes eof";
	CU_ASSERT(write(to_srv[1], "NOOP\r\n", 6) == 6);
	close(to_srv[1]);
	CU_ASSERT(tc_expect(&t, GREET OK));
	CU_ASSERT(tc_expect_close(&t));
	tc_free(&t);

	/* The reader of the output pipe goes away: the session ends. */
	CU_ASSERT_FATAL(pipe(to_srv) == 0 && pipe(from_srv) == 0);
	CU_ASSERT_FATAL(srv_attach(srv, to_srv[0], from_srv[1], err,
	    sizeof(err)) == 0);
	close(from_srv[0]);
	CU_ASSERT(write(to_srv[1], "NOOP\r\n", 6) == 6);
	for (int i = 0; i < 100 && srv_active_sessions(srv) > 0; i++)
		loop_run_once(loop, 10);
	CU_ASSERT(srv_active_sessions(srv) == 0);
	close(to_srv[1]);

	CU_ASSERT(srv_attach(srv, -1, 1, err, sizeof(err)) == -1);
	CU_ASSERT(err[0] != '\0');
	srv_free(srv);
	loop_free(loop);
}

static int
tcp_connect(int family, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(family, SOCK_STREAM, 0);

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	/* Loopback connects complete from the listen backlog. */
	if (fd == -1 || connect(fd, (struct sockaddr *)&ss, len) == -1) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

static void
test_listen_tcp(void)
{
	struct loop *loop = loop_new();
	struct srv *srv = new_srv(loop, NULL);
	struct tc a, b;
	char err[128];
	int port, port2, fd;

	port = srv_listen(srv, "127.0.0.1", "0", err, sizeof(err));
	CU_ASSERT_FATAL(port > 0);
	fd = tcp_connect(AF_INET, port);
	CU_ASSERT_FATAL(fd != -1);
	tc_init(&a, loop, srv, fd);
	a.what = "tcp a";
	fd = tcp_connect(AF_INET, port);
	CU_ASSERT_FATAL(fd != -1);
	tc_init(&b, loop, srv, fd);
	b.what = "tcp b";
	CU_ASSERT(tc_expect(&a, GREET));
	CU_ASSERT(tc_expect(&b, GREET));
	CU_ASSERT(srv_active_sessions(srv) == 2);
	/* Interleaved sessions keep their own state. */
	tc_send(&a, EHLO MAIL, strlen(EHLO MAIL));
	tc_send(&b, MAIL, strlen(MAIL));
	CU_ASSERT(tc_expect(&a, EHLO_OK MAIL_OK));
	CU_ASSERT(tc_expect(&b, "503 5.5.1 Error: send HELO/EHLO first\r\n"));
	tc_send(&a, RCPT "DATA\r\nhi\r\n.\r\nQUIT\r\n",
	    strlen(RCPT "DATA\r\nhi\r\n.\r\nQUIT\r\n"));
	CU_ASSERT(tc_expect(&a, RCPT_OK GO QUEUED BYE));
	for (int k = 0; k < 200 && !a.eof; k++)
		tc_pump(&a, 10);
	CU_ASSERT(a.eof);
	CU_ASSERT(srv_active_sessions(srv) == 1);
	tc_send(&b, "QUIT\r\n", 6);
	CU_ASSERT(tc_expect(&b, BYE));
	CU_ASSERT(tc_expect_close(&b));
	tc_free(&a);
	tc_free(&b);

	/* The port is taken now. */
	CU_ASSERT(srv_listen(srv, "127.0.0.1", "0", err, sizeof(err)) > 0);
	{
		struct srv *other = new_srv(loop, NULL);
		char pbuf[16];

		snprintf(pbuf, sizeof(pbuf), "%d", port);
		err[0] = '\0';
		CU_ASSERT(srv_listen(other, "127.0.0.1", pbuf, err,
		    sizeof(err)) == -1);
		CU_ASSERT(strstr(err, "127.0.0.1") != NULL);
		err[0] = '\0';
		CU_ASSERT(srv_listen(other, "127.0.0.1", "no-such-service-x",
		    err, sizeof(err)) == -1);
		CU_ASSERT(err[0] != '\0');
		srv_free(other);
	}

	/* IPv6 loopback, where the machine has it. */
	port2 = srv_listen(srv, "::1", "0", err, sizeof(err));
	if (port2 > 0) {
		fd = tcp_connect(AF_INET6, port2);
		CU_ASSERT_FATAL(fd != -1);
		tc_init(&a, loop, srv, fd);
		a.what = "tcp6";
		tc_send(&a, "QUIT\r\n", 6);
		CU_ASSERT(tc_expect(&a, GREET BYE));
		CU_ASSERT(tc_expect_close(&a));
		tc_free(&a);
	} else
		fprintf(stderr, "\n  (no IPv6 loopback: %s)\n", err);
	srv_free(srv);
	loop_free(loop);
}

/*
 * The fault table.
 */

static void
test_fault_table(void)
{
	static const char *const names[] = {
		"close-on-invalid", "accept-unknown", "invalid-421",
		"quit-250", "quit-no-close", "greeting-421", "silent",
		"tired-421", "421-no-close", "bare-lf-replies",
		"mixed-code-multiline", "code-out-of-range",
		"unsolicited-reply", "no-ehlo", "helo-multiline",
		"ehlo-no-arg-ok", "case-sensitive-verbs", "noop-arg-501",
		"rset-arg-ok", "rset-keeps-transaction",
		"ehlo-keeps-transaction", "rcpt-without-mail",
		"data-without-rcpt", "vrfy-unrecognized",
		"postmaster-rejected", "null-sender-rejected",
		"long-line-close", "short-line-limit", "lf-dot-lf",
		"bare-lf-commands", "no-enhanced-codes", "size-ignored",
		"pipelining-drops-input", "data-250-not-354",
		"nested-mail-ok", "mail-before-helo", "ehlo-auth-equals",
		"greeting-no-domain", "quit-needs-helo", "size-param-rejected",
		/* -- core suite faults -- */
		"help-bare-lf", "reply-echoes-control", "reply-over-512",
		"literals-rejected", "ehlo-any-name",
		"error-resets-transaction", "source-route-rejected",
		"quoted-local-rejected", "lax-octets",
		"trailing-space-rejected", "close-on-syntax-error",
		"case-sensitive-keywords", "obsolete-verbs-250",
		"no-arg-check", "bare-cr-commands", "transaction-persists",
		"open-relay", "rcpt-limit-50", "postmaster-case-sensitive",
		"postmaster-unknown", "vrfy-expn-fake-250",
		"address-length-limits", "dotdot-ends-data",
		"text-line-off-by-two", "long-text-line-close",
		"message-limit-32k", "any-newline-data", "nul-stripped",
		"eod-split-lost", "resent-checked", "bare-codes",
		"bare-newline-rejected",
		/* -- end of core suite faults -- */

		/* -- extension faults -- */
		"ehlo-extension-params", "no-8bitmime", "size-keyword-unit",
		"size-ends-data", "size-must-match", "size-lenient-parse",
		"pipelining-holds-replies", "data-end-drops-input",
		"body-param-rejected", "body-unchecked", "8bit-data-rejected",
		"unknown-param-ignored", "enhanced-class-mismatch",
		"enhanced-first-line-only", "enhanced-ehlo-only",
		"enhanced-code-padded", "bdat-line-mode", "bdat-after-last-ok",
		"bdat-data-mix-ok", "bdat-rset-keeps-chunks",
		"bdat-error-no-discard", "bdat-lenient-syntax", "binarymime-data-ok",
		"bdat-binary-rejected", "binarymime-without-chunking",
		"auth-keyword-empty", "auth-unknown-mech-501",
		"auth-in-transaction-ok", "auth-cancel-535", "auth-base64-lenient",
		"auth-challenge-text", "auth-cram-ignores-ir",
		"auth-long-line-close", "auth-accept-any", "auth-success-250",
		"auth-reauth-ok", "auth-param-rejected", "smtputf8-param-rejected",
		"smtputf8-value-ok", "utf8-without-smtputf8", "dsn-params-rejected",
		"dsn-unchecked", "dsn-case-sensitive", "dsn-short-buffers",
		/* -- end of extension faults -- */

		/* -- hostile faults (tests/test_server_hostile.c) -- */
		"slow-greeting", "endless-line", "binary-reply",
		"reset-after-greeting", "endless-multiline", "random-bytes",
		"close-on-connect", "delayed-greeting",
		/* -- end of hostile faults -- */

		/* -- TLS faults -- */
		"tls-injection", "tls-keeps-state", "tls-starttls-again",
		"tls-second-starttls", "tls-params-ok", "tls-unimplemented",
		"tls-handshake-garbage", "tls-handshake-drop", "tls-220-plaintext",
		"tls-close-wait",
		"tls-required-ignored", "tls-required-all", "tls-auth-plaintext",
		/* -- end of TLS faults -- */

		/* -- issue 12 faults -- */
		"noop-resets-transaction", "rset-needs-helo", "vrfy-no-arg-250",
		"data-empty-accepted", "second-helo-503", "greeting-250",
		"greeting-extra-reply", "data-answers-commands",
		"ehlo-literal-503", "mail-path-500",
		"refused-mail-opens-transaction", "auth-drops-pipeline",
		"utf8-local-refused", "helo-no-mail", "null-sender-rcpt-503",
		"auth-unknown-mech-334", "bdat-no-size-250", "bare-lf-loses-state",
		"chunking-data-502", "pipelining-holds-rset", "tls-required-rcpt",
		"flood-421-talks-on", "message-limit-close", "auth-538-advertised",
		"auth-required-554",
		/* -- end of issue 12 faults -- */

		/* -- delivery faults (tests/test_server_deliver.c) -- */
		"dots-kept", "eight-bit-stripped", "no-received",
		"no-return-path", "local-part-folded", "controls-stripped", "extra-blank-line",
		"aborted-delivered", "completed-lost",
		/* -- end of delivery faults -- */
		"deep-crash", "deep-hang",

		/* -- benign modes -- */
		"bare-newline-data", "help-unknown", "error-limit-421",
		"error-limit-close", "long-lines", "nested-mail-restarts",
		"mail-before-helo-ok", "accept-all-recipients", "auth-required",
		"ehlo-literal-refused", "rcpt-limit-100", "relay-554",
		"lenient-paths", "unknown-502", "second-helo-refused",
		"strict-sender-paths", "syntax-500", "data-354-no-rcpt",
		"source-routes-refused", "rcpt-failure-defers",
		"auth-temp-failure", "headers-required", "size-unlimited",
		"no-service-554", "max-sessions",
		/* -- end of benign modes -- */
	};
	char err[128];
	struct loop *loop = loop_new();
	struct srv *srv;
	size_t i, j;

	CU_ASSERT_FATAL(srv_fault_count() == NELEM(names));
	CU_ASSERT(srv_fault_count() == SRV_F_COUNT);
	for (i = 0; i < NELEM(names); i++) {
		CU_ASSERT_STRING_EQUAL(srv_fault_name(i), names[i]);
		CU_ASSERT(srv_fault_desc(i) != NULL && srv_fault_desc(i)[0]);
		CU_ASSERT(srv_fault_lookup(names[i], strlen(names[i])) ==
		    (int)i);
		/* Every fault is shown to bite by a conversation. */
		for (j = 0; j < NELEM(fault_convs); j++)
			if (strstr(fault_convs[j].faults, names[i]))
				break;
		if (j == NELEM(fault_convs) && strcmp(names[i], "silent") &&
		    !hostile_is_fault((enum srv_fault)i) &&
		    /* they change what is delivered, no reply */
		    !(i >= SRV_F_DOTS_KEPT && i <= SRV_F_COMPLETED_LOST) &&
		    strcmp(names[i], "delayed-greeting") &&
		    strcmp(names[i], "no-service-554") &&	/* test_no_service */
		    strcmp(names[i], "max-sessions") &&	/* test_max_sessions */
		    strcmp(names[i], "long-line-close") &&
		    strcmp(names[i], "short-line-limit") &&
		    /* -- core suite faults: test_data_limits and
		     * test_many_recipients show these -- */
		    strcmp(names[i], "rcpt-limit-50") &&
		    strcmp(names[i], "rcpt-limit-100") &&
		    strcmp(names[i], "text-line-off-by-two") &&
		    strcmp(names[i], "long-text-line-close") &&
		    strcmp(names[i], "message-limit-32k") &&
		    strncmp(names[i], "tls-", 4) != 0)	/* test_server_tls.c */
			CU_FAIL("fault without a conversation");
	}
	/* The marks: benign modes and lenient deviations (tests/bite.sh reads
	 * them from `serve --list-faults`). */
	for (i = 0; i < NELEM(names); i++) {
		const char *d = srv_fault_desc(i);

		CU_ASSERT(srv_fault_benign(i) == (strncmp(d, SRV_BENIGN_MARK,
		    strlen(SRV_BENIGN_MARK)) == 0));
		CU_ASSERT(srv_fault_lenient(i) == (strncmp(d, SRV_LENIENT_MARK,
		    strlen(SRV_LENIENT_MARK)) == 0));
		CU_ASSERT(!(srv_fault_benign(i) && srv_fault_lenient(i)));
	}
	CU_ASSERT(srv_fault_benign(SRV_M_HELP_UNKNOWN));
	CU_ASSERT(srv_fault_benign(SRV_F_DELAYED_GREETING));
	CU_ASSERT(!srv_fault_benign(SRV_F_QUIT_250));
	CU_ASSERT(srv_fault_lenient(SRV_F_BARE_LF_COMMANDS));
	for (i = SRV_F_DOTS_KEPT; i <= SRV_F_COMPLETED_LOST; i++)
		CU_ASSERT(!srv_fault_benign(i) && !srv_fault_lenient(i) &&
		    strncmp(srv_fault_desc(i), "(deep)", 6) != 0);
	CU_ASSERT(srv_fault_benign(NELEM(names)) == 0);
	/* The policy the builtin target states. */
	CU_ASSERT_STRING_EQUAL(srv_policy_var("", "rejected_recipient"),
	    SRV_REJECTED_RECIPIENT);
	CU_ASSERT_STRING_EQUAL(srv_policy_var("open-relay", "rejected_recipient"),
	    SRV_REJECTED_RECIPIENT);
	CU_ASSERT(srv_policy_var("help-unknown,accept-all-recipients",
	    "rejected_recipient") == NULL);
	CU_ASSERT(srv_policy_var(NULL, "auth_required") == NULL);
	CU_ASSERT_STRING_EQUAL(srv_policy_var("auth-required", "auth_required"),
	    "yes");
	CU_ASSERT(srv_policy_var("no-such-fault", "rejected_recipient") == NULL);
	CU_ASSERT(srv_policy_var("", "no_such_var") == NULL);
	CU_ASSERT(srv_fault_name(NELEM(names)) == NULL);
	CU_ASSERT(srv_fault_desc(NELEM(names)) == NULL);
	CU_ASSERT(srv_fault_lookup("quit", 4) == -1);
	CU_ASSERT(srv_fault_lookup("QUIT-250", 8) == -1);

	srv = srv_new(loop, "quit-250,no-such-fault", err, sizeof(err));
	CU_ASSERT(srv == NULL);
	CU_ASSERT(strstr(err, "no-such-fault") != NULL);
	srv = srv_new(loop, "quit-2500", err, sizeof(err));
	CU_ASSERT(srv == NULL);
	CU_ASSERT(strstr(err, "quit-2500") != NULL);
	srv = srv_new(loop, NULL, err, sizeof(err));
	CU_ASSERT(srv != NULL);
	srv_free(srv);
	srv = srv_new(loop, "", err, sizeof(err));
	CU_ASSERT(srv != NULL);
	srv_free(srv);
	/* All at once parses (the table's names joined). */
	{
		struct buf all;

		buf_init(&all);
		for (i = 0; i < NELEM(names); i++)
			buf_printf(&all, "%s%s", i ? "," : "", names[i]);
		srv = srv_new(loop, all.data, err, sizeof(err));
		CU_ASSERT(srv != NULL);
		srv_free(srv);
		buf_free(&all);
	}
	loop_free(loop);
}

/* Hostile input, one byte at a time and in chunks: no crash, no leak,
 * and the session can still be ended if it is still open. */
static void
test_garbage(void)
{
	static const char alphabet[] = "\r\n\r\n.:<>@ \x00\x80\xff\tMAILFROM"
	    "RCPTTODATAEHLOBDATQUIT";
	uint32_t x = 12345;
	int round, i;

	for (round = 0; round < 40; round++) {
		struct tc t;
		char chunk[4096];

		tc_open(&t, round % 2 ? "lf-dot-lf,bare-lf-commands" : NULL);
		for (i = 0; i < (int)sizeof(chunk); i++) {
			x = x * 1103515245u + 12345u;
			chunk[i] = alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
		}
		if (round < 4)
			tc_send_bytes(&t, chunk, sizeof(chunk));
		else
			tc_send(&t, chunk, sizeof(chunk));
		for (i = 0; i < 5; i++)
			tc_pump(&t, 1);
		/* Replies, if any, are whole CRLF lines. */
		if (t.got.len > 0)
			CU_ASSERT(t.got.data[t.got.len - 1] == '\n');
		tc_close(&t);
	}
}

int
main(void)
{
	CU_pSuite s;

	signal(SIGPIPE, SIG_IGN);	/* the caller's job, per server.h */
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("server", NULL, NULL);
	CU_add_test(s, "conversations", test_conversations);
	CU_add_test(s, "fault conversations", test_fault_conversations);
	CU_add_test(s, "extension conversations", test_ext_conversations);
	CU_add_test(s, "cram-md5", test_cram_md5);
	CU_add_test(s, "bdat over the size limit", test_bdat_too_big);
	CU_add_test(s, "fault table", test_fault_table);
	CU_add_test(s, "command line limits", test_line_limits);
	CU_add_test(s, "long line in pieces", test_line_too_long_split);
	CU_add_test(s, "text line boundary", test_text_line_boundary);
	CU_add_test(s, "message size limits", test_data_limits);
	CU_add_test(s, "1001 recipients", test_many_recipients);
	CU_add_test(s, "no-service-554: 554, 503, 221", test_no_service);
	CU_add_test(s, "max-sessions: 421 to the fifth session", test_max_sessions);
	CU_add_test(s, "reply lines within 512 octets", test_reply_line_cap);
	CU_add_test(s, "backpressure", test_backpressure);
	CU_add_test(s, "client eof", test_client_eof);
	CU_add_test(s, "client gone", test_client_gone);
	CU_add_test(s, "shutdown", test_shutdown);
	CU_add_test(s, "free with open sessions", test_free_open_sessions);
	CU_add_test(s, "idle timeout", test_idle_timeout);
	CU_add_test(s, "silent", test_silent);
	CU_add_test(s, "attach pipes", test_attach_pipes);
	CU_add_test(s, "listen tcp", test_listen_tcp);
	CU_add_test(s, "garbage", test_garbage);
	return tu_run();
}
