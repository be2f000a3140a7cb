/* report_html.c - one self-contained HTML page per run, written for a
 * reader who wants to know how the server conforms: first the verdict (new
 * deviations, known ones from the baseline, errors), a grid of the
 * scenarios by catalogue area (one coloured square each, a link to its
 * transcript below), the deviations by level (MUST, SHOULD) with the RFC's
 * words and their scenarios, then by RFC and by area; then filters by
 * status, level and tag, and every scenario with its verdict, rule,
 * warnings and whole transcript.  The page fetches nothing: its style and
 * its small script are inline, its only links point into the page, and it
 * reads with scripting off (every scenario shown).
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
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "margin:1.5em auto;max-width:78em;padding:0 1em;color:#222;line-height:1.4}"
    "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;"
    "border-bottom:1px solid #ddd;padding-bottom:.2em}h3{font-size:1.05em;margin:1em 0 .3em}"
    ".meta{color:#666;margin-top:0}"
    ".verdict{padding:.7em 1em;border-radius:4px;margin:1em 0;border-left:6px solid}"
    ".verdict p{margin:.2em 0}.verdict .head{font-size:1.25em;font-weight:bold}"
    ".v-new{background:#fdecec;border-color:#d43c3c}"
    ".v-known{background:#fdf3e1;border-color:#e8a33d}"
    ".v-ok{background:#e9f6ec;border-color:#3a9a4a}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "td,th{border:1px solid #ddd;padding:.25em .6em;vertical-align:top}"
    "th{background:#f4f4f4;text-align:left}"
    "table.sum td{text-align:right;min-width:3em}"
    "table.dev td.n,table.by td.n{text-align:right}"
    "table.dev q{font-style:italic;color:#333}"
    "table.dev td:first-child,table.dev td:nth-child(2){white-space:nowrap}"
    "table.grid td{border:none;border-bottom:1px solid #eee;padding:.3em .6em}"
    "table.grid td.area{white-space:nowrap}"
    "table.grid td.cnt{color:#555;font-size:.85em;white-space:nowrap}"
    "a.sq,span.sq{display:inline-block;width:14px;height:14px;margin:1px;border-radius:2px;"
    "vertical-align:middle}"
    ".sq.pass{background:#3a9a4a}.sq.fail{background:#d43c3c}"
    ".sq.xfail{background:#e8a33d}.sq.error{background:#8e44ad}"
    ".sq.xpass{background:#3b7dd8}.sq.skip{background:#d6d6d6}"
    ".legend{font-size:.85em;color:#444}.legend span.item{margin-right:1.2em}"
    ".tag{display:inline-block;font-size:.75em;padding:0 .4em;border-radius:3px;"
    "margin-left:.3em;font-weight:bold}"
    ".tag.new{background:#d43c3c;color:#fff}.tag.known{background:#e8a33d;color:#222}"
    ".tag.must{background:#333;color:#fff}.tag.should{background:#777;color:#fff}"
    "ul.scns{margin:.2em 0;padding-left:1.2em}"
    ".filters{margin:1em 0;padding:.5em;background:#f4f4f4}"
    ".filters label{margin-right:.8em}"
    "details.scn{border-left:4px solid #999;margin:.3em 0;padding:.2em .5em}"
    "details.scn summary{cursor:pointer}"
    ".st{display:inline-block;min-width:4em;font-weight:bold;font-family:monospace}"
    ".pass{border-color:#3a9a4a}.pass .st{color:#2a7a3a}"
    ".xfail{border-color:#e8a33d}.xfail .st{color:#b06d00}"
    ".fail{border-color:#d43c3c}.fail .st{color:#c22}"
    ".xpass{border-color:#3b7dd8}.xpass .st{color:#2a5db0}"
    ".error{border-color:#8e44ad}.error .st{color:#8e44ad}"
    ".skip{border-color:#ccc}.skip .st{color:#888}"
    ".lvl{font-size:.8em;color:#555;margin:0 .5em}"
    ".warn{color:#a60}"
    "pre{background:#fafafa;border:1px solid #ddd;padding:.4em;overflow-x:auto;"
    "font-size:.85em}"
    "dl.f dt{font-weight:bold;float:left;clear:left;width:7em}"
    "dl.f dd{margin-left:7.5em}";

/* The filter: hide every scenario whose status box is unticked or whose
 * level or tag does not match, then write what is shown into #shown.  The
 * counts it writes come from the rows themselves, so a test can compare
 * them with the summary the writer printed.  A link into the page (a
 * square of the grid, a scenario of a deviation) opens the scenario it
 * points to.  No '<' or '&': the page stays well-formed XML. */
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
    "function target(){\n"
    " var h=decodeURIComponent(location.hash.slice(1));if(h===''){return;}\n"
    " var e=document.getElementById(h);if(!e){return;}\n"
    " if(e.tagName==='DETAILS'){e.open=true;e.style.display='';}\n"
    " e.scrollIntoView();\n"
    "}\n"
    "document.querySelectorAll('.filters input,.filters select')"
    ".forEach(function(e){e.addEventListener('change',apply);});\n"
    "window.addEventListener('hashchange',target);\n"
    "apply();target();\n"
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

/* The anchor of a scenario in the page: "s-" and its id, made printable
 * (rep_clean, as the JSON report writes it), with every character outside
 * [A-Za-z0-9._-] made '_' (a fragment needs no escaping then;
 * harness/interop/matrix.py makes the same anchor from the JSON id). */
static void
ht_anchor(struct buf *b, const struct scn *s)
{
	struct buf tmp;

	buf_init(&tmp);
	rep_clean(&tmp, s && s->id ? s->id : "?");
	buf_puts(b, "s-");
	for (size_t i = 0; i < tmp.len; i++) {
		char c = tmp.data[i];
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		buf_append(b, ok ? &c : "_", 1);
	}
	buf_free(&tmp);
}

static const char *
ht_plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* What a reader takes in first: is there anything new, anything known,
 * and how many requirements at which level. */
static void
ht_verdict(struct buf *b, const struct rep_run *run, const struct rep_counts *c)
{
	size_t nd, req[2] = { 0, 0 }, scn[2] = { 0, 0 };
	struct rep_deviation *d = rep_deviations(run, &nd);

	for (size_t i = 0; i < nd; i++) {
		int k = d[i].level == SCN_SHOULD;
		req[k]++;
		scn[k] += d[i].count;
	}
	free(d);
	buf_printf(b, "<div class=\"verdict %s\" id=\"verdict\"><p class=\"head\">",
	    c->fail + c->error > 0 ? "v-new" : c->xfail > 0 ? "v-known" : "v-ok");
	if (c->fail + c->error > 0) {
		buf_printf(b, "Fails: %zu new %s", c->fail,
		    ht_plural(c->fail, "deviation", "deviations"));
		if (c->error > 0)
			buf_printf(b, ", %zu %s", c->error, ht_plural(c->error, "error", "errors"));
		if (c->xfail > 0)
			buf_printf(b, " (and %zu known)", c->xfail);
	} else if (c->xfail > 0) {
		buf_printf(b, "Passes with %zu known %s (baseline)", c->xfail,
		    ht_plural(c->xfail, "deviation", "deviations"));
	} else {
		buf_printf(b, "Conforms: no deviation in the %zu %s that ran",
		    c->pass + c->xpass, ht_plural(c->pass + c->xpass, "scenario", "scenarios"));
	}
	buf_puts(b, "</p>\n<p>");
	if (nd > 0) {
		for (int k = 0; k < 2; k++) {
			buf_printf(b, "%s<strong>%s</strong>: ", k ? "; " : "", k ? "SHOULD" : "MUST");
			if (req[k] == 0)
				buf_puts(b, "none");
			else
				buf_printf(b, "%zu %s broken in %zu %s", req[k],
				    ht_plural(req[k], "requirement", "requirements"), scn[k],
				    ht_plural(scn[k], "scenario", "scenarios"));
		}
		buf_puts(b, ".");
	} else {
		buf_puts(b, "No requirement broken.");
	}
	buf_printf(b, " %zu %s: %zu passed, %zu new %s, %zu known %s, %zu skipped, "
	    "%zu %s, %zu unexpected %s.</p>",
	    c->total, ht_plural(c->total, "scenario", "scenarios"), c->pass,
	    c->fail, ht_plural(c->fail, "deviation", "deviations"),
	    c->xfail, ht_plural(c->xfail, "deviation", "deviations"), c->skip,
	    c->error, ht_plural(c->error, "error", "errors"),
	    c->xpass, ht_plural(c->xpass, "pass", "passes"));
	if (c->xpass > 0)
		buf_puts(b, "<p>An unexpected pass is a baseline entry the server "
		    "no longer fails: take it out of the baseline.</p>");
	buf_puts(b, "</div>\n");
}

static void
ht_summary(struct buf *b, const struct rep_run *run, const struct rep_counts *c)
{
	static const char *const label[] = {
		"pass", "fail (new)", "skip", "error", "xfail (known)", "xpass",
	};

	buf_puts(b, "<h1>SMTP conformance of <code>");
	ht_str(b, run->target ? run->target : "?");
	buf_puts(b, "</code></h1>\n<p class=\"meta\">smtp-harness report, started ");
	ht_str(b, run->started_at ? run->started_at : "?");
	buf_puts(b, ", ");
	rep_secs(b, run->duration, 3);
	buf_puts(b, " s</p>\n");
	ht_verdict(b, run, c);
	buf_puts(b, "<table class=\"sum\"><tr><th>total</th>");
	for (size_t i = 0; i < sizeof(ht_statuses) / sizeof(ht_statuses[0]); i++)
		buf_printf(b, "<th>%s</th>", label[i]);
	buf_puts(b, "<th>warned</th></tr>\n<tr>");
	buf_printf(b, "<td id=\"count-total\">%zu</td>", c->total);
	for (size_t i = 0; i < sizeof(ht_statuses) / sizeof(ht_statuses[0]); i++)
		buf_printf(b, "<td id=\"count-%s\">%zu</td>",
		    rep_status_lower(ht_statuses[i]),
		    ht_count_of(c, ht_statuses[i]));
	buf_printf(b, "<td id=\"count-warned\">%zu</td></tr></table>\n",
	    c->warned);
}

/* Worst first, so each row of the grid reads as a bar: new deviations,
 * errors, known deviations, unexpected passes, passes, skips. */
static const enum res_status ht_severity[] = {
	RES_FAIL, RES_ERROR, RES_XFAIL, RES_XPASS, RES_PASS, RES_SKIP,
};

/* What each status means to a reader, indexed by enum res_status. */
static const char *const ht_meaning[] = {
	"pass", "new deviation (fail)", "skipped", "error",
	"known deviation (xfail, baseline)", "unexpected pass (xpass)",
};

/* One square of the grid: a link to the scenario's transcript below. */
static void
ht_square(struct buf *b, const struct res_result *r)
{
	const struct scn *s = r->scn;

	buf_printf(b, "<a class=\"sq %s\" href=\"#", rep_status_lower(r->status));
	ht_anchor(b, s);
	buf_printf(b, "\" title=\"%s ", res_status_name(r->status));
	ht_str(b, s ? s->id : "?");
	buf_puts(b, ": ");
	ht_str(b, s ? s->title : "");
	if (r->rule_id && (r->status == RES_FAIL || r->status == RES_XFAIL)) {
		buf_puts(b, " (");
		ht_str(b, r->rule_id);
		buf_puts(b, ")");
	}
	buf_puts(b, "\"></a>");
}

/* The results of one area (NULL: those of none), in run order. */
static size_t
ht_area_row(struct buf *b, const struct rep_run *run, const struct cat_area *a)
{
	size_t by[6] = { 0 }, n = 0;

	for (size_t i = 0; i < run->n; i++)
		if (rep_result_area(&run->results[i]) == a) {
			by[run->results[i].status]++;
			n++;
		}
	if (n == 0)
		return 0;
	buf_printf(b, "<tr id=\"area-%s\"><td class=\"area\">", a ? a->prefix : "none");
	if (a != NULL) {
		buf_printf(b, "%d. ", a->number);
		ht_str(b, a->title);
	} else {
		buf_puts(b, "(no catalogue area)");
	}
	buf_puts(b, "</td><td class=\"cnt\">");
	int first = 1;
	for (size_t k = 0; k < sizeof(ht_statuses) / sizeof(ht_statuses[0]); k++) {
		enum res_status st = ht_statuses[k];
		if (by[st] == 0)
			continue;
		buf_printf(b, "%s%zu %s", first ? "" : ", ", by[st],
		    st == RES_FAIL ? "new" : st == RES_XFAIL ? "known" : rep_status_lower(st));
		first = 0;
	}
	buf_puts(b, "</td><td class=\"sqs\">");
	for (size_t k = 0; k < sizeof(ht_severity) / sizeof(ht_severity[0]); k++)
		for (size_t i = 0; i < run->n; i++)
			if (run->results[i].status == ht_severity[k] &&
			    rep_result_area(&run->results[i]) == a)
				ht_square(b, &run->results[i]);
	buf_puts(b, "</td></tr>\n");
	return n;
}

/* At a glance: one row per catalogue area, one square per scenario. */
static void
ht_grid(struct buf *b, const struct rep_run *run)
{
	size_t na;
	const struct cat_area *a = cat_areas(&na);

	if (run->n == 0)
		return;
	buf_puts(b, "<h2>At a glance: the scenarios by catalogue area</h2>\n"
	    "<p class=\"legend\">");
	for (size_t k = 0; k < sizeof(ht_severity) / sizeof(ht_severity[0]); k++)
		buf_printf(b, "<span class=\"item\"><span class=\"sq %s\"></span> %s</span>",
		    rep_status_lower(ht_severity[k]), ht_meaning[ht_severity[k]]);
	buf_puts(b, "<br/>Each square is one scenario, the worst first; it links to "
	    "its transcript below.</p>\n"
	    "<table class=\"grid\" id=\"grid\">\n");
	for (size_t i = 0; i < na; i++)
		ht_area_row(b, run, &a[i]);
	ht_area_row(b, run, NULL);
	buf_puts(b, "</table>\n");
}

/* The scenarios that broke deviation d, each a link with new or known. */
static void
ht_dev_scenarios(struct buf *b, const struct rep_run *run, const char *id)
{
	buf_puts(b, "<ul class=\"scns\">");
	for (size_t i = 0; i < run->n; i++) {
		const struct res_result *r = &run->results[i];
		if ((r->status != RES_FAIL && r->status != RES_XFAIL) || !r->rule_id ||
		    strcmp(r->rule_id, id) != 0)
			continue;
		buf_puts(b, "<li><a href=\"#");
		ht_anchor(b, r->scn);
		buf_puts(b, "\"><code>");
		ht_str(b, r->scn ? r->scn->id : "?");
		buf_printf(b, "</code></a><span class=\"tag %s\">%s</span> ",
		    r->status == RES_FAIL ? "new" : "known",
		    r->status == RES_FAIL ? "new" : "known");
		ht_str(b, r->scn ? r->scn->title : "");
		buf_puts(b, "</li>");
	}
	buf_puts(b, "</ul>");
}

/* The key deviation d is counted under: its RFC ("RFC 5321", into buf)
 * or its area's prefix ("" for none). */
static const char *
ht_dev_key(const struct rep_deviation *d, int by_area, char *buf, size_t size)
{
	if (by_area)
		return d->area ? d->area->prefix : "";
	return rep_ref_rfc(d->ref, buf, size);
}

/* The order of the rows: areas as the catalogue numbers them (none last),
 * RFCs by number. */
static long
ht_dev_rank(const struct rep_deviation *d, int by_area)
{
	if (by_area)
		return d->area ? d->area->number : 1000;
	const char *p = d->ref ? strchr(d->ref, ' ') : NULL;
	return p ? strtol(p + 1, NULL, 10) : 100000;
}

/* One table: a row per RFC (by_area 0) or per catalogue area (1), with the
 * scenarios that deviate at each level, new and known, and the ids. */
static void
ht_dev_by(struct buf *b, const struct rep_deviation *d, size_t nd, int by_area)
{
	size_t *first = xcalloc(nd, sizeof(*first)), nk = 0;
	char ki[64], kj[64];

	/* The first deviation of each key, ordered by rank. */
	for (size_t i = 0; i < nd; i++) {
		size_t j = 0;
		while (j < i && strcmp(ht_dev_key(&d[j], by_area, kj, sizeof(kj)),
		    ht_dev_key(&d[i], by_area, ki, sizeof(ki))) != 0)
			j++;
		if (j < i)
			continue;
		size_t at = nk++;
		while (at > 0 && ht_dev_rank(&d[first[at - 1]], by_area) > ht_dev_rank(&d[i], by_area)) {
			first[at] = first[at - 1];
			at--;
		}
		first[at] = i;
	}
	buf_printf(b, "<h3>Deviations by %s</h3>\n<table class=\"by\" id=\"by-%s\">"
	    "<tr><th>%s</th><th>MUST</th><th>SHOULD</th><th>new</th><th>known</th>"
	    "<th>requirements</th></tr>\n", by_area ? "catalogue area" : "RFC",
	    by_area ? "area" : "rfc", by_area ? "area" : "RFC");
	for (size_t k = 0; k < nk; k++) {
		const struct rep_deviation *f = &d[first[k]];
		const char *key = ht_dev_key(f, by_area, ki, sizeof(ki));
		size_t lv[2] = { 0, 0 }, nf = 0, nx = 0;
		struct buf ids;

		buf_puts(b, "<tr><td>");
		if (by_area && f->area) {
			buf_printf(b, "<a href=\"#area-%s\">%d. ", f->area->prefix, f->area->number);
			ht_str(b, f->area->title);
			buf_puts(b, "</a>");
		} else {
			ht_str(b, *key ? key : "(none)");
		}
		buf_puts(b, "</td>");
		buf_init(&ids);
		for (size_t j = 0; j < nd; j++) {
			if (strcmp(ht_dev_key(&d[j], by_area, kj, sizeof(kj)), key) != 0)
				continue;
			lv[d[j].level == SCN_SHOULD] += d[j].count;
			nf += d[j].fail;
			nx += d[j].xfail;
			buf_puts(&ids, ids.len ? ", " : "");
			ht_str(&ids, d[j].id);
		}
		buf_printf(b, "<td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
		    "<td class=\"n\">%zu</td><td class=\"n\">%zu</td><td>",
		    lv[0], lv[1], nf, nx);
		buf_append(b, ids.data ? ids.data : "", ids.len);
		buf_puts(b, "</td></tr>\n");
		buf_free(&ids);
	}
	buf_puts(b, "</table>\n");
	free(first);
}

/* Deviations per requirement, MUST first then SHOULD: one row per catalogue
 * id the FAIL and XFAIL results broke, with its section, how many
 * scenarios broke it (new and known), the quote and those scenarios.  Then
 * the same counted by RFC and by catalogue area. */
static void
ht_deviations(struct buf *b, const struct rep_run *run)
{
	size_t nd;
	struct rep_deviation *d = rep_deviations(run, &nd);
	static const enum scn_level levels[] = { SCN_MUST, SCN_SHOULD };

	if (nd == 0)
		return;
	buf_puts(b, "<h2>Deviations by requirement</h2>\n<p>Each row is one "
	    "requirement the server broke, in the RFC's words, with the scenarios "
	    "that show it. <span class=\"tag new\">new</span> failures are not in "
	    "the baseline and fail the run; <span class=\"tag known\">known</span> "
	    "ones are (expected failures), and are deviations all the same.</p>\n");
	for (size_t l = 0; l < 2; l++) {
		size_t nreq = 0, nscn = 0;
		for (size_t i = 0; i < nd; i++)
			if (d[i].level == levels[l]) {
				nreq++;
				nscn += d[i].count;
			}
		if (nreq == 0)
			continue;
		buf_printf(b, "<h3 id=\"level-%s\"><span class=\"tag %s\">%s</span> "
		    "%zu %s, %zu %s</h3>\n<table class=\"dev\"><tr><th>rule</th>"
		    "<th>section</th><th>scenarios</th><th>new</th><th>known</th>"
		    "<th>requirement</th><th>area</th></tr>\n",
		    rep_level_name(levels[l]), rep_level_name(levels[l]),
		    levels[l] == SCN_MUST ? "MUST" : "SHOULD", nreq,
		    ht_plural(nreq, "requirement", "requirements"), nscn,
		    ht_plural(nscn, "scenario", "scenarios"));
		for (size_t i = 0; i < nd; i++) {
			if (d[i].level != levels[l])
				continue;
			buf_printf(b, "<tr class=\"dev %s\" data-rule=\"", rep_level_name(levels[l]));
			ht_str(b, d[i].id);
			buf_puts(b, "\"><td><code>");
			ht_str(b, d[i].id);
			buf_puts(b, "</code></td><td>");
			ht_str(b, d[i].ref ? d[i].ref : "");
			buf_printf(b, "</td><td class=\"n\" id=\"dev-%zu\">%zu</td>"
			    "<td class=\"n\">%zu</td><td class=\"n\">%zu</td><td><q>",
			    i, d[i].count, d[i].fail, d[i].xfail);
			ht_str(b, d[i].quote ? d[i].quote : "");
			buf_puts(b, "</q>");
			ht_dev_scenarios(b, run, d[i].id);
			buf_puts(b, "</td><td>");
			if (d[i].area) {
				buf_printf(b, "<a href=\"#area-%s\">%d. ", d[i].area->prefix,
				    d[i].area->number);
				ht_str(b, d[i].area->title);
				buf_puts(b, "</a>");
			}
			buf_puts(b, "</td></tr>\n");
		}
		buf_puts(b, "</table>\n");
	}

	/* By RFC and by area: scenarios per level, new and known. */
	ht_dev_by(b, d, nd, 0);
	ht_dev_by(b, d, nd, 1);
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

	buf_printf(b, "<details class=\"scn %s\" id=\"", st);
	ht_anchor(b, s);
	buf_printf(b, "\" data-status=\"%s\" data-level=\"%s\" data-tags=\"", st,
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
	if (r->status == RES_FAIL || r->status == RES_XFAIL)
		buf_printf(b, "<span class=\"tag %s\">%s deviation</span>",
		    r->status == RES_FAIL ? "new" : "known",
		    r->status == RES_FAIL ? "new" : "known");
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
	    "<title>SMTP conformance: ");
	ht_str(&b, run->target ? run->target : "?");
	buf_puts(&b, "</title>\n<style>");
	buf_puts(&b, ht_style);
	buf_puts(&b, "</style></head>\n<body>\n");
	ht_summary(&b, run, &c);
	ht_grid(&b, run);
	ht_deviations(&b, run);
	buf_puts(&b, "<h2>Scenarios</h2>\n");
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
