/*
 * test_reply.c - CUnit tests of the SMTP reply parser (src/reply.c).
 *
 * One table of inputs with what reply_parse() must say about them.  Every
 * input is placed right before a PROT_NONE page (tu_guarded) so a read past
 * the length crashes; every prefix of every input is parsed as well: a
 * prefix of a valid reply must be INCOMPLETE, and a violation must show up
 * exactly on the shortest prefix that proves it, and stay the same after.
 */
#include <stdint.h>

#include "reply.h"
#include "testutil.h"

/* expected return when the whole input is one reply */
#define FULL ((ssize_t)-100)
#define IN(s) s, sizeof(s) - 1

struct rcase {
	const char *name;
	const char *in;
	size_t len;
	ssize_t ret;             /* consumed, FULL, REPLY_INCOMPLETE, REPLY_VIOLATION */
	enum reply_violation kind;
	size_t off, line;        /* violation position */
	int code;
	size_t n_lines;
	const char *enh;         /* expected enhanced code ("5.1.1"), NULL none */
	const char *text[6];     /* expected line texts (valid cases), NULL ends */
	size_t max_line, max_lines;
	unsigned flags;
};

#define OK(nm, s, c, nl, e, ...) \
	{ nm, IN(s), FULL, REPLY_OK, 0, 0, c, nl, e, { __VA_ARGS__ }, 0, 0, 0 }
#define BAD(nm, s, k, o, l) \
	{ nm, IN(s), REPLY_VIOLATION, k, o, l, 0, 0, NULL, { NULL }, 0, 0, 0 }

static const struct rcase cases[] = {
	/* valid replies */
	OK("single line", "250 OK\r\n", 250, 1, NULL, "OK"),
	OK("greeting", "220 mx.example.org ESMTP Postfix\r\n", 220, 1, NULL,
	    "mx.example.org ESMTP Postfix"),
	OK("bare code line (RFC 5321 4.2)", "250\r\n", 250, 1, NULL, ""),
	OK("SP with empty text", "250 \r\n", 250, 1, NULL, ""),
	OK("empty continuation text", "250-\r\n250 end\r\n", 250, 2, NULL,
	    "", "end"),
	OK("multi-line", "250-mx.example.org\r\n250-PIPELINING\r\n"
	    "250-SIZE 10240000\r\n250 8BITMIME\r\n", 250, 4, NULL,
	    "mx.example.org", "PIPELINING", "SIZE 10240000", "8BITMIME"),
	OK("multi-line ending in bare code", "214-help\r\n214\r\n", 214, 2, NULL,
	    "help", ""),
	OK("HT in text", "250 a\tb\r\n", 250, 1, NULL, "a\tb"),
	OK("enhanced code", "550 5.1.1 <x@y>: User unknown\r\n", 550, 1, "5.1.1",
	    "5.1.1 <x@y>: User unknown"),
	OK("enhanced code alone", "250 2.0.0\r\n", 250, 1, "2.0.0", "2.0.0"),
	OK("enhanced 3-digit parts", "452 4.5.300 x\r\n", 452, 1, "4.5.300",
	    "4.5.300 x"),
	OK("enhanced leading zero is text", "550 5.01.1 x\r\n", 550, 1, NULL,
	    "5.01.1 x"),
	OK("enhanced from first line only", "250-first\r\n250 2.0.0 ok\r\n",
	    250, 2, NULL, "first", "2.0.0 ok"),
	OK("lowest code", "200 x\r\n", 200, 1, NULL, "x"),
	OK("highest code", "559 x\r\n", 559, 1, NULL, "x"),
	OK("421 shutdown", "421 4.3.2 Service shutting down\r\n", 421, 1, "4.3.2",
	    "4.3.2 Service shutting down"),
	OK("8-bit allowed by default", "250 caf\xc3\xa9\r\n", 250, 1, NULL,
	    "caf\xc3\xa9"),
	OK("DEL-free punctuation", "250 !~\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}\r\n",
	    250, 1, NULL, "!~\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}"),
	OK("long ordinary text", "250 0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\r\n", 250, 1, NULL,
	    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
	/* pipelined replies: consumed stops after the first one */
	{ "pipelined: two replies", IN("250 one\r\n354 go\r\n"), 9, REPLY_OK, 0,
	    0, 250, 1, NULL, { "one" }, 0, 0, 0 },
	{ "pipelined: multi-line then single",
	    IN("250-a\r\n250 b\r\n550 5.1.1 no\r\n"), 14, REPLY_OK, 0, 0, 250,
	    2, NULL, { "a", "b" }, 0, 0, 0 },
	{ "pipelined: garbage after the reply is not read",
	    IN("221 bye\r\n\x01\x00garbage"), 9, REPLY_OK, 0, 0, 221, 1, NULL,
	    { "bye" }, 0, 0, 0 },

	/* violations, one or more per kind */
	BAD("short line", "25\r\n", REPLY_ERR_SHORT_LINE, 2, 1),
	BAD("empty line", "\r\n", REPLY_ERR_SHORT_LINE, 0, 1),
	BAD("short continuation", "250-a\r\n2\r\n", REPLY_ERR_SHORT_LINE, 8, 2),
	BAD("letter in code", "2x0 ok\r\n", REPLY_ERR_BAD_CODE, 1, 1),
	BAD("HT in code", "25\t ok\r\n", REPLY_ERR_BAD_CODE, 2, 1),
	BAD("8-bit in code", "\xc3\xa9\r\n", REPLY_ERR_BAD_CODE, 0, 1),
	BAD("leading space", " 250 ok\r\n", REPLY_ERR_BAD_CODE, 0, 1),
	BAD("first digit 1", "150 ok\r\n", REPLY_ERR_CODE_RANGE, 0, 1),
	BAD("first digit 6", "650 ok\r\n", REPLY_ERR_CODE_RANGE, 0, 1),
	BAD("first digit 0", "050 ok\r\n", REPLY_ERR_CODE_RANGE, 0, 1),
	BAD("second digit 6", "260 ok\r\n", REPLY_ERR_CODE_RANGE, 1, 1),
	BAD("second digit 9", "590 ok\r\n", REPLY_ERR_CODE_RANGE, 1, 1),
	BAD("range on continuation", "250-a\r\n190 b\r\n",
	    REPLY_ERR_CODE_RANGE, 7, 2),
	BAD("four-digit code", "2500 ok\r\n", REPLY_ERR_BAD_SEPARATOR, 3, 1),
	BAD("HT separator", "250\tok\r\n", REPLY_ERR_BAD_SEPARATOR, 3, 1),
	BAD("underscore separator", "250_ok\r\n", REPLY_ERR_BAD_SEPARATOR, 3, 1),
	BAD("code mismatch", "250-a\r\n251 b\r\n", REPLY_ERR_CODE_MISMATCH, 9, 2),
	BAD("code mismatch first digit", "250-a\r\n250-b\r\n550 c\r\n",
	    REPLY_ERR_CODE_MISMATCH, 14, 3),
	BAD("bare LF ends line", "250 ok\n", REPLY_ERR_BARE_LF, 6, 1),
	BAD("bare LF in continuation", "250-a\r\n250-b\n250 c\r\n",
	    REPLY_ERR_BARE_LF, 12, 2),
	BAD("bare LF after code", "250\n", REPLY_ERR_BARE_LF, 3, 1),
	BAD("bare LF in code", "25\n", REPLY_ERR_BARE_LF, 2, 1),
	BAD("bare CR in text", "250 a\rb\r\n", REPLY_ERR_BARE_CR, 5, 1),
	BAD("CR CR LF", "250 ok\r\r\n", REPLY_ERR_BARE_CR, 6, 1),
	BAD("bare CR after code", "250\rx", REPLY_ERR_BARE_CR, 3, 1),
	BAD("bare CR in code", "2\r0 ok\r\n", REPLY_ERR_BARE_CR, 1, 1),
	BAD("NUL in text", "250 a\0b\r\n", REPLY_ERR_NUL, 5, 1),
	BAD("NUL in code", "2\0" "0 ok\r\n", REPLY_ERR_NUL, 1, 1),
	BAD("NUL as separator", "250\0ok\r\n", REPLY_ERR_NUL, 3, 1),
	BAD("NUL at the very start", "\0", REPLY_ERR_NUL, 0, 1),
	BAD("control 0x01", "250 a\x01\r\n", REPLY_ERR_CONTROL, 5, 1),
	BAD("escape sequence", "250 \x1b[31mred\r\n", REPLY_ERR_CONTROL, 4, 1),
	BAD("DEL 0x7f", "250 a\x7f\r\n", REPLY_ERR_CONTROL, 5, 1),
	BAD("form feed", "250-ok\r\n250 \x0c\r\n", REPLY_ERR_CONTROL, 12, 2),
	BAD("vertical tab in code", "2\x0b", REPLY_ERR_CONTROL, 1, 1),
	BAD("control 0x1f", "250 abcdefghijklmnop\x1f\r\n", REPLY_ERR_CONTROL,
	    20, 1),
	/* 8-bit with REPLY_OPT_ASCII_ONLY */
	{ "8-bit rejected when ASCII only", IN("250 caf\xc3\xa9\r\n"),
	    REPLY_VIOLATION, REPLY_ERR_EIGHT_BIT, 7, 1, 0, 0, NULL, { NULL }, 0, 0,
	    REPLY_OPT_ASCII_ONLY },
	{ "0x80 late in a long line, ASCII only",
	    IN("250 abcdefghijklmnopqrstuvwxyz\x80\r\n"), REPLY_VIOLATION,
	    REPLY_ERR_EIGHT_BIT, 30, 1, 0, 0, NULL, { NULL }, 0, 0,
	    REPLY_OPT_ASCII_ONLY },
	{ "plain ASCII fine when ASCII only", IN("250 abcdefghijklmnop\r\n"),
	    FULL, REPLY_OK, 0, 0, 250, 1, NULL, { "abcdefghijklmnop" }, 0, 0,
	    REPLY_OPT_ASCII_ONLY },
	{ "0xff fine by default", IN("250 \xff\xfe\r\n"), FULL, REPLY_OK, 0, 0,
	    250, 1, NULL, { "\xff\xfe" }, 0, 0, 0 },
	/* control bytes (NUL too) taken as text with REPLY_OPT_TEXT_CONTROL;
	 * bare CR and LF stay violations */
	{ "escape sequence as text", IN("250 \x1b[2J\x07ok\r\n"), FULL, REPLY_OK, 0, 0,
	    250, 1, NULL, { "\x1b[2J\x07ok" }, 0, 0, REPLY_OPT_TEXT_CONTROL },
	{ "NUL in the code with text controls", IN("2\0" "0 ok\r\n"), REPLY_VIOLATION,
	    REPLY_ERR_BAD_CODE, 1, 1, 0, 0, NULL, { NULL }, 0, 0, REPLY_OPT_TEXT_CONTROL },
	{ "bare LF still refused with text controls", IN("250 a\nb\r\n"), REPLY_VIOLATION,
	    REPLY_ERR_BARE_LF, 5, 1, 0, 0, NULL, { NULL }, 0, 0, REPLY_OPT_TEXT_CONTROL },
	{ "control in the code with text controls", IN("2\x0b" "0 ok\r\n"), REPLY_VIOLATION,
	    REPLY_ERR_BAD_CODE, 1, 1, 0, 0, NULL, { NULL }, 0, 0, REPLY_OPT_TEXT_CONTROL },
	/* line cap: exactly at, one over */
	{ "line of exactly max_line", IN("250 abcd\r\n"), FULL, REPLY_OK, 0, 0,
	    250, 1, NULL, { "abcd" }, 10, 0, 0 },
	{ "line one over max_line", IN("250 abcde\r\n"), REPLY_VIOLATION,
	    REPLY_ERR_LINE_TOO_LONG, 8, 1, 0, 0, NULL, { NULL }, 10, 0, 0 },
	{ "second line one over max_line", IN("250-ab\r\n250 abcde\r\n"),
	    REPLY_VIOLATION, REPLY_ERR_LINE_TOO_LONG, 16, 2, 0, 0, NULL, { NULL },
	    10, 0, 0 },
	{ "endless partial line", IN("250 aaaaaaaaaaaaaaaaaaaa"),
	    REPLY_VIOLATION, REPLY_ERR_LINE_TOO_LONG, 14, 1, 0, 0, NULL, { NULL },
	    16, 0, 0 },
	{ "max_line 1: even a CR is too long", IN("\r\n"), REPLY_VIOLATION,
	    REPLY_ERR_LINE_TOO_LONG, 0, 1, 0, 0, NULL, { NULL }, 1, 0, 0 },
	{ "bare code at max_line 5", IN("250\r\n"), FULL, REPLY_OK, 0, 0, 250, 1,
	    NULL, { "" }, 5, 0, 0 },
	{ "bare code over max_line 4", IN("250\r\n"), REPLY_VIOLATION,
	    REPLY_ERR_LINE_TOO_LONG, 2, 1, 0, 0, NULL, { NULL }, 4, 0, 0 },
	{ "separator over max_line 5", IN("250 \r\n"), REPLY_VIOLATION,
	    REPLY_ERR_LINE_TOO_LONG, 3, 1, 0, 0, NULL, { NULL }, 5, 0, 0 },
	/* line count */
	{ "lines exactly at max_lines", IN("250-a\r\n250-b\r\n250 c\r\n"), FULL,
	    REPLY_OK, 0, 0, 250, 3, NULL, { "a", "b", "c" }, 0, 3, 0 },
	{ "one line over max_lines", IN("250-a\r\n250-b\r\n250 c\r\n"),
	    REPLY_VIOLATION, REPLY_ERR_TOO_MANY_LINES, 10, 2, 0, 0, NULL, { NULL },
	    0, 2, 0 },
	{ "max_lines 1 refuses any continuation", IN("250-a\r\n"),
	    REPLY_VIOLATION, REPLY_ERR_TOO_MANY_LINES, 3, 1, 0, 0, NULL, { NULL },
	    0, 1, 0 },

	/* incomplete inputs that are not prefixes of a table case above */
	{ "empty buffer", "", 0, REPLY_INCOMPLETE, 0, 0, 0, 0, 0, NULL, { NULL },
	    0, 0, 0 },
	{ "two digits", IN("25"), REPLY_INCOMPLETE, 0, 0, 0, 0, 0, NULL, { NULL },
	    0, 0, 0 },
	{ "code only", IN("354"), REPLY_INCOMPLETE, 0, 0, 0, 0, 0, NULL, { NULL },
	    0, 0, 0 },
	{ "CR last byte", IN("250 ok\r"), REPLY_INCOMPLETE, 0, 0, 0, 0, 0, NULL,
	    { NULL }, 0, 0, 0 },
	{ "continuation without end", IN("250-a\r\n250-b\r\n"),
	    REPLY_INCOMPLETE, 0, 0, 0, 0, 0, NULL, { NULL }, 0, 0, 0 },
	{ "partial line just under the cap", IN("250 aaaaaaaaaa"),
	    REPLY_INCOMPLETE, 0, 0, 0, 0, 0, NULL, { NULL }, 16, 0, 0 },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void
set_opts(const struct rcase *c, struct reply_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_line = c->max_line;
	o->max_lines = c->max_lines;
	o->flags = c->flags;
}

static ssize_t
parse_guarded(const char *in, size_t len, const struct reply_opts *o,
    struct reply *r, struct reply_line *lines, size_t cap,
    struct reply_error *e)
{
	struct tu_guard g;
	ssize_t n;
	char *p = tu_guarded(&g, in, len);

	memset(r, 0xa5, sizeof(*r));
	r->lines = lines;
	r->lines_cap = cap;
	memset(e, 0, sizeof(*e));
	n = reply_parse(p, len, o, r, e);
	/* line texts must point into the input; rebase them onto in[] so they
	 * stay readable after the guard is gone */
	if (n > 0) {
		for (size_t i = 0; i < r->n_lines && i < cap; i++) {
			CU_ASSERT(lines[i].text >= p && lines[i].text + lines[i].len <= p + n);
			lines[i].text = in + (lines[i].text - p);
		}
	}
	tu_unguard(&g);
	return n;
}

static void
check_case(const struct rcase *c)
{
	struct reply_opts o;
	struct reply r;
	struct reply_line lines[8];
	struct reply_error e;
	ssize_t n, want = c->ret == FULL ? (ssize_t)c->len : c->ret;
	size_t i;

	set_opts(c, &o);
	n = parse_guarded(c->in, c->len, &o, &r, lines, 8, &e);
	if (n != want)
		fprintf(stderr, "\ncase '%s': got %zd want %zd (kind %d off %zu)\n",
		    c->name, n, want, (int)e.kind, e.offset);
	CU_ASSERT_EQUAL_FATAL(n, want);
	if (want == REPLY_VIOLATION) {
		if (e.kind != c->kind || e.offset != c->off || e.line != c->line)
			fprintf(stderr, "\ncase '%s': kind %d off %zu line %zu, "
			    "want %d %zu %zu\n", c->name, (int)e.kind, e.offset,
			    e.line, (int)c->kind, c->off, c->line);
		CU_ASSERT_EQUAL(e.kind, c->kind);
		CU_ASSERT_EQUAL(e.offset, c->off);
		CU_ASSERT_EQUAL(e.line, c->line);
		return;
	}
	if (want == REPLY_INCOMPLETE)
		return;
	CU_ASSERT_EQUAL(r.code, c->code);
	CU_ASSERT_EQUAL(r.n_lines, c->n_lines);
	for (i = 0; i < c->n_lines && i < 6; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(c->text[i]);
		CU_ASSERT_EQUAL(lines[i].len, strlen(c->text[i]));
		CU_ASSERT(memcmp(lines[i].text, c->text[i], lines[i].len) == 0);
	}
	if (c->enh == NULL) {
		CU_ASSERT_EQUAL(r.enhanced.present, 0);
	} else {
		char got[32];
		CU_ASSERT_EQUAL(r.enhanced.present, 1);
		snprintf(got, sizeof(got), "%d.%d.%d", r.enhanced.klass,
		    r.enhanced.subject, r.enhanced.detail);
		CU_ASSERT_STRING_EQUAL(got, c->enh);
	}
}

static void
test_table(void)
{
	for (size_t i = 0; i < NCASES; i++)
		check_case(&cases[i]);
}

/*
 * Every prefix of every case.  For a reply: INCOMPLETE until the consumed
 * length, then the same answer.  For a violation: INCOMPLETE until the
 * shortest prefix that proves it (the offending byte, or the byte after a CR
 * for bare CR and short line), then the same violation.
 */
static void
test_prefixes(void)
{
	for (size_t i = 0; i < NCASES; i++) {
		const struct rcase *c = &cases[i];
		struct reply_opts o;
		struct reply r;
		struct reply_line lines[8];
		struct reply_error e;
		ssize_t want = c->ret == FULL ? (ssize_t)c->len : c->ret;
		size_t k, proof;

		set_opts(c, &o);
		if (want == REPLY_VIOLATION)
			proof = c->off + ((c->kind == REPLY_ERR_BARE_CR ||
			    c->kind == REPLY_ERR_SHORT_LINE) ? 2 : 1);
		else if (want > 0)
			proof = (size_t)want;
		else
			proof = c->len + 1;
		for (k = 0; k <= c->len; k++) {
			ssize_t n = parse_guarded(c->in, k, &o, &r, lines, 8, &e);
			if (k < proof) {
				if (n != REPLY_INCOMPLETE)
					fprintf(stderr, "\ncase '%s' prefix %zu: "
					    "got %zd (kind %d)\n", c->name, k, n,
					    (int)e.kind);
				CU_ASSERT_EQUAL(n, REPLY_INCOMPLETE);
			} else if (want == REPLY_VIOLATION) {
				CU_ASSERT_EQUAL(n, REPLY_VIOLATION);
				CU_ASSERT_EQUAL(e.kind, c->kind);
				CU_ASSERT_EQUAL(e.offset, c->off);
			} else {
				CU_ASSERT_EQUAL(n, want);
			}
		}
	}
}

/* Fed one byte at a time into a growing buffer, the way the engine reads:
 * every valid reply comes out once, at its full length. */
static void
test_byte_at_a_time(void)
{
	for (size_t i = 0; i < NCASES; i++) {
		const struct rcase *c = &cases[i];
		struct reply_opts o;
		struct reply r;
		struct reply_line lines[8];
		struct reply_error e;
		ssize_t n = REPLY_INCOMPLETE;
		size_t have = 0;

		if (c->ret != FULL && c->ret <= 0)
			continue;
		set_opts(c, &o);
		while (n == REPLY_INCOMPLETE && have < c->len) {
			have++;
			n = parse_guarded(c->in, have, &o, &r, lines, 8, &e);
		}
		CU_ASSERT_EQUAL(n, c->ret == FULL ? (ssize_t)c->len : c->ret);
		CU_ASSERT_EQUAL(have, (size_t)n);
		CU_ASSERT_EQUAL(r.code, c->code);
	}
}

/* A pipelined stream parsed reply after reply, the way the engine does. */
static void
test_pipelined_stream(void)
{
	static const char in[] =
	    "250 2.1.0 Ok\r\n"
	    "250 2.1.5 Ok\r\n"
	    "550-5.1.1 <nobody@example.org>: Recipient address rejected:\r\n"
	    "550 5.1.1 User unknown in local recipient table\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n";
	static const int codes[] = { 250, 250, 550, 354 };
	static const size_t nl[] = { 1, 1, 2, 1 };
	static const int enh[] = { 210, 215, 511, -1 };
	struct reply r;
	struct reply_line lines[4];
	struct reply_error e;
	size_t off = 0, k = 0;

	while (off < sizeof(in) - 1) {
		ssize_t n = parse_guarded(in + off, sizeof(in) - 1 - off, NULL, &r,
		    lines, 4, &e);
		CU_ASSERT_FATAL(n > 0);
		CU_ASSERT_FATAL(k < 4);
		CU_ASSERT_EQUAL(r.code, codes[k]);
		CU_ASSERT_EQUAL(r.n_lines, nl[k]);
		if (enh[k] < 0) {
			CU_ASSERT_EQUAL(r.enhanced.present, 0);
		} else {
			CU_ASSERT_EQUAL(r.enhanced.klass * 100 +
			    r.enhanced.subject * 10 + r.enhanced.detail, enh[k]);
		}
		off += (size_t)n;
		k++;
	}
	CU_ASSERT_EQUAL(k, 4);
	CU_ASSERT_EQUAL(off, sizeof(in) - 1);
}

/* lines_cap smaller than the reply: n_lines still counts all, only the first
 * lines_cap entries are written; NULL lines with cap 0 is fine. */
static void
test_lines_cap(void)
{
	static const char in[] = "250-a\r\n250-bb\r\n250-ccc\r\n250 dddd\r\n";
	struct reply_line lines[3];
	struct reply r;
	struct reply_error e;
	ssize_t n;

	memset(lines, 0, sizeof(lines));
	n = parse_guarded(in, sizeof(in) - 1, NULL, &r, lines, 2, &e);
	CU_ASSERT_EQUAL(n, (ssize_t)sizeof(in) - 1);
	CU_ASSERT_EQUAL(r.n_lines, 4);
	CU_ASSERT_EQUAL(lines[1].len, 2);
	CU_ASSERT(memcmp(lines[1].text, "bb", 2) == 0);
	CU_ASSERT_PTR_NULL(lines[2].text);
	CU_ASSERT_EQUAL(lines[2].len, 0);

	n = parse_guarded(in, sizeof(in) - 1, NULL, &r, NULL, 0, &e);
	CU_ASSERT_EQUAL(n, (ssize_t)sizeof(in) - 1);
	CU_ASSERT_EQUAL(r.n_lines, 4);
	CU_ASSERT_EQUAL(r.code, 250);

	/* out and err may be NULL */
	CU_ASSERT_EQUAL(reply_parse(in, sizeof(in) - 1, NULL, NULL, NULL),
	    (ssize_t)sizeof(in) - 1);
	CU_ASSERT_EQUAL(reply_parse("25x", 3, NULL, NULL, NULL), REPLY_VIOLATION);
}

/* Big inputs: the default cap, exactly at and over it, and an endless line
 * that the caller keeps growing. */
static void
test_default_cap(void)
{
	size_t max = REPLY_DEFAULT_MAX_LINE, big = 3 * max;
	char *in = malloc(big);
	struct reply_line lines[1];
	struct reply r;
	struct reply_error e;
	ssize_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	memset(in, 'x', big);
	memcpy(in, "250 ", 4);
	memcpy(in + max - 2, "\r\n", 2);
	n = parse_guarded(in, max, NULL, &r, lines, 1, &e);
	CU_ASSERT_EQUAL(n, (ssize_t)max);
	CU_ASSERT_EQUAL(lines[0].len, max - 6);

	/* one byte more */
	memset(in, 'x', big);
	memcpy(in, "250 ", 4);
	memcpy(in + max - 1, "\r\n", 2);
	n = parse_guarded(in, max + 1, NULL, &r, lines, 1, &e);
	CU_ASSERT_EQUAL(n, REPLY_VIOLATION);
	CU_ASSERT_EQUAL(e.kind, REPLY_ERR_LINE_TOO_LONG);
	CU_ASSERT_EQUAL(e.offset, max - 2);

	/* no line end at all: at most max_line - 2 bytes are ever pending */
	memset(in, 'x', big);
	memcpy(in, "250-", 4);
	n = parse_guarded(in, max - 2, NULL, &r, lines, 1, &e);
	CU_ASSERT_EQUAL(n, REPLY_INCOMPLETE);
	n = parse_guarded(in, big, NULL, &r, lines, 1, &e);
	CU_ASSERT_EQUAL(n, REPLY_VIOLATION);
	CU_ASSERT_EQUAL(e.kind, REPLY_ERR_LINE_TOO_LONG);
	CU_ASSERT_EQUAL(e.offset, max - 2);
	free(in);
}

/* Every byte value in the text of a reply, with and without ASCII_ONLY, at
 * every position modulo the 8-byte scan stride. */
static void
test_every_byte(void)
{
	char in[64];
	struct reply_opts o;
	struct reply r;
	struct reply_error e;

	for (int ascii = 0; ascii < 2; ascii++) {
		memset(&o, 0, sizeof(o));
		o.flags = ascii ? REPLY_OPT_ASCII_ONLY : 0;
		for (int b = 0; b < 256; b++) {
			for (size_t pos = 4; pos < 4 + 17; pos++) {
				enum reply_violation want = REPLY_OK;
				size_t len = 40;
				ssize_t n;

				memset(in, 'a', sizeof(in));
				memcpy(in, "250 ", 4);
				in[pos] = (char)b;
				memcpy(in + len - 2, "\r\n", 2);
				if (b == 0)
					want = REPLY_ERR_NUL;
				else if (b == '\n')
					want = REPLY_ERR_BARE_LF;
				else if (b == '\r')
					want = REPLY_ERR_BARE_CR;
				else if ((b < 0x20 && b != '\t') || b == 0x7f)
					want = REPLY_ERR_CONTROL;
				else if (b >= 0x80 && ascii)
					want = REPLY_ERR_EIGHT_BIT;
				n = parse_guarded(in, len, &o, &r, NULL, 0, &e);
				if (want == REPLY_OK) {
					CU_ASSERT_EQUAL(n, (ssize_t)len);
				} else {
					CU_ASSERT_EQUAL(n, REPLY_VIOLATION);
					CU_ASSERT_EQUAL(e.kind, want);
					CU_ASSERT_EQUAL(e.offset, pos);
				}
			}
		}
	}
}

struct ecase {
	const char *text;
	size_t len;
	int present, klass, subject, detail;
	size_t elen;
};

static const struct ecase ecases[] = {
	{ IN("5.1.1 User unknown"), 1, 5, 1, 1, 6 },
	{ IN("2.0.0"), 1, 2, 0, 0, 5 },
	{ IN("2.0.0 "), 1, 2, 0, 0, 6 },
	{ IN("4.7.1  two spaces"), 1, 4, 7, 1, 6 },
	{ IN("5.999.999 x"), 1, 5, 999, 999, 10 },
	{ IN("5.10.20 x"), 1, 5, 10, 20, 8 },
	{ IN("3.1.1 x"), 0, 0, 0, 0, 0 },
	{ IN("1.1.1"), 0, 0, 0, 0, 0 },
	{ IN("5.01.1 x"), 0, 0, 0, 0, 0 },
	{ IN("5.1.01 x"), 0, 0, 0, 0, 0 },
	{ IN("5.00.1"), 0, 0, 0, 0, 0 },
	{ IN("5.1000.1 x"), 0, 0, 0, 0, 0 },
	{ IN("5.1.1000"), 0, 0, 0, 0, 0 },
	{ IN("5.1.1x"), 0, 0, 0, 0, 0 },
	{ IN("5.1.1\tx"), 0, 0, 0, 0, 0 },
	{ IN("5.1.1.1"), 0, 0, 0, 0, 0 },
	{ IN("5.1"), 0, 0, 0, 0, 0 },
	{ IN("5.1."), 0, 0, 0, 0, 0 },
	{ IN("5..1 x"), 0, 0, 0, 0, 0 },
	{ IN("5,1.1 x"), 0, 0, 0, 0, 0 },
	{ IN("51.1.1 x"), 0, 0, 0, 0, 0 },
	{ IN(" 5.1.1 x"), 0, 0, 0, 0, 0 },
	{ IN("Ok"), 0, 0, 0, 0, 0 },
	{ IN(""), 0, 0, 0, 0, 0 },
};

static void
test_enhanced(void)
{
	for (size_t i = 0; i < sizeof(ecases) / sizeof(ecases[0]); i++) {
		const struct ecase *c = &ecases[i];
		struct reply_enhanced en;
		struct tu_guard g;
		char *p = tu_guarded(&g, c->text, c->len);
		int ret;

		memset(&en, 0x5a, sizeof(en));
		ret = reply_parse_enhanced(p, c->len, &en);
		if (ret != c->present)
			fprintf(stderr, "\nenhanced '%s': got %d\n", c->text, ret);
		CU_ASSERT_EQUAL(ret, c->present);
		CU_ASSERT_EQUAL(en.present, c->present);
		if (c->present) {
			CU_ASSERT_EQUAL(en.klass, c->klass);
			CU_ASSERT_EQUAL(en.subject, c->subject);
			CU_ASSERT_EQUAL(en.detail, c->detail);
			CU_ASSERT_EQUAL(en.len, c->elen);
		}
		/* every prefix of a present code that still ends in a digit
		 * is read without over-reading */
		for (size_t k = 0; k < c->len; k++) {
			struct tu_guard g2;
			char *q = tu_guarded(&g2, c->text, k);
			(void)reply_parse_enhanced(q, k, &en);
			tu_unguard(&g2);
		}
		tu_unguard(&g);
	}
}

static void
test_violation_str(void)
{
	const char *seen[REPLY_ERR_TOO_MANY_LINES + 1];

	for (int v = REPLY_OK; v <= REPLY_ERR_TOO_MANY_LINES; v++) {
		const char *s = reply_violation_str((enum reply_violation)v);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT(strlen(s) > 0);
		for (int k = 0; k < v; k++)
			CU_ASSERT(strcmp(seen[k], s) != 0);
		seen[v] = s;
	}
	CU_ASSERT_STRING_EQUAL(reply_violation_str(REPLY_ERR_BARE_LF),
	    "bare LF in reply");
}

/* reply_has_control: every control byte but HT, CR and LF; no byte past len. */
static void
test_has_control(void)
{
	CU_ASSERT_EQUAL(reply_has_control("250 ok\r\n", 8), 0);
	CU_ASSERT_EQUAL(reply_has_control("250 a\tb\r\n", 9), 0);
	CU_ASSERT_EQUAL(reply_has_control("250 \x1b[0m\r\n", 10), 1);
	CU_ASSERT_EQUAL(reply_has_control("250 \x7f\r\n", 7), 1);
	CU_ASSERT_EQUAL(reply_has_control("250 \x01", 4), 0);
	CU_ASSERT_EQUAL(reply_has_control("", 0), 0);
	CU_ASSERT_EQUAL(reply_has_control("250 a\0b", 8), 1);
	/* A NUL in the text is text with REPLY_OPT_TEXT_CONTROL. */
	struct reply_line lines[2];
	struct reply r = { .lines = lines, .lines_cap = 2 };
	struct reply_error err;
	struct reply_opts o = { .flags = REPLY_OPT_TEXT_CONTROL };
	CU_ASSERT_EQUAL(reply_parse("250 a\0b\r\n", 9, &o, &r, &err), 9);
	CU_ASSERT_EQUAL(r.code, 250);
	CU_ASSERT_EQUAL(lines[0].len, 3);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("reply", NULL, NULL);
	if (s == NULL ||
	    CU_add_test(s, "table", test_table) == NULL ||
	    CU_add_test(s, "every prefix", test_prefixes) == NULL ||
	    CU_add_test(s, "byte at a time", test_byte_at_a_time) == NULL ||
	    CU_add_test(s, "pipelined stream", test_pipelined_stream) == NULL ||
	    CU_add_test(s, "lines_cap", test_lines_cap) == NULL ||
	    CU_add_test(s, "default line cap", test_default_cap) == NULL ||
	    CU_add_test(s, "every byte value", test_every_byte) == NULL ||
	    CU_add_test(s, "enhanced status codes", test_enhanced) == NULL ||
	    CU_add_test(s, "violation strings", test_violation_str) == NULL ||
	    CU_add_test(s, "control bytes", test_has_control) == NULL) {
		CU_cleanup_registry();
		return 2;
	}
	return tu_run();
}
