/*
 * engine.c - the scheduler: the probe, then up to `jobs` sessions at once
 * (session.h), each scenario's SKIP decided before it starts, the run
 * deadline, and the reference server started for builtin targets
 * (builtin.h).  The sessions' programs and the verdicts live in step.c and
 * expect.c.
 */
#include "engine.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "loop.h"
#include "session.h"
#include "util.h"
#include "vars.h"

struct eng {
	const struct eng_opts *o;
	struct ses_env env;
	struct bi_server *builtin;
	struct tp_target builtin_tcp;
	struct scn_var *vars;  /* the run's variables (vars_merge) */
	size_t n_vars;
	size_t active, next, finished, total;
	struct scn *const *scns;
	struct res_result *results;
	struct eng_probe *probe;
	struct ses **dead;     /* finished sessions, freed between loop rounds */
	size_t ndead;
	struct ses **live;     /* sessions running now (for the run deadline) */
	size_t nlive;
	int64_t run_deadline;  /* ms; 0 = none */
	int run_expired;
	int running;           /* the probe passed: scenarios may start */
};

static void start_more(struct eng *e);

static void
report(struct eng *e, struct res_result *r)
{
	e->finished++;
	if (e->o->on_result)
		e->o->on_result(e->o->arg, r, e->finished, e->total);
}

/* ses_env.ended: a session's result is final. */
static void
ses_ended(void *arg, struct ses *s)
{
	struct eng *e = arg;
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
	if (!s->probe)
		report(e, s->res);
	/* Freed later: callers up the stack may still look at s->done. */
	e->dead = xrealloc(e->dead, (e->ndead + 1) * sizeof(*e->dead));
	e->dead[e->ndead++] = s;
	start_more(e);
}

static void
start_session(struct eng *e, const struct scn *sc, struct res_result *res, int probe)
{
	struct ses *s = ses_new(&e->env, sc, res, probe);
	e->active++;
	e->live = xrealloc(e->live, (e->nlive + 1) * sizeof(*e->live));
	e->live[e->nlive++] = s;
	ses_open(s);
}

/* Why a scenario cannot run on this target, or NULL. */
static char *
skip_reason(struct eng *e, const struct scn *sc)
{
	const struct eng_probe *p = e->probe;
	for (size_t i = 0; i < sc->n_requires_ext; i++)
		if (!p->ehlo_ok || !ehlo_find(&p->caps, sc->requires_ext[i]))
			return xasprintf("the target does not advertise %s", sc->requires_ext[i]);
	for (size_t i = 0; i < sc->n_requires_params; i++) {
		const struct scn_require_param *rp = &sc->requires_params[i];
		const struct ehlo_cap *c = p->ehlo_ok ? ehlo_find(&p->caps, rp->keyword) : NULL;
		if (!c)
			return xasprintf("the target does not advertise %s", rp->keyword);
		if (regexec(&rp->re, c->params, 0, NULL, 0) != 0)
			return xasprintf("the target's %s parameters '%s' do not match /%s/",
			    rp->keyword, c->params, rp->source);
	}
	struct vars_scope scope = { .run = e->vars, .n_run = e->n_vars, .scn = sc };
	for (size_t i = 0; i < sc->n_requires_vars; i++) {
		const char *v = vars_lookup(&scope, sc->requires_vars[i], strlen(sc->requires_vars[i]));
		if (!v || !*v)
			return xasprintf("variable %s is not set (give it a value in a profile or "
			    "on the command line)", sc->requires_vars[i]);
	}
	return NULL;
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
			report(e, res);
			continue;
		}
		start_session(e, e->scns[i], res, 0);
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
		ses_fail(e->live[e->nlive - 1], RES_ERROR, NULL, NULL,
		    "the run deadline of %.1f s passed", limit);
	if (!was_running)
		return;
	while (e->next < e->total) {
		size_t i = e->next++;
		struct res_result *res = &e->results[i];
		memset(res, 0, sizeof(*res));
		res->scn = e->scns[i];
		res->status = RES_ERROR;
		res->reason = xasprintf("not run: the run deadline of %.1f s passed", limit);
		report(e, res);
	}
}

static void
free_dead(struct eng *e)
{
	for (size_t i = 0; i < e->ndead; i++)
		ses_free(e->dead[i]);
	e->ndead = 0;
}

static void
run_loop(struct eng *e, int (*until)(struct eng *))
{
	while (!until(e)) {
		if (e->run_deadline && !e->run_expired && util_now_ms() >= e->run_deadline)
			run_expire(e);
		if (until(e))
			break;
		if (loop_run_once(e->env.loop, 100) != 0)
			break;
		tp_reaper_poll(e->env.reaper, 0);
		free_dead(e);
	}
	free_dead(e);
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

/* The loop, TLS context, target (the builtin started) and variables.
 * ENG_OK, or another status with errbuf. */
static enum eng_status
setup(struct eng *e, char *errbuf, size_t errlen)
{
	static const struct tls_opts no_tls_opts;
	const struct eng_opts *o = e->o;
	const struct scn_var *tv = NULL;
	size_t ntv = 0;
	e->env.tls_ctx = tls_client_ctx_new(o->tls ? o->tls : &no_tls_opts, errbuf, errlen);
	if (!e->env.tls_ctx)
		return ENG_SETUP_ERROR;
	if (o->target->kind == TP_BUILTIN) {
		e->builtin = bi_start(e->env.loop, o->target, &e->builtin_tcp, errbuf, errlen);
		if (!e->builtin)
			return ENG_SETUP_ERROR;
		e->env.target = &e->builtin_tcp;
		tv = bi_vars(o->target, &ntv);
	}
	e->vars = vars_merge(tv, ntv, o->vars, o->n_vars, &e->n_vars);
	e->env.vars = e->vars;
	e->env.n_vars = e->n_vars;
	if (o->target->kind == TP_SMTP && !o->target->ai && tp_resolve(o->target, errbuf, errlen) != 0)
		return ENG_UNREACHABLE;
	return ENG_OK;
}

/* The probe: is there an SMTP server at all, and what does it offer? */
static enum eng_status
probe_target(struct eng *e, char *errbuf, size_t errlen)
{
	struct eng_probe *probe = e->probe;
	struct res_result pres = { 0 };
	probe->greeting_code = -1;
	start_session(e, NULL, &pres, 1);
	run_loop(e, probe_done);
	enum eng_status rc = ENG_OK;
	if (probe->greeting_code != 220) {
		if (probe->greeting_code <= 0)
			snprintf(errbuf, errlen, "%s", pres.reason ? pres.reason : "no greeting");
		else
			snprintf(errbuf, errlen, "the greeting is %d, not 220: %s", probe->greeting_code,
			    pres.reason ? pres.reason : "the server refuses service");
		rc = ENG_UNREACHABLE;
	}
	res_result_free(&pres);
	return rc;
}

enum eng_status
eng_run(const struct eng_opts *o, struct scn *const *scns, size_t n,
    struct res_result *results, struct eng_probe *probe, char *errbuf, size_t errlen)
{
	struct eng e = { 0 };
	e.o = o;
	e.scns = scns;
	e.results = results;
	e.total = n;
	e.probe = probe;
	e.env = (struct ses_env){ .o = o, .loop = loop_new(), .target = o->target,
		.reaper = tp_reaper_new(), .ended = ses_ended, .arg = &e };
	memset(probe, 0, sizeof(*probe));
	if (o->run_timeout > 0)
		e.run_deadline = util_now_ms() + (int64_t)(o->run_timeout * 1000.0);
	signal(SIGPIPE, SIG_IGN);
	enum eng_status rc = setup(&e, errbuf, errlen);
	if (rc == ENG_OK)
		rc = probe_target(&e, errbuf, errlen);
	if (rc == ENG_OK) {
		e.running = 1;
		start_more(&e);
		run_loop(&e, all_done);
	}
	tp_reaper_free(e.env.reaper);
	free(e.dead);
	free(e.live);
	bi_stop(e.builtin);
	tls_ctx_free(e.env.tls_ctx);
	if (e.env.target == &e.builtin_tcp)
		tp_free(&e.builtin_tcp);
	vars_free(e.vars, e.n_vars);
	loop_free(e.env.loop);
	return rc;
}
