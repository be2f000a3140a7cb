/* report_json.c - the machine-readable report, schema
 * "smtp-harness/report/1" (docs/reports.md describes every field).  All
 * strings are first made printable ASCII (res_render for the transcript,
 * rep_clean for the rest), then JSON-escaped (RFC 8259 7), so the output is
 * valid JSON, pure ASCII, whatever bytes the server sent. */
#include "report_writers.h"

#include <stdlib.h>
#include <string.h>

#define JS_SCHEMA "smtp-harness/report/1"

/* s[0..len) as a JSON string body; controls as \u00XX.  The input is
 * printable ASCII already; anything else is escaped rather than trusted. */
static void
js_escape(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	buf_append(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t run = i;

		/* Plain bytes go out a run at a time, not one call each. */
		while (run < len && (unsigned char)s[run] >= 0x20 && (unsigned char)s[run] < 0x7f &&
		    s[run] != '"' && s[run] != '\\')
			run++;
		if (run > i) {
			buf_append(b, s + i, run - i);
			i = run - 1;
			continue;
		}
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };

			buf_append(b, e, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4],
			    hex[c & 0xf] };

			buf_append(b, e, 6);
		}
	}
	buf_append(b, "\"", 1);
}

/* A string the harness or the author wrote, or null. */
static void
js_str(struct buf *b, const char *s)
{
	struct buf tmp;

	if (s == NULL) {
		buf_puts(b, "null");
		return;
	}
	buf_init(&tmp);
	rep_clean(&tmp, s);
	js_escape(b, tmp.data, tmp.len);
	buf_free(&tmp);
}

/* Bytes from the wire. */
static void
js_bytes(struct buf *b, const char *data, size_t len)
{
	struct buf tmp;

	buf_init(&tmp);
	res_render(&tmp, data, len);
	js_escape(b, tmp.data, tmp.len);
	buf_free(&tmp);
}

static void
js_strv(struct buf *b, char *const *v, size_t n)
{
	buf_puts(b, "[");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(b, ", ");
		js_str(b, v[i]);
	}
	buf_puts(b, "]");
}

static void
js_dir(struct buf *b, char dir)
{
	switch (dir) {
	case RES_DIR_CLIENT:
		buf_puts(b, "\"C\"");
		return;
	case RES_DIR_SERVER:
		buf_puts(b, "\"S\"");
		return;
	case RES_DIR_NOTE:
		buf_puts(b, "\"*\"");
		return;
	}
	buf_puts(b, "\"?\"");
}

/* "tls": the last TLS handshake of the session, null without one. */
static void
js_tls(struct buf *b, const struct res_tls *t)
{
	if (!t->present) {
		buf_puts(b, ",\n      \"tls\": null");
		return;
	}
	buf_puts(b, ",\n      \"tls\": {\"protocol\": ");
	js_str(b, t->protocol);
	buf_puts(b, ", \"cipher\": ");
	js_str(b, t->cipher);
	buf_puts(b, ", \"subject\": ");
	js_str(b, t->subject);
	buf_puts(b, ", \"issuer\": ");
	js_str(b, t->issuer);
	buf_puts(b, ", \"not_before\": ");
	js_str(b, t->not_before);
	buf_puts(b, ", \"not_after\": ");
	js_str(b, t->not_after);
	buf_puts(b, ", \"sha256\": ");
	js_str(b, t->sha256);
	buf_printf(b, ", \"verified\": %s, \"verify\": ", t->verified ? "true" : "false");
	js_str(b, t->verify);
	buf_puts(b, "}");
}

static void
js_result(struct buf *b, const struct res_result *r)
{
	const struct scn *s = r->scn;

	buf_puts(b, "    {\n      \"id\": ");
	js_str(b, s ? s->id : NULL);
	buf_puts(b, ",\n      \"title\": ");
	js_str(b, s ? s->title : NULL);
	buf_puts(b, ",\n      \"file\": ");
	js_str(b, s ? s->file : NULL);
	buf_puts(b, ",\n      \"level\": ");
	js_str(b, s ? rep_level_name(s->level) : NULL);
	buf_puts(b, ",\n      \"refs\": ");
	js_strv(b, s ? s->refs : NULL, s ? s->n_refs : 0);
	buf_puts(b, ",\n      \"tags\": ");
	js_strv(b, s ? s->tags : NULL, s ? s->n_tags : 0);
	buf_puts(b, ",\n      \"status\": ");
	js_str(b, rep_status_lower(r->status));
	buf_puts(b, ",\n      \"duration\": ");
	rep_secs(b, r->duration, 6);
	buf_puts(b, ",\n      \"reason\": ");
	js_str(b, r->reason);
	buf_puts(b, ",\n      \"step\": ");
	if (rep_has_step(r->status))
		buf_printf(b, "%d", r->step > 0 ? r->step : 0);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\n      \"step_line\": ");
	if (rep_has_step(r->status) && r->step_line > 0)
		buf_printf(b, "%d", r->step_line);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\n      \"phase\": ");
	js_str(b, rep_has_step(r->status) ? rep_phase(r) : NULL);
	buf_puts(b, ",\n      \"rule\": ");
	if (r->rule_id && (r->status == RES_FAIL || r->status == RES_XFAIL)) {
		buf_puts(b, "{\"id\": ");
		js_str(b, r->rule_id);
		buf_puts(b, ", \"ref\": ");
		js_str(b, r->rule_ref);
		buf_puts(b, ", \"quote\": ");
		js_str(b, r->rule_quote);
		buf_puts(b, "}");
	} else {
		buf_puts(b, "null");
	}
	buf_puts(b, ",\n      \"expected\": ");
	js_str(b, r->expected);
	buf_puts(b, ",\n      \"actual\": ");
	js_str(b, r->actual);
	buf_puts(b, ",\n      \"warnings\": ");
	js_strv(b, r->warnings, r->n_warnings);
	js_tls(b, &r->tls);
	buf_printf(b, ",\n      \"transcript_dropped\": %zu", r->tr.dropped);
	buf_puts(b, ",\n      \"transcript\": [");
	for (size_t i = 0; i < r->tr.n; i++) {
		const struct res_event *e = &r->tr.ev[i];

		buf_puts(b, i > 0 ? ",\n" : "\n");
		buf_puts(b, "        {\"t\": ");
		rep_secs(b, e->t, 6);
		buf_puts(b, ", \"dir\": ");
		js_dir(b, e->dir);
		buf_puts(b, ", \"data\": ");
		js_bytes(b, e->data, e->len);
		buf_puts(b, "}");
	}
	buf_puts(b, r->tr.n > 0 ? "\n      ]\n    }" : "]\n    }");
}

int
rep_write_json(FILE *f, const struct rep_run *run, int color)
{
	(void)color; /* only the text report colours */
	struct rep_counts c;
	struct buf b;
	int rc = 0;

	buf_init(&b);
	rep_count(run, &c);
	buf_puts(&b, "{\n  \"schema\": \"" JS_SCHEMA "\",\n  \"target\": ");
	js_str(&b, run->target);
	buf_puts(&b, ",\n  \"started_at\": ");
	js_str(&b, run->started_at);
	buf_puts(&b, ",\n  \"duration\": ");
	rep_secs(&b, run->duration, 6);
	buf_printf(&b, ",\n  \"summary\": {\"total\": %zu, \"pass\": %zu, "
	    "\"fail\": %zu, \"skip\": %zu, \"error\": %zu, \"xfail\": %zu, "
	    "\"xpass\": %zu, \"warned\": %zu,\n    \"deviations\": {", c.total, c.pass,
	    c.fail, c.skip, c.error, c.xfail, c.xpass, c.warned);
	size_t nd;
	struct rep_deviation *d = rep_deviations(run, &nd);
	for (size_t i = 0; i < nd; i++) {
		buf_puts(&b, i ? ", " : "");
		js_str(&b, d[i].id);
		buf_printf(&b, ": %zu", d[i].count);
	}
	free(d);
	buf_puts(&b, "}},\n  \"scenarios\": [");
	for (size_t i = 0; i < run->n; i++) {
		buf_puts(&b, i > 0 ? ",\n" : "\n");
		js_result(&b, &run->results[i]);
		/* One scenario at a time: a run of many long transcripts is
		 * never held in memory twice. */
		if (rep_flush(f, &b) != 0)
			rc = -1;
	}
	buf_puts(&b, run->n > 0 ? "\n  ]\n}\n" : "]\n}\n");
	if (rep_flush(f, &b) != 0)
		rc = -1;
	buf_free(&b);
	return rc;
}
