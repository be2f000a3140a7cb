/*
 * fz_campaign.h - `smtp-harness fuzz`: a campaign against the server under
 * test.  The suite's scenarios are the seeds (fz_sess_from_scn); mutants
 * (fz_mutate.h) run `jobs` at a time on one event loop (fz_drive.h); a
 * session that reaches a new state transition of the server (the verb
 * answered and the reply code, after the previous pair: AFLNet's idea) stays
 * in the corpus; a session an oracle condemns (fz_oracle.h) is shrunk
 * (fz_min.h), deduplicated, and written as a scenario under OUT/findings/
 * that the `smtp-harness run` command in its comment (fz_replay.h) fails on.  OUT/summary.md and
 * OUT/summary.json say what ran and what was found.
 *
 * With `launch`, the campaign starts the server itself (fz_launch.h) and
 * watches it by pid: a death is a crash finding charged to the session that
 * wrote its last act most recently among those running then (the others'
 * observations are dropped), and the server is started again.  With
 * jobs > 1 that charge is checked first: fuzzing pauses and the sessions
 * running then are replayed one at a time, each alone on a server started
 * afresh (fz_attrib.h); the first that kills it is the finding, and if
 * none does the death is a finding marked as not reproduced alone.
 * Shrinking then runs alone, each try against a server started afresh.  A coverage map (one, shared)
 * is read when each session ends: exact with jobs = 1, and with more each
 * session is credited with the edges the map gained since the previous
 * session ended.
 */
#ifndef SMTPH_FZ_CAMPAIGN_H
#define SMTPH_FZ_CAMPAIGN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "fz_oracle.h"
#include "scenario.h"
#include "tls.h"
#include "transport.h"

struct fz_stats {
	uint64_t sessions;      /* sessions the target took (fz_reach.h: reached, and
	                         * not greeted with 421); shrinking runs included */
	double elapsed;         /* seconds */
	size_t states, edges;   /* distinct (verb, code) pairs and transitions seen */
	size_t cov_edges;       /* exec: instrumented edges the target ran (0: none) */
	int coverage;           /* coverage maps were handed to the target */
	size_t corpus;          /* sessions kept */
	uint64_t tls_made;      /* TLS handshakes completed (STARTTLS, implicit TLS) */
	uint64_t tls_resumed;   /* of them, resumed sessions (RFC 8446 2.2) */
	size_t findings;        /* distinct findings written */
	size_t not_kept;        /* distinct findings dropped: max_findings was reached */
	size_t by_oracle[FZ_OR_COUNT];
	uint64_t unreachable;   /* sessions that found no connection or program */
	uint64_t refused;       /* sessions greeted with 421 */
	char unusable[512];     /* why the target could not be fuzzed at all (every
	                         * session unreached or refused: fz_reach.h), or "" */
	unsigned launches;      /* --launch: times the server was started */
	unsigned deaths;        /* --launch: times it died while fuzzed */
	unsigned idle_deaths;   /* of them, with no session running (no finding) */
	unsigned replays;       /* --launch, -j > 1: sessions replayed alone to find
	                         * whose a death was (fz_attrib.h) */
	char last_error[256];   /* why the last of them failed */
	uint64_t cut;           /* sessions the campaign cut short (Ctrl-C, its end):
	                         * no verdict on them */
	size_t seeds_skipped;   /* seed scenarios that could not be expanded */
	char seed_skipped[512]; /* the first of them and why */
	char gone[512];         /* why fuzzing stopped early though the target had
	                         * been fuzzed (it stopped taking sessions, a
	                         * --launch server would not start again), or "" */
};

struct fz_opts {
	struct tp_target *target;   /* parsed; resolved (or the builtin started) here */
	const char *launch;         /* --launch CMD for an smtp:// target, or NULL
	                             * (fz_launch.h) */
	struct scn *const *seeds;   /* the scenarios the seeds come from */
	size_t n_seeds;
	const struct scn_var *vars; /* profile then --var (later entries win) */
	size_t n_vars;
	const char *profile;        /* --profile FILE, or NULL: the replay command
	                             * names it instead of its variables, */
	size_t n_profile_vars;      /* the first n_profile_vars of vars */
	unsigned jobs;              /* sessions at once, >= 1 */
	double timeout;             /* seconds, every wait */
	double duration;            /* seconds; 0 = until max_sessions or a stop */
	uint64_t max_sessions;      /* 0 = no limit */
	size_t max_findings;        /* keep at most this many findings, then stop;
	                             * 0 = no limit */
	const char *out_dir;        /* created if missing */
	uint64_t seed;              /* the generator's seed (0: from the clock) */
	int no_minimize;            /* write findings as found */
	int no_coverage;            /* exec: no AFL++ coverage map (black box only) */
	const struct tls_opts *tls; /* client TLS; NULL: no verification */
	size_t max_reply_line, max_reply_lines;
	volatile sig_atomic_t *stop; /* set asynchronously (SIGINT): end cleanly */
	double status_every;        /* seconds between status calls; 0 = 2 */
	void (*status)(void *arg, const struct fz_stats *st, int final);
	/* A finding written: the oracle, the file, its detail. */
	void (*found)(void *arg, enum fz_oracle k, const char *file, const char *detail);
	void *arg;
};

/* fz_campaign_run's failures to start, with errbuf: */
#define FZ_RUN_TARGET (-1) /* the target: unreachable, the builtin or --launch
                            * failed (exit 3) */
#define FZ_RUN_USAGE (-2)  /* what the user gave: a TLS file, --launch with a
                            * target it cannot serve, the output folder, no
                            * seed (exit 2) */

/* Run a campaign.  0 when it ran (findings or not; *st says), else
 * FZ_RUN_TARGET or FZ_RUN_USAGE with errbuf. */
int fz_campaign_run(const struct fz_opts *o, struct fz_stats *st, char *errbuf, size_t errlen);

#endif
