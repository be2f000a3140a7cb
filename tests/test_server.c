/*
 * test_server.c - CUnit tests for the reference SMTP server (server.c).
 *
 * Each conversation attaches one end of an AF_UNIX socketpair to a server
 * on its own loop and drives the other end: write bytes, run the loop until
 * the exact expected reply bytes have arrived (2 s at most), and check that
 * nothing else came.  Every table conversation runs three ways: step by
 * step, all input in one write before the greeting (pipelining and an early
 * talker at once), and one byte at a time.  In expected text, '#' stands for
 * one or more upper-case hex digits (queue ids).
 */
#include "server.h"
#include "server_hostile.h"
#include "buf.h"
#include "loop.h"
#include "util.h"
#include "testutil.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define WAIT_MS		2000

#define GREET	"220 mx.harness.test ESMTP smtp-harness reference server\r\n"
#define EHLO	"EHLO client.example\r\n"
#define EHLO_OK	"250-mx.harness.test greets client.example\r\n" \
		"250-PIPELINING\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n" \
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
#define OPEN	EHLO MAIL RCPT
#define OPEN_OK	EHLO_OK MAIL_OK RCPT_OK

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
		"250-PIPELINING\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n"
		"250 ENHANCEDSTATUSCODES\r\n") } },
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
		OK "501 5.5.4 Bad BODY parameter\r\n"),
	    ST("MAIL FROM:<a@b.example> BODY\r\n",
		"501 5.5.4 Bad BODY parameter\r\n"),
	    ST("MAIL FROM:<a@b.example> BODY=7BIT body=8BITMIME\r\n",
		"501 5.5.4 Duplicate body parameter\r\n") } },
	{ "mail unknown param", NULL, NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<a@b.example> SMTPUTF8\r\n",
		EHLO_OK "555 5.5.4 Unsupported option: SMTPUTF8\r\n"),
	    ST("MAIL FROM:<a@b.example> RET=HDRS\r\n",
		"555 5.5.4 Unsupported option: RET\r\n"),
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
	    ST("RCPT TO:<user@example.com> NOTIFY=NEVER\r\n",
		"555 5.5.4 Unsupported option: NOTIFY\r\n"),
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
	    ST("DATA \r\n", "501 5.5.4 Syntax: DATA\r\n"),
	    ST("DATA\r\n.\r\n", GO QUEUED) } },
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
	    ST("RSET \r\n", "501 5.5.4 Syntax: RSET\r\n"),
	    ST(RCPT, RCPT_OK) } },
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
	    ST("HELP\r\n", "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET "
		"NOOP QUIT VRFY HELP\r\n"),
	    ST("HELP MAIL\r\n", "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA "
		"RSET NOOP QUIT VRFY HELP\r\n") } },
	{ "not implemented", NULL, NULL, 0, 1, 0, {
	    ST("TURN\r\nSEND FROM:<a@b.example>\r\nSOML FROM:<a@b.example>\r\n",
		NOTIMPL NOTIMPL NOTIMPL),
	    ST("SAML FROM:<a@b.example>\r\nETRN example.com\r\nATRN\r\n",
		NOTIMPL NOTIMPL NOTIMPL),
	    ST("STARTTLS\r\nAUTH PLAIN AGFiYwBkZWY=\r\nBDAT 10 LAST\r\n",
		NOTIMPL NOTIMPL NOTIMPL) } },
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
		"250-PIPELINING\n250-SIZE 10485760\n250-8BITMIME\n"
		"250 ENHANCEDSTATUSCODES\n") } },
	{ "mixed-code-multiline", "mixed-code-multiline", NULL, 0, 1, 0, {
	    ST(EHLO, "250-mx.harness.test greets client.example\r\n"
		"250-PIPELINING\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n"
		"251 ENHANCEDSTATUSCODES\r\n") } },
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
		"250-PIPELINING\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n"
		"250 ENHANCEDSTATUSCODES\r\n"),
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
	    ST(OPEN MAIL, OPEN_OK MAIL_OK), ST("DATA\r\n", NEEDRCPT) } },
	{ "mail-before-helo", "mail-before-helo", NULL, 0, 1, 0, {
	    ST(MAIL RCPT "DATA\r\n.\r\n", MAIL_OK RCPT_OK GO QUEUED),
	    ST(MAIL, MAIL_OK) } },
	{ "ehlo-auth-equals", "ehlo-auth-equals", NULL, 0, 1, 0, {
	    ST(EHLO, "250-mx.harness.test greets client.example\r\n"
		"250-AUTH=LOGIN PLAIN\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n"
		"250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n") } },
	{ "greeting-no-domain", "greeting-no-domain", "220 ***** ready\r\n", 0, 1, 0, {
	    ST("NOOP\r\n", OK) } },
	{ "quit-needs-helo", "quit-needs-helo", NULL, 0, 1, 0, {
	    ST("QUIT\r\n", "503 5.5.1 Error: send HELO/EHLO first\r\n") } },
	{ "size-param-rejected", "size-param-rejected", NULL, 0, 1, 0, {
	    ST(EHLO "MAIL FROM:<a@b.example> SIZE=100\r\n",
		EHLO_OK "555 5.5.4 Unsupported option: SIZE\r\n") } },
	/* -- core suite faults -- */
	/* -- end of core suite faults -- */

	/* -- extension faults -- */
	/* -- end of extension faults -- */
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

static void
run_table(const struct conv *convs, size_t n)
{
	size_t i;
	int m;

	for (i = 0; i < n; i++)
		for (m = M_STEPS; m <= M_BYTES; m++) {
			if ((convs[i].flags & F_NOPIPE) && m == M_PIPELINED)
				continue;
			if ((convs[i].flags & F_NOBYTES) && m == M_BYTES)
				continue;
			CU_ASSERT(run_conv(&convs[i], (enum mode)m));
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
		size_t size, line;
		const char *expect;
	} cases[] = {
		{ 1000, 1000, QUEUED },
		{ 1001, 1001, LONGTXT },
		{ 3000, 1000, QUEUED },
		{ SRV_SIZE_LIMIT, 1000, QUEUED },
		{ SRV_SIZE_LIMIT + 1, 1000, TOOBIG },
		{ SRV_SIZE_LIMIT + 1, 2000, TOOBIG },	/* size wins */
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct tc t;
		char what[80];

		snprintf(what, sizeof(what), "body %zu/%zu", cases[i].size,
		    cases[i].line);
		tc_open(&t, NULL);
		t.what = what;
		CU_ASSERT(tc_expect(&t, GREET));
		tc_send(&t, OPEN "DATA\r\n", strlen(OPEN "DATA\r\n"));
		CU_ASSERT(tc_expect(&t, OPEN_OK GO));
		send_body(&t, cases[i].size, cases[i].line);
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
test_many_recipients(void)
{
	struct tc t;
	struct buf in, out;
	int i;

	buf_init(&in);
	buf_init(&out);
	buf_puts(&in, EHLO MAIL);
	buf_puts(&out, EHLO_OK MAIL_OK);
	for (i = 0; i < 1001; i++) {
		buf_printf(&in, "RCPT TO:<u%d@example.com>\r\n", i);
		buf_puts(&out, i < 1000 ? RCPT_OK :
		    "452 4.5.3 Too many recipients\r\n");
	}
	buf_puts(&in, "DATA\r\n.\r\n" MAIL RCPT);
	buf_puts(&out, GO QUEUED MAIL_OK RCPT_OK);
	tc_open(&t, NULL);
	t.what = "1001 recipients";
	CU_ASSERT(tc_expect(&t, GREET));
	tc_send(&t, in.data, in.len);
	CU_ASSERT(tc_expect(&t, out.data));
	tc_close(&t);
	buf_free(&in);
	buf_free(&out);
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
		/* -- end of core suite faults -- */

		/* -- extension faults -- */
		/* -- end of extension faults -- */

		/* -- hostile faults (tests/test_server_hostile.c) -- */
		"slow-greeting", "endless-line", "binary-reply",
		"reset-after-greeting", "endless-multiline", "random-bytes",
		"close-on-connect", "delayed-greeting",
		/* -- end of hostile faults -- */
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
		    strcmp(names[i], "delayed-greeting") &&
		    strcmp(names[i], "long-line-close") &&
		    strcmp(names[i], "short-line-limit"))
			CU_FAIL("fault without a conversation");
	}
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
	CU_add_test(s, "fault table", test_fault_table);
	CU_add_test(s, "command line limits", test_line_limits);
	CU_add_test(s, "long line in pieces", test_line_too_long_split);
	CU_add_test(s, "text line boundary", test_text_line_boundary);
	CU_add_test(s, "message size limits", test_data_limits);
	CU_add_test(s, "1001 recipients", test_many_recipients);
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
