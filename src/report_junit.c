/* report_junit.c - JUnit XML, what CI systems read.  One <testsuite>; one
 * <testcase> per scenario.  FAIL and XPASS are <failure>s (an unexpected
 * pass must break the build like a failure), ERROR is an <error>, SKIP is
 * <skipped/>, XFAIL passes with a note in <system-out>.  Every string is
 * made printable ASCII first (res_render / rep_clean), then XML-escaped, so
 * no byte the server sent can produce a character XML 1.0 forbids (2.2) or
 * end markup early. */
#include "report_writers.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A harness or author string, cleaned and escaped. */
static void
ju_str(struct buf *b, const char *s, int attr)
{
	struct buf tmp;

	if (s == NULL)
		return;
	buf_init(&tmp);
	rep_clean(&tmp, s);
	rep_xml_escape(b, tmp.data, tmp.len, attr ? REP_XML_ATTR : REP_XML_TEXT);
	buf_free(&tmp);
}

static void
ju_attr(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, " %s=\"", name);
	ju_str(b, value, 1);
	buf_puts(b, "\"");
}

static void
ju_counts(struct buf *b, const struct rep_counts *c, double duration)
{
	/* XPASS breaks the run like a failure; XFAIL counts as passed. */
	buf_printf(b, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
	    "skipped=\"%zu\" time=\"", c->total, c->fail + c->xpass, c->error,
	    c->skip);
	rep_secs(b, duration, 3);
	buf_puts(b, "\"");
}

/* "step 3 (FILE:LINE): reason", then expected, actual and the transcript's
 * tail, as the body of a <failure> or <error>, escaped. */
static void
ju_story(struct buf *b, const struct res_result *r, int transcript)
{
	struct buf t;
	struct rep_lines l;
	const char *file = r->scn ? r->scn->file : NULL;

	buf_init(&t);
	if (r->status == RES_XPASS) {
		buf_puts(&t, "passed although the baseline expects a failure");
	} else {
		if (r->step > 0)
			buf_printf(&t, "step %d", r->step);
		else
			buf_puts(&t, "opening");
		if (file) {
			buf_puts(&t, " (");
			rep_clean(&t, file);
			if (r->step_line > 0)
				buf_printf(&t, ":%d", r->step_line);
			buf_puts(&t, ")");
		}
		buf_puts(&t, ": ");
		rep_clean(&t, r->reason ? r->reason : "(no reason given)");
	}
	buf_puts(&t, "\n");
	if (r->rule_id && r->status != RES_XPASS) {
		buf_puts(&t, "rule:     ");
		rep_clean(&t, r->rule_id);
		buf_puts(&t, " (");
		rep_clean(&t, r->rule_ref);
		buf_puts(&t, "): ");
		rep_clean(&t, r->rule_quote);
		buf_puts(&t, "\n");
	}
	if (r->expected) {
		buf_puts(&t, "expected: ");
		rep_clean(&t, r->expected);
		buf_puts(&t, "\n");
	}
	if (r->actual) {
		buf_puts(&t, "actual:   ");
		rep_clean(&t, r->actual);
		buf_puts(&t, "\n");
	}
	if (transcript && r->tr.n > 0) {
		rep_transcript_lines(&l, &r->tr, REP_TAIL_LINES);
		buf_puts(&t, "\ntranscript:\n");
		if (l.omitted > 0)
			buf_printf(&t, "... %zu earlier lines left out\n",
			    l.omitted);
		for (size_t i = 0; i < l.n; i++) {
			buf_puts(&t, l.line[i]);
			buf_puts(&t, "\n");
		}
		rep_lines_free(&l);
	}
	rep_xml_escape(b, t.data, t.len, REP_XML_TEXT);
	buf_free(&t);
}

/* The classname: the folder of the scenario file, or "scenarios". */
static void
ju_classname(struct buf *b, const struct res_result *r)
{
	const char *file = r->scn ? r->scn->file : NULL;
	const char *slash = file ? strrchr(file, '/') : NULL;
	char *dir;

	if (slash == NULL || slash == file) {
		buf_puts(b, " classname=\"scenarios\"");
		return;
	}
	dir = xstrndup(file, (size_t)(slash - file));
	ju_attr(b, "classname", dir);
	free(dir);
}

static void
ju_testcase(struct buf *b, const struct res_result *r)
{
	const struct scn *s = r->scn;
	struct buf name;

	buf_init(&name);
	buf_puts(&name, s && s->id ? s->id : "(no id)");
	if (s && s->title) {
		buf_puts(&name, ": ");
		buf_puts(&name, s->title);
	}
	buf_puts(b, "    <testcase");
	ju_classname(b, r);
	ju_attr(b, "name", name.data);
	if (s && s->file)
		ju_attr(b, "file", s->file);
	buf_puts(b, " time=\"");
	rep_secs(b, r->duration, 3);
	buf_puts(b, "\"");
	buf_free(&name);

	switch (r->status) {
	case RES_PASS:
		if (r->n_warnings == 0) {
			buf_puts(b, "/>\n");
			return;
		}
		/* Passed, with deviations the RFCs allow: shown, not failed. */
		buf_puts(b, ">\n      <system-out>");
		for (size_t i = 0; i < r->n_warnings; i++) {
			buf_puts(b, "warning: ");
			ju_str(b, r->warnings[i], 0);
			buf_puts(b, "\n");
		}
		buf_puts(b, "</system-out>\n    </testcase>\n");
		return;
	case RES_SKIP:
		buf_puts(b, ">\n      <skipped");
		if (r->reason)
			ju_attr(b, "message", r->reason);
		buf_puts(b, "/>\n    </testcase>\n");
		return;
	case RES_XFAIL:
		buf_puts(b, ">\n      <system-out>");
		buf_puts(b, "expected failure (baseline): ");
		ju_story(b, r, 0);
		buf_puts(b, "</system-out>\n    </testcase>\n");
		return;
	case RES_FAIL:
		buf_puts(b, ">\n      <failure type=\"FAIL\"");
		ju_attr(b, "message", r->reason ? r->reason : "failed");
		buf_puts(b, ">");
		ju_story(b, r, 1);
		buf_puts(b, "</failure>\n    </testcase>\n");
		return;
	case RES_XPASS:
		buf_puts(b, ">\n      <failure type=\"XPASS\" message=\"passed "
		    "although the baseline expects a failure\">");
		ju_story(b, r, 1);
		buf_puts(b, "</failure>\n    </testcase>\n");
		return;
	case RES_ERROR:
		buf_puts(b, ">\n      <error type=\"ERROR\"");
		ju_attr(b, "message", r->reason ? r->reason : "error");
		buf_puts(b, ">");
		ju_story(b, r, 1);
		buf_puts(b, "</error>\n    </testcase>\n");
		return;
	}
	/* An out-of-range status: report it as an error, never drop it. */
	buf_puts(b, ">\n      <error type=\"ERROR\" "
	    "message=\"unknown status\"/>\n    </testcase>\n");
}

/* The target, and one "deviation:ID" property per rule broken (FAIL and
 * XFAIL) with the number of scenarios that broke it. */
static void
ju_properties(struct buf *b, const struct rep_run *run)
{
	size_t nd;
	struct rep_deviation *d = rep_deviations(run, &nd);
	if (run->target || nd) {
		buf_puts(b, "    <properties>\n");
		if (run->target) {
			buf_puts(b, "      <property name=\"target\"");
			ju_attr(b, "value", run->target);
			buf_puts(b, "/>\n");
		}
		for (size_t i = 0; i < nd; i++) {
			buf_puts(b, "      <property name=\"deviation:");
			ju_str(b, d[i].id, 1);
			buf_printf(b, "\" value=\"%zu\"/>\n", d[i].count);
		}
		buf_puts(b, "    </properties>\n");
	}
	free(d);
}

int
rep_write_junit(FILE *f, const struct rep_run *run, int color)
{
	(void)color; /* only the text report colours */
	struct rep_counts c;
	struct buf b;
	int rc = 0;

	buf_init(&b);
	rep_count(run, &c);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites name=\"smtp-harness\"");
	ju_counts(&b, &c, run->duration);
	buf_puts(&b, ">\n  <testsuite name=\"smtp-harness\"");
	ju_counts(&b, &c, run->duration);
	if (run->started_at)
		ju_attr(&b, "timestamp", run->started_at);
	buf_puts(&b, ">\n");
	ju_properties(&b, run);
	for (size_t i = 0; i < run->n; i++) {
		ju_testcase(&b, &run->results[i]);
		if (rep_flush(f, &b) != 0)
			rc = -1;
	}
	buf_puts(&b, "  </testsuite>\n</testsuites>\n");
	if (rep_flush(f, &b) != 0)
		rc = -1;
	buf_free(&b);
	return rc;
}
