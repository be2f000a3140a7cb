/*
 * test_syntax.c - CUnit tests for syntax.c (RFC 5321 4.1.1-4.1.3 syntax).
 *
 * Every input is placed with tu_guarded() so a read past its length
 * crashes.  Tables give the exact reason expected (NULL = valid) and, for
 * valid inputs, the parts returned.  Generic passes then feed every prefix of
 * every input, every valid input with each byte replaced by a byte no SMTP
 * grammar allows (NUL, CR, LF, DEL, 8-bit), and pseudo-random inputs, and
 * check the invariants of whatever is accepted.
 */
#include "syntax.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <strings.h>

#define S(x)	x, sizeof(x) - 1
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
is_digit_c(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex_c(char c)
{
	return is_digit_c(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
span_eq(const char *p, size_t n, const char *want)
{
	if (want == NULL)
		return p == NULL && n == 0;
	return p != NULL && n == strlen(want) && memcmp(p, want, n) == 0;
}

static void
show(const char *what, const char *in, size_t len)
{
	size_t i;

	fprintf(stderr, "\n  %s input \"", what);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c < 32 || c >= 127 || c == '"' || c == '\\')
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fprintf(stderr, "\"\n");
}

/* Exact reason check; prints the input on mismatch. */
static int
reason_is(const char *what, const char *in, size_t len, const char *got,
    const char *want)
{
	if ((got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0)) {
		CU_PASS("reason");
		return 1;
	}
	show(what, in, len);
	fprintf(stderr, "  got \"%s\", want \"%s\"\n", got ? got : "(valid)",
	    want ? want : "(valid)");
	CU_FAIL("wrong reason");
	return 0;
}

/* The functions under test behind one signature, for the generic passes. */
enum fn {
	F_SPLIT, F_DOMAIN, F_LITERAL, F_MAILBOX, F_EHLO, F_MAIL, F_RCPT,
	F_PARAM, F_XTEXT,
	/* ESMTP parameter values: not in the random pass (after F_XTEXT). */
	F_SIZE, F_BDAT, F_UTF8, F_ORCPT, F_AUTHP,
};

static void check_mail_invariants(const char *, size_t,
    const struct syn_mail_args *, int);

/* A valid mailbox is also valid as <mailbox> in MAIL and RCPT. */
static void
check_wrapped_mailbox(const char *s, size_t n, const struct syn_path *p)
{
	struct syn_mail_args ma;
	struct tu_guard g;
	char line[600];
	const char *in;
	int rcpt;

	if (n + 8 > sizeof(line))
		return;
	for (rcpt = 0; rcpt <= 1; rcpt++) {
		memcpy(line, rcpt ? "TO:<" : "FROM:<", rcpt ? 4 : 6);
		memcpy(line + (rcpt ? 4 : 6), s, n);
		line[n + (rcpt ? 4 : 6)] = '>';
		in = tu_guarded(&g, line, n + (rcpt ? 5 : 7));
		CU_ASSERT(rcpt ? syn_parse_rcpt(in, n + 5, &ma) == NULL :
		    syn_parse_mail(in, n + 7, &ma) == NULL);
		CU_ASSERT(ma.path.local_len == p->local_len &&
		    ma.path.domain_len == p->domain_len &&
		    ma.path.domain_kind == p->domain_kind &&
		    !ma.path.is_null && !ma.path.is_postmaster);
		tu_unguard(&g);
	}
}

/* F_PARAM takes "KEY" or "KEY=VALUE". */
static const char *
call_fn(enum fn f, const char *s, size_t n)
{
	struct syn_command cmd;
	struct syn_mail_args ma;
	struct syn_path p;
	struct syn_param prm;
	enum syn_domain_kind k;
	const char *r, *eq;
	uint64_t size;
	int last;

	switch (f) {
	case F_SPLIT:
		r = syn_split_command(s, n, &cmd);
		if (r == NULL) {
			CU_ASSERT(cmd.verb_text == s);
			CU_ASSERT(cmd.arg + cmd.arg_len == s + n);
		}
		return r;
	case F_DOMAIN:
		r = syn_check_domain(s, n);
		if (r == NULL)
			CU_ASSERT(syn_check_ehlo_arg(s, n) == NULL);
		return r;
	case F_LITERAL:
		r = syn_check_address_literal(s, n, &k);
		if (r == NULL)
			CU_ASSERT(syn_check_ehlo_arg(s, n) == NULL);
		return r;
	case F_MAILBOX:
		r = syn_check_mailbox(s, n, &p);
		if (r == NULL)
			check_wrapped_mailbox(s, n, &p);
		return r;
	case F_EHLO:
		return syn_check_ehlo_arg(s, n);
	case F_MAIL:
	case F_RCPT:
		r = f == F_MAIL ? syn_parse_mail(s, n, &ma) :
		    syn_parse_rcpt(s, n, &ma);
		if (r == NULL)
			check_mail_invariants(s, n, &ma, f == F_RCPT);
		return r;
	case F_PARAM:
		prm.key = s;
		if ((eq = memchr(s, '=', n)) != NULL) {
			prm.key_len = (size_t)(eq - s);
			prm.value = eq + 1;
			prm.value_len = n - prm.key_len - 1;
		} else {
			prm.key_len = n;
			prm.value = NULL;
			prm.value_len = 0;
		}
		return syn_check_param(&prm);
	case F_XTEXT:
		return syn_check_xtext(s, n);
	case F_SIZE:
		return syn_parse_size(s, n, &size);
	case F_BDAT:
		return syn_parse_bdat(s, n, &size, &last);
	case F_UTF8:
		return syn_check_utf8(s, n);
	case F_ORCPT:
		return syn_check_orcpt(s, n);
	case F_AUTHP:
		return syn_check_auth_param(s, n);
	}
	return "bad fn";
}

static const char *
call_guarded(enum fn f, const char *in, size_t len)
{
	struct tu_guard g;
	const char *r;

	r = call_fn(f, tu_guarded(&g, in, len), len);
	tu_unguard(&g);
	return r;
}

/*
 * Whatever syn_parse_mail/rcpt accept must be self-consistent: spans inside
 * the input, the mailbox re-validates on its own, parameters re-validate.
 */
static void
check_mail_invariants(const char *s, size_t n, const struct syn_mail_args *a,
    int rcpt)
{
	const struct syn_path *p = &a->path;
	struct syn_path q;
	enum syn_domain_kind k;
	size_t i;

	if (p->is_null) {
		CU_ASSERT(!rcpt);
		CU_ASSERT(p->local == NULL && p->domain == NULL);
		CU_ASSERT(p->domain_kind == SYN_DOMAIN_NONE);
	} else if (p->is_postmaster) {
		CU_ASSERT(rcpt);
		CU_ASSERT(p->local != NULL && p->local_len == 10 &&
		    strncasecmp(p->local, "postmaster", 10) == 0);
		CU_ASSERT(p->domain == NULL);
		CU_ASSERT(p->domain_kind == SYN_DOMAIN_NONE);
	} else {
		CU_ASSERT_FATAL(p->local != NULL && p->domain != NULL);
		CU_ASSERT(p->local >= s && p->domain + p->domain_len <= s + n);
		CU_ASSERT(p->domain == p->local + p->local_len + 1);
		CU_ASSERT(p->local[p->local_len] == '@');
		CU_ASSERT(syn_check_mailbox(p->local,
		    p->local_len + 1 + p->domain_len, &q) == NULL);
		CU_ASSERT(q.domain_kind == p->domain_kind);
		CU_ASSERT(q.local_quoted == p->local_quoted);
		if (p->domain_kind == SYN_DOMAIN_NAME) {
			CU_ASSERT(syn_check_domain(p->domain,
			    p->domain_len) == NULL);
		} else {
			CU_ASSERT(syn_check_address_literal(p->domain,
			    p->domain_len, &k) == NULL);
			CU_ASSERT(k == p->domain_kind);
		}
		CU_ASSERT(syn_check_ehlo_arg(p->domain, p->domain_len) ==
		    NULL);
		CU_ASSERT(p->domain[p->domain_len] == '>');
	}
	CU_ASSERT(a->n_params <= SYN_MAX_PARAMS);
	for (i = 0; i < a->n_params; i++) {
		CU_ASSERT(a->params[i].key >= s &&
		    a->params[i].key + a->params[i].key_len <= s + n);
		CU_ASSERT(syn_check_param(&a->params[i]) == NULL);
	}
}

/* syn_split_command */

struct split_case {
	const char *in;
	size_t len;
	const char *reason;
	enum syn_verb verb;
	const char *verb_text;
	int has_space;
	const char *arg;	/* compared with arg_len bytes */
	size_t arg_len;
};

#define ARG(x)	.arg = x, .arg_len = sizeof(x) - 1

static const struct split_case split_cases[] = {
	{ S("MAIL FROM:<a@b>"), .verb = SYN_MAIL, .verb_text = "MAIL",
	  .has_space = 1, ARG("FROM:<a@b>") },
	{ S("mail from:<>"), .verb = SYN_MAIL, .verb_text = "mail",
	  .has_space = 1, ARG("from:<>") },
	{ S("QUIT"), .verb = SYN_QUIT, .verb_text = "QUIT", ARG("") },
	{ S("QUIT "), .verb = SYN_QUIT, .verb_text = "QUIT", .has_space = 1,
	  ARG("") },
	{ S("quit  "), .verb = SYN_QUIT, .verb_text = "quit", .has_space = 1,
	  ARG(" ") },
	{ S("EHLO  example.com "), .verb = SYN_EHLO, .verb_text = "EHLO",
	  .has_space = 1, ARG(" example.com ") },
	{ S("StartTLS"), .verb = SYN_STARTTLS, .verb_text = "StartTLS",
	  ARG("") },
	{ S("XYZZY foo"), .verb = SYN_UNKNOWN, .verb_text = "XYZZY",
	  .has_space = 1, ARG("foo") },
	{ S("MAILX"), .verb = SYN_UNKNOWN, .verb_text = "MAILX", ARG("") },
	{ S("MAI"), .verb = SYN_UNKNOWN, .verb_text = "MAI", ARG("") },
	{ S("STARTTLSX"), .verb = SYN_UNKNOWN, .verb_text = "STARTTLSX",
	  ARG("") },
	{ S("a"), .verb = SYN_UNKNOWN, .verb_text = "a", ARG("") },
	{ S("NOOP \x00\x80\xff"), .verb = SYN_NOOP, .verb_text = "NOOP",
	  .has_space = 1, ARG("\x00\x80\xff") },
	{ S("RCPT TO:<a@b>\r"), .verb = SYN_RCPT, .verb_text = "RCPT",
	  .has_space = 1, ARG("TO:<a@b>\r") },
	{ S("BDAT 100 LAST"), .verb = SYN_BDAT, .verb_text = "BDAT",
	  .has_space = 1, ARG("100 LAST") },
	{ S("AUTH PLAIN dGVzdA=="), .verb = SYN_AUTH, .verb_text = "AUTH",
	  .has_space = 1, ARG("PLAIN dGVzdA==") },
	{ S("etrn @example.com"), .verb = SYN_ETRN, .verb_text = "etrn",
	  .has_space = 1, ARG("@example.com") },
	{ S("HeLo x"), .verb = SYN_HELO, .verb_text = "HeLo", .has_space = 1,
	  ARG("x") },
	{ S("DATA\tx"), .reason = "control character in command verb" },
	{ S(""), .reason = "empty command line" },
	{ S(" MAIL"), .reason = "command line starts with a space" },
	{ S(" "), .reason = "command line starts with a space" },
	{ S("MAIL1 x"), .reason = "command verb is not made of letters" },
	{ S("8BITMIME"), .reason = "command verb is not made of letters" },
	{ S("MAIL:FROM:<a@b>"),
	  .reason = "command verb is not made of letters" },
	{ S("-"), .reason = "command verb is not made of letters" },
	{ S("MA\x00IL"), .reason = "control character in command verb" },
	{ S("\x00"), .reason = "control character in command verb" },
	{ S("MAIL\tFROM:<a@b>"),
	  .reason = "control character in command verb" },
	{ S("QUIT\r"), .reason = "control character in command verb" },
	{ S("QUIT\n"), .reason = "control character in command verb" },
	{ S("NOOP\x7f"), .reason = "control character in command verb" },
	{ S("\x80MAIL"), .reason = "8-bit character in command verb" },
	{ S("MA\xc3\x8fL x"), .reason = "8-bit character in command verb" },
};

static void
test_split_command(void)
{
	const struct split_case *c;
	struct syn_command cmd;
	struct tu_guard g;
	const char *in, *r;
	size_t i;

	for (i = 0; i < NELEM(split_cases); i++) {
		c = &split_cases[i];
		in = tu_guarded(&g, c->in, c->len);
		r = syn_split_command(in, c->len, &cmd);
		if (reason_is("split", c->in, c->len, r, c->reason) &&
		    r == NULL) {
			CU_ASSERT(cmd.verb == c->verb);
			CU_ASSERT(span_eq(cmd.verb_text, cmd.verb_len,
			    c->verb_text));
			CU_ASSERT(cmd.verb_text == in);
			CU_ASSERT(cmd.has_space == c->has_space);
			CU_ASSERT(cmd.arg_len == c->arg_len &&
			    memcmp(cmd.arg, c->arg, c->arg_len) == 0);
			CU_ASSERT(cmd.arg + cmd.arg_len == in + c->len);
		} else if (r != NULL) {
			CU_ASSERT(cmd.verb == SYN_UNKNOWN);
			CU_ASSERT(cmd.verb_text == in);
		}
		tu_unguard(&g);
	}
}

/* Every verb round-trips through its name, in upper and lower case. */
static void
test_verb_names(void)
{
	struct syn_command cmd;
	struct tu_guard g;
	char lower[16], line[32];
	const char *name, *in;
	size_t n, j;
	int v, count = 0;

	CU_ASSERT_STRING_EQUAL(syn_verb_name(SYN_UNKNOWN), "");
	CU_ASSERT_STRING_EQUAL(syn_verb_name(SYN_MAIL), "MAIL");
	CU_ASSERT_STRING_EQUAL(syn_verb_name(SYN_STARTTLS), "STARTTLS");
	CU_ASSERT_STRING_EQUAL(syn_verb_name(SYN_ATRN), "ATRN");
	for (v = SYN_HELO; v <= SYN_ATRN; v++) {
		name = syn_verb_name((enum syn_verb)v);
		n = strlen(name);
		CU_ASSERT_FATAL(n > 0 && n < sizeof(lower));
		in = tu_guarded(&g, name, n);
		CU_ASSERT(syn_split_command(in, n, &cmd) == NULL);
		CU_ASSERT(cmd.verb == (enum syn_verb)v);
		CU_ASSERT(cmd.has_space == 0 && cmd.arg_len == 0);
		tu_unguard(&g);
		for (j = 0; j <= n; j++)
			lower[j] = (char)((name[j] >= 'A' && name[j] <= 'Z') ?
			    name[j] + 32 : name[j]);
		snprintf(line, sizeof(line), "%s x y", lower);
		in = tu_guarded(&g, line, strlen(line));
		CU_ASSERT(syn_split_command(in, strlen(line), &cmd) == NULL);
		CU_ASSERT(cmd.verb == (enum syn_verb)v);
		CU_ASSERT(span_eq(cmd.arg, cmd.arg_len, "x y"));
		tu_unguard(&g);
		count++;
	}
	CU_ASSERT(count == 20);
}

/* syn_check_domain, syn_check_ehlo_arg, syn_check_xtext */

struct reason_case {
	const char *in;
	size_t len;
	const char *reason;
};

static const struct reason_case domain_cases[] = {
	{ S("a"), NULL },
	{ S("example.com"), NULL },
	{ S("EXAMPLE.COM"), NULL },
	{ S("mail-1.Example.org"), NULL },
	{ S("a--b.c"), NULL },
	{ S("123"), NULL },
	{ S("1.2.3.4"), NULL },		/* a Domain by the grammar */
	{ S("1a.a1"), NULL },
	{ S("0-0"), NULL },
	{ S("xn--bcher-kva.example"), NULL },
	{ S("a.b.c.d.e.f.g.h"), NULL },
	/* 70-octet label: length policy is the caller's. */
	{ S("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b"),
	  NULL },
	{ S(""), .reason = "empty domain" },
	{ S("."), .reason = "domain starts with '.'" },
	{ S(".a"), .reason = "domain starts with '.'" },
	{ S("a."), .reason = "domain ends with '.'" },
	{ S("example.com."), .reason = "domain ends with '.'" },
	{ S("a..b"), .reason = "empty domain label" },
	{ S("-a"), .reason = "domain label starts with '-'" },
	{ S("a.-b"), .reason = "domain label starts with '-'" },
	{ S("-"), .reason = "domain label starts with '-'" },
	{ S("a-"), .reason = "domain label ends with '-'" },
	{ S("a-.b"), .reason = "domain label ends with '-'" },
	{ S("a_b"), .reason = "invalid character in domain" },
	{ S("a b"), .reason = "invalid character in domain" },
	{ S("a.b "), .reason = "invalid character in domain" },
	{ S(" a"), .reason = "invalid character in domain" },
	{ S("a@b"), .reason = "invalid character in domain" },
	{ S("[1.2.3.4]"), .reason = "invalid character in domain" },
	{ S("a\x00" "b"), .reason = "control character in domain" },
	{ S("\x00"), .reason = "control character in domain" },
	{ S("a\r"), .reason = "control character in domain" },
	{ S("a\tb"), .reason = "control character in domain" },
	{ S("a\x7f"), .reason = "control character in domain" },
	{ S("a\x80"), .reason = "8-bit character in domain" },
	{ S("exa\xc3\xa9mple.com"), .reason = "8-bit character in domain" },
};

static const struct reason_case ehlo_cases[] = {
	{ S("example.com"), NULL },
	{ S("localhost"), NULL },
	{ S("a"), NULL },
	{ S("example.com "), NULL },	/* RFC 5321 4.1.1: trailing SP */
	{ S("example.com   "), NULL },
	{ S("[1.2.3.4]"), NULL },
	{ S("[1.2.3.4] "), NULL },
	{ S("[IPv6:::1]"), NULL },
	{ S("[IPv6:2001:db8::1]"), NULL },
	{ S("[x-tag:anything]"), NULL },
	{ S(""), .reason = "missing domain" },
	{ S("   "), .reason = "missing domain" },
	{ S(" example.com"), .reason = "invalid character in domain" },
	{ S("exa mple"), .reason = "invalid character in domain" },
	{ S("ex_ample.com"), .reason = "invalid character in domain" },
	{ S("example.com\t"), .reason = "control character in domain" },
	{ S("example.com\r"), .reason = "control character in domain" },
	{ S("example.com."), .reason = "domain ends with '.'" },
	{ S("-x"), .reason = "domain label starts with '-'" },
	{ S("\x00"), .reason = "control character in domain" },
	{ S("[1.2.3.4"), .reason = "missing ']'" },
	{ S("[1.2.3.4]x"), .reason = "missing ']'" },
	{ S("[256.0.0.1]"), .reason = "IPv4 octet out of range" },
	{ S("[IPv6:1::2::3]"), .reason = "more than one '::' in IPv6 address" },
	{ S("[]"), .reason = "empty address literal" },
};

static const struct reason_case xtext_cases[] = {
	{ S(""), NULL },
	{ S("abc"), NULL },
	{ S("a+2Bb"), NULL },
	{ S("+2B+3D"), NULL },
	{ S("+00+FF+09"), NULL },
	{ S("!~"), NULL },
	{ S("rfc822;user+40example.com"), NULL },
	{ S("QQ314159"), NULL },
	{ S("<a@b>"), NULL },
	{ S("+2b"), .reason = "'+' not followed by two upper-case hex digits" },
	{ S("+"), .reason = "'+' not followed by two upper-case hex digits" },
	{ S("+2"), .reason = "'+' not followed by two upper-case hex digits" },
	{ S("a+"), .reason = "'+' not followed by two upper-case hex digits" },
	{ S("+G0"), .reason = "'+' not followed by two upper-case hex digits" },
	{ S("+0g"), .reason = "'+' not followed by two upper-case hex digits" },
	{ S("++20"),
	  .reason = "'+' not followed by two upper-case hex digits" },
	{ S("="), .reason = "'=' in xtext" },
	{ S("a=b"), .reason = "'=' in xtext" },
	{ S("a b"), .reason = "space in xtext" },
	{ S("\x00"), .reason = "control character in xtext" },
	{ S("a\t"), .reason = "control character in xtext" },
	{ S("\x7f"), .reason = "control character in xtext" },
	{ S("+2\x00"),
	  .reason = "'+' not followed by two upper-case hex digits" },
	{ S("\x80"), .reason = "8-bit character in xtext" },
	{ S("caf\xc3\xa9"), .reason = "8-bit character in xtext" },
};

static void
run_reason_table(enum fn f, const char *what, const struct reason_case *t,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		reason_is(what, t[i].in, t[i].len,
		    call_guarded(f, t[i].in, t[i].len), t[i].reason);
}

/* ESMTP parameter values (RFC 1870, RFC 3030, RFC 3629, RFC 3461, RFC
 * 4954), with the values parsed where there is one. */
static const struct reason_case size_cases[] = {
	{ S("0"), NULL },
	{ S("10485760"), NULL },
	{ S("18446744073709551615"), NULL },
	{ S("99999999999999999999"), NULL },
	{ S(""), .reason = "empty SIZE value" },
	{ S("123456789012345678901"), .reason = "SIZE value over 20 digits" },
	{ S("10MB"), .reason = "SIZE value not made of digits" },
	{ S("-1"), .reason = "SIZE value not made of digits" },
	{ S("1\x00"), .reason = "SIZE value not made of digits" },
};

static const struct reason_case bdat_cases[] = {
	{ S("0"), NULL },
	{ S("100 LAST"), NULL },
	{ S("100 last"), NULL },
	{ S(""), .reason = "BDAT chunk-size missing" },
	{ S(" LAST"), .reason = "BDAT chunk-size missing" },
	{ S("123456789012345678901"), .reason = "SIZE value over 20 digits" },
	{ S("100  LAST"),
	  .reason = "BDAT chunk-size followed by other than \" LAST\"" },
	{ S("100 LAST "),
	  .reason = "BDAT chunk-size followed by other than \" LAST\"" },
	{ S("100x"),
	  .reason = "BDAT chunk-size followed by other than \" LAST\"" },
};

static const struct reason_case utf8_cases[] = {
	{ S(""), NULL },
	{ S("ascii"), NULL },
	{ S("caf\xc3\xa9"), NULL },
	{ S("\xe2\x82\xac"), NULL },
	{ S("\xf0\x9f\x98\x80"), NULL },
	{ S("\xc0\xaf"), .reason = "malformed UTF-8" },	/* overlong */
	{ S("\xed\xa0\x80"), .reason = "malformed UTF-8" },	/* surrogate */
	{ S("\xf4\x90\x80\x80"), .reason = "malformed UTF-8" },	/* > U+10FFFF */
	{ S("\xc3"), .reason = "malformed UTF-8" },	/* cut short */
	{ S("\x80"), .reason = "malformed UTF-8" },
};

static const struct reason_case orcpt_cases[] = {
	{ S("rfc822;user@example.com"), NULL },
	{ S("rfc822;user+40example.com"), NULL },
	{ S("x-type!;a"), NULL },
	{ S(";a"), .reason = "ORCPT addr-type missing" },
	{ S("rfc822"), .reason = "ORCPT address missing after ';'" },
	{ S("rfc822;"), .reason = "ORCPT address missing after ';'" },
	{ S("rfc 822;a"), .reason = "ORCPT addr-type is not an atom" },
	{ S("rfc822;a=b"), .reason = "'=' in xtext" },
};

static const struct reason_case authp_cases[] = {
	{ S("<>"), NULL },
	{ S("user@example.com"), NULL },
	{ S("user+2Bx@example.com"), NULL },
	{ S("user+40x@example.com"), .reason = "invalid character in domain" },
	{ S("+3C+3E"), NULL },
	{ S(""), .reason = "empty local part" },
	{ S("a=b"), .reason = "'=' in xtext" },
	{ S("+3c"), .reason = "'+' not followed by two upper-case hex digits" },
};

static void
test_esmtp_values(void)
{
	uint64_t v = 1;
	int last = -1;

	run_reason_table(F_SIZE, "size", size_cases, NELEM(size_cases));
	run_reason_table(F_BDAT, "bdat", bdat_cases, NELEM(bdat_cases));
	run_reason_table(F_UTF8, "utf8", utf8_cases, NELEM(utf8_cases));
	run_reason_table(F_ORCPT, "orcpt", orcpt_cases, NELEM(orcpt_cases));
	run_reason_table(F_AUTHP, "auth", authp_cases, NELEM(authp_cases));
	/* The values, saturating at UINT64_MAX. */
	CU_ASSERT(syn_parse_size(S("10485760"), &v) == NULL && v == 10485760u);
	CU_ASSERT(syn_parse_size(S("99999999999999999999"), &v) == NULL &&
	    v == UINT64_MAX);
	CU_ASSERT(syn_parse_size(NULL, 0, &v) != NULL);
	CU_ASSERT(syn_parse_bdat(S("42 LAST"), &v, &last) == NULL && v == 42 &&
	    last == 1);
	CU_ASSERT(syn_parse_bdat(S("7"), &v, &last) == NULL && v == 7 &&
	    last == 0);
}

static void
test_domain(void)
{
	run_reason_table(F_DOMAIN, "domain", domain_cases, NELEM(domain_cases));
}

static void
test_ehlo_arg(void)
{
	run_reason_table(F_EHLO, "ehlo", ehlo_cases, NELEM(ehlo_cases));
}

static void
test_xtext(void)
{
	run_reason_table(F_XTEXT, "xtext", xtext_cases, NELEM(xtext_cases));
}

/* syn_check_address_literal */

struct literal_case {
	const char *in;
	size_t len;
	const char *reason;
	enum syn_domain_kind kind;
};

#define V4	SYN_DOMAIN_IPV4
#define V6	SYN_DOMAIN_IPV6
#define GEN	SYN_DOMAIN_GENERAL

static const struct literal_case literal_cases[] = {
	{ S("[1.2.3.4]"), NULL, V4 },
	{ S("[0.0.0.0]"), NULL, V4 },
	{ S("[255.255.255.255]"), NULL, V4 },
	{ S("[192.0.2.1]"), NULL, V4 },
	{ S("[001.02.3.4]"), NULL, V4 },	/* Snum = 1*3DIGIT */
	/* IPv6-comp */
	{ S("[IPv6:::]"), NULL, V6 },
	{ S("[IPv6:::1]"), NULL, V6 },
	{ S("[IPv6:1::]"), NULL, V6 },
	{ S("[IPv6:2001:db8::1]"), NULL, V6 },
	{ S("[IPv6:1:2:3::4:5:6]"), NULL, V6 },
	{ S("[IPv6:1:2:3:4:5:6::]"), NULL, V6 },
	{ S("[IPv6:::1:2:3:4:5:6]"), NULL, V6 },
	{ S("[IPv6:0000:ffff::ABCD]"), NULL, V6 },
	{ S("[IPv6:fe80::]"), NULL, V6 },
	/* IPv6-full, tag in any case */
	{ S("[IPv6:1:2:3:4:5:6:7:8]"), NULL, V6 },
	{ S("[IPv6:2001:0db8:0000:0000:0000:ff00:0042:8329]"), NULL, V6 },
	{ S("[ipv6:2001:DB8::1]"), NULL, V6 },
	{ S("[IPV6:fe80::1]"), NULL, V6 },
	/* IPv6v4-full and IPv6v4-comp */
	{ S("[IPv6:1:2:3:4:5:6:1.2.3.4]"), NULL, V6 },
	{ S("[IPv6:::ffff:192.0.2.1]"), NULL, V6 },
	{ S("[IPv6:::1.2.3.4]"), NULL, V6 },
	{ S("[IPv6:1:2:3:4::1.2.3.4]"), NULL, V6 },
	{ S("[IPv6:1::2:3:4:1.2.3.4]"), NULL, V6 },
	{ S("[IPv6:1::1.2.3.4]"), NULL, V6 },
	/* General-address-literal */
	{ S("[x-tag:content]"), NULL, GEN },
	{ S("[tag:a:b:c]"), NULL, GEN },
	{ S("[-x:y]"), NULL, GEN },	/* Ldh-str may start with '-' */
	{ S("[1tag:!~>]"), NULL, GEN },
	{ S("[IPv4:1.2.3.4]"), NULL, GEN },
	{ S("[x:\"Z^`]"), NULL, GEN },
	/* brackets and emptiness */
	{ S(""), .reason = "missing '['" },
	{ S("1.2.3.4]"), .reason = "missing '['" },
	{ S("(1.2.3.4)"), .reason = "missing '['" },
	{ S("["), .reason = "missing ']'" },
	{ S("[1.2.3.4"), .reason = "missing ']'" },
	{ S("[1.2.3.4] "), .reason = "missing ']'" },
	{ S("[]"), .reason = "empty address literal" },
	/* IPv4 */
	{ S("[256.1.1.1]"), .reason = "IPv4 octet out of range" },
	{ S("[1.2.3.999]"), .reason = "IPv4 octet out of range" },
	{ S("[1.2.3.1000]"), .reason = "IPv4 octet longer than 3 digits" },
	{ S("[0001.2.3.4]"), .reason = "IPv4 octet longer than 3 digits" },
	{ S("[1.2.3]"),
	  .reason = "IPv4 address literal has fewer than 4 octets" },
	{ S("[1]"), .reason = "IPv4 address literal has fewer than 4 octets" },
	{ S("[1.2.3.4.5]"),
	  .reason = "IPv4 address literal has more than 4 octets" },
	{ S("[.1.2.3.4]"),
	  .reason = "address literal is neither IPv4 nor tag:content" },
	{ S("[1.2.3.4.]"), .reason = "empty IPv4 octet" },
	{ S("[1..2.3]"), .reason = "empty IPv4 octet" },
	{ S("[1.2.3.a]"),
	  .reason = "invalid character in IPv4 address literal" },
	{ S("[1.2.3.4 ]"),
	  .reason = "invalid character in IPv4 address literal" },
	{ S("[1.2.3.-4]"),
	  .reason = "invalid character in IPv4 address literal" },
	{ S("[1.2.3.\x00]"),
	  .reason = "control character in IPv4 address literal" },
	{ S("[1.2.3.4\r]"),
	  .reason = "control character in IPv4 address literal" },
	{ S("[1.2.3.\x80]"),
	  .reason = "8-bit character in IPv4 address literal" },
	{ S("[example.com]"),
	  .reason = "address literal is neither IPv4 nor tag:content" },
	{ S("[ 1.2.3.4]"),
	  .reason = "address literal is neither IPv4 nor tag:content" },
	{ S("[1.2]3.4]"),
	  .reason = "invalid character in IPv4 address literal" },
	/* IPv6 */
	{ S("[IPv6:]"), .reason = "empty IPv6 address" },
	{ S("[IPv6:1:2:3:4:5:6:7]"),
	  .reason = "IPv6 address needs 8 groups or '::'" },
	{ S("[IPv6:1:2:3:4:5:6:7:8:9]"),
	  .reason = "IPv6 address needs 8 groups or '::'" },
	{ S("[IPv6:1]"), .reason = "IPv6 address needs 8 groups or '::'" },
	{ S("[IPv6:1::2::3]"), .reason = "more than one '::' in IPv6 address" },
	{ S("[IPv6:::1::]"), .reason = "more than one '::' in IPv6 address" },
	{ S("[IPv6::1]"), .reason = "IPv6 address starts with a single ':'" },
	{ S("[IPv6::]"), .reason = "IPv6 address starts with a single ':'" },
	{ S("[IPv6:1:]"), .reason = "IPv6 address ends with a single ':'" },
	{ S("[IPv6:1:2:3:4:5:6:7:8:]"),
	  .reason = "IPv6 address ends with a single ':'" },
	{ S("[IPv6:1:2:3:4:5:6:7::]"),
	  .reason = "too many groups in compressed IPv6 address" },
	{ S("[IPv6:::1:2:3:4:5:6:7]"),
	  .reason = "too many groups in compressed IPv6 address" },
	{ S("[IPv6:1:2:3:4::5:6:7]"),
	  .reason = "too many groups in compressed IPv6 address" },
	{ S("[IPv6:12345::]"),
	  .reason = "IPv6 group longer than 4 hex digits" },
	{ S("[IPv6:::00000]"),
	  .reason = "IPv6 group longer than 4 hex digits" },
	{ S("[IPv6:g::1]"), .reason = "invalid character in IPv6 address" },
	{ S("[IPv6:::1 ]"), .reason = "invalid character in IPv6 address" },
	{ S("[IPv6: ::1]"), .reason = "invalid character in IPv6 address" },
	{ S("[IPv6:\x00::]"), .reason = "control character in IPv6 address" },
	{ S("[IPv6:1::\xff]"), .reason = "8-bit character in IPv6 address" },
	{ S("[IPv6::::]"), .reason = "empty IPv6 group" },
	{ S("[IPv6:1:::2]"), .reason = "empty IPv6 group" },
	{ S("[IPv6:1:2:3:4:5:1.2.3.4]"),
	  .reason = "IPv6v4 address needs 6 groups before the IPv4 part" },
	{ S("[IPv6:1:2:3:4:5:6:7:1.2.3.4]"),
	  .reason = "IPv6v4 address needs 6 groups before the IPv4 part" },
	{ S("[IPv6:1.2.3.4]"),
	  .reason = "IPv6v4 address needs 6 groups before the IPv4 part" },
	{ S("[IPv6:1:2:3:4:5::1.2.3.4]"),
	  .reason = "too many groups in compressed IPv6v4 address" },
	{ S("[IPv6:1::2:3:4:5:1.2.3.4]"),
	  .reason = "too many groups in compressed IPv6v4 address" },
	{ S("[IPv6:::1.2.3.4:1]"),
	  .reason = "IPv4 part not at the end of IPv6 address" },
	{ S("[IPv6:::256.1.1.1]"), .reason = "IPv4 octet out of range" },
	{ S("[IPv6:::1.2.3]"),
	  .reason = "IPv4 address literal has fewer than 4 octets" },
	{ S("[IPv6:::1.2.3.4.]"), .reason = "empty IPv4 octet" },
	{ S("[IPv6 :::1]"),
	  .reason = "invalid character in address literal tag" },
	{ S("[IPv6-:x]"), .reason = "address literal tag ends with '-'" },
	/* General-address-literal */
	{ S("[:foo]"), .reason = "empty address literal tag" },
	{ S("[tag:]"), .reason = "empty general address literal" },
	{ S("[tag:a b]"), .reason = "invalid character in address literal" },
	{ S("[tag:a[b]"), .reason = "invalid character in address literal" },
	{ S("[tag:a\\b]"), .reason = "invalid character in address literal" },
	{ S("[tag:a]b]"), .reason = "invalid character in address literal" },
	{ S("[tag:\x7f]"), .reason = "control character in address literal" },
	{ S("[tag:\x00]"), .reason = "control character in address literal" },
	{ S("[tag:\xc3\xa9]"), .reason = "8-bit character in address literal" },
	{ S("[ta_g:x]"), .reason = "invalid character in address literal tag" },
	{ S("[t\x80g:x]"), .reason = "8-bit character in address literal tag" },
	{ S("[t\x00g:x]"),
	  .reason = "control character in address literal tag" },
};

static void
test_address_literal(void)
{
	const struct literal_case *c;
	enum syn_domain_kind k;
	struct tu_guard g;
	const char *in, *r;
	size_t i;

	for (i = 0; i < NELEM(literal_cases); i++) {
		c = &literal_cases[i];
		in = tu_guarded(&g, c->in, c->len);
		k = (enum syn_domain_kind)99;
		r = syn_check_address_literal(in, c->len, &k);
		if (reason_is("literal", c->in, c->len, r, c->reason)) {
			CU_ASSERT(k == (r ? SYN_DOMAIN_NONE : c->kind));
			/* NULL kind is allowed and changes nothing. */
			CU_ASSERT(syn_check_address_literal(in, c->len, NULL) ==
			    r);
			/* An address literal is also an EHLO argument. */
			if (r == NULL)
				CU_ASSERT(syn_check_ehlo_arg(in, c->len) ==
				    NULL);
		}
		tu_unguard(&g);
	}
}

/* syn_check_mailbox */

struct mailbox_case {
	const char *in;
	size_t len;
	const char *reason;
	const char *local;
	const char *domain;
	enum syn_domain_kind kind;
	int quoted;
};

#define NAME	SYN_DOMAIN_NAME

static const struct mailbox_case mailbox_cases[] = {
	{ S("a@b"), NULL, "a", "b", NAME, 0 },
	{ S("first.last@example.com"), NULL, "first.last", "example.com",
	  NAME, 0 },
	{ S("!#$%&'*+-/=?^_`{|}~@x"), NULL, "!#$%&'*+-/=?^_`{|}~", "x",
	  NAME, 0 },
	{ S("a.b.c@d"), NULL, "a.b.c", "d", NAME, 0 },
	{ S("Postmaster@example.com"), NULL, "Postmaster", "example.com",
	  NAME, 0 },
	{ S("a@1.2.3.4"), NULL, "a", "1.2.3.4", NAME, 0 },
	{ S("\"\"@x"), NULL, "\"\"", "x", NAME, 1 },
	{ S("\"a b\"@x"), NULL, "\"a b\"", "x", NAME, 1 },
	{ S("\"a\\\"b\"@x"), NULL, "\"a\\\"b\"", "x", NAME, 1 },
	{ S("\"a\\\\b\"@x"), NULL, "\"a\\\\b\"", "x", NAME, 1 },
	{ S("\"a@b\"@x"), NULL, "\"a@b\"", "x", NAME, 1 },
	{ S("\"a>b\"@x"), NULL, "\"a>b\"", "x", NAME, 1 },
	{ S("\"\\ \"@x"), NULL, "\"\\ \"", "x", NAME, 1 },
	{ S("\"\\a.\"@x"), NULL, "\"\\a.\"", "x", NAME, 1 },
	{ S("\"..\"@x"), NULL, "\"..\"", "x", NAME, 1 },
	{ S("a@[1.2.3.4]"), NULL, "a", "[1.2.3.4]", V4, 0 },
	{ S("a@[IPv6:::1]"), NULL, "a", "[IPv6:::1]", V6, 0 },
	{ S("a@[IPv6:::ffff:1.2.3.4]"), NULL, "a", "[IPv6:::ffff:1.2.3.4]",
	  V6, 0 },
	{ S("\"q\"@[tag:x]"), NULL, "\"q\"", "[tag:x]", GEN, 1 },
	{ S(""), .reason = "empty local part" },
	{ S("@b"), .reason = "empty local part" },
	{ S("a"), .reason = "missing '@' in mailbox" },
	{ S("\"a\""), .reason = "missing '@' in mailbox" },
	{ S("a@"), .reason = "empty domain" },
	{ S(".a@b"), .reason = "local part starts with '.'" },
	{ S("a.@b"), .reason = "local part ends with '.'" },
	{ S("a..b@c"), .reason = "consecutive dots in local part" },
	{ S("a b@c"), .reason = "invalid character in local part" },
	{ S("a,b@c"), .reason = "invalid character in local part" },
	{ S("a>b@c"), .reason = "invalid character in local part" },
	{ S("<a@b>"), .reason = "invalid character in local part" },
	{ S("a\x00@b"), .reason = "control character in local part" },
	{ S("a\r@b"), .reason = "control character in local part" },
	{ S("\xc3\xa9@b"), .reason = "8-bit character in local part" },
	{ S("a\"b@c"), .reason = "'\"' inside unquoted local part" },
	{ S("\"a@b"), .reason = "unterminated quoted string" },
	{ S("\""), .reason = "unterminated quoted string" },
	{ S("\"a\\"), .reason = "unterminated quoted string" },
	{ S("\"a\\\"@b"), .reason = "unterminated quoted string" },
	{ S("\"a\\\x01\"@b"), .reason = "bad escape in quoted string" },
	{ S("\"a\\\x80\"@b"), .reason = "bad escape in quoted string" },
	{ S("\"a\\\x7f\"@b"), .reason = "bad escape in quoted string" },
	{ S("\"a\x01\"@b"),
	  .reason = "control character in quoted local part" },
	{ S("\"a\x00\"@b"),
	  .reason = "control character in quoted local part" },
	{ S("\"a\tb\"@b"), .reason = "control character in quoted local part" },
	{ S("\"\x80\"@b"), .reason = "8-bit character in quoted local part" },
	{ S("\"a\"b@c"), .reason = "quoted local part not followed by '@'" },
	{ S("\"a\".b@c"), .reason = "quoted local part not followed by '@'" },
	{ S("a@b@c"), .reason = "invalid character in domain" },
	{ S("a@b "), .reason = "invalid character in domain" },
	{ S("a@ b"), .reason = "invalid character in domain" },
	{ S("a@b>"), .reason = "invalid character in domain" },
	{ S("a@b."), .reason = "domain ends with '.'" },
	{ S("a@-b"), .reason = "domain label starts with '-'" },
	{ S("a@b\x00"), .reason = "control character in domain" },
	{ S("a@b\xff"), .reason = "8-bit character in domain" },
	{ S("a@[1.2.3.4"), .reason = "missing ']'" },
	{ S("a@["), .reason = "missing ']'" },
	{ S("a@[1.2.3.4]x"),
	  .reason = "unexpected character after address literal" },
	{ S("a@[1.2.3.4]]"),
	  .reason = "unexpected character after address literal" },
	{ S("a@[300.1.1.1]"), .reason = "IPv4 octet out of range" },
	{ S("a@[IPv6:1]"), .reason = "IPv6 address needs 8 groups or '::'" },
	{ S("a@[]"), .reason = "empty address literal" },
};

static void
test_mailbox(void)
{
	const struct mailbox_case *c;
	struct syn_mail_args ma;
	struct syn_path p;
	struct tu_guard g;
	char line[256];
	const char *in, *r;
	size_t i, n;

	for (i = 0; i < NELEM(mailbox_cases); i++) {
		c = &mailbox_cases[i];
		in = tu_guarded(&g, c->in, c->len);
		r = syn_check_mailbox(in, c->len, &p);
		if (reason_is("mailbox", c->in, c->len, r, c->reason) &&
		    r == NULL) {
			CU_ASSERT(span_eq(p.local, p.local_len, c->local));
			CU_ASSERT(span_eq(p.domain, p.domain_len, c->domain));
			CU_ASSERT(p.local == in);
			CU_ASSERT(p.domain_kind == c->kind);
			CU_ASSERT(p.local_quoted == c->quoted);
			CU_ASSERT(!p.is_null && !p.has_route &&
			    !p.is_postmaster);
		}
		CU_ASSERT(syn_check_mailbox(in, c->len, NULL) == r);
		tu_unguard(&g);

		/* The same mailbox inside MAIL FROM:<...> agrees. */
		CU_ASSERT_FATAL(c->len + 8 < sizeof(line));
		memcpy(line, "FROM:<", 6);
		memcpy(line + 6, c->in, c->len);
		line[6 + c->len] = '>';
		n = c->len + 7;
		in = tu_guarded(&g, line, n);
		r = syn_parse_mail(in, n, &ma);
		if (c->reason == NULL) {
			CU_ASSERT(r == NULL);
			CU_ASSERT(span_eq(ma.path.local, ma.path.local_len,
			    c->local));
			CU_ASSERT(span_eq(ma.path.domain, ma.path.domain_len,
			    c->domain));
			CU_ASSERT(ma.path.domain_kind == c->kind);
		} else if (c->len == 0) {
			/* "FROM:<>" is the null reverse-path */
			CU_ASSERT(r == NULL && ma.path.is_null);
		} else {
			if (r == NULL)
				show("FROM:<mailbox> accepted", line, n);
			CU_ASSERT(r != NULL);
		}
		tu_unguard(&g);
	}
}

/* syn_parse_mail, syn_parse_rcpt */

struct kv {
	const char *k, *v;
};

struct mail_case {
	const char *in;
	size_t len;
	const char *reason;
	const char *local;
	const char *domain;
	enum syn_domain_kind kind;
	int quoted, is_null, has_route, postmaster;
	size_t n_params;
	struct kv p[4];
};

static const struct mail_case mail_cases[] = {
	{ S("FROM:<a@b>"), .local = "a", .domain = "b", .kind = NAME },
	{ S("from:<a@b>"), .local = "a", .domain = "b", .kind = NAME },
	{ S("From:<a@b>"), .local = "a", .domain = "b", .kind = NAME },
	{ S("FROM:<>"), .is_null = 1 },
	{ S("fRoM:<>"), .is_null = 1 },
	{ S("FROM:<> "), .is_null = 1 },
	{ S("FROM:<a@b>   "), .local = "a", .domain = "b", .kind = NAME },
	{ S("FROM:<> SIZE=100"), .is_null = 1, .n_params = 1,
	  .p = { { "SIZE", "100" } } },
	{ S("FROM:<a@b> SIZE=1000"), .local = "a", .domain = "b", .kind = NAME,
	  .n_params = 1, .p = { { "SIZE", "1000" } } },
	{ S("FROM:<a@b> SIZE=1000 BODY=8BITMIME"), .local = "a", .domain = "b",
	  .kind = NAME, .n_params = 2,
	  .p = { { "SIZE", "1000" }, { "BODY", "8BITMIME" } } },
	{ S("FROM:<a@b> SMTPUTF8"), .local = "a", .domain = "b", .kind = NAME,
	  .n_params = 1, .p = { { "SMTPUTF8", NULL } } },
	{ S("FROM:<a@b> RET=HDRS ENVID=QQ314159+2B "), .local = "a",
	  .domain = "b", .kind = NAME, .n_params = 2,
	  .p = { { "RET", "HDRS" }, { "ENVID", "QQ314159+2B" } } },
	{ S("FROM:<a@b> AUTH=<>"), .local = "a", .domain = "b", .kind = NAME,
	  .n_params = 1, .p = { { "AUTH", "<>" } } },
	{ S("FROM:<a@b> X-FOO=bar 1=2 a-b K=!"), .local = "a", .domain = "b",
	  .kind = NAME, .n_params = 4,
	  .p = { { "X-FOO", "bar" }, { "1", "2" }, { "a-b", NULL },
	    { "K", "!" } } },
	{ S("FROM:<@a,@b:c@d>"), .local = "c", .domain = "d", .kind = NAME,
	  .has_route = 1 },
	{ S("FROM:<@a:c@d>"), .local = "c", .domain = "d", .kind = NAME,
	  .has_route = 1 },
	{ S("FROM:<@a.example,@b-c.d,@e:x.y@z.w> SIZE=1"), .local = "x.y",
	  .domain = "z.w", .kind = NAME, .has_route = 1, .n_params = 1,
	  .p = { { "SIZE", "1" } } },
	{ S("FROM:<\"a b\"@c>"), .local = "\"a b\"", .domain = "c",
	  .kind = NAME, .quoted = 1 },
	{ S("FROM:<\"a>b\"@c>"), .local = "\"a>b\"", .domain = "c",
	  .kind = NAME, .quoted = 1 },
	{ S("FROM:<\"a\\\"> \"@c>"), .local = "\"a\\\"> \"", .domain = "c",
	  .kind = NAME, .quoted = 1 },
	{ S("FROM:<a@[1.2.3.4]>"), .local = "a", .domain = "[1.2.3.4]",
	  .kind = V4 },
	{ S("FROM:<a@[IPv6:2001:db8::1]> SIZE=1"), .local = "a",
	  .domain = "[IPv6:2001:db8::1]", .kind = V6, .n_params = 1,
	  .p = { { "SIZE", "1" } } },
	{ S("FROM:<a@[tag:x>y]>"), .local = "a", .domain = "[tag:x>y]",
	  .kind = GEN },
	{ S("FROM:<Postmaster@x>"), .local = "Postmaster", .domain = "x",
	  .kind = NAME },
	/* errors: the keyword and the colon */
	{ S(""), .reason = "missing 'FROM:'" },
	{ S("F"), .reason = "missing 'FROM:'" },
	{ S("FROM"), .reason = "missing 'FROM:'" },
	{ S("FROM<a@b>"), .reason = "missing 'FROM:'" },
	{ S("FRM:<a@b>"), .reason = "missing 'FROM:'" },
	{ S("TO:<a@b>"), .reason = "missing 'FROM:'" },
	{ S("FROMX:<a@b>"), .reason = "missing 'FROM:'" },
	{ S("\x00" "FROM:<a@b>"), .reason = "missing 'FROM:'" },
	{ S("FR\xc3\x95M:<a@b>"), .reason = "missing 'FROM:'" },
	{ S("FROM :<a@b>"), .reason = "space before ':'" },
	{ S("FROM: <a@b>"), .reason = "space after ':'" },
	{ S("from: <>"), .reason = "space after ':'" },
	/* errors: the path */
	{ S("FROM:"), .reason = "missing path" },
	{ S("FROM:a@b"), .reason = "missing '<'" },
	{ S("FROM:\"<a@b>\""), .reason = "missing '<'" },
	{ S("FROM:<"), .reason = "empty local part" },
	{ S("FROM:<a"), .reason = "missing '@' in mailbox" },
	{ S("FROM:<a@"), .reason = "empty domain" },
	{ S("FROM:<a@b"), .reason = "missing '>'" },
	{ S("FROM:<a>"), .reason = "missing '@' in mailbox" },
	{ S("FROM:<Postmaster>"), .reason = "missing '@' in mailbox" },
	{ S("FROM:<a@b c>"), .reason = "invalid character in domain" },
	{ S("FROM:<a@b.>"), .reason = "domain ends with '.'" },
	{ S("FROM:<<a@b>>"), .reason = "invalid character in local part" },
	{ S("FROM:<a b@c>"), .reason = "invalid character in local part" },
	{ S("FROM:<\"a\"@b"), .reason = "missing '>'" },
	{ S("FROM:<\"a>"), .reason = "unterminated quoted string" },
	{ S("FROM:<\"a\">"), .reason = "missing '@' in mailbox" },
	{ S("FROM:<a@[1.2.3.4>"), .reason = "missing ']'" },
	{ S("FROM:<a@[1.2.3.4]"), .reason = "missing '>'" },
	{ S("FROM:<a@[1.2.3.4]x>"), .reason = "missing '>'" },
	{ S("FROM:<a@[IPv6:::1::]>"),
	  .reason = "more than one '::' in IPv6 address" },
	{ S("FROM:<a\x00@b>"), .reason = "control character in local part" },
	{ S("FROM:<a@b\x80>"), .reason = "8-bit character in domain" },
	/* errors: source routes */
	{ S("FROM:<@a>"), .reason = "invalid character in domain" },
	{ S("FROM:<@a,b:c@d>"), .reason = "missing '@' in source route" },
	{ S("FROM:<@a,"), .reason = "missing '@' in source route" },
	{ S("FROM:<@a,@b"), .reason = "unterminated source route" },
	{ S("FROM:<@:c@d>"), .reason = "empty domain" },
	{ S("FROM:<@a,:c@d>"), .reason = "missing '@' in source route" },
	{ S("FROM:<@a:>"), .reason = "empty local part" },
	{ S("FROM:<@[1.2.3.4]:a@b>"), .reason = "invalid character in domain" },
	{ S("FROM:<@a.:b@c>"), .reason = "domain ends with '.'" },
	{ S("FROM:<@-a:b@c>"), .reason = "domain label starts with '-'" },
	/* errors: after the path, parameters */
	{ S("FROM:<a@b>x"), .reason = "unexpected character after path" },
	{ S("FROM:<a@b>>"), .reason = "unexpected character after path" },
	{ S("FROM:<a@b>\tSIZE=1"),
	  .reason = "unexpected character after path" },
	{ S("FROM:<a@b>\t"), .reason = "unexpected character after path" },
	{ S("FROM:<a@b>\r"), .reason = "unexpected character after path" },
	{ S("FROM:<a@b>\x00"), .reason = "unexpected character after path" },
	{ S("FROM:<>x"), .reason = "unexpected character after path" },
	{ S("FROM:<a@b>  SIZE=1"),
	  .reason = "more than one space before parameter" },
	{ S("FROM:<a@b> SIZE=1  BODY=7BIT"),
	  .reason = "more than one space before parameter" },
	{ S("FROM:<a@b> =1"), .reason = "empty parameter keyword" },
	{ S("FROM:<a@b> SIZE="), .reason = "empty parameter value" },
	{ S("FROM:<a@b> SIZE=1=2"), .reason = "'=' in parameter value" },
	{ S("FROM:<a@b> SIZE=1 BODY=="), .reason = "'=' in parameter value" },
	{ S("FROM:<a@b> -X=1"), .reason = "parameter keyword starts with '-'" },
	{ S("FROM:<a@b> X_Y=1"),
	  .reason = "invalid character in parameter keyword" },
	{ S("FROM:<> <>"), .reason = "invalid character in parameter keyword" },
	{ S("FROM:<a@b> X=\x01"),
	  .reason = "control character in parameter value" },
	{ S("FROM:<a@b> X=1\t"),
	  .reason = "control character in parameter value" },
	{ S("FROM:<a@b> X=\xc3\xa9"),
	  .reason = "8-bit character in parameter value" },
	{ S("FROM:<a@b> X\x00=1"),
	  .reason = "control character in parameter keyword" },
	{ S("FROM:<a@b> \x80"),
	  .reason = "8-bit character in parameter keyword" },
};

static const struct mail_case rcpt_cases[] = {
	{ S("TO:<a@b>"), .local = "a", .domain = "b", .kind = NAME },
	{ S("to:<a@b>"), .local = "a", .domain = "b", .kind = NAME },
	{ S("To:<a@b>"), .local = "a", .domain = "b", .kind = NAME },
	{ S("tO:<a@b> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+40b"),
	  .local = "a", .domain = "b", .kind = NAME, .n_params = 2,
	  .p = { { "NOTIFY", "SUCCESS,FAILURE" },
	    { "ORCPT", "rfc822;a+40b" } } },
	{ S("TO:<Postmaster>"), .local = "Postmaster", .postmaster = 1 },
	{ S("TO:<postmaster>"), .local = "postmaster", .postmaster = 1 },
	{ S("to:<POSTMASTER> "), .local = "POSTMASTER", .postmaster = 1 },
	{ S("TO:<PostMaster> X=1"), .local = "PostMaster", .postmaster = 1,
	  .n_params = 1, .p = { { "X", "1" } } },
	{ S("TO:<Postmaster@example.com>"), .local = "Postmaster",
	  .domain = "example.com", .kind = NAME },
	{ S("TO:<@a:b@c>"), .local = "b", .domain = "c", .kind = NAME,
	  .has_route = 1 },
	{ S("TO:<a@[IPv6:::1]>"), .local = "a", .domain = "[IPv6:::1]",
	  .kind = V6 },
	{ S("TO:<\"post master\"@x>"), .local = "\"post master\"",
	  .domain = "x", .kind = NAME, .quoted = 1 },
	{ S("TO:<>"), .reason = "null path '<>' not allowed in RCPT" },
	{ S("TO:<> "), .reason = "null path '<>' not allowed in RCPT" },
	{ S("TO: <a@b>"), .reason = "space after ':'" },
	{ S("TO :<a@b>"), .reason = "space before ':'" },
	{ S("TO<a@b>"), .reason = "missing 'TO:'" },
	{ S("T"), .reason = "missing 'TO:'" },
	{ S(""), .reason = "missing 'TO:'" },
	{ S("FROM:<a@b>"), .reason = "missing 'TO:'" },
	{ S("TO:"), .reason = "missing path" },
	{ S("TO:a@b"), .reason = "missing '<'" },
	{ S("TO:<\"Postmaster\">"), .reason = "missing '@' in mailbox" },
	{ S("TO:<@a:Postmaster>"), .reason = "missing '@' in mailbox" },
	{ S("TO:<Postmaster"), .reason = "missing '@' in mailbox" },
	{ S("TO:<Postmasterx>"), .reason = "missing '@' in mailbox" },
	{ S("TO:<Postmaste>"), .reason = "missing '@' in mailbox" },
	{ S("TO:<Postmaster> x="), .reason = "empty parameter value" },
	{ S("TO:<Postmaster>x"), .reason = "unexpected character after path" },
	{ S("TO:<a@b> NOTIFY=NEVER  "), NULL, .local = "a", .domain = "b",
	  .kind = NAME, .n_params = 1, .p = { { "NOTIFY", "NEVER" } } },
	{ S("TO:<a@b>\x00"), .reason = "unexpected character after path" },
};

static void
run_mail_table(const struct mail_case *t, size_t n, int rcpt)
{
	const struct mail_case *c;
	struct syn_mail_args ma;
	struct tu_guard g;
	const char *in, *r;
	size_t i, j;

	for (i = 0; i < n; i++) {
		c = &t[i];
		in = tu_guarded(&g, c->in, c->len);
		r = rcpt ? syn_parse_rcpt(in, c->len, &ma) :
		    syn_parse_mail(in, c->len, &ma);
		if (reason_is(rcpt ? "rcpt" : "mail", c->in, c->len, r,
		    c->reason) && r == NULL) {
			CU_ASSERT(span_eq(ma.path.local, ma.path.local_len,
			    c->local));
			CU_ASSERT(span_eq(ma.path.domain, ma.path.domain_len,
			    c->domain));
			CU_ASSERT(ma.path.domain_kind == c->kind);
			CU_ASSERT(ma.path.local_quoted == c->quoted);
			CU_ASSERT(ma.path.is_null == c->is_null);
			CU_ASSERT(ma.path.has_route == c->has_route);
			CU_ASSERT(ma.path.is_postmaster == c->postmaster);
			CU_ASSERT(ma.n_params == c->n_params);
			for (j = 0; j < c->n_params && j < ma.n_params; j++) {
				CU_ASSERT(span_eq(ma.params[j].key,
				    ma.params[j].key_len, c->p[j].k));
				CU_ASSERT(span_eq(ma.params[j].value,
				    ma.params[j].value_len, c->p[j].v));
			}
			check_mail_invariants(in, c->len, &ma, rcpt);
		}
		tu_unguard(&g);
	}
}

static void
test_mail(void)
{
	run_mail_table(mail_cases, NELEM(mail_cases), 0);
}

static void
test_rcpt(void)
{
	run_mail_table(rcpt_cases, NELEM(rcpt_cases), 1);
}

/* SYN_MAX_PARAMS parameters fit, one more does not. */
static void
test_param_count(void)
{
	struct syn_mail_args ma;
	struct tu_guard g;
	char params[400], line[512];
	const char *in;
	size_t n, i, pn = 0;

	for (i = 0; i < SYN_MAX_PARAMS; i++)
		pn += (size_t)snprintf(params + pn, sizeof(params) - pn,
		    " P%zu=%zu", i, i);
	n = (size_t)snprintf(line, sizeof(line), "FROM:<a@b>%s ", params);
	in = tu_guarded(&g, line, n);
	CU_ASSERT(syn_parse_mail(in, n, &ma) == NULL);
	CU_ASSERT(ma.n_params == SYN_MAX_PARAMS);
	CU_ASSERT(span_eq(ma.params[0].key, ma.params[0].key_len, "P0"));
	CU_ASSERT(span_eq(ma.params[SYN_MAX_PARAMS - 1].key,
	    ma.params[SYN_MAX_PARAMS - 1].key_len, "P15"));
	CU_ASSERT(span_eq(ma.params[SYN_MAX_PARAMS - 1].value,
	    ma.params[SYN_MAX_PARAMS - 1].value_len, "15"));
	tu_unguard(&g);

	n = (size_t)snprintf(line, sizeof(line), "FROM:<a@b>%s EXTRA", params);
	in = tu_guarded(&g, line, n);
	reason_is("mail", line, n, syn_parse_mail(in, n, &ma),
	    "too many parameters");
	tu_unguard(&g);

	n = (size_t)snprintf(line, sizeof(line), "TO:<Postmaster>%s X",
	    params);
	in = tu_guarded(&g, line, n);
	reason_is("rcpt", line, n, syn_parse_rcpt(in, n, &ma),
	    "too many parameters");
	tu_unguard(&g);
}

/* syn_check_param, on separately guarded key and value */

struct param_case {
	const char *key;
	size_t key_len;
	const char *value;	/* NULL: no '=' */
	size_t value_len;
	const char *reason;
};

#define VAL(x)	x, sizeof(x) - 1

static const struct param_case param_cases[] = {
	{ S("SIZE"), VAL("1000"), NULL },
	{ S("BODY"), VAL("8BITMIME"), NULL },
	{ S("SMTPUTF8"), NULL, 0, NULL },
	{ S("X-A-B"), VAL("!\"#"), NULL },
	{ S("1"), NULL, 0, NULL },
	{ S("a-"), VAL("x"), NULL },
	{ S("K"), VAL("~"), NULL },
	{ S("K"), VAL("<>"), NULL },
	{ S("K"), VAL("a+2B;,"), NULL },
	{ S(""), NULL, 0, "empty parameter keyword" },
	{ NULL, 0, VAL("x"), "empty parameter keyword" },
	{ S("-K"), NULL, 0, "parameter keyword starts with '-'" },
	{ S("K K"), NULL, 0, "space in parameter keyword" },
	{ S("K="), NULL, 0, "invalid character in parameter keyword" },
	{ S("K.1"), NULL, 0, "invalid character in parameter keyword" },
	{ S("K\x00"), NULL, 0, "control character in parameter keyword" },
	{ S("\xff"), NULL, 0, "8-bit character in parameter keyword" },
	{ S("K"), VAL(""), .reason = "empty parameter value" },
	{ S("K"), VAL("a=b"), .reason = "'=' in parameter value" },
	{ S("K"), VAL("="), .reason = "'=' in parameter value" },
	{ S("K"), VAL("a b"), .reason = "space in parameter value" },
	{ S("K"), VAL("\x7f"),
	  .reason = "control character in parameter value" },
	{ S("K"), VAL("\x00"),
	  .reason = "control character in parameter value" },
	{ S("K"), VAL("a\n"),
	  .reason = "control character in parameter value" },
	{ S("K"), VAL("\x80"), .reason = "8-bit character in parameter value" },
};

static void
test_param(void)
{
	const struct param_case *c;
	struct syn_param p;
	struct tu_guard gk = { 0 }, gv = { 0 };
	size_t i;

	for (i = 0; i < NELEM(param_cases); i++) {
		c = &param_cases[i];
		p.key = c->key ? tu_guarded(&gk, c->key, c->key_len) : NULL;
		p.key_len = c->key_len;
		p.value = c->value ? tu_guarded(&gv, c->value, c->value_len) :
		    NULL;
		p.value_len = c->value_len;
		reason_is("param key", c->key ? c->key : "", c->key_len,
		    syn_check_param(&p), c->reason);
		if (c->key)
			tu_unguard(&gk);
		if (c->value)
			tu_unguard(&gv);
	}
}

/* Generic passes over all tables. */

static void
each_input(void (*fn)(enum fn, const char *, size_t, int))
{
	size_t i;

	for (i = 0; i < NELEM(split_cases); i++)
		fn(F_SPLIT, split_cases[i].in, split_cases[i].len,
		    split_cases[i].reason == NULL);
	for (i = 0; i < NELEM(domain_cases); i++)
		fn(F_DOMAIN, domain_cases[i].in, domain_cases[i].len,
		    domain_cases[i].reason == NULL);
	for (i = 0; i < NELEM(ehlo_cases); i++)
		fn(F_EHLO, ehlo_cases[i].in, ehlo_cases[i].len,
		    ehlo_cases[i].reason == NULL);
	for (i = 0; i < NELEM(xtext_cases); i++)
		fn(F_XTEXT, xtext_cases[i].in, xtext_cases[i].len,
		    xtext_cases[i].reason == NULL);
	for (i = 0; i < NELEM(literal_cases); i++)
		fn(F_LITERAL, literal_cases[i].in, literal_cases[i].len,
		    literal_cases[i].reason == NULL);
	for (i = 0; i < NELEM(mailbox_cases); i++)
		fn(F_MAILBOX, mailbox_cases[i].in, mailbox_cases[i].len,
		    mailbox_cases[i].reason == NULL);
	for (i = 0; i < NELEM(mail_cases); i++)
		fn(F_MAIL, mail_cases[i].in, mail_cases[i].len,
		    mail_cases[i].reason == NULL);
	for (i = 0; i < NELEM(rcpt_cases); i++)
		fn(F_RCPT, rcpt_cases[i].in, rcpt_cases[i].len,
		    rcpt_cases[i].reason == NULL);
	/* Parameters as "KEY=VALUE" tokens. */
	fn(F_PARAM, S("SIZE=1000"), 1);
	fn(F_PARAM, S("SMTPUTF8"), 1);
	fn(F_PARAM, S("ORCPT=rfc822;a+40b"), 1);
	fn(F_PARAM, S("SIZE=1=2"), 0);
}

/*
 * Every prefix of every input, guarded: nothing may read past the cut, and
 * whatever is accepted keeps its invariants (checked inside call_fn).
 */
static void
prefix_one(enum fn f, const char *in, size_t len, int valid)
{
	size_t n;

	(void)valid;
	for (n = 0; n <= len; n++)
		(void)call_guarded(f, in, n);
	CU_PASS("prefixes");
}

static void
test_prefixes(void)
{
	each_input(prefix_one);
}

/*
 * A NUL, CR, LF, DEL or 8-bit byte is allowed nowhere in these grammars, so
 * putting one anywhere in a valid input must make it invalid -- except in
 * the argument of a command line, which is kept verbatim.
 */
static void
mutate_one(enum fn f, const char *in, size_t len, int valid)
{
	static const unsigned char bad[] = { 0x00, '\r', '\n', 0x7f, 0x80,
	    0xff };
	struct syn_command cmd, orig;
	struct tu_guard g;
	char buf[512];
	const char *p, *r;
	size_t k, b;

	if (!valid || len > sizeof(buf))
		return;
	if (f == F_SPLIT)
		CU_ASSERT_FATAL(syn_split_command(in, len, &orig) == NULL);
	for (k = 0; k < len; k++) {
		for (b = 0; b < sizeof(bad); b++) {
			memcpy(buf, in, len);
			buf[k] = (char)bad[b];
			p = tu_guarded(&g, buf, len);
			if (f == F_SPLIT) {
				r = syn_split_command(p, len, &cmd);
				if (k <= orig.verb_len) {
					/* in the verb, or the SP after it */
					CU_ASSERT(r != NULL);
				} else {
					CU_ASSERT(r == NULL);
					CU_ASSERT(cmd.verb == orig.verb);
					CU_ASSERT(cmd.arg_len == orig.arg_len &&
					    memcmp(cmd.arg, buf + len -
					    cmd.arg_len, cmd.arg_len) == 0);
				}
			} else {
				r = call_fn(f, p, len);
				if (r == NULL)
					show("mutated", buf, len);
				CU_ASSERT(r != NULL);
			}
			tu_unguard(&g);
		}
	}
}

static void
test_mutations(void)
{
	each_input(mutate_one);
}

/*
 * Pseudo-random inputs: a generator that follows the grammar (so most
 * outputs are valid or nearly so), then up to two random edits.  IP address
 * literals are also checked against inet_pton(3).
 */
struct gen {
	uint32_t seed;
	char buf[512];
	size_t n;
};

static uint32_t
rnd(struct gen *g, uint32_t mod)
{
	g->seed ^= g->seed << 13;
	g->seed ^= g->seed >> 17;
	g->seed ^= g->seed << 5;
	return g->seed % mod;
}

static void
put(struct gen *g, const char *s)
{
	size_t l = strlen(s);

	if (g->n + l < sizeof(g->buf)) {
		memcpy(g->buf + g->n, s, l);
		g->n += l;
	}
}

static void
putc_gen(struct gen *g, char c)
{
	if (g->n + 1 < sizeof(g->buf))
		g->buf[g->n++] = c;
}

static void
gen_domain(struct gen *g)
{
	static const char ldh[] = "abcxyzABC0129-";
	uint32_t labels = 1 + rnd(g, 3), i, j, l;

	for (i = 0; i < labels; i++) {
		if (i)
			putc_gen(g, '.');
		l = 1 + rnd(g, 5);
		for (j = 0; j < l; j++)
			putc_gen(g, ldh[j == 0 || j == l - 1 ?
			    rnd(g, sizeof(ldh) - 2) : rnd(g, sizeof(ldh) - 1)]);
	}
}

static void
gen_ipv4(struct gen *g)
{
	char tmp[8];
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(tmp, sizeof(tmp), i ? ".%u" : "%u",
		    rnd(g, 8) ? rnd(g, 256) : rnd(g, 300));
		put(g, tmp);
	}
}

static void
gen_ipv6(struct gen *g)
{
	char tmp[8];
	uint32_t groups = rnd(g, 10), dc = rnd(g, 3) ? rnd(g, groups + 1) :
	    99, i, v;
	int v4 = rnd(g, 3) == 0;

	for (i = 0; i < groups; i++) {
		if (i == dc)
			put(g, "::");
		else if (i)
			putc_gen(g, ':');
		/* One rnd() per statement: argument order is unspecified. */
		v = rnd(g, 5) ? rnd(g, 0x10000) : rnd(g, 16);
		snprintf(tmp, sizeof(tmp), rnd(g, 2) ? "%x" : "%X", v);
		put(g, tmp);
	}
	if (dc == groups)
		put(g, "::");
	if (v4) {
		if (groups > 0 && dc != groups)
			putc_gen(g, ':');
		gen_ipv4(g);
	}
}

static void
gen_literal(struct gen *g)
{
	putc_gen(g, '[');
	switch (rnd(g, 4)) {
	case 0:
		gen_ipv4(g);
		break;
	case 1:
	case 2:
		put(g, rnd(g, 4) ? "IPv6:" : "ipv6:");
		gen_ipv6(g);
		break;
	default:
		gen_domain(g);
		put(g, ":x>!");
		break;
	}
	putc_gen(g, ']');
}

static void
gen_local(struct gen *g)
{
	static const char atext[] = "abZ09!#$%&'*+-/=?^_`{|}~";
	static const char qtext[] = "a <>@.,;:[]()";
	uint32_t n, i;

	if (rnd(g, 4) == 0) {
		putc_gen(g, '"');
		for (n = rnd(g, 6), i = 0; i < n; i++) {
			if (rnd(g, 4) == 0)
				putc_gen(g, '\\');
			putc_gen(g, qtext[rnd(g, sizeof(qtext) - 1)]);
		}
		putc_gen(g, '"');
		return;
	}
	for (n = 1 + rnd(g, 6), i = 0; i < n; i++) {
		if (i && i + 1 < n && rnd(g, 4) == 0)
			putc_gen(g, '.');
		putc_gen(g, atext[rnd(g, sizeof(atext) - 1)]);
	}
}

static void
gen_mailbox(struct gen *g)
{
	gen_local(g);
	putc_gen(g, '@');
	if (rnd(g, 3) == 0)
		gen_literal(g);
	else
		gen_domain(g);
}

static void
gen_args(struct gen *g, int rcpt)
{
	static const char *const params[] = {
		"SIZE=1000", "BODY=8BITMIME", "SMTPUTF8", "RET=HDRS",
		"ENVID=a+2Bb", "NOTIFY=NEVER", "X-Y=<>", "AUTH=<>",
	};
	uint32_t n, i;

	put(g, rcpt ? (rnd(g, 2) ? "TO:" : "to:") :
	    (rnd(g, 2) ? "FROM:" : "From:"));
	putc_gen(g, '<');
	switch (rnd(g, 8)) {
	case 0:
		break;	/* "<>" */
	case 1:
		put(g, "Postmaster");
		break;
	case 2:
		putc_gen(g, '@');
		gen_domain(g);
		if (rnd(g, 2)) {
			put(g, ",@");
			gen_domain(g);
		}
		putc_gen(g, ':');
		gen_mailbox(g);
		break;
	default:
		gen_mailbox(g);
		break;
	}
	putc_gen(g, '>');
	for (n = rnd(g, 4), i = 0; i < n; i++) {
		putc_gen(g, ' ');
		put(g, params[rnd(g, NELEM(params))]);
	}
	if (rnd(g, 4) == 0)
		put(g, "  ");
}

/* Up to two random replacements, insertions or deletions. */
static void
gen_edit(struct gen *g)
{
	static const char bytes[] = "<>@.:[]\" \\=+-,aZ09\t";
	uint32_t edits = rnd(g, 3), e, pos;
	char c;

	for (e = 0; e < edits; e++) {
		pos = rnd(g, (uint32_t)g->n + 1);
		c = rnd(g, 5) == 0 ? (char)(rnd(g, 2) ? 0x00 : 0x80) :
		    bytes[rnd(g, sizeof(bytes) - 1)];
		switch (rnd(g, 3)) {
		case 0:
			if (pos < g->n)
				g->buf[pos] = c;
			break;
		case 1:
			if (g->n + 1 < sizeof(g->buf)) {
				memmove(g->buf + pos + 1, g->buf + pos,
				    g->n - pos);
				g->buf[pos] = c;
				g->n++;
			}
			break;
		default:
			if (pos < g->n) {
				memmove(g->buf + pos, g->buf + pos + 1,
				    g->n - pos - 1);
				g->n--;
			}
			break;
		}
	}
}

/* Does a dotted-quad inside s[0..n) have an octet with a leading zero? */
static int
leading_zero(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == '0' && is_digit_c(s[i + 1]) &&
		    (i == 0 || !is_digit_c(s[i - 1])))
			return 1;
	return 0;
}

/*
 * Compare the verdict on "[...]" with inet_pton().  RFC 5321 is stricter in
 * one place: "::" must stand for at least two groups.
 */
static void
ip_oracle(const char *lit, size_t n, const char *reason,
    enum syn_domain_kind kind)
{
	unsigned char addr[16];
	char tmp[128];
	const char *in = lit + 1;
	size_t len = n - 2, i, groups = 0;
	int v6, pton, dcolon, v4;

	if (n < 2 || lit[0] != '[' || lit[n - 1] != ']' || len >= sizeof(tmp))
		return;
	v6 = len >= 5 && strncasecmp(in, "IPv6:", 5) == 0;
	if (v6) {
		in += 5;
		len -= 5;
	} else if (memchr(in, ':', len) != NULL)
		return;	/* a general literal */
	if (memchr(in, '\0', len) != NULL || leading_zero(in, len))
		return;
	memcpy(tmp, in, len);
	tmp[len] = '\0';
	pton = inet_pton(v6 ? AF_INET6 : AF_INET, tmp, addr) == 1;
	if (reason == NULL) {
		if (!pton)
			show("accepted, inet_pton refuses", lit, n);
		CU_ASSERT(pton);
		CU_ASSERT(kind == (v6 ? SYN_DOMAIN_IPV6 : SYN_DOMAIN_IPV4));
		return;
	}
	if (!pton)
		return;
	dcolon = strstr(tmp, "::") != NULL;
	v4 = strchr(tmp, '.') != NULL;
	for (i = 0; i < len; i++)
		if (is_hex_c(tmp[i]) && (i == 0 || tmp[i - 1] == ':') &&
		    (v4 == 0 || memchr(tmp + i, '.', len - i) == NULL ||
		    memchr(tmp + i, ':', len - i) != NULL))
			groups++;
	if (dcolon && groups + (v4 ? 2 : 0) == 7)
		return;	/* "::" for one group: RFC 5321 4.1.3 refuses */
	show("refused, inet_pton accepts", lit, n);
	fprintf(stderr, "  reason \"%s\"\n", reason);
	CU_FAIL("address literal refused");
}

static void
test_random(void)
{
	struct gen g = { .seed = 0x5eed1234 };
	struct syn_path p;
	enum syn_domain_kind kind;
	const char *r, *in;
	struct tu_guard tg;
	int acc[F_XTEXT + 1] = { 0 }, tot[F_XTEXT + 1] = { 0 };
	enum fn f;
	int i, k;

	for (i = 0; i < 40000; i++) {
		g.n = 0;
		f = (enum fn)(i % (F_XTEXT + 1));
		switch (f) {
		case F_SPLIT:
			put(&g, rnd(&g, 2) ? "MAIL " : "rcpt ");
			gen_args(&g, 0);
			break;
		case F_DOMAIN:
		case F_EHLO:
			gen_domain(&g);
			break;
		case F_LITERAL:
			gen_literal(&g);
			break;
		case F_MAILBOX:
			gen_mailbox(&g);
			break;
		case F_MAIL:
		case F_RCPT:
			gen_args(&g, f == F_RCPT);
			break;
		case F_PARAM:
			put(&g, "K-1=");
			gen_local(&g);
			break;
		case F_XTEXT:
			put(&g, "a+2B");
			gen_local(&g);
			break;
		case F_SIZE:
		case F_BDAT:
		case F_UTF8:
		case F_ORCPT:
		case F_AUTHP:
			break;	/* not generated: f stays up to F_XTEXT */
		}
		if (rnd(&g, 2))
			gen_edit(&g);
		tot[f]++;
		if (call_guarded(f, g.buf, g.n) == NULL)
			acc[f]++;
		/* Every function also sees every other generator's output. */
		for (k = 0; k <= F_XTEXT; k++)
			(void)call_guarded((enum fn)k, g.buf, g.n);
		if (f == F_LITERAL) {
			in = tu_guarded(&tg, g.buf, g.n);
			r = syn_check_address_literal(in, g.n, &kind);
			ip_oracle(in, g.n, r, kind);
			tu_unguard(&tg);
		}
		if (f == F_MAILBOX && g.n > 0) {
			in = tu_guarded(&tg, g.buf, g.n);
			r = syn_check_mailbox(in, g.n, &p);
			if (r == NULL && p.domain_kind != SYN_DOMAIN_NAME)
				ip_oracle(p.domain, p.domain_len, r,
				    p.domain_kind);
			tu_unguard(&tg);
		}
	}
	/* Each generator reaches both valid and invalid inputs. */
	for (k = 0; k <= F_XTEXT; k++) {
		if (getenv("SYN_TEST_VERBOSE"))
			fprintf(stderr, "fn %d: %d of %d accepted\n", k,
			    acc[k], tot[k]);
		CU_ASSERT(acc[k] > tot[k] / 20);
		CU_ASSERT(acc[k] < tot[k]);
	}
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("syntax", NULL, NULL);
	if (s == NULL ||
	    CU_add_test(s, "split_command", test_split_command) == NULL ||
	    CU_add_test(s, "verb_names", test_verb_names) == NULL ||
	    CU_add_test(s, "domain", test_domain) == NULL ||
	    CU_add_test(s, "ehlo_arg", test_ehlo_arg) == NULL ||
	    CU_add_test(s, "xtext", test_xtext) == NULL ||
	    CU_add_test(s, "esmtp_values", test_esmtp_values) == NULL ||
	    CU_add_test(s, "address_literal", test_address_literal) == NULL ||
	    CU_add_test(s, "mailbox", test_mailbox) == NULL ||
	    CU_add_test(s, "mail", test_mail) == NULL ||
	    CU_add_test(s, "rcpt", test_rcpt) == NULL ||
	    CU_add_test(s, "param_count", test_param_count) == NULL ||
	    CU_add_test(s, "param", test_param) == NULL ||
	    CU_add_test(s, "prefixes", test_prefixes) == NULL ||
	    CU_add_test(s, "mutations", test_mutations) == NULL ||
	    CU_add_test(s, "random", test_random) == NULL) {
		CU_cleanup_registry();
		return 1;
	}
	return tu_run();
}
