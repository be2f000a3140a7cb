/*
 * test_report_html.c - the HTML report (src/report_html.c).  A run with a
 * result of every status, hostile bytes from the server (NUL, 0xFF, ESC,
 * "</pre><script>", quotes, "]]>", invalid UTF-8) and in the scenario's own
 * strings is written to memory, then checked: every byte printable ASCII or
 * a line feed; no server byte opens a tag; python3's xml parser reads the
 * page as well-formed XML and its html.parser finds the summary counts, one
 * <details> per scenario with its status, level and tags, and exactly the
 * one <script> the writer put there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "testutil.h"
#include "util.h"

static char *refs0[] = { "RFC 5321 4.2", "CM-01" };
static char *refs1[] = { "RFC 5321 4.1.1.4\" onmouseover=\"x" };
static char *tags0[] = { "core" };
static char *tags1[] = { "data", "smuggling" };
static char *tags_bad[] = { "<b>tag</b>", "two words" };

#define EVIL "</pre><script>alert(1)</script>\x1b[31m\xff\xfe\0]]>\"'&amp;"

static struct scn scns[] = {
	{ .file = "scenarios/a.yaml", .id = "a.pass", .title = "Passes",
	  .level = SCN_MUST, .refs = refs0, .n_refs = 2, .tags = tags0, .n_tags = 1 },
	{ .file = "scenarios/b.yaml", .id = "b.fail", .title = "Fails <with> & \"bytes\"",
	  .level = SCN_SHOULD, .refs = refs1, .n_refs = 1, .tags = tags1, .n_tags = 2 },
	{ .file = "scenarios/c.yaml", .id = "c.skip", .title = "Skipped",
	  .level = SCN_MAY, .tags = tags_bad, .n_tags = 2 },
	{ .file = "scenarios/d.yaml", .id = "d.error", .title = "Errors", .level = SCN_MUST },
	{ .file = "scenarios/e.yaml", .id = "e.xfail", .title = "Expected", .level = SCN_MUST,
	  .tags = tags1, .n_tags = 2 },
	{ .file = "scenarios/f.yaml", .id = "f.xpass", .title = "Unexpected", .level = SCN_SHOULD },
	{ .file = "scenarios/g.yaml", .id = "g.warn<script>", .title = "Warned " EVIL,
	  .level = SCN_MAY, .tags = tags0, .n_tags = 1 },
};
#define NRES (sizeof(scns) / sizeof(scns[0]))

static struct res_result results[NRES];
static struct rep_run run;
static const char evil[] = EVIL;

static int
init_run(void)
{
	memset(results, 0, sizeof(results));
	for (size_t i = 0; i < NRES; i++) {
		results[i].scn = &scns[i];
		results[i].duration = 0.01 * (double)i;
		res_transcript_add(&results[i].tr, 0, '*', "connected", 9);
		res_transcript_add(&results[i].tr, 0.001, 'S', evil, sizeof(evil) - 1);
		res_transcript_add(&results[i].tr, 0.002, 'C', "EHLO x\r\n", 8);
	}
	results[0].status = RES_PASS;
	results[1].status = RES_FAIL;
	results[1].step = 3;
	results[1].step_line = 12;
	results[1].reason = xstrdup("expected 250, got " EVIL);
	results[1].expected = xstrdup("250");
	results[1].actual = xstrdup("</dd><img src=x>\\r\\n");
	results[1].rule_id = "TX-05";
	results[1].rule_ref = "RFC 5321 3.3";
	results[1].rule_quote = "the server <b>MUST</b> & more";
	results[2].status = RES_SKIP;
	results[2].reason = xstrdup("requires STARTTLS");
	results[3].status = RES_ERROR;
	results[3].reason = xstrdup("harness <error>");
	results[4].status = RES_XFAIL;
	results[4].step = 2;
	results[4].reason = xstrdup("baselined");
	results[4].rule_id = "TX-05";
	results[4].rule_ref = "RFC 5321 3.3";
	results[4].rule_quote = "the server <b>MUST</b> & more";
	results[5].status = RES_XPASS;
	results[6].status = RES_PASS;
	res_warn(&results[6], "prefer 221, got %s", "250 <b>");
	res_warn(&results[6], "second warning \x01");
	run.target = "smtp://127.0.0.1:25/<x>";
	run.started_at = "2026-01-01T00:00:00Z";
	run.duration = 1.25;
	run.results = results;
	run.n = NRES;
	return 0;
}

static int
free_run(void)
{
	for (size_t i = 0; i < NRES; i++)
		res_result_free(&results[i]);
	return 0;
}

static char *
write_html(size_t *len)
{
	char *p = NULL;
	FILE *f = open_memstream(&p, len);

	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(rep_write(f, REP_HTML, &run, 0), 0);
	fclose(f);
	return p;
}

static void
test_format_name(void)
{
	enum rep_format f = REP_TEXT;

	CU_ASSERT_EQUAL(rep_format_parse("html", &f), 0);
	CU_ASSERT_EQUAL(f, REP_HTML);
	CU_ASSERT_STRING_EQUAL(rep_format_name(REP_HTML), "html");
}

static void
test_bytes(void)
{
	size_t len;
	char *doc = write_html(&len);

	CU_ASSERT_FATAL(doc != NULL);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)doc[i];

		CU_ASSERT_FATAL(c == '\n' || (c >= 0x20 && c <= 0x7e));
	}
	/* No server or author byte became markup. */
	CU_ASSERT_PTR_NULL(strstr(doc, "<img"));
	CU_ASSERT_PTR_NULL(strstr(doc, "<b>"));
	CU_ASSERT_PTR_NULL(strstr(doc, "alert(1)</script>"));
	CU_ASSERT_PTR_NULL(strstr(doc, "onmouseover=\"x"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "&lt;/pre&gt;&lt;script&gt;alert(1)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "\\x1b[31m\\xff\\xfe\\x00]]&gt;&quot;&#39;&amp;amp;"));
	/* Fetches nothing: no src or href attribute anywhere. */
	CU_ASSERT_PTR_NULL(strstr(doc, " src=\""));
	/* Links only into the page. */
	for (const char *h = strstr(doc, "href=\""); h; h = strstr(h + 1, "href=\""))
		CU_ASSERT(h[6] == '#');
	CU_ASSERT_PTR_NULL(strstr(doc, "<link"));
	CU_ASSERT_PTR_NULL(strstr(doc, "url("));
	free(doc);
}

/* Reads the page with python3's xml (well-formedness) and html.parser
 * (structure); prints what it found, one fact a line. */
static const char check_py[] =
    "import sys, xml.dom.minidom\n"
    "from html.parser import HTMLParser\n"
    "d = open(sys.argv[1], encoding='ascii').read()\n"
    "xml.dom.minidom.parseString(d.replace('<!DOCTYPE html>', '', 1))\n"
    "class P(HTMLParser):\n"
    "    def __init__(s):\n"
    "        super().__init__(convert_charrefs=True); s.ids = {}; s.cur = None\n"
    "        s.rows = []; s.scripts = 0; s.text = []; s.anchors = []; s.squares = []; s.areas = []\n"
    "    def handle_starttag(s, t, a):\n"
    "        a = dict(a)\n"
    "        if t == 'script': s.scripts += 1\n"
    "        if t == 'details': s.rows.append((a.get('data-status'), a.get('data-level'), a.get('data-tags'))); s.anchors.append(a.get('id'))\n"
    "        if t == 'a' and 'sq' in (a.get('class') or '').split(): s.squares.append((a['class'].split()[1], a['href']))\n"
    "        if t == 'tr' and (a.get('id') or '').startswith('area-'): s.areas.append(a['id'])\n"
    "        s.cur = a.get('id')\n"
    "    def handle_data(s, x):\n"
    "        s.text.append(x)\n"
    "        if s.cur and s.cur.startswith('count-'): s.ids[s.cur] = s.ids.get(s.cur, '') + x\n"
    "    def handle_endtag(s, t): s.cur = None\n"
    "p = P(); p.feed(d)\n"
    "for k in sorted(p.ids): print(k, p.ids[k])\n"
    "for r in p.rows: print('row', r[0], r[1], repr(r[2]))\n"
    "print('scripts', p.scripts)\n"
    "st = dict(zip(p.anchors, [r[0] for r in p.rows]))\n"
    "print('squares', len(p.squares), all(st.get(h[1:]) == c for c, h in p.squares))\n"
    "print('areas', ' '.join(p.areas))\n"
    "t = ''.join(p.text)\n"
    "print('evil-text', '</pre><script>alert(1)</script>' in t)\n";

static void
test_parse(void)
{
	size_t len;
	char *doc = write_html(&len);
	char hp[] = "/tmp/test_html.XXXXXX", pp[] = "/tmp/test_html_py.XXXXXX";
	int fd = mkstemp(hp), fp = mkstemp(pp);
	struct buf out;
	char chunk[4096], *cmd;
	size_t n;
	FILE *p;
	int status;

	CU_ASSERT_FATAL(fd >= 0 && fp >= 0);
	CU_ASSERT_FATAL(write(fd, doc, len) == (ssize_t)len);
	CU_ASSERT_FATAL(write(fp, check_py, sizeof(check_py) - 1) ==
	    (ssize_t)(sizeof(check_py) - 1));
	close(fd);
	close(fp);
	cmd = xasprintf("python3 %s %s 2>&1", pp, hp);
	buf_init(&out);
	p = popen(cmd, "r");
	CU_ASSERT_FATAL(p != NULL);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_append(&out, chunk, n);
	status = pclose(p);
	buf_append(&out, "", 0);
	CU_ASSERT_EQUAL(status, 0);
	static const char want[] =
	    "count-error 1\ncount-fail 1\ncount-pass 2\ncount-skip 1\n"
	    "count-total 7\ncount-warned 1\ncount-xfail 1\ncount-xpass 1\n"
	    "row pass must 'core'\n"
	    "row fail should 'data smuggling'\n"
	    "row skip may '<b>tag</b> two_words'\n"
	    "row error must ''\n"
	    "row xfail must 'data smuggling'\n"
	    "row xpass should ''\n"
	    "row pass may 'core'\n"
	    "scripts 1\n"
	    /* One square per scenario, each linking to its own <details>, in
	     * the row of its area: a.pass cites CM-01 (area 5); the others
	     * have no rules and no catalogue id in refs (the rule a FAIL broke
	     * does not move its scenario). */
	    "squares 7 True\n"
	    "areas area-CM area-none\n"
	    /* The text a reader sees holds the hostile bytes as text. */
	    "evil-text True\n";
	CU_ASSERT_STRING_EQUAL(out.data, want);
	if (strcmp(out.data, want) != 0)
		fprintf(stderr, "\n--- want\n%s--- got\n%s---\n", want, out.data);
	unlink(hp);
	unlink(pp);
	free(cmd);
	buf_free(&out);
	free(doc);
}

/* A FAIL names its rule with the quote; the summary counts deviations per
 * id (the FAIL and the XFAIL broke the same one: one row, 2). */
static void
test_rules(void)
{
	size_t len;
	char *doc = write_html(&len);

	CU_ASSERT_FATAL(doc != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<dt>rule</dt><dd><code>TX-05</code> RFC 5321 3.3: "
	    "<q>the server &lt;b&gt;MUST&lt;/b&gt; &amp; more</q></dd>"));
	/* One MUST row: 2 scenarios, 1 new and 1 known, each linked. */
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<h3 id=\"level-must\"><span class=\"tag must\">MUST"
	    "</span> 1 requirement, 2 scenarios</h3>"));
	CU_ASSERT_PTR_NULL(strstr(doc, "level-should"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<td><code>TX-05</code></td><td>RFC 5321 3.3</td>"
	    "<td class=\"n\" id=\"dev-0\">2</td><td class=\"n\">1</td><td class=\"n\">1</td>"));
	CU_ASSERT_PTR_NULL(strstr(doc, "dev-1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<li><a href=\"#s-b.fail\"><code>b.fail</code></a>"
	    "<span class=\"tag new\">new</span>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<li><a href=\"#s-e.xfail\"><code>e.xfail</code></a>"
	    "<span class=\"tag known\">known</span>"));
	/* The verdict leads, and the known deviation is not hidden. */
	const char *v = strstr(doc, "<div class=\"verdict v-new\" id=\"verdict\"><p class=\"head\">"
	    "Fails: 1 new deviation, 1 error (and 1 known)</p>");
	CU_ASSERT_PTR_NOT_NULL(v);
	CU_ASSERT(v && v < strstr(doc, "id=\"grid\"") && strstr(doc, "id=\"grid\"") <
	    strstr(doc, "Deviations by requirement"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<strong>MUST</strong>: 1 requirement broken in 2 scenarios"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "id=\"by-rfc\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<tr><td>RFC 5321</td><td class=\"n\">2</td>"
	    "<td class=\"n\">0</td><td class=\"n\">1</td><td class=\"n\">1</td><td>TX-05</td></tr>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<span class=\"tag known\">known deviation</span>"));
	free(doc);
}

static void
test_empty_run(void)
{
	struct rep_run empty = { .target = NULL, .started_at = NULL };
	char *p = NULL;
	size_t len;
	FILE *f = open_memstream(&p, &len);

	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(rep_write_html(f, &empty, 0), 0);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "<td id=\"count-total\">0</td>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "</html>\n"));
	free(p);
}

static void
test_write_error(void)
{
	FILE *f = fopen("/dev/full", "w");

	if (f == NULL)
		return;
	CU_ASSERT_EQUAL(rep_write(f, REP_HTML, &run, 0), -1);
	fclose(f);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("report_html", init_run, free_run);
	CU_add_test(s, "format name", test_format_name);
	CU_add_test(s, "every byte printable, nothing becomes markup", test_bytes);
	CU_add_test(s, "xml and html parse", test_parse);
	CU_add_test(s, "rules and deviations", test_rules);
	CU_add_test(s, "empty run", test_empty_run);
	CU_add_test(s, "write error", test_write_error);
	return tu_run();
}
