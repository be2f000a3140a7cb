/*
 * test_server_tls.c - the reference server's STARTTLS (RFC 3207) and
 * implicit TLS, and every TLS fault, as conversations over a socketpair with
 * a client built on tls.h.
 *
 * A step sends plaintext (inside TLS once the handshake is done) and waits
 * for the reply bytes: `want` exactly, or as a prefix when it ends in "...".
 * A handshake step runs the client side of the handshake and wants it to
 * succeed (HS_OK), fail (HS_FAIL) or end in the server's close (HS_CLOSED).
 */
#include "server.h"
#include "tls.h"
#include "testutil.h"

#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>

#include "util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define WAIT_MS		2000

#define GREET	"220 mx.harness.test ESMTP smtp-harness reference server\r\n"
#define EHLO	"EHLO client.example\r\n"
#define EHLO_TLS "250-mx.harness.test greets client.example\r\n250-STARTTLS\r\n..."
#define EHLO_NOTLS "250-mx.harness.test greets client.example\r\n250-PIPELINING\r\n..."
#define SECURE	"EHLO " SRV_TLS_REQUIRED_CLIENT "\r\n"
#define SECURE_OK "250-mx.harness.test greets " SRV_TLS_REQUIRED_CLIENT "\r\n..."
#define MAIL	"MAIL FROM:<sender@client.example>\r\n"
#define RCPT	"RCPT TO:<user@example.com>\r\n"
#define OK	"250 2.0.0 Ok\r\n"
#define MAIL_OK	"250 2.1.0 Ok\r\n"
#define RCPT_OK	"250 2.1.5 Ok\r\n"
#define GO_TLS	"220 2.0.0 Ready to start TLS\r\n"
#define STLS	"STARTTLS\r\n"
#define BYE	"221 2.0.0 Bye\r\n"
#define NEEDHELO "503 5.5.1 Error: send HELO/EHLO first\r\n"
#define NEEDMAIL "503 5.5.1 Error: need MAIL command\r\n"
#define ACTIVE	"503 5.5.1 Error: TLS already active\r\n"
#define E530	"530 5.7.0 Must issue a STARTTLS command first\r\n"

enum hs { HS_NONE, HS_OK, HS_FAIL, HS_CLOSED };

struct step {
	const char *send;	/* NULL: send nothing */
	const char *want;	/* "": nothing may arrive; all zero: the end */
	enum hs hs;		/* instead of send/want: the handshake */
	const char *has;	/* text the reply must hold, or NULL */
	const char *lacks;	/* text it must not hold, or NULL */
};

static const struct conv {
	const char *name;
	const char *faults;
	int implicit;
	struct step steps[12];
	int held;		/* after the last step TLS is closed, the connection
				 * open until the client closes its side */
} convs[] = {
	{ "starttls and the reset (RFC 3207 4.2)", "", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { EHLO, EHLO_TLS, 0, "250-AUTH PLAIN", NULL }, { MAIL, MAIL_OK, 0, NULL, NULL },
	    { STLS, GO_TLS, 0, NULL, NULL }, { NULL, NULL, HS_OK, NULL, NULL },
	    { RCPT, NEEDMAIL, 0, NULL, NULL }, { MAIL, NEEDHELO, 0, NULL, NULL },
	    { EHLO, EHLO_NOTLS, 0, NULL, "STARTTLS" }, { STLS, ACTIVE, 0, NULL, NULL }, { RCPT, NEEDMAIL, 0, NULL, NULL },
	    { "QUIT\r\n", BYE, 0, NULL, NULL } }, 0 },
	{ "no parameters (501)", "", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { "STARTTLS now\r\n", "501 5.5.4 Syntax: STARTTLS\r\n", 0, NULL, NULL },
	    { "NOOP\r\n", OK, 0, NULL, NULL } }, 0 },
	{ "plaintext after STARTTLS is dropped (CVE-2011-0411)", "", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { EHLO, EHLO_TLS, 0, NULL, NULL },
	    { STLS "NOOP\r\nXINJECT\r\n", GO_TLS, 0, NULL, NULL }, { NULL, NULL, HS_OK, NULL, NULL },
	    { NULL, "", 0, NULL, NULL }, { "NOOP\r\n", OK, 0, NULL, NULL } }, 0 },
	{ "TLS required: 530 before STARTTLS", "", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { SECURE, SECURE_OK, 0, NULL, NULL }, { MAIL, E530, 0, NULL, NULL },
	    { "NOOP\r\n", OK, 0, NULL, NULL }, { "RSET\r\n", E530, 0, NULL, NULL }, { RCPT, E530, 0, NULL, NULL },
	    { STLS, GO_TLS, 0, NULL, NULL }, { NULL, NULL, HS_OK, NULL, NULL },
	    { SECURE, SECURE_OK, 0, NULL, NULL }, { MAIL, MAIL_OK, 0, NULL, NULL } }, 0 },
	{ "AUTH only inside TLS for that client", "", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { SECURE, SECURE_OK, 0, NULL, "250-AUTH" },
	    { "AUTH PLAIN\r\n", E530, 0, NULL, NULL }, { STLS, GO_TLS, 0, NULL, NULL }, { NULL, NULL, HS_OK, NULL, NULL },
	    { SECURE, SECURE_OK, 0, "250-AUTH PLAIN", "STARTTLS" },
	    { EHLO, EHLO_NOTLS, 0, "250-AUTH PLAIN", NULL } }, 0 },
	{ "implicit TLS: the greeting inside TLS", "", 1, {
	    { NULL, NULL, HS_OK, NULL, NULL }, { NULL, GREET, 0, NULL, NULL }, { EHLO, EHLO_NOTLS, 0, NULL, NULL },
	    { STLS, ACTIVE, 0, NULL, NULL }, { MAIL, MAIL_OK, 0, NULL, NULL }, { "QUIT\r\n", BYE, 0, NULL, NULL } }, 0 },

	/* The faults, one deviation each. */
	{ "executes the injected plaintext", "tls-injection", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { EHLO, EHLO_TLS, 0, NULL, NULL },
	    { STLS "NOOP\r\n", GO_TLS, 0, NULL, NULL }, { NULL, NULL, HS_OK, NULL, NULL },
	    { NULL, OK, 0, NULL, NULL } }, 0 },
	{ "keeps the state", "tls-keeps-state", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { EHLO, EHLO_TLS, 0, NULL, NULL }, { MAIL, MAIL_OK, 0, NULL, NULL },
	    { STLS, GO_TLS, 0, NULL, NULL }, { NULL, NULL, HS_OK, NULL, NULL }, { RCPT, RCPT_OK, 0, NULL, NULL } }, 0 },
	{ "advertises STARTTLS again", "tls-starttls-again", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { STLS, GO_TLS, 0, NULL, NULL }, { NULL, NULL, HS_OK, NULL, NULL },
	    { EHLO, EHLO_TLS, 0, NULL, NULL } }, 0 },
	{ "accepts a second STARTTLS", "tls-second-starttls", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { STLS, GO_TLS, 0, NULL, NULL }, { NULL, NULL, HS_OK, NULL, NULL },
	    { STLS, GO_TLS, 0, NULL, NULL } }, 0 },
	{ "accepts parameters", "tls-params-ok", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { "STARTTLS now\r\n", GO_TLS, 0, NULL, NULL }, { NULL, NULL, HS_OK, NULL, NULL } }, 0 },
	{ "does not implement it", "tls-unimplemented", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { EHLO, EHLO_TLS, 0, NULL, NULL },
	    { STLS, "502 5.5.1 Error: command not implemented\r\n", 0, NULL, NULL } }, 0 },
	{ "garbage instead of a handshake", "tls-handshake-garbage", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { STLS, GO_TLS, 0, NULL, NULL }, { NULL, NULL, HS_FAIL, NULL, NULL } }, 0 },
	{ "drops the connection mid-handshake", "tls-handshake-drop", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { STLS, GO_TLS, 0, NULL, NULL }, { NULL, NULL, HS_CLOSED, NULL, NULL } }, 0 },
	{ "plaintext behind the 220, then a good handshake", "tls-220-plaintext", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { STLS, GO_TLS "250 2.0.0 plaintext behind the 220\r\n", 0, NULL, NULL },
	    { NULL, NULL, HS_OK, NULL, NULL }, { "NOOP\r\n", OK, 0, NULL, NULL } }, 0 },
	{ "closes TLS after 221, waits for the client's close", "tls-close-wait", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { STLS, GO_TLS, 0, NULL, NULL }, { NULL, NULL, HS_OK, NULL, NULL },
	    { "QUIT\r\n", BYE, 0, NULL, NULL } }, 1 },
	{ "ignores its TLS requirement", "tls-required-ignored", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { SECURE, SECURE_OK, 0, NULL, NULL }, { MAIL, MAIL_OK, 0, NULL, NULL } }, 0 },
	{ "offers AUTH before TLS", "tls-auth-plaintext", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { SECURE, SECURE_OK, 0, "250-AUTH PLAIN", NULL } }, 0 },
	{ "requires TLS from everyone", "tls-required-all", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { EHLO, EHLO_TLS, 0, NULL, NULL }, { MAIL, E530, 0, NULL, NULL },
	    { "NOOP\r\n", OK, 0, NULL, NULL } }, 0 },
	{ "requires TLS for RCPT", "tls-required-rcpt", 0, {
	    { NULL, GREET, 0, NULL, NULL }, { EHLO, EHLO_TLS, 0, NULL, NULL }, { MAIL, MAIL_OK, 0, NULL, NULL },
	    { RCPT, E530, 0, NULL, NULL }, { STLS, GO_TLS, 0, NULL, NULL }, { NULL, NULL, HS_OK, NULL, NULL },
	    { EHLO, EHLO_NOTLS, 0, NULL, NULL }, { MAIL RCPT, MAIL_OK RCPT_OK, 0, NULL, NULL } }, 0 },
};

/* The client: our end of the socketpair, and TLS once it is started. */
struct tc {
	struct loop *loop;
	struct srv *srv;
	int fd;
	struct tls_ctx *ctx;
	struct tls_conn *tls;
	int up, eof;
	struct buf got;
};

static void
tc_write(struct tc *t, const char *p, size_t n)
{
	int64_t deadline = util_now_ms() + WAIT_MS;
	while (n > 0 && util_now_ms() < deadline) {
		ssize_t w = send(t->fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w == -1 && (errno == EAGAIN || errno == EINTR))
			loop_run_once(t->loop, 1);
		else
			return;
	}
}

/* One loop round, then whatever the server sent, through TLS if on. */
static enum tls_hs
tc_pump(struct tc *t, char *err, size_t errlen)
{
	char tmp[16384];
	enum tls_hs hs = TLS_HS_MORE;
	loop_run_once(t->loop, 5);
	for (;;) {
		ssize_t r = read(t->fd, tmp, sizeof(tmp));
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			t->eof = 1;
			break;
		}
		if (r < 0)
			break;
		if (t->tls)
			tls_feed(t->tls, tmp, (size_t)r);
		else
			buf_append(&t->got, tmp, (size_t)r);
	}
	if (!t->tls)
		return TLS_HS_DONE;
	if (!t->up) {
		hs = tls_handshake(t->tls, err, errlen);
		struct buf w;
		buf_init(&w);
		tls_drain(t->tls, &w);
		tc_write(t, w.data, w.len);
		buf_free(&w);
		if (hs != TLS_HS_DONE)
			return hs;
		t->up = 1;
	}
	if (tls_recv(t->tls, &t->got, err, errlen) != 0)
		t->eof = 1;
	return TLS_HS_DONE;
}

static void
tc_send(struct tc *t, const char *s)
{
	if (!t->up) {
		tc_write(t, s, strlen(s));
		return;
	}
	struct buf w;
	buf_init(&w);
	CU_ASSERT_EQUAL(tls_send(t->tls, s, strlen(s), &w), 0);
	tc_write(t, w.data, w.len);
	buf_free(&w);
}

/* The handshake, as far as it goes within WAIT_MS. */
static enum hs
tc_handshake(struct tc *t)
{
	char err[256];
	t->tls = tls_conn_new(t->ctx, 0, NULL);
	struct buf w;
	buf_init(&w);
	tls_handshake(t->tls, err, sizeof(err));
	tls_drain(t->tls, &w);
	tc_write(t, w.data, w.len);
	buf_free(&w);
	int64_t deadline = util_now_ms() + WAIT_MS;
	while (util_now_ms() < deadline) {
		enum tls_hs hs = tc_pump(t, err, sizeof(err));
		if (hs == TLS_HS_DONE)
			return HS_OK;
		if (hs == TLS_HS_FAILED)
			return HS_FAIL;
		if (t->eof)
			return HS_CLOSED;
	}
	return HS_NONE;
}

static int
matches(const struct buf *got, const char *want)
{
	size_t n = strlen(want);
	if (n >= 3 && strcmp(want + n - 3, "...") == 0)
		return got->len >= n - 3 && memcmp(got->data, want, n - 3) == 0 &&
		    got->len >= 2 && memcmp(got->data + got->len - 2, "\r\n", 2) == 0;
	return got->len == n && memcmp(got->data, want, n) == 0;
}

/* The server sent close_notify (t->eof), yet keeps the connection open
 * until the client closes its side, then closes at once. */
static void
check_held(struct tc *t)
{
	char tmp[256];
	CU_ASSERT(t->eof && t->up);
	for (int k = 0; k < 10; k++)
		loop_run_once(t->loop, 10);
	ssize_t r = read(t->fd, tmp, sizeof(tmp));
	CU_ASSERT(r < 0 && errno == EAGAIN);
	CU_ASSERT(shutdown(t->fd, SHUT_WR) == 0);
	int64_t deadline = util_now_ms() + WAIT_MS;
	do {
		loop_run_once(t->loop, 5);
		r = read(t->fd, tmp, sizeof(tmp));
	} while (r < 0 && errno == EAGAIN && util_now_ms() < deadline);
	CU_ASSERT(r == 0);
}

static void
run_conv(const struct conv *c)
{
	char err[256];
	int sv[2];
	struct tls_opts no = { 0 };
	struct tc t = { 0 };

	t.loop = loop_new();
	t.srv = srv_new(t.loop, c->faults, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t.srv);
	t.ctx = tls_client_ctx_new(&no, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t.ctx);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	CU_ASSERT_FATAL((c->implicit ? srv_attach_tls : srv_attach)(t.srv, sv[0], sv[0], err, sizeof(err)) == 0);
	t.fd = sv[1];
	buf_init(&t.got);
	for (size_t i = 0; i < NELEM(c->steps); i++) {
		const struct step *st = &c->steps[i];
		if (!st->send && !st->want && !st->hs)
			break;
		if (st->hs) {
			enum hs got = tc_handshake(&t);
			if (got != st->hs)
				fprintf(stderr, "\n    %s, step %zu: handshake %d, wanted %d\n", c->name, i, got, st->hs);
			CU_ASSERT_EQUAL(got, st->hs);
			if (got != HS_OK)
				break;
			continue;
		}
		if (st->send)
			tc_send(&t, st->send);
		int64_t deadline = util_now_ms() + (*st->want ? WAIT_MS : 100);
		while (util_now_ms() < deadline && !t.eof && !(*st->want && matches(&t.got, st->want)))
			tc_pump(&t, err, sizeof(err));
		/* Nothing more may follow the wanted bytes. */
		for (int k = 0; k < 5 && !t.eof; k++)
			tc_pump(&t, err, sizeof(err));
		int ok = matches(&t.got, st->want);
		buf_append(&t.got, "", 1);	/* a string for strstr */
		t.got.len--;
		if (st->has && !strstr(t.got.data, st->has))
			ok = 0;
		if (st->lacks && strstr(t.got.data, st->lacks))
			ok = 0;
		if (!ok)
			fprintf(stderr, "\n    %s, step %zu: got \"%.*s\", wanted \"%s\"\n", c->name, i,
			    (int)t.got.len, t.got.data ? t.got.data : "", *st->want ? st->want : "(nothing)");
		CU_ASSERT(ok);
		buf_reset(&t.got);
	}
	if (c->held)
		check_held(&t);
	close(t.fd);
	for (int k = 0; k < 3; k++)
		loop_run_once(t.loop, 5);
	buf_free(&t.got);
	tls_conn_free(t.tls);
	tls_ctx_free(t.ctx);
	srv_free(t.srv);
	loop_free(t.loop);
}

static void
test_conversations(void)
{
	for (size_t i = 0; i < NELEM(convs); i++)
		run_conv(&convs[i]);
}

/* Every TLS fault is shown by a conversation here. */
static void
test_every_fault(void)
{
	for (size_t f = 0; f < srv_fault_count(); f++) {
		const char *name = srv_fault_name(f);
		if (strncmp(name, "tls-", 4) != 0)
			continue;
		size_t j;
		for (j = 0; j < NELEM(convs); j++)
			if (strcmp(convs[j].faults, name) == 0)
				break;
		if (j == NELEM(convs))
			fprintf(stderr, "\n    fault %s has no conversation\n", name);
		CU_ASSERT(j < NELEM(convs));
	}
}

int
main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite s = CU_add_suite("server tls", NULL, NULL);
	CU_add_test(s, "conversations", test_conversations);
	CU_add_test(s, "every TLS fault bites", test_every_fault);
	return tu_run();
}
