/*
 * step.c - the runners of a session's operations (session.h; the program
 * itself is program.c's).  ses_advance() runs operations through a table of runners,
 * one per step kind; each returns 1 to go on with the next operation, or
 * 0 when the session has to wait for the server (or has ended).  The
 * runners of the steps that write are step_send.c's, starttls's
 * step_starttls.c's, sentinel's step_sentinel.c's, and those of the steps
 * about delivery step_delivered.c's.
 */
#include "session.h"
#include "step_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "reply.h"
#include "rules.h"
#include "util.h"

#define ENG_DEFAULT_MAX_LINES 1000
#define SHOW_INPUT 200         /* server bytes shown when unread input fails a step */

/* ---- moving on --------------------------------------------------------- */

/* A sentinel operation starts afresh. */
void
stp_sentinel_reset(struct ses *s)
{
	free(s->sent_other);
	s->sent_other = NULL;
	s->sent_other_code = 0;
	s->sent_extra = 0;
	s->sent_phase = SES_SENT_SEND;
}

/* The current operation is done (whole_step: every repeat of it). */
void
stp_next_op(struct ses *s, int whole_step)
{
	const struct ses_op *op = &s->ops[s->op];
	ses_new_wait(s);
	if (!whole_step && ++s->rep < op->st->repeat)
		return;
	s->rep = 0;
	s->tls_phase = SES_TLS_SEND;
	stp_sentinel_reset(s);
	s->op++;
}

/* stop_if: the reply says the server declined what the rest of the steps
 * test (RFC-allowed), so they do not apply: on to the teardown. */
void
stp_stop_here(struct ses *s)
{
	ses_note(s, "reply %d: the rest of the steps do not apply (stop_if)", s->last_code);
	ses_new_wait(s);
	s->rep = 0;
	s->tls_phase = SES_TLS_SEND;
	stp_sentinel_reset(s);
	s->nops = ses_after_teardown(s); /* nor do trailing delivered steps */
	while (s->op < s->nops && s->ops[s->op].phase != SES_TEARDOWN)
		s->op++;
}

/* Fail with (up to SHOW_INPUT of) the unread server bytes as what came. */
static void fail_input(struct ses *s, const char *expected, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail_input(struct ses *s, const char *expected, const char *fmt, ...)
{
	char reason[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	struct buf got;
	buf_init(&got);
	res_render(&got, s->in.data, s->in.len > SHOW_INPUT ? SHOW_INPUT : s->in.len);
	if (!s->charge)
		s->charge = "RF-01"; /* bytes no command asked for */
	ses_fail(s, RES_FAIL, expected, got.data, "%s", reason);
	buf_free(&got);
}

/* The deadline of a reply passed (to: "" or " to STARTTLS"). */
void
stp_fail_no_reply(struct ses *s, const struct scn_expect *x, const char *to)
{
	struct buf want;
	buf_init(&want);
	exp_describe(x, &want);
	s->charge = "RF-01"; /* one reply per command, whatever the step enforces */
	s->charge_session = 1;
	s->ff_timeout = ses_reply_wait_kind(s);
	ses_fail(s, RES_FAIL, want.data, "(nothing)", "no complete reply%s within %.1f s", to,
	    s->env->o->timeout);
	buf_free(&want);
}

/* The 421 (RFC 5321 3.8) that ends the session once the close follows. */
void
stp_await_close(struct ses *s, size_t n, enum res_status st, char *reason)
{
	buf_consume(&s->in, n);
	s->awaiting_close = 1;
	s->close_status = st;
	s->close_reason = reason;
	s->seq++;
}

/* The session rule a close breaks: before the teardown's 221 the close is
 * the server's, TM-03; in the teardown, TM-01 (221, then the close). */
const char *
stp_close_rule(const struct ses *s)
{
	return s->op < s->nops && s->ops[s->op].phase == SES_TEARDOWN ? "TM-01" : "TM-03";
}

/* RFC 5321 7.8 lets a server close after "an appropriate number of 5yz
 * replies": a close (or a 421) after two or more error replies ends the
 * scenario without a verdict, reported.  An exec: target's program killed
 * by a signal did not close, it crashed: that fails whatever the errors
 * before it.  1 if the session ended here. */
int
stp_ended_by_server(struct ses *s, const char *how)
{
	int sig = s->exit_signal;
	if (sig) {
		/* No reply to the command it died on, and no 421: TM-03, as
		 * the fuzzer's crash oracle charges it. */
		s->charge = stp_close_rule(s);
		s->charge_session = 1;
		ses_fail(s, RES_FAIL, NULL, "(the server's program died)",
		    "the server's program crashed, killed by signal %d (%s)%s", sig, strsignal(sig),
		    s->n_errors >= 2 ? ": not the close after errors RFC 5321 7.8 allows" : "");
		return 1;
	}
	if (s->n_errors < 2)
		return 0;
	res_warn(s->res, "the server %s after %u error replies (RFC 5321 7.8 allows it): "
	    "the rest of the scenario was not run", how, s->n_errors);
	char *why = xasprintf("ended by the server: it %s after %u error replies; no verdict",
	    how, s->n_errors);
	ses_finish(s, RES_SKIP, why);
	free(why);
	return 1;
}

/* ---- replies ----------------------------------------------------------- */


/* A reply that breaks RFC 5321 4.2: fail with the bytes around the fault. */
enum got
stp_malformed(struct ses *s, const struct reply_opts *opts, const struct reply_error *err)
{
	/* The probe only needs the code: a greeting that is malformed but
	 * says 220 leaves the target usable, and the scenarios then fail on
	 * the malformed reply with the bytes shown. */
	if (s->probe && s->op == s->op0 && s->in.len >= 3 && memcmp(s->in.data, "220", 3) == 0)
		s->greeting_code = 220;
	struct buf got;
	buf_init(&got);
	size_t from = err->offset > 40 ? err->offset - 40 : 0;
	size_t to = err->offset + 40 < s->in.len ? err->offset + 40 : s->in.len;
	res_render(&got, s->in.data + from, to - from);
	static const char *const charge[] = {
		[REPLY_ERR_CODE_MISMATCH] = "RF-03", [REPLY_ERR_BARE_LF] = "RF-06",
		[REPLY_ERR_BARE_CR] = "RF-06", [REPLY_ERR_LINE_TOO_LONG] = "RF-05",
		[REPLY_ERR_TOO_MANY_LINES] = "RF-05",
	};
	/* Anything else is not a reply at all (4.2's grammar): RF-01. */
	s->charge = (size_t)err->kind < sizeof(charge) / sizeof(charge[0]) && charge[err->kind] ?
	    charge[err->kind] : "RF-01";
	s->charge_session = 1; /* the reply's form, whatever the step enforces */
	char limit[96] = "";
	if (err->kind == REPLY_ERR_LINE_TOO_LONG)
		snprintf(limit, sizeof(limit), ", over the limit of %zu bytes a reply line",
		    opts->max_line);
	else if (err->kind == REPLY_ERR_TOO_MANY_LINES)
		snprintf(limit, sizeof(limit), ", over the limit of %zu lines a reply",
		    opts->max_lines);
	ses_fail(s, RES_FAIL, "a well-formed reply (RFC 5321 4.2)", got.data,
	    "malformed reply: %s (line %zu of the reply, byte %zu%s)",
	    reply_violation_str(err->kind), err->line, err->offset, limit);
	buf_free(&got);
	return GOT_FAILED;
}

/* Only part of a reply (or none) and the connection closed. */
enum got
stp_closed_in_reply(struct ses *s, const struct scn_expect *x)
{
	struct buf want, got;
	buf_init(&want);
	buf_init(&got);
	exp_describe(x, &want);
	res_render(&got, s->in.data ? s->in.data : "", s->in.len);
	if (!s->in.len && stp_ended_by_server(s, "closed the connection")) {
		buf_free(&want);
		buf_free(&got);
		return GOT_FAILED;
	}
	s->charge = s->in.len ? "RF-01" : stp_close_rule(s);
	s->charge_session = 1; /* a close or a cut reply, whatever the step enforces */
	ses_fail(s, RES_FAIL, want.data, s->in.len ? got.data : "(connection closed)",
	    s->in.len ? "connection closed in the middle of a reply" :
	    "connection closed by the server while a reply was awaited");
	buf_free(&want);
	buf_free(&got);
	return GOT_FAILED;
}

/* A reply the step did not want.  At a step that names a rule, a FAIL of
 * that rule.  At a set-up step (no rule), SKIP: a refusal (4yz/5yz) is the
 * server legally declining what the scenario needs, another answer breaks
 * no rule the scenario quotes.  In the teardown, TM-01. */
static enum got
apply_fail(struct ses *s, struct exp_result *v, int code)
{
	const struct ses_op *op = &s->ops[s->op];
	if (op->phase != SES_TEARDOWN && !(op->phase == SES_STEPS && op->st->rule)) {
		/* No rule names this step: whatever the server answered, it
		 * broke no requirement the scenario quotes. */
		const char *how = code >= 400 ? "declined" : "answered otherwise";
		char *why = op->phase == SES_STEPS ?
		    xasprintf("step %d (line %d): the server %s a step the scenario needs: %s",
		    op->number, op->st->line, how, v->actual) :
		    xasprintf("the opening: the server %s it: %s", how, v->actual);
		ses_finish(s, RES_SKIP, why);
		free(why);
		exp_result_free(v);
		return GOT_FAILED;
	}
	s->charge = op->phase == SES_TEARDOWN ? "TM-01" : "TX-10";
	ses_fail(s, RES_FAIL, v->expected, v->actual, "%s", v->reason);
	exp_result_free(v);
	return GOT_FAILED;
}

/* RFC 5321 3.8: 421 may come at any time; the close must follow. */
static enum got
took_421(struct ses *s, const struct scn_expect *x, size_t n)
{
	struct exp_result v;
	const struct ses_op *op = &s->ops[s->op];
	int allowed = exp_on_421(x, s->in.data, n, &v);
	/* 421 fails only the step whose rule is that the session survives
	 * this, the first invalid command (RFC 5321 3.8, 7.8). */
	if (allowed < 0 && op->phase == SES_STEPS && op->st->rule && s->n_errors == 0) {
		ses_fail(s, RES_FAIL, v.expected, v.actual, "%s", v.reason);
		exp_result_free(&v);
		return GOT_FAILED;
	}
	exp_result_free(&v);
	if (s->probe && s->op == s->op0)
		allowed = 1;
	if (!s->probe && s->op == s->op0 && op->phase == SES_OPENING)
		s->greeting_421 = 1; /* the server refused the session (engine.c) */
	char *why = NULL;
	if (allowed <= 0) {
		static const char *const where[] = {
			[SES_OPENING] = "the opening", [SES_STEPS] = "a step", [SES_TEARDOWN] = "the teardown",
		};
		struct buf text;
		buf_init(&text);
		res_render(&text, s->in.data, n);
		why = xasprintf("ended by the server: it withdrew service (421) at %s after %u error "
		    "replies; no verdict: %s", where[op->phase], s->n_errors, text.data);
		res_warn(s->res, "the server withdrew service (421) after %u error replies "
		    "(RFC 5321 3.8 allows it at any time)", s->n_errors);
		buf_free(&text);
	}
	stp_await_close(s, n, allowed > 0 ? RES_PASS : RES_SKIP, why);
	return GOT_DONE;
}

/* skip_if: the server legally declined what the scenario needs (a policy,
 * such as AUTH only inside TLS): SKIP with its reply, no verdict. */
static enum got
declined(struct ses *s, size_t n)
{
	const struct ses_op *op = &s->ops[s->op];
	struct buf got;
	buf_init(&got);
	res_render(&got, s->in.data, n);
	char *why = op->phase == SES_STEPS ?
	    xasprintf("step %d (line %d): the server declined what the scenario needs (skip_if): %s",
	    op->number, op->st->line, got.data) :
	    xasprintf("the server declined what the scenario needs (skip_if): %s", got.data);
	buf_free(&got);
	ses_finish(s, RES_SKIP, why);
	free(why);
	return GOT_FAILED;
}

/* A verdict of expect.c applied to the session. */
static enum got
apply_verdict(struct ses *s, const struct scn_expect *x, const struct reply *r, size_t n)
{
	struct exp_result v;
	if (exp_check(x, r, s->in.data, n, s->caps, s->last_sent_ehlo, &v) == EXP_FAIL)
		return apply_fail(s, &v, r->code);
	if (v.skip) {
		exp_result_free(&v);
		return declined(s, n);
	}
	if (v.caps) {
		free(s->caps);
		s->caps = v.caps;
		v.caps = NULL;
	}
	for (size_t i = 0; i < v.n_captures; i++) {
		s->capv = xrealloc(s->capv, (s->ncapv + 1) * sizeof(*s->capv));
		s->capv[s->ncapv++] = v.captures[i];
	}
	v.n_captures = 0;
	const struct ses_op *op = &s->ops[s->op];
	if (v.prefer && s->res->n_warnings < MAX_WARNINGS && op->phase == SES_STEPS)
		res_warn(s->res, "step %d (line %d): got %d, accepted, but the RFC prefers %s",
		    op->number, op->st->line, r->code, v.prefer);
	int stop = v.stop;
	exp_result_free(&v);
	buf_consume(&s->in, n);
	return stop ? GOT_STOP : GOT_DONE;
}

/* Control bytes in a reply's text: outside 4.2's textstring grammar (RF-07)
 * but under no MUST or SHOULD, so a warning, once per session. */
void
stp_warn_control(struct ses *s)
{
	if (s->warned_control)
		return;
	s->warned_control = 1;
	const struct ses_op *op = &s->ops[s->op];
	if (op->phase == SES_STEPS)
		res_warn(s->res, "step %d (line %d): the reply carries control bytes (RF-07: "
		    "outside RFC 5321 4.2's textstring, which no MUST or SHOULD enforces)",
		    op->number, op->st->line);
	else
		res_warn(s->res, "the reply carries control bytes (RF-07: outside RFC 5321 4.2's "
		    "textstring, which no MUST or SHOULD enforces)");
}

/* The next reply of the input into *r: GOT_DONE with *n its length (not
 * consumed), GOT_WAIT (incomplete), or GOT_FAILED (malformed: the session
 * failed).  Control bytes in it are warned about once. */
enum got
stp_parse(struct ses *s, struct reply *r, size_t *n)
{
	struct reply_error err = { 0 };
	const struct eng_opts *o = s->env->o;
	struct reply_opts opts = {
		.max_line = o->max_reply_line ? o->max_reply_line : REPLY_DEFAULT_MAX_LINE,
		.max_lines = o->max_reply_lines ? o->max_reply_lines : ENG_DEFAULT_MAX_LINES,
		.flags = REPLY_OPT_TEXT_CONTROL,
	};
	ssize_t got = s->in.len ? reply_parse(s->in.data, s->in.len, &opts, r, &err) : REPLY_INCOMPLETE;
	if (got == REPLY_VIOLATION)
		return stp_malformed(s, &opts, &err);
	if (got == REPLY_INCOMPLETE)
		return GOT_WAIT;
	if (reply_has_control(s->in.data, (size_t)got))
		stp_warn_control(s);
	*n = (size_t)got;
	return GOT_DONE;
}

/* Parse one reply from the input for an expect operation. */
enum got
stp_take_reply(struct ses *s, const struct scn_expect *x)
{
	struct reply_line lines[MAX_REPLY_LINES];
	struct reply r = { .lines = lines, .lines_cap = MAX_REPLY_LINES };
	size_t n;
	enum got g = stp_parse(s, &r, &n);
	if (g == GOT_WAIT && s->eof)
		return stp_closed_in_reply(s, x);
	if (g != GOT_DONE)
		return g;
	if (s->probe && s->op == s->op0)
		s->greeting_code = r.code;
	if (s->op == s->op0 && s->ops[s->op].phase == SES_OPENING && r.code == 220)
		s->greeted = 1;
	if (s->probe && s->op == s->op0 + 2)
		s->probe_ehlo_code = r.code;
	if (s->probe)
		ses_probe_keep(s, r.code, s->in.data, (size_t)n);
	s->last_code = r.code;
	if (r.code == 421)
		return took_421(s, x, (size_t)n);
	if (r.code >= 400)
		s->n_errors++;
	return apply_verdict(s, x, &r, (size_t)n);
}

/* Bytes that arrived although no reply was awaited.  1 if there were (the
 * session then failed, or awaits the close after an unasked 421). */
int
stp_unsolicited(struct ses *s)
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
		char *why = xasprintf("ended by the server: it withdrew service (421, unsolicited) "
		    "after %u error replies; no verdict: %s", s->n_errors, text.data);
		res_warn(s->res, "the server withdrew service (421, unsolicited) after %u error "
		    "replies (RFC 5321 3.8 allows it at any time)", s->n_errors);
		buf_free(&text);
		stp_await_close(s, (size_t)n, RES_SKIP, why);
		ses_advance(s);
		return 1;
	}
	if (n > 0 && r.code >= 400 && !(r.code >= 500 && r.code <= 504)) {
		/* A refusal of the data (451, 554 ...), not the reply to a
		 * command (2yz, 500-504: one was read, e.g. after a fake end of
		 * data, which is the step's rule): it breaks the session's rules,
		 * the reply sequence, or the close without 421 when the server
		 * then hung up. */
		s->charge = s->eof ? "TM-03" : "RF-01";
		s->charge_session = 1;
		fail_input(s, "nothing (no command was awaiting a reply)", s->eof ?
		    "unsolicited refusal from the server, then the close without 421 (RFC 5321 3.8)" :
		    "unsolicited refusal from the server (RFC 5321 4.2: one reply per command)");
		return 1;
	}
	fail_input(s, "nothing (no command was awaiting a reply)",
	    "unsolicited data from the server (RFC 5321 4.2: one reply per command)");
	return 1;
}

/* ---- runners ----------------------------------------------------------- */

static int
run_expect(struct ses *s, const struct ses_op *op)
{
	enum got g = stp_take_reply(s, &op->st->expect);
	if (g == GOT_FAILED)
		return 0;
	if (g == GOT_WAIT) {
		if (s->fired) {
			stp_fail_no_reply(s, &op->st->expect, "");
			return 0;
		}
		ses_arm_reply(s);
		return 0;
	}
	if (s->awaiting_close)
		return 1;
	if (g == GOT_STOP)
		stp_stop_here(s);
	else
		stp_next_op(s, 0);
	return 1;
}

static int
run_expect_close(struct ses *s, const struct ses_op *op)
{
	double limit = op->st->seconds > 0 ? op->st->seconds : s->env->o->timeout;
	if (s->in.len) {
		fail_input(s, "the server to close the connection", "data instead of the close");
		return 0;
	}
	if (s->eof) {
		stp_next_op(s, 1);
		return 1;
	}
	if (s->fired) {
		s->charge = "TM-01";
		s->ff_timeout = ses_wait_kind(s);
		ses_fail(s, RES_FAIL, "the server to close the connection", "(connection still open)",
		    "the server did not close within %.1f s", limit);
		return 0;
	}
	ses_arm(s, limit);
	return 0;
}

static int
run_expect_open(struct ses *s, const struct ses_op *op)
{
	/* Bytes that came are judged at the end of the window or at the
	 * close, so a reply followed by the close is seen as both. */
	if (s->in.len && !s->eof && !s->fired) {
		ses_arm(s, op->st->seconds);
		return 0;
	}
	if (stp_unsolicited(s))
		return 0;
	if (s->eof) {
		if (stp_ended_by_server(s, "closed the connection"))
			return 0;
		s->charge = stp_close_rule(s);
		s->charge_session = 1; /* the close breaks TM-03 whatever the step enforces */
		ses_fail(s, RES_FAIL, "the connection to stay open", "(connection closed)",
		    "the server closed the connection");
		return 0;
	}
	if (s->fired) {
		stp_next_op(s, 1);
		return 1;
	}
	ses_arm(s, op->st->seconds);
	return 0;
}

static int
run_wait(struct ses *s, const struct ses_op *op)
{
	if (s->fired) {
		stp_next_op(s, 1);
		return 1;
	}
	ses_arm(s, op->st->seconds);
	return 0;
}

/* Nothing within the time: the strict behaviour, no remark.  A reply:
 * checked like expect, then reported as a warning. */
static int
run_expect_extra(struct ses *s, const struct ses_op *op)
{
	const struct scn_step *st = op->st;
	enum got g = s->in.len ? stp_take_reply(s, &st->expect) : GOT_WAIT;
	if (g == GOT_FAILED)
		return 0;
	if (g == GOT_DONE || g == GOT_STOP) {
		if (s->awaiting_close)
			return 1;
		if (s->res->n_warnings < MAX_WARNINGS)
			res_warn(s->res, "step %d (line %d): %s", op->number, st->line, st->text);
		stp_next_op(s, 0);
		return 1;
	}
	if (s->fired && s->in.len) {
		fail_input(s, "nothing, or one complete reply", "an incomplete reply within %.1f s",
		    st->seconds);
		return 0;
	}
	if (s->fired || s->eof) {
		stp_next_op(s, 1);
		return 1;
	}
	ses_arm(s, st->seconds);
	return 0;
}

/* ---- dispatch ---------------------------------------------------------- */

typedef int (*runner_fn)(struct ses *s, const struct ses_op *op);

/* One runner per step kind, indexed by kind. */
static const runner_fn runners[] = {
	[SCN_STEP_SEND] = stp_run_send,
	[SCN_STEP_SEND_RAW] = stp_run_send,
	[SCN_STEP_PIPELINE] = stp_run_send,
	[SCN_STEP_DATA] = stp_run_send,
	[SCN_STEP_EXPECT] = run_expect,
	[SCN_STEP_EXPECT_CLOSE] = run_expect_close,
	[SCN_STEP_EXPECT_OPEN] = run_expect_open,
	[SCN_STEP_WAIT] = run_wait,
	[SCN_STEP_EXPECT_EXTRA] = run_expect_extra,
	[SCN_STEP_STARTTLS] = stp_run_starttls,
	[SCN_STEP_SENTINEL] = stp_run_sentinel,
	[SCN_STEP_DISCONNECT] = stp_run_disconnect,
	[SCN_STEP_DRAIN] = stp_run_drain,
	[SCN_STEP_DELIVERED] = stp_run_delivered,
};
/* SCN_STEP_DELIVERED is the last kind of scenario.h: a kind added after it
 * without a runner fails here. */
_Static_assert(sizeof(runners) / sizeof(runners[0]) == SCN_STEP_DELIVERED + 1,
    "one runner per step kind");

/* After a 421: nothing more may come, and the close must follow
 * (RFC 5321 3.8).  Returns 0 (wait, or the session ended). */
static int
run_awaiting_close(struct ses *s)
{
	/* What follows a 421 is the session's rule, whatever the step enforces. */
	s->charge_session = 1;
	if (s->in.len) {
		fail_input(s, "the close after 421", "data after a 421 reply: the server must close (RFC 5321 3.8)");
		return 0;
	}
	if (s->eof) {
		char *why = s->close_reason;
		s->close_reason = NULL;
		ses_finish(s, s->close_status, why);
		free(why);
		return 0;
	}
	if (s->fired) {
		s->charge = "TX-10"; /* 421: "closing transmission channel" */
		s->ff_timeout = ses_wait_kind(s);
		ses_fail(s, RES_FAIL, "the close after 421", "(connection still open)",
		    "the server sent 421 but did not close within %.1f s (RFC 5321 3.8)", s->env->o->timeout);
		return 0;
	}
	ses_arm(s, s->env->o->timeout);
	return 0;
}

static void
advance_ops(struct ses *s)
{
	while (!s->done && !s->connecting) {
		if (s->awaiting_close) {
			run_awaiting_close(s);
			return;
		}
		if (s->op >= s->nops) {
			if (s->in.len && stp_unsolicited(s))
				return;
			ses_finish(s, RES_PASS, NULL);
			return;
		}
		const struct ses_op *op = &s->ops[s->op];
		/* The teardown is skipped once the server has closed. */
		if (op->phase == SES_TEARDOWN && s->eof && op->st->kind != SCN_STEP_EXPECT_CLOSE &&
		    s->in.len == 0) {
			s->op = ses_after_teardown(s);
			continue;
		}
		if (!runners[op->st->kind](s, op))
			return;
	}
}

/* Consecutive send steps become one write, as a client would make. */
void
ses_advance(struct ses *s)
{
	if (s->exit_timer)
		return; /* the close is taken once the program's exit is seen */
	advance_ops(s);
	if (!s->done)
		ses_flush(s);
}
