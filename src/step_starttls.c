/*
 * step_starttls.c - the runner of a starttls step (RFC 3207): STARTTLS (with
 * any injected bytes, rendered by step_send.c), its reply, then the
 * handshake under the wait's deadline; and the handshake of implicit TLS
 * (smtps://) before the greeting.
 */
#include "step_int.h"

#include <stdlib.h>

#include "util.h"

/* Move a starttls operation to its next phase: a new wait, a new deadline. */
static void
set_phase(struct ses *s, enum ses_tls phase)
{
	ses_new_wait(s);
	s->tls_phase = phase;
}

/* STARTTLS with any injected bytes in the same write. */
static int
starttls_send(struct ses *s, const struct scn_step *st)
{
	if (stp_unsolicited(s))
		return 0;
	if (s->eof) {
		ses_fail(s, RES_FAIL, NULL, "(connection closed)",
		    "the server closed the connection before STARTTLS could be sent");
		return 0;
	}
	if (s->tls) {
		ses_fail(s, RES_ERROR, NULL, NULL,
		    "TLS inside TLS is not supported: test a second STARTTLS with send: STARTTLS");
		return 0;
	}
	if (!stp_send_step(s, st))
		return 0;
	set_phase(s, SES_TLS_REPLY);
	return 1;
}

/* Its reply: on 220 the handshake starts; another code the step allows
 * ends the step without TLS. */
static int
starttls_reply(struct ses *s, const struct scn_step *st)
{
	enum got g = stp_take_reply(s, &st->expect);
	if (g == GOT_FAILED)
		return 0;
	if (g == GOT_WAIT) {
		if (s->fired) {
			stp_fail_no_reply(s, &st->expect, " to STARTTLS");
			return 0;
		}
		ses_arm_reply(s);
		return 0;
	}
	if (s->awaiting_close)
		return 1;
	if (g == GOT_STOP) {
		stp_stop_here(s);
		return 1;
	}
	if (s->last_code != 220) {
		ses_note(s, "STARTTLS answered %d: no handshake", s->last_code);
		stp_next_op(s, 1);
		return 1;
	}
	set_phase(s, SES_TLS_HANDSHAKE);
	ses_tls_start(s);
	return 1;
}

/* 1 if the first bytes the server sent after its 220 were a TLS record
 * (RFC 8446 5.1: alert 0x15, handshake 0x16): it spoke TLS. */
static int
first_is_tls(const struct ses *s)
{
	if (s->hs_raw.len == 0)
		return 0;
	unsigned char c = (unsigned char)s->hs_raw.data[0];
	return c == 0x15 || c == 0x16;
}

/* 1 if the handshake failed on the server's side of TLS: it spoke TLS and
 * its TLS failed, rather than speaking something else. */
static int
server_tls_failed(const struct ses *s)
{
	return s->tls_failed && first_is_tls(s);
}

/* 1 if the server closed during a handshake whose versions the user
 * limited (--tls-min, --tls-max), after nothing or TLS records: a server
 * whose TLS refused them may close without its alert (asyncio drops it),
 * a lapse of TLS's (RFC 8446 6.2: SHOULD), not of SMTP's. */
static int
closed_on_narrowed(const struct ses *s)
{
	const struct tls_opts *to = s->env->o->tls;
	return !s->tls_failed && to && (to->min_version || to->max_version) &&
	    (s->hs_raw.len == 0 || first_is_tls(s));
}

/* The handshake, under the per-wait deadline. */
static int
starttls_handshake(struct ses *s)
{
	if (s->tls_up) {
		ses_tls_forget(s);
		stp_next_op(s, 1);
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
		const struct ses_op *op = &s->ops[s->op];
		const struct tls_opts *to = s->env->o->tls;
		if (s->tls_failed && to && to->verify && server_tls_failed(s)) {
			/* The user asked for a verified certificate: not a
			 * verdict on the protocol, but the run must not pass.
			 * (Bytes that are no TLS at all are judged below.) */
			buf_free(&got);
			ses_fail(s, RES_ERROR, "a verified TLS handshake", NULL,
			    "TLS handshake failed: %s", s->tls_failed);
			return 0;
		}
		if (!(op->phase == SES_STEPS && op->st->rule) || server_tls_failed(s) ||
		    closed_on_narrowed(s)) {
			/* A set-up handshake, or the server's own TLS failing
			 * (an alert, or a close on versions the user limited):
			 * the scenario cannot go on; no rule names what failed,
			 * so no verdict (RFC 3207 leaves the server's TLS
			 * configuration to it). */
			char *why = xasprintf("the TLS handshake failed: %s; no verdict",
			    s->tls_failed ? s->tls_failed : closed_on_narrowed(s) ?
			    "the server closed the connection (the TLS versions limited by "
			    "--tls-min/--tls-max)" : "the server closed the connection");
			buf_free(&got);
			ses_finish(s, RES_SKIP, why);
			free(why);
			return 0;
		}
		/* After its 220 the server did not speak TLS: the code's
		 * meaning broken (TX-10); or it closed (TM-03). */
		s->charge = s->tls_failed ? "TX-10" : stp_close_rule(s);
		s->charge_session = 1;
		if (s->tls_failed)
			ses_fail(s, RES_FAIL, "a TLS handshake", got.data, "TLS handshake failed: %s",
			    s->tls_failed);
		else
			ses_fail(s, RES_FAIL, "a TLS handshake", got.data,
			    "the server closed the connection during the TLS handshake");
		buf_free(&got);
		return 0;
	}
	if (s->fired) {
		s->ff_timeout = ses_wait_kind(s);
		ses_fail(s, RES_FAIL, "a TLS handshake", "(nothing)",
		    "the TLS handshake did not complete within %.1f s", s->env->o->timeout);
		return 0;
	}
	ses_arm(s, s->env->o->timeout);
	return 0;
}

/* The starttls step, and the handshake of implicit TLS (which starts at
 * the handshake phase). */
int
stp_run_starttls(struct ses *s, const struct ses_op *op)
{
	if (s->tls_phase == SES_TLS_SEND && ses_op_implicit_tls(op)) {
		set_phase(s, SES_TLS_HANDSHAKE);
		ses_tls_start(s);
		return 1;
	}
	switch (s->tls_phase) {
	case SES_TLS_SEND:
		return starttls_send(s, op->st);
	case SES_TLS_REPLY:
		return starttls_reply(s, op->st);
	case SES_TLS_HANDSHAKE:
		break;
	}
	return starttls_handshake(s);
}
