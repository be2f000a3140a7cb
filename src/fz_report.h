/*
 * fz_report.h - what a fuzz campaign leaves behind: one scenario file per
 * finding (fz_sess_write_yaml with a header saying what was seen), and
 * OUT/summary.md and OUT/summary.json (sessions, rate, states, edges, the
 * findings with their files).
 */
#ifndef SMTPH_FZ_REPORT_H
#define SMTPH_FZ_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "fz_oracle.h"

struct fz_opts;
struct fz_stats;

/* When a finding was first seen: the sessions the campaign had ended by
 * then (its own included) and the seconds since the campaign began. */
struct fz_when {
	uint64_t sessions;
	double seconds;
};

struct fz_rep_item {
	enum fz_oracle oracle;
	char *file;       /* owned */
	char *detail;     /* owned, printable */
	const char *rule_id;
	char *origin;     /* the seed scenario (owned) */
	size_t acts, bytes;
	unsigned runs;    /* shrinking runs */
	int signal;
	struct fz_when when;
	struct fz_attrib_note attrib; /* --launch, -j > 1: the death's replays */
};

struct fz_report {
	struct fz_rep_item *items;
	size_t n;
};

void fz_report_init(struct fz_report *r);
void fz_report_free(struct fz_report *r);

/* Write the finding's scenario to path and remember it.  Its comment says
 * what was seen (fz_oracle_seen), the target, and the command that replays
 * it (fz_replay.h; with o->launch, how to start the server first).  runs:
 * the shrinking runs; when: when it was first seen.  0, or -1 (the file
 * could not be written; said on stderr). */
int fz_report_finding(struct fz_report *r, const char *path, const struct fz_sess *s,
    const struct fz_obs *obs, const struct fz_verdict *v, const struct fz_opts *o,
    unsigned runs, struct fz_when when);

/* OUT/summary.md and OUT/summary.json.  0, or -1 with errbuf. */
int fz_report_summary(const struct fz_report *r, const struct fz_opts *o,
    const struct fz_stats *st, size_t n_seeds, char *errbuf, size_t errlen);

#endif
