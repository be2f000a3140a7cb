/*
 * reply.c - incremental, allocation-free SMTP reply parser.
 *
 * Grammar (RFC 5321 4.2, 4.2.1; 4.2 says clients must also accept a bare
 * code without SP and text, and an empty text after SP):
 *
 *   Reply     = *( Reply-code "-" [ textstring ] CRLF )
 *               Reply-code [ SP [ textstring ] ] CRLF
 *   Reply-code = %x32-35 %x30-35 %x30-39      ; same on every line
 *   textstring = 1*( %d09 / %d32-126 )        ; 8-bit tolerated unless
 *                                             ; REPLY_OPT_ASCII_ONLY
 *
 * One left-to-right pass over buf[0..len) with no state kept between calls:
 * the caller calls again from the start of the reply when more bytes came.
 * Each byte is judged as soon as it is seen, so a violation is reported on
 * the shortest prefix that proves it (a bare CR and a short line need the
 * byte after the CR).  For one byte the checks run in this order: byte class
 * (NUL, bare CR, bare LF, other control, 8-bit), line length, then its role
 * in the code or separator.
 *
 * Line length: a line of L bytes including CRLF is too long when
 * L > max_line.  An ordinary byte at 0-based position q of a line proves a
 * length of at least q + 3 (it is followed by CR and LF), a CR at q a length
 * of q + 2, so an endless line is cut after max_line - 2 bytes, before the
 * caller has to buffer more than max_line.
 */
#include "reply.h"

#include <stdint.h>
#include <string.h>

/* Byte classes for the scan; a text byte with none of the masked bits set is
 * ordinary. */
#define C_CR	0x01
#define C_LF	0x02
#define C_NUL	0x04
#define C_CTL	0x08	/* controls except HT, CR, LF, NUL; and DEL */
#define C_8BIT	0x10

#define R4(x)	x, x, x, x
#define R16(x)	R4(x), R4(x), R4(x), R4(x)

static const unsigned char cls[256] = {
	/* 0x00 */ C_NUL, C_CTL, C_CTL, C_CTL, C_CTL, C_CTL, C_CTL, C_CTL,
	/* 0x08 */ C_CTL, 0, C_LF, C_CTL, C_CTL, C_CR, C_CTL, C_CTL,
	/* 0x10 */ R16(C_CTL),
	/* 0x20 */ R16(0), R16(0), R16(0), R16(0), R16(0),
	/* 0x70 */ R4(0), R4(0), R4(0), 0, 0, 0, C_CTL,
	/* 0x80 */ R16(C_8BIT), R16(C_8BIT), R16(C_8BIT), R16(C_8BIT),
	/* 0xc0 */ R16(C_8BIT), R16(C_8BIT), R16(C_8BIT), R16(C_8BIT),
};

#define SCAN_INCOMPLETE	(-1)
#define SCAN_EOL	0	/* a CRLF starts here */

#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)

/*
 * First byte in [p, stop) whose class is in mask, or stop (p itself when
 * p >= stop).  Eight bytes at a time: a word without any byte < 0x20, without
 * 0x7f and (ASCII-only) without a high bit holds no special byte.  The test
 * is exact for "none"; a word that may hold one (an HT is flagged too) is
 * walked byte by byte.  Reads stay inside [p, stop).
 */
static const unsigned char *
scan_text(const unsigned char *p, const unsigned char *stop, unsigned mask)
{
	uint64_t w, d, t;
	size_t i, k;

	while (p < stop) {
		k = (size_t)(stop - p);
		if (k >= 8) {
			memcpy(&w, p, 8);
			d = w ^ (ONES * 0x7f);
			t = ((w - ONES * 0x20) & ~w) | ((d - ONES) & ~d);
			if (mask & C_8BIT)
				t |= w;
			if ((t & HIGHS) == 0) {
				p += 8;
				continue;
			}
			k = 8;
		}
		for (i = 0; i < k; i++)
			if (cls[p[i]] & mask)
				return p + i;
		p += k;
	}
	return p;
}

/*
 * Judge the byte at p (position q in its line) whose class is in mask.
 * Returns SCAN_EOL when it is the CR of a CRLF, SCAN_INCOMPLETE when it is a
 * CR at the end of the buffer, else the violation.
 */
static int
special(const unsigned char *p, const unsigned char *end, size_t q,
    size_t max_line)
{
	switch (cls[*p]) {
	case C_CR:
		if (q + 2 > max_line)
			return REPLY_ERR_LINE_TOO_LONG;
		if (p + 1 == end)
			return SCAN_INCOMPLETE;
		/* RFC 5321 2.3.8: only CRLF ends a line. */
		return p[1] == '\n' ? SCAN_EOL : REPLY_ERR_BARE_CR;
	case C_LF:
		return REPLY_ERR_BARE_LF;
	case C_NUL:
		return REPLY_ERR_NUL;
	case C_CTL:
		return REPLY_ERR_CONTROL;
	case C_8BIT:
		return REPLY_ERR_EIGHT_BIT;
	}
	return REPLY_ERR_CONTROL; /* not reached: the caller masked a class */
}

int
reply_has_control(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (cls[(unsigned char)buf[i]] & (C_CTL | C_NUL))
			return 1;
	return 0;
}

ssize_t
reply_parse(const char *buf, size_t len, const struct reply_opts *opts,
    struct reply *out, struct reply_error *err)
{
	const unsigned char *base = (const unsigned char *)buf;
	const unsigned char *end = base + len, *ls, *p, *stop;
	const unsigned char *first_text = NULL;
	size_t first_len = 0, max_line = REPLY_DEFAULT_MAX_LINE, max_lines = 0;
	size_t nline, q;
	unsigned mask = C_CR | C_LF | C_NUL | C_CTL;
	unsigned char code[3] = { 0, 0, 0 }, c;
	struct reply dummy;
	int r, final;

	if (opts != NULL) {
		if (opts->max_line != 0)
			max_line = opts->max_line;
		max_lines = opts->max_lines;
		if (opts->flags & REPLY_OPT_ASCII_ONLY)
			mask |= C_8BIT;
		if (opts->flags & REPLY_OPT_TEXT_CONTROL)
			mask &= ~(unsigned)(C_CTL | C_NUL);
	}
	if (out == NULL) {
		memset(&dummy, 0, sizeof(dummy));
		out = &dummy;
	}

	for (ls = base, nline = 1;; ls = p + 2, nline++) {
		if ((size_t)(end - ls) >= 4 && max_line >= 6 &&
		    (unsigned)(ls[0] - '2') <= 3 && (unsigned)(ls[1] - '0') <= 5 &&
		    (unsigned)(ls[2] - '0') <= 9 &&
		    (ls[3] == ' ' || ls[3] == '-') &&
		    (nline == 1 || memcmp(ls, code, 3) == 0)) {
			/* The common case: a well-formed "DDD-" or "DDD ". */
			if (nline == 1)
				memcpy(code, ls, 3);
			p = ls + 3;
			c = *p;
		} else {
			/* Reply code: three digits, 2-5 then 0-5 then 0-9
			 * (RFC 5321 4.2), the same on every line (4.2.1). */
			for (q = 0; q < 3; q++) {
				p = ls + q;
				if (p == end)
					return REPLY_INCOMPLETE;
				c = *p;
				if (cls[c] & mask) {
					r = special(p, end, q, max_line);
					if (r == SCAN_INCOMPLETE)
						return REPLY_INCOMPLETE;
					goto fail_r;
				}
				if (q + 3 > max_line) {
					r = REPLY_ERR_LINE_TOO_LONG;
					goto fail_r;
				}
				if (c < '0' || c > '9') {
					r = REPLY_ERR_BAD_CODE;
					goto fail_r;
				}
				if ((q == 0 && (c < '2' || c > '5')) ||
				    (q == 1 && c > '5')) {
					r = REPLY_ERR_CODE_RANGE;
					goto fail_r;
				}
				if (nline == 1)
					code[q] = c;
				else if (code[q] != c) {
					r = REPLY_ERR_CODE_MISMATCH;
					goto fail_r;
				}
			}

			/* Separator: '-' (more lines), SP (last line) or
			 * CRLF (a bare last line, RFC 5321 4.2). */
			p = ls + 3;
			if (p == end)
				return REPLY_INCOMPLETE;
			c = *p;
			if (c != '-' && c != ' ') {
				if (!(cls[c] & mask)) {
					r = REPLY_ERR_BAD_SEPARATOR;
					goto fail_r;
				}
				r = special(p, end, 3, max_line);
				if (r == SCAN_INCOMPLETE)
					return REPLY_INCOMPLETE;
				if (r != SCAN_EOL)
					goto fail_r;
				final = 1;
				goto eol;
			}
			if (3 + 3 > max_line) {
				r = REPLY_ERR_LINE_TOO_LONG;
				goto fail_r;
			}
		}
		final = c == ' ';
		if (!final && max_lines != 0 && nline >= max_lines) {
			r = REPLY_ERR_TOO_MANY_LINES;
			goto fail_r;
		}
		p++;

		/* Text up to CRLF.  Ordinary bytes may run up to position
		 * max_line - 3; from max_line - 2 on only a CR may come (here
		 * max_line >= 6, so stop is not before p). */
		if ((size_t)(end - ls) > max_line - 2)
			stop = ls + (max_line - 2);
		else
			stop = end;
		p = scan_text(p, stop, mask);
		if (p == end)
			return REPLY_INCOMPLETE;
		if (*p == '\r' && p + 1 < end && p[1] == '\n')
			goto eol; /* p <= stop: the length is fine */
		if (!(cls[*p] & mask)) {
			r = REPLY_ERR_LINE_TOO_LONG;
			goto fail_r;
		}
		r = special(p, end, (size_t)(p - ls), max_line);
		if (r == SCAN_INCOMPLETE)
			return REPLY_INCOMPLETE;
		if (r != SCAN_EOL)
			goto fail_r;

eol:
		/* p is at the CR of this line's CRLF. */
		q = (size_t)(p - ls);
		if (nline == 1) {
			first_text = ls + (q > 3 ? 4 : 3);
			first_len = q > 3 ? q - 4 : 0;
		}
		if (nline - 1 < out->lines_cap && out->lines != NULL) {
			out->lines[nline - 1].text = (const char *)ls + (q > 3 ? 4 : 3);
			out->lines[nline - 1].len = q > 3 ? q - 4 : 0;
		}
		if (final)
			break;
	}

	out->code = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
	out->n_lines = nline;
	reply_parse_enhanced((const char *)first_text, first_len, &out->enhanced);
	return (ssize_t)(p + 2 - base);

fail_r:
	/* A SCAN_EOL here is a CRLF inside the reply code. */
	if (r == SCAN_EOL)
		r = REPLY_ERR_SHORT_LINE;
	if (err != NULL) {
		err->kind = (enum reply_violation)r;
		err->offset = (size_t)(p - base);
		err->line = nline;
	}
	return REPLY_VIOLATION;
}

/* 1-3 digits without a leading zero (a lone "0" is fine), RFC 3463 2.
 * Returns the digits used, 0 if there are none or the rule is broken. */
static size_t
enh_number(const char *s, size_t len, int *val)
{
	size_t i;

	for (i = 0; i < len && i < 4 && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i == 0 || i > 3 || (i > 1 && s[0] == '0'))
		return 0;
	*val = 0;
	for (size_t k = 0; k < i; k++)
		*val = *val * 10 + (s[k] - '0');
	return i;
}

int
reply_parse_enhanced(const char *text, size_t len, struct reply_enhanced *out)
{
	struct reply_enhanced e;
	size_t i = 0, n;

	memset(out, 0, sizeof(*out));
	memset(&e, 0, sizeof(e));
	if (text == NULL || len < 5)
		return 0;
	/* class = "2" / "4" / "5" */
	if (text[0] != '2' && text[0] != '4' && text[0] != '5')
		return 0;
	e.klass = text[0] - '0';
	if (text[1] != '.')
		return 0;
	i = 2;
	if ((n = enh_number(text + i, len - i, &e.subject)) == 0)
		return 0;
	i += n;
	if (i >= len || text[i] != '.')
		return 0;
	i++;
	if ((n = enh_number(text + i, len - i, &e.detail)) == 0)
		return 0;
	i += n;
	/* The code ends at SP or at the end of the text. */
	if (i < len) {
		if (text[i] != ' ')
			return 0;
		i++;
	}
	e.present = 1;
	e.len = i;
	*out = e;
	return 1;
}

const char *
reply_violation_str(enum reply_violation v)
{
	switch (v) {
	case REPLY_OK:
		return "no violation";
	case REPLY_ERR_SHORT_LINE:
		return "reply line shorter than a three-digit code";
	case REPLY_ERR_BAD_CODE:
		return "reply code is not three digits";
	case REPLY_ERR_CODE_RANGE:
		return "reply code out of range (2-5, 0-5, 0-9)";
	case REPLY_ERR_BAD_SEPARATOR:
		return "reply code not followed by SP, '-' or CRLF";
	case REPLY_ERR_CODE_MISMATCH:
		return "continuation line with a different reply code";
	case REPLY_ERR_BARE_LF:
		return "bare LF in reply";
	case REPLY_ERR_BARE_CR:
		return "bare CR in reply";
	case REPLY_ERR_NUL:
		return "NUL byte in reply";
	case REPLY_ERR_CONTROL:
		return "control character in reply";
	case REPLY_ERR_EIGHT_BIT:
		return "8-bit byte in reply";
	case REPLY_ERR_LINE_TOO_LONG:
		return "reply line too long";
	case REPLY_ERR_TOO_MANY_LINES:
		return "too many lines in reply";
	}
	return "unknown reply violation";
}
