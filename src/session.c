/*
 * session.c - a client session's life, I/O and TLS (session.h).
 *
 * TLS (starttls steps, smtps:// targets) sits between the descriptor and the
 * session's buffers: s->in and s->out stay what the scenario sees and what
 * goes on the wire, and a tls_conn (tls.h) turns one into the other.
 */
#include "session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rules.h"
#include "util.h"
#include "vars.h"

#define READ_CHUNK 65536
#define HS_RAW_KEEP 64         /* handshake bytes shown when it fails */

static double
elapsed(const struct ses *s)
{
	return (double)(util_now_ms() - s->t0) / 1000.0;
}

void
ses_note(struct ses *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	res_transcript_add(&s->res->tr, elapsed(s), RES_DIR_NOTE, msg, strlen(msg));
}

const char *
ses_var(void *arg, const char *name, size_t len)
{
	struct ses *s = arg;
	if (vars_is_session(name, len))
		return s->token;
	struct vars_scope scope = { s->capv, s->ncapv, s->env->vars, s->env->n_vars, s->scn };
	return vars_lookup(&scope, name, len);
}

/* ---- life -------------------------------------------------------------- */

struct ses *
ses_new(const struct ses_env *env, const struct scn *sc, struct res_result *res, int probe)
{
	struct ses *s = xcalloc(1, sizeof(*s));
	s->env = env;
	s->scn = sc;
	s->res = res;
	s->probe = probe;
	s->fd = -1;
	s->t0 = util_now_ms();
	buf_init(&s->in);
	buf_init(&s->out);
	buf_init(&s->hs_raw);
	ses_build_program(s);
	res->tr.limit = env->o->max_transcript;
	if (!probe && env->run_id && env->token_seq)
		snprintf(s->token, sizeof(s->token), "smtph%sn%06u", env->run_id,
		    ++*env->token_seq % 1000000u);
	return s;
}

static void
forget_learnt(struct ses *s)
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
}

void
ses_free(struct ses *s)
{
	buf_free(&s->in);
	buf_free(&s->out);
	free(s->ops);
	forget_learnt(s);
	free(s->close_reason);
	tls_conn_free(s->tls);
	free(s->tls_failed);
	buf_free(&s->hs_raw);
	free(s->sent_other);
	free(s->probe_auth.text);
	free(s->probe_mail.text);
	free(s->probe_rcpt.text);
	ses_dlv_texts_free(s);
	free(s);
}

static void
close_fd(struct ses *s)
{
	loop_timer_cancel(s->env->loop, s->exit_timer);
	s->exit_timer = 0;
	if (s->fd >= 0) {
		loop_unwatch(s->env->loop, s->fd);
		close(s->fd);
		s->fd = -1;
	}
	if (s->pid > 0) {
		tp_reaper_add(s->env->reaper, s->pid);
		s->pid = 0;
	}
}

void
ses_drop(struct ses *s)
{
	close_fd(s);
	buf_reset(&s->in);
	s->eof = 1;
	s->dropped = 1;
}

void
ses_finish(struct ses *s, enum res_status st, const char *reason)
{
	if (s->done)
		return;
	s->done = 1;
	loop_timer_cancel(s->env->loop, s->timer);
	loop_timer_cancel(s->env->loop, s->scen_timer);
	s->timer = s->scen_timer = 0;
	if (st != RES_PASS && reason)
		ses_note(s, "%s", reason);
	close_fd(s);
	s->res->status = st;
	if (reason && st != RES_PASS)
		s->res->reason = xstrdup(reason);
	s->res->duration = elapsed(s);
	s->env->ended(s->env->arg, s);
}

static const char *
phase_name(const struct ses_op *op)
{
	switch (op->phase) {
	case SES_OPENING:
		return "opening";
	case SES_TEARDOWN:
		return "teardown";
	case SES_STEPS:
		break;
	}
	return scn_step_kind_name(op->st->kind);
}

/* The one requirement a FAIL at op breaks: the step's own rule, else the
 * session rule the caller charged (charge_session: the session rule even
 * at a step with a rule, unless it is a close and the step's rule is about
 * closing). */
static void
charge_rule(struct ses *s, const struct ses_op *op)
{
	const struct scn_rule *own = op && op->phase == SES_STEPS ? op->st->rule : NULL;
	/* A close at a step that enforces a rule about closing is that rule's. */
	int close = s->charge && (strcmp(s->charge, "TM-03") == 0 || strcmp(s->charge, "TM-01") == 0);
	if (own && (!s->charge_session || (close && rules_about_close(own->id)))) {
		s->res->rule_id = own->id;
		s->res->rule_ref = own->ref;
		s->res->rule_quote = own->quote;
	} else if (s->charge) {
		const struct rules_rule *r = rules_session(s->charge);
		if (r) {
			s->res->rule_id = r->id;
			s->res->rule_ref = r->ref;
			s->res->rule_quote = r->quote;
		}
	}
	s->charge = NULL;
	s->charge_session = 0;
}

void
ses_fail(struct ses *s, enum res_status st, const char *expected, const char *actual,
    const char *fmt, ...)
{
	char reason[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (expected)
		s->res->expected = xstrdup(expected);
	if (actual)
		s->res->actual = xstrdup(actual);
	if (s->op >= s->nops) {
		if (st == RES_FAIL)
			charge_rule(s, NULL);
		ses_finish(s, st, reason);
		return;
	}
	const struct ses_op *op = &s->ops[s->op];
	if (st == RES_FAIL)
		charge_rule(s, op);
	s->res->step = op->phase == SES_STEPS ? op->number :
	    op->phase == SES_TEARDOWN ? (int)s->scn->n_steps + 1 : 0;
	s->res->step_line = op->phase == SES_STEPS ? op->st->line : 0;
	char full[1200];
	snprintf(full, sizeof(full), "%s: %s", phase_name(op), reason);
	ses_finish(s, st, full);
}

/* ---- timers ------------------------------------------------------------ */

static void
on_deadline(struct loop *l, void *arg)
{
	(void)l;
	struct ses *s = arg;
	s->timer = 0;
	if (s->seq_armed != s->seq)
		return;
	s->fired = 1;
	ses_advance(s);
}

static void
on_scenario_deadline(struct loop *l, void *arg)
{
	(void)l;
	struct ses *s = arg;
	s->scen_timer = 0;
	double limit = s->scn && s->scn->timeout > 0 ? s->scn->timeout : s->env->o->scenario_timeout;
	s->charge = "RF-01"; /* a command left unanswered */
	ses_fail(s, RES_FAIL, NULL, NULL, "scenario deadline of %.1f s exceeded", limit);
}

enum ff_wait
ses_wait_kind(const struct ses *s)
{
	if (s->probe || s->op >= s->nops)
		return FF_NONE;
	if (s->awaiting_close)
		return FF_CLOSE_AFTER_421;
	const struct ses_op *op = &s->ops[s->op];
	switch (op->phase) {
	case SES_OPENING:
		return FF_OPENING;
	case SES_TEARDOWN:
		return op->st->kind == SCN_STEP_EXPECT_CLOSE ? FF_QUIT_CLOSE : FF_QUIT_REPLY;
	case SES_STEPS:
		break;
	}
	return FF_NONE;
}

/* At a wait of the scenario's own steps (not the probe's, the opening's,
 * the teardown's or the close after a 421). */
static int
in_steps(const struct ses *s)
{
	return !s->probe && s->op < s->nops && ses_wait_kind(s) == FF_NONE;
}

enum ff_wait
ses_reply_wait_kind(struct ses *s)
{
	s->ff_verb[0] = '\0';
	if (!in_steps(s) || !s->last_verb[0])
		return ses_wait_kind(s);
	memcpy(s->ff_verb, s->last_verb, sizeof(s->ff_verb));
	return FF_STEP_REPLY;
}

int
ses_at_dead_wait(const struct ses *s)
{
	const struct ff *ff = s->env->ff;
	/* A step that enforces a rule is what its scenario tests: always
	 * waited for; a set-up step (no rule) is only the way there. */
	if (ff->dead == FF_STEP_REPLY)
		return s->reply_wait && in_steps(s) && !s->ops[s->op].st->rule &&
		    strcmp(s->last_verb, ff->verb) == 0;
	return ff->dead != FF_NONE && ses_wait_kind(s) == ff->dead;
}

void
ses_arm(struct ses *s, double seconds)
{
	if (ses_at_dead_wait(s)) {
		char why[256];
		ses_fail(s, RES_ERROR, NULL, NULL, "not waited for: %s (%d scenarios in a row "
		    "timed out there)", ff_describe(s->env->ff->dead, s->env->ff->verb, why,
		    sizeof(why)), FF_STREAK);
		return;
	}
	if (s->seq_armed == s->seq && (s->timer || s->fired))
		return;
	loop_timer_cancel(s->env->loop, s->timer);
	s->seq_armed = s->seq;
	s->fired = 0;
	s->timer = loop_timer(s->env->loop, util_now_ms() + (int64_t)(seconds * 1000.0),
	    on_deadline, s);
}

void
ses_arm_reply(struct ses *s)
{
	s->reply_wait = 1;
	ses_arm(s, s->env->o->timeout);
}

void
ses_new_wait(struct ses *s)
{
	s->reply_wait = 0;
	loop_timer_cancel(s->env->loop, s->timer);
	s->timer = 0;
	s->fired = 0;
	s->seq++;
}

/* ---- I/O --------------------------------------------------------------- */

void
ses_flush(struct ses *s)
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
		ses_note(s, "write failed: %s", n < 0 ? strerror(errno) : "short write");
		s->write_failed = 1;
		buf_reset(&s->out);
	}
	if (s->fd >= 0 && !s->connecting)
		loop_set_events(s->env->loop, s->fd,
		    (short)((s->eof ? 0 : POLLIN) | (s->out.len ? POLLOUT : 0)));
}

void
ses_send(struct ses *s, const char *data, size_t len)
{
	res_transcript_add(&s->res->tr, elapsed(s), RES_DIR_CLIENT, data, len);
	ff_write_verb(data, len, s->last_verb, sizeof(s->last_verb));
	if (s->write_failed)
		return;
	if (!s->tls_up)
		buf_append(&s->out, data, len);
	else if (tls_send(s->tls, data, len, &s->out) != 0) {
		ses_note(s, "write failed: the TLS session is unusable");
		s->write_failed = 1;
	}
}

/* Bytes from the server (plaintext) into s->in.  0, or -1 after failing the
 * session: more came than any step consumed. */
static int
take_in(struct ses *s, const char *data, size_t len)
{
	res_transcript_add(&s->res->tr, elapsed(s), RES_DIR_SERVER, data, len);
	if (s->in.len + len > SES_IN_CAP) {
		s->charge = "RF-01";
		ses_fail(s, RES_FAIL, NULL, NULL,
		    "the server sent more than %d bytes that no step consumed", SES_IN_CAP);
		return -1;
	}
	buf_append(&s->in, data, len);
	return 0;
}

/* What the handshake negotiated, kept in the result and the transcript. */
static void
tls_record(struct ses *s)
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
		ses_note(s, "TLS %s %s; certificate subject %s, issuer %s, valid %s to %s; verification: %s",
		    i.protocol, i.cipher, i.subject, i.issuer, i.not_before, i.not_after, i.verify);
	else
		ses_note(s, "TLS %s %s; no certificate", i.protocol, i.cipher);
}

/* Move the TLS session on with what was fed: the handshake, then the
 * plaintext into s->in.  Returns 0, or -1 when the TLS session ended (close
 * or error: a note says which; the caller treats it as the end of input). */
static int
tls_pump(struct ses *s)
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
	int over = plain.len ? take_in(s, plain.data, plain.len) : 0;
	buf_free(&plain);
	if (over)
		return -1;
	if (rc == 1)
		ses_note(s, "the server ended the TLS session (close_notify)");
	else if (rc < 0)
		ses_note(s, "TLS error: %s", err);
	return rc == 0 ? 0 : -1;
}

/* Bytes that came after the 220 belong to the TLS layer (or are garbage it
 * will refuse): they go in first. */
void
ses_tls_start(struct ses *s)
{
	struct ses_tls_ctx *t = s->env->tls;
	char err[256];
	if (!t->ctx) {
		t->ctx = tls_client_ctx_new(t->opts, err, sizeof(err));
		t->owned = 1;
	}
	if (!t->ctx) {
		ses_fail(s, RES_ERROR, NULL, NULL, "cannot make the TLS context: %s", err);
		return;
	}
	s->tls = tls_conn_new(t->ctx, 0, s->env->target->host);
	ses_note(s, "TLS handshake");
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
void
ses_tls_forget(struct ses *s)
{
	forget_learnt(s);
	s->last_sent_ehlo = 0;
}

/* An exec: target's program closed its end: its exit follows within
 * moments (its files close first), and whether a crash signal killed it
 * decides whether the close is a crash (stp_ended_by_server).  So the
 * close is taken once the program is collected, looked for each
 * millisecond with the loop running on, or after SES_EXIT_WAIT_MS for a
 * program that lives on. */
#define SES_EXIT_WAIT_MS 200

static void on_exit_check(struct loop *l, void *arg);

/* 1 once the program is collected or no longer waited for; else the next
 * look is armed (s->exit_timer). */
static int
exit_seen(struct ses *s)
{
	int reaped;
	s->exit_signal = tp_child_crash(s->pid, &reaped);
	if (reaped)
		s->pid = 0;
	if (reaped || util_now_ms() >= s->exit_until)
		return 1;
	s->exit_timer = loop_timer(s->env->loop, util_now_ms() + 1, on_exit_check, s);
	return 0;
}

static void
on_exit_check(struct loop *l, void *arg)
{
	(void)l;
	struct ses *s = arg;
	s->exit_timer = 0;
	if (!exit_seen(s))
		return;
	s->eof = 1;
	ses_advance(s);
}

/* Nothing more will come; stop watching so POLLHUP cannot spin. */
static void
input_ended(struct ses *s)
{
	loop_unwatch(s->env->loop, s->fd);
	if (s->pid > 0) {
		s->exit_until = util_now_ms() + SES_EXIT_WAIT_MS;
		if (!exit_seen(s))
			return;
	}
	s->eof = 1;
}

/* A chunk read while TLS is on.  0 to read on, -1 to stop. */
static int
read_tls(struct ses *s, const char *chunk, size_t n)
{
	/* Kept to show what came instead of a handshake. */
	if (!s->tls_up && s->hs_raw.len < HS_RAW_KEEP)
		buf_append(&s->hs_raw, chunk, n < HS_RAW_KEEP - s->hs_raw.len ? n : HS_RAW_KEEP - s->hs_raw.len);
	tls_feed(s->tls, chunk, n);
	if (tls_pump(s) == 0)
		return 0;
	if (!s->done)
		input_ended(s);
	return -1;
}

static void
ses_read(struct ses *s)
{
	char chunk[READ_CHUNK];
	for (int rounds = 0; rounds < 16 && !s->eof && !s->exit_timer; rounds++) {
		ssize_t n = recv(s->fd, chunk, sizeof(chunk), 0);
		/* A short read emptied the socket: the next poll says when
		 * there is more (or the close), so no recv() just to hear
		 * EAGAIN. */
		if (n > 0 && s->tls) {
			if (read_tls(s, chunk, (size_t)n) != 0 || (size_t)n < sizeof(chunk))
				return;
			continue;
		}
		if (n > 0) {
			if (take_in(s, chunk, (size_t)n) != 0 || (size_t)n < sizeof(chunk))
				return;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0)
			ses_note(s, "connection error: %s", strerror(errno));
		else
			ses_note(s, "connection closed by the server");
		input_ended(s);
	}
}

static void on_io(struct loop *l, int fd, int revents, void *arg);

/* POLLOUT on a connecting socket: connected, or on to the next address. */
static void
connected(struct ses *s)
{
	char err[256];
	if (tp_connect_result(s->fd, err, sizeof(err)) != 0) {
		int more = 0;
		loop_unwatch(s->env->loop, s->fd);
		close(s->fd);
		s->fd = -1;
		s->fd = tp_connect(s->env->target, ++s->addr_idx, &more, err + 128, 128);
		if (s->fd < 0) {
			ses_fail(s, RES_ERROR, NULL, NULL, "cannot connect to %s: %s",
			    s->env->target->url, err);
			return;
		}
		loop_watch(s->env->loop, s->fd, POLLOUT, on_io, s);
		return;
	}
	s->connecting = 0;
	ses_note(s, "connected");
	loop_set_events(s->env->loop, s->fd, POLLIN);
	ses_advance(s);
}

static void
on_io(struct loop *l, int fd, int revents, void *arg)
{
	(void)l;
	(void)fd;
	struct ses *s = arg;
	if (s->connecting) {
		connected(s);
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR))
		ses_read(s);
	if (s->done)
		return;
	if (revents & POLLOUT)
		ses_flush(s);
	ses_advance(s);
}

void
ses_open(struct ses *s)
{
	const struct ses_env *env = s->env;
	const struct tp_target *t = env->target;
	char err[256];
	double limit = s->scn && s->scn->timeout > 0 ? s->scn->timeout : env->o->scenario_timeout;
	s->scen_timer = loop_timer(env->loop, s->t0 + (int64_t)(limit * 1000.0), on_scenario_deadline, s);
	if (t->kind == TP_EXEC) {
		s->fd = tp_spawn(t, &s->pid, err, sizeof(err));
		if (s->fd < 0) {
			ses_fail(s, RES_ERROR, NULL, NULL, "%s", err);
			return;
		}
		ses_note(s, "started %s (pid %d)", t->argv[0], (int)s->pid);
		loop_watch(env->loop, s->fd, POLLIN, on_io, s);
	} else {
		int more = 0;
		s->fd = tp_connect(t, 0, &more, err, sizeof(err));
		if (s->fd < 0) {
			ses_fail(s, RES_ERROR, NULL, NULL, "cannot connect to %s: %s", t->url, err);
			return;
		}
		s->connecting = 1;
		loop_watch(env->loop, s->fd, POLLOUT, on_io, s);
	}
	ses_advance(s);
}
