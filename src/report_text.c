/* report_text.c - the terminal report: one progress line per finished
 * scenario with the details of a failure under it, and a compact summary.
 * Nothing the server sent reaches the terminal unrendered, so its bytes can
 * never move the cursor or change colours; the only escape sequences written
 * are our own colours, and only when asked. */
#include "report_writers.h"

#include <stdlib.h>
#include <string.h>

#define TX_RESET "\033[0m"
#define TX_INDENT "    "

static const char *
tx_color(enum res_status s)
{
	switch (s) {
	case RES_PASS:
	case RES_XFAIL:
		return "\033[32m";
	case RES_FAIL:
	case RES_XPASS:
		return "\033[31m";
	case RES_SKIP:
		return "\033[33m";
	case RES_ERROR:
		return "\033[35m";
	}
	return "";
}

/* The status word padded to the widest one, so ids line up. */
static void
tx_status(struct buf *b, enum res_status s, int color)
{
	const char *name = res_status_name(s);

	if (color && *tx_color(s))
		buf_printf(b, "%s%s%s", tx_color(s), name, TX_RESET);
	else
		buf_puts(b, name);
	for (size_t i = strlen(name); i < 5; i++)
		buf_append(b, " ", 1);
}

static const char *
tx_id(const struct res_result *r)
{
	return r->scn && r->scn->id ? r->scn->id : "(no id)";
}

/* "step 3 (FILE:LINE)", or "opening (FILE)" for step 0. */
static void
tx_where(struct buf *b, const struct res_result *r)
{
	const char *file = r->scn ? r->scn->file : NULL;

	if (r->step > 0)
		buf_printf(b, "step %d", r->step);
	else
		buf_puts(b, "opening");
	if (file == NULL)
		return;
	buf_puts(b, " (");
	rep_clean(b, file);
	if (r->step_line > 0)
		buf_printf(b, ":%d", r->step_line);
	buf_puts(b, ")");
}

static void
tx_headline(struct buf *b, const struct res_result *r, int color)
{
	tx_status(b, r->status, color);
	buf_puts(b, " ");
	rep_clean(b, tx_id(r));
	if (r->scn && r->scn->title) {
		buf_puts(b, "  ");
		rep_clean(b, r->scn->title);
	}
	buf_puts(b, "  (");
	rep_secs(b, r->duration, 3);
	buf_puts(b, "s)\n");
}

static void
tx_transcript(struct buf *b, const struct res_transcript *tr, size_t tail)
{
	struct rep_lines l;

	rep_transcript_lines(&l, tr, tail);
	if (l.omitted > 0)
		buf_printf(b, TX_INDENT "... %zu earlier transcript lines left "
		    "out\n", l.omitted);
	for (size_t i = 0; i < l.n; i++) {
		buf_puts(b, TX_INDENT);
		buf_puts(b, l.line[i]);
		buf_puts(b, "\n");
	}
	rep_lines_free(&l);
}

/* What the TLS handshake negotiated and what the server presented. */
static void
tx_tls(struct buf *b, const struct res_result *r)
{
	const struct res_tls *t = &r->tls;

	if (!t->present)
		return;
	buf_puts(b, TX_INDENT "tls: ");
	rep_clean(b, t->protocol);
	buf_puts(b, " ");
	rep_clean(b, t->cipher);
	if (t->subject[0]) {
		buf_puts(b, "; subject ");
		rep_clean(b, t->subject);
		buf_puts(b, "; issuer ");
		rep_clean(b, t->issuer);
		buf_puts(b, "; valid ");
		rep_clean(b, t->not_before);
		buf_puts(b, " to ");
		rep_clean(b, t->not_after);
	}
	buf_puts(b, "; verification: ");
	rep_clean(b, t->verify);
	buf_puts(b, "\n");
}

/* What goes under the headline: the full story of a failure, one line for
 * a skip or an expected failure, nothing for a pass. */
static void
tx_details(struct buf *b, const struct res_result *r)
{
	if (r->status != RES_PASS)
		tx_tls(b, r);
	for (size_t i = 0; i < r->n_warnings; i++) {
		buf_puts(b, TX_INDENT "warning: ");
		rep_clean(b, r->warnings[i]);
		buf_puts(b, "\n");
	}
	switch (r->status) {
	case RES_PASS:
		return;
	case RES_SKIP:
		if (r->reason) {
			buf_puts(b, TX_INDENT "skipped: ");
			rep_clean(b, r->reason);
			buf_puts(b, "\n");
		}
		return;
	case RES_XFAIL:
		buf_puts(b, TX_INDENT "failed as the baseline expects: ");
		tx_where(b, r);
		if (r->reason) {
			buf_puts(b, ": ");
			rep_clean(b, r->reason);
		}
		buf_puts(b, "\n");
		return;
	case RES_FAIL:
	case RES_ERROR:
	case RES_XPASS:
		break;
	}
	buf_puts(b, TX_INDENT);
	if (r->status == RES_XPASS) {
		buf_puts(b, "passed although the baseline expects a failure");
		if (r->reason) {
			buf_puts(b, ": ");
			rep_clean(b, r->reason);
		}
	} else {
		tx_where(b, r);
		buf_puts(b, ": ");
		rep_clean(b, r->reason ? r->reason : "(no reason given)");
	}
	buf_puts(b, "\n");
	if (r->rule_id && (r->status == RES_FAIL || r->status == RES_XFAIL)) {
		buf_puts(b, TX_INDENT "rule:     ");
		rep_clean(b, r->rule_id);
		buf_puts(b, " (");
		rep_clean(b, r->rule_ref);
		buf_puts(b, "): ");
		rep_clean(b, r->rule_quote);
		buf_puts(b, "\n");
	}
	if (r->expected) {
		buf_puts(b, TX_INDENT "expected: ");
		rep_clean(b, r->expected);
		buf_puts(b, "\n");
	}
	if (r->actual) {
		buf_puts(b, TX_INDENT "actual:   ");
		rep_clean(b, r->actual);
		buf_puts(b, "\n");
	}
	tx_transcript(b, &r->tr, REP_TAIL_LINES);
}

void
rep_progress(FILE *f, const struct res_result *r, size_t done, size_t total,
    int color)
{
	struct buf b;

	buf_init(&b);
	if (total > 0) {
		int w = snprintf(NULL, 0, "%zu", total);

		buf_printf(&b, "[%*zu/%zu] ", w, done, total);
	}
	tx_headline(&b, r, color);
	tx_details(&b, r);
	rep_flush(f, &b);
	buf_free(&b);
	/* Progress is for watching: show it now, even into a pipe. */
	fflush(f);
}

/* -v: the transcripts of what passed, was skipped or failed as expected
 * (failures already showed theirs as they came).  0, or -1 if writing
 * failed. */
static int
tx_verbose(FILE *f, struct buf *b, const struct rep_run *run, int color)
{
	int rc = 0, shown = 0;

	for (size_t i = 0; i < run->n; i++) {
		const struct res_result *r = &run->results[i];

		if ((r->status != RES_PASS && r->status != RES_XFAIL &&
		    r->status != RES_SKIP) || r->tr.n == 0)
			continue;
		tx_headline(b, r, color);
		tx_tls(b, r);
		tx_transcript(b, &r->tr, 0);
		shown = 1;
		if (rep_flush(f, b) != 0)
			rc = -1;
	}
	if (shown)
		buf_puts(b, "\n");
	return rc;
}

/* The summary's list of what failed, ended in error or passed unexpectedly. */
static void
tx_failed(struct buf *b, const struct rep_run *run, size_t n, int color)
{
	buf_printf(b, "failed:   %zu\n", n);
	for (size_t i = 0; i < run->n; i++) {
		const struct res_result *r = &run->results[i];

		if (r->status != RES_FAIL && r->status != RES_ERROR &&
		    r->status != RES_XPASS)
			continue;
		buf_puts(b, "  ");
		tx_status(b, r->status, color);
		buf_puts(b, " ");
		rep_clean(b, tx_id(r));
		buf_puts(b, "  ");
		if (r->status == RES_XPASS) {
			buf_puts(b, "passed although the baseline "
			    "expects a failure");
		} else {
			tx_where(b, r);
			buf_puts(b, ": ");
			rep_clean(b, r->reason ? r->reason :
			    "(no reason given)");
		}
		buf_puts(b, "\n");
	}
}

int
rep_write_text(FILE *f, const struct rep_run *run, int color)
{
	struct rep_counts c;
	struct buf b;
	int rc = 0;

	buf_init(&b);
	rep_count(run, &c);
	if (run->verbose)
		rc = tx_verbose(f, &b, run, color);
	if (run->target) {
		buf_puts(&b, "target:   ");
		rep_clean(&b, run->target);
		buf_puts(&b, "\n");
	}
	if (run->started_at) {
		buf_puts(&b, "started:  ");
		rep_clean(&b, run->started_at);
		buf_puts(&b, "\n");
	}
	buf_puts(&b, "duration: ");
	rep_secs(&b, run->duration, 3);
	buf_puts(&b, "s\n");
	buf_printf(&b, "total:    %zu (%zu pass, %zu fail, %zu skip, "
	    "%zu error, %zu xfail, %zu xpass)\n", c.total, c.pass, c.fail,
	    c.skip, c.error, c.xfail, c.xpass);
	size_t nd;
	struct rep_deviation *d = rep_deviations(run, &nd);
	if (nd) {
		buf_puts(&b, "deviations by requirement (fail and xfail):");
		for (size_t i = 0; i < nd; i++) {
			buf_puts(&b, i ? ", " : " ");
			rep_clean(&b, d[i].id);
			buf_printf(&b, " %zu", d[i].count);
		}
		buf_puts(&b, "\n");
	}
	free(d);
	if (c.warned) {
		buf_printf(&b, "warnings: %zu (deviations the RFCs allow; they do not fail)\n", c.warned);
		for (size_t i = 0; i < run->n; i++) {
			const struct res_result *r = &run->results[i];
			for (size_t k = 0; k < r->n_warnings; k++) {
				buf_puts(&b, "  ");
				rep_clean(&b, tx_id(r));
				buf_puts(&b, "  warning: ");
				rep_clean(&b, r->warnings[k]);
				buf_puts(&b, "\n");
			}
		}
	}
	if (c.fail + c.error + c.xpass > 0)
		tx_failed(&b, run, c.fail + c.error + c.xpass, color);
	if (rep_flush(f, &b) != 0)
		rc = -1;
	buf_free(&b);
	return rc;
}
