/*
 * step_sentinel.c - the runner of a sentinel step (NOOP, RSET or QUIT whose
 * reply must be the next one): an extra reply shows in order, without a
 * timed wait.  The rest of the runners are step.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "reply.h"
#include "result.h"
#include "rules.h"
#include "step_int.h"
#include "util.h"

/* ---- sentinels ---------------------------------------------------------- */

/*
 * A sentinel (NOOP, RSET, QUIT) shows without waiting that the server sent
 * nothing more than the replies the steps before it took: a server answers
 * in order (RFC 5321 4.2: "Every command MUST generate exactly one reply"),
 * so a reply it owes to bytes sent before the sentinel comes before the
 * sentinel's own.  The sentinel's code is fixed by the RFC in every state:
 * 250 to NOOP (4.1.1.9) and RSET (4.1.1.5), 221 to QUIT (4.1.1.10).
 *
 * Another reply first is an extra reply, or the server answering the
 * sentinel otherwise; which of the two shows in what follows it: a further
 * reply (then it was extra: a FAIL), or nothing (it was the sentinel's
 * answer: no verdict for NOOP/RSET; TM-01 for QUIT, with its close).  Only
 * that last case waits, up to --timeout, and only on a server that
 * already answered wrongly.
 */

static struct scn_code code_s250 = { "250" }, code_s221 = { "221" };
static const struct scn_expect want_250 = { .codes = &code_s250, .n_codes = 1 };
static const struct scn_expect want_221 = { .codes = &code_s221, .n_codes = 1 };

static int
sentinel_is_quit(const struct scn_step *st)
{
	return strcmp(st->text, "QUIT") == 0;
}

static const struct scn_expect *
sentinel_want(const struct scn_step *st)
{
	return sentinel_is_quit(st) ? &want_221 : &want_250;
}

/* The reply taken instead of the sentinel's came before it: an extra reply.
 * A refusal (4yz/5yz but 500-504) breaks the reply sequence (RF-01); a
 * reply to a command (2yz/3yz, 500-504: one was read, as after a fake end
 * of data) is the step's rule, as at an expect_open, unless that rule is
 * about the close (the sentinel then only shows the session alive). */
static int
sentinel_extra(struct ses *s, const struct scn_step *st)
{
	int c = s->sent_other_code;
	s->charge = "RF-01";
	s->charge_session = (c >= 400 && !(c >= 500 && c <= 504)) ||
	    (st->rule && rules_about_close(st->rule->id));
	char expected[96];
	snprintf(expected, sizeof(expected), "the reply to the sentinel %s (%s) next", st->text,
	    sentinel_want(st)->codes[0].pat);
	ses_fail(s, RES_FAIL, expected, s->sent_other,
	    "an extra reply came before the reply to the sentinel %s (RFC 5321 4.2: one reply "
	    "per command)", st->text);
	return 0;
}

/* Nothing followed the other reply: it was the server's answer to the
 * sentinel itself (then the close, or the deadline). */
static int
sentinel_answered(struct ses *s, const struct scn_step *st)
{
	if (sentinel_is_quit(st)) {
		s->charge = "TM-01"; /* QUIT: 221, then the close */
		s->charge_session = 1;
		ses_fail(s, RES_FAIL, "221", s->sent_other, "QUIT was answered %d, not 221%s",
		    s->sent_other_code, s->eof ? "" : ", and the connection stayed open");
		return 0;
	}
	if (s->eof) {
		if (stp_ended_by_server(s, "closed the connection"))
			return 0;
		s->charge = stp_close_rule(s);
		s->charge_session = 1;
		ses_fail(s, RES_FAIL, "250", s->sent_other,
		    "the server answered the sentinel %s %d and closed the connection", st->text,
		    s->sent_other_code);
		return 0;
	}
	const struct ses_op *op = &s->ops[s->op];
	char *why = xasprintf("step %d (line %d): the server answered the sentinel %s otherwise "
	    "(not 250), so nothing can be told from it: %s", op->number, st->line, st->text,
	    s->sent_other);
	ses_finish(s, RES_SKIP, why);
	free(why);
	return 0;
}

/* The sentinel's reply came: on to the next step; after QUIT's 221, to the
 * teardown's wait for the close. */
static int
sentinel_done(struct ses *s, const struct scn_step *st)
{
	if (!sentinel_is_quit(st)) {
		stp_next_op(s, 1);
		return 1;
	}
	ses_new_wait(s);
	s->rep = 0;
	stp_sentinel_reset(s);
	while (s->op + 1 < s->nops && s->ops[s->op].st->kind != SCN_STEP_EXPECT_CLOSE)
		s->op++;
	if (s->ops[s->op].phase != SES_TEARDOWN)
		s->op = s->nops; /* no teardown (cannot happen: the program has one) */
	return 1;
}

/* A 421 (RFC 5321 3.8: any time): the close must follow; no verdict. */
static void
sentinel_421(struct ses *s, size_t n)
{
	struct buf text;
	buf_init(&text);
	res_render(&text, s->in.data, n);
	char *why = xasprintf("ended by the server: it withdrew service (421) after %u error "
	    "replies; no verdict: %s", s->n_errors, text.data);
	res_warn(s->res, "the server withdrew service (421) after %u error replies "
	    "(RFC 5321 3.8 allows it at any time)", s->n_errors);
	buf_free(&text);
	stp_await_close(s, n, RES_SKIP, why);
}

/* The reply phase: the sentinel's reply, a tolerated extra, or another. */
static int
sentinel_reply(struct ses *s, const struct scn_step *st)
{
	struct reply_line lines[MAX_REPLY_LINES];
	struct reply r = { .lines = lines, .lines_cap = MAX_REPLY_LINES };
	size_t n = 0;
	enum got g = stp_parse(s, &r, &n);
	if (g == GOT_FAILED)
		return 0;
	if (g == GOT_WAIT) {
		if (s->eof && sentinel_is_quit(st) && !s->in.len) {
			/* RFC 5321 4.1.1.10: 221 first, then the close. */
			s->charge = "TM-01";
			s->charge_session = 1;
			ses_fail(s, RES_FAIL, "221", "(connection closed)",
			    "the server closed the connection without answering QUIT");
			return 0;
		}
		if (s->eof) {
			stp_closed_in_reply(s, sentinel_want(st));
			return 0;
		}
		if (s->fired) {
			stp_fail_no_reply(s, sentinel_want(st), " to the sentinel");
			return 0;
		}
		ses_arm_reply(s);
		return 0;
	}
	s->last_code = r.code;
	if (r.code == 421) {
		sentinel_421(s, n);
		return 1;
	}
	if (r.code >= 400)
		s->n_errors++;
	if (r.code == (sentinel_is_quit(st) ? 221 : 250)) {
		buf_consume(&s->in, n);
		return sentinel_done(s, st);
	}
	if (st->has_extra && !s->sent_extra) {
		struct exp_result v;
		if (exp_check(&st->expect, &r, s->in.data, n, s->caps, 0, &v) == EXP_PASS) {
			exp_result_free(&v);
			const struct ses_op *op = &s->ops[s->op];
			if (s->res->n_warnings < MAX_WARNINGS)
				res_warn(s->res, "step %d (line %d): %s", op->number, st->line, st->warn);
			s->sent_extra = 1;
			buf_consume(&s->in, n);
			ses_new_wait(s);
			return 1;
		}
		exp_result_free(&v);
	}
	struct buf shown;
	buf_init(&shown);
	res_render(&shown, s->in.data, n);
	free(s->sent_other);
	s->sent_other = buf_steal(&shown, NULL);
	s->sent_other_code = r.code;
	buf_consume(&s->in, n);
	s->sent_phase = SES_SENT_CONFIRM;
	ses_new_wait(s);
	return 1;
}

/* The confirm phase: a further reply makes the other one extra. */
static int
sentinel_confirm(struct ses *s, const struct scn_step *st)
{
	struct reply_line lines[8];
	struct reply r = { .lines = lines, .lines_cap = 8 };
	size_t n = 0;
	enum got g = stp_parse(s, &r, &n);
	if (g == GOT_FAILED)
		return 0;
	if (g == GOT_DONE)
		return sentinel_extra(s, st);
	if (s->eof || s->fired)
		return sentinel_answered(s, st);
	ses_arm(s, s->env->o->timeout);
	return 0;
}

int
stp_run_sentinel(struct ses *s, const struct ses_op *op)
{
	const struct scn_step *st = op->st;
	switch (s->sent_phase) {
	case SES_SENT_SEND:
		/* With a tolerated extra reply, bytes already here are read as
		 * replies; without, they fail now, as before any send. */
		if ((!st->has_extra && stp_unsolicited(s)) || stp_closed_before_send(s))
			return 0;
		s->last_sent_ehlo = 0;
		char line[8];
		int len = snprintf(line, sizeof(line), "%s\r\n", st->text);
		ses_send(s, line, (size_t)len);
		ses_new_wait(s);
		s->sent_phase = SES_SENT_REPLY;
		return 1;
	case SES_SENT_REPLY:
		return sentinel_reply(s, st);
	case SES_SENT_CONFIRM:
		break;
	}
	return sentinel_confirm(s, st);
}
