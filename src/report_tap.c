/* report_tap.c - TAP version 13 (testanything.org/tap-version-13-
 * specification.html).  One test point per scenario, in run order, with a
 * YAML diagnostics block under every one that did not simply pass or skip.
 * FAIL, ERROR and XPASS are "not ok" (an unexpected pass must fail the run);
 * XFAIL is "not ok ... # TODO", which TAP consumers do not count as a
 * failure.  Every string is printable ASCII before it is written (res_render
 * / rep_clean), so no value can break a line or the YAML quoting. */
#include "report_writers.h"

#include <string.h>

/* A description: '#' would start a directive and '\' escapes, so both are
 * escaped as the specification says. */
static void
tap_desc(struct buf *b, const char *s)
{
	struct buf tmp;

	if (s == NULL)
		return;
	buf_init(&tmp);
	rep_clean(&tmp, s);
	for (size_t i = 0; i < tmp.len; i++) {
		if (tmp.data[i] == '#' || tmp.data[i] == '\\')
			buf_append(b, "\\", 1);
		buf_append(b, &tmp.data[i], 1);
	}
	buf_free(&tmp);
}

/* A YAML single-quoted scalar (YAML 1.2 7.3.2): only ' needs doubling, and
 * the value is one line of printable ASCII. */
static void
tap_yaml_quoted(struct buf *b, const char *s, int clean)
{
	struct buf tmp;

	buf_init(&tmp);
	if (clean)
		rep_clean(&tmp, s);
	else
		buf_puts(&tmp, s);
	buf_append(b, "'", 1);
	for (size_t i = 0; i < tmp.len; i++) {
		if (tmp.data[i] == '\'')
			buf_append(b, "'", 1);
		buf_append(b, &tmp.data[i], 1);
	}
	buf_append(b, "'", 1);
	buf_free(&tmp);
}

static void
tap_field(struct buf *b, const char *key, const char *value)
{
	if (value == NULL)
		return;
	buf_printf(b, "  %s: ", key);
	tap_yaml_quoted(b, value, 1);
	buf_puts(b, "\n");
}

static void
tap_diagnostics(struct buf *b, const struct res_result *r,
    const char *severity, int transcript)
{
	const char *file = r->scn ? r->scn->file : NULL;

	buf_puts(b, "  ---\n");
	if (r->status == RES_XPASS)
		tap_field(b, "message",
		    "passed although the baseline expects a failure");
	else
		tap_field(b, "message",
		    r->reason ? r->reason : "(no reason given)");
	buf_printf(b, "  severity: %s\n", severity);
	tap_field(b, "file", file);
	if (r->status != RES_XPASS) {
		if (r->step_line > 0)
			buf_printf(b, "  line: %d\n", r->step_line);
		buf_printf(b, "  step: %d\n", r->step > 0 ? r->step : 0);
		tap_field(b, "expected", r->expected);
		tap_field(b, "actual", r->actual);
	}
	if (transcript && r->tr.n > 0) {
		struct rep_lines l;

		rep_transcript_lines(&l, &r->tr, REP_TAIL_LINES);
		if (l.omitted > 0)
			buf_printf(b, "  transcript_omitted: %zu\n", l.omitted);
		buf_puts(b, "  transcript:\n");
		for (size_t i = 0; i < l.n; i++) {
			buf_puts(b, "    - ");
			/* Lines are rendered already. */
			tap_yaml_quoted(b, l.line[i], 0);
			buf_puts(b, "\n");
		}
		rep_lines_free(&l);
	}
	buf_puts(b, "  ...\n");
}

static void
tap_point(struct buf *b, size_t num, const struct res_result *r)
{
	const struct scn *s = r->scn;
	const char *id = s && s->id ? s->id : "(no id)";

	switch (r->status) {
	case RES_PASS:
	case RES_FAIL:
	case RES_ERROR:
	case RES_XPASS:
		buf_printf(b, "%s %zu - ", r->status == RES_PASS ? "ok" :
		    "not ok", num);
		tap_desc(b, id);
		if (s && s->title) {
			buf_puts(b, " ");
			tap_desc(b, s->title);
		}
		buf_puts(b, "\n");
		if (r->status == RES_PASS && r->n_warnings) {
			buf_puts(b, "  ---\n  severity: warning\n  warnings:\n");
			for (size_t i = 0; i < r->n_warnings; i++) {
				buf_puts(b, "    - ");
				tap_yaml_quoted(b, r->warnings[i], 1);
				buf_puts(b, "\n");
			}
			buf_puts(b, "  ...\n");
		}
		if (r->status == RES_FAIL || r->status == RES_XPASS)
			tap_diagnostics(b, r, "fail", 1);
		else if (r->status == RES_ERROR)
			tap_diagnostics(b, r, "error", 1);
		return;
	case RES_SKIP:
		buf_printf(b, "ok %zu - ", num);
		tap_desc(b, id);
		buf_puts(b, " # SKIP ");
		rep_clean(b, r->reason ? r->reason : "skipped");
		buf_puts(b, "\n");
		return;
	case RES_XFAIL:
		buf_printf(b, "not ok %zu - ", num);
		tap_desc(b, id);
		buf_puts(b, " # TODO expected failure (baseline)\n");
		tap_diagnostics(b, r, "todo", 0);
		return;
	}
	/* An out-of-range status: a failure, never dropped. */
	buf_printf(b, "not ok %zu - ", num);
	tap_desc(b, id);
	buf_puts(b, "\n  ---\n  message: 'unknown status'\n"
	    "  severity: error\n  ...\n");
}

int
rep_write_tap(FILE *f, const struct rep_run *run, int color)
{
	(void)color; /* only the text report colours */
	struct rep_counts c;
	struct buf b;
	int rc = 0;

	buf_init(&b);
	rep_count(run, &c);
	buf_printf(&b, "TAP version 13\n1..%zu\n", run->n);
	if (run->target) {
		buf_puts(&b, "# target: ");
		rep_clean(&b, run->target);
		buf_puts(&b, "\n");
	}
	if (run->started_at) {
		buf_puts(&b, "# started: ");
		rep_clean(&b, run->started_at);
		buf_puts(&b, "\n");
	}
	for (size_t i = 0; i < run->n; i++) {
		tap_point(&b, i + 1, &run->results[i]);
		if (rep_flush(f, &b) != 0)
			rc = -1;
	}
	buf_printf(&b, "# %zu pass, %zu fail, %zu skip, %zu error, %zu xfail, "
	    "%zu xpass in ", c.pass, c.fail, c.skip, c.error, c.xfail,
	    c.xpass);
	rep_secs(&b, run->duration, 3);
	buf_puts(&b, "s\n");
	if (rep_flush(f, &b) != 0)
		rc = -1;
	buf_free(&b);
	return rc;
}
