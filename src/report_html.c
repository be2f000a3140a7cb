/* report_html.c - one self-contained HTML page per run: the summary, filters
 * by status, level and tag, and every scenario with its verdict, RFC refs,
 * warnings and whole transcript.  The page fetches nothing: its style and
 * its small filter script are inline, and it works with scripting off (all
 * scenarios shown).
 *
 * Escaping happens twice, as in every writer: first every string is made
 * printable ASCII (res_render for wire bytes, rep_clean for the rest), then
 * HTML-escaped (& < > " ' as entities), so no byte a server sent can open a
 * tag, end an attribute or start a script.  The output is pure ASCII and
 * parses as XML too (every element closed, attributes quoted). */
#include "report_writers.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A string the harness or the author wrote (NULL writes nothing). */
static void
ht_str(struct buf *b, const char *s)
{
	struct buf tmp;

	if (s == NULL)
		return;
	buf_init(&tmp);
	rep_clean(&tmp, s);
	rep_xml_escape(b, tmp.data, tmp.len, REP_XML_HTML);
	buf_free(&tmp);
}

/* A tag as a filter token: the cleaned text with spaces made '_', so the
 * space-separated data-tags attribute splits back into the same tags. */
static void
ht_tag_token(struct buf *b, const char *s)
{
	struct buf tmp;

	buf_init(&tmp);
	rep_clean(&tmp, s);
	for (size_t i = 0; i < tmp.len; i++)
		if (tmp.data[i] == ' ')
			tmp.data[i] = '_';
	rep_xml_escape(b, tmp.data, tmp.len, REP_XML_HTML);
	buf_free(&tmp);
}

static const char ht_style[] =
    "body{font-family:sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:1.4em}"
    "table.sum,table.dev{border-collapse:collapse;margin:.5em 0}"
    "table.sum td,table.sum th,table.dev td,table.dev th{border:1px solid #ccc;padding:.2em .6em;"
    "text-align:right}table.dev td{text-align:left}"
    ".filters{margin:1em 0;padding:.5em;background:#f4f4f4}"
    ".filters label{margin-right:.8em}"
    "details.scn{border-left:4px solid #999;margin:.3em 0;padding:.2em .5em}"
    "details.scn summary{cursor:pointer}"
    ".st{display:inline-block;min-width:4em;font-weight:bold;font-family:monospace}"
    ".pass{border-color:#2a2}.pass .st{color:#2a2}"
    ".xfail{border-color:#8a8}.xfail .st{color:#686}"
    ".fail{border-color:#c22}.fail .st{color:#c22}"
    ".xpass{border-color:#c60}.xpass .st{color:#c60}"
    ".error{border-color:#a2a}.error .st{color:#a2a}"
    ".skip{border-color:#cc2}.skip .st{color:#990}"
    ".lvl{font-size:.8em;color:#555;margin:0 .5em}"
    ".warn{color:#a60}"
    "pre{background:#fafafa;border:1px solid #ddd;padding:.4em;overflow-x:auto;"
    "font-size:.85em}"
    "dl.f dt{font-weight:bold;float:left;clear:left;width:7em}"
    "dl.f dd{margin-left:7.5em}";

/* The filter: hide every scenario whose status box is unticked or whose
 * level or tag does not match, then write what is shown into #shown.  The
 * counts it writes come from the rows themselves, so a test can compare
 * them with the summary the writer printed. */
static const char ht_script[] =
    "(function(){\n"
    "var rows=document.querySelectorAll('details.scn');\n"
    "function apply(){\n"
    " var st={};document.querySelectorAll('input.fs').forEach(function(c){"
    "st[c.value]=c.checked;});\n"
    " var lv=document.getElementById('flevel').value;\n"
    " var tg=document.getElementById('ftag').value;\n"
    " var n=0,by={};\n"
    " rows.forEach(function(r){\n"
    "  var s=r.getAttribute('data-status');\n"
    "  var ok=st[s]?true:false;\n"
    "  if(lv!==''){if(r.getAttribute('data-level')!==lv){ok=false;}}\n"
    "  if(tg!==''){if((' '+r.getAttribute('data-tags')+' ')"
    ".indexOf(' '+tg+' ')===-1){ok=false;}}\n"
    "  r.style.display=ok?'':'none';\n"
    "  if(ok){n++;by[s]=(by[s]||0)+1;}\n"
    " });\n"
    " var t='shown: '+n;['pass','fail','skip','error','xfail','xpass']"
    ".forEach(function(k){t+=' '+k+'='+(by[k]||0);});\n"
    " document.getElementById('shown').textContent=t;\n"
    "}\n"
    "document.querySelectorAll('.filters input,.filters select')"
    ".forEach(function(e){e.addEventListener('change',apply);});\n"
    "apply();\n"
    "})();\n";

static const enum res_status ht_statuses[] = {
	RES_PASS, RES_FAIL, RES_SKIP, RES_ERROR, RES_XFAIL, RES_XPASS,
};

static size_t
ht_count_of(const struct rep_counts *c, enum res_status s)
{
	switch (s) {
	case RES_PASS:
		return c->pass;
	case RES_FAIL:
		return c->fail;
	case RES_SKIP:
		return c->skip;
	case RES_ERROR:
		return c->error;
	case RES_XFAIL:
		return c->xfail;
	case RES_XPASS:
		return c->xpass;
	}
	return 0;
}

static void
ht_summary(struct buf *b, const struct rep_run *run, const struct rep_counts *c)
{
	buf_puts(b, "<h1>smtp-harness report</h1>\n<p>target <code>");
	ht_str(b, run->target ? run->target : "?");
	buf_puts(b, "</code>, started ");
	ht_str(b, run->started_at ? run->started_at : "?");
	buf_puts(b, ", ");
	rep_secs(b, run->duration, 3);
	buf_puts(b, " s</p>\n<table class=\"sum\"><tr><th>total</th>");
	for (size_t i = 0; i < sizeof(ht_statuses) / sizeof(ht_statuses[0]); i++)
		buf_printf(b, "<th>%s</th>", rep_status_lower(ht_statuses[i]));
	buf_puts(b, "<th>warned</th></tr>\n<tr>");
	buf_printf(b, "<td id=\"count-total\">%zu</td>", c->total);
	for (size_t i = 0; i < sizeof(ht_statuses) / sizeof(ht_statuses[0]); i++)
		buf_printf(b, "<td id=\"count-%s\">%zu</td>",
		    rep_status_lower(ht_statuses[i]),
		    ht_count_of(c, ht_statuses[i]));
	buf_printf(b, "<td id=\"count-warned\">%zu</td></tr></table>\n",
	    c->warned);
}

/* Deviations per requirement: one row per catalogue id the FAIL and XFAIL
 * results broke, with its section, quote and how many scenarios broke it. */
static void
ht_deviations(struct buf *b, const struct rep_run *run)
{
	size_t nd;
	struct rep_deviation *d = rep_deviations(run, &nd);
	if (nd == 0)
		return;
	buf_puts(b, "<h2>Deviations by requirement</h2>\n<table class=\"dev\">"
	    "<tr><th>rule</th><th>section</th><th>scenarios</th><th>requirement</th></tr>\n");
	for (size_t i = 0; i < nd; i++) {
		buf_puts(b, "<tr><td><code>");
		ht_str(b, d[i].id);
		buf_puts(b, "</code></td><td>");
		ht_str(b, d[i].ref ? d[i].ref : "");
		buf_printf(b, "</td><td id=\"dev-%zu\">%zu</td><td>", i, d[i].count);
		ht_str(b, d[i].quote ? d[i].quote : "");
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</table>\n");
	free(d);
}

/* The requirement a FAIL or XFAIL broke: id, section and the RFC's words. */
static void
ht_rule(struct buf *b, const struct res_result *r)
{
	if (!r->rule_id || (r->status != RES_FAIL && r->status != RES_XFAIL))
		return;
	buf_puts(b, "<dt>rule</dt><dd><code>");
	ht_str(b, r->rule_id);
	buf_puts(b, "</code> ");
	ht_str(b, r->rule_ref ? r->rule_ref : "");
	buf_puts(b, ": <q>");
	ht_str(b, r->rule_quote ? r->rule_quote : "");
	buf_puts(b, "</q></dd>");
}

/* Is tag t (cleaned) among the first n results' tags already?  Keeps the
 * tag menu free of duplicates without a set structure: runs are small. */
static int
ht_tag_seen(const struct rep_run *run, size_t upto_res, size_t upto_tag,
    const char *t)
{
	for (size_t i = 0; i <= upto_res && i < run->n; i++) {
		const struct scn *s = run->results[i].scn;
		size_t lim = s == NULL ? 0 : (i == upto_res ? upto_tag : s->n_tags);

		for (size_t k = 0; k < lim; k++)
			if (strcmp(s->tags[k], t) == 0)
				return 1;
	}
	return 0;
}

static void
ht_filters(struct buf *b, const struct rep_run *run)
{
	buf_puts(b, "<div class=\"filters\"><strong>status</strong> ");
	for (size_t i = 0; i < sizeof(ht_statuses) / sizeof(ht_statuses[0]); i++) {
		const char *n = rep_status_lower(ht_statuses[i]);

		buf_printf(b, "<label><input type=\"checkbox\" class=\"fs\" "
		    "value=\"%s\" checked=\"checked\"/> %s</label>", n, n);
	}
	buf_puts(b, " <label><strong>level</strong> <select id=\"flevel\">"
	    "<option value=\"\">any</option><option value=\"must\">must</option>"
	    "<option value=\"should\">should</option>"
	    "<option value=\"may\">may</option></select></label>"
	    " <label><strong>tag</strong> <select id=\"ftag\">"
	    "<option value=\"\">any</option>");
	for (size_t i = 0; i < run->n; i++) {
		const struct scn *s = run->results[i].scn;

		for (size_t k = 0; s != NULL && k < s->n_tags; k++) {
			if (ht_tag_seen(run, i, k, s->tags[k]))
				continue;
			buf_puts(b, "<option value=\"");
			ht_tag_token(b, s->tags[k]);
			buf_puts(b, "\">");
			ht_str(b, s->tags[k]);
			buf_puts(b, "</option>");
		}
	}
	buf_puts(b, "</select></label> <span id=\"shown\"></span></div>\n");
}

/* One <dt>/<dd> pair of a harness-written string; nothing when s is NULL. */
static void
ht_field(struct buf *b, const char *name, const char *s)
{
	if (s == NULL)
		return;
	buf_printf(b, "<dt>%s</dt><dd><code>", name);
	ht_str(b, s);
	buf_puts(b, "</code></dd>");
}

/* The scenario's refs, tags and file (with the failing step's line). */
static void
ht_identity(struct buf *b, const struct res_result *r)
{
	const struct scn *s = r->scn;

	if (s != NULL && s->n_refs > 0) {
		buf_puts(b, "<dt>refs</dt><dd>");
		for (size_t k = 0; k < s->n_refs; k++) {
			buf_puts(b, k > 0 ? ", <span class=\"ref\">" :
			    "<span class=\"ref\">");
			ht_str(b, s->refs[k]);
			buf_puts(b, "</span>");
		}
		buf_puts(b, "</dd>");
	}
	if (s != NULL && s->n_tags > 0) {
		buf_puts(b, "<dt>tags</dt><dd>");
		for (size_t k = 0; k < s->n_tags; k++) {
			if (k > 0)
				buf_puts(b, ", ");
			ht_str(b, s->tags[k]);
		}
		buf_puts(b, "</dd>");
	}
	if (s != NULL && s->file != NULL) {
		buf_puts(b, "<dt>file</dt><dd><code>");
		ht_str(b, s->file);
		if (rep_has_step(r->status) && r->step_line > 0)
			buf_printf(b, ":%d", r->step_line);
		buf_puts(b, "</code></dd>");
	}
}

static void
ht_result(struct buf *b, const struct res_result *r)
{
	const struct scn *s = r->scn;
	const char *st = rep_status_lower(r->status);
	struct rep_lines tl;

	buf_printf(b, "<details class=\"scn %s\" data-status=\"%s\" "
	    "data-level=\"%s\" data-tags=\"", st, st,
	    s ? rep_level_name(s->level) : "?");
	for (size_t k = 0; s != NULL && k < s->n_tags; k++) {
		if (k > 0)
			buf_puts(b, " ");
		ht_tag_token(b, s->tags[k]);
	}
	/* Whatever failed is open at once: that is what a reader came for. */
	buf_printf(b, "\"%s><summary><span class=\"st\">%s</span> <code>",
	    r->status == RES_FAIL || r->status == RES_ERROR ||
	    r->status == RES_XPASS ? " open=\"open\"" : "",
	    res_status_name(r->status));
	ht_str(b, s ? s->id : "?");
	buf_printf(b, "</code><span class=\"lvl\">%s</span>",
	    s ? rep_level_name(s->level) : "?");
	ht_str(b, s ? s->title : NULL);
	buf_puts(b, " (");
	rep_secs(b, r->duration, 3);
	buf_puts(b, " s)");
	if (r->n_warnings > 0)
		buf_printf(b, " <span class=\"warn\">%zu warning%s</span>",
		    r->n_warnings, r->n_warnings == 1 ? "" : "s");
	buf_puts(b, "</summary>\n<dl class=\"f\">");
	ht_identity(b, r);
	if (rep_has_step(r->status)) {
		if (r->step > 0)
			buf_printf(b, "<dt>step</dt><dd>%d</dd>", r->step);
		else
			buf_puts(b, "<dt>step</dt><dd>the opening</dd>");
	}
	if (r->status == RES_XPASS)
		buf_puts(b, "<dt>baseline</dt><dd>passed although the baseline "
		    "expects a failure: update the baseline</dd>");
	ht_field(b, "reason", r->reason);
	ht_rule(b, r);
	ht_field(b, "expected", r->expected);
	ht_field(b, "actual", r->actual);
	for (size_t k = 0; k < r->n_warnings; k++)
		ht_field(b, "warning", r->warnings[k]);
	buf_puts(b, "</dl>\n");
	/* The whole transcript: tail 0 keeps every line. */
	rep_transcript_lines(&tl, &r->tr, 0);
	if (tl.n > 0) {
		buf_puts(b, "<pre class=\"tr\">");
		for (size_t k = 0; k < tl.n; k++) {
			/* The lines are printable already (rep_transcript_lines
			 * renders them); escaping makes them HTML. */
			rep_xml_escape(b, tl.line[k], strlen(tl.line[k]), REP_XML_HTML);
			buf_puts(b, "\n");
		}
		buf_puts(b, "</pre>\n");
	}
	rep_lines_free(&tl);
	buf_puts(b, "</details>\n");
}

int
rep_write_html(FILE *f, const struct rep_run *run, int color)
{
	(void)color; /* only the text report colours */
	struct rep_counts c;
	struct buf b;
	int rc = 0;

	buf_init(&b);
	rep_count(run, &c);
	buf_puts(&b, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" "
	    "lang=\"en\">\n<head><meta charset=\"us-ascii\"/>"
	    "<meta name=\"generator\" content=\"smtp-harness\"/>"
	    "<title>smtp-harness: ");
	ht_str(&b, run->target ? run->target : "?");
	buf_puts(&b, "</title>\n<style>");
	buf_puts(&b, ht_style);
	buf_puts(&b, "</style></head>\n<body>\n");
	ht_summary(&b, run, &c);
	ht_deviations(&b, run);
	ht_filters(&b, run);
	buf_puts(&b, "<div id=\"results\">\n");
	for (size_t i = 0; i < run->n; i++) {
		ht_result(&b, &run->results[i]);
		if (rep_flush(f, &b) != 0)
			rc = -1;
	}
	/* The script holds no '<' or '&', so it is valid as XML text and as
	 * an HTML script alike, without CDATA. */
	buf_puts(&b, "</div>\n<script>\n");
	buf_puts(&b, ht_script);
	buf_puts(&b, "</script>\n</body>\n</html>\n");
	if (rep_flush(f, &b) != 0)
		rc = -1;
	buf_free(&b);
	return rc;
}
