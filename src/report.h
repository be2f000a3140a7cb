/*
 * report.h - report formats by name, and writing a run's report in one of
 * them: text (live progress and summary), json, junit, tap and html.
 * Writers only read the run; they never fail on strange bytes: all
 * server output passes through res_render() or the format's own escaping.
 * The writers and their shared helpers are declared in report_writers.h
 * and report_util.h, included here for the front end and the tests.
 */
#ifndef SMTPH_REPORT_H
#define SMTPH_REPORT_H

#include <stdio.h>

#include "buf.h"
#include "report_util.h"
#include "report_writers.h"

enum rep_format { REP_TEXT, REP_JSON, REP_JUNIT, REP_TAP, REP_HTML };

/* "text", "json", "junit", "tap", "html" -> 0 and *out; -1 if unknown
 * (name may be NULL). */
int rep_format_parse(const char *name, enum rep_format *out);
/* The format's name ("?" for a value outside the enum). */
const char *rep_format_name(enum rep_format f);
/* Append every format's name to out, ", "-separated, for messages. */
void rep_format_names(struct buf *out);

/* Write the whole report.  color: use ANSI colours (text only).  Returns 0, or
 * -1 if writing failed. */
int rep_write(FILE *f, enum rep_format fmt, const struct rep_run *run, int color);

#endif
