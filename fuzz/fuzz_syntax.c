/*
 * fuzz_syntax.c - the command and path parser (src/syntax.h).  Byte 0
 * picks the function, the rest is its input.  Round trips where the
 * grammar gives one:
 *   - a split command glued back (verb [SP arg]) is the line;
 *   - a MAIL/RCPT argument, formatted again from what was parsed
 *     ("FROM:<local@domain> KEY=VALUE ..."), parses to the same fields;
 *   - a valid mailbox inside "FROM:<...>" and "TO:<...>" parses to the
 *     same spans; a valid Domain or address literal is a valid EHLO
 *     argument and, after "x@", a valid mailbox of the same kind.
 */
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "syntax.h"

static int
eq(const char *a, size_t al, const char *b, size_t bl)
{
	return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

static void
put(char *out, size_t *n, const char *s, size_t len)
{
	memcpy(out + *n, s, len);
	*n += len;
}

/* Format a parsed MAIL/RCPT argument again; out must hold len + 32. */
static size_t
format_args(const struct syn_mail_args *a, int rcpt, char *out)
{
	size_t n = 0, i;

	put(out, &n, rcpt ? "TO:<" : "FROM:<", rcpt ? 4 : 6);
	if (!a->path.is_null) {
		put(out, &n, a->path.local, a->path.local_len);
		if (a->path.domain) {
			put(out, &n, "@", 1);
			put(out, &n, a->path.domain, a->path.domain_len);
		}
	}
	put(out, &n, ">", 1);
	for (i = 0; i < a->n_params; i++) {
		put(out, &n, " ", 1);
		put(out, &n, a->params[i].key, a->params[i].key_len);
		if (a->params[i].value) {
			put(out, &n, "=", 1);
			put(out, &n, a->params[i].value, a->params[i].value_len);
		}
	}
	return n;
}

static void
same_path(const struct syn_path *a, const struct syn_path *b, const char *what)
{
	FUZZ_CHECK(a->is_null == b->is_null && a->local_quoted == b->local_quoted &&
	    a->domain_kind == b->domain_kind && a->is_postmaster == b->is_postmaster,
	    "%s: path flags differ", what);
	FUZZ_CHECK(eq(a->local, a->local_len, b->local, b->local_len), "%s: local part differs", what);
	FUZZ_CHECK((a->domain == NULL) == (b->domain == NULL) &&
	    eq(a->domain, a->domain_len, b->domain, b->domain_len), "%s: domain differs", what);
}

static void
mail_rcpt(const char *in, size_t len, int rcpt)
{
	struct syn_mail_args a, b;
	const char *why = rcpt ? syn_parse_rcpt(in, len, &a) : syn_parse_mail(in, len, &a);

	if (why)
		return;
	FUZZ_CHECK(a.n_params <= SYN_MAX_PARAMS, "%zu params", a.n_params);
	FUZZ_CHECK(!rcpt || !a.path.is_null, "RCPT TO:<> accepted");
	for (size_t i = 0; i < a.n_params; i++)
		FUZZ_CHECK(syn_check_param(&a.params[i]) == NULL, "param %zu accepted, then refused", i);
	if (!a.path.is_null && !a.path.is_postmaster) {
		/* The mailbox alone is a mailbox. */
		size_t ml = (size_t)(a.path.domain + a.path.domain_len - a.path.local);
		struct syn_path p;
		FUZZ_CHECK(a.path.domain != NULL, "mailbox without a domain");
		FUZZ_CHECK(syn_check_mailbox(a.path.local, ml, &p) == NULL, "mailbox refused alone");
		FUZZ_CHECK(eq(p.local, p.local_len, a.path.local, a.path.local_len) &&
		    p.domain_kind == a.path.domain_kind, "mailbox spans differ alone");
	}
	char *out = malloc(len + 32);
	if (!out)
		abort();
	size_t n = format_args(&a, rcpt, out);
	why = rcpt ? syn_parse_rcpt(out, n, &b) : syn_parse_mail(out, n, &b);
	FUZZ_CHECK(why == NULL, "formatted again '%.*s': %s", (int)n, out, why);
	b.path.has_route = a.path.has_route; /* the route is not formatted */
	same_path(&a.path, &b.path, rcpt ? "RCPT" : "MAIL");
	FUZZ_CHECK(a.n_params == b.n_params, "param count differs");
	for (size_t i = 0; i < a.n_params; i++) {
		FUZZ_CHECK(eq(a.params[i].key, a.params[i].key_len, b.params[i].key, b.params[i].key_len),
		    "param %zu key differs", i);
		FUZZ_CHECK((a.params[i].value == NULL) == (b.params[i].value == NULL) &&
		    eq(a.params[i].value, a.params[i].value_len, b.params[i].value, b.params[i].value_len),
		    "param %zu value differs", i);
	}
	free(out);
}

static void
command(const char *in, size_t len)
{
	struct syn_command c;
	const char *why = syn_split_command(in, len, &c);

	FUZZ_CHECK(c.verb_text == in || why != NULL, "verb does not start the line");
	if (why)
		return;
	FUZZ_CHECK(c.verb_len > 0 && c.verb_len <= len, "verb length %zu", c.verb_len);
	if (c.has_space)
		FUZZ_CHECK(in[c.verb_len] == ' ' && c.arg == in + c.verb_len + 1 &&
		    c.arg_len == len - c.verb_len - 1, "verb SP arg is not the line");
	else
		FUZZ_CHECK(c.verb_len == len && c.arg == in + len && c.arg_len == 0,
		    "verb alone is not the line");
	if (c.verb != SYN_UNKNOWN) {
		const char *name = syn_verb_name(c.verb);
		FUZZ_CHECK(strlen(name) == c.verb_len && strncasecmp(name, c.verb_text, c.verb_len) == 0,
		    "verb %s from '%.*s'", name, (int)c.verb_len, c.verb_text);
	}
	if (c.verb == SYN_MAIL)
		mail_rcpt(c.arg, c.arg_len, 0);
	else if (c.verb == SYN_RCPT)
		mail_rcpt(c.arg, c.arg_len, 1);
	else if (c.verb == SYN_EHLO || c.verb == SYN_HELO)
		(void)syn_check_ehlo_arg(c.arg, c.arg_len);
}

/* A valid Domain or literal: an EHLO argument, and a mailbox's domain. */
static void
as_domain(const char *in, size_t len, enum syn_domain_kind kind)
{
	FUZZ_CHECK(syn_check_ehlo_arg(in, len) == NULL, "domain refused as EHLO argument");
	char *mb = malloc(len + 2);
	struct syn_path p;
	if (!mb)
		abort();
	memcpy(mb, "x@", 2);
	memcpy(mb + 2, in, len);
	FUZZ_CHECK(syn_check_mailbox(mb, len + 2, &p) == NULL, "x@domain refused");
	FUZZ_CHECK(p.domain_kind == kind && eq(p.domain, p.domain_len, in, len),
	    "x@domain: kind %d, not %d", (int)p.domain_kind, (int)kind);
	free(mb);
}

static void
mailbox(const char *in, size_t len)
{
	struct syn_path p, q;

	if (syn_check_mailbox(in, len, &p) != NULL)
		return;
	FUZZ_CHECK(p.local == in && p.domain && p.domain + p.domain_len == in + len,
	    "mailbox spans do not cover it");
	for (int rcpt = 0; rcpt < 2; rcpt++) {
		char *arg = malloc(len + 8);
		struct syn_mail_args a;
		size_t n = 0;
		if (!arg)
			abort();
		put(arg, &n, rcpt ? "TO:<" : "FROM:<", rcpt ? 4 : 6);
		put(arg, &n, in, len);
		put(arg, &n, ">", 1);
		const char *why = rcpt ? syn_parse_rcpt(arg, n, &a) : syn_parse_mail(arg, n, &a);
		FUZZ_CHECK(why == NULL, "<mailbox> refused: %s", why);
		q = p;
		q.is_postmaster = a.path.is_postmaster;
		same_path(&q, &a.path, "<mailbox>");
		free(arg);
	}
}

/* The ESMTP parameter values and extension arguments, with what must hold
 * between them. */
static void
esmtp_values(const char *in, size_t len)
{
	uint64_t v, w;
	int last;
	const char *xtext = syn_check_xtext(in, len);

	if (syn_parse_size(in, len, &v) == NULL) {
		FUZZ_CHECK(syn_parse_bdat(in, len, &w, &last) == NULL && w == v &&
		    !last, "a SIZE value is not a BDAT chunk-size");
		FUZZ_CHECK(xtext == NULL, "digits are not xtext");
	}
	if (syn_parse_bdat(in, len, &v, &last) == NULL)
		FUZZ_CHECK(len > 0 && in[0] >= '0' && in[0] <= '9', "BDAT without digits");
	if (syn_check_auth_param(in, len) == NULL)
		FUZZ_CHECK(xtext == NULL, "AUTH= value that is not xtext");
	if (syn_check_orcpt(in, len) == NULL)
		FUZZ_CHECK(memchr(in, ';', len) != NULL, "ORCPT without ';'");
	if (syn_check_utf8(in, len) != NULL) {
		size_t i;

		for (i = 0; i < len && (unsigned char)in[i] < 0x80; i++)
			;
		FUZZ_CHECK(i < len, "ASCII refused as UTF-8");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* A copy of exactly the input's length: reads past it are caught. */
	size_t len = size - 1;
	char *in = malloc(len ? len : 1);
	enum syn_domain_kind kind;
	if (!in)
		abort();
	memcpy(in, data + 1, len);

	switch (data[0] & 7) {
	case 0:
		command(in, len);
		break;
	case 1:
		mail_rcpt(in, len, 0);
		break;
	case 2:
		mail_rcpt(in, len, 1);
		break;
	case 3:
		if (syn_check_domain(in, len) == NULL)
			as_domain(in, len, SYN_DOMAIN_NAME);
		break;
	case 4:
		if (syn_check_address_literal(in, len, &kind) == NULL) {
			FUZZ_CHECK(kind != SYN_DOMAIN_NONE && kind != SYN_DOMAIN_NAME, "literal kind %d",
			    (int)kind);
			as_domain(in, len, kind);
		} else
			FUZZ_CHECK(kind == SYN_DOMAIN_NONE, "refused literal has kind %d", (int)kind);
		break;
	case 5:
		mailbox(in, len);
		break;
	case 6:
		(void)syn_check_ehlo_arg(in, len);
		esmtp_values(in, len);
		break;
	case 7: {
		const char *eqs = memchr(in, '=', len);
		struct syn_param p = { in, eqs ? (size_t)(eqs - in) : len,
			eqs ? eqs + 1 : NULL, eqs ? len - (size_t)(eqs - in) - 1 : 0 };
		(void)syn_check_param(&p);
		break;
	}
	}
	free(in);
	return 0;
}
