/*
 * report.h - report writers: text (live progress and summary), json, junit,
 * tap and html.  Writers only read the run; they never fail on strange bytes: all
 * server output passes through res_render() or the format's own escaping.
 */
#ifndef SMTPH_REPORT_H
#define SMTPH_REPORT_H

#include <stdio.h>

#include "result.h"

enum rep_format { REP_TEXT, REP_JSON, REP_JUNIT, REP_TAP, REP_HTML };

struct rep_run {
	const char *target;     /* the target URL as given */
	const char *started_at; /* ISO 8601 UTC */
	double duration;        /* seconds, the whole run */
	const struct res_result *results;
	size_t n;
	int verbose;            /* text: also print transcripts of passing scenarios */
};

/* "text", "json", "junit", "tap", "html" -> 0 and *out; -1 if unknown. */
int rep_format_parse(const char *name, enum rep_format *out);
const char *rep_format_name(enum rep_format f);

/* Write the whole report.  color: use ANSI colours (text only).  Returns 0, or
 * -1 if writing failed. */
int rep_write(FILE *f, enum rep_format fmt, const struct rep_run *run, int color);

/* Text progress: one line per finished scenario ("PASS  id  title (0.01s)"),
 * with the reason under a failure. */
void rep_progress(FILE *f, const struct res_result *r, size_t done, size_t total, int color);

/*
 * Below: the per-format writers rep_write() dispatches to, and the helpers
 * they share.  The front end may use them too (rep_count for the exit status).
 */

/* Each writes the whole report in its format; 0, or -1 if writing failed.
 * Only the text writer colours. */
int rep_write_text(FILE *f, const struct rep_run *run, int color);
int rep_write_json(FILE *f, const struct rep_run *run);
int rep_write_junit(FILE *f, const struct rep_run *run);
int rep_write_tap(FILE *f, const struct rep_run *run);
/* One self-contained page (no fetches): summary, filters, every scenario
 * with its whole transcript (docs/reports.md). */
int rep_write_html(FILE *f, const struct rep_run *run);

struct rep_counts {
	size_t total, pass, fail, skip, error, xfail, xpass;
	size_t warned; /* results (of any status) carrying warnings */
};

/* Count the run's results per status into *c. */
void rep_count(const struct rep_run *run, struct rep_counts *c);

/* 1 if a result of this status names a failing step (FAIL, ERROR, XFAIL). */
int rep_has_step(enum res_status s);

/* "must", "should", "may" ("?" for anything else). */
const char *rep_level_name(enum scn_level l);
/* "pass", "fail", "skip", "error", "xfail", "xpass" ("?" otherwise). */
const char *rep_status_lower(enum res_status s);

/* Append the C string s (NULL appends nothing) as one line of printable
 * ASCII: like res_render(), except that a backslash stays as it is, so text
 * res_render() already produced passes through unchanged.  For strings the
 * harness or the scenario author wrote (id, title, reason, expected, actual,
 * file names), which may still carry anything. */
void rep_clean(struct buf *out, const char *s);

/* Append secs as a locale-independent decimal with `decimals` (0..6)
 * digits; negative, NaN and infinite values print as 0. */
void rep_secs(struct buf *out, double secs, int decimals);

/* A transcript laid out for reading: one string per line of data,
 * "+0.012s S: rendered bytes".  A line ending in CRLF shows without it, one
 * ending in a bare LF shows "\n", a fragment without line end is marked
 * " [no line end]", and a very long line is cut with its byte count. */
struct rep_lines {
	char **line;     /* the lines kept, oldest first; owned */
	size_t n;
	size_t omitted;  /* earlier lines left out by `tail` */
};

/* Lay out tr; tail > 0 keeps only the last tail lines of data (0 keeps all).
 * A last line reports tr->dropped when bytes were not kept.  Free with
 * rep_lines_free(). */
void rep_transcript_lines(struct rep_lines *out,
    const struct res_transcript *tr, size_t tail);
void rep_lines_free(struct rep_lines *l);

/* How many transcript lines text, junit and tap show (the json report has
 * the whole transcript). */
#define REP_TAIL_LINES 40

/* Write b to f and empty it: 0, or -1 if the write failed (b is emptied
 * either way).  The writers build their output in pieces through this. */
int rep_flush(FILE *f, struct buf *b);

#endif
