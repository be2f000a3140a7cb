/*
 * fz_camp_int.h - the campaign's own state, shared by its two files and no
 * one else: fz_campaign.c (scheduling, feedback, findings and shrinking)
 * and fz_camp_launch.c (a server started with --launch: its deaths, whose
 * they are, the replays that settle it).  Not part of the library's API.
 */
#ifndef SMTPH_FZ_CAMP_INT_H
#define SMTPH_FZ_CAMP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "builtin.h"
#include "fz_attrib.h"
#include "fz_campaign.h"
#include "fz_drive.h"
#include "fz_frame.h"
#include "fz_launch.h"
#include "fz_min.h"
#include "fz_mutate.h"
#include "fz_report.h"
#include "loop.h"

#define FZ_CORPUS_MAX 4096
#define FZ_MIN_RUNS 300       /* candidate runs to shrink one finding */
#define FZ_MIN_SECONDS 60     /* and the time it may take */
#define FZ_STOP_GRACE_MS 10000 /* shrinking, a death's replays, may go on this long
                               * after the end (fzc_stop) */
#define FZ_PENDING_MAX 32     /* findings waiting to be shrunk */
#define FZ_MIN_JOBS 8         /* findings shrunk at once, at most (a quarter of -j) */
#define FZ_STATES (FZ_V_COUNT * 1000)
#define FZ_CONTEXTS 4 /* authenticated, in TLS: the server's state beyond its last reply */
#define FZ_EDGES 65536

enum run_kind { RUN_FUZZ, RUN_MIN, RUN_ATTRIB }; /* RUN_ATTRIB: a death's candidate replayed */

struct attribjob;

struct camp;

struct run {
	struct camp *c;
	enum run_kind kind;
	struct fz_sess sess;
	uint64_t seq;          /* the order it started in */
	int in_death;          /* --launch: it ran when the server died; parked when it
	                        * ends until all such have ended (launch_resolve) */
	int casualty;          /* --launch: the server died under it, charged to another */
	int charged;           /* --launch: the server's death is this session's */
	struct fz_death death; /* that death */
	struct fz_obs *parked; /* --launch: ended, judged once it is known
	                        * whether the server died (launch_settle) */
	int64_t ended_ms;      /* when it ended (on_done) */
	int64_t park_until;
	struct attribjob *lead_of; /* --launch: charged, but its death is replayed first:
	                        * its observation goes to that job (attrib_lead) */
	struct minjob *mj;     /* RUN_MIN: the shrinking job it is a try of */
};

/* A launched server died while fuzz sessions ran side by side: before it
 * becomes a finding, its candidates are replayed alone (fz_attrib.h). */
struct attribjob {
	struct fz_attrib a;
	struct fz_sess lead_sess; /* the one that wrote last, and what it saw with */
	struct fz_obs *lead;      /* the death: the finding if no replay kills the server */
	struct fz_when when;      /* when the death was seen */
	unsigned replays;         /* replays that ran to their end */
	int running;
};

struct pending {
	struct fz_sess sess;
	struct fz_obs *obs;
	struct fz_verdict v;
	struct fz_when when;
};

struct minjob {
	struct fz_min m;
	struct fz_obs *best_obs;
	struct fz_verdict v;
	struct fz_when when;
	unsigned runs;
	int64_t until;
	int running;
};

struct camp {
	const struct fz_opts *o;
	struct fz_env env;
	struct fz_drive_set drives; /* the sessions running (env.set) */
	struct fz_pace pace;     /* the server's reply times (fz_pace.h) */
	struct tls_ctx *tls_full; /* the client TLS of shrinking tries and replays:
	                          * no resumption (env.tls_ctx resumes) */
	struct loop *loop;
	struct bi_server *bi;
	struct tp_target bi_tcp;
	struct scn_var *vars;
	size_t n_vars;
	struct fz_words words;
	struct fz_sess **corpus;
	size_t n_corpus, n_seeds, seed_next;
	size_t *finders;         /* corpus entries that reached a new state */
	size_t n_finders;
	struct fz_rng rng;
	uint8_t states[FZ_CONTEXTS * FZ_STATES], edges[FZ_EDGES];
	struct fz_stats st;
	unsigned active;
	uint64_t started;
	uint64_t fuzzed;         /* of them, fuzz sessions (--max-sessions) */
	uint64_t *keys;          /* findings seen (before and after shrinking) */
	size_t n_keys;
	struct pending *pend;
	size_t n_pend;
	struct minjob **mjs;     /* findings being shrunk, each a try at a time */
	size_t n_mj;
	int stopping;            /* no new fuzz sessions (fzc_stop) */
	int cap_stop;            /* only because --max-findings is reached, which a
	                          * finding shrunk into a duplicate undoes */
	uint64_t unreached_run;  /* sessions in a row that found no connection */
	int64_t last_taken_ms;   /* when the last session the target took ended */
	int64_t grace_from;      /* the work left is cut FZ_STOP_GRACE_MS after this */
	struct fz_launch *launch; /* --launch: the server we started */
	struct fz_cov *lcov;     /* --launch: its one coverage map, or NULL */
	struct run **live;       /* --launch: the sessions running, or parked */
	size_t n_live;
	size_t n_parked;         /* --launch: sessions waiting for the verdict on a death */
	int dying;               /* --launch: a death waits for its sessions to end */
	struct fz_death death;   /* that death */
	int64_t death_ms;        /* when it was seen */
	int64_t death_lag_ms;    /* the longest a death showed after the end of the
	                          * session charged with it (fz_attrib_park_ms) */
	int64_t try_ended_ms;    /* when the last shrinking try ended */
	int fresh_server;        /* sessions alone ran (fzc_launch): fuzzing
	                          * resumes on a server started afresh */
	struct attribjob **attr; /* --launch, -j > 1: deaths whose sessions are replayed
	                          * alone, the first one's replays running */
	size_t n_attr;
	int64_t t0, next_status;
	struct fz_report rep;    /* the findings written, for the summary */
	char findings_dir[4096];
};

/* fz_campaign.c */
void fzc_stop(struct camp *c, int64_t grace_from);
int fzc_cap_reached(const struct camp *c);
int fzc_key_seen(struct camp *c, uint64_t k, int add);
void fzc_write_finding(struct camp *c, const struct fz_sess *s, const struct fz_obs *obs,
    const struct fz_verdict *v, unsigned runs, struct fz_when when);
struct fz_when fzc_now_when(const struct camp *c);
int fzc_consider(struct camp *c, const struct fz_sess *s, struct fz_obs *obs, struct fz_verdict v,
    struct fz_when when);
void fzc_launch(struct camp *c, struct run *r);

/* fz_camp_launch.c */
int fzc_relaunch(struct camp *c);
void fzc_attrib_lead(struct attribjob *j, const struct fz_sess *s, struct fz_obs *obs);
void fzc_attrib_result(struct camp *c, struct run *r, struct fz_obs *obs);
int fzc_attrib_step(struct camp *c);
void fzc_launch_resolve(struct camp *c);
void fzc_launch_watch(struct camp *c);
void fzc_launch_edges(struct camp *c, struct fz_obs *obs);
int fzc_launch_settle(struct camp *c, struct run *r, struct fz_obs *obs);

#endif
