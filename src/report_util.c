/* report_util.c - the helpers every report writer shares: counts, level
 * and status names, safe strings, numbers, the readable transcript layout
 * and the XML escaper.  It calls no writer. */
#include "report_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Raw bytes of one transcript line shown before it is cut. */
#define REP_LINE_BYTES 256

static int
dev_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rep_deviation *)a)->id, ((const struct rep_deviation *)b)->id);
}

struct rep_deviation *
rep_deviations(const struct rep_run *run, size_t *n)
{
	struct rep_deviation *d = NULL;
	*n = 0;
	for (size_t i = 0; i < run->n; i++) {
		const struct res_result *r = &run->results[i];
		if ((r->status != RES_FAIL && r->status != RES_XFAIL) || !r->rule_id)
			continue;
		size_t k = 0;
		while (k < *n && strcmp(d[k].id, r->rule_id) != 0)
			k++;
		if (k == *n) {
			d = xrealloc(d, (*n + 1) * sizeof(*d));
			d[k] = (struct rep_deviation){ .id = r->rule_id, .ref = r->rule_ref,
				.quote = r->rule_quote, .level = rep_rule_level(r),
				.area = cat_area_of(r->rule_id) };
			(*n)++;
		}
		d[k].count++;
		if (r->status == RES_FAIL)
			d[k].fail++;
		else
			d[k].xfail++;
	}
	if (*n > 1)
		qsort(d, *n, sizeof(*d), dev_cmp);
	return d;
}

enum scn_level
rep_rule_level(const struct res_result *r)
{
	const char *q = r->rule_quote ? r->rule_quote : "";
	int strong = scn_quote_has(q, 0), weak = scn_quote_has(q, 1);
	if (strong != weak)
		return strong ? SCN_MUST : SCN_SHOULD;
	if (r->scn != NULL && r->scn->level == SCN_SHOULD)
		return SCN_SHOULD;
	return SCN_MUST;
}

const struct cat_area *
rep_result_area(const struct res_result *r)
{
	const struct scn *s = r->scn;
	const struct cat_area *a;
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < s->n_rules; i++)
		if ((a = cat_area_of(s->rules[i].id)) != NULL)
			return a;
	for (size_t i = 0; i < s->n_refs; i++)
		if (scn_ref_is_catalogue_id(s->refs[i]) && (a = cat_area_of(s->refs[i])) != NULL)
			return a;
	return NULL;
}

const char *
rep_ref_rfc(const char *ref, char *buf, size_t size)
{
	size_t n = 0;
	const char *sp = ref ? strchr(ref, ' ') : NULL;
	if (sp != NULL) {
		const char *end = strchr(sp + 1, ' ');
		n = end ? (size_t)(end - ref) : strlen(ref);
	}
	if (n >= size)
		n = size - 1;
	memcpy(buf, ref ? ref : "", n);
	buf[n] = '\0';
	return buf;
}

const char *
rep_phase(const struct res_result *r)
{
	if (r->step <= 0)
		return "opening";
	if (r->scn && (size_t)r->step > r->scn->n_steps)
		return "teardown";
	return "steps";
}

void
rep_count(const struct rep_run *run, struct rep_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < run->n; i++) {
		c->total++;
		if (run->results[i].n_warnings)
			c->warned++;
		switch (run->results[i].status) {
		case RES_PASS:
			c->pass++;
			break;
		case RES_FAIL:
			c->fail++;
			break;
		case RES_SKIP:
			c->skip++;
			break;
		case RES_ERROR:
			c->error++;
			break;
		case RES_XFAIL:
			c->xfail++;
			break;
		case RES_XPASS:
			c->xpass++;
			break;
		}
	}
}

int
rep_has_step(enum res_status s)
{
	switch (s) {
	case RES_FAIL:
	case RES_ERROR:
	case RES_XFAIL:
		return 1;
	case RES_PASS:
	case RES_SKIP:
	case RES_XPASS:
		return 0;
	}
	return 0;
}

const char *
rep_level_name(enum scn_level l)
{
	switch (l) {
	case SCN_MUST:
		return "must";
	case SCN_SHOULD:
		return "should";
	case SCN_MAY:
		return "may";
	}
	return "?";
}

const char *
rep_status_lower(enum res_status s)
{
	switch (s) {
	case RES_PASS:
		return "pass";
	case RES_FAIL:
		return "fail";
	case RES_SKIP:
		return "skip";
	case RES_ERROR:
		return "error";
	case RES_XFAIL:
		return "xfail";
	case RES_XPASS:
		return "xpass";
	}
	return "?";
}

void
rep_clean(struct buf *out, const char *s)
{
	const char *bs;

	if (s == NULL)
		return;
	/* res_render() everything but the backslashes, which stay single. */
	while ((bs = strchr(s, '\\')) != NULL) {
		res_render(out, s, (size_t)(bs - s));
		buf_append(out, "\\", 1);
		s = bs + 1;
	}
	res_render(out, s, strlen(s));
}

void
rep_secs(struct buf *out, double secs, int decimals)
{
	long long scale = 1, v;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	/* printf's %f would follow the locale's decimal point; reports must
	 * not.  NaN fails every comparison, so it lands on 0 too. */
	if (!(secs >= 0) || !isfinite(secs))
		secs = 0;
	if (secs > 1e9)
		secs = 1e9;
	v = (long long)(secs * (double)scale + 0.5);
	/* Digits by hand: one per transcript line, and buf_printf() (two
	 * vsnprintf) was a third of the JSON writer's time in a profile. */
	char tmp[32], *p = tmp + sizeof(tmp);
	for (int i = 0; i < decimals; i++, v /= 10)
		*--p = (char)('0' + v % 10);
	if (decimals > 0)
		*--p = '.';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	buf_append(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* Lines of data in one event: split after each LF; a final fragment without
 * LF (or an empty event) is a line too. */
static size_t
rep_ev_lines(const struct res_event *e)
{
	size_t n = 0;

	for (size_t i = 0; i < e->len; i++)
		if (e->data[i] == '\n')
			n++;
	if (e->len == 0 || e->data[e->len - 1] != '\n')
		n++;
	return n;
}

static const char *
rep_dir_prefix(char dir)
{
	switch (dir) {
	case RES_DIR_CLIENT:
		return "C: ";
	case RES_DIR_SERVER:
		return "S: ";
	case RES_DIR_NOTE:
		return "*  ";
	}
	return "?  ";
}

/* Render one line of an event: seg[0..len) includes its LF if it has one. */
static char *
rep_format_line(const struct res_event *e, const char *seg, size_t len)
{
	struct buf b;
	const char *mark = NULL;
	size_t shown = len;

	buf_init(&b);
	buf_puts(&b, "+");
	rep_secs(&b, e->t, 3);
	buf_puts(&b, "s ");
	buf_puts(&b, rep_dir_prefix(e->dir));
	if (e->dir == RES_DIR_NOTE) {
		/* The harness's own words: the line end carries nothing. */
		if (shown > 0 && seg[shown - 1] == '\n')
			shown--;
	} else if (shown >= 2 && seg[shown - 2] == '\r' &&
	    seg[shown - 1] == '\n') {
		/* CRLF is the norm (RFC 5321 2.3.8); only deviations show. */
		shown -= 2;
	} else if (shown == 0 || seg[shown - 1] != '\n') {
		mark = " [no line end]";
	}
	if (shown > REP_LINE_BYTES) {
		res_render(&b, seg, REP_LINE_BYTES);
		buf_printf(&b, " ... [%zu more bytes]", shown - REP_LINE_BYTES);
	} else {
		res_render(&b, seg, shown);
		if (mark)
			buf_puts(&b, mark);
	}
	return buf_steal(&b, NULL);
}

static void
rep_lines_push(struct rep_lines *l, char *s)
{
	l->line = xrealloc(l->line, (l->n + 1) * sizeof(*l->line));
	l->line[l->n++] = s;
}

void
rep_transcript_lines(struct rep_lines *out, const struct res_transcript *tr,
    size_t tail)
{
	size_t total = 0, start = 0, idx = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < tr->n; i++)
		total += rep_ev_lines(&tr->ev[i]);
	if (tail > 0 && total > tail)
		start = total - tail;
	out->omitted = start;
	for (size_t i = 0; i < tr->n; i++) {
		const struct res_event *e = &tr->ev[i];
		size_t nl = rep_ev_lines(e);
		size_t off = 0;

		if (idx + nl <= start) {
			idx += nl;
			continue;
		}
		for (size_t k = 0; k < nl; k++, idx++) {
			const char *lf = off < e->len ?
			    memchr(e->data + off, '\n', e->len - off) : NULL;
			size_t end = lf ? (size_t)(lf - e->data) + 1 : e->len;

			if (idx >= start)
				rep_lines_push(out, rep_format_line(e,
				    e->data + off, end - off));
			off = end;
		}
	}
	if (tr->dropped > 0)
		rep_lines_push(out, xasprintf("*  %zu more bytes not kept "
		    "(the limit is %zu)", tr->dropped,
		    tr->limit >= RES_TRANSCRIPT_MIN ? tr->limit : (size_t)RES_TRANSCRIPT_MAX));
}

void
rep_lines_free(struct rep_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->line[i]);
	free(l->line);
	memset(l, 0, sizeof(*l));
}

int
rep_flush(FILE *f, struct buf *b)
{
	int rc = 0;

	if (b->len > 0 && fwrite(b->data, 1, b->len, f) != b->len)
		rc = -1;
	buf_reset(b);
	return rc;
}

void
rep_xml_escape(struct buf *b, const char *s, size_t len, enum rep_xml_ctx ctx)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\'':
			buf_puts(b, ctx == REP_XML_HTML ? "&#39;" : "&apos;");
			break;
		case '\n':
			if (ctx == REP_XML_TEXT)
				buf_append(b, "\n", 1);
			else
				buf_puts(b, "&#10;");
			break;
		default:
			if (c >= 0x20 && c <= 0x7e)
				buf_append(b, &s[i], 1);
			else
				res_render(b, &s[i], 1);
			break;
		}
	}
}

/* s[0..len) as a JSON string body; controls as \u00XX.  The input is
 * printable ASCII already; anything else is escaped rather than trusted. */
void
rep_json_escape(struct buf *b, const char *s, size_t len)
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
