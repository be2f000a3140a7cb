/*
 * fuzz_reply.c - the reply parser (src/reply.h), differential: the same
 * bytes parsed whole and parsed as they would arrive from a socket, in
 * chunks cut at input-chosen points, must give the same replies (code,
 * lines, enhanced code) and the same diagnosis (kind, offset, line).  That
 * is the parser's promise that a prefix of a valid reply is always
 * REPLY_INCOMPLETE and that a violation shows on the shortest prefix.
 *
 * Input: byte 0 picks the options (ASCII only, a small max_line, a
 * max_lines), byte 1 the number of cut points k (0-15) and (bit 4) control
 * bytes taken as text, the next k bytes
 * the chunk lengths; the rest is the server's byte stream.
 */
#include <string.h>

#include "fuzz.h"
#include "reply.h"

#define MAX_REPLIES	256
#define LINES_CAP	8

struct seen {
	int code;
	size_t n_lines, used;
	size_t line_len[LINES_CAP];
	size_t line_off[LINES_CAP]; /* offset of the text from the reply start */
	struct reply_enhanced enh;
};

struct outcome {
	size_t n;
	struct seen r[MAX_REPLIES];
	ssize_t last;              /* REPLY_INCOMPLETE or REPLY_VIOLATION */
	struct reply_error err;    /* offset relative to the reply's start */
	size_t rest;               /* bytes left unparsed */
};

static struct outcome whole, split;

/* Parse as many replies as buf[0..len) holds from *pos on, appending to o.
 * Returns 1 when stopped by a violation or the reply cap. */
static FUZZ_UNTRACED int
drain(const char *buf, size_t len, size_t *pos, const struct reply_opts *opts,
    struct outcome *o)
{
	while (o->n < MAX_REPLIES) {
		struct reply_line lines[LINES_CAP];
		struct reply r = { .lines = lines, .lines_cap = LINES_CAP };
		struct reply_error err = { 0 };
		const char *start = buf + *pos;
		size_t avail = len - *pos;
		ssize_t n = reply_parse(start, avail, opts, &r, &err);

		if (n == REPLY_INCOMPLETE) {
			o->last = n;
			return 0;
		}
		if (n == REPLY_VIOLATION) {
			FUZZ_CHECK(err.kind != REPLY_OK, "violation without a kind");
			FUZZ_CHECK(err.offset < avail, "violation offset %zu past %zu",
			    err.offset, avail);
			FUZZ_CHECK(err.line >= 1, "violation on line 0");
			o->last = n;
			o->err = err;
			return 1;
		}
		FUZZ_CHECK(n > 0 && (size_t)n <= avail, "consumed %zd of %zu", n, avail);
		FUZZ_CHECK(r.code >= 200 && r.code <= 599, "code %d", r.code);
		FUZZ_CHECK(r.n_lines >= 1, "no lines");
		FUZZ_CHECK(start[n - 2] == '\r' && start[n - 1] == '\n', "no CRLF at the end");
		struct seen *s = &o->r[o->n++];
		memset(s, 0, sizeof(*s));
		s->code = r.code;
		s->n_lines = r.n_lines;
		s->used = (size_t)n;
		s->enh = r.enhanced;
		for (size_t i = 0; i < r.n_lines && i < LINES_CAP; i++) {
			FUZZ_CHECK(lines[i].text >= start && lines[i].text + lines[i].len <= start + n,
			    "line %zu outside the reply", i);
			FUZZ_CHECK(memchr(lines[i].text, '\n', lines[i].len) == NULL, "LF in line text");
			s->line_len[i] = lines[i].len;
			s->line_off[i] = (size_t)(lines[i].text - start);
		}
		if (r.enhanced.present) {
			struct reply_enhanced e2;
			FUZZ_CHECK(r.enhanced.klass == 2 || r.enhanced.klass == 4 ||
			    r.enhanced.klass == 5, "enhanced class %d", r.enhanced.klass);
			FUZZ_CHECK(reply_parse_enhanced(lines[0].text, lines[0].len, &e2) == 1,
			    "enhanced code not found again");
			FUZZ_CHECK(r.enhanced.len <= lines[0].len, "enhanced code too long");
		}
		*pos += (size_t)n;
	}
	o->last = 0;
	return 1;
}

static FUZZ_UNTRACED void
same(const struct outcome *a, const struct outcome *b)
{
	FUZZ_CHECK(a->n == b->n, "whole %zu replies, split %zu", a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct seen *x = &a->r[i], *y = &b->r[i];
		FUZZ_CHECK(x->code == y->code && x->n_lines == y->n_lines && x->used == y->used,
		    "reply %zu differs: %d/%zu/%zu vs %d/%zu/%zu", i, x->code, x->n_lines,
		    x->used, y->code, y->n_lines, y->used);
		FUZZ_CHECK(memcmp(x->line_len, y->line_len, sizeof(x->line_len)) == 0 &&
		    memcmp(x->line_off, y->line_off, sizeof(x->line_off)) == 0,
		    "reply %zu: lines differ", i);
		FUZZ_CHECK(x->enh.present == y->enh.present && x->enh.klass == y->enh.klass &&
		    x->enh.subject == y->enh.subject && x->enh.detail == y->enh.detail &&
		    x->enh.len == y->enh.len, "reply %zu: enhanced code differs", i);
	}
	FUZZ_CHECK(a->last == b->last, "whole ends in %zd, split in %zd", a->last, b->last);
	if (a->last == REPLY_VIOLATION)
		FUZZ_CHECK(a->err.kind == b->err.kind && a->err.offset == b->err.offset &&
		    a->err.line == b->err.line,
		    "diagnosis differs: whole %s at %zu line %zu, split %s at %zu line %zu",
		    reply_violation_str(a->err.kind), a->err.offset, a->err.line,
		    reply_violation_str(b->err.kind), b->err.offset, b->err.line);
	FUZZ_CHECK(reply_violation_str(a->err.kind) != NULL, "no description");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply_opts opts = { 0 };
	size_t cuts[16], k, i, pos;

	if (size < 2)
		return 0;
	if (data[0] & 1)
		opts.flags |= REPLY_OPT_ASCII_ONLY;
	if (data[0] & 2)
		opts.max_line = 3 + (data[0] >> 3);   /* 3..34: the edge cases */
	if (data[0] & 4)
		opts.max_lines = 1 + (data[0] >> 5);  /* 1..8 */
	if (data[1] & 16)
		opts.flags |= REPLY_OPT_TEXT_CONTROL;
	k = data[1] & 15;
	if (size < 2 + k)
		return 0;
	for (i = 0; i < k; i++)
		cuts[i] = data[2 + i];
	const char *stream = (const char *)data + 2 + k;
	size_t len = size - 2 - k;

	/* Whole: everything at once. */
	/* Only the counters: zeroing the whole struct (44 KB) would cost
	 * more than the parsing. */
	whole.n = split.n = 0;
	memset(&whole.err, 0, sizeof(whole.err));
	memset(&split.err, 0, sizeof(split.err));
	pos = 0;
	drain(stream, len, &pos, &opts, &whole);
	whole.rest = len - pos;

	/* Split: a receive buffer that grows chunk by chunk; what was parsed
	 * is dropped from its front, as the engine does.  Each step's bytes
	 * sit in a buffer whose every other byte is poisoned (fuzz.h), so
	 * ASan catches a read past what has arrived, or before it. */
	size_t got = 0, base = 0, c = 0;
	int stop = 0;
	while (!stop) {
		size_t chunk = c < k ? cuts[c++] : len - got;
		if (chunk > len - got)
			chunk = len - got;
		got += chunk;
		size_t have = got - base;
		char *copy = fuzz_window(stream + base, have);
		pos = 0;
		stop = drain(copy, have, &pos, &opts, &split);
		base += pos;
		if (got == len)
			break;
	}
	(void)stop;
	split.rest = len - base;
	same(&whole, &split);
	if (whole.last != REPLY_VIOLATION)
		FUZZ_CHECK(whole.rest == split.rest, "rest %zu vs %zu", whole.rest, split.rest);
	return 0;
}
