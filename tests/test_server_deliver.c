/*
 * test_server_deliver.c - CUnit tests for the reference server's delivery
 * (server_deliver.c, issue 15): what the delivery callback is handed, what
 * is never handed over, srv_set_trace(), LMTP, and each delivery fault.
 *
 * Sessions run on the in-memory transport (srv_attach_mem); one test runs
 * over TCP for the client's address in Received:.  In expected text '#'
 * stands for one or more upper-case hex digits (queue ids) and '~' for an
 * RFC 5322 date-time in UTC.
 */
#include "server.h"
#include "server_faults.h"
#include "buf.h"
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

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAXMSG		8

#define EHLO	"EHLO client.example\r\n"
#define MAIL	"MAIL FROM:<sender@client.example>\r\n"
#define RCPT	"RCPT TO:<user@example.com>\r\n"
#define OPEN	EHLO MAIL RCPT
#define RP	"Return-Path: <sender@client.example>\r\n"
/* The Received: line of a message from client.example to one recipient. */
#define RCVD(with, rcpt) "Received: from client.example ([127.0.0.1])\r\n" \
		"\tby mx.harness.test with " with " id #\r\n" \
		"\tfor <" rcpt ">; ~\r\n"
#define QUEUED	"250 2.0.0 Ok: queued as #\r\n"

/* One message as the callback saw it (deep copies). */
struct msg {
	char *helo, *from, *params, *data;
	size_t len, nrcpt;
	char *rcpt[4], *rcpt_params[4];
};

/* A server with one in-memory session and what it delivered. */
struct ts {
	struct loop *loop;
	struct srv *srv;
	struct srv_mem *mem;
	struct buf out;
	struct msg got[MAXMSG];
	size_t n;
};

static void
on_deliver(void *arg, const struct srv_message *m)
{
	struct ts *t = arg;
	struct msg *g;
	size_t i;

	CU_ASSERT_FATAL(t->n < MAXMSG);
	g = &t->got[t->n++];
	g->helo = xstrdup(m->helo);
	g->from = xstrdup(m->mail_from);
	g->params = xstrdup(m->mail_params);
	g->nrcpt = m->nrcpt;
	for (i = 0; i < m->nrcpt && i < NELEM(g->rcpt); i++) {
		g->rcpt[i] = xstrdup(m->rcpt[i]);
		g->rcpt_params[i] = xstrdup(m->rcpt_params[i]);
	}
	g->data = xmalloc(m->len + 1);
	memcpy(g->data, m->data, m->len);
	g->data[m->len] = '\0';
	g->len = m->len;
}

enum { TRACE_OFF = 1, LMTP = 2, NO_CALLBACK = 4 };

static void
ts_open(struct ts *t, const char *faults, int flags)
{
	char err[160] = "";

	memset(t, 0, sizeof(*t));
	buf_init(&t->out);
	t->loop = loop_new();
	t->srv = srv_new(t->loop, faults, err, sizeof(err));
	if (!t->srv)
		fprintf(stderr, "srv_new(%s): %s\n", faults, err);
	CU_ASSERT_FATAL(t->srv != NULL);
	if (!(flags & NO_CALLBACK))
		srv_set_delivery(t->srv, on_deliver, t);
	srv_set_trace(t->srv, !(flags & TRACE_OFF));
	srv_set_lmtp(t->srv, (flags & LMTP) != 0);
	t->mem = srv_attach_mem(t->srv, &t->out, err, sizeof(err));
	CU_ASSERT_FATAL(t->mem != NULL);
}

static void
ts_send(struct ts *t, const char *p)
{
	srv_mem_send(t->mem, p, strlen(p));
}

static void
ts_send_n(struct ts *t, const char *p, size_t n)
{
	srv_mem_send(t->mem, p, n);
}

static void
msgs_free(struct ts *t)
{
	size_t i, j;

	for (i = 0; i < t->n; i++) {
		struct msg *g = &t->got[i];

		for (j = 0; j < g->nrcpt && j < NELEM(g->rcpt); j++) {
			free(g->rcpt[j]);
			free(g->rcpt_params[j]);
		}
		free(g->helo);
		free(g->from);
		free(g->params);
		free(g->data);
	}
}

static void
ts_close(struct ts *t)
{
	srv_mem_free(t->mem);
	srv_free(t->srv);
	loop_free(t->loop);
	buf_free(&t->out);
	msgs_free(t);
}

/* Whether s[0..n) is "Ddd, DD Mmm YYYY HH:MM:SS +0000" (RFC 5322 3.3). */
static size_t
date_len(const char *s, size_t n)
{
	static const char shape[] = "Aaa, 00 Aaa 0000 00:00:00 +0000";
	size_t i, k = sizeof(shape) - 1;

	if (n < k)
		return 0;
	for (i = 0; i < k; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((shape[i] == 'A' && !isupper(c)) ||
		    (shape[i] == 'a' && !islower(c)) ||
		    (shape[i] == '0' && !isdigit(c)) ||
		    (!isalnum((unsigned char)shape[i]) && c != (unsigned char)shape[i]))
			return 0;
	}
	return k;
}

/* Whether got[0..n) is exactly the pattern want ('#' hex, '~' date). */
static int
match(const char *want, const char *got, size_t n)
{
	size_t i = 0, k;

	for (; *want; want++) {
		if (*want == '#') {
			for (k = 0; i < n && (isdigit((unsigned char)got[i]) ||
			    (got[i] >= 'A' && got[i] <= 'F')); i++, k++)
				;
			if (k == 0)
				return 0;
		} else if (*want == '~') {
			if ((k = date_len(got + i, n - i)) == 0)
				return 0;
			i += k;
		} else if (i >= n || got[i++] != *want)
			return 0;
	}
	return i == n;
}

/* The session's replies so far are want (consumed). */
static int
replies(struct ts *t, const char *want)
{
	int ok = match(want, t->out.data ? t->out.data : "", t->out.len);

	if (!ok)
		fprintf(stderr, "\n  replies: want \"%s\"\n  got \"%s\"\n", want,
		    t->out.data ? t->out.data : "");
	buf_reset(&t->out);
	return ok;
}

/* Message i's content is want. */
static int
content(const struct ts *t, size_t i, const char *want)
{
	int ok = i < t->n && match(want, t->got[i].data, t->got[i].len);

	if (!ok)
		fprintf(stderr, "\n  content %zu: want \"%s\"\n  got \"%s\"\n",
		    i, want, i < t->n ? t->got[i].data : "(none)");
	return ok;
}

/* The envelope, the un-stuffed content with its CRLFs, the trace lines,
 * and the queue id of the 250 in Received:. */
static void
test_delivered(void)
{
	struct ts t;
	char id[32];
	const char *p;

	ts_open(&t, NULL, 0);
	ts_send(&t, EHLO "MAIL FROM:<sender@client.example> SIZE=100 "
	    "BODY=8BITMIME  \r\n" "RCPT TO:<User@example.com> "
	    "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;User@example.com\r\n"
	    "DATA\r\nSubject: dots\r\n\r\n..stuffed\r\n...\r\n"
	    "caf\xc3\xa9 \x01\r\nlast\r\n.\r\n");
	CU_ASSERT_FATAL(t.n == 1);
	CU_ASSERT_STRING_EQUAL(t.got[0].helo, "client.example");
	CU_ASSERT_STRING_EQUAL(t.got[0].from, "sender@client.example");
	CU_ASSERT_STRING_EQUAL(t.got[0].params, "SIZE=100 BODY=8BITMIME");
	CU_ASSERT(t.got[0].nrcpt == 1);
	CU_ASSERT_STRING_EQUAL(t.got[0].rcpt[0], "User@example.com");
	CU_ASSERT_STRING_EQUAL(t.got[0].rcpt_params[0],
	    "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;User@example.com");
	CU_ASSERT(content(&t, 0, RP RCVD("ESMTP", "User@example.com")
	    "Subject: dots\r\n\r\n.stuffed\r\n..\r\n"
	    "caf\xc3\xa9 \x01\r\nlast\r\n"));
	/* The id in Received: is the one the 250 gave. */
	p = strstr(t.out.data, "queued as ");
	CU_ASSERT_FATAL(p != NULL);
	snprintf(id, sizeof(id), " id %.13s\r\n", p + 10);
	CU_ASSERT(strstr(t.got[0].data, id) != NULL);
	ts_close(&t);
}

/* Null sender, two recipients (no "for"), HELO (with SMTP), and a bare
 * LF kept where the server accepts it (bare-newline-data). */
static void
test_delivered_forms(void)
{
	struct ts t;

	ts_open(&t, "bare-newline-data", 0);
	ts_send(&t, "HELO client.example\r\nMAIL FROM:<>\r\n"
	    "RCPT TO:<a@example.com>\r\nRCPT TO:<nobody@relay.invalid>\r\n"
	    "RCPT TO:<\"b c\"@example.com>\r\nDATA\r\none\ntwo\r\n.\r\n");
	CU_ASSERT_FATAL(t.n == 1);
	CU_ASSERT_STRING_EQUAL(t.got[0].from, "");
	CU_ASSERT_STRING_EQUAL(t.got[0].params, "");
	CU_ASSERT_FATAL(t.got[0].nrcpt == 2);
	CU_ASSERT_STRING_EQUAL(t.got[0].rcpt[0], "a@example.com");
	CU_ASSERT_STRING_EQUAL(t.got[0].rcpt[1], "\"b c\"@example.com");
	CU_ASSERT_STRING_EQUAL(t.got[0].rcpt_params[1], "");
	CU_ASSERT(content(&t, 0, "Return-Path: <>\r\n"
	    "Received: from client.example ([127.0.0.1])\r\n"
	    "\tby mx.harness.test with SMTP id #; ~\r\none\ntwo\r\n"));
	ts_close(&t);
	/* MAIL before HELO (a benign mode): the client's address names it. */
	ts_open(&t, "mail-before-helo-ok", 0);
	ts_send(&t, MAIL RCPT "DATA\r\nx\r\n.\r\n");
	CU_ASSERT(content(&t, 0, RP "Received: from [127.0.0.1] ([127.0.0.1])"
	    "\r\n\tby mx.harness.test with SMTP id #\r\n"
	    "\tfor <user@example.com>; ~\r\nx\r\n"));
	ts_close(&t);
}

/* BDAT data is the message verbatim (RFC 3030 2), over several chunks. */
static void
test_bdat_verbatim(void)
{
	struct ts t;
	static const char in[] = OPEN "BDAT 6\r\n..a\r\n\0" "BDAT 0\r\n"
	    "BDAT 4 LAST\r\n.\r\n\n";

	ts_open(&t, NULL, 0);
	ts_send_n(&t, in, sizeof(in) - 1);
	CU_ASSERT_FATAL(t.n == 1);
	CU_ASSERT(t.got[0].len > 11 && memcmp(t.got[0].data + t.got[0].len -
	    10, "..a\r\n\0.\r\n\n", 10) == 0);
	CU_ASSERT(strncmp(t.got[0].data, "Return-Path: <sender@client.example>"
	    "\r\nReceived: ", 48) == 0);
	ts_close(&t);
	/* A refused BDAT's octets are not part of any message. */
	ts_open(&t, NULL, TRACE_OFF);
	ts_send(&t, EHLO "BDAT 5\r\nnope!" MAIL RCPT "BDAT 3 LAST\r\nyes");
	CU_ASSERT(t.n == 1 && content(&t, 0, "yes"));
	ts_close(&t);
}

/* Nothing is handed over for a refused, reset or aborted transaction; a
 * reset forgets the envelope; transaction-persists delivers twice. */
static void
test_not_delivered(void)
{
	struct ts t;

	ts_open(&t, NULL, 0);
	/* refused: a bare LF, a line over 1000 octets */
	ts_send(&t, OPEN "DATA\r\nbare\nlf\r\n.\r\n");
	ts_send(&t, MAIL RCPT "DATA\r\n");
	for (int i = 0; i < 11; i++)
		ts_send(&t, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	ts_send(&t, "\r\n.\r\n");
	/* reset: RSET, then EHLO, then a new MAIL */
	ts_send(&t, MAIL RCPT "RSET\r\n" MAIL RCPT EHLO
	    "MAIL FROM:<first@client.example>\r\nRCPT TO:<x@example.com>\r\n"
	    "RSET\r\nMAIL FROM:<second@client.example>\r\n"
	    "RCPT TO:<y@example.com>\r\nDATA\r\nkept\r\n.\r\n");
	CU_ASSERT_FATAL(t.n == 1);
	CU_ASSERT_STRING_EQUAL(t.got[0].from, "second@client.example");
	CU_ASSERT(t.got[0].nrcpt == 1);
	CU_ASSERT_STRING_EQUAL(t.got[0].rcpt[0], "y@example.com");
	/* aborted: the connection drops in the middle of the data */
	ts_send(&t, MAIL RCPT "DATA\r\npartial\r\n");
	srv_mem_shut(t.mem);
	CU_ASSERT(srv_mem_closed(t.mem));
	CU_ASSERT(t.n == 1);
	ts_close(&t);
	ts_open(&t, NULL, 0);
	ts_send(&t, OPEN "BDAT 3\r\nabcBDAT 10 LAST\r\nabc");
	srv_mem_shut(t.mem);
	CU_ASSERT(t.n == 0);
	ts_close(&t);
	/* transaction-persists: the envelope stays for a second message */
	ts_open(&t, "transaction-persists", TRACE_OFF);
	ts_send(&t, OPEN "DATA\r\none\r\n.\r\nDATA\r\ntwo\r\n.\r\n");
	CU_ASSERT(t.n == 2 && content(&t, 0, "one\r\n") &&
	    content(&t, 1, "two\r\n"));
	CU_ASSERT(t.n == 2 && t.got[1].nrcpt == 1);
	ts_close(&t);
	/* without a callback nothing is kept, and the replies are the same */
	ts_open(&t, NULL, NO_CALLBACK);
	ts_send(&t, OPEN "DATA\r\nx\r\n.\r\n");
	CU_ASSERT(t.n == 0);
	ts_close(&t);
}

/* The content is the same however the data is cut: a dot, a ".\r" or a
 * CR at the end of one read (the reader keeps runs of each read). */
static void
test_split_feeds(void)
{
	static const struct {
		const char *faults, *want;
	} cases[] = {
		{ NULL, ".a\r\n..\r\nx\r\nend\r\n" },
		{ "dots-kept", "..a\r\n...\r\n.x\r\nend\r\n" },
		/* a bare LF starts no line (RFC 5321 2.3.8): "..." is text */
		{ "bare-newline-data", ".a\r\n\rb\r\n\n...\r\nx\r\nend\r\n" },
		{ "bare-newline-data,dots-kept",
		    "..a\r\n.\rb\r\n.\n...\r\n.x\r\nend\r\n" },
		{ "nul-stripped", ".a\r\n..\r\nx\r\nend\r\n" },
		{ "lf-dot-lf", ".a\r\nb\n" },
	};
	static const char in[] = "DATA\r\n..a\r\n.\rb\r\n.\n...\r\n.x\r\n"
	    "e\0nd\r\n.\r\n";
	static const char in_clean[] = "DATA\r\n..a\r\n...\r\n.x\r\n"
	    "e\0nd\r\n.\r\n";
	static const char in_lf[] = "DATA\r\n..a\r\nb\n.\n";
	size_t c, step, i;

	for (c = 0; c < NELEM(cases); c++) {
		const char *d = in;
		size_t n = sizeof(in) - 1;

		if (!cases[c].faults || strcmp(cases[c].faults, "dots-kept") == 0 ||
		    strcmp(cases[c].faults, "nul-stripped") == 0) {
			d = in_clean;
			n = sizeof(in_clean) - 1;
		} else if (strcmp(cases[c].faults, "lf-dot-lf") == 0) {
			d = in_lf;
			n = sizeof(in_lf) - 1;
		}
		for (step = 1; step <= 4; step++) {
			struct ts t;
			char want[128];

			/* the NUL is kept but under nul-stripped */
			snprintf(want, sizeof(want), "%s", cases[c].want);
			ts_open(&t, cases[c].faults, TRACE_OFF);
			ts_send(&t, OPEN);
			for (i = 0; i < n; i += step)
				ts_send_n(&t, d + i, n - i < step ? n - i : step);
			if (t.n != 1)
				fprintf(stderr, "\n  %s, %zu-byte reads: %zu messages\n",
				    cases[c].faults ? cases[c].faults : "clean",
				    step, t.n);
			CU_ASSERT(t.n == 1);
			if (t.n == 1) {
				/* compare without the NUL, then find it */
				struct buf got;
				const char *z = memchr(t.got[0].data, '\0', t.got[0].len);
				int stripped = cases[c].faults &&
				    strstr(cases[c].faults, "nul-stripped");
				int lf = cases[c].faults &&
				    strstr(cases[c].faults, "lf-dot-lf");

				buf_init(&got);
				for (size_t k = 0; k < t.got[0].len; k++)
					if (t.got[0].data[k])
						buf_append(&got, t.got[0].data + k, 1);
				CU_ASSERT(got.len == strlen(want) &&
				    memcmp(got.data, want, got.len) == 0);
				CU_ASSERT((z != NULL) == (!stripped && !lf));
				if (got.len != strlen(want) || memcmp(got.data, want,
				    got.len) != 0)
					fprintf(stderr, "\n  %s, %zu-byte reads: \"%s\"\n",
					    cases[c].faults ? cases[c].faults :
					    "clean", step, got.data);
				buf_free(&got);
			}
			ts_close(&t);
		}
	}
}

/* Over the size limit: 552, nothing handed over, nothing kept past it. */
static void
test_too_big(void)
{
	struct ts t;
	char *line = xmalloc(1000);
	size_t i;

	memset(line, 'x', 998);
	memcpy(line + 998, "\r\n", 2);
	ts_open(&t, NULL, 0);
	ts_send(&t, OPEN "DATA\r\n");
	for (i = 0; i < 16 * 1024; i++)
		ts_send_n(&t, line, 1000);
	ts_send(&t, ".\r\nQUIT\r\n");
	CU_ASSERT(t.n == 0);
	CU_ASSERT(strstr(t.out.data, "552 5.3.4 Message size exceeds") != NULL);
	ts_close(&t);
	free(line);
}

/* srv_set_trace(0): the content exactly as received (the sink's view). */
static void
test_trace_off(void)
{
	struct ts t;

	ts_open(&t, NULL, TRACE_OFF);
	ts_send(&t, OPEN "DATA\r\nSubject: s\r\n\r\n..x\r\n.\r\n");
	CU_ASSERT(t.n == 1 && content(&t, 0, "Subject: s\r\n\r\n.x\r\n"));
	ts_close(&t);
}

/* LMTP (RFC 2033): LHLO, EHLO and HELO refused, one reply per recipient
 * after DATA and after BDAT LAST, refusals included. */
static void
test_lmtp(void)
{
	struct ts t;

	ts_open(&t, NULL, LMTP);
	CU_ASSERT(replies(&t, "220 mx.harness.test LMTP smtp-harness "
	    "reference server\r\n"));
	ts_send(&t, EHLO "HELO client.example\r\n");
	CU_ASSERT(replies(&t, "500 5.5.1 Error: this is LMTP, use LHLO\r\n"
	    "500 5.5.1 Error: this is LMTP, use LHLO\r\n"));
	ts_send(&t, "LHLO client.example\r\n");
	CU_ASSERT(t.out.len > 0 && strstr(t.out.data, "250-PIPELINING\r\n") &&
	    strstr(t.out.data, "250 ENHANCEDSTATUSCODES\r\n"));
	buf_reset(&t.out);
	ts_send(&t, MAIL "RCPT TO:<a@example.com>\r\n"
	    "RCPT TO:<nobody@relay.invalid>\r\nRCPT TO:<b@example.com>\r\n"
	    "DATA\r\nhi\r\n.\r\n");
	CU_ASSERT(replies(&t, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	    "550 5.7.1 Relay access denied\r\n250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n" QUEUED QUEUED));
	CU_ASSERT(t.n == 1 && content(&t, 0, RP "Received: from client.example "
	    "([127.0.0.1])\r\n\tby mx.harness.test with LMTP id #; ~\r\nhi\r\n"));
	ts_send(&t, MAIL "RCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\n"
	    "BDAT 2\r\nhiBDAT 0 LAST\r\n");
	CU_ASSERT(replies(&t, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
	    "250 2.0.0 Ok: 2 octets received\r\n" QUEUED QUEUED));
	CU_ASSERT(t.n == 2);
	ts_send(&t, MAIL "RCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\n"
	    "DATA\r\nbare\nlf\r\n.\r\n");
	CU_ASSERT(replies(&t, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n"
	    "554 5.6.0 Message contains bare CR or LF\r\n"
	    "554 5.6.0 Message contains bare CR or LF\r\n"));
	CU_ASSERT(t.n == 2);
	ts_close(&t);
}

/* Replace every queue id in s with 'X's (ids differ between servers). */
static void
blank_ids(struct buf *b)
{
	char *p = b->data;

	while (p && (p = strstr(p, "queued as ")) != NULL) {
		for (p += 10; isxdigit((unsigned char)*p); p++)
			*p = 'X';
	}
}

/* One delivery fault: the session's replies are the clean server's, and
 * what was delivered is want (NULL: nothing), trace lines off but for
 * trace. */
static void
fault_case(const char *fault, const char *in, size_t len, int flags,
    int shut, const char *want)
{
	struct ts clean, bad;

	ts_open(&clean, NULL, flags);
	ts_open(&bad, fault, flags);
	ts_send_n(&clean, in, len);
	ts_send_n(&bad, in, len);
	if (shut) {
		srv_mem_shut(clean.mem);
		srv_mem_shut(bad.mem);
	}
	blank_ids(&clean.out);
	blank_ids(&bad.out);
	if (clean.out.len != bad.out.len || memcmp(clean.out.data,
	    bad.out.data, bad.out.len) != 0) {
		fprintf(stderr, "\n  %s: the replies differ\n", fault);
		CU_FAIL("a delivery fault changed a reply");
	}
	if (want == NULL) {
		if (bad.n != 0)
			fprintf(stderr, "\n  %s: delivered %zu\n", fault, bad.n);
		CU_ASSERT(bad.n == 0);
	} else {
		CU_ASSERT(bad.n == 1);
		if (!content(&bad, 0, want))
			fprintf(stderr, "  (%s)\n", fault);
		CU_ASSERT(bad.n == 1 && match(want, bad.got[0].data,
		    bad.got[0].len));
	}
	ts_close(&clean);
	ts_close(&bad);
}

#define FC(f, in, flags, shut, want) fault_case(f, in, sizeof(in) - 1, flags, shut, want)

static void
test_delivery_faults(void)
{
	struct ts t;

	FC("dots-kept", OPEN "DATA\r\n..one\r\n...\r\n.x\r\n.\r\nQUIT\r\n",
	    TRACE_OFF, 0, "..one\r\n...\r\n.x\r\n");
	FC("eight-bit-stripped", OPEN "DATA\r\ncaf\xc3\xa9\r\n.\r\n",
	    TRACE_OFF, 0, "cafC)\r\n");
	FC("no-received", OPEN "DATA\r\nx\r\n.\r\n", 0, 0, RP "x\r\n");
	FC("no-return-path", OPEN "DATA\r\nx\r\n.\r\n", 0, 0,
	    RCVD("ESMTP", "user@example.com") "x\r\n");
	/* the relay domain: a next hop gets no Return-Path:, with or
	 * without the fault; a final delivery mixed in makes it final */
	FC("no-return-path", EHLO MAIL "RCPT TO:<u@relay.example.com>\r\n"
	    "DATA\r\nx\r\n.\r\n", 0, 0,
	    RCVD("ESMTP", "u@relay.example.com") "x\r\n");
	ts_open(&t, NULL, 0);
	ts_send(&t, EHLO MAIL "RCPT TO:<u@RELAY.example.com>\r\nDATA\r\nx\r\n.\r\n"
	    MAIL "RCPT TO:<u@relay.example.com>\r\n" RCPT "DATA\r\ny\r\n.\r\n");
	CU_ASSERT(t.n == 2 && content(&t, 0, RCVD("ESMTP", "u@RELAY.example.com") "x\r\n"));
	CU_ASSERT(t.n == 2 && strncmp(t.got[1].data, RP, strlen(RP)) == 0);
	ts_close(&t);
	FC("local-part-folded", EHLO MAIL
	    "RCPT TO:<John.Smith@Example.COM>\r\nDATA\r\nx\r\n.\r\n", 0, 0,
	    RP RCVD("ESMTP", "john.smith@Example.COM") "x\r\n");
	FC("controls-stripped", OPEN "DATA\r\na\x01" "b\x1b[0m\x7f\tc\x0c\r\n"
	    ".\r\n", TRACE_OFF, 0, "ab[0m\tc\r\n");
	FC("extra-blank-line", OPEN "DATA\r\nx\r\n.\r\n", TRACE_OFF, 0,
	    "x\r\n\r\n");
	FC("aborted-delivered", OPEN "DATA\r\nhalf\r\nof it", TRACE_OFF, 1,
	    "half\r\nof it");
	FC("aborted-delivered", OPEN "BDAT 4\r\nhalfBDAT 9 LAST\r\nof",
	    TRACE_OFF, 1, "halfof");
	FC("aborted-delivered", OPEN "DATA\r\nx\r\n.\r\n", TRACE_OFF, 1,
	    "x\r\n");
	FC("completed-lost", OPEN "DATA\r\nx\r\n.\r\n", TRACE_OFF, 1, NULL);
	FC("completed-lost", OPEN "DATA\r\nx\r\n.\r\nQUIT\r\n", TRACE_OFF, 0,
	    "x\r\n");
	/* the fault's own check: local-part-folded folds Postmaster too */
	FC("local-part-folded", EHLO MAIL "RCPT TO:<Postmaster>\r\n"
	    "DATA\r\nx\r\n.\r\n", 0, 0,
	    RP RCVD("ESMTP", "postmaster") "x\r\n");
	/* completed-lost holds the message until QUIT, not after it */
	ts_open(&t, "completed-lost", TRACE_OFF);
	ts_send(&t, OPEN "DATA\r\nx\r\n.\r\n" MAIL RCPT "DATA\r\ny\r\n.\r\n");
	CU_ASSERT(t.n == 0);
	ts_send(&t, "QUIT\r\n");
	CU_ASSERT(t.n == 2 && content(&t, 0, "x\r\n") &&
	    content(&t, 1, "y\r\n"));
	ts_close(&t);
	/* ... and one dropped without QUIT is freed, not leaked */
	ts_open(&t, "completed-lost", 0);
	ts_send(&t, OPEN "DATA\r\nx\r\n.\r\n");
	ts_close(&t);
}

/* lf-dot-lf (a core fault): the smuggled transaction is delivered as a
 * message of its own, with its own envelope; the clean server refuses the
 * whole data (bare LF). */
static void
test_lf_dot_lf_smuggling(void)
{
	static const char in[] = OPEN "DATA\r\nSubject: a\r\n\r\nbody\n.\n"
	    "MAIL FROM:<evil@attacker.example>\r\nRCPT TO:<victim@example.com>"
	    "\r\nDATA\r\nsmuggled\r\n.\r\n";
	struct ts t;

	ts_open(&t, "lf-dot-lf", TRACE_OFF);
	ts_send(&t, in);
	CU_ASSERT_FATAL(t.n == 2);
	CU_ASSERT(content(&t, 0, "Subject: a\r\n\r\nbody\n"));
	CU_ASSERT_STRING_EQUAL(t.got[0].from, "sender@client.example");
	CU_ASSERT(content(&t, 1, "smuggled\r\n"));
	CU_ASSERT_STRING_EQUAL(t.got[1].from, "evil@attacker.example");
	CU_ASSERT_STRING_EQUAL(t.got[1].rcpt[0], "victim@example.com");
	ts_close(&t);
	ts_open(&t, NULL, TRACE_OFF);
	ts_send(&t, in);
	CU_ASSERT(t.n == 0);
	ts_close(&t);
}

/* Over TCP the Received: line names the client's address (127.0.0.2
 * here: not the [127.0.0.1] of a local peer). */
static void
test_received_tcp(void)
{
	struct loop *loop = loop_new();
	char err[128];
	struct srv *srv = srv_new(loop, NULL, err, sizeof(err));
	struct ts t;	/* only its messages */
	struct sockaddr_in sin, src;
	static const char in[] = OPEN "DATA\r\nx\r\n.\r\nQUIT\r\n";
	int port, fd, i;

	memset(&t, 0, sizeof(t));
	CU_ASSERT_FATAL(srv != NULL);
	srv_set_delivery(srv, on_deliver, &t);
	port = srv_listen(srv, "127.0.0.1", "0", err, sizeof(err));
	CU_ASSERT_FATAL(port > 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(fd != -1);
	src = sin;
	src.sin_port = 0;
	src.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&src, sizeof(src)) == 0);
	CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CU_ASSERT_FATAL(write(fd, in, sizeof(in) - 1) == (ssize_t)sizeof(in) - 1);
	for (i = 0; i < 200 && t.n == 0; i++)
		loop_run_once(loop, 10);
	CU_ASSERT(t.n == 1 && content(&t, 0, RP "Received: from client.example "
	    "([127.0.0.2])\r\n\tby mx.harness.test with ESMTP id #\r\n"
	    "\tfor <user@example.com>; ~\r\nx\r\n"));
	close(fd);
	srv_free(srv);
	loop_free(loop);
	msgs_free(&t);
}

int
main(void)
{
	CU_pSuite s;

	signal(SIGPIPE, SIG_IGN);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("server delivery", NULL, NULL);
	CU_add_test(s, "delivered message", test_delivered);
	CU_add_test(s, "null sender, recipients, HELO, bare LF",
	    test_delivered_forms);
	CU_add_test(s, "BDAT verbatim", test_bdat_verbatim);
	CU_add_test(s, "refused, reset, aborted: not delivered",
	    test_not_delivered);
	CU_add_test(s, "data cut anywhere", test_split_feeds);
	CU_add_test(s, "over the size limit", test_too_big);
	CU_add_test(s, "trace off", test_trace_off);
	CU_add_test(s, "LMTP", test_lmtp);
	CU_add_test(s, "delivery faults", test_delivery_faults);
	CU_add_test(s, "lf-dot-lf smuggling delivered", test_lf_dot_lf_smuggling);
	CU_add_test(s, "Received: over TCP", test_received_tcp);
	return tu_run();
}
