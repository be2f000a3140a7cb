/*
 * baseline.h - the scenarios a target is expected to fail (--baseline FILE).
 *
 * Two formats, told apart by the first line that is neither blank nor a
 * comment:
 *
 *   - it starts with '-' (a YAML sequence, or "---"): YAML, a list of
 *     entries, each a mapping with exactly these keys, all required:
 *         - id: lf-dot-lf-not-end-of-data
 *           reason: Postfix 3.7 ends DATA at <LF>.<LF> (smtpd_forbid_bare_newline=no)
 *           transcript:
 *             - "C: .\n"
 *             - "S: 250 2.0.0 Ok: queued as"
 *     `transcript` holds the lines that show the deviation, written as the
 *     reports print them (printable form, docs/reports.md); each must be a
 *     part of one line of the run's transcript (bl_check_transcript);
 *   - anything else: the plain list, one id a line, '#' starts a comment.
 *
 * Errors name the file as FILE:LINE:COL: error: message, and all of them
 * are collected, not just the first.
 */
#ifndef SMTPH_BASELINE_H
#define SMTPH_BASELINE_H

#include <stddef.h>

#include "buf.h"
#include "result.h"

struct bl_entry {
	char *id;
	char *reason;      /* NULL in the plain list */
	char **transcript; /* the lines that show the deviation; none in the plain list */
	size_t n_transcript;
	int line;          /* 1-based line of the entry in its file */
};

struct bl_baseline {
	struct bl_entry *e;
	size_t n;
	char **ids;        /* e[i].id, in order, NULL-terminated (not owned) */
};

/* Parse data[0..len) (the file's contents; name is only for messages).
 * Returns 0 and fills *out, or -1 with one line per error appended to err
 * (out is then empty).  Either way free *out with bl_free(). */
int bl_parse(const char *name, const char *data, size_t len,
    struct bl_baseline *out, struct buf *err);

/* Read and parse the file at path; an unreadable file is an error too. */
int bl_load(const char *path, struct bl_baseline *out, struct buf *err);

/* The entry for id (or for id[0..len)), or NULL. */
const struct bl_entry *bl_find(const struct bl_baseline *b, const char *id);
const struct bl_entry *bl_find_n(const struct bl_baseline *b, const char *id,
    size_t len);

/* The baseline's verdict on r, a finished scenario: if b lists it, a FAIL
 * or ERROR becomes XFAIL (it counts as passed) and a PASS becomes XPASS (it
 * is reported as unexpected).  A result with an empty transcript never ran
 * (skipped, or not started before the run's deadline): nothing to compare,
 * it is left as it is.  Returns b's entry for r's scenario, or NULL. */
const struct bl_entry *bl_mark(const struct bl_baseline *b, struct res_result *r);

/* Each of e's transcript lines that is not a part of any line of r's
 * transcript as the reports lay it out (rep_transcript_lines): adds a
 * warning to r saying which, so a deviation that changed shape shows.
 * Returns how many were missing. */
size_t bl_check_transcript(const struct bl_entry *e, struct res_result *r);

void bl_free(struct bl_baseline *b);

#endif
