/*
 * test_report.c - the result model (transcript, rendering) and the four
 * report writers.  One run holds a result of every status, with hostile
 * server bytes (NUL, 0xFF, ESC sequences, invalid UTF-8, "]]>", quotes,
 * backslashes, a 1 MB burst); every format is written to memory and checked:
 * JSON and JUnit by python3's strict parsers (a declared dependency in
 * harness/install-deps.sh), TAP and text line by line, and every output byte
 * by byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "result.h"
#include "testutil.h"
#include "util.h"

/* ---- helpers ---- */

static const char *
rendered(const void *data, size_t len)
{
	static struct buf b;

	buf_reset(&b);
	res_render(&b, data, len);
	if (b.data == NULL)
		buf_append(&b, "", 0);
	return b.data;
}

/* The inverse of res_render(); -1 on anything it cannot have produced. */
static int
unrender(const char *s, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		unsigned v;

		if (c != '\\') {
			if ((unsigned char)c < 0x20 || (unsigned char)c > 0x7e)
				return -1;
			buf_append(out, &c, 1);
			continue;
		}
		if (++i >= len)
			return -1;
		switch (s[i]) {
		case 'r':
			buf_append(out, "\r", 1);
			break;
		case 'n':
			buf_append(out, "\n", 1);
			break;
		case 't':
			buf_append(out, "\t", 1);
			break;
		case '\\':
			buf_append(out, "\\", 1);
			break;
		case 'x':
			if (i + 2 >= len || sscanf(s + i + 1, "%2x", &v) != 1)
				return -1;
			c = (char)v;
			buf_append(out, &c, 1);
			i += 2;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/* Write one format to memory; the writer must succeed. */
static char *
report(enum rep_format fmt, const struct rep_run *run, int color, size_t *len)
{
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);

	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(rep_write(f, fmt, run, color), 0);
	fclose(f);
	if (len)
		*len = n;
	return p;
}

static char *
progress(const struct res_result *r, size_t done, size_t total, int color)
{
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);

	CU_ASSERT_FATAL(f != NULL);
	rep_progress(f, r, done, total, color);
	fclose(f);
	return p;
}

/* Every byte printable ASCII or a line feed: nothing can reach a terminal
 * or a parser as a control character or as invalid UTF-8. */
static int
all_printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c != '\n' && (c < 0x20 || c > 0x7e))
			return 0;
	}
	return 1;
}

static char *
temp_file(const void *data, size_t len)
{
	char *path = xstrdup("/tmp/test_report.XXXXXX");
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, data, len) == (ssize_t)len);
	close(fd);
	return path;
}

/* Run a python3 script over a report; returns its stdout+stderr, *status
 * gets pclose()'s status. */
static char *
python(const char *script, const char *data, size_t len, int *status)
{
	char *sp = temp_file(script, strlen(script));
	char *dp = temp_file(data, len);
	char *cmd = xasprintf("python3 %s %s 2>&1", sp, dp);
	struct buf out;
	char chunk[4096];
	size_t n;
	FILE *p;

	buf_init(&out);
	buf_append(&out, "", 0);
	p = popen(cmd, "r");
	CU_ASSERT_FATAL(p != NULL);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_append(&out, chunk, n);
	*status = pclose(p);
	unlink(sp);
	unlink(dp);
	free(sp);
	free(dp);
	free(cmd);
	return buf_steal(&out, NULL);
}

static void
assert_str(const char *got, const char *want)
{
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n--- want\n%s--- got\n%s---\n", want, got);
}

/* ---- the run: one result of every status ---- */

static char *refs0[] = { "RFC 5321 4.2", "CM-01" };
static char *refs1[] = { "RFC 5321 4.2.1" };
static char *refs2[] = { "RFC 3207 4" };
static char *refs3[] = { "TM-09" };
static char *refs4[] = { "RFC 5321 4.1.1.4", "DA-02" };
static char *refs5[] = { "RFC 5321 4.1.1.10" };
static char *refs6[] = { "TM-11" };
static char *refs7[] = { "RFC 5321 2.3.8" };
static char *tags_core[] = { "core" };
static char *tags_hostile[] = { "core", "robustness" };
static char *tags_tls[] = { "tls" };
static char *tags_data[] = { "data" };
static char *tags_flood[] = { "flood", "slow" };

#define HOSTILE_TITLE "Title with \x1b[2J # ]]> \"q\" 'a' & <b> \\ \xff"

static struct scn scns[] = {
	{ .file = "scenarios/core/greeting.yaml", .id = "core.greeting",
	  .title = "The server greets with 220", .level = SCN_MUST,
	  .refs = refs0, .n_refs = 2, .tags = tags_core, .n_tags = 1 },
	{ .file = "scenarios/core/hostile.yaml", .id = "core.hostile",
	  .title = "Server sends hostile bytes", .level = SCN_MUST,
	  .refs = refs1, .n_refs = 1, .tags = tags_hostile, .n_tags = 2 },
	{ .file = "scenarios/ext/starttls.yaml", .id = "ext.starttls",
	  .title = "STARTTLS upgrades", .level = SCN_SHOULD,
	  .refs = refs2, .n_refs = 1, .tags = tags_tls, .n_tags = 1 },
	{ .file = "scenarios/net/reset.yaml", .id = "net.reset",
	  .title = "Connection reset mid-session", .level = SCN_MUST,
	  .refs = refs3, .n_refs = 1 },
	{ .file = "scenarios/data/bare-lf.yaml", .id = "data.bare-lf",
	  .title = "Bare LF does not end data", .level = SCN_SHOULD,
	  .refs = refs4, .n_refs = 2, .tags = tags_data, .n_tags = 1 },
	{ .file = "scenarios/quit.yaml", .id = "quit.221",
	  .title = "QUIT gets 221", .level = SCN_MUST,
	  .refs = refs5, .n_refs = 1, .tags = tags_core, .n_tags = 1 },
	{ .file = "scenarios/flood/burst.yaml", .id = "flood.burst",
	  .title = "A 1 MB burst without line end", .level = SCN_MAY,
	  .refs = refs6, .n_refs = 1, .tags = tags_flood, .n_tags = 2 },
	{ .file = "top.yaml", .id = "weird.title", .title = HOSTILE_TITLE,
	  .level = SCN_MAY, .refs = refs7, .n_refs = 1 },
};
#define NRES (sizeof(scns) / sizeof(scns[0]))

/* Server bytes nobody should trust: NUL, 0xFF, an ESC colour sequence,
 * "]]>", quotes, backslash, invalid UTF-8 (a broken 2-byte sequence, an
 * encoded surrogate), a bare-LF line and a fragment. */
static const char hostile[] =
    "250-\0\xff\xfe\r\n"
    "250-\x1b[31mred\x1b[0m\r\n"
    "250-]]> \"q\" \\ \xc3\x28 \xed\xa0\x80\r\n"
    "250 bare\n"
    "25";
#define HOSTILE_LEN (sizeof(hostile) - 1)

#define BURST_LEN (1024 * 1024)
#define NOTE "[transcript truncated]"

static struct res_result results[NRES];
static struct rep_run run;

static void
add(struct res_result *r, double t, char dir, const char *s)
{
	res_transcript_add(&r->tr, t, dir, s, strlen(s));
}

static int
init_run(void)
{
	struct res_result *r = results;
	char *burst;

	memset(results, 0, sizeof(results));
	for (size_t i = 0; i < NRES; i++)
		results[i].scn = &scns[i];

	r[0].status = RES_PASS;
	r[0].duration = 0.012;
	add(&r[0], 0, '*', "connected to 127.0.0.1:2525");
	add(&r[0], 0.001, 'S', "220 mail.example ESMTP\r\n");

	r[1].status = RES_FAIL;
	r[1].duration = 0.25;
	r[1].step = 3;
	r[1].step_line = 14;
	r[1].reason = xstrdup("expected 250, got \x1b[2Jbad");
	r[1].expected = xstrdup("250");
	r[1].actual = xstrdup("25\\r\\n");
	r[1].rule_id = "RF-03";
	r[1].rule_ref = "RFC 5321 4.2.1";
	r[1].rule_quote = "In a multiline reply, the reply code on each of the lines MUST be the same.";
	add(&r[1], 0, '*', "connected to 127.0.0.1:2525");
	add(&r[1], 0.001, 'S', "220 mail.example ESMTP\r\n");
	add(&r[1], 0.002, 'C', "EHLO client.example\r\n");
	res_transcript_add(&r[1].tr, 0.003, 'S', hostile, HOSTILE_LEN);
	add(&r[1], 0.004, '*', "timeout after 5s");

	r[2].status = RES_SKIP;
	r[2].duration = 0.003;
	r[2].reason = xstrdup("requires STARTTLS");
	add(&r[2], 0, '*', "connected");
	add(&r[2], 0.001, 'S', "250-mail\r\n250 SIZE 1000\r\n");

	r[3].status = RES_ERROR;
	r[3].duration = 0.001;
	r[3].reason = xstrdup("connection reset by peer");
	add(&r[3], 0, '*', "connection reset");

	r[4].status = RES_XFAIL;
	r[4].duration = 0.1;
	r[4].step = 2;
	r[4].step_line = 9;
	r[4].reason = xstrdup("bare LF accepted as end of data");
	r[4].expected = xstrdup("5xx");
	r[4].actual = xstrdup("250");

	r[5].status = RES_XPASS;
	r[5].duration = 0.004;
	add(&r[5], 0.001, 'C', "QUIT\r\n");
	add(&r[5], 0.002, 'S', "221 bye\r\n");

	r[6].status = RES_FAIL;
	r[6].duration = 2.0;
	r[6].step = 1;
	r[6].step_line = 5;
	r[6].reason = xstrdup("reply line too long");
	r[6].expected = xstrdup("a reply line of at most 512 bytes");
	r[6].actual = xstrdup("(1048576 bytes without CRLF)");
	burst = xmalloc(BURST_LEN);
	for (size_t i = 0; i < BURST_LEN; i++)
		burst[i] = (char)(i % 256);
	add(&r[6], 0, '*', "connected");
	res_transcript_add(&r[6].tr, 0.5, 'S', burst, BURST_LEN);
	add(&r[6], 0.6, 'S', "250 late\r\n");
	add(&r[6], 0.7, '*', "closed");
	free(burst);

	r[7].status = RES_PASS;

	run.target = "builtin";
	run.started_at = "2024-05-01T10:00:00Z";
	run.duration = 1.5;
	run.results = results;
	run.n = NRES;
	run.verbose = 0;
	return 0;
}

static int
free_run(void)
{
	for (size_t i = 0; i < NRES; i++)
		res_result_free(&results[i]);
	return 0;
}

/* ---- result.c ---- */

static void
test_status_names(void)
{
	static const struct {
		enum res_status s;
		const char *name, *lower;
	} tab[] = {
		{ RES_PASS, "PASS", "pass" },
		{ RES_FAIL, "FAIL", "fail" },
		{ RES_SKIP, "SKIP", "skip" },
		{ RES_ERROR, "ERROR", "error" },
		{ RES_XFAIL, "XFAIL", "xfail" },
		{ RES_XPASS, "XPASS", "xpass" },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		CU_ASSERT_STRING_EQUAL(res_status_name(tab[i].s), tab[i].name);
		CU_ASSERT_STRING_EQUAL(rep_status_lower(tab[i].s),
		    tab[i].lower);
	}
	CU_ASSERT_STRING_EQUAL(rep_level_name(SCN_MUST), "must");
	CU_ASSERT_STRING_EQUAL(rep_level_name(SCN_SHOULD), "should");
	CU_ASSERT_STRING_EQUAL(rep_level_name(SCN_MAY), "may");
}

static void
test_render_every_byte(void)
{
	unsigned char all[256];
	struct buf whole, bytewise, back;
	struct tu_guard g;
	char want[8];

	for (int c = 0; c < 256; c++) {
		unsigned char ch = (unsigned char)c;
		const char *in = tu_guarded(&g, &ch, 1);

		if (c == '\r')
			strcpy(want, "\\r");
		else if (c == '\n')
			strcpy(want, "\\n");
		else if (c == '\t')
			strcpy(want, "\\t");
		else if (c == '\\')
			strcpy(want, "\\\\");
		else if (c >= 0x20 && c <= 0x7e)
			snprintf(want, sizeof(want), "%c", c);
		else
			snprintf(want, sizeof(want), "\\x%02x", c);
		CU_ASSERT_STRING_EQUAL(rendered(in, 1), want);
		tu_unguard(&g);
		all[c] = ch;
	}

	/* All at once, guarded, equals byte by byte; and it decodes back. */
	buf_init(&whole);
	buf_init(&bytewise);
	buf_init(&back);
	const char *in = tu_guarded(&g, all, sizeof(all));
	res_render(&whole, in, sizeof(all));
	for (size_t i = 0; i < sizeof(all); i++)
		res_render(&bytewise, in + i, 1);
	CU_ASSERT_EQUAL(whole.len, bytewise.len);
	CU_ASSERT(memcmp(whole.data, bytewise.data, whole.len) == 0);
	CU_ASSERT(all_printable(whole.data, whole.len));
	CU_ASSERT(memchr(whole.data, '\n', whole.len) == NULL);
	CU_ASSERT_EQUAL(unrender(whole.data, whole.len, &back), 0);
	CU_ASSERT_EQUAL(back.len, sizeof(all));
	CU_ASSERT(memcmp(back.data, all, sizeof(all)) == 0);
	tu_unguard(&g);

	/* Nothing in, nothing appended; appending keeps what was there. */
	buf_reset(&whole);
	buf_puts(&whole, "x");
	res_render(&whole, "", 0);
	res_render(&whole, "\x1b", 1);
	CU_ASSERT_STRING_EQUAL(whole.data, "x\\x1b");
	buf_free(&whole);
	buf_free(&bytewise);
	buf_free(&back);
}

static void
test_render_long_input(void)
{
	/* More than one internal chunk, with every form of escape. */
	struct buf out, back;
	char *data = xmalloc(5000);

	for (size_t i = 0; i < 5000; i++)
		data[i] = (char)((i * 7919) % 256);
	buf_init(&out);
	buf_init(&back);
	res_render(&out, data, 5000);
	CU_ASSERT(all_printable(out.data, out.len));
	CU_ASSERT_EQUAL(unrender(out.data, out.len, &back), 0);
	CU_ASSERT_EQUAL(back.len, 5000);
	CU_ASSERT(memcmp(back.data, data, 5000) == 0);
	buf_free(&out);
	buf_free(&back);
	free(data);
}

static void
test_clean(void)
{
	static const struct {
		const char *in, *want;
	} tab[] = {
		{ "plain text", "plain text" },
		{ "a\\b", "a\\b" },                   /* backslash stays */
		{ "25\\r\\n", "25\\r\\n" },  /* rendered: unchanged */
		{ "\x1b[2Jx", "\\x1b[2Jx" },
		{ "l1\r\nl2\t", "l1\\r\\nl2\\t" },
		{ "\xc3\xa9\x7f", "\\xc3\\xa9\\x7f" },
		{ "", "" },
	};
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		buf_reset(&b);
		buf_append(&b, "", 0);
		rep_clean(&b, tab[i].in);
		CU_ASSERT_STRING_EQUAL(b.data, tab[i].want);
	}
	buf_reset(&b);
	rep_clean(&b, NULL);
	CU_ASSERT_EQUAL(b.len, 0);
	buf_free(&b);
}

static void
test_secs(void)
{
	static const struct {
		double secs;
		int decimals;
		const char *want;
	} tab[] = {
		{ 0, 3, "0.000" },
		{ 0.0125, 3, "0.013" },
		{ 0.012, 3, "0.012" },
		{ 1.5, 0, "2" },
		{ 12.345678, 6, "12.345678" },
		{ 59.9996, 3, "60.000" },
		{ -1, 3, "0.000" },
		{ 1.0 / 0.0, 3, "0.000" },
		{ 0.0 / 0.0, 6, "0.000000" },
		{ 2.5, 9, "2.500000" },   /* at most 6 decimals */
	};
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		buf_reset(&b);
		rep_secs(&b, tab[i].secs, tab[i].decimals);
		CU_ASSERT_STRING_EQUAL(b.data, tab[i].want);
	}
	buf_free(&b);
}

static void
test_transcript_copy(void)
{
	struct res_result r;
	char data[] = "250 \0ok\r\n";

	memset(&r, 0, sizeof(r));
	res_transcript_add(&r.tr, 0.5, 'S', data, sizeof(data) - 1);
	res_transcript_add(&r.tr, 0.6, 'C', NULL, 0);
	memset(data, 'X', sizeof(data));
	CU_ASSERT_EQUAL_FATAL(r.tr.n, 2);
	CU_ASSERT_EQUAL(r.tr.ev[0].len, 9);
	CU_ASSERT(memcmp(r.tr.ev[0].data, "250 \0ok\r\n", 9) == 0);
	CU_ASSERT_EQUAL(r.tr.ev[0].data[9], '\0');
	CU_ASSERT_EQUAL(r.tr.ev[0].dir, 'S');
	CU_ASSERT_DOUBLE_EQUAL(r.tr.ev[0].t, 0.5, 1e-9);
	CU_ASSERT_EQUAL(r.tr.ev[1].len, 0);
	CU_ASSERT_STRING_EQUAL(r.tr.ev[1].data, "");
	CU_ASSERT_EQUAL(r.tr.bytes, 9);
	CU_ASSERT_EQUAL(r.tr.dropped, 0);

	r.reason = xstrdup("x");
	r.expected = xstrdup("y");
	r.actual = xstrdup("z");
	res_result_free(&r);
	CU_ASSERT_PTR_NULL(r.reason);
	CU_ASSERT_PTR_NULL(r.expected);
	CU_ASSERT_PTR_NULL(r.actual);
	CU_ASSERT_PTR_NULL(r.tr.ev);
	CU_ASSERT_EQUAL(r.tr.n, 0);
	CU_ASSERT_EQUAL(r.tr.bytes, 0);
	res_result_free(&r);   /* twice is harmless */
	res_result_free(NULL);
}

static void
test_transcript_truncation(void)
{
	const size_t notelen = strlen(NOTE);
	struct res_transcript tr;
	char chunk[1000];
	size_t sent = 0, kept = 0, notes = 0, i;

	memset(chunk, 'a', sizeof(chunk));
	memset(&tr, 0, sizeof(tr));
	/* Many small events: the limit is reached in the middle of one. */
	for (i = 0; i < 400; i++) {
		res_transcript_add(&tr, (double)i, 'S', chunk, sizeof(chunk));
		sent += sizeof(chunk);
		CU_ASSERT(tr.bytes <= RES_TRANSCRIPT_MAX);
	}
	for (i = 0; i < tr.n; i++) {
		if (tr.ev[i].dir == RES_DIR_NOTE) {
			notes++;
			CU_ASSERT_STRING_EQUAL(tr.ev[i].data, NOTE);
		} else {
			kept += tr.ev[i].len;
		}
	}
	CU_ASSERT_EQUAL(notes, 1);
	CU_ASSERT_EQUAL(tr.ev[tr.n - 1].dir, RES_DIR_NOTE);
	CU_ASSERT_EQUAL(tr.bytes, RES_TRANSCRIPT_MAX);
	CU_ASSERT_EQUAL(kept, RES_TRANSCRIPT_MAX - notelen);
	CU_ASSERT_EQUAL(kept + tr.dropped, sent);
	/* The event that crossed the limit kept its head. */
	CU_ASSERT_EQUAL(tr.ev[tr.n - 2].len, (RES_TRANSCRIPT_MAX - notelen) %
	    sizeof(chunk));

	/* Past the limit: counted only, whatever the direction. */
	size_t n = tr.n, dropped = tr.dropped;
	res_transcript_add(&tr, 500, '*', "closed", 6);
	res_transcript_add(&tr, 501, 'C', "QUIT\r\n", 6);
	res_transcript_add(&tr, 502, 'S', NULL, 0);
	CU_ASSERT_EQUAL(tr.n, n);
	CU_ASSERT_EQUAL(tr.dropped, dropped + 12);
	CU_ASSERT_EQUAL(tr.bytes, RES_TRANSCRIPT_MAX);

	struct res_result r = { .tr = tr };
	res_result_free(&r);
}

static void
test_transcript_burst(void)
{
	/* The run's 1 MB burst: one note, the prefix, the note. */
	const struct res_transcript *tr = &results[6].tr;
	const size_t notelen = strlen(NOTE);
	size_t prefix = RES_TRANSCRIPT_MAX - notelen - strlen("connected");

	CU_ASSERT_EQUAL_FATAL(tr->n, 3);
	CU_ASSERT_EQUAL(tr->ev[1].len, prefix);
	for (size_t i = 0; i < prefix; i++)
		if (tr->ev[1].data[i] != (char)(i % 256)) {
			CU_FAIL("burst prefix differs");
			break;
		}
	CU_ASSERT_STRING_EQUAL(tr->ev[2].data, NOTE);
	CU_ASSERT_DOUBLE_EQUAL(tr->ev[2].t, 0.5, 1e-9);
	CU_ASSERT_EQUAL(tr->dropped, BURST_LEN - prefix + 10 + 6);
	CU_ASSERT_EQUAL(tr->bytes, RES_TRANSCRIPT_MAX);
}

/* ---- report.c helpers ---- */

static void
test_formats(void)
{
	static const struct {
		const char *name;
		enum rep_format f;
	} tab[] = {
		{ "text", REP_TEXT },
		{ "json", REP_JSON },
		{ "junit", REP_JUNIT },
		{ "tap", REP_TAP },
		{ "html", REP_HTML },
	};
	static const char *bad[] = { "", "JSON", "xml", "HTML", "tap ",
	    "jso", "texts" };
	enum rep_format f;

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		f = REP_TEXT;
		CU_ASSERT_EQUAL(rep_format_parse(tab[i].name, &f), 0);
		CU_ASSERT_EQUAL(f, tab[i].f);
		CU_ASSERT_STRING_EQUAL(rep_format_name(tab[i].f), tab[i].name);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(rep_format_parse(bad[i], &f), -1);
	CU_ASSERT_EQUAL(rep_format_parse(NULL, &f), -1);
}

static void
test_count(void)
{
	struct rep_counts c;

	rep_count(&run, &c);
	CU_ASSERT_EQUAL(c.total, 8);
	CU_ASSERT_EQUAL(c.pass, 2);
	CU_ASSERT_EQUAL(c.fail, 2);
	CU_ASSERT_EQUAL(c.skip, 1);
	CU_ASSERT_EQUAL(c.error, 1);
	CU_ASSERT_EQUAL(c.xfail, 1);
	CU_ASSERT_EQUAL(c.xpass, 1);
}

static void
test_transcript_lines(void)
{
	static const struct {
		char dir;
		const char *data;
		size_t len;
		const char *want; /* lines joined by '|' */
	} tab[] = {
		{ 'S', "220 ok\r\n", 8, "+1.250s S: 220 ok" },
		{ 'S', "250-a\r\n250 b\r\n", 14,
		  "+1.250s S: 250-a|+1.250s S: 250 b" },
		{ 'S', "250 x\n", 6, "+1.250s S: 250 x\\n" },
		{ 'S', "250 x\r", 6, "+1.250s S: 250 x\\r [no line end]" },
		{ 'C', "MAIL", 4, "+1.250s C: MAIL [no line end]" },
		{ 'C', "", 0, "+1.250s C:  [no line end]" },
		{ 'S', "\r\n", 2, "+1.250s S: " },
		{ 'S', "a\n\nb", 4,
		  "+1.250s S: a\\n|+1.250s S: \\n|+1.250s S: b [no line end]" },
		{ 'S', "\0\x1b[0m\r\n", 7, "+1.250s S: \\x00\\x1b[0m" },
		{ '*', "closed by peer", 14, "+1.250s *  closed by peer" },
		{ '*', "two\nlines\n", 10, "+1.250s *  two|+1.250s *  lines" },
		{ 'Q', "odd", 3, "+1.250s ?  odd [no line end]" },
	};
	struct buf joined;

	buf_init(&joined);
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		struct res_transcript tr;
		struct rep_lines l;
		struct tu_guard g;
		const char *in = tu_guarded(&g, tab[i].data, tab[i].len);

		memset(&tr, 0, sizeof(tr));
		res_transcript_add(&tr, 1.25, tab[i].dir, in, tab[i].len);
		tu_unguard(&g);
		rep_transcript_lines(&l, &tr, 0);
		buf_reset(&joined);
		buf_append(&joined, "", 0);
		for (size_t k = 0; k < l.n; k++) {
			if (k)
				buf_puts(&joined, "|");
			buf_puts(&joined, l.line[k]);
		}
		CU_ASSERT_EQUAL(l.omitted, 0);
		assert_str(joined.data, tab[i].want);
		rep_lines_free(&l);
		struct res_result r = { .tr = tr };
		res_result_free(&r);
	}
	buf_free(&joined);
}

static void
test_transcript_lines_tail_and_cut(void)
{
	struct res_transcript tr;
	struct rep_lines l;
	char line[16], *longl;

	memset(&tr, 0, sizeof(tr));
	for (int i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "250 %d\r\n", i);
		res_transcript_add(&tr, i / 1000.0, 'S', line, strlen(line));
	}
	rep_transcript_lines(&l, &tr, 40);
	CU_ASSERT_EQUAL(l.omitted, 60);
	CU_ASSERT_EQUAL_FATAL(l.n, 40);
	CU_ASSERT_STRING_EQUAL(l.line[0], "+0.060s S: 250 60");
	CU_ASSERT_STRING_EQUAL(l.line[39], "+0.099s S: 250 99");
	rep_lines_free(&l);
	CU_ASSERT_PTR_NULL(l.line);

	/* The tail may start inside an event. */
	rep_transcript_lines(&l, &tr, 100);
	CU_ASSERT_EQUAL(l.omitted, 0);
	CU_ASSERT_EQUAL(l.n, 100);
	rep_lines_free(&l);
	struct res_result r = { .tr = tr };
	res_result_free(&r);

	memset(&tr, 0, sizeof(tr));
	res_transcript_add(&tr, 0, 'S', "a\r\nb\r\nc\r\n", 9);
	rep_transcript_lines(&l, &tr, 2);
	CU_ASSERT_EQUAL(l.omitted, 1);
	CU_ASSERT_EQUAL_FATAL(l.n, 2);
	CU_ASSERT_STRING_EQUAL(l.line[0], "+0.000s S: b");
	CU_ASSERT_STRING_EQUAL(l.line[1], "+0.000s S: c");
	rep_lines_free(&l);
	r.tr = tr;
	res_result_free(&r);

	/* A long line is cut after 256 bytes, with the count of the rest. */
	memset(&tr, 0, sizeof(tr));
	longl = xmalloc(1002);
	memset(longl, 'x', 1000);
	memcpy(longl + 1000, "\r\n", 2);
	res_transcript_add(&tr, 0, 'S', longl, 1002);
	rep_transcript_lines(&l, &tr, 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 1);
	CU_ASSERT_EQUAL(strlen(l.line[0]), strlen("+0.000s S: ") + 256 +
	    strlen(" ... [744 more bytes]"));
	CU_ASSERT(strstr(l.line[0], "x ... [744 more bytes]") != NULL);
	rep_lines_free(&l);
	r.tr = tr;
	res_result_free(&r);
	free(longl);

	/* Bytes not kept are reported last. */
	rep_transcript_lines(&l, &results[6].tr, 40);
	CU_ASSERT_EQUAL_FATAL(l.n, 41);
	CU_ASSERT_STRING_EQUAL(l.line[39], "+0.500s *  " NOTE);
	CU_ASSERT_STRING_EQUAL(l.line[40],
	    "*  786479 more bytes not kept (the limit is 262144)");
	/* 1 note + 1024 LF-ended lines + 1 fragment + 1 note - 40 shown. */
	CU_ASSERT_EQUAL(l.omitted, 987);
	rep_lines_free(&l);
}

/* ---- text ---- */

static const char hostile_progress[] =
    "[2/8] FAIL  core.hostile  Server sends hostile bytes  (0.250s)\n"
    "    step 3 (scenarios/core/hostile.yaml:14): expected 250, got "
    "\\x1b[2Jbad\n"
    "    rule:     RF-03 (RFC 5321 4.2.1): In a multiline reply, the reply code on each of the "
    "lines MUST be the same.\n"
    "    expected: 250\n"
    "    actual:   25\\r\\n\n"
    "    +0.000s *  connected to 127.0.0.1:2525\n"
    "    +0.001s S: 220 mail.example ESMTP\n"
    "    +0.002s C: EHLO client.example\n"
    "    +0.003s S: 250-\\x00\\xff\\xfe\n"
    "    +0.003s S: 250-\\x1b[31mred\\x1b[0m\n"
    "    +0.003s S: 250-]]> \"q\" \\\\ \\xc3( \\xed\\xa0\\x80\n"
    "    +0.003s S: 250 bare\\n\n"
    "    +0.003s S: 25 [no line end]\n"
    "    +0.004s *  timeout after 5s\n";

static void
test_text_progress(void)
{
	static const struct {
		size_t idx, done, total;
		const char *want;
	} tab[] = {
		{ 0, 1, 8, "[1/8] PASS  core.greeting  The server greets "
		  "with 220  (0.012s)\n" },
		{ 0, 0, 0, "PASS  core.greeting  The server greets with 220  "
		  "(0.012s)\n" },
		{ 0, 3, 12, "[ 3/12] PASS  core.greeting  The server greets "
		  "with 220  (0.012s)\n" },
		{ 1, 2, 8, hostile_progress },
		{ 2, 3, 8, "[3/8] SKIP  ext.starttls  STARTTLS upgrades  "
		  "(0.003s)\n    skipped: requires STARTTLS\n" },
		{ 3, 4, 8, "[4/8] ERROR net.reset  Connection reset "
		  "mid-session  (0.001s)\n"
		  "    opening (scenarios/net/reset.yaml): connection reset "
		  "by peer\n"
		  "    +0.000s *  connection reset\n" },
		{ 4, 5, 8, "[5/8] XFAIL data.bare-lf  Bare LF does not end "
		  "data  (0.100s)\n"
		  "    failed as the baseline expects: step 2 "
		  "(scenarios/data/bare-lf.yaml:9): bare LF accepted as end "
		  "of data\n" },
		{ 5, 6, 8, "[6/8] XPASS quit.221  QUIT gets 221  (0.004s)\n"
		  "    passed although the baseline expects a failure\n"
		  "    +0.001s C: QUIT\n"
		  "    +0.002s S: 221 bye\n" },
		{ 7, 8, 8, "[8/8] PASS  weird.title  Title with \\x1b[2J # ]]> "
		  "\"q\" 'a' & <b> \\ \\xff  (0.000s)\n" },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		char *got = progress(&results[tab[i].idx], tab[i].done,
		    tab[i].total, 0);

		assert_str(got, tab[i].want);
		free(got);
	}

	/* The burst: the last 40 lines, how many were left out, and what was
	 * not kept. */
	char *got = progress(&results[6], 7, 8, 0);
	CU_ASSERT(all_printable(got, strlen(got)));
	CU_ASSERT(strstr(got, "\n    ... 987 earlier transcript lines left "
	    "out\n") != NULL);
	CU_ASSERT(strstr(got, "\n    *  786479 more bytes not kept (the limit "
	    "is 262144)\n") != NULL);
	CU_ASSERT(strstr(got, "\n    +0.500s *  " NOTE "\n") != NULL);
	free(got);
}

static void
test_text_progress_color(void)
{
	static const struct {
		size_t idx;
		const char *want;
	} tab[] = {
		{ 0, "\033[32mPASS\033[0m  core.greeting" },
		{ 1, "\033[31mFAIL\033[0m  core.hostile" },
		{ 2, "\033[33mSKIP\033[0m  ext.starttls" },
		{ 3, "\033[35mERROR\033[0m net.reset" },
		{ 4, "\033[32mXFAIL\033[0m data.bare-lf" },
		{ 5, "\033[31mXPASS\033[0m quit.221" },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		char *got = progress(&results[tab[i].idx], 0, 0, 1);

		CU_ASSERT_NSTRING_EQUAL(got, tab[i].want, strlen(tab[i].want));
		/* Exactly the two sequences of the status word. */
		size_t esc = 0;
		for (char *p = got; (p = strchr(p, '\033')) != NULL; p++)
			esc++;
		CU_ASSERT_EQUAL(esc, 2);
		free(got);
	}
}

/* Every ESC starts one of our colour sequences. */
static size_t
count_colors(const char *s, size_t len, int *other)
{
	static const char *ok[] = { "\033[32m", "\033[31m", "\033[33m",
	    "\033[35m", "\033[0m" };
	size_t n = 0;

	*other = 0;
	for (size_t i = 0; i < len; i++) {
		size_t k;

		if (s[i] != '\033')
			continue;
		for (k = 0; k < sizeof(ok) / sizeof(ok[0]); k++)
			if (strncmp(s + i, ok[k], strlen(ok[k])) == 0)
				break;
		if (k == sizeof(ok) / sizeof(ok[0]))
			(*other)++;
		n++;
	}
	return n;
}

static void
test_text_report(void)
{
	struct rep_run sub = run;
	size_t len;
	char *got;
	int other;

	/* The summary, exactly. */
	sub.n = 6;
	got = report(REP_TEXT, &sub, 0, NULL);
	assert_str(got,
	    "target:   builtin\n"
	    "started:  2024-05-01T10:00:00Z\n"
	    "duration: 1.500s\n"
	    "total:    6 (1 pass, 1 fail, 1 skip, 1 error, 1 xfail, "
	    "1 xpass)\n"
	    "deviations by requirement (fail and xfail): RF-03 1\n"
	    "failed:   3\n"
	    "  FAIL  core.hostile  step 3 (scenarios/core/hostile.yaml:14): "
	    "expected 250, got \\x1b[2Jbad\n"
	    "  ERROR net.reset  opening (scenarios/net/reset.yaml): "
	    "connection reset by peer\n"
	    "  XPASS quit.221  passed although the baseline expects a "
	    "failure\n");
	free(got);

	/* Verbose: the transcripts of what passed or was skipped, first. */
	sub.verbose = 1;
	sub.n = 3;
	got = report(REP_TEXT, &sub, 0, NULL);
	assert_str(got,
	    "PASS  core.greeting  The server greets with 220  (0.012s)\n"
	    "    +0.000s *  connected to 127.0.0.1:2525\n"
	    "    +0.001s S: 220 mail.example ESMTP\n"
	    "SKIP  ext.starttls  STARTTLS upgrades  (0.003s)\n"
	    "    +0.000s *  connected\n"
	    "    +0.001s S: 250-mail\n"
	    "    +0.001s S: 250 SIZE 1000\n"
	    "\n"
	    "target:   builtin\n"
	    "started:  2024-05-01T10:00:00Z\n"
	    "duration: 1.500s\n"
	    "total:    3 (1 pass, 1 fail, 1 skip, 0 error, 0 xfail, "
	    "0 xpass)\n"
	    "deviations by requirement (fail and xfail): RF-03 1\n"
	    "failed:   1\n"
	    "  FAIL  core.hostile  step 3 (scenarios/core/hostile.yaml:14): "
	    "expected 250, got \\x1b[2Jbad\n");
	free(got);

	/* The whole hostile run, progress and summary, without colour: not
	 * one ESC byte, nothing but printable ASCII and line feeds. */
	for (int verbose = 0; verbose <= 1; verbose++) {
		struct buf all;

		buf_init(&all);
		sub = run;
		sub.verbose = verbose;
		for (size_t i = 0; i < NRES; i++) {
			got = progress(&results[i], i + 1, NRES, 0);
			buf_puts(&all, got);
			free(got);
		}
		got = report(REP_TEXT, &sub, 0, &len);
		buf_append(&all, got, len);
		free(got);
		CU_ASSERT(memchr(all.data, '\033', all.len) == NULL);
		CU_ASSERT(all_printable(all.data, all.len));
		buf_free(&all);

		/* With colour: only our colour sequences, two per status word
		 * (8 progress lines, 4 in the failed list, 2 verbose
		 * transcripts). */
		buf_init(&all);
		for (size_t i = 0; i < NRES; i++) {
			got = progress(&results[i], i + 1, NRES, 1);
			buf_puts(&all, got);
			free(got);
		}
		got = report(REP_TEXT, &sub, 1, &len);
		buf_append(&all, got, len);
		free(got);
		CU_ASSERT_EQUAL(count_colors(all.data, all.len, &other),
		    verbose ? 2 * (8 + 4 + 2) : 2 * (8 + 4));
		CU_ASSERT_EQUAL(other, 0);
		buf_free(&all);
	}
}

/* ---- json ---- */

static const char json_check[] =
    "import json, sys\n"
    "BS = chr(92)\n"
    "def const(x):\n"
    "    raise ValueError('non-standard constant ' + x)\n"
    "def pairs(kv):\n"
    "    keys = [k for k, v in kv]\n"
    "    if len(keys) != len(set(keys)):\n"
    "        raise ValueError('duplicate key')\n"
    "    return dict(kv)\n"
    "def dec(s):\n"
    "    out = bytearray()\n"
    "    i = 0\n"
    "    while i < len(s):\n"
    "        c = s[i]\n"
    "        if c != BS:\n"
    "            if not 0x20 <= ord(c) <= 0x7e:\n"
    "                raise ValueError('unrendered byte')\n"
    "            out.append(ord(c))\n"
    "            i += 1\n"
    "            continue\n"
    "        n = s[i + 1]\n"
    "        if n == 'x':\n"
    "            out.append(int(s[i + 2:i + 4], 16))\n"
    "            i += 4\n"
    "            continue\n"
    "        out.append({'r': 13, 'n': 10, 't': 9, BS: 92}[n])\n"
    "        i += 2\n"
    "    return bytes(out)\n"
    "raw = open(sys.argv[1], 'rb').read()\n"
    "d = json.loads(raw.decode('ascii'), parse_constant=const,\n"
    "    object_pairs_hook=pairs)\n"
    "if sorted(d.keys()) != sorted(['schema', 'target', 'started_at',\n"
    "        'duration', 'summary', 'scenarios']):\n"
    "    raise ValueError('top keys')\n"
    "print('schema', d['schema'])\n"
    "print('run', d['target'], d['started_at'], d['duration'])\n"
    "s = d['summary']\n"
    "print('summary', *[s[k] for k in ('total', 'pass', 'fail', 'skip',\n"
    "    'error', 'xfail', 'xpass')])\n"
    "print('deviations', s['deviations'])\n"
    "keys = sorted(['id', 'title', 'file', 'level', 'refs', 'tags', 'area',\n"
    "    'status', 'duration', 'reason', 'step', 'step_line', 'phase', 'rule', 'expected',\n"
    "    'actual', 'warnings', 'tls', 'transcript_dropped', 'transcript'])\n"
    "for c in d['scenarios']:\n"
    "    if sorted(c.keys()) != keys:\n"
    "        raise ValueError('keys of ' + str(c.get('id')))\n"
    "    if not isinstance(c['duration'], (int, float)):\n"
    "        raise ValueError('duration')\n"
    "    for e in c['transcript']:\n"
    "        if sorted(e.keys()) != ['data', 'dir', 't']:\n"
    "            raise ValueError('event keys')\n"
    "        if e['dir'] not in ('C', 'S', '*'):\n"
    "            raise ValueError('dir')\n"
    "        if not isinstance(e['t'], (int, float)):\n"
    "            raise ValueError('t')\n"
    "    srv = b''.join(dec(e['data']) for e in c['transcript']\n"
    "        if e['dir'] == 'S')\n"
    "    print('scenario', c['id'], c['status'], c['level'], c['step'],\n"
    "        c['step_line'], c['reason'], len(c['transcript']),\n"
    "        c['transcript_dropped'], len(srv), '|'.join(c['refs']),\n"
    "        '|'.join(c['tags']))\n"
    "    if c['rule']:\n"
    "        print('rule', c['phase'], c['rule']['id'], c['rule']['ref'], c['rule']['quote'])\n"
    "        print('rule-level', c['rule']['level'], 'area', c['area'])\n"
    "    if c['id'] == 'core.hostile':\n"
    "        print('server', srv.hex())\n"
    "        print('detail', c['expected'], c['actual'], c['duration'])\n"
    "    if c['id'] == 'flood.burst':\n"
    "        print('burst', srv == bytes(i % 256 for i in "
    "range(len(srv))))\n"
    "    if c['id'] == 'weird.title':\n"
    "        print('title', c['title'], c['file'])\n"
    "print('areas', ' '.join(c['area']['id'] + '/' + str(c['area']['number']) if c['area'] else '-'\n"
    "    for c in d['scenarios']))\n";

static void
test_json(void)
{
	struct buf want, hex;
	size_t len;
	int status;
	char *out, *doc;

	doc = report(REP_JSON, &run, 1, &len);
	/* Pure printable ASCII, whatever the server sent. */
	CU_ASSERT(all_printable(doc, len));
	out = python(json_check, doc, len, &status);

	buf_init(&hex);
	buf_append(&hex, "", 0);
	/* The server bytes of core.hostile decode back exactly. */
	for (const char *p = "220 mail.example ESMTP\r\n"; *p; p++)
		buf_printf(&hex, "%02x", (unsigned char)*p);
	for (size_t i = 0; i < HOSTILE_LEN; i++)
		buf_printf(&hex, "%02x", (unsigned char)hostile[i]);

	buf_init(&want);
	buf_printf(&want,
	    "schema smtp-harness/report/1\n"
	    "run builtin 2024-05-01T10:00:00Z 1.5\n"
	    "summary 8 2 2 1 1 1 1\n"
	    "deviations {'RF-03': 1}\n"
	    "scenario core.greeting pass must None None None 2 0 24 "
	    "RFC 5321 4.2|CM-01 core\n"
	    "scenario core.hostile fail must 3 14 expected 250, got "
	    "\\x1b[2Jbad 5 0 %zu RFC 5321 4.2.1 core|robustness\n"
	    "rule teardown RF-03 RFC 5321 4.2.1 In a multiline reply, the reply code on each of the "
	    "lines MUST be the same.\n"
	    "rule-level must area None\n"
	    "server %s\n"
	    "detail 250 25\\r\\n 0.25\n"
	    "scenario ext.starttls skip should None None requires STARTTLS "
	    "2 0 25 RFC 3207 4 tls\n"
	    "scenario net.reset error must 0 None connection reset by peer "
	    "1 0 0 TM-09 \n"
	    "scenario data.bare-lf xfail should 2 9 bare LF accepted as end "
	    "of data 0 0 0 RFC 5321 4.1.1.4|DA-02 data\n"
	    "scenario quit.221 xpass must None None None 2 0 9 "
	    "RFC 5321 4.1.1.10 core\n"
	    "scenario flood.burst fail may 1 5 reply line too long 3 786479 "
	    "262113 TM-11 flood|slow\n"
	    "burst True\n"
	    "scenario weird.title pass may None None None 0 0 0 "
	    "RFC 5321 2.3.8 \n"
	    "title Title with \\x1b[2J # ]]> \"q\" 'a' & <b> \\ \\xff "
	    "top.yaml\n"
	    "areas CM/5 - - TM/3 - - TM/3 -\n",
	    24 + HOSTILE_LEN, hex.data);
	CU_ASSERT_EQUAL(status, 0);
	assert_str(out, want.data);
	free(out);
	free(doc);
	buf_free(&want);
	buf_free(&hex);
}

static void
test_json_empty(void)
{
	struct rep_run empty = { 0 };
	size_t len;
	int status;
	char *doc = report(REP_JSON, &empty, 0, &len);
	char *out = python(json_check, doc, len, &status);

	CU_ASSERT_EQUAL(status, 0);
	assert_str(out, "schema smtp-harness/report/1\n"
	    "run None None 0.0\n"
	    "summary 0 0 0 0 0 0 0\n"
	    "deviations {}\n"
	    "areas \n");
	free(out);
	free(doc);
}

/* ---- junit ---- */

static const char junit_check[] =
    "import sys, xml.dom.minidom\n"
    "doc = xml.dom.minidom.parse(sys.argv[1])\n"
    "def counts(e):\n"
    "    return ' '.join(e.getAttribute(a) for a in ('tests', 'failures',\n"
    "        'errors', 'skipped'))\n"
    "root = doc.documentElement\n"
    "print('root', root.tagName, counts(root))\n"
    "for ts in root.getElementsByTagName('testsuite'):\n"
    "    print('suite', ts.getAttribute('name'), counts(ts),\n"
    "        ts.getAttribute('timestamp'))\n"
    "    for p in ts.getElementsByTagName('property'):\n"
    "        print('property', p.getAttribute('name'),\n"
    "            p.getAttribute('value'))\n"
    "    for tc in ts.getElementsByTagName('testcase'):\n"
    "        kids = [k for k in tc.childNodes\n"
    "            if k.nodeType == k.ELEMENT_NODE]\n"
    "        print('case', tc.getAttribute('classname'), '|',\n"
    "            tc.getAttribute('name'), '|', ' '.join(k.tagName +\n"
    "            (':' + k.getAttribute('type') if k.hasAttribute('type')\n"
    "            else '') for k in kids))\n"
    "        for k in kids:\n"
    "            body = ''.join(t.data for t in k.childNodes\n"
    "                if t.nodeType == t.TEXT_NODE)\n"
    "            if k.hasAttribute('message'):\n"
    "                print('  message', k.getAttribute('message'))\n"
    "            if body:\n"
    "                print('  first', body.split(chr(10))[0])\n"
    "                print('  transcript', 'transcript:' in body,\n"
    "                    'earlier lines left out' in body,\n"
    "                    'more bytes not kept' in body)\n";

static void
test_junit(void)
{
	size_t len;
	int status;
	char *doc = report(REP_JUNIT, &run, 1, &len);
	char *out;

	CU_ASSERT(all_printable(doc, len));
	/* "]]>" may not appear in character data (XML 1.0 2.4). */
	CU_ASSERT(strstr(doc, "]]>") == NULL);
	CU_ASSERT(strncmp(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
	    39) == 0);
	out = python(junit_check, doc, len, &status);
	CU_ASSERT_EQUAL(status, 0);
	assert_str(out,
	    "root testsuites 8 3 1 1\n"
	    "suite smtp-harness 8 3 1 1 2024-05-01T10:00:00Z\n"
	    "property target builtin\n"
	    "property deviation:RF-03 1\n"
	    "case scenarios/core | core.greeting: The server greets with 220 "
	    "| \n"
	    "case scenarios/core | core.hostile: Server sends hostile bytes | "
	    "failure:FAIL\n"
	    "  message expected 250, got \\x1b[2Jbad\n"
	    "  first step 3 (scenarios/core/hostile.yaml:14): expected 250, "
	    "got \\x1b[2Jbad\n"
	    "  transcript True False False\n"
	    "case scenarios/ext | ext.starttls: STARTTLS upgrades | skipped\n"
	    "  message requires STARTTLS\n"
	    "case scenarios/net | net.reset: Connection reset mid-session | "
	    "error:ERROR\n"
	    "  message connection reset by peer\n"
	    "  first opening (scenarios/net/reset.yaml): connection reset by "
	    "peer\n"
	    "  transcript True False False\n"
	    "case scenarios/data | data.bare-lf: Bare LF does not end data | "
	    "system-out\n"
	    "  first expected failure (baseline): step 2 "
	    "(scenarios/data/bare-lf.yaml:9): bare LF accepted as end of data\n"
	    "  transcript False False False\n"
	    "case scenarios | quit.221: QUIT gets 221 | failure:XPASS\n"
	    "  message passed although the baseline expects a failure\n"
	    "  first passed although the baseline expects a failure\n"
	    "  transcript True False False\n"
	    "case scenarios/flood | flood.burst: A 1 MB burst without line "
	    "end | failure:FAIL\n"
	    "  message reply line too long\n"
	    "  first step 1 (scenarios/flood/burst.yaml:5): reply line too "
	    "long\n"
	    "  transcript True True True\n"
	    "case scenarios | weird.title: Title with \\x1b[2J # ]]> \"q\" 'a' "
	    "& <b> \\ \\xff | \n");
	free(out);
	free(doc);

	struct rep_run empty = { 0 };
	doc = report(REP_JUNIT, &empty, 0, &len);
	out = python(junit_check, doc, len, &status);
	CU_ASSERT_EQUAL(status, 0);
	assert_str(out, "root testsuites 0 0 0 0\n"
	    "suite smtp-harness 0 0 0 0 \n");
	free(out);
	free(doc);
}

/* ---- tap ---- */

static void
test_tap_exact(void)
{
	struct rep_run sub = run;
	char *got;

	sub.n = 6;
	got = report(REP_TAP, &sub, 1, NULL);
	assert_str(got,
	    "TAP version 13\n"
	    "1..6\n"
	    "# target: builtin\n"
	    "# started: 2024-05-01T10:00:00Z\n"
	    "ok 1 - core.greeting The server greets with 220\n"
	    "not ok 2 - core.hostile Server sends hostile bytes\n"
	    "  ---\n"
	    "  message: 'expected 250, got \\x1b[2Jbad'\n"
	    "  severity: fail\n"
	    "  file: 'scenarios/core/hostile.yaml'\n"
	    "  line: 14\n"
	    "  step: 3\n"
	    "  expected: '250'\n"
	    "  actual: '25\\r\\n'\n"
	    "  transcript:\n"
	    "    - '+0.000s *  connected to 127.0.0.1:2525'\n"
	    "    - '+0.001s S: 220 mail.example ESMTP'\n"
	    "    - '+0.002s C: EHLO client.example'\n"
	    "    - '+0.003s S: 250-\\x00\\xff\\xfe'\n"
	    "    - '+0.003s S: 250-\\x1b[31mred\\x1b[0m'\n"
	    "    - '+0.003s S: 250-]]> \"q\" \\\\ \\xc3( \\xed\\xa0\\x80'\n"
	    "    - '+0.003s S: 250 bare\\n'\n"
	    "    - '+0.003s S: 25 [no line end]'\n"
	    "    - '+0.004s *  timeout after 5s'\n"
	    "  ...\n"
	    "ok 3 - ext.starttls # SKIP requires STARTTLS\n"
	    "not ok 4 - net.reset Connection reset mid-session\n"
	    "  ---\n"
	    "  message: 'connection reset by peer'\n"
	    "  severity: error\n"
	    "  file: 'scenarios/net/reset.yaml'\n"
	    "  step: 0\n"
	    "  transcript:\n"
	    "    - '+0.000s *  connection reset'\n"
	    "  ...\n"
	    "not ok 5 - data.bare-lf # TODO expected failure (baseline)\n"
	    "  ---\n"
	    "  message: 'bare LF accepted as end of data'\n"
	    "  severity: todo\n"
	    "  file: 'scenarios/data/bare-lf.yaml'\n"
	    "  line: 9\n"
	    "  step: 2\n"
	    "  expected: '5xx'\n"
	    "  actual: '250'\n"
	    "  ...\n"
	    "not ok 6 - quit.221 QUIT gets 221\n"
	    "  ---\n"
	    "  message: 'passed although the baseline expects a failure'\n"
	    "  severity: fail\n"
	    "  file: 'scenarios/quit.yaml'\n"
	    "  transcript:\n"
	    "    - '+0.001s C: QUIT'\n"
	    "    - '+0.002s S: 221 bye'\n"
	    "  ...\n"
	    "# 1 pass, 1 fail, 1 skip, 1 error, 1 xfail, 1 xpass in 1.500s\n");
	free(got);

	struct rep_run empty = { 0 };
	got = report(REP_TAP, &empty, 0, NULL);
	assert_str(got, "TAP version 13\n1..0\n# 0 pass, 0 fail, 0 skip, "
	    "0 error, 0 xfail, 0 xpass in 0.000s\n");
	free(got);
}

/* The whole hostile run: the plan, one numbered point per scenario with the
 * right verdict, descriptions with '#' escaped, YAML blocks of "  key: "
 * lines and list items with balanced single quotes. */
static void
test_tap_structure(void)
{
	static const char *verdict[NRES] = { "ok", "not ok", "ok", "not ok",
	    "not ok", "not ok", "not ok", "ok" };
	size_t len, next = 1, lines = 0;
	char *doc = report(REP_TAP, &run, 0, &len), *save = NULL, *l;
	int in_yaml = 0;

	CU_ASSERT(all_printable(doc, len));
	for (l = strtok_r(doc, "\n", &save); l; l = strtok_r(NULL, "\n",
	    &save), lines++) {
		if (lines == 0) {
			CU_ASSERT_STRING_EQUAL(l, "TAP version 13");
			continue;
		}
		if (lines == 1) {
			CU_ASSERT_STRING_EQUAL(l, "1..8");
			continue;
		}
		if (in_yaml) {
			if (strcmp(l, "  ...") == 0) {
				in_yaml = 0;
				continue;
			}
			CU_ASSERT(strncmp(l, "  ", 2) == 0);
			char *q = strchr(l, '\'');
			if (q == NULL)
				continue;
			/* 'quoted' to the end of the line, '' inside. */
			size_t n = strlen(q);
			CU_ASSERT(n >= 2 && q[n - 1] == '\'');
			for (size_t i = 1; i + 1 < n; i++) {
				if (q[i] != '\'')
					continue;
				CU_ASSERT(q[i + 1] == '\'' && i + 2 < n);
				i++;
			}
			continue;
		}
		if (strcmp(l, "  ---") == 0) {
			in_yaml = 1;
			continue;
		}
		if (l[0] == '#')
			continue;
		CU_ASSERT_FATAL(next <= NRES);
		char *prefix = xasprintf("%s %zu - ", verdict[next - 1], next);
		CU_ASSERT(strncmp(l, prefix, strlen(prefix)) == 0);
		free(prefix);
		if (next == NRES)
			CU_ASSERT_STRING_EQUAL(l, "ok 8 - weird.title Title "
			    "with \\\\x1b[2J \\# ]]> \"q\" 'a' & <b> "
			    "\\\\ \\\\xff");
		next++;
	}
	CU_ASSERT_EQUAL(next, NRES + 1);
	CU_ASSERT_EQUAL(in_yaml, 0);
	free(doc);
}

/* ---- failures of the stream ---- */

static void
test_write_error(void)
{
	FILE *f = fopen("/dev/null", "r");
	static const enum rep_format fmts[] = { REP_TEXT, REP_JSON,
	    REP_JUNIT, REP_TAP };

	CU_ASSERT_FATAL(f != NULL);
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		clearerr(f);
		CU_ASSERT_EQUAL(rep_write(f, fmts[i], &run, 0), -1);
	}
	fclose(f);
}

/* ---- warnings: a pass with deviations the RFCs allow ---- */

static const char warn_check[] =
    "import json, sys, xml.dom.minidom as m\n"
    "kind = sys.argv[2] if len(sys.argv) > 2 else ''\n"
    "d = open(sys.argv[1], 'rb').read().decode('ascii')\n"
    "if d.startswith('{'):\n"
    "    r = json.loads(d)\n"
    "    print(r['summary']['warned'], r['scenarios'][0]['status'],\n"
    "          '|'.join(r['scenarios'][0]['warnings']))\n"
    "else:\n"
    "    x = m.parseString(d)\n"
    "    t = x.getElementsByTagName('testcase')[0]\n"
    "    print(len(t.getElementsByTagName('failure')),\n"
    "          t.getElementsByTagName('system-out')[0].firstChild.data.strip())\n";

static void
test_warnings(void)
{
	struct res_result r = { .scn = &scns[0], .status = RES_PASS };
	struct rep_run w = { .target = "builtin", .results = &r, .n = 1 };
	size_t len;
	int status;
	char *doc, *out;

	res_warn(&r, "step %d: got %d, accepted, but the RFC prefers %s", 2, 250, "501");
	res_warn(&r, "hostile \x1b[2J <&> %s", "\xff");
	CU_ASSERT_EQUAL(r.n_warnings, 2);

	doc = report(REP_TEXT, &w, 0, &len);
	CU_ASSERT(strstr(doc, "warnings: 1 (deviations the RFCs allow; they do not fail)\n"
	    "  core.greeting  warning: step 2: got 250, accepted, but the RFC prefers 501\n"
	    "  core.greeting  warning: hostile \\x1b[2J <&> \\xff\n") != NULL);
	CU_ASSERT(strchr(doc, '\x1b') == NULL);
	free(doc);

	doc = report(REP_JSON, &w, 0, &len);
	out = python(warn_check, doc, len, &status);
	CU_ASSERT_EQUAL(status, 0);
	assert_str(out, "1 pass step 2: got 250, accepted, but the RFC prefers 501|"
	    "hostile \\x1b[2J <&> \\xff\n");
	free(out);
	free(doc);

	doc = report(REP_JUNIT, &w, 0, &len);
	out = python(warn_check, doc, len, &status);
	CU_ASSERT_EQUAL(status, 0);
	assert_str(out, "0 warning: step 2: got 250, accepted, but the RFC prefers 501\n"
	    "warning: hostile \\x1b[2J <&> \\xff\n");
	free(out);
	free(doc);

	doc = report(REP_TAP, &w, 0, &len);
	CU_ASSERT(strstr(doc, "ok 1 - core.greeting") != NULL);
	CU_ASSERT(strstr(doc, "  severity: warning\n  warnings:\n"
	    "    - 'step 2: got 250, accepted, but the RFC prefers 501'\n") != NULL);
	CU_ASSERT(strstr(doc, "not ok") == NULL);
	free(doc);

	res_result_free(&r);
	CU_ASSERT(r.warnings == NULL && r.n_warnings == 0);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("result", NULL, NULL);
	CU_add_test(s, "status names", test_status_names);
	CU_add_test(s, "render every byte", test_render_every_byte);
	CU_add_test(s, "render long input", test_render_long_input);
	CU_add_test(s, "transcript copy and free", test_transcript_copy);
	CU_add_test(s, "transcript truncation", test_transcript_truncation);

	s = CU_add_suite("report", init_run, free_run);
	CU_add_test(s, "1 MB burst truncated", test_transcript_burst);
	CU_add_test(s, "format names", test_formats);
	CU_add_test(s, "counts", test_count);
	CU_add_test(s, "clean", test_clean);
	CU_add_test(s, "seconds", test_secs);
	CU_add_test(s, "transcript lines", test_transcript_lines);
	CU_add_test(s, "transcript tail and cut",
	    test_transcript_lines_tail_and_cut);
	CU_add_test(s, "text progress", test_text_progress);
	CU_add_test(s, "text progress colour", test_text_progress_color);
	CU_add_test(s, "text report", test_text_report);
	CU_add_test(s, "json", test_json);
	CU_add_test(s, "json empty run", test_json_empty);
	CU_add_test(s, "junit", test_junit);
	CU_add_test(s, "tap exact", test_tap_exact);
	CU_add_test(s, "tap structure", test_tap_structure);
	CU_add_test(s, "write error", test_write_error);
	CU_add_test(s, "warnings in every format", test_warnings);
	return tu_run();
}
