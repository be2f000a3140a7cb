/*
 * engine.c - the scheduler: the probe, then up to `jobs` sessions at once
 * (session.h), each scenario's SKIP decided before it starts, the run
 * deadline, and the reference server started for builtin targets
 * (builtin.h).  What a dead or overloaded server makes of the schedule
 * (fail fast, fewer sessions at once) is decided in failfast.c.  The sessions' programs and the verdicts live in step.c and
 * expect.c.
 */
#include "engine.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "failfast.h"
#include "loop.h"
#include "session.h"
#include "util.h"
#include "vars.h"

struct eng {
	const struct eng_opts *o;
	struct ses_env env;
	struct ses_tls_ctx tls;
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
	int probe_round;       /* 1: the first probe (its EHLO keywords are kept) */
	struct ses_reply p_auth, p_mail, p_rcpt; /* the last probe's replies */
	int auth_missing;      /* 530 to MAIL and no credentials: MAIL scenarios skip */
	unsigned jobs;         /* sessions at once: o->jobs, lowered after 421s */
	struct ff ff;          /* the dead-server decision (failfast.h) */
	size_t *again;         /* scenarios refused with a 421 greeting, to run again */
	size_t nagain;
	struct oracle *oracle; /* the delivery oracle, or NULL */
	char run_id[9];        /* tokens: unique to the run (vars.h VARS_TOKEN) */
	unsigned token_seq;
};

static void start_more(struct eng *e);

static void
notice(struct eng *e, const char *msg)
{
	if (e->o->on_notice)
		e->o->on_notice(e->o->arg, msg);
}

/* The server never ends the session wait w: say so once, and end every
 * session waiting there now (the later ones end on arrival, ses_arm()). */
static void
found_dead(struct eng *e, enum ff_wait w)
{
	char why[256];
	char *msg = xasprintf("%s in %d scenarios in a row; the others end at that wait as "
	    "ERROR instead of waiting --timeout each", ff_describe(w, e->ff.verb, why, sizeof(why)),
	    FF_STREAK);
	notice(e, msg);
	free(msg);
	size_t n = e->nlive;
	struct ses **waiting = xcalloc(n ? n : 1, sizeof(*waiting));
	memcpy(waiting, e->live, n * sizeof(*waiting));
	for (size_t i = 0; i < n; i++)
		if (!waiting[i]->done && !waiting[i]->connecting && ses_at_dead_wait(waiting[i]))
			ses_arm(waiting[i], e->o->timeout); /* ends it: e->ff.dead */
	free(waiting);
}

/* A 421 greeting while other sessions of the run were open: the server's
 * limit on sessions.  1 if the scenario runs again with fewer at once. */
static int
refused_for_load(struct eng *e, struct ses *s)
{
	size_t others = 0; /* the sessions it took: greeted with 220, still open */
	for (size_t k = 0; k < e->nlive; k++)
		others += e->live[k] != s && e->live[k]->greeted && !e->live[k]->done;
	unsigned was = e->jobs;
	if (!ff_retry_after_421(&e->jobs, s->jobs_at_start, others))
		return 0;
	if (e->jobs < was) {
		char *msg = xasprintf("the server refused a session with 421 while it had %zu others "
		    "open: at most %u sessions at once from now on (-j %u)", others, e->jobs, e->jobs);
		notice(e, msg);
		free(msg);
	}
	size_t i = (size_t)(s->res - e->results);
	res_result_free(s->res);
	memset(s->res, 0, sizeof(*s->res));
	e->again = xrealloc(e->again, (e->nagain + 1) * sizeof(*e->again));
	e->again[e->nagain++] = i;
	return 1;
}

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
	if (s->probe && e->probe_round == 1) {
		e->probe->greeting_code = s->greeting_code;
		e->probe->ehlo_ok = s->probe_ehlo_code == 250;
		if (s->caps)
			ehlo_copy(&e->probe->caps, s->caps);
	}
	if (s->probe) {
		struct ses_reply *from[] = { &s->probe_auth, &s->probe_mail, &s->probe_rcpt };
		struct ses_reply *to[] = { &e->p_auth, &e->p_mail, &e->p_rcpt };
		for (size_t i = 0; i < 3; i++) {
			free(to[i]->text);
			*to[i] = *from[i];
			*from[i] = (struct ses_reply){ 0 };
		}
	}
	e->active--;
	for (size_t i = 0; i < e->nlive; i++)
		if (e->live[i] == s) {
			e->live[i] = e->live[--e->nlive];
			break;
		}
	int again = 0;
	if (!s->probe && e->running && s->greeting_421)
		again = refused_for_load(e, s);
	if (!s->probe && !again) {
		struct ff_outcome o = { .judged = s->res->status != RES_SKIP,
			.timeout = s->res->status == RES_FAIL ? s->ff_timeout : FF_NONE,
			.rule = s->res->rule_id, .verb = s->ff_verb };
		report(e, s->res);
		enum ff_wait w = e->running ? ff_observe(&e->ff, &o) : FF_NONE;
		if (w != FF_NONE)
			found_dead(e, w);
	}
	/* Freed later: callers up the stack may still look at s->done. */
	e->dead = xrealloc(e->dead, (e->ndead + 1) * sizeof(*e->dead));
	e->dead[e->ndead++] = s;
	start_more(e);
}

static void
start_session(struct eng *e, const struct scn *sc, struct res_result *res, int probe)
{
	struct ses *s = ses_new(&e->env, sc, res, probe);
	s->jobs_at_start = e->jobs;
	e->active++;
	e->live = xrealloc(e->live, (e->nlive + 1) * sizeof(*e->live));
	e->live[e->nlive++] = s;
	ses_open(s);
}

#define AUTH_MISSING "the target requires AUTH: set auth_user and auth_password"

static int
requires_var(const struct scn *sc, const char *name)
{
	for (size_t i = 0; i < sc->n_requires_vars; i++)
		if (strcmp(sc->requires_vars[i], name) == 0)
			return 1;
	return 0;
}

/* Why the scenario's delivered steps cannot run with this oracle, or NULL. */
static char *
oracle_missing(const struct eng *e, const struct scn *sc)
{
	enum orc_kind k = orc_kind(e->oracle);
	if (sc->requires_oracle == SCN_ORACLE_NONE)
		return NULL;
	if (k == ORC_NONE)
		return xstrdup("needs a delivery oracle: give --oracle sink:HOST:PORT (the target "
		    "relaying to it), lmtp:HOST:PORT, maildir:DIR or mbox:FILE");
	if (sc->requires_oracle == SCN_ORACLE_FINAL && !orc_kind_final(k))
		return xasprintf("needs the final delivery's oracle (maildir:, mbox: or a builtin "
		    "target), not a next hop (%s)", orc_kind_name(k));
	if (sc->requires_oracle == SCN_ORACLE_RELAY && !orc_kind_relay(k))
		return xasprintf("needs a next hop's oracle (--oracle sink: or lmtp:), not the "
		    "final delivery's (%s)", orc_kind_name(k));
	return NULL;
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
	/* An MX takes mail from anyone, a submission server answers MAIL
	 * before AUTH with 530: the scenarios of these roles run even when
	 * the target answers MAIL with 530 (that is what they test). */
	int mx_role = requires_var(sc, "role_mx") || requires_var(sc, "submission_client");
	if (e->auth_missing && scn_sends(sc, "MAIL") && !mx_role)
		return xstrdup(AUTH_MISSING);
	if (e->env.auth != SES_AUTH_NONE && scn_sends(sc, "MAIL") && sc->opening != SCN_OPEN_EHLO &&
	    !scn_sends(sc, "AUTH") && !mx_role)
		return xasprintf("the target requires AUTH, which the scenario's opening (%s) does not do",
		    scn_opening_name(sc->opening));
	char *no_oracle = oracle_missing(e, sc);
	if (no_oracle)
		return no_oracle;
	struct vars_scope scope = { .run = e->vars, .n_run = e->n_vars, .scn = sc };
	const char *unset = vars_first_unset(&scope);
	if (unset)
		return xasprintf("variable %s is not set (give it a value in a profile or "
		    "on the command line)", unset);
	return NULL;
}

static void
start_more(struct eng *e)
{
	while (e->running && e->active < e->jobs && (e->nagain || e->next < e->total)) {
		size_t i = e->nagain ? e->again[--e->nagain] : e->next++;
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
	while (e->nagain || e->next < e->total) {
		size_t i = e->nagain ? e->again[--e->nagain] : e->next++;
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
	return e->active == 0 && e->next >= e->total && e->nagain == 0;
}

/* The delivery oracle: the builtin's own, or the one --oracle names; the
 * token prefix of the run.  0, or -1 with errbuf. */
static int
setup_oracle(struct eng *e, char *errbuf, size_t errlen)
{
	const struct eng_opts *o = e->o;
	struct orc_spec builtin = { .kind = ORC_BUILTIN };
	const struct orc_spec *spec = e->builtin ? &builtin : o->oracle;
	if (spec && spec->kind != ORC_NONE) {
		e->oracle = orc_open(e->env.loop, spec, errbuf, errlen);
		if (!e->oracle)
			return -1;
		if (e->builtin)
			bi_deliver_to(e->builtin, orc_store(e->oracle));
	}
	snprintf(e->run_id, sizeof(e->run_id), "%08x",
	    (unsigned)(util_now_ms() * 2654435761u) ^ (unsigned)getpid() * 40503u);
	e->env.oracle = e->oracle;
	e->env.oracle_wait = o->oracle_wait > 0 ? o->oracle_wait : e->builtin ? 0.05 : 10;
	e->env.oracle_settle = o->oracle_settle >= 0 ? o->oracle_settle :
	    e->builtin ? 0.05 : 2;
	e->env.run_id = e->run_id;
	e->env.token_seq = &e->token_seq;
	return 0;
}

/* The loop, TLS context, target (the builtin started) and variables.
 * ENG_OK, or another status with errbuf. */
static enum eng_status
setup(struct eng *e, char *errbuf, size_t errlen)
{
	static const struct tls_opts no_tls_opts;
	const struct eng_opts *o = e->o;
	struct scn_var tv[BI_MAX_VARS];
	size_t ntv = 0;
	const struct tls_opts *t = o->tls ? o->tls : &no_tls_opts;
	e->tls.opts = t;
	e->env.tls = &e->tls;
	e->tls.ctx = o->tls_ctx;
	/* Settings that can be wrong are checked now; the defaults' context
	 * waits for the first TLS session (session.h). */
	if (!e->tls.ctx && (t->ca_file || t->cert_file || t->key_file ||
	    t->min_version || t->max_version)) {
		e->tls.ctx = tls_client_ctx_new(t, errbuf, errlen);
		if (!e->tls.ctx)
			return ENG_SETUP_ERROR;
		e->tls.owned = 1;
	}
	if (o->target->kind == TP_BUILTIN) {
		e->builtin = bi_start(e->env.loop, o->target, &e->builtin_tcp, errbuf, errlen);
		if (!e->builtin)
			return ENG_SETUP_ERROR;
		e->env.target = &e->builtin_tcp;
		ntv = bi_vars(o->target, tv, BI_MAX_VARS);
	}
	if (setup_oracle(e, errbuf, errlen) != 0)
		return ENG_SETUP_ERROR;
	e->vars = vars_merge(tv, ntv, o->vars, o->n_vars, &e->n_vars);
	e->env.vars = e->vars;
	e->env.n_vars = e->n_vars;
	if (o->target->kind == TP_SMTP && !o->target->ai && tp_resolve(o->target, errbuf, errlen) != 0)
		return ENG_UNREACHABLE;
	return ENG_OK;
}

/* One probe session (env.auth says whether it authenticates). */
static void
probe_once(struct eng *e, struct res_result *pres)
{
	e->probe_round++;
	res_result_free(pres);
	memset(pres, 0, sizeof(*pres));
	start_session(e, NULL, pres, 1);
	run_loop(e, probe_done);
}

/* A reply the probe kept: its text, or why there is none. */
static const char *
reply_or(const struct ses_reply *r, const struct res_result *pres)
{
	return r->text ? r->text : pres->reason ? pres->reason : "no reply";
}

static const char *
run_var(struct eng *e, const char *name)
{
	struct vars_scope scope = { .run = e->vars, .n_run = e->n_vars };
	return vars_lookup(&scope, name, strlen(name));
}

/* MAIL answered 530 (RFC 4954 6), or refused by a declared submission
 * server: with credentials, the opening
 * authenticates, after STARTTLS when AUTH is not offered in clear or is
 * answered 538; the probe runs again that way.  Without, the scenarios that
 * send MAIL are skipped.  ENG_OK, or ENG_UNREACHABLE with errbuf. */
static enum eng_status
probe_auth(struct eng *e, struct res_result *pres, char *errbuf, size_t errlen)
{
	const struct eng_probe *p = e->probe;
	const char *user = run_var(e, "auth_user"), *pass = run_var(e, "auth_password");
	if (!user || !*user || !pass || !*pass || !run_var(e, "auth_plain")) {
		e->auth_missing = 1;
		snprintf(e->probe->notice, sizeof(e->probe->notice),
		    "%s (MAIL FROM:<%s> was answered: %s); the scenarios that send MAIL are skipped",
		    AUTH_MISSING, run_var(e, "sender"), e->p_mail.text);
		return ENG_OK;
	}
	int tls_offered = ehlo_find(&p->caps, "STARTTLS") != NULL;
	e->env.auth = !ehlo_find(&p->caps, "AUTH") && tls_offered && !e->o->target->tls ?
	    SES_AUTH_TLS : SES_AUTH_PLAIN;
	probe_once(e, pres);
	if (e->p_auth.code == 538 && e->env.auth == SES_AUTH_PLAIN && tls_offered &&
	    !e->o->target->tls) {
		e->env.auth = SES_AUTH_TLS;
		probe_once(e, pres);
	}
	if (e->p_auth.code == 235)
		return ENG_OK;
	if (e->p_auth.code == 538)
		snprintf(errbuf, errlen, "the target requires AUTH (530 to MAIL) and encryption for it: "
		    "%s; it does not offer STARTTLS: use its smtps:// port", e->p_auth.text);
	else
		snprintf(errbuf, errlen, "the target requires AUTH (530 to MAIL) and refuses the "
		    "credentials of auth_user %s (AUTH PLAIN): %s; set --var auth_user= and "
		    "--var auth_password= to an account it accepts", user,
		    e->env.auth == SES_AUTH_TLS && !e->p_auth.code && pres->reason ?
		    pres->reason : reply_or(&e->p_auth, pres));
	return ENG_UNREACHABLE;
}

/* The profile check: MAIL FROM:<${sender}> and RCPT TO:<${recipient}> must
 * be accepted, or every transaction of the suite would fail for the
 * profile's sake.  Judged only on replies that came after an EHLO 250. */
static enum eng_status
probe_profile(struct eng *e, struct res_result *pres, char *errbuf, size_t errlen)
{
	if (!e->probe->ehlo_ok || !e->p_mail.code)
		return ENG_OK;
	/* 530 says AUTH is needed; a declared submission server refusing MAIL
	 * before AUTH says so whatever its code (RFC 6409 4: its policy). */
	const char *sub = run_var(e, "role_submission");
	if ((e->p_mail.code == 530 || (sub && *sub && e->p_mail.code >= 500)) &&
	    e->env.auth == SES_AUTH_NONE) {
		enum eng_status rc = probe_auth(e, pres, errbuf, errlen);
		if (rc != ENG_OK || e->auth_missing || !e->p_mail.code)
			return rc;
	}
	if (e->p_mail.code / 100 != 2) {
		snprintf(errbuf, errlen, "the target refuses sender %s: %s; set --var sender= "
		    "(or sender: in the profile) to an address it accepts", run_var(e, "sender"),
		    e->p_mail.text);
		return ENG_UNREACHABLE;
	}
	if (e->p_rcpt.code && e->p_rcpt.code / 100 != 2) {
		snprintf(errbuf, errlen, "the target refuses recipient %s: %s; set --var recipient= "
		    "(or recipient: in the profile) to an address it accepts", run_var(e, "recipient"),
		    e->p_rcpt.text);
		return ENG_UNREACHABLE;
	}
	return ENG_OK;
}

/* The probe: is there an SMTP server at all, what does it offer, and does
 * it take the profile's sender and recipient? */
static enum eng_status
probe_target(struct eng *e, char *errbuf, size_t errlen)
{
	struct eng_probe *probe = e->probe;
	struct res_result pres = { 0 };
	probe->greeting_code = -1;
	probe_once(e, &pres);
	enum eng_status rc = ENG_OK;
	if (probe->greeting_code != 220) {
		if (probe->greeting_code <= 0)
			snprintf(errbuf, errlen, "%s", pres.reason ? pres.reason : "no greeting");
		else
			snprintf(errbuf, errlen, "the greeting is %d, not 220: %s", probe->greeting_code,
			    pres.reason ? pres.reason : "the server refuses service");
		rc = ENG_UNREACHABLE;
	} else if (!e->run_expired)
		rc = probe_profile(e, &pres, errbuf, errlen);
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
	e.jobs = o->jobs ? o->jobs : 1;
	e.env = (struct ses_env){ .o = o, .loop = loop_new(), .target = o->target,
		.reaper = tp_reaper_new(), .ff = &e.ff, .ended = ses_ended, .arg = &e };
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
	free(e.p_auth.text);
	free(e.p_mail.text);
	free(e.p_rcpt.text);
	free(e.dead);
	free(e.live);
	free(e.again);
	bi_stop(e.builtin);
	orc_close(e.oracle);
	if (e.tls.owned)
		tls_ctx_free(e.tls.ctx);
	if (e.env.target == &e.builtin_tcp)
		tp_free(&e.builtin_tcp);
	vars_free(e.vars, e.n_vars);
	loop_free(e.env.loop);
	return rc;
}
