/*
 * abnf.h - the character classes of the SMTP grammars: RFC 5234 B.1 core
 * rules (ALPHA, DIGIT, HEXDIG, CTL, VCHAR), RFC 5321 4.1.2 (Let-dig,
 * qtextSMTP), RFC 5322 3.2.3 (atext) and RFC 3461 4 (xchar, hexchar).
 *
 * Every class takes an unsigned byte, so 8-bit input is never negative and
 * never matches; NUL matches nothing but CTL.  No locale is consulted
 * (unlike <ctype.h>).  Header-only: one definition, inlined where used.
 */
#ifndef SMTPH_ABNF_H
#define SMTPH_ABNF_H

/* ALPHA = %x41-5A / %x61-7A */
static inline int
abnf_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* DIGIT = %x30-39 */
static inline int
abnf_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Let-dig = ALPHA / DIGIT (RFC 5321 4.1.2) */
static inline int
abnf_letdig(unsigned char c)
{
	return abnf_alpha(c) || abnf_digit(c);
}

/* HEXDIG, both cases (RFC 5234 B.1 names only upper case, but its strings
 * are case-insensitive). */
static inline int
abnf_hexdig(unsigned char c)
{
	return abnf_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

/* hexchar's digits: DIGIT / %x41-46, upper case only (RFC 3461 4). */
static inline int
abnf_hexdig_upper(unsigned char c)
{
	return abnf_digit(c) || (c >= 'A' && c <= 'F');
}

/* The value of a hex digit of either case, or -1. */
static inline int
abnf_hexval(unsigned char c)
{
	if (abnf_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* CTL = %x00-1F / %x7F */
static inline int
abnf_ctl(unsigned char c)
{
	return c < 32 || c == 127;
}

/* VCHAR = %x21-7E: printable, not space (esmtp-value and xtext are made
 * of these, less '=', RFC 5321 4.1.2, RFC 3461 4). */
static inline int
abnf_vchar(unsigned char c)
{
	return c >= 33 && c <= 126;
}

/* atext (RFC 5322 3.2.3): Let-dig and "!#$%&'*+-/=?^_`{|}~". */
static inline int
abnf_atext(unsigned char c)
{
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'':
	case '*': case '+': case '-': case '/': case '=': case '?':
	case '^': case '_': case '`': case '{': case '|': case '}':
	case '~':
		return 1;
	default:
		return abnf_letdig(c);
	}
}

#endif
