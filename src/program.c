/*
 * program.c - a session's program (session.h): the operations it will run,
 * built once from the opening, the scenario's steps and the teardown, or
 * the probe's fixed exchange.  The fixed operations live here as static
 * steps; the runners (step.c) tell the probe's replies apart by address.
 */
#include "session.h"

#include <stdlib.h>

#include "util.h"

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
/* The opening's authentication (env->auth) and the probe's transaction. */
static struct scn_code code_235 = { "235" };
static struct scn_step op_starttls_open = { .kind = SCN_STEP_STARTTLS, .repeat = 1,
	.expect = { .codes = &code_220, .n_codes = 1 } };
static struct scn_step op_auth = { .kind = SCN_STEP_SEND, .repeat = 1,
	.text = "AUTH PLAIN ${auth_plain}", .text_len = 24 };
static struct scn_step op_235 = { .kind = SCN_STEP_EXPECT, .repeat = 1,
	.expect = { .codes = &code_235, .n_codes = 1 } };
static struct scn_step op_mail = { .kind = SCN_STEP_SEND, .repeat = 1,
	.text = "MAIL FROM:<${sender}>", .text_len = 21 };
static struct scn_step op_rcpt = { .kind = SCN_STEP_SEND, .repeat = 1,
	.text = "RCPT TO:<${recipient}>", .text_len = 22 };
static struct scn_step op_rset = { .kind = SCN_STEP_SEND, .repeat = 1,
	.text = "RSET", .text_len = 4 };
/* The probe's replies it keeps (distinct objects: compared by address). */
static struct scn_step op_probe_auth = { .kind = SCN_STEP_EXPECT, .repeat = 1 };
static struct scn_step op_probe_mail = { .kind = SCN_STEP_EXPECT, .repeat = 1 };
static struct scn_step op_probe_rcpt = { .kind = SCN_STEP_EXPECT, .repeat = 1 };

static void
add_op(struct ses *s, const struct scn_step *st, enum ses_phase ph, int number)
{
	if (s->nops == s->capops) {
		s->capops = s->capops ? s->capops * 2 : 16;
		s->ops = xrealloc(s->ops, s->capops * sizeof(*s->ops));
	}
	s->ops[s->nops].st = st;
	s->ops[s->nops].phase = ph;
	s->ops[s->nops++].number = number;
}

/* After EHLO: [STARTTLS, EHLO,] AUTH PLAIN (session.h, enum ses_auth). */
static void
add_auth_opening(struct ses *s)
{
	if (s->env->auth == SES_AUTH_TLS && !s->env->target->tls) {
		add_op(s, &op_starttls_open, SES_OPENING, 0);
		add_op(s, &op_ehlo, SES_OPENING, 0);
		add_op(s, s->probe ? &op_any : &op_250, SES_OPENING, 0);
	}
	add_op(s, &op_auth, SES_OPENING, 0);
	add_op(s, s->probe ? &op_probe_auth : &op_235, SES_OPENING, 0);
}

/* 1 if the scenario's opening authenticates: the run needs it, the opening
 * is EHLO, and the steps do not do it (or the STARTTLS before it) themselves. */
static int
opening_auths(const struct ses *s)
{
	const struct scn *sc = s->scn;
	return s->env->auth != SES_AUTH_NONE && sc->opening == SCN_OPEN_EHLO &&
	    !scn_sends(sc, "AUTH") && !(s->env->auth == SES_AUTH_TLS && scn_sends(sc, "STARTTLS"));
}

/* The probe: greeting, EHLO, [AUTH,] MAIL, RCPT, RSET, QUIT; every reply
 * accepted, the engine judges them (engine.c). */
static void
build_probe(struct ses *s)
{
	add_op(s, &op_any, SES_OPENING, 0);
	add_op(s, &op_ehlo, SES_OPENING, 0);
	add_op(s, &op_any, SES_OPENING, 0);
	if (s->env->auth != SES_AUTH_NONE)
		add_auth_opening(s);
	add_op(s, &op_mail, SES_OPENING, 0);
	add_op(s, &op_probe_mail, SES_OPENING, 0);
	add_op(s, &op_rcpt, SES_OPENING, 0);
	add_op(s, &op_probe_rcpt, SES_OPENING, 0);
	add_op(s, &op_rset, SES_OPENING, 0);
	add_op(s, &op_any, SES_OPENING, 0);
	add_op(s, &op_quit, SES_OPENING, 0);
	add_op(s, &op_any, SES_OPENING, 0);
}

void
ses_probe_keep(struct ses *s, int code, const char *data, size_t n)
{
	const struct scn_step *st = s->ops[s->op].st;
	struct ses_reply *r = st == &op_probe_auth ? &s->probe_auth :
	    st == &op_probe_mail ? &s->probe_mail : st == &op_probe_rcpt ? &s->probe_rcpt : NULL;
	if (!r)
		return;
	while (n > 0 && (data[n - 1] == '\r' || data[n - 1] == '\n'))
		n--;
	free(r->text);
	r->text = xstrndup(data, n);
	for (char *p = r->text; *p; p++)
		if (*p == '\r' || *p == '\n' || (unsigned char)*p < 0x20)
			*p = ' ';
	r->code = code;
}

int
ses_op_implicit_tls(const struct ses_op *op)
{
	return op->st == &op_handshake;
}

void
ses_build_program(struct ses *s)
{
	if (s->env->target->tls) {
		add_op(s, &op_handshake, SES_OPENING, 0);
		s->op0 = 1;
	}
	if (s->probe) {
		build_probe(s);
		return;
	}
	const struct scn *sc = s->scn;
	if (sc->opening != SCN_OPEN_NONE)
		add_op(s, &op_greeting, SES_OPENING, 0);
	if (sc->opening == SCN_OPEN_EHLO || sc->opening == SCN_OPEN_HELO) {
		add_op(s, sc->opening == SCN_OPEN_EHLO ? &op_ehlo : &op_helo, SES_OPENING, 0);
		add_op(s, &op_250, SES_OPENING, 0);
	}
	if (opening_auths(s))
		add_auth_opening(s);
	/* Trailing delivered steps wait for the oracle once the session is
	 * over (a relay delivers what it queued whatever the session does). */
	size_t last = sc->n_steps;
	while (last > 0 && sc->steps[last - 1].kind == SCN_STEP_DELIVERED)
		last--;
	for (size_t i = 0; i < last; i++)
		add_op(s, &sc->steps[i], SES_STEPS, (int)i + 1);
	add_op(s, &op_quit, SES_TEARDOWN, 0);
	add_op(s, &op_221, SES_TEARDOWN, 0);
	add_op(s, &op_close, SES_TEARDOWN, 0);
	for (size_t i = last; i < sc->n_steps; i++)
		add_op(s, &sc->steps[i], SES_STEPS, (int)i + 1);
}

size_t
ses_after_teardown(const struct ses *s)
{
	size_t i = s->nops;
	while (i > 0 && s->ops[i - 1].phase != SES_TEARDOWN)
		i--;
	return i ? i : s->nops;
}

