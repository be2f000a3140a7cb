/*
 * report.h - report writers: text (live progress and summary), json, junit
 * and tap.  Writers only read the run; they never fail on strange bytes: all
 * server output passes through res_render() or the format's own escaping.
 */
#ifndef SMTPH_REPORT_H
#define SMTPH_REPORT_H

#include <stdio.h>

#include "result.h"

enum rep_format { REP_TEXT, REP_JSON, REP_JUNIT, REP_TAP };

struct rep_run {
	const char *target;     /* the target URL as given */
	const char *started_at; /* ISO 8601 UTC */
	double duration;        /* seconds, the whole run */
	const struct res_result *results;
	size_t n;
	int verbose;            /* text: also print transcripts of passing scenarios */
};

/* "text", "json", "junit", "tap" -> 0 and *out; -1 if unknown. */
int rep_format_parse(const char *name, enum rep_format *out);
const char *rep_format_name(enum rep_format f);

/* Write the whole report.  color: use ANSI colours (text only).  Returns 0, or
 * -1 if writing failed. */
int rep_write(FILE *f, enum rep_format fmt, const struct rep_run *run, int color);

/* Text progress: one line per finished scenario ("PASS  id  title (0.01s)"),
 * with the reason under a failure. */
void rep_progress(FILE *f, const struct res_result *r, size_t done, size_t total, int color);

#endif
