/*
 * engine.c - the scenario engine.
 *
 * A session is a small program of operations: the standard opening, the
 * scenario's steps, and the teardown (QUIT, 221, close: RFC 5321 4.1.1.10,
 * CL-06).  sess_advance() is the only place that moves a session forward: it
 * runs operations until one has to wait for the server (a reply, the close,
 * a quiet period), and every wait arms the session's one deadline timer.
 * Whatever the server does, each session ends in sess_finish() exactly once.
 *
 * TLS (starttls steps, smtps:// targets) sits between the descriptor and the
 * session's buffers: s->in and s->out stay what the scenario sees and what
 * goes on the wire, and a tls_conn (tls.h) turns one into the other.
 */
#include "engine.h"

#include <errno.h>
#include <stdarg.h>
#include <strings.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loader.h"
#include "loop.h"
#include "reply.h"
#include "server.h"
#include "template.h"
#include "tls.h"
#include "util.h"

#define IN_CAP (1024 * 1024)   /* unread server bytes we are willing to hold */
#define READ_CHUNK 65536
#define MAX_REPLY_LINES 256    /* lines whose text is kept; more are counted */
#define ENG_DEFAULT_MAX_LINES 1000
#define REAP_GRACE_MS 1000
#define HS_RAW_KEEP 64         /* handshake bytes shown when it fails */

enum op_phase { PH_OPENING, PH_STEPS, PH_TEARDOWN };

struct op {
	const struct scn_step *st;
	enum op_phase phase;
	int number; /* 1-based step number in PH_STEPS */
};

struct capvar {
	char *name;
	char *value;
};

struct eng;

struct sess {
	struct eng *eng;
	const struct scn *scn;
	struct res_result *res;
	int probe;
	struct op *ops;
	size_t nops, op;
	unsigned rep;
	uint64_t seq;          /* changes whenever the current operation changes */
	uint64_t seq_armed;    /* the seq the deadline timer belongs to */
	int fired;             /* the deadline of the current operation passed */
	uint64_t timer, scen_timer;
	int fd;
	pid_t pid;
	int connecting;
	size_t addr_idx;
	int eof, write_failed, done;
	int awaiting_close;    /* after a 421 */
	enum res_status close_status;
	char *close_reason;
	struct buf in, out;
	int64_t t0;
	struct ehlo_caps *caps; /* from the last EHLO 250 in this session */
	int last_sent_ehlo;     /* the last command line sent was EHLO */
	struct capvar *capv;
	size_t ncapv;
	int greeting_code;
	int probe_ehlo_code;
	size_t op0;             /* the probe's greeting operation (1 after implicit TLS) */
	int last_code;          /* code of the last reply taken */
	struct tls_conn *tls;   /* after a starttls step or for smtps:// */
	int tls_up;             /* its handshake completed */
	int tls_phase;          /* starttls: 0 send, 1 reply, 2 handshake */
	char *tls_failed;       /* why the handshake failed */
	struct buf hs_raw;      /* the first bytes received during the handshake */
};

struct eng {
	const struct eng_opts *o;
	struct loop *loop;
	struct srv *srv;
	struct tp_target *target;
	struct tp_target builtin_tcp;
	size_t active, next, finished, total;
	struct scn *const *scns;
	struct res_result *results;
	struct eng_probe *probe;
	struct reaper { pid_t pid; int64_t kill_at; } *reap;
	size_t nreap;
	struct sess **dead;    /* finished sessions, freed between loop rounds */
	size_t ndead;
	struct sess **live;    /* sessions running now (for the run deadline) */
	size_t nlive;
	int64_t run_deadline;  /* ms; 0 = none */
	int run_expired;
	int running;           /* the probe passed: scenarios may start */
	struct tls_ctx *tls_ctx;
};

/* ---- fixed programs ---------------------------------------------------- */

static struct scn_code code_220 = { "220" }, code_250 = { "250" }, code_221 = { "221" };
static struct scn_step op_greeting = { .kind = SCN_STEP_EXPECT, .repeat = 1,
	.expect = { .codes = &code_220, .n_codes = 1 } };
static struct scn_step op_ehlo = { .kind = SCN_STEP_SEND, .repeat = 1,
	.text = "EHLO ${client_domain}", .text_len = 21 };
static struct scn_step op_helo = { .kind = SCN_STEP_SEND, .repeat = 1,
	.text = "HELO ${client_domain}", .text_len = 21 };
static struct scn_step op_250 = { .kind = SCN_STEP_EXPECT, .repeat = 1,
	.expect = { .codes = &code_250, .n_codes = 1 } };
static struct scn_step op_quit = { .kind = SCN_STEP_SEND, .repeat = 1,
	.text = "QUIT", .text_len = 4 };
static struct scn_step op_221 = { .kind = SCN_STEP_EXPECT, .repeat = 1,
	.expect = { .codes = &code_221, .n_codes = 1 } };
static struct scn_step op_close = { .kind = SCN_STEP_EXPECT_CLOSE, .repeat = 1 };
static struct scn_step op_any = { .kind = SCN_STEP_EXPECT, .repeat = 1 };
/* Implicit TLS (smtps://): the handshake before the greeting. */
static struct scn_step op_handshake = { .kind = SCN_STEP_STARTTLS, .repeat = 1 };

static void
add_op(struct sess *s, const struct scn_step *st, enum op_phase ph, int number)
{
	s->ops = xrealloc(s->ops, (s->nops + 1) * sizeof(*s->ops));
	s->ops[s->nops].st = st;
	s->ops[s->nops].phase = ph;
	s->ops[s->nops++].number = number;
}

static void
build_program(struct sess *s)
{
	if (s->eng->target->tls) {
		add_op(s, &op_handshake, PH_OPENING, 0);
		s->op0 = 1;
	}
	if (s->probe) {
		add_op(s, &op_any, PH_OPENING, 0);
		add_op(s, &op_ehlo, PH_OPENING, 0);
		add_op(s, &op_any, PH_OPENING, 0);
		add_op(s, &op_quit, PH_OPENING, 0);
		add_op(s, &op_any, PH_OPENING, 0);
		return;
	}
	const struct scn *sc = s->scn;
	if (sc->opening != SCN_OPEN_NONE)
		add_op(s, &op_greeting, PH_OPENING, 0);
	if (sc->opening == SCN_OPEN_EHLO || sc->opening == SCN_OPEN_HELO) {
		add_op(s, sc->opening == SCN_OPEN_EHLO ? &op_ehlo : &op_helo, PH_OPENING, 0);
		add_op(s, &op_250, PH_OPENING, 0);
	}
	for (size_t i = 0; i < sc->n_steps; i++)
		add_op(s, &sc->steps[i], PH_STEPS, (int)i + 1);
	add_op(s, &op_quit, PH_TEARDOWN, 0);
	add_op(s, &op_221, PH_TEARDOWN, 0);
	add_op(s, &op_close, PH_TEARDOWN, 0);
}

/* ---- variables --------------------------------------------------------- */

static const char *
var_lookup(void *arg, const char *name, size_t len)
{
	struct sess *s = arg;
	for (size_t i = s->ncapv; i-- > 0;)
		if (strlen(s->capv[i].name) == len && memcmp(s->capv[i].name, name, len) == 0)
			return s->capv[i].value;
	const struct eng_opts *o = s->eng->o;
	for (size_t i = o->n_vars; i-- > 0;)
		if (strlen(o->vars[i].name) == len && memcmp(o->vars[i].name, name, len) == 0)
			return o->vars[i].value;
	if (s->scn)
		for (size_t i = s->scn->n_vars; i-- > 0;)
			if (strlen(s->scn->vars[i].name) == len &&
			    memcmp(s->scn->vars[i].name, name, len) == 0)
				return s->scn->vars[i].value;
	for (size_t i = 0; i < load_n_default_vars; i++)
		if (strlen(load_default_vars[i].name) == len &&
		    memcmp(load_default_vars[i].name, name, len) == 0)
			return load_default_vars[i].value;
	return NULL;
}

/* ---- outcome ----------------------------------------------------------- */

static void sess_advance(struct sess *s);
static void start_more(struct eng *e);

static double
elapsed(const struct sess *s)
{
	return (double)(util_now_ms() - s->t0) / 1000.0;
}

static void
note(struct sess *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(struct sess *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	res_transcript_add(&s->res->tr, elapsed(s), RES_DIR_NOTE, msg, strlen(msg));
}

static void
reap_child(struct eng *e, pid_t pid)
{
	int st;
	if (waitpid(pid, &st, WNOHANG) == pid)
		return;
	e->reap = xrealloc(e->reap, (e->nreap + 1) * sizeof(*e->reap));
	e->reap[e->nreap].pid = pid;
	e->reap[e->nreap++].kill_at = util_now_ms() + REAP_GRACE_MS;
}

/* Collect exited children; kill (the process group of) those past grace. */
static void
reap_poll(struct eng *e, int force)
{
	int64_t now = util_now_ms();
	for (size_t i = 0; i < e->nreap;) {
		int st;
		pid_t pid = e->reap[i].pid;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			e->reap[i] = e->reap[--e->nreap];
			continue;
		}
		if (force || now >= e->reap[i].kill_at) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			e->reap[i] = e->reap[--e->nreap];
			continue;
		}
		i++;
	}
}

static void
sess_close_fd(struct sess *s)
{
	if (s->fd >= 0) {
		loop_unwatch(s->eng->loop, s->fd);
		close(s->fd);
		s->fd = -1;
	}
	if (s->pid > 0) {
		reap_child(s->eng, s->pid);
		s->pid = 0;
	}
}

static void
sess_free(struct sess *s)
{
	buf_free(&s->in);
	buf_free(&s->out);
	free(s->ops);
	free(s->caps);
	for (size_t i = 0; i < s->ncapv; i++) {
		free(s->capv[i].name);
		free(s->capv[i].value);
	}
	free(s->capv);
	free(s->close_reason);
	tls_conn_free(s->tls);
	free(s->tls_failed);
	buf_free(&s->hs_raw);
	free(s);
}

static void
sess_finish(struct sess *s, enum res_status st, const char *reason)
{
	if (s->done)
		return;
	s->done = 1;
	struct eng *e = s->eng;
	loop_timer_cancel(e->loop, s->timer);
	loop_timer_cancel(e->loop, s->scen_timer);
	s->timer = s->scen_timer = 0;
	if (st != RES_PASS && reason)
		note(s, "%s", reason);
	sess_close_fd(s);
	s->res->status = st;
	if (reason && st != RES_PASS)
		s->res->reason = xstrdup(reason);
	s->res->duration = elapsed(s);
	if (s->probe) {
		e->probe->greeting_code = s->greeting_code;
		e->probe->ehlo_ok = s->probe_ehlo_code == 250;
		if (s->caps)
			e->probe->caps = *s->caps;
	}
	e->active--;
	for (size_t i = 0; i < e->nlive; i++)
		if (e->live[i] == s) {
			e->live[i] = e->live[--e->nlive];
			break;
		}
	if (!s->probe) {
		e->finished++;
		if (e->o->on_result)
			e->o->on_result(e->o->arg, s->res, e->finished, e->total);
	}
	/* Freed later: callers up the stack may still look at s->done. */
	e->dead = xrealloc(e->dead, (e->ndead + 1) * sizeof(*e->dead));
	e->dead[e->ndead++] = s;
	start_more(e);
}

/* Fail the current operation: record which step, what it wanted, what came. */
static void
sess_fail(struct sess *s, enum res_status st, const char *expected, const char *actual,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
sess_fail(struct sess *s, enum res_status st, const char *expected, const char *actual,
    const char *fmt, ...)
{
	char reason[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (s->op < s->nops) {
		const struct op *op = &s->ops[s->op];
		s->res->step = op->phase == PH_STEPS ? op->number :
		    op->phase == PH_TEARDOWN ? (int)s->scn->n_steps + 1 : 0;
		s->res->step_line = op->phase == PH_STEPS ? op->st->line : 0;
		char full[1200];
		snprintf(full, sizeof(full), "%s: %s",
		    op->phase == PH_OPENING ? "opening" : op->phase == PH_TEARDOWN ? "teardown" :
		    scn_step_kind_name(op->st->kind), reason);
		if (expected)
			s->res->expected = xstrdup(expected);
		if (actual)
			s->res->actual = xstrdup(actual);
		sess_finish(s, st, full);
		return;
	}
	if (expected)
		s->res->expected = xstrdup(expected);
	if (actual)
		s->res->actual = xstrdup(actual);
	sess_finish(s, st, reason);
}

/* ---- timers ------------------------------------------------------------ */

static void
on_deadline(struct loop *l, void *arg)
{
	(void)l;
	struct sess *s = arg;
	s->timer = 0;
	if (s->seq_armed != s->seq)
		return;
	s->fired = 1;
	sess_advance(s);
}

static void
on_scenario_deadline(struct loop *l, void *arg)
{
	(void)l;
	struct sess *s = arg;
	s->scen_timer = 0;
	double limit = s->scn && s->scn->timeout > 0 ? s->scn->timeout : s->eng->o->scenario_timeout;
	sess_fail(s, RES_FAIL, NULL, NULL, "scenario deadline of %.1f s exceeded", limit);
}

/* Arm the deadline of the current operation once. */
static void
arm(struct sess *s, double seconds)
{
	if (s->seq_armed == s->seq && (s->timer || s->fired))
		return;
	loop_timer_cancel(s->eng->loop, s->timer);
	s->seq_armed = s->seq;
	s->fired = 0;
	s->timer = loop_timer(s->eng->loop, util_now_ms() + (int64_t)(seconds * 1000.0),
	    on_deadline, s);
}

static void
next_op(struct sess *s, int whole_step)
{
	const struct op *op = &s->ops[s->op];
	loop_timer_cancel(s->eng->loop, s->timer);
	s->timer = 0;
	s->fired = 0;
	s->seq++;
	if (!whole_step && ++s->rep < op->st->repeat)
		return;
	s->rep = 0;
	s->tls_phase = 0;
	s->op++;
}

/* Move a starttls operation to its next phase: a new wait, a new deadline. */
static void
set_phase(struct sess *s, int phase)
{
	loop_timer_cancel(s->eng->loop, s->timer);
	s->timer = 0;
	s->fired = 0;
	s->seq++;
	s->tls_phase = phase;
}

/* ---- I/O --------------------------------------------------------------- */

static void on_io(struct loop *l, int fd, int revents, void *arg);

static void
sess_flush(struct sess *s)
{
	while (s->out.len > 0 && !s->write_failed && s->fd >= 0) {
		ssize_t n = send(s->fd, s->out.data, s->out.len, MSG_NOSIGNAL);
		if (n > 0) {
			buf_consume(&s->out, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		note(s, "write failed: %s", n < 0 ? strerror(errno) : "short write");
		s->write_failed = 1;
		buf_reset(&s->out);
	}
	if (s->fd >= 0 && !s->connecting)
		loop_set_events(s->eng->loop, s->fd,
		    (short)((s->eof ? 0 : POLLIN) | (s->out.len ? POLLOUT : 0)));
}

static void
sess_send(struct sess *s, const char *data, size_t len)
{
	res_transcript_add(&s->res->tr, elapsed(s), RES_DIR_CLIENT, data, len);
	if (s->write_failed)
		return;
	if (!s->tls_up)
		buf_append(&s->out, data, len);
	else if (tls_send(s->tls, data, len, &s->out) != 0) {
		note(s, "write failed: the TLS session is unusable");
		s->write_failed = 1;
	}
}

/* What the handshake negotiated, kept in the result and the transcript. */
static void
tls_record(struct sess *s)
{
	struct tls_info i;
	struct res_tls *t = &s->res->tls;
	tls_conn_info(s->tls, &i);
	res_tls_clear(t);
	t->present = 1;
	t->protocol = xstrdup(i.protocol);
	t->cipher = xstrdup(i.cipher);
	t->subject = xstrdup(i.subject);
	t->issuer = xstrdup(i.issuer);
	t->not_before = xstrdup(i.not_before);
	t->not_after = xstrdup(i.not_after);
	t->sha256 = xstrdup(i.sha256);
	t->verified = i.verified;
	t->verify = xstrdup(i.verify);
	if (i.has_cert)
		note(s, "TLS %s %s; certificate subject %s, issuer %s, valid %s to %s; verification: %s",
		    i.protocol, i.cipher, i.subject, i.issuer, i.not_before, i.not_after, i.verify);
	else
		note(s, "TLS %s %s; no certificate", i.protocol, i.cipher);
}

/* Move the TLS session on with what was fed: the handshake, then the
 * plaintext into s->in.  Returns 0, or -1 when the TLS session ended (close
 * or error: a note says which; the caller treats it as the end of input). */
static int
tls_pump(struct sess *s)
{
	char err[256];
	if (!s->tls_up) {
		if (s->tls_failed)
			return 0;
		enum tls_hs hs = tls_handshake(s->tls, err, sizeof(err));
		tls_drain(s->tls, &s->out);
		if (hs == TLS_HS_FAILED) {
			s->tls_failed = xstrdup(err);
			return 0;
		}
		if (hs == TLS_HS_MORE)
			return 0;
		s->tls_up = 1;
		tls_record(s);
	}
	struct buf plain;
	buf_init(&plain);
	int rc = tls_recv(s->tls, &plain, err, sizeof(err));
	tls_drain(s->tls, &s->out);
	if (plain.len) {
		res_transcript_add(&s->res->tr, elapsed(s), RES_DIR_SERVER, plain.data, plain.len);
		if (s->in.len + plain.len > IN_CAP) {
			buf_free(&plain);
			sess_fail(s, RES_FAIL, NULL, NULL,
			    "the server sent more than %d bytes that no step consumed", IN_CAP);
			return -1;
		}
		buf_append(&s->in, plain.data, plain.len);
	}
	buf_free(&plain);
	if (rc == 1)
		note(s, "the server ended the TLS session (close_notify)");
	else if (rc < 0)
		note(s, "TLS error: %s", err);
	return rc == 0 ? 0 : -1;
}

/* Start the client side of a handshake on the session's connection.  Bytes
 * that came after the 220 belong to the TLS layer (or are garbage it will
 * refuse): they go in first. */
static void
tls_start(struct sess *s)
{
	s->tls = tls_conn_new(s->eng->tls_ctx, 0, s->eng->target->host);
	note(s, "TLS handshake");
	buf_reset(&s->hs_raw);
	if (s->in.len) {
		buf_append(&s->hs_raw, s->in.data, s->in.len < HS_RAW_KEEP ? s->in.len : HS_RAW_KEEP);
		tls_feed(s->tls, s->in.data, s->in.len);
		buf_reset(&s->in);
	}
	tls_pump(s);
}

/* RFC 3207 4.2 and CL-10: after the handshake the client forgets what it
 * learnt from the server before (EHLO keywords, captures). */
static void
tls_forget(struct sess *s)
{
	free(s->caps);
	s->caps = NULL;
	for (size_t i = 0; i < s->ncapv; i++) {
		free(s->capv[i].name);
		free(s->capv[i].value);
	}
	free(s->capv);
	s->capv = NULL;
	s->ncapv = 0;
	s->last_sent_ehlo = 0;
}

static void
sess_read(struct sess *s)
{
	char chunk[READ_CHUNK];
	for (int rounds = 0; rounds < 16 && !s->eof; rounds++) {
		ssize_t n = recv(s->fd, chunk, sizeof(chunk), 0);
		if (n > 0 && s->tls) {
			/* Kept to show what came instead of a handshake. */
			if (!s->tls_up && s->hs_raw.len < HS_RAW_KEEP)
				buf_append(&s->hs_raw, chunk,
				    (size_t)n < HS_RAW_KEEP - s->hs_raw.len ? (size_t)n : HS_RAW_KEEP - s->hs_raw.len);
			tls_feed(s->tls, chunk, (size_t)n);
			if (tls_pump(s) == 0)
				continue;
			if (s->done)
				return;
			s->eof = 1;
			loop_unwatch(s->eng->loop, s->fd);
			return;
		}
		if (n > 0) {
			res_transcript_add(&s->res->tr, elapsed(s), RES_DIR_SERVER, chunk, (size_t)n);
			if (s->in.len + (size_t)n > IN_CAP) {
				sess_fail(s, RES_FAIL, NULL, NULL,
				    "the server sent more than %d bytes that no step consumed", IN_CAP);
				return;
			}
			buf_append(&s->in, chunk, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		s->eof = 1;
		if (n < 0)
			note(s, "connection error: %s", strerror(errno));
		else
			note(s, "connection closed by the server");
		/* Nothing more will come; stop watching so POLLHUP cannot spin. */
		loop_unwatch(s->eng->loop, s->fd);
	}
}

static void
on_io(struct loop *l, int fd, int revents, void *arg)
{
	(void)l;
	(void)fd;
	struct sess *s = arg;
	if (s->connecting) {
		char err[256];
		if (tp_connect_result(s->fd, err, sizeof(err)) != 0) {
			int more = 0;
			loop_unwatch(s->eng->loop, s->fd);
			close(s->fd);
			s->fd = -1;
			s->fd = tp_connect(s->eng->target, ++s->addr_idx, &more, err + 128, 128);
			if (s->fd < 0) {
				sess_fail(s, RES_ERROR, NULL, NULL, "cannot connect to %s: %s",
				    s->eng->target->url, err);
				return;
			}
			loop_watch(s->eng->loop, s->fd, POLLOUT, on_io, s);
			return;
		}
		s->connecting = 0;
		note(s, "connected");
		loop_set_events(s->eng->loop, s->fd, POLLIN);
		sess_advance(s);
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR))
		sess_read(s);
	if (s->done)
		return;
	if (revents & POLLOUT)
		sess_flush(s);
	sess_advance(s);
}

/* ---- replies ----------------------------------------------------------- */

static void
describe_expect(const struct scn_expect *x, struct buf *b)
{
	if (x->n_codes == 0)
		buf_puts(b, "any well-formed reply");
	for (size_t i = 0; i < x->n_codes; i++)
		buf_printf(b, "%s%s", i == 0 ? (x->n_codes > 1 ? "one of " : "") : ", ", x->codes[i].pat);
	if (x->text)
		buf_printf(b, "; text matching /%s/", x->text);
	if (x->enhanced)
		buf_printf(b, "; enhanced status %s", x->enhanced);
	if (x->single_line)
		buf_puts(b, "; a single line");
	if (x->ehlo_valid)
		buf_puts(b, "; a well-formed EHLO keyword list");
	for (size_t i = 0; i < x->n_ehlo_has; i++)
		buf_printf(b, "; EHLO keyword %s", x->ehlo_has[i]);
	for (size_t i = 0; i < x->n_ehlo_lacks; i++)
		buf_printf(b, "; no EHLO keyword %s", x->ehlo_lacks[i]);
}

static int
codes_match(const struct scn_expect *x, int code)
{
	if (x->n_codes == 0)
		return 1;
	for (size_t i = 0; i < x->n_codes; i++)
		if (scn_code_match(&x->codes[i], code))
			return 1;
	return 0;
}

/* stop_if: the reply says the server declined what the rest of the steps
 * test (RFC-allowed), so they do not apply: on to the teardown.  1 if so. */
static int
stop_here(struct sess *s, const struct scn_expect *x)
{
	int hit = 0;
	for (size_t i = 0; i < x->n_stop && !hit; i++)
		hit = scn_code_match(&x->stop[i], s->last_code);
	if (!hit)
		return 0;
	note(s, "reply %d: the rest of the steps do not apply (stop_if)", s->last_code);
	loop_timer_cancel(s->eng->loop, s->timer);
	s->timer = 0;
	s->fired = 0;
	s->seq++;
	s->rep = 0;
	s->tls_phase = 0;
	while (s->op < s->nops && s->ops[s->op].phase != PH_TEARDOWN)
		s->op++;
	return 1;
}

static int
prefer_match(const struct scn_expect *x, int code)
{
	for (size_t i = 0; i < x->n_prefer; i++)
		if (scn_code_match(&x->prefer[i], code))
			return 1;
	return 0;
}

/* Every listed code is a 5xx: the step sent something invalid. */
static int
expects_only_5xx(const struct scn_expect *x)
{
	if (x->n_codes == 0)
		return 0;
	for (size_t i = 0; i < x->n_codes; i++)
		if (x->codes[i].pat[0] != '5')
			return 0;
	return 1;
}

static void
set_capture(struct sess *s, const char *name, const char *value, size_t len)
{
	s->capv = xrealloc(s->capv, (s->ncapv + 1) * sizeof(*s->capv));
	s->capv[s->ncapv].name = xstrdup(name);
	s->capv[s->ncapv++].value = xstrndup(value, len);
}

/* Check one complete reply against the current expect step.  Returns 1 if it
 * holds, 0 after failing the session. */
static int
check_reply(struct sess *s, const struct scn_expect *x, const struct reply *r,
    const char *raw, size_t rawlen)
{
	struct buf want, got, text;
	buf_init(&want);
	buf_init(&got);
	buf_init(&text);
	describe_expect(x, &want);
	res_render(&got, raw, rawlen);
	for (size_t i = 0; i < r->n_lines && i < r->lines_cap; i++) {
		if (i)
			buf_puts(&text, "\n");
		buf_append(&text, r->lines[i].text, r->lines[i].len);
	}
	int ok = 0;
	struct ehlo_caps *caps = NULL;
	if (!codes_match(x, r->code)) {
		sess_fail(s, RES_FAIL, want.data, got.data, "expected %s, got %d", want.data, r->code);
		goto out;
	}
	if (x->single_line && r->n_lines != 1) {
		sess_fail(s, RES_FAIL, want.data, got.data, "expected a single-line reply, got %zu lines",
		    r->n_lines);
		goto out;
	}
	if (x->text && regexec(&x->text_re, text.data ? text.data : "", 0, NULL, 0) != 0) {
		sess_fail(s, RES_FAIL, want.data, got.data, "reply text does not match /%s/", x->text);
		goto out;
	}
	if (x->enhanced) {
		const struct reply_enhanced *en = &r->enhanced;
		char have[32] = "none";
		if (en->present)
			snprintf(have, sizeof(have), "%d.%d.%d", en->klass, en->subject, en->detail);
		if (strcmp(x->enhanced, "present") == 0) {
			if (!en->present) {
				sess_fail(s, RES_FAIL, want.data, got.data,
				    "reply %d carries no enhanced status code (RFC 2034)", r->code);
				goto out;
			}
			if (en->klass != r->code / 100) {
				sess_fail(s, RES_FAIL, want.data, got.data,
				    "enhanced status %s does not match the class of reply %d (RFC 3463 2)", have, r->code);
				goto out;
			}
		} else {
			int part[3] = { en->klass, en->subject, en->detail };
			const char *p = x->enhanced;
			int match = en->present;
			for (int i = 0; i < 3 && match; i++) {
				if (*p == 'x')
					p++;
				else {
					char *end;
					long v = strtol(p, &end, 10);
					match = v == part[i];
					p = end;
				}
				if (*p == '.')
					p++;
			}
			if (!match) {
				sess_fail(s, RES_FAIL, want.data, got.data, "expected enhanced status %s, got %s",
				    x->enhanced, have);
				goto out;
			}
		}
	}
	int need_caps = x->n_ehlo_has || x->n_ehlo_lacks || x->ehlo_valid || s->last_sent_ehlo;
	for (size_t i = 0; i < x->n_captures; i++)
		need_caps |= x->captures[i].kind == SCN_CAPTURE_EHLO;
	if (need_caps && r->code == 250) {
		caps = xcalloc(1, sizeof(*caps));
		/* Grammar slips in other lines (Exim's PIPE_CONNECT, "AUTH=LOGIN")
		 * are not judged here: ehlo_parse() keeps what it could read. */
		const char *why = r->n_lines > r->lines_cap ? "too many lines" : ehlo_parse(r, caps);
		if (why && x->ehlo_valid) {
			sess_fail(s, RES_FAIL, want.data, got.data,
			    "EHLO reply breaks the ehlo-ok-rsp grammar: %s (RFC 5321 4.1.1.1)", why);
			goto out;
		}
		if (s->last_sent_ehlo) {
			free(s->caps);
			s->caps = caps;
			caps = NULL;
		}
	}
	const struct ehlo_caps *c = caps ? caps : s->caps;
	for (size_t i = 0; i < x->n_ehlo_has; i++)
		if (!c || !ehlo_find(c, x->ehlo_has[i])) {
			sess_fail(s, RES_FAIL, want.data, got.data, "EHLO keyword %s is not advertised", x->ehlo_has[i]);
			goto out;
		}
	for (size_t i = 0; i < x->n_ehlo_lacks; i++)
		if (c && ehlo_find(c, x->ehlo_lacks[i])) {
			sess_fail(s, RES_FAIL, want.data, got.data, "EHLO keyword %s is advertised but must not be",
			    x->ehlo_lacks[i]);
			goto out;
		}
	for (size_t i = 0; i < x->n_captures; i++) {
		const struct scn_capture *cp = &x->captures[i];
		if (cp->kind == SCN_CAPTURE_EHLO) {
			const struct ehlo_cap *k = c ? ehlo_find(c, cp->source) : NULL;
			if (!k) {
				sess_fail(s, RES_FAIL, want.data, got.data,
				    "cannot capture %s: EHLO keyword %s is not advertised", cp->name, cp->source);
				goto out;
			}
			set_capture(s, cp->name, k->params, strlen(k->params));
		} else {
			regmatch_t m[2];
			const char *t = text.data ? text.data : "";
			if (regexec(&cp->re, t, 2, m, 0) != 0) {
				sess_fail(s, RES_FAIL, want.data, got.data,
				    "cannot capture %s: reply text does not match /%s/", cp->name, cp->source);
				goto out;
			}
			int g = m[1].rm_so >= 0 ? 1 : 0;
			set_capture(s, cp->name, t + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
		}
	}
	if (x->n_prefer && !prefer_match(x, r->code)) {
		struct buf pref;
		buf_init(&pref);
		for (size_t i = 0; i < x->n_prefer; i++)
			buf_printf(&pref, "%s%s", i ? ", " : "", x->prefer[i].pat);
		const struct op *op = &s->ops[s->op];
		/* Bounded: a step with repeat: 1000 warns at most this often. */
		if (s->res->n_warnings < 32 && op->phase == PH_STEPS)
			res_warn(s->res, "step %d (line %d): got %d, accepted, but the RFC prefers %s",
			    op->number, op->st->line, r->code, pref.data);
		buf_free(&pref);
	}
	ok = 1;
out:
	free(caps);
	buf_free(&want);
	buf_free(&got);
	buf_free(&text);
	return ok;
}

enum got { GOT_WAIT, GOT_DONE, GOT_FAILED };

/* Parse one reply from the input for an expect operation. */
static enum got
take_reply(struct sess *s, const struct scn_expect *x)
{
	struct reply_line lines[MAX_REPLY_LINES];
	struct reply r = { .lines = lines, .lines_cap = MAX_REPLY_LINES };
	struct reply_error err = { 0 };
	const struct eng_opts *o = s->eng->o;
	struct reply_opts opts = {
		.max_line = o->max_reply_line ? o->max_reply_line : REPLY_DEFAULT_MAX_LINE,
		.max_lines = o->max_reply_lines ? o->max_reply_lines : ENG_DEFAULT_MAX_LINES,
	};
	ssize_t n = s->in.len ? reply_parse(s->in.data, s->in.len, &opts, &r, &err) : REPLY_INCOMPLETE;
	if (n == REPLY_VIOLATION) {
		/* The probe only needs the code: a greeting that is malformed but
		 * says 220 leaves the target usable, and the scenarios then fail on
		 * the malformed reply with the bytes shown. */
		if (s->probe && s->op == s->op0 && s->in.len >= 3 && memcmp(s->in.data, "220", 3) == 0)
			s->greeting_code = 220;
		struct buf got;
		buf_init(&got);
		size_t from = err.offset > 40 ? err.offset - 40 : 0;
		size_t to = err.offset + 40 < s->in.len ? err.offset + 40 : s->in.len;
		res_render(&got, s->in.data + from, to - from);
		char limit[96] = "";
		if (err.kind == REPLY_ERR_LINE_TOO_LONG)
			snprintf(limit, sizeof(limit), ", over the limit of %zu bytes (--max-reply-line)",
			    opts.max_line);
		else if (err.kind == REPLY_ERR_TOO_MANY_LINES)
			snprintf(limit, sizeof(limit), ", over the limit of %zu lines (--max-reply-lines)",
			    opts.max_lines);
		sess_fail(s, RES_FAIL, "a well-formed reply (RFC 5321 4.2)", got.data,
		    "malformed reply: %s (line %zu of the reply, byte %zu%s)",
		    reply_violation_str(err.kind), err.line, err.offset, limit);
		buf_free(&got);
		return GOT_FAILED;
	}
	if (n == REPLY_INCOMPLETE) {
		if (s->eof) {
			struct buf want, got;
			buf_init(&want);
			buf_init(&got);
			describe_expect(x, &want);
			res_render(&got, s->in.data ? s->in.data : "", s->in.len);
			sess_fail(s, RES_FAIL, want.data, s->in.len ? got.data : "(connection closed)",
			    s->in.len ? "connection closed in the middle of a reply" :
			    "connection closed by the server while a reply was awaited");
			buf_free(&want);
			buf_free(&got);
			return GOT_FAILED;
		}
		return GOT_WAIT;
	}
	if (s->probe && s->op == s->op0)
		s->greeting_code = r.code;
	if (s->probe && s->op == s->op0 + 2)
		s->probe_ehlo_code = r.code;
	s->last_code = r.code;
	if (r.code == 421) {
		/* RFC 5321 3.8: 421 may come at any time; the close must follow. */
		struct buf text;
		buf_init(&text);
		res_render(&text, s->in.data, (size_t)n);
		int allowed = x->n_codes && codes_match(x, 421);
		if (!allowed && expects_only_5xx(x)) {
			sess_fail(s, RES_FAIL, "a 5xx reply (the session kept)", text.data,
			    "421 in answer to a single invalid command (RFC 5321 3.8: withdraw service only when shutting down)");
			buf_free(&text);
			return GOT_FAILED;
		}
		if (s->probe && s->op == s->op0)
			allowed = 1;
		buf_consume(&s->in, (size_t)n);
		s->awaiting_close = 1;
		s->close_status = allowed ? RES_PASS : RES_ERROR;
		s->close_reason = allowed ? NULL :
		    xasprintf("the server withdrew service (421) at %s; no verdict: %s",
		    s->ops[s->op].phase == PH_STEPS ? "a step" : s->ops[s->op].phase == PH_OPENING ?
		    "the opening" : "the teardown", text.data);
		buf_free(&text);
		s->seq++;
		return GOT_DONE;
	}
	int ok = check_reply(s, x, &r, s->in.data, (size_t)n);
	if (!ok)
		return GOT_FAILED;
	buf_consume(&s->in, (size_t)n);
	return GOT_DONE;
}

/* Bytes that arrived although no reply was awaited. */
static int
unsolicited(struct sess *s)
{
	if (s->in.len == 0)
		return 0;
	/* A 421 announcing shutdown may come unasked (RFC 5321 3.8). */
	struct reply_line lines[4];
	struct reply r = { .lines = lines, .lines_cap = 4 };
	struct reply_error err;
	ssize_t n = reply_parse(s->in.data, s->in.len, NULL, &r, &err);
	if (n > 0 && r.code == 421) {
		struct buf text;
		buf_init(&text);
		res_render(&text, s->in.data, (size_t)n);
		buf_consume(&s->in, (size_t)n);
		s->awaiting_close = 1;
		s->close_status = RES_ERROR;
		s->close_reason = xasprintf("the server withdrew service (421, unsolicited); no verdict: %s",
		    text.data);
		buf_free(&text);
		s->seq++;
		sess_advance(s);
		return 1;
	}
	struct buf got;
	buf_init(&got);
	res_render(&got, s->in.data, s->in.len > 200 ? 200 : s->in.len);
	sess_fail(s, RES_FAIL, "nothing (no command was awaiting a reply)", got.data,
	    "unsolicited data from the server (RFC 5321 4.2: one reply per command)");
	buf_free(&got);
	return 1;
}

/* Bytes a send-like step puts on the wire. */
static int
render_step(struct sess *s, const struct scn_step *st, struct buf *out)
{
	size_t pos = 0;
	const char *why = NULL;
	switch (st->kind) {
	case SCN_STEP_SEND:
		why = tmpl_expand(st->text, st->text_len, 0, var_lookup, s, out, &pos);
		buf_puts(out, "\r\n");
		break;
	case SCN_STEP_SEND_RAW:
		why = tmpl_expand(st->text, st->text_len, 1, var_lookup, s, out, &pos);
		break;
	case SCN_STEP_PIPELINE:
		for (size_t i = 0; i < st->n_lines && !why; i++) {
			why = tmpl_expand(st->lines[i], strlen(st->lines[i]), 0, var_lookup, s, out, &pos);
			buf_puts(out, "\r\n");
		}
		break;
	case SCN_STEP_DATA: {
		/* RFC 5321 4.5.2: dot-stuff; every line ends in CRLF. */
		struct buf body;
		buf_init(&body);
		why = tmpl_expand(st->text, st->text_len, 0, var_lookup, s, &body, &pos);
		const char *p = body.data ? body.data : "", *end = p + body.len;
		if (body.len && end[-1] == '\n')
			end--;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *le = nl ? nl : end;
			size_t ll = (size_t)(le - p);
			if (ll && p[ll - 1] == '\r')
				ll--;
			if (ll && p[0] == '.')
				buf_puts(out, ".");
			buf_append(out, p, ll);
			buf_puts(out, "\r\n");
			p = nl ? nl + 1 : end;
		}
		buf_free(&body);
		break;
	}
	default:
		break;
	}
	if (why) {
		sess_fail(s, RES_ERROR, NULL, NULL, "cannot expand the step's text: %s", why);
		return 0;
	}
	return 1;
}

/* The starttls step, and the handshake of implicit TLS (op_handshake):
 * phase 0 sends STARTTLS with any injected bytes in the same write, 1 takes
 * its reply (on 220 the handshake starts; another code the step allows ends
 * the step without TLS), 2 waits for the handshake under the per-wait
 * deadline.  Returns 1 to go on with the session, 0 to wait (or it ended). */
static int
starttls_op(struct sess *s, const struct scn_step *st)
{
	const struct eng_opts *o = s->eng->o;
	if (s->tls_phase == 0 && st == &op_handshake) {
		set_phase(s, 2);
		tls_start(s);
		return 1;
	}
	switch (s->tls_phase) {
	case 0: {
		if (unsolicited(s))
			return 0;
		if (s->eof) {
			sess_fail(s, RES_FAIL, NULL, "(connection closed)",
			    "the server closed the connection before STARTTLS could be sent");
			return 0;
		}
		if (s->tls) {
			sess_fail(s, RES_ERROR, NULL, NULL,
			    "TLS inside TLS is not supported: test a second STARTTLS with send: STARTTLS");
			return 0;
		}
		struct buf bytes;
		size_t pos = 0;
		const char *why = NULL;
		buf_init(&bytes);
		buf_puts(&bytes, "STARTTLS\r\n");
		if (st->text)
			why = tmpl_expand(st->text, st->text_len, 1, var_lookup, s, &bytes, &pos);
		if (why) {
			buf_free(&bytes);
			sess_fail(s, RES_ERROR, NULL, NULL, "cannot expand the step's text: %s", why);
			return 0;
		}
		s->last_sent_ehlo = 0;
		sess_send(s, bytes.data, bytes.len);
		buf_free(&bytes);
		set_phase(s, 1);
		return 1;
	}
	case 1: {
		enum got g = take_reply(s, &st->expect);
		if (g == GOT_FAILED)
			return 0;
		if (g == GOT_WAIT) {
			if (s->fired) {
				struct buf want;
				buf_init(&want);
				describe_expect(&st->expect, &want);
				sess_fail(s, RES_FAIL, want.data, "(nothing)",
				    "no complete reply to STARTTLS within %.1f s", o->timeout);
				buf_free(&want);
				return 0;
			}
			arm(s, o->timeout);
			return 0;
		}
		if (s->awaiting_close)
			return 1;
		if (stop_here(s, &st->expect))
			return 1;
		if (s->last_code != 220) {
			note(s, "STARTTLS answered %d: no handshake", s->last_code);
			next_op(s, 1);
			return 1;
		}
		set_phase(s, 2);
		tls_start(s);
		return 1;
	}
	default:
		break;
	}
	if (s->tls_up) {
		tls_forget(s);
		next_op(s, 1);
		return 1;
	}
	if (s->tls_failed || s->eof) {
		/* What came instead of (or before the end of) the handshake. */
		struct buf got;
		buf_init(&got);
		if (s->hs_raw.len)
			res_render(&got, s->hs_raw.data, s->hs_raw.len);
		else
			buf_puts(&got, "(nothing)");
		if (s->tls_failed)
			sess_fail(s, RES_FAIL, "a TLS handshake", got.data, "TLS handshake failed: %s",
			    s->tls_failed);
		else
			sess_fail(s, RES_FAIL, "a TLS handshake", got.data,
			    "the server closed the connection during the TLS handshake");
		buf_free(&got);
		return 0;
	}
	if (s->fired) {
		sess_fail(s, RES_FAIL, "a TLS handshake", "(nothing)",
		    "the TLS handshake did not complete within %.1f s", o->timeout);
		return 0;
	}
	arm(s, o->timeout);
	return 0;
}

static void advance_ops(struct sess *s);

/* Run the session as far as it can go, then put what it wrote on the wire
 * in one go (consecutive send steps become one write, as a client would). */
static void
sess_advance(struct sess *s)
{
	advance_ops(s);
	if (!s->done)
		sess_flush(s);
}

static void
advance_ops(struct sess *s)
{
	const struct eng_opts *o = s->eng->o;
	while (!s->done) {
		if (s->connecting)
			return;
		if (s->awaiting_close) {
			if (s->in.len) {
				struct buf got;
				buf_init(&got);
				res_render(&got, s->in.data, s->in.len > 200 ? 200 : s->in.len);
				sess_fail(s, RES_FAIL, "the close after 421", got.data,
				    "data after a 421 reply: the server must close (RFC 5321 3.8)");
				buf_free(&got);
				return;
			}
			if (s->eof) {
				char *why = s->close_reason;
				s->close_reason = NULL;
				sess_finish(s, s->close_status, why);
				free(why);
				return;
			}
			if (s->fired) {
				sess_fail(s, RES_FAIL, "the close after 421", "(connection still open)",
				    "the server sent 421 but did not close within %.1f s (RFC 5321 3.8)", o->timeout);
				return;
			}
			arm(s, o->timeout);
			return;
		}
		if (s->op >= s->nops) {
			if (s->in.len && unsolicited(s))
				return;
			sess_finish(s, RES_PASS, NULL);
			return;
		}
		const struct op *op = &s->ops[s->op];
		const struct scn_step *st = op->st;
		/* The teardown is skipped once the server has closed. */
		if (op->phase == PH_TEARDOWN && s->eof && st->kind != SCN_STEP_EXPECT_CLOSE &&
		    s->in.len == 0) {
			s->op = s->nops;
			continue;
		}
		switch (st->kind) {
		case SCN_STEP_SEND:
		case SCN_STEP_SEND_RAW:
		case SCN_STEP_PIPELINE:
		case SCN_STEP_DATA: {
			if (unsolicited(s))
				return;
			if (s->eof) {
				sess_fail(s, RES_FAIL, NULL, "(connection closed)",
				    "the server closed the connection before this step could send");
				return;
			}
			struct buf bytes;
			buf_init(&bytes);
			if (!render_step(s, st, &bytes)) {
				buf_free(&bytes);
				return;
			}
			if (st->kind == SCN_STEP_DATA && s->rep + 1 == st->repeat)
				buf_puts(&bytes, ".\r\n");
			s->last_sent_ehlo = (st->kind == SCN_STEP_SEND && bytes.len >= 5 &&
			    util_ieq(bytes.data, 4, "EHLO") && (bytes.data[4] == ' ' || bytes.data[4] == '\r')) ||
			    (st->kind == SCN_STEP_PIPELINE && st->n_lines &&
			    strncasecmp(st->lines[st->n_lines - 1], "EHLO", 4) == 0);
			sess_send(s, bytes.data ? bytes.data : "", bytes.len);
			buf_free(&bytes);
			next_op(s, 0);
			continue;
		}
		case SCN_STEP_EXPECT: {
			enum got g = take_reply(s, &st->expect);
			if (g == GOT_FAILED)
				return;
			if (g == GOT_WAIT) {
				if (s->fired) {
					struct buf want;
					buf_init(&want);
					describe_expect(&st->expect, &want);
					sess_fail(s, RES_FAIL, want.data, "(nothing)",
					    "no complete reply within %.1f s", o->timeout);
					buf_free(&want);
					return;
				}
				arm(s, o->timeout);
				return;
			}
			if (s->awaiting_close)
				continue;
			if (stop_here(s, &st->expect))
				continue;
			next_op(s, 0);
			continue;
		}
		case SCN_STEP_EXPECT_CLOSE:
			if (s->in.len) {
				struct buf got;
				buf_init(&got);
				res_render(&got, s->in.data, s->in.len > 200 ? 200 : s->in.len);
				sess_fail(s, RES_FAIL, "the server to close the connection", got.data,
				    "data instead of the close");
				buf_free(&got);
				return;
			}
			if (s->eof) {
				next_op(s, 1);
				continue;
			}
			if (s->fired) {
				sess_fail(s, RES_FAIL, "the server to close the connection", "(connection still open)",
				    "the server did not close within %.1f s", st->seconds > 0 ? st->seconds : o->timeout);
				return;
			}
			arm(s, st->seconds > 0 ? st->seconds : o->timeout);
			return;
		case SCN_STEP_EXPECT_OPEN:
			if (s->in.len) {
				if (unsolicited(s))
					return;
			}
			if (s->eof) {
				sess_fail(s, RES_FAIL, "the connection to stay open", "(connection closed)",
				    "the server closed the connection");
				return;
			}
			if (s->fired) {
				next_op(s, 1);
				continue;
			}
			arm(s, st->seconds);
			return;
		case SCN_STEP_WAIT:
			if (s->fired) {
				next_op(s, 1);
				continue;
			}
			arm(s, st->seconds);
			return;
		case SCN_STEP_EXPECT_EXTRA: {
			/* Nothing within the time: the strict behaviour, no remark.
			 * A reply: checked like expect, then reported as a warning. */
			enum got g = s->in.len ? take_reply(s, &st->expect) : GOT_WAIT;
			if (g == GOT_FAILED)
				return;
			if (g == GOT_DONE) {
				if (s->awaiting_close)
					continue;
				if (s->res->n_warnings < 32)
					res_warn(s->res, "step %d (line %d): %s", op->number, st->line, st->text);
				next_op(s, 0);
				continue;
			}
			if (s->fired && s->in.len) {
				struct buf got;
				buf_init(&got);
				res_render(&got, s->in.data, s->in.len > 200 ? 200 : s->in.len);
				sess_fail(s, RES_FAIL, "nothing, or one complete reply", got.data,
				    "an incomplete reply within %.1f s", st->seconds);
				buf_free(&got);
				return;
			}
			if (s->fired || s->eof) {
				next_op(s, 1);
				continue;
			}
			arm(s, st->seconds);
			return;
		}
		case SCN_STEP_STARTTLS:
			if (!starttls_op(s, st))
				return;
			continue;
		}
	}
}

/* ---- scheduling -------------------------------------------------------- */

/* Why a scenario cannot run on this target, or NULL. */
static char *
skip_reason(struct eng *e, const struct scn *sc)
{
	for (size_t i = 0; i < sc->n_requires_ext; i++)
		if (!e->probe->ehlo_ok || !ehlo_find(&e->probe->caps, sc->requires_ext[i]))
			return xasprintf("the target does not advertise %s", sc->requires_ext[i]);
	for (size_t i = 0; i < sc->n_requires_params; i++) {
		const struct scn_require_param *rp = &sc->requires_params[i];
		const struct ehlo_cap *c = e->probe->ehlo_ok ? ehlo_find(&e->probe->caps, rp->keyword) : NULL;
		if (!c)
			return xasprintf("the target does not advertise %s", rp->keyword);
		if (regexec(&rp->re, c->params, 0, NULL, 0) != 0)
			return xasprintf("the target's %s parameters '%s' do not match /%s/",
			    rp->keyword, c->params, rp->source);
	}
	for (size_t i = 0; i < sc->n_requires_vars; i++) {
		struct sess tmp = { .eng = e, .scn = sc };
		const char *v = var_lookup(&tmp, sc->requires_vars[i], strlen(sc->requires_vars[i]));
		if (!v || !*v)
			return xasprintf("variable %s is not set (use --var %s=... or a profile)",
			    sc->requires_vars[i], sc->requires_vars[i]);
	}
	return NULL;
}

static void
sess_start(struct eng *e, const struct scn *sc, struct res_result *res, int probe)
{
	struct sess *s = xcalloc(1, sizeof(*s));
	s->eng = e;
	s->scn = sc;
	s->res = res;
	s->probe = probe;
	s->fd = -1;
	s->t0 = util_now_ms();
	buf_init(&s->in);
	buf_init(&s->out);
	buf_init(&s->hs_raw);
	build_program(s);
	res->tr.limit = e->o->max_transcript;
	e->active++;
	e->live = xrealloc(e->live, (e->nlive + 1) * sizeof(*e->live));
	e->live[e->nlive++] = s;
	char err[256];
	double limit = sc && sc->timeout > 0 ? sc->timeout : e->o->scenario_timeout;
	s->scen_timer = loop_timer(e->loop, s->t0 + (int64_t)(limit * 1000.0), on_scenario_deadline, s);
	if (e->target->kind == TP_EXEC) {
		int fd = tp_spawn(e->target, &s->pid, err, sizeof(err));
		if (fd < 0) {
			if (fd == -2) {
				waitpid(s->pid, NULL, 0);
				s->pid = 0;
			}
			sess_fail(s, RES_ERROR, NULL, NULL, "%s", err);
			return;
		}
		s->fd = fd;
		note(s, "started %s (pid %d)", e->target->argv[0], (int)s->pid);
		loop_watch(e->loop, s->fd, POLLIN, on_io, s);
	} else {
		int more = 0;
		s->fd = tp_connect(e->target, 0, &more, err, sizeof(err));
		if (s->fd < 0) {
			sess_fail(s, RES_ERROR, NULL, NULL, "cannot connect to %s: %s", e->target->url, err);
			return;
		}
		s->connecting = 1;
		loop_watch(e->loop, s->fd, POLLOUT, on_io, s);
	}
	sess_advance(s);
}

static void
start_more(struct eng *e)
{
	while (e->running && e->active < e->o->jobs && e->next < e->total) {
		size_t i = e->next++;
		struct res_result *res = &e->results[i];
		memset(res, 0, sizeof(*res));
		res->scn = e->scns[i];
		char *why = skip_reason(e, e->scns[i]);
		if (why) {
			res->status = RES_SKIP;
			res->reason = why;
			e->finished++;
			if (e->o->on_result)
				e->o->on_result(e->o->arg, res, e->finished, e->total);
			continue;
		}
		sess_start(e, e->scns[i], res, 0);
	}
}

/* --run-timeout passed: end what runs, and what has not started yet is an
 * ERROR too (it never ran; no verdict on the server). */
static void
run_expire(struct eng *e)
{
	e->run_expired = 1;
	int was_running = e->running;
	e->running = 0;
	double limit = e->o->run_timeout;
	while (e->nlive > 0)
		sess_fail(e->live[e->nlive - 1], RES_ERROR, NULL, NULL,
		    "the run deadline of %.1f s (--run-timeout) passed", limit);
	if (!was_running)
		return;
	while (e->next < e->total) {
		size_t i = e->next++;
		struct res_result *res = &e->results[i];
		memset(res, 0, sizeof(*res));
		res->scn = e->scns[i];
		res->status = RES_ERROR;
		res->reason = xasprintf("not run: the run deadline of %.1f s (--run-timeout) passed", limit);
		e->finished++;
		if (e->o->on_result)
			e->o->on_result(e->o->arg, res, e->finished, e->total);
	}
}

static void
run_loop(struct eng *e, int (*until)(struct eng *))
{
	while (!until(e)) {
		if (e->run_deadline && !e->run_expired && util_now_ms() >= e->run_deadline)
			run_expire(e);
		if (until(e))
			break;
		if (loop_run_once(e->loop, 100) != 0)
			break;
		reap_poll(e, 0);
		for (size_t i = 0; i < e->ndead; i++)
			sess_free(e->dead[i]);
		e->ndead = 0;
	}
	for (size_t i = 0; i < e->ndead; i++)
		sess_free(e->dead[i]);
	e->ndead = 0;
}

static int
probe_done(struct eng *e)
{
	return e->active == 0;
}

static int
all_done(struct eng *e)
{
	return e->active == 0 && e->next >= e->total;
}

enum eng_status
eng_run(const struct eng_opts *o, struct scn *const *scns, size_t n,
    struct res_result *results, struct eng_probe *probe, char *errbuf, size_t errlen)
{
	struct eng e = { 0 };
	enum eng_status rc = ENG_OK;
	e.o = o;
	e.scns = scns;
	e.results = results;
	e.total = n;
	e.probe = probe;
	e.target = o->target;
	memset(probe, 0, sizeof(*probe));
	if (o->run_timeout > 0)
		e.run_deadline = util_now_ms() + (int64_t)(o->run_timeout * 1000.0);
	e.loop = loop_new();
	signal(SIGPIPE, SIG_IGN);
	{
		static const struct tls_opts no_tls_opts;
		e.tls_ctx = tls_client_ctx_new(o->tls ? o->tls : &no_tls_opts, errbuf, errlen);
		if (!e.tls_ctx) {
			rc = ENG_SETUP_ERROR;
			goto out;
		}
	}

	if (o->target->kind == TP_BUILTIN) {
		e.srv = srv_new(e.loop, o->target->faults, errbuf, errlen);
		if (!e.srv) {
			rc = ENG_SETUP_ERROR;
			goto out;
		}
		int port = o->target->tls ? srv_listen_tls(e.srv, "127.0.0.1", "0", errbuf, errlen) :
		    srv_listen(e.srv, "127.0.0.1", "0", errbuf, errlen);
		if (port < 0) {
			rc = ENG_SETUP_ERROR;
			goto out;
		}
		char url[64];
		snprintf(url, sizeof(url), "%s://127.0.0.1:%d", o->target->tls ? "smtps" : "smtp", port);
		char err[128];
		tp_parse(url, &e.builtin_tcp, err, sizeof(err));
		free(e.builtin_tcp.url);
		e.builtin_tcp.url = xstrdup(o->target->url);
		e.target = &e.builtin_tcp;
	}
	if (e.target->kind == TP_SMTP && !e.target->ai && tp_resolve(e.target, errbuf, errlen) != 0) {
		rc = ENG_UNREACHABLE;
		goto out;
	}

	/* The probe: is there an SMTP server at all, and what does it offer? */
	struct res_result pres = { 0 };
	probe->greeting_code = -1;
	sess_start(&e, NULL, &pres, 1);
	run_loop(&e, probe_done);
	if (probe->greeting_code != 220) {
		if (probe->greeting_code <= 0)
			snprintf(errbuf, errlen, "%s", pres.reason ? pres.reason : "no greeting");
		else
			snprintf(errbuf, errlen, "the greeting is %d, not 220: %s", probe->greeting_code,
			    pres.reason ? pres.reason : "the server refuses service");
		res_result_free(&pres);
		rc = ENG_UNREACHABLE;
		goto out;
	}
	res_result_free(&pres);

	e.running = 1;
	start_more(&e);
	run_loop(&e, all_done);
out:
	reap_poll(&e, 1);
	free(e.reap);
	free(e.dead);
	free(e.live);
	srv_free(e.srv);
	tls_ctx_free(e.tls_ctx);
	if (e.target == &e.builtin_tcp)
		tp_free(&e.builtin_tcp);
	loop_free(e.loop);
	return rc;
}
