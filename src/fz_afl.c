/*
 * fz_afl.c - AFL++ files as scenarios (fz_afl.h): the replies owed, by the
 * framing model on a healthy server's path, and the scenario written.
 */
#include "fz_afl.h"

#include <string.h>

#include "fz_frame.h"
#include "fz_sess.h"
#include "rules.h"

/* What the healthy server the plan assumes knows of the session. */
struct healthy {
	int mail, rcpt;     /* a sender, a recipient accepted in this transaction */
	int authed;
	unsigned challenges; /* 334s still to come in an AUTH exchange */
};

/* The healthy server's code for the oldest owed unit (every code counts
 * as one reply; the codes matter where they decide what the next bytes
 * are: 354, 334, 220 to STARTTLS, 221). */
static int
answer(struct healthy *h, const struct fz_unit *u)
{
	switch ((enum fz_verb)u->verb) {
	case FZ_V_GREETING:
		return 220;
	case FZ_V_HELO:
	case FZ_V_EHLO:
	case FZ_V_RSET:
		h->mail = h->rcpt = 0;
		return 250;
	case FZ_V_MAIL:
		if (h->mail)
			return 503;
		h->mail = 1;
		return 250;
	case FZ_V_RCPT:
		if (!h->mail)
			return 503;
		h->rcpt = 1;
		return 250;
	case FZ_V_DATA:
		return h->mail && h->rcpt ? 354 : 503;
	case FZ_V_BODY:
		h->mail = h->rcpt = 0;
		return 250;
	case FZ_V_BDAT:
		if (u->last)
			h->mail = h->rcpt = 0;
		return 250;
	case FZ_V_QUIT:
		return 221;
	case FZ_V_AUTH:
		if (h->authed)
			return 503;
		h->challenges = u->challenges;
		/* fall through */
	case FZ_V_AUTH_RESP:
		if (h->challenges) {
			h->challenges--;
			return 334;
		}
		h->authed = 1;
		return 235;
	case FZ_V_STARTTLS:
		return 220;
	case FZ_V_NOOP:
	case FZ_V_VRFY:
	case FZ_V_EXPN:
	case FZ_V_HELP:
		return 250;
	case FZ_V_OTHER:
	case FZ_V_COUNT:
		break;
	}
	return 500;
}

void
fz_afl_plan(const char *b, size_t n, struct fz_afl_plan *p)
{
	struct fz_frame f;
	struct healthy h = { 0 };
	const struct fz_unit *u;
	memset(p, 0, sizeof(*p));
	fz_frame_init(&f);
	fz_frame_reply(&f, 220, NULL);
	fz_frame_caps(&f, 1, 1);
	fz_frame_client(&f, b, n);
	while (!fz_frame_closed(&f) && !fz_frame_tls_due(&f) && (u = fz_frame_next(&f)) != NULL) {
		fz_frame_reply(&f, answer(&h, u), NULL);
		p->owed++;
	}
	p->end = fz_frame_closed(&f) ? FZ_AFL_CLOSED : fz_frame_tls_due(&f) ? FZ_AFL_TLS : FZ_AFL_OPEN;
	fz_frame_free(&f);
}

int
fz_afl_write_yaml(FILE *f, const char *b, size_t n, const char *id, const char *title,
    const char *const *comment)
{
	struct fz_afl_plan p;
	struct fz_sess s;
	if (n > FZ_MAX_ACT)
		n = FZ_MAX_ACT; /* one act: the scenario sends no more */
	fz_afl_plan(b, n, &p);
	fz_sess_init(&s, "afl");
	if (n)
		fz_sess_add(&s, b, n, 0);
	struct fz_got greeting = { 220, FZ_V_GREETING, 0 };
	const struct rules_rule *r = rules_session("RF-01");
	fz_sess_write_yaml(f, &s, &(struct fz_seen){ &greeting, 1, NULL }, s.n, id, title, comment,
	    &(struct fz_ending){ r->id, r->ref, r->quote, p.owed, FZ_LAST_NONE, NULL });
	if (p.end == FZ_AFL_OPEN)
		fputs("  - drain: true\n", f);
	else if (p.end == FZ_AFL_TLS)
		fputs("  - disconnect: true\n", f);
	fz_sess_free(&s);
	return ferror(f) ? -1 : 0;
}
