/*
 * fz_camp_launch.c - the campaign's side of a server started with
 * --launch (fz_launch.c starts and watches the process): a death marks the
 * sessions running then, is charged to one of them, and with sessions side
 * by side (-j > 1) is settled by replaying them alone (fz_attrib.c decides
 * the order and the limits).
 */
#include "fz_camp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A death showed lag ms after the end of the session it is charged to:
 * the shrinking tries wait for the longest such delay (fz_attrib_park_ms). */
static void
learn_lag(struct camp *c, int64_t lag)
{
	if (lag > c->death_lag_ms)
		c->death_lag_ms = lag;
}

/* The server died with no session in it: if the last shrinking try ended
 * within FZ_PARK_MS, the death was the try's, seen after its wait. */
static void
late_try_death(struct camp *c)
{
	int64_t lag = util_now_ms() - c->try_ended_ms;
	if (c->try_ended_ms && lag <= FZ_PARK_MS)
		learn_lag(c, lag);
}

/* Start (or start again) the launched server; on failure the campaign
 * stops, the reason in the stats. */
int
fzc_relaunch(struct camp *c)
{
	char why[512];
	/* Dead already, after the last shrinking try was judged: its death
	 * came late, and the tries from now on wait that much longer. */
	struct fz_death d;
	if (fz_launch_check(c->launch, 0, &d) == 1) {
		late_try_death(c);
		free(d.stderr_text);
	}
	if (fz_launch_start(c->launch, why, sizeof(why)) != 0) {
		util_strlcpy(c->st.last_error, why, sizeof(c->st.last_error));
		c->st.unreachable++;
		if (!c->st.gone[0])
			snprintf(c->st.gone, sizeof(c->st.gone),
			    "the launched server could not be started again: %.400s", why);
		fzc_stop(c, util_now_ms());
		return -1;
	}
	c->st.launches = fz_launch_starts(c->launch);
	return 0;
}

/* ---- whose death: the candidates replayed alone ------------------------------------ */

/* A death's replays are queued: the sessions in it (n_in, parked) that
 * wrote something are the candidates (those the server had not answered
 * in full first: fz_attrib.h), lead the one that wrote last, whose
 * observation (with the death) the job takes when it is judged. */
static void
attrib_queue(struct camp *c, struct run *lead, size_t n_in)
{
	struct attribjob *j = xmalloc(sizeof(*j));
	memset(j, 0, sizeof(*j));
	fz_attrib_init(&j->a, (unsigned)n_in, util_now_ms());
	for (size_t i = 0; i < c->n_live; i++) {
		struct run *r = c->live[i];
		if (r->in_death && r->parked->acts_sent)
			fz_attrib_add(&j->a, &r->sess, r->parked->last_act_ms, r->seq,
			    r->parked->end == FZ_END_DONE && r->parked->owed == 0);
	}
	fz_attrib_order(&j->a);
	fz_sess_init(&j->lead_sess, NULL);
	j->when = fzc_now_when(c);
	lead->lead_of = j;
	c->attr = xrealloc(c->attr, (c->n_attr + 1) * sizeof(*c->attr));
	c->attr[c->n_attr++] = j;
}

/* The lead's observation, judged (its death filled in): kept until the
 * replays are over. */
void
fzc_attrib_lead(struct attribjob *j, const struct fz_sess *s, struct fz_obs *obs)
{
	fz_sess_free(&j->lead_sess);
	fz_sess_copy(&j->lead_sess, s);
	j->lead = obs;
}

/* No replay killed a fresh server: the death is still a finding, the
 * session that wrote last, marked as not reproduced alone (never dropped,
 * never shrunk: shrinking keeps only tries that kill the server). */
static void
attrib_unconfirmed(struct camp *c, struct attribjob *j)
{
	struct fz_obs *obs = j->lead;
	obs->attrib = (struct fz_attrib_note){ j->a.sessions, (unsigned)j->a.n, j->replays, 0 };
	size_t len = strlen(obs->detail);
	snprintf(obs->detail + len, sizeof(obs->detail) - len, " (%u sessions ran; not reproduced "
	    "alone)", j->a.sessions);
	struct fz_verdict v = fz_oracle_judge(obs);
	if (!fzc_key_seen(c, fz_oracle_key(obs, &v), 1))
		fzc_write_finding(c, &j->lead_sess, obs, &v, 0, j->when);
}

static void
attrib_end(struct camp *c)
{
	struct attribjob *j = c->attr[0];
	memmove(&c->attr[0], &c->attr[1], (c->n_attr - 1) * sizeof(*c->attr));
	c->n_attr--;
	if (!fz_attrib_reproduced(&j->a) && j->lead)
		attrib_unconfirmed(c, j);
	fz_obs_free(j->lead);
	fz_sess_free(&j->lead_sess);
	fz_attrib_free(&j->a);
	free(j);
}

/* A replay ended (obs NULL: dropped, as a casualty): if it killed the
 * fresh server the job is over and the replay is the finding, shrunk as
 * any other (in the job's place under the cap), else obs goes. */
void
fzc_attrib_result(struct camp *c, struct run *r, struct fz_obs *obs)
{
	struct attribjob *j = c->n_attr ? c->attr[0] : NULL;
	int died = obs && obs->died;
	if (j) {
		j->running = 0;
		j->replays++;
		c->st.replays++;
		fz_attrib_result(&j->a, died);
	}
	if (!j || !died) {
		fz_obs_free(obs);
		return;
	}
	obs->attrib = (struct fz_attrib_note){ j->a.sessions, (unsigned)j->a.n, j->replays, 1 };
	struct fz_when when = j->when;
	attrib_end(c);
	if (!fzc_consider(c, &r->sess, obs, fz_oracle_judge(obs), when))
		fz_obs_free(obs);
}

/* The next replay, alone on a server started afresh, or the end of the
 * first job; 1 if a replay started. */
int
fzc_attrib_step(struct camp *c)
{
	while (c->n_attr) {
		struct attribjob *j = c->attr[0];
		if (j->running || !j->lead)
			return 0; /* a replay runs, or the lead is still parked */
		if (c->o->stop && *c->o->stop)
			j->a.until = 0;
		long i = fz_attrib_next(&j->a, util_now_ms());
		if (i >= 0 && fzc_relaunch(c) == 0) {
			struct run *r = xmalloc(sizeof(*r));
			r->c = c;
			r->kind = RUN_ATTRIB;
			fz_sess_copy(&r->sess, &j->a.cand[i].sess);
			j->running = 1;
			fzc_launch(c, r);
			return 1;
		}
		attrib_end(c); /* done, or the server does not start again */
	}
	return 0;
}

/* The server died (d, moved in): every session running then is in the
 * death, and the server starts again at once.  Which of them carries the
 * finding is settled when they have all ended (launch_resolve). */
static void
launch_died(struct camp *c, struct fz_death *d)
{
	c->st.deaths++;
	size_t n = 0;
	for (size_t i = 0; i < c->n_live; i++)
		if (!c->live[i]->charged && !c->live[i]->casualty) {
			c->live[i]->in_death = 1;
			n++;
		}
	if (n == 0) {
		c->st.idle_deaths++;
		late_try_death(c);
	}
	if (n == 0 || c->dying)
		free(d->stderr_text); /* a second death before the first settled: one finding */
	else {
		c->death = *d;
		c->death_ms = util_now_ms();
		c->dying = 1;
	}
	fzc_relaunch(c);
}

/* Once every session in the death has ended: the one that wrote its last
 * act most recently (the bytes the server read last) carries it, the
 * others' observations are dropped (the server went away under them).
 * With fuzz sessions side by side (-j > 1) that charge is only the lead:
 * the candidates are replayed alone before a finding is made
 * (attrib_step). */
void
fzc_launch_resolve(struct camp *c)
{
	if (!c->dying)
		return;
	struct run *best = NULL;
	size_t n_in = 0, n_cand = 0;
	int alone = 0;
	for (size_t i = 0; i < c->n_live; i++) {
		struct run *r = c->live[i];
		if (!r->in_death)
			continue;
		if (!r->parked)
			return; /* still running */
		n_in++;
		alone |= r->kind != RUN_FUZZ;
		if (!r->parked->acts_sent)
			continue;
		n_cand++;
		if (!best || fz_attrib_later(r->parked->last_act_ms, r->seq, best->parked->last_act_ms,
		    best->seq))
			best = r;
	}
	/* With sessions side by side the charge is a guess: replay first;
	 * past the cap the lead is judged as it is, and not kept. */
	if (fz_attrib_needed(c->o->jobs, alone, n_cand) && !fzc_cap_reached(c))
		attrib_queue(c, best, n_in);
	for (size_t i = 0; i < c->n_live; i++) {
		struct run *r = c->live[i];
		if (!r->in_death)
			continue;
		r->in_death = 0;
		if (r == best) {
			learn_lag(c, c->death_ms - r->ended_ms);
			r->charged = 1;
			r->death = c->death;
			c->death.stderr_text = NULL;
		} else
			r->casualty = 1;
	}
	if (!best)
		c->st.idle_deaths++;
	free(c->death.stderr_text);
	memset(&c->death, 0, sizeof(c->death));
	c->dying = 0;
}

/* Between loop rounds, and when a session ended: has the server died? */
void
fzc_launch_watch(struct camp *c)
{
	struct fz_death d;
	if (c->launch && fz_launch_check(c->launch, 0, &d) == 1)
		launch_died(c, &d);
}

/* A launched server's session ends: the edges the shared map gained since
 * the last one ended, read now (with -j 1 exactly this session's), not
 * when it is judged after its wait for a death. */
void
fzc_launch_edges(struct camp *c, struct fz_obs *obs)
{
	if (c->lcov) {
		obs->cov_new = fz_cov_release(c->lcov, 0);
		fz_cov_take(c->lcov);
	}
}

/* A launched server's session ends for good: its part in a death.  0 to
 * judge obs, -1 when it is dropped. */
int
fzc_launch_settle(struct camp *c, struct run *r, struct fz_obs *obs)
{
	for (size_t i = 0; i < c->n_live; i++)
		if (c->live[i] == r) {
			c->live[i] = c->live[--c->n_live];
			break;
		}
	if (r->casualty)
		return -1;
	if (r->charged) {
		obs->died = 1;
		obs->exit_signal = r->death.signal;
		obs->exit_status = r->death.status;
		obs->sanitizer = r->death.sanitizer;
		free(obs->stderr_text);
		obs->stderr_text = r->death.stderr_text;
		r->death.stderr_text = NULL;
		if (r->death.signal)
			snprintf(obs->detail, sizeof(obs->detail), "the launched server died by signal %d",
			    r->death.signal);
		else
			snprintf(obs->detail, sizeof(obs->detail), "the launched server exited with "
			    "status %d", r->death.status);
	}
	return 0;
}
