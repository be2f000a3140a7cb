/*
 * server.c - the reference SMTP server: its lifecycle, its sessions and
 * their replies.
 *
 * Strict RFC 5321 with PIPELINING (RFC 2920), SIZE (RFC 1870), 8BITMIME
 * (RFC 6152), ENHANCEDSTATUSCODES (RFC 2034), CHUNKING and BINARYMIME
 * (RFC 3030), AUTH (RFC 4954), DSN (RFC 3461), SMTPUTF8 (RFC 6531) and
 * STARTTLS (RFC 3207; implicit TLS too, through tls.h), or LMTP (RFC
 * 2033).  Message data is counted and checked as it streams past, and
 * stored only for a delivery callback (server_deliver.c).  docs/server.md
 * says what it implements and its limits; server_int.h says which file
 * holds what.
 *
 * srv_sess_enter() is the only place that changes a session's state.
 * srv_sess_reply() is where every reply line goes out, so the faults that
 * reshape replies are checked there.
 */
#include "server_int.h"

#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server_hostile.h"
#include "tls.h"
#include "util.h"

/* The only place that changes s->state.  Starting a transaction or going
 * back to the idle states forgets the previous transaction. */
void
srv_sess_enter(struct srv_sess *s, enum srv_sess_state st)
{
	switch (st) {
	case S_CONNECTED:
	case S_HELO:
	case S_MAIL: {
		int keep = fault(s, SRV_F_BDAT_RSET_KEEPS_CHUNKS) && s->txn.bdat;

		s->nrcpt = 0;
		s->bdat_last &= st != S_MAIL;
		memset(&s->txn, 0, sizeof(s->txn));
		s->txn.bdat = keep;
		break;
	}
	case S_BODY:
		memset(&s->body, 0, sizeof(s->body));
		s->body.at = B_BOL;
		break;
	case S_RCPT:
		break;
	case S_CLOSING:
		s->deadline = util_now_ms() + LINGER_MS;
		break;
	}
	srv_dlv_enter(s, st);
	s->state = st;
}

/* The state a finished or reset transaction returns to. */
enum srv_sess_state
srv_sess_idle(const struct srv_sess *s)
{
	return s->helo ? S_HELO : S_CONNECTED;
}

/* Length of an enhanced status code "c.sss.ddd " at p (RFC 3463), or 0. */
static size_t
enhanced_len(const char *p)
{
	size_t i = 0, n;

	if (p[i] < '2' || p[i] > '5' || p[i + 1] != '.')
		return 0;
	i += 2;
	for (n = 0; p[i] >= '0' && p[i] <= '9'; i++)
		n++;
	if (n < 1 || n > 3 || p[i] != '.')
		return 0;
	i++;
	for (n = 0; p[i] >= '0' && p[i] <= '9'; i++)
		n++;
	if (n < 1 || n > 3 || p[i] != ' ')
		return 0;
	return i + 1;
}

/* Reply bytes: plaintext, held back while a handshake runs, or encrypted
 * inside TLS. */
void
srv_sess_emit(struct srv_sess *s, const char *p, size_t n)
{
	if (!s->tls)
		buf_append(&s->out, p, n);
	else if (!s->tls_up)
		buf_append(&s->tls_hold, p, n);
	else if (tls_send(s->tls, p, n, &s->out) != 0)
		s->broken = 1;
}

/* Queue one reply line "DDD text" or "DDD-text" (without line end). */
void
srv_sess_reply(struct srv_sess *s, const char *fmt, ...)
{
	char line[600], r[sizeof(line) + 3];
	va_list ap;
	size_t n, e, rn, skip = 0;
	struct buf *o;

	if (fault(s, SRV_F_SILENT))
		return;
	/* Most replies are a fixed text or "%s": no printf for them (a
	 * tenth of fuzz_server's time went to vsnprintf). */
	va_start(ap, fmt);
	if (strcmp(fmt, "%s") == 0)
		util_strlcpy(line, va_arg(ap, const char *), sizeof(line));
	else if (!strchr(fmt, '%'))
		util_strlcpy(line, fmt, sizeof(line));
	else
		vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	/* RFC 5321 4.5.3.1.5: a reply line is at most 512 octets with its
	 * CRLF; longer text (an echoed EHLO name) is cut. */
	if (n > LINE_MAX_SMTP - 2 && !fault(s, SRV_F_REPLY_OVER_512))
		n = LINE_MAX_SMTP - 2;
	if ((fault(s, SRV_F_NO_ENHANCED_CODES) ||
	    (fault(s, SRV_F_ENHANCED_EHLO_ONLY) && !s->ehlo)) && n > 4)
		skip = enhanced_len(line + 4);
	if (fault(s, SRV_F_ERROR_RESETS_TRANSACTION) && line[0] == '5' &&
	    (s->state == S_MAIL || s->state == S_RCPT))
		srv_sess_enter(s, srv_sess_idle(s));
	if (fault(s, SRV_F_CLOSE_ON_SYNTAX_ERROR) && strncmp(line, "501", 3) == 0)
		s->close_after = 1;
	/* RFC 5321 7.8: the error replies counted for the error limits (the
	 * last line of each reply only). */
	if ((line[0] == '4' || line[0] == '5') && (n < 4 || line[3] != '-')) {
		s->nerr++;
		if (line[0] == '5' && ++s->nerr5 >= ERROR_LIMIT &&
		    fault(s, SRV_M_ERROR_LIMIT_CLOSE))
			s->close_after = 1;
	}
	if (fault(s, SRV_F_PIPELINING_DROPS_INPUT) &&
	    (line[0] == '4' || line[0] == '5'))
		s->drop_input = 1;
	if (fault(s, SRV_F_BARE_CODES) && strcmp(line, "250 2.0.0 Ok") == 0)
		n = 3;	/* "250" alone: no separator, no text */
	/* The line as it goes out, built on the stack: a heap buffer per
	 * reply was a fifth of fuzz_server's time. */
	o = s->holding ? &s->held : &s->out;
	rn = n < 4 ? n : 4;
	memcpy(r, line, rn);
	e = n > 4 ? enhanced_len(line + 4) : 0;
	if (skip == 0 && e > 0 && fault(s, SRV_F_ENHANCED_CODE_PADDED) &&
	    line[4 + e - 3] == '.') {
		/* "2.1.5 " becomes "2.1.05 ". */
		memcpy(r + rn, line + 4, e - 2);
		rn += e - 2;
		r[rn++] = '0';
		skip = e - 2;
	}
	if (n > 4) {
		memcpy(r + rn, line + 4 + skip, n - 4 - skip);
		rn += n - 4 - skip;
	}
	if (!fault(s, SRV_F_BARE_LF_REPLIES))
		r[rn++] = '\r';
	r[rn++] = '\n';
	if (o == &s->held)
		buf_append(o, r, rn);
	else
		srv_sess_emit(s, r, rn);
}

/* syntax-500: RFC 5321 4.2.2 reads 500 as "Syntax error, command
 * unrecognized", and 4.3.2 lets any command return it. */
void
srv_sess_syntax(struct srv_sess *s, const char *reply)
{
	if (fault(s, SRV_M_SYNTAX_500) && strncmp(reply, "501", 3) == 0)
		srv_sess_reply(s, "500%s", reply + 3);
	else
		srv_sess_reply(s, "%s", reply);
}

static void
srv_sess_timeout(struct loop *loop, void *arg)
{
	struct srv_sess *s = arg;
	int64_t now = util_now_ms();

	(void)loop;
	s->timer = 0;
	if (s->state == S_CLOSING) {
		if (now >= s->deadline) {
			srv_sess_free(s);
			return;
		}
	} else if (now >= s->last_active + s->srv->idle_ms) {
		/* RFC 5321 4.5.3.2.7 */
		srv_sess_reply(s, "421 4.4.2 %s Error: timeout exceeded",
		    SRV_HOSTNAME);
		srv_sess_close(s);
		srv_sess_update(s);
		return;
	}
	srv_sess_arm(s);
}

/* (Re-)arm the session's one timer: the idle timeout, or for a closing
 * session the moment it is dropped even if its replies are not out. */
void
srv_sess_arm(struct srv_sess *s)
{
	int64_t due = s->state == S_CLOSING ? s->deadline :
	    s->last_active + s->srv->idle_ms;

	loop_timer_cancel(s->srv->loop, s->timer);
	s->timer = loop_timer(s->srv->loop, due, srv_sess_timeout, s);
}

/* Stop handling input; close once the queued replies are written. */
void
srv_sess_close(struct srv_sess *s)
{
	srv_sess_enter(s, S_CLOSING);
	srv_sess_arm(s);
}

/* The normal greeting: LMTP says so (RFC 2033 4.1). */
static const char *
greeting(const struct srv_sess *s)
{
	return s->srv->lmtp ? GREETING_LMTP : GREETING;
}

/* delayed-greeting: the greeting, late; then the usual idle timer. */
static void
srv_sess_greet(struct loop *loop, void *arg)
{
	struct srv_sess *s = arg;

	(void)loop;
	s->timer = 0;
	srv_sess_reply(s, "%s", greeting(s));
	srv_sess_arm(s);
	srv_sess_update(s);
}

struct srv_sess *
srv_sess_new(struct srv *srv, int in_fd, int out_fd, int tls,
    struct srv_mem *mem)
{
	struct srv_sess *s;
	struct stat st;

	if (srv->hostile && !mem) {
		hostile_attach(srv->hostile, in_fd, out_fd);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->srv = srv;
	s->mem = mem;
	s->in_fd = in_fd;
	s->out_fd = out_fd;
	s->in_sock = !mem && fstat(in_fd, &st) == 0 && S_ISSOCK(st.st_mode);
	s->out_sock = !mem && fstat(out_fd, &st) == 0 && S_ISSOCK(st.st_mode);
	buf_init(&s->in);
	buf_init(&s->out);
	buf_init(&s->held);
	buf_init(&s->tls_hold);
	/* Implicit TLS: the greeting waits in tls_hold for the handshake. */
	if (tls && srv_tls_ctx(srv))
		s->tls = tls_conn_new(srv->tls_ctx, 1, NULL);
	s->next = srv->sessions;
	if (s->next)
		s->next->prev = s;
	srv->sessions = s;
	srv->nsess++;
	s->last_active = util_now_ms();
	if (srv->deliver)
		srv_dlv_new(s);
	srv_sess_enter(s, S_CONNECTED);
	srv->naccepted++;
	/* Bytes sent before the greeting are simply handled after it. */
	if (fault(s, SRV_M_NO_SERVICE_554) && srv->naccepted > 1) {
		/* RFC 5321 3.1: refuse service, wait for QUIT. */
		srv_sess_reply(s, "554 5.3.2 %s No SMTP service here", SRV_HOSTNAME);
		s->no_service = 1;
	} else if (fault(s, SRV_M_MAX_SESSIONS) && srv->nsess > MAX_SESSIONS_FAULT) {
		/* RFC 5321 3.8: service withdrawn, here for load. */
		srv_sess_reply(s, "421 4.7.0 %s Too many sessions, try again later", SRV_HOSTNAME);
		srv_sess_close(s);
	} else if (fault(s, SRV_F_GREETING_421)) {
		srv_sess_reply(s, "421 4.3.2 %s Service not available",
		    SRV_HOSTNAME);
		srv_sess_close(s);
	} else if (fault(s, SRV_F_GREETING_NO_DOMAIN))
		srv_sess_reply(s, "220 ***** ready");
	else if (fault(s, SRV_F_GREETING_250))
		srv_sess_reply(s, "250 %s ESMTP ready", SRV_HOSTNAME);
	else if (!fault(s, SRV_F_DELAYED_GREETING))
		srv_sess_reply(s, "%s", greeting(s));
	if (fault(s, SRV_F_GREETING_EXTRA_REPLY))
		srv_sess_reply(s, "220 %s still ready", SRV_HOSTNAME);
	if (fault(s, SRV_F_DELAYED_GREETING))
		s->timer = loop_timer(srv->loop, util_now_ms() + GREET_DELAY_MS, srv_sess_greet, s);
	else if (s->state != S_CLOSING)
		srv_sess_arm(s);
	if (mem) {
		mem->sess = s;
		return s;
	}
	loop_watch(srv->loop, out_fd, 0, srv_sess_io, s);
	s->in_watched = in_fd == out_fd;
	srv_sess_watch(s);
	return s;
}

void
srv_sess_free(struct srv_sess *s)
{
	struct srv *srv = s->srv;

	loop_timer_cancel(srv->loop, s->timer);
	if (s->mem)
		s->mem->sess = NULL;	/* what it sent stays in mem->out */
	else {
		if (s->in_watched)
			loop_unwatch(srv->loop, s->in_fd);
		if (s->out_fd != s->in_fd)
			loop_unwatch(srv->loop, s->out_fd);
		srv_sess_drain(s);
		close(s->in_fd);
		if (s->out_fd != s->in_fd)
			close(s->out_fd);
	}
	if (s->prev)
		s->prev->next = s->next;
	else
		srv->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	srv->nsess--;
	buf_free(&s->in);
	buf_free(&s->out);
	buf_free(&s->held);
	buf_free(&s->tls_hold);
	tls_conn_free(s->tls);
	srv_dlv_free(s);
	free(s);
}

struct srv *
srv_new(struct loop *loop, const char *faults, char *errbuf, size_t errlen)
{
	struct srv *srv = xcalloc(1, sizeof(*srv));

	srv->loop = loop;
	srv->idle_ms = IDLE_MS;
	if (srv_faults_parse(&srv->faults, faults, errbuf, errlen) == -1) {
		free(srv);
		return NULL;
	}
	srv->boot = (uint32_t)time(NULL);
	/* A hostile fault replaces the SMTP server (the first one named wins). */
	for (int f = 0; f < SRV_F_COUNT && !srv->hostile; f++)
		if (srv->faults.on[f] && hostile_is_fault((enum srv_fault)f))
			srv->hostile = hostile_new(loop, (enum srv_fault)f);
	return srv;
}

void
srv_free(struct srv *srv)
{
	if (!srv)
		return;
	while (srv->sessions)
		srv_sess_free(srv->sessions);
	hostile_free(srv->hostile);
	srv_close_listeners(srv);
	tls_ctx_free(srv->tls_ctx);
	free(srv);
}

void
srv_set_idle_timeout(struct srv *srv, int ms)
{
	struct srv_sess *s;

	srv->idle_ms = ms > 0 ? ms : 1;
	/* Re-arm so that a shorter timeout applies at once. */
	for (s = srv->sessions; s; s = s->next)
		srv_sess_arm(s);
}

/* The key and certificate are made when TLS is first needed, not at start:
 * a `serve --stdio` process per session (the fuzzer, AFL++) then starts in
 * a millisecond.  If they cannot be made, STARTTLS is no longer offered
 * and gets 454. */
struct tls_ctx *
srv_tls_ctx(struct srv *srv)
{
	if (!srv->tls_ctx && !srv->tls_failed) {
		char err[256];
		srv->tls_ctx = tls_server_ctx_new(SRV_HOSTNAME, err, sizeof(err));
		srv->tls_failed = srv->tls_ctx == NULL;
	}
	return srv->tls_ctx;
}

void
srv_set_crash_abort(struct srv *srv, int on)
{
	srv->crash_abort = on;
}

void
srv_set_lmtp(struct srv *srv, int on)
{
	srv->lmtp = on;
}

size_t
srv_active_sessions(const struct srv *srv)
{
	return srv->nsess + hostile_active(srv->hostile);
}

void
srv_shutdown(struct srv *srv)
{
	struct srv_sess *s, *next;

	srv_close_listeners(srv);
	/* RFC 5321 3.8: say 421 before closing. */
	for (s = srv->sessions; s; s = next) {
		next = s->next;
		if (s->state != S_CLOSING) {
			srv_sess_reply(s, SHUTTING_DOWN);
			srv_sess_close(s);
		}
		srv_sess_update(s);
	}
}
