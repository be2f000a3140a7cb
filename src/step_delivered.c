/*
 * step_delivered.c - the runners of the steps about delivery (issue 15):
 * `disconnect` (the client drops the connection, no QUIT) and `delivered`
 * (what the delivery oracle saw for the session's ${token}, judged by
 * delivered.c).  A delivered step polls the oracle: a relay delivers when
 * its queue gets to it, a mailbox is read from disk, the builtin target's
 * messages are in before its 250.  Its texts (${variables}) are expanded
 * once, when it begins, and kept for the polls.  `drain` sends QUIT and
 * waits for the close, whatever the server says before it.
 */
#include "step_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivered.h"
#include "template.h"
#include "util.h"

#define DLV_POLL_S 0.05	/* how often a waiting delivered step looks */
#define DLV_MAX 16	/* messages looked at (count is at most 16) */

/* The session is over (dropped or drained): on past the teardown, to the
 * trailing delivered steps. */
static int
next_past_teardown(struct ses *s)
{
	stp_next_op(s, 1);
	if (s->op < ses_after_teardown(s))
		s->op = ses_after_teardown(s);
	return 1;
}

/* The writes queued before the drop go out first: a client sends them and
 * then closes. */
int
stp_run_disconnect(struct ses *s, const struct ses_op *op)
{
	(void)op;
	if (s->out.len > 0 && !s->eof) {
		ses_flush(s);
		if (s->out.len > 0) {
			if (s->fired) {
				ses_fail(s, RES_ERROR, NULL, NULL, "the server took none of the "
				    "bytes before the disconnect within %.1f s", s->env->o->timeout);
				return 0;
			}
			ses_arm(s, s->env->o->timeout);
			return 0;
		}
	}
	ses_drop(s);
	ses_note(s, "disconnected (no QUIT)");
	s->drain_quit = 0;
	return next_past_teardown(s);
}

/* One text expanded into b (NUL-terminated); *why keeps the first error. */
static const char *
expand_one(struct ses *s, const char *text, size_t len, int escapes, struct buf *b,
    const char **why)
{
	size_t pos = 0;
	const char *e = tmpl_expand(text, len, escapes, ses_var, s, b, &pos);

	if (!*why)
		*why = e;
	buf_append(b, "", 1);
	return b->data;
}

/* QUIT, then whatever the server still says is dropped unread (no verdict:
 * the delivered steps after it judge; a server fooled by smuggled commands
 * owes replies to them first); its close ends the wait, or the client
 * drops the connection when it does not come in time. */
int
stp_run_drain(struct ses *s, const struct ses_op *op)
{
	double limit = op->st->seconds > 0 ? op->st->seconds : s->env->o->timeout;

	buf_reset(&s->in);
	if (!s->drain_quit && !s->eof) {
		s->drain_quit = 1;
		ses_send(s, "QUIT\r\n", 6);
	}
	if (!s->eof && !s->fired) {
		ses_arm(s, limit);
		return 0;
	}
	if (!s->eof) {
		ses_drop(s);
		ses_note(s, "the server did not close within %.1f s: disconnected", limit);
	}
	return next_past_teardown(s);
}

static size_t
texts_of(const struct scn_delivered *d)
{
	return (d->mail_from != NULL) + d->n_rcpt_to + d->n_mail_params + d->n_rcpt_params +
	    (size_t)d->has_body;
}

/* A delivered step's texts, expanded once when the step begins and kept
 * for its polls: nothing a wait does changes the session's variables. */
struct ses_dlv_texts {
	struct dlv_want want;   /* its strings point into keep[] */
	struct buf *keep;       /* texts_of(want.d) expanded texts */
	size_t nkeep;
	const char *why;        /* NULL, or why a text could not be expanded */
};

/* The step's texts expanded (a new ses_dlv_texts, the caller's). */
static struct ses_dlv_texts *
expand_all(struct ses *s, const struct scn_delivered *d)
{
	struct ses_dlv_texts *t = xcalloc(1, sizeof(*t));
	struct dlv_want *w = &t->want;
	size_t k = 0;
	char **rc = xcalloc(d->n_rcpt_to + 1, sizeof(char *));
	char **mp = xcalloc(d->n_mail_params + 1, sizeof(char *));
	char **rp = xcalloc(d->n_rcpt_params + 1, sizeof(char *));

	t->nkeep = texts_of(d);
	t->keep = xcalloc(t->nkeep + 1, sizeof(struct buf));
	w->d = d;
	w->rcpt_to = rc;
	w->mail_params = mp;
	w->rcpt_params = rp;
	if (d->mail_from)
		w->mail_from = expand_one(s, d->mail_from, strlen(d->mail_from), 0, &t->keep[k++],
		    &t->why);
	for (size_t i = 0; i < d->n_rcpt_to; i++)
		rc[i] = (char *)expand_one(s, d->rcpt_to[i], strlen(d->rcpt_to[i]), 0, &t->keep[k++],
		    &t->why);
	for (size_t i = 0; i < d->n_mail_params; i++)
		mp[i] = (char *)expand_one(s, d->mail_params[i], strlen(d->mail_params[i]), 0,
		    &t->keep[k++], &t->why);
	for (size_t i = 0; i < d->n_rcpt_params; i++)
		rp[i] = (char *)expand_one(s, d->rcpt_params[i], strlen(d->rcpt_params[i]), 0,
		    &t->keep[k++], &t->why);
	if (d->has_body) {
		w->body = expand_one(s, d->body, d->body_len, 1, &t->keep[k], &t->why);
		w->body_len = t->keep[k].len - 1;
	}
	return t;
}

void
ses_dlv_texts_free(struct ses *s)
{
	struct ses_dlv_texts *t = s->dlv_texts;

	if (!t)
		return;
	for (size_t i = 0; i < t->nkeep; i++)
		buf_free(&t->keep[i]);
	free(t->keep);
	free((void *)t->want.rcpt_to);
	free((void *)t->want.mail_params);
	free((void *)t->want.rcpt_params);
	free(t);
	s->dlv_texts = NULL;
}

/* The transcript shows what was delivered: the evidence of the verdict. */
static void
note_messages(struct ses *s, const struct orc_msg *const *m, size_t n, size_t total)
{
	char line[480];

	ses_note(s, "delivery oracle (%s): %zu message(s) carry token %s",
	    orc_kind_name(orc_kind(s->env->oracle)), total, s->token);
	for (size_t i = 0; i < n; i++) {
		size_t body, hlen = dlv_header_len(m[i]->data, m[i]->len, &body);
		dlv_describe(m[i], line, sizeof(line));
		ses_note(s, "%s", line);
		ses_note(s, "  header section: %.*s", (int)(hlen < 400 ? hlen : 400), m[i]->data);
	}
}

/* The verdict on what the oracle holds now, with the texts expanded when
 * the step began (s->dlv_texts). */
static enum dlv_verdict
judge(struct ses *s, char *why, size_t whylen, const struct orc_msg **m, size_t *nm,
    size_t *total)
{
	const struct ses_env *env = s->env;
	const struct ses_dlv_texts *t = s->dlv_texts;
	int64_t now = util_now_ms();

	*total = orc_store_find(orc_store(env->oracle), s->token, m, DLV_MAX);
	*nm = *total < DLV_MAX ? *total : DLV_MAX;
	if (*total != s->dlv_n) {
		s->dlv_n = *total;
		s->dlv_changed = now;
	}
	struct dlv_clock clk = {
		.waited_ms = now - s->dlv_t0,
		.settled_ms = now - s->dlv_changed,
		.within_ms = (int64_t)(env->oracle_wait * 1000.0),
		.settle_ms = (int64_t)(env->oracle_settle * 1000.0),
	};
	if (t->why) {
		snprintf(why, whylen, "cannot expand the step's texts: %s", t->why);
		return DLV_SKIP;
	}
	return dlv_judge(&t->want, m, *nm, &clk, why, whylen);
}

int
stp_run_delivered(struct ses *s, const struct ses_op *op)
{
	const struct orc_msg *m[DLV_MAX];
	size_t nm = 0, total = 0;
	char why[512], err[256];
	enum dlv_verdict v;

	if (!s->env->oracle) {
		ses_fail(s, RES_ERROR, NULL, NULL, "no delivery oracle (the scenario should have been skipped)");
		return 0;
	}
	if (s->fired)
		ses_new_wait(s);
	if (!s->dlv_t0) {
		s->dlv_t0 = s->dlv_changed = util_now_ms();
		s->dlv_n = 0;
		ses_dlv_texts_free(s);
		s->dlv_texts = expand_all(s, op->st->dlv);
	}
	if (orc_refresh(s->env->oracle, err, sizeof(err)) != 0) {
		ses_fail(s, RES_ERROR, NULL, NULL, "the delivery oracle: %s", err);
		return 0;
	}
	v = judge(s, why, sizeof(why), m, &nm, &total);
	if (v == DLV_WAIT) {
		ses_arm(s, DLV_POLL_S);
		return 0;
	}
	note_messages(s, m, nm, total);
	s->dlv_t0 = 0;
	ses_dlv_texts_free(s);
	if (v == DLV_FAIL) {
		ses_fail(s, RES_FAIL, NULL, NULL, "%s", why);
		return 0;
	}
	if (v == DLV_SKIP) {
		ses_finish(s, RES_SKIP, why);
		return 0;
	}
	stp_next_op(s, 1);
	return 1;
}
