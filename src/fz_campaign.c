/*
 * fz_campaign.c - the fuzz campaign of fz_campaign.h: scheduling, feedback,
 * findings and their shrinking.  The summary files are fz_report.c's; a
 * launched server's deaths are fz_camp_launch.c's.
 */
#include "fz_camp_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fz_reach.h"
#include "util.h"
#include "vars.h"

/* One STARTTLS handshake in this many is made in full (tls_opts.resume). */
#define FZ_TLS_FULL_EVERY 16

static void start_more(struct camp *c);

/* ---- keys ------------------------------------------------------------------- */

int
fzc_key_seen(struct camp *c, uint64_t k, int add)
{
	for (size_t i = 0; i < c->n_keys; i++)
		if (c->keys[i] == k)
			return 1;
	if (add) {
		c->keys = xrealloc(c->keys, (c->n_keys + 1) * sizeof(*c->keys));
		c->keys[c->n_keys++] = k;
	}
	return 0;
}

/* ---- the end ---------------------------------------------------------------- */

/* No new fuzz session from now on; the work left (shrinking the findings
 * kept, a death's replays) is cut FZ_STOP_GRACE_MS after grace_from. */
void
fzc_stop(struct camp *c, int64_t grace_from)
{
	c->cap_stop = 0; /* any stop but the cap's is for good */
	if (c->stopping)
		return;
	c->stopping = 1;
	c->grace_from = grace_from;
}

static int
past_grace(const struct camp *c)
{
	return c->stopping && util_now_ms() - c->grace_from > FZ_STOP_GRACE_MS;
}

/* The sessions still running are cut this long after the end: the grace,
 * and at least one --timeout and a second, so that a session waiting for
 * a reply (a hang, a close owed) still gets its verdict. */
static int
past_cut(const struct camp *c)
{
	int64_t wait = (int64_t)(c->o->timeout * 1000) + 1000;
	return c->stopping &&
	    util_now_ms() - c->grace_from > (wait > FZ_STOP_GRACE_MS ? wait : FZ_STOP_GRACE_MS);
}

/* ---- feedback ----------------------------------------------------------------- */

/* The context a reply changes: 235 to AUTH authenticates, 220 to
 * STARTTLS starts TLS (where the rest of the session runs). */
static unsigned
context_after(unsigned ctx, uint8_t verb, int code)
{
	if (code == 235 && (verb == FZ_V_AUTH || verb == FZ_V_AUTH_RESP))
		ctx |= 1;
	if (code == 220 && verb == FZ_V_STARTTLS)
		ctx = 2;
	return ctx;
}

/* New (context, verb, code) states or transitions between them: 2 if a
 * new state, 1 if only a new transition, 0 if neither.
 * The context (authenticated, in TLS) tells apart what the same reply
 * means at different depths of a session. */
static int
cover(struct camp *c, const struct fz_obs *o)
{
	int fresh = 0;
	uint32_t prev = FZ_CONTEXTS * FZ_STATES;
	unsigned ctx = 0;
	for (size_t i = 0; i <= o->n_codes; i++) {
		const struct fz_got *g = i < o->n_codes ? &o->got[i] : NULL;
		uint32_t s = g ? ctx * FZ_STATES + (uint32_t)g->verb * 1000 + (uint32_t)g->code % 1000 :
		    FZ_CONTEXTS * FZ_STATES + 1 + (uint32_t)o->end;
		if (g)
			ctx = context_after(ctx, g->verb, g->code);
		if (s < FZ_CONTEXTS * FZ_STATES && !c->states[s]) {
			c->states[s] = 1;
			c->st.states++;
			fresh = 2;
		}
		uint32_t e = (prev * 2654435761u ^ s * 40503u) % FZ_EDGES;
		if (!c->edges[e]) {
			c->edges[e] = 1;
			c->st.edges++;
			fresh = fresh ? fresh : 1;
		}
		prev = s;
	}
	return fresh;
}

static void
corpus_add(struct camp *c, const struct fz_sess *s)
{
	if (c->n_corpus >= FZ_CORPUS_MAX)
		return;
	struct fz_sess *k = xmalloc(sizeof(*k));
	fz_sess_copy(k, s);
	c->corpus[c->n_corpus++] = k;
	c->st.corpus = c->n_corpus;
}

/* ---- findings ----------------------------------------------------------------- */

void
fzc_write_finding(struct camp *c, const struct fz_sess *s, const struct fz_obs *obs,
    const struct fz_verdict *v, unsigned runs, struct fz_when when)
{
	uint64_t k = fz_oracle_key(obs, v);
	if (fzc_key_seen(c, k ^ 1, 1))
		return;
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s-%08llx.yaml", c->findings_dir, fz_oracle_name(v->oracle),
	    (unsigned long long)(k & 0xffffffffu));
	if (fz_report_finding(&c->rep, path, s, obs, v, c->o, runs, when) != 0)
		return;
	c->st.findings++;
	c->st.by_oracle[v->oracle]++;
	char seen[sizeof(obs->detail)];
	if (c->o->found)
		c->o->found(c->o->arg, v->oracle, path, fz_oracle_seen(obs, v, seen, sizeof(seen)));
}

/* Now, for a finding first seen now. */
struct fz_when
fzc_now_when(const struct camp *c)
{
	return (struct fz_when){ c->st.sessions, (double)(util_now_ms() - c->t0) / 1000.0 };
}

static void
pending_add(struct camp *c, const struct fz_sess *s, struct fz_obs *obs, struct fz_verdict v,
    struct fz_when when)
{
	c->pend = xrealloc(c->pend, (c->n_pend + 1) * sizeof(*c->pend));
	struct pending *p = &c->pend[c->n_pend++];
	fz_sess_copy(&p->sess, s);
	p->obs = obs;
	p->v = v;
	p->when = when;
}

/* --max-findings leaves no room for one more: the findings kept count,
 * written, waiting to be shrunk or being shrunk, and a death's replays
 * under way (each ends as one finding at most). */
int
fzc_cap_reached(const struct camp *c)
{
	size_t kept = c->st.findings + c->n_pend + c->n_mj + c->n_attr;
	return c->o->max_findings && kept >= c->o->max_findings;
}

/* 1 if the observation was kept (as a pending finding); when: when it was
 * first seen.  A new finding past the cap is only counted. */
int
fzc_consider(struct camp *c, const struct fz_sess *s, struct fz_obs *obs, struct fz_verdict v,
    struct fz_when when)
{
	if (fzc_key_seen(c, fz_oracle_key(obs, &v), 1))
		return 0;
	if (fzc_cap_reached(c)) {
		c->st.not_kept++;
		return 0;
	}
	/* Past FZ_PENDING_MAX waiting to be shrunk, a finding is written as
	 * found. */
	if (c->o->no_minimize || c->n_pend >= FZ_PENDING_MAX) {
		fzc_write_finding(c, s, obs, &v, 0, when);
		return 0;
	}
	pending_add(c, s, obs, v, when);
	return 1;
}

/* The findings shrunk at once: a quarter of the slots (a hang's try takes
 * --timeout, and a lax server's findings would starve fuzzing), each job
 * a try at a time; one with --launch, whose tries each run alone. */
static size_t
min_jobs(const struct camp *c)
{
	size_t k = (c->o->jobs + 3) / 4;
	return c->launch || k < 1 ? 1 : k > FZ_MIN_JOBS ? FZ_MIN_JOBS : k;
}

/* Job i is over: its finding written, the job gone. */
static void
minjob_end(struct camp *c, size_t i)
{
	struct minjob *j = c->mjs[i];
	fzc_write_finding(c, &j->m.best, j->best_obs, &j->v, j->runs, j->when);
	fz_min_free(&j->m);
	fz_obs_free(j->best_obs);
	free(j);
	memmove(&c->mjs[i], &c->mjs[i + 1], (c->n_mj - i - 1) * sizeof(*c->mjs));
	c->n_mj--;
}

/* Jobs for the oldest pending findings, up to min_jobs(). */
static void
minjobs_begin(struct camp *c)
{
	while (c->n_pend && c->n_mj < min_jobs(c)) {
		struct pending p = c->pend[0];
		memmove(&c->pend[0], &c->pend[1], (c->n_pend - 1) * sizeof(*c->pend));
		c->n_pend--;
		struct minjob *j = xmalloc(sizeof(*j));
		memset(j, 0, sizeof(*j));
		fz_min_init(&j->m, &p.sess);
		fz_sess_free(&p.sess);
		j->best_obs = p.obs;
		j->v = p.v;
		j->when = p.when;
		/* Past the grace after the end, the rest are written as they are. */
		j->until = past_grace(c) ? 0 : util_now_ms() + FZ_MIN_SECONDS * 1000;
		c->mjs = xrealloc(c->mjs, (c->n_mj + 1) * sizeof(*c->mjs));
		c->mjs[c->n_mj++] = j;
	}
}

/* ---- sessions ------------------------------------------------------------------ */

static void on_done(void *arg, struct fz_obs *obs);

void
fzc_launch(struct camp *c, struct run *r)
{
	c->active++;
	c->started++;
	r->seq = c->started;
	r->casualty = r->charged = r->in_death = 0;
	r->parked = NULL;
	r->lead_of = NULL;
	memset(&r->death, 0, sizeof(r->death));
	if (c->launch) {
		c->live = xrealloc(c->live, (c->n_live + 1) * sizeof(*c->live));
		c->live[c->n_live++] = r;
		c->fresh_server |= r->kind != RUN_FUZZ;
	}
	/* A shrinking try or a death's replay is one session, its outcome the
	 * point: its timed waits are the fixed ceilings, not the campaign's
	 * pace (a dirty session cut at 2 ms on a server that answers a loaded
	 * machine's replay in 5 never reaches the command that kills). */
	struct fz_env env = c->env;
	if (r->kind != RUN_FUZZ) {
		env.pace = NULL;
		/* and its handshakes full, as `run` makes them: one that kills
		 * only when resumed, or only when not, is not half kept */
		env.tls_ctx = c->tls_full;
	}
	fz_drive_start(&env, &r->sess, on_done, r);
}

static void
min_result(struct camp *c, struct run *r, struct fz_obs *obs, struct fz_verdict v)
{
	struct minjob *j = r->mj;
	j->running = 0;
	j->runs++;
	/* A launched server's death, or an exec: target's sanitizer report,
	 * is seen by `run` only as a close, which it excuses after two error
	 * replies (RFC 5321 7.8): a try with more of them than the best so far
	 * is not kept.  (An exec: target killed by a signal fails `run`
	 * whatever the errors before.) */
	int death = c->launch || j->v.oracle == FZ_OR_SANITIZER;
	int errs_ok = !death || obs->n_errors <= j->best_obs->n_errors || obs->n_errors < 2;
	if (v.oracle == j->v.oracle && errs_ok) {
		fz_min_keep(&j->m, &r->sess);
		/* A death replayed alone before: the try is a replay alone too. */
		obs->attrib = j->best_obs->attrib;
		fz_obs_free(j->best_obs);
		j->best_obs = obs;
		j->v = v;
		return;
	}
	fz_obs_free(obs);
}

static int
is_finder(const struct camp *c, size_t i)
{
	for (size_t k = 0; k < c->n_finders; k++)
		if (c->finders[k] == i)
			return 1;
	return 0;
}

/* The corpus is full: a session that reached a new state takes the place
 * of one kept for a transition or an edge alone (never a seed's nor
 * another finder's); 0 when none was found in a few picks. */
static int
corpus_evict(struct camp *c)
{
	if (c->n_corpus <= c->n_seeds)
		return 0;
	for (int tries = 0; tries < 16; tries++) {
		size_t i = c->n_seeds + fz_below(&c->rng, c->n_corpus - c->n_seeds);
		if (is_finder(c, i))
			continue;
		fz_sess_free(c->corpus[i]);
		free(c->corpus[i]);
		c->corpus[i] = c->corpus[--c->n_corpus];
		/* the last entry moved to i: so does its finder mark */
		for (size_t k = 0; k < c->n_finders; k++)
			if (c->finders[k] == c->n_corpus)
				c->finders[k] = i;
		return 1;
	}
	return 0;
}

/* A fuzz session's states and edges: it stays in the corpus if it reached
 * new ones. */
static void
feedback(struct camp *c, const struct run *r, const struct fz_obs *obs)
{
	int fresh = cover(c, obs);
	if (fresh == 2 && c->n_corpus >= FZ_CORPUS_MAX)
		corpus_evict(c);
	if (fresh == 2 && c->n_corpus < FZ_CORPUS_MAX) {
		c->finders = xrealloc(c->finders, (c->n_finders + 1) * sizeof(*c->finders));
		c->finders[c->n_finders++] = c->n_corpus;
	}
	if (fresh || obs->cov_new > 0)
		corpus_add(c, &r->sess);
	c->st.cov_edges = fz_cov_edges(c->env.cov ? c->env.cov : c->lcov);
}

/* A session's observation judged: findings, feedback; r is freed. */
static void
judge(struct camp *c, struct run *r, struct fz_obs *obs)
{
	if (c->launch && fzc_launch_settle(c, r, obs) != 0) {
		fz_obs_free(obs);
		if (r->kind == RUN_MIN) {
			r->mj->running = 0;
			r->mj->runs++;
		}
		if (r->kind == RUN_ATTRIB)
			fzc_attrib_result(c, r, NULL);
		fz_sess_free(&r->sess);
		free(r);
		return;
	}
	struct fz_verdict v = fz_oracle_judge(obs);
	if (r->kind == RUN_MIN)
		min_result(c, r, obs, v);
	else if (r->kind == RUN_ATTRIB)
		fzc_attrib_result(c, r, obs);
	else {
		feedback(c, r, obs);
		if (r->lead_of)
			fzc_attrib_lead(r->lead_of, &r->sess, obs);
		else if (v.oracle == FZ_OR_NONE || !fzc_consider(c, &r->sess, obs, v, fzc_now_when(c)))
			fz_obs_free(obs);
	}
	fz_sess_free(&r->sess);
	free(r);
}

static void unpark(struct camp *c);

/* How the session began (fz_reach.h): the counts the verdict on the
 * target reads. */
static void
count_session(struct camp *c, const struct fz_obs *obs)
{
	switch (fz_reach_of(obs)) {
	case FZ_REACH_TAKEN:
		c->st.sessions++;
		c->st.tls_made += obs->tls_made;
		c->st.tls_resumed += obs->tls_resumed;
		c->unreached_run = 0;
		c->last_taken_ms = util_now_ms();
		break;
	case FZ_REACH_NONE:
		c->st.unreachable++;
		util_strlcpy(c->st.last_error, obs->detail, sizeof(c->st.last_error));
		/* fuzzed, then no connection at all for long: it is gone */
		if (c->st.sessions && !c->st.gone[0] &&
		    fz_reach_gone(++c->unreached_run, util_now_ms() - c->last_taken_ms,
		    c->st.last_error, c->st.gone, sizeof(c->st.gone)))
			fzc_stop(c, util_now_ms());
		break;
	case FZ_REACH_REFUSED:
		c->st.refused++;
		break;
	case FZ_REACH_UNKNOWN:
		break;
	}
	if (obs->end == FZ_END_CUT)
		c->st.cut++;
}

/* A launched server's sessions wait for its death to show
 * (fz_attrib_park_ms), every one, not only those cut off: one that wrote
 * its last act and closed (a lying BDAT leaves nothing owed in our model)
 * ends before the server has even read the bytes that kill it. */
static void
on_done(void *arg, struct fz_obs *obs)
{
	struct run *r = arg;
	struct camp *c = r->c;
	r->ended_ms = util_now_ms();
	if (r->kind == RUN_MIN)
		c->try_ended_ms = r->ended_ms;
	c->active--;
	count_session(c, obs);
	fzc_launch_watch(c);
	if (c->launch)
		fzc_launch_edges(c, obs);
	if (c->launch && (r->in_death || (!r->charged && !r->casualty))) {
		r->parked = obs;
		r->park_until = r->ended_ms + fz_attrib_park_ms(r->kind == RUN_MIN, c->death_lag_ms);
		c->n_parked++;
		unpark(c);
	} else
		judge(c, r, obs);
	start_more(c);
}

/* The parked sessions whose wait is over, or whose part in a death is
 * known, are judged. */
static void
unpark(struct camp *c)
{
	if (!c->n_parked)
		return;
	fzc_launch_watch(c);
	fzc_launch_resolve(c);
	int64_t now = util_now_ms();
	for (size_t i = 0; i < c->n_live;) {
		struct run *r = c->live[i];
		if (r->parked && !r->in_death && (r->charged || r->casualty || now >= r->park_until)) {
			struct fz_obs *obs = r->parked;
			r->parked = NULL;
			c->n_parked--;
			judge(c, r, obs); /* takes r out of live */
			continue;
		}
		i++;
	}
}

/* The next try of a shrinking job not running, ending the jobs that
 * have no try left; 1 if a run started. */
static int
shrink_step(struct camp *c)
{
	minjobs_begin(c);
	for (size_t i = 0; i < c->n_mj;) {
		struct minjob *j = c->mjs[i];
		if (j->running) {
			i++;
			continue;
		}
		struct run *r = xmalloc(sizeof(*r));
		r->c = c;
		r->kind = RUN_MIN;
		r->mj = j;
		if (j->runs < FZ_MIN_RUNS && util_now_ms() < j->until &&
		    !(c->o->stop && *c->o->stop) && fz_min_next(&j->m, &r->sess)) {
			/* A launched server: each try alone, on a server started
			 * afresh, so a death is the try's own. */
			if (c->launch && fzc_relaunch(c) != 0) {
				fz_sess_free(&r->sess);
				free(r);
				j->until = 0;
				continue;
			}
			j->running = 1;
			fzc_launch(c, r);
			return 1;
		}
		free(r);
		minjob_end(c, i); /* the next job is at i now */
		minjobs_begin(c);
	}
	return 0;
}

/* A third of the parents are sessions that reached a new state of the
 * server (its depth), so the many kept for edges or transitions alone do
 * not drown them; half the rest are recent. */
static const struct fz_sess *
pick_parent(struct camp *c)
{
	size_t n = c->n_corpus;
	if (c->n_finders && fz_below(&c->rng, 3) == 0)
		return c->corpus[c->finders[fz_below(&c->rng, c->n_finders)]];
	if (n > 8 && fz_below(&c->rng, 2))
		return c->corpus[n - 1 - fz_below(&c->rng, n / 4)];
	return c->corpus[fz_below(&c->rng, n)];
}

/* A mutant of a parent, in s: one whose finding's file could outgrow
 * FZ_MAX_SESS_YAML (or the parent's, were that larger) is made again, at
 * most 8 times, then the parent goes as it is.  The bounds are read only
 * for sessions large enough to need them. */
static void
mutant(struct camp *c, struct fz_sess *s)
{
	const struct fz_sess *p = pick_parent(c);
	size_t parent = 0; /* fz_sess_yaml_bound(p), once needed */
	for (int tries = 0; tries < 8; tries++) {
		fz_sess_copy(s, p);
		fz_mutate(&c->rng, s, (const struct fz_sess *const *)c->corpus, c->n_corpus,
		    &c->words);
		if (s->n == 0)
			fz_sess_add(s, "QUIT\r\n", 6, 0);
		if (fz_sess_yaml_fits(s, FZ_MAX_SESS_YAML))
			return;
		if (!parent)
			parent = fz_sess_yaml_bound(p);
		if (fz_sess_yaml_bound(s) <= parent)
			return;
		fz_sess_free(s);
	}
	fz_sess_copy(s, p);
}

static void
fuzz_one(struct camp *c)
{
	struct run *r = xmalloc(sizeof(*r));
	r->c = c;
	r->kind = RUN_FUZZ;
	c->fuzzed++;
	if (c->seed_next < c->n_seeds)
		fz_sess_copy(&r->sess, c->corpus[c->seed_next++]);
	else
		mutant(c, &r->sess);
	fzc_launch(c, r);
}

/* Whether fuzzing ends now: a stop, --max-sessions, --duration, the cap
 * (whose findings kept may be shrunk until --duration's end and its
 * grace, as in a campaign that goes on), a target that takes no session. */
static void
check_stop(struct camp *c)
{
	const struct fz_opts *o = c->o;
	int64_t now = util_now_ms();
	int64_t end = o->duration > 0 ? c->t0 + (int64_t)(o->duration * 1000) : 0;
	c->st.elapsed = (double)(now - c->t0) / 1000.0; /* for fz_reach_verdict */
	if ((o->stop && *o->stop) || (o->max_sessions && c->fuzzed >= o->max_sessions) ||
	    (end && now >= end) ||
	    fz_reach_verdict(&c->st, 0, c->st.unusable, sizeof(c->st.unusable))) {
		fzc_stop(c, now);
	} else if (fzc_cap_reached(c)) {
		if (!c->stopping) {
			fzc_stop(c, end ? end : now);
			c->cap_stop = 1;
		}
	} else if (c->cap_stop) {
		/* a finding kept shrank into one already written: its room
		 * in the cap is free again, and fuzzing goes on */
		c->stopping = c->cap_stop = 0;
	}
}

/* A launched server's deaths are replayed, and its findings shrunk, one
 * session alone at a time: no fuzzing meanwhile. */
static int
solo(const struct camp *c)
{
	return c->launch && (c->n_mj || c->n_pend || c->n_attr);
}

static void
start_more(struct camp *c)
{
	if (!c->stopping || c->cap_stop)
		check_stop(c);
	/* Ctrl-C, or the grace after the end is over: the sessions still
	 * running are cut (a server that answers each reply just inside
	 * --timeout would hold the end for as long as it has replies to
	 * owe), each then ending with no verdict. */
	if ((c->o->stop && *c->o->stop) || past_cut(c))
		fz_drive_cut_all(&c->drives, "the campaign ended it");
	if (past_grace(c)) {
		for (size_t i = 0; i < c->n_mj; i++)
			c->mjs[i]->until = 0;
		if (c->n_attr)
			c->attr[0]->a.until = 0;
	}
	while (c->active < c->o->jobs) {
		if (solo(c) && (c->active || c->n_parked))
			break;
		if (fzc_attrib_step(c) || shrink_step(c))
			continue;
		if (c->stopping || solo(c))
			break;
		/* Fuzzing goes on where sessions alone ran: on a server started
		 * afresh, so that a death a try left behind is charged to
		 * none of its sessions. */
		if (c->fresh_server) {
			c->fresh_server = 0;
			if (fzc_relaunch(c) != 0)
				break;
		}
		fuzz_one(c);
	}
}

static int
finished(const struct camp *c)
{
	/* a finding kept that shrank into a duplicate frees room in the
	 * cap: the next start_more() fuzzes on */
	if (c->cap_stop && !fzc_cap_reached(c))
		return 0;
	return c->stopping && c->active == 0 && c->n_parked == 0 && c->n_mj == 0 && c->n_pend == 0 &&
	    c->n_attr == 0;
}

/* ---- set-up ---------------------------------------------------------------------- */

static int
make_dirs(struct camp *c, char *errbuf, size_t errlen)
{
	snprintf(c->findings_dir, sizeof(c->findings_dir), "%s/findings", c->o->out_dir);
	const char *dirs[] = { c->o->out_dir, c->findings_dir };
	for (size_t i = 0; i < 2; i++)
		if (util_mkdirs(dirs[i]) != 0) {
			snprintf(errbuf, errlen, "cannot create %s: %s", dirs[i], strerror(errno));
			return -1;
		}
	return 0;
}

/* Why seed sc could not be expanded, with its file: a variable it
 * requires that has no value (as `run` says it), else one it uses. */
static void
seed_why(const struct scn *sc, struct vars_scope *scope, char *why, size_t len)
{
	const char *unset = vars_first_unset(scope);
	if (unset)
		snprintf(why, len, "%s: variable %s is not set (--var %s=VALUE or a --profile)",
		    sc->file, unset, unset);
	else
		snprintf(why, len, "%s: a variable it uses is not set (--var NAME=VALUE or a "
		    "--profile)", sc->file);
}

static int
load_seeds(struct camp *c, char *errbuf, size_t errlen)
{
	const struct fz_opts *o = c->o;
	c->corpus = xmalloc(FZ_CORPUS_MAX * sizeof(*c->corpus));
	for (size_t i = 0; i < o->n_seeds && c->n_corpus < FZ_CORPUS_MAX; i++) {
		struct vars_scope scope = { .run = c->vars, .n_run = c->n_vars, .scn = o->seeds[i] };
		struct fz_sess s;
		if (fz_sess_from_scn(o->seeds[i], &scope, &s) == 0)
			corpus_add(c, &s);
		else if (c->st.seeds_skipped++ == 0)
			seed_why(o->seeds[i], &scope, c->st.seed_skipped, sizeof(c->st.seed_skipped));
		fz_sess_free(&s);
	}
	c->n_seeds = c->n_corpus;
	if (c->n_seeds == 0) {
		snprintf(errbuf, errlen, "no seed: none of the %zu scenarios could be expanded "
		    "(the first: %s)", o->n_seeds, c->st.seed_skipped);
		return -1;
	}
	struct vars_scope scope = { .run = c->vars, .n_run = c->n_vars };
	c->words.sender = vars_lookup(&scope, "sender", 6);
	c->words.recipient = vars_lookup(&scope, "recipient", 9);
	c->words.client_domain = vars_lookup(&scope, "client_domain", 13);
	c->words.auth_plain = vars_lookup(&scope, "auth_plain", 10);
	return 0;
}

static int
setup(struct camp *c, char *errbuf, size_t errlen)
{
	static const struct tls_opts no_tls;
	const struct fz_opts *o = c->o;
	struct scn_var tv[BI_MAX_VARS];
	size_t ntv = 0;
	c->loop = loop_new();
	c->env.loop = c->loop;
	c->env.set = &c->drives;
	c->env.timeout = o->timeout;
	fz_pace_init(&c->pace);
	c->env.pace = &c->pace;
	c->env.max_reply_line = o->max_reply_line;
	c->env.max_reply_lines = o->max_reply_lines;
	c->env.target = o->target;
	/* The fuzzer reads no verification result: without --tls-verify its
	 * handshakes need no trust store (a third of its CPU on a campaign
	 * with STARTTLS went to OpenSSL's look-ups in the CA folder).  Nor
	 * does it fuzz the handshake: it resumes the server's newest session
	 * when the server gives tickets, which saves parsing and checking
	 * the certificate each time (a third of its CPU again, OpenSSL 3.0's
	 * key decoders most of it); one handshake in FZ_TLS_FULL_EVERY stays
	 * full, so the server's certificate path is still taken.  Not for an
	 * exec: target: each process has new ticket keys.  Shrinking tries
	 * and replays make full handshakes (tls_full), as `run` does. */
	struct tls_opts to = o->tls ? *o->tls : no_tls;
	to.no_store = 1;
	c->tls_full = tls_client_ctx_new(&to, errbuf, errlen);
	if (!c->tls_full)
		return FZ_RUN_USAGE; /* a --tls-* file */
	to.resume = o->target->kind == TP_EXEC ? 0 : FZ_TLS_FULL_EVERY;
	c->env.tls_ctx = tls_client_ctx_new(&to, errbuf, errlen);
	c->env.tls_narrowed = to.min_version || to.max_version;
	if (!c->env.tls_ctx)
		return FZ_RUN_USAGE;
	if (o->target->kind == TP_BUILTIN) {
		c->bi = bi_start(c->loop, o->target, &c->bi_tcp, errbuf, errlen);
		if (!c->bi)
			return -1;
		c->env.target = &c->bi_tcp;
		ntv = bi_vars(o->target, tv, BI_MAX_VARS);
	} else if (o->target->kind == TP_SMTP && !o->target->ai &&
	    tp_resolve(o->target, errbuf, errlen) != 0)
		return -1;
	if (o->target->kind == TP_EXEC && !o->no_coverage) {
		c->env.cov = fz_cov_new(o->jobs, errbuf, errlen);
		if (!c->env.cov)
			return -1;
		c->st.coverage = 1;
	}
	if (o->launch) {
		if (o->target->kind != TP_SMTP) {
			snprintf(errbuf, errlen, "--launch needs an smtp:// or smtps:// target");
			return FZ_RUN_USAGE;
		}
		if (!o->no_coverage) {
			c->lcov = fz_cov_new(1, errbuf, errlen);
			if (!c->lcov)
				return -1;
			fz_cov_take(c->lcov);
			c->st.coverage = 1;
		}
		c->launch = fz_launch_new(o->launch, o->target, c->lcov);
		if (fz_launch_start(c->launch, errbuf, errlen) != 0)
			return -1;
		c->st.launches = 1;
	}
	c->vars = vars_merge(tv, ntv, o->vars, o->n_vars, &c->n_vars);
	fz_rng_seed(&c->rng, o->seed ? o->seed : (uint64_t)time(NULL) ^ (uint64_t)util_now_ms());
	if (make_dirs(c, errbuf, errlen) != 0 || load_seeds(c, errbuf, errlen) != 0)
		return FZ_RUN_USAGE;
	return 0;
}

static void
teardown(struct camp *c)
{
	for (size_t i = 0; i < c->n_corpus; i++) {
		fz_sess_free(c->corpus[i]);
		free(c->corpus[i]);
	}
	free(c->corpus);
	free(c->finders);
	for (size_t i = 0; i < c->n_pend; i++) {
		fz_sess_free(&c->pend[i].sess);
		fz_obs_free(c->pend[i].obs);
	}
	free(c->pend);
	for (size_t i = 0; i < c->n_mj; i++) { /* at a break of the loop: no finding */
		fz_min_free(&c->mjs[i]->m);
		fz_obs_free(c->mjs[i]->best_obs);
		free(c->mjs[i]);
	}
	free(c->mjs);
	free(c->keys);
	vars_free(c->vars, c->n_vars);
	bi_stop(c->bi);
	if (c->bi)
		tp_free(&c->bi_tcp);
	for (size_t i = 0; i < c->n_live; i++) { /* parked at a break of the loop */
		if (!c->live[i]->parked)
			continue; /* still running: the driver holds it */
		fz_obs_free(c->live[i]->parked);
		free(c->live[i]->death.stderr_text);
		c->live[i]->parked = NULL;
		fz_sess_free(&c->live[i]->sess);
		free(c->live[i]);
	}
	free(c->death.stderr_text);
	for (size_t i = 0; i < c->n_attr; i++) { /* at a break of the loop: no finding */
		fz_obs_free(c->attr[i]->lead);
		fz_sess_free(&c->attr[i]->lead_sess);
		fz_attrib_free(&c->attr[i]->a);
		free(c->attr[i]);
	}
	free(c->attr);
	fz_launch_free(c->launch); /* SIGTERM, then SIGKILL, to its group */
	fz_cov_free(c->lcov);
	free(c->live);
	if (c->env.tls_ctx)
		tls_ctx_free(c->env.tls_ctx);
	tls_ctx_free(c->tls_full);
	fz_cov_free(c->env.cov);
	if (c->loop)
		loop_free(c->loop);
	fz_report_free(&c->rep);
}

/* The loop's longest sleep: while a launched server's death may be
 * showing (a session runs or waits for it), its exit is polled every
 * FZ_LAUNCH_POLL_MS, so that a session alone waits for it no longer
 * than it must. */
static int
loop_wait_ms(const struct camp *c)
{
	if (c->launch && (c->active || c->n_parked || c->dying))
		return FZ_LAUNCH_POLL_MS;
	return 100;
}

static void
tick(struct camp *c, int final)
{
	c->st.elapsed = (double)(util_now_ms() - c->t0) / 1000.0;
	if (c->o->status)
		c->o->status(c->o->arg, &c->st, final);
}

int
fz_campaign_run(const struct fz_opts *o, struct fz_stats *st, char *errbuf, size_t errlen)
{
	struct camp *c = xmalloc(sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->o = o;
	fz_report_init(&c->rep);
	int rc = setup(c, errbuf, errlen);
	if (rc == 0) {
		double every = o->status_every > 0 ? o->status_every : 2;
		c->t0 = util_now_ms();
		c->next_status = c->t0 + (int64_t)(every * 1000);
		start_more(c);
		while (!finished(c)) {
			if (loop_run_once(c->loop, loop_wait_ms(c)) != 0)
				break;
			unpark(c);
			fzc_launch_watch(c);
			start_more(c);
			if (util_now_ms() >= c->next_status) {
				tick(c, 0);
				c->next_status = util_now_ms() + (int64_t)(every * 1000);
			}
		}
		fz_reach_verdict(&c->st, 1, c->st.unusable, sizeof(c->st.unusable));
		tick(c, 1);
		if (fz_report_summary(&c->rep, o, &c->st, c->n_seeds, errbuf, errlen) != 0)
			rc = -1;
	}
	if (st)
		*st = c->st;
	teardown(c);
	free(c);
	return rc;
}
