/*
 * report_writers.h - one function per report format, each writing the
 * whole report of a run; report.c's table dispatches to them.  Each
 * returns 0, or -1 if writing failed; only the text writer colours (the
 * others ignore color).
 */
#ifndef SMTPH_REPORT_WRITERS_H
#define SMTPH_REPORT_WRITERS_H

#include <stdio.h>

#include "report_util.h"

int rep_write_text(FILE *f, const struct rep_run *run, int color);
int rep_write_json(FILE *f, const struct rep_run *run, int color);
int rep_write_junit(FILE *f, const struct rep_run *run, int color);
int rep_write_tap(FILE *f, const struct rep_run *run, int color);
/* One self-contained page (no fetches): summary, filters, every scenario
 * with its whole transcript (docs/reports.md). */
int rep_write_html(FILE *f, const struct rep_run *run, int color);

/* Text progress: one line per finished scenario ("PASS  id  title (0.01s)"),
 * with the reason under a failure. */
void rep_progress(FILE *f, const struct res_result *r, size_t done, size_t total, int color);

#endif
