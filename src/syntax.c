/*
 * syntax.c - SMTP command-line and path syntax (RFC 5321 4.1.1-4.1.3).
 *
 * The grammar implemented here, from RFC 5321 4.1.2 and 4.1.3 (ABNF strings
 * compare case-insensitively):
 *
 *   Reverse-path   = Path / "<>"
 *   Forward-path   = Path
 *   Path           = "<" [ A-d-l ":" ] Mailbox ">"
 *   A-d-l          = At-domain *( "," At-domain )   ; source route, ignored
 *   At-domain      = "@" Domain
 *   Mailbox        = Local-part "@" ( Domain / address-literal )
 *   Local-part     = Dot-string / Quoted-string
 *   Dot-string     = Atom *("." Atom)
 *   Atom           = 1*atext                        ; RFC 5322 atext
 *   Quoted-string  = DQUOTE *QcontentSMTP DQUOTE
 *   QcontentSMTP   = qtextSMTP / quoted-pairSMTP
 *   quoted-pairSMTP = %d92 %d32-126
 *   qtextSMTP      = %d32-33 / %d35-91 / %d93-126
 *   Domain         = sub-domain *("." sub-domain)
 *   sub-domain     = Let-dig [Ldh-str]
 *   Ldh-str        = *( ALPHA / DIGIT / "-" ) Let-dig
 *   address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
 *                     General-address-literal ) "]"
 *   IPv4-address-literal = Snum 3("." Snum)         ; Snum 1*3DIGIT, 0-255
 *   IPv6-address-literal = "IPv6:" IPv6-addr
 *   IPv6-addr      = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp
 *   IPv6-full      = IPv6-hex 7(":" IPv6-hex)       ; IPv6-hex 1*4HEXDIG
 *   IPv6-comp      = [IPv6-hex *5(":" IPv6-hex)] "::"
 *                    [IPv6-hex *5(":" IPv6-hex)]
 *                    ; at most 6 groups besides the "::"
 *   IPv6v4-full    = IPv6-hex 5(":" IPv6-hex) ":" IPv4-address-literal
 *   IPv6v4-comp    = [IPv6-hex *3(":" IPv6-hex)] "::"
 *                    [IPv6-hex *3(":" IPv6-hex) ":"] IPv4-address-literal
 *                    ; at most 4 groups besides the "::" and the IPv4 part
 *   General-address-literal = Standardized-tag ":" 1*dcontent
 *   Standardized-tag = Ldh-str
 *   dcontent       = %d33-90 / %d94-126
 *   Mail-parameters = esmtp-param *(SP esmtp-param)
 *   esmtp-param    = esmtp-keyword ["=" esmtp-value]
 *   esmtp-keyword  = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
 *   esmtp-value    = 1*(%d33-60 / %d62-126)
 *   mail           = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
 *   rcpt           = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
 *                    Forward-path ) [SP Rcpt-parameters] CRLF
 *
 * Every scanner takes a pointer and a length and never looks past it; NUL is
 * an ordinary (invalid) byte.  Length limits (RFC 5321 4.5.3.1) are the
 * caller's policy and are not checked here.
 */
#include "syntax.h"

#include <stdint.h>
#include <string.h>

#include "abnf.h"
#include "util.h"

/* Is c one of the bytes of the C string set?  NUL never is. */
static int
in_set(unsigned char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* Pick the reason matching the class of the offending byte. */
static const char *
bad_char(unsigned char c, const char *ctl, const char *eight,
    const char *other)
{
	if (abnf_ctl(c))
		return ctl;
	if (c >= 128)
		return eight;
	return other;
}

/* Verbs. */

const char *
syn_verb_name(enum syn_verb v)
{
	/* No default: the compiler flags a verb added without a name. */
	switch (v) {
	case SYN_UNKNOWN:	return "";
	case SYN_HELO:		return "HELO";
	case SYN_EHLO:		return "EHLO";
	case SYN_MAIL:		return "MAIL";
	case SYN_RCPT:		return "RCPT";
	case SYN_DATA:		return "DATA";
	case SYN_RSET:		return "RSET";
	case SYN_VRFY:		return "VRFY";
	case SYN_EXPN:		return "EXPN";
	case SYN_HELP:		return "HELP";
	case SYN_NOOP:		return "NOOP";
	case SYN_QUIT:		return "QUIT";
	case SYN_TURN:		return "TURN";
	case SYN_SEND:		return "SEND";
	case SYN_SOML:		return "SOML";
	case SYN_SAML:		return "SAML";
	case SYN_STARTTLS:	return "STARTTLS";
	case SYN_AUTH:		return "AUTH";
	case SYN_BDAT:		return "BDAT";
	case SYN_ETRN:		return "ETRN";
	case SYN_ATRN:		return "ATRN";
	}
	return "";
}

const char *
syn_split_command(const char *line, size_t len, struct syn_command *out)
{
	size_t i;
	int v;
	unsigned char c;

	memset(out, 0, sizeof(*out));
	out->verb = SYN_UNKNOWN;
	out->verb_text = line;
	out->arg = line + len;

	for (i = 0; i < len && line[i] != ' '; i++)
		;
	out->verb_len = i;
	if (len == 0)
		return "empty command line";
	if (i == 0)
		return "command line starts with a space";
	/* RFC 5321 4.1.1: a verb is letters only. */
	for (i = 0; i < out->verb_len; i++) {
		c = (unsigned char)line[i];
		if (!abnf_alpha(c))
			return bad_char(c, "control character in command verb",
			    "8-bit character in command verb",
			    "command verb is not made of letters");
	}
	if (out->verb_len < len) {
		/* One SP is eaten; the rest is the server's to judge. */
		out->has_space = 1;
		out->arg = line + out->verb_len + 1;
		out->arg_len = len - out->verb_len - 1;
	}
	/* RFC 5321 2.4: verbs are case-insensitive. */
	for (v = SYN_HELO; v <= SYN_ATRN; v++) {
		if (util_ieq(line, out->verb_len, syn_verb_name((enum syn_verb)v))) {
			out->verb = (enum syn_verb)v;
			break;
		}
	}
	return NULL;
}

/* Domains and address literals. */

/*
 * Scan a Domain at the start of s[0..len).  It ends at the end of the input
 * or at a byte of term; any other byte that is not part of a Domain is an
 * error.  On success *end is the Domain's length.
 */
static const char *
scan_domain(const char *s, size_t len, const char *term, size_t *end)
{
	size_t i, label = 0;
	unsigned char c = 0, prev = 0;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '.') {
			if (i == 0)
				return "domain starts with '.'";
			if (label == 0)
				return "empty domain label";
			if (prev == '-')
				return "domain label ends with '-'";
			label = 0;
		} else if (c == '-') {
			if (label == 0)
				return "domain label starts with '-'";
			label++;
		} else if (abnf_letdig(c))
			label++;
		else
			break;
		prev = c;
	}
	if (i < len && !in_set(c, term))
		return bad_char(c, "control character in domain",
		    "8-bit character in domain", "invalid character in domain");
	if (i == 0)
		return "empty domain";
	if (label == 0)
		return "domain ends with '.'";
	if (prev == '-')
		return "domain label ends with '-'";
	*end = i;
	return NULL;
}

const char *
syn_check_domain(const char *s, size_t len)
{
	size_t end;

	return scan_domain(s, len, "", &end);
}

/* IPv4-address-literal without brackets: Snum 3("." Snum). */
static const char *
check_ipv4(const char *s, size_t len)
{
	size_t i = 0, octets = 0, digits;
	unsigned v;

	for (;;) {
		digits = 0;
		v = 0;
		for (; i < len && abnf_digit((unsigned char)s[i]); i++) {
			if (++digits > 3)
				return "IPv4 octet longer than 3 digits";
			v = v * 10 + (unsigned)(s[i] - '0');
		}
		if (digits == 0 && (i == len || s[i] == '.'))
			return "empty IPv4 octet";
		if (digits == 0 || (i < len && s[i] != '.'))
			return bad_char((unsigned char)s[i],
			    "control character in IPv4 address literal",
			    "8-bit character in IPv4 address literal",
			    "invalid character in IPv4 address literal");
		if (v > 255)
			return "IPv4 octet out of range";
		if (++octets > 4)
			return "IPv4 address literal has more than 4 octets";
		if (i == len)
			break;
		i++;	/* the '.' */
	}
	if (octets < 4)
		return "IPv4 address literal has fewer than 4 octets";
	return NULL;
}

/* IPv6-addr (the part after "IPv6:"), all four forms of RFC 5321 4.1.3. */
static const char *
check_ipv6(const char *s, size_t len)
{
	size_t i = 0, j, k, groups = 0;
	int dcolon = 0, v4 = 0, dot;
	const char *reason;

	if (len == 0)
		return "empty IPv6 address";
	if (s[0] == ':') {
		if (len < 2 || s[1] != ':')
			return "IPv6 address starts with a single ':'";
		dcolon = 1;
		i = 2;
	}
	while (i < len) {
		for (j = i, dot = 0; j < len && s[j] != ':'; j++)
			if (s[j] == '.')
				dot = 1;
		if (j == i)
			return "empty IPv6 group";
		if (dot) {
			/* IPv6v4-full / IPv6v4-comp: the IPv4 part ends it. */
			if (j < len)
				return "IPv4 part not at the end of IPv6 address";
			if ((reason = check_ipv4(s + i, j - i)) != NULL)
				return reason;
			v4 = 1;
			break;
		}
		for (k = i; k < j; k++)
			if (!abnf_hexdig((unsigned char)s[k]))
				return bad_char((unsigned char)s[k],
				    "control character in IPv6 address",
				    "8-bit character in IPv6 address",
				    "invalid character in IPv6 address");
		if (j - i > 4)
			return "IPv6 group longer than 4 hex digits";
		groups++;
		i = j;
		if (i == len)
			break;
		if (i + 1 < len && s[i + 1] == ':') {
			if (dcolon)
				return "more than one '::' in IPv6 address";
			dcolon = 1;
			i += 2;
		} else if (++i == len)
			return "IPv6 address ends with a single ':'";
	}
	/* "::" stands for at least two zero groups (RFC 5321 4.1.3). */
	if (!dcolon && v4 && groups != 6)
		return "IPv6v4 address needs 6 groups before the IPv4 part";
	if (!dcolon && !v4 && groups != 8)
		return "IPv6 address needs 8 groups or '::'";
	if (dcolon && v4 && groups > 4)
		return "too many groups in compressed IPv6v4 address";
	if (dcolon && !v4 && groups > 6)
		return "too many groups in compressed IPv6 address";
	return NULL;
}

/* General-address-literal without brackets; colon is its first ':'. */
static const char *
check_general(const char *s, size_t len, const char *colon)
{
	size_t taglen = (size_t)(colon - s), i;
	unsigned char c;

	/* Standardized-tag = Ldh-str: letters, digits, '-', Let-dig last. */
	for (i = 0; i < taglen; i++) {
		c = (unsigned char)s[i];
		if (!abnf_letdig(c) && c != '-')
			return bad_char(c,
			    "control character in address literal tag",
			    "8-bit character in address literal tag",
			    "invalid character in address literal tag");
	}
	if (s[taglen - 1] == '-')
		return "address literal tag ends with '-'";
	if (taglen + 1 == len)
		return "empty general address literal";
	for (i = taglen + 1; i < len; i++) {
		c = (unsigned char)s[i];
		/* dcontent excludes SP, "[", "\" and "]". */
		if (c < 33 || c > 126 || c == '[' || c == '\\' || c == ']')
			return bad_char(c,
			    "control character in address literal",
			    "8-bit character in address literal",
			    "invalid character in address literal");
	}
	return NULL;
}

const char *
syn_check_address_literal(const char *s, size_t len,
    enum syn_domain_kind *kind)
{
	const char *in, *colon, *reason;
	size_t n;
	enum syn_domain_kind k;

	if (kind != NULL)
		*kind = SYN_DOMAIN_NONE;
	if (len == 0 || s[0] != '[')
		return "missing '['";
	if (len < 2 || s[len - 1] != ']')
		return "missing ']'";
	in = s + 1;
	n = len - 2;
	if (n == 0)
		return "empty address literal";
	if ((colon = memchr(in, ':', n)) == NULL) {
		if (!abnf_digit((unsigned char)in[0]))
			return "address literal is neither IPv4 nor tag:content";
		reason = check_ipv4(in, n);
		k = SYN_DOMAIN_IPV4;
	} else if (colon == in) {
		return "empty address literal tag";
	} else if (util_ieq(in, (size_t)(colon - in), "IPv6")) {
		/*
		 * "IPv6" is a Standardized-tag whose content has its own
		 * grammar: a bad address is not let through as a general
		 * literal.
		 */
		reason = check_ipv6(colon + 1, n - (size_t)(colon - in) - 1);
		k = SYN_DOMAIN_IPV6;
	} else {
		reason = check_general(in, n, colon);
		k = SYN_DOMAIN_GENERAL;
	}
	if (reason == NULL && kind != NULL)
		*kind = k;
	return reason;
}

const char *
syn_check_ehlo_arg(const char *s, size_t len)
{
	/* RFC 5321 4.1.1: servers SHOULD tolerate trailing white space. */
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len == 0)
		return "missing domain";
	if (s[0] == '[')
		return syn_check_address_literal(s, len, NULL);
	return syn_check_domain(s, len);
}

/* Local parts and mailboxes. */

/* Quoted-string at s[0] == '"'; *end gets its length, quotes included. */
static const char *
scan_quoted(const char *s, size_t len, size_t *end)
{
	size_t i = 1;
	unsigned char c, d;

	for (;;) {
		if (i >= len)
			return "unterminated quoted string";
		c = (unsigned char)s[i];
		if (c == '"') {
			*end = i + 1;
			return NULL;
		}
		if (c == '\\') {
			if (i + 1 >= len)
				return "unterminated quoted string";
			/* quoted-pairSMTP escapes printable ASCII only. */
			d = (unsigned char)s[i + 1];
			if (d < 32 || d > 126)
				return "bad escape in quoted string";
			i += 2;
			continue;
		}
		if (abnf_ctl(c))
			return "control character in quoted local part";
		if (c >= 128)
			return "8-bit character in quoted local part";
		i++;
	}
}

/* Dot-string; ends at the end of input or at a byte of term. */
static const char *
scan_dotstring(const char *s, size_t len, const char *term, size_t *end)
{
	size_t i;
	unsigned char c = 0, prev = 0;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '.') {
			if (i == 0)
				return "local part starts with '.'";
			if (prev == '.')
				return "consecutive dots in local part";
		} else if (!abnf_atext(c))
			break;
		prev = c;
	}
	if (i < len && !in_set(c, term)) {
		if (c == '"')
			return "'\"' inside unquoted local part";
		return bad_char(c, "control character in local part",
		    "8-bit character in local part",
		    "invalid character in local part");
	}
	if (i == 0)
		return "empty local part";
	if (prev == '.')
		return "local part ends with '.'";
	*end = i;
	return NULL;
}

/*
 * Mailbox at the start of s[0..len).  Standalone (in_path 0) it must fill
 * the input; inside a Path it may be followed by '>'.  Fills the local and
 * domain fields of p and the length consumed in *end.
 */
static const char *
scan_mailbox(const char *s, size_t len, int in_path, struct syn_path *p,
    size_t *end)
{
	const char *reason, *rb;
	size_t n, i, dl;

	if (len > 0 && s[0] == '"') {
		if ((reason = scan_quoted(s, len, &n)) != NULL)
			return reason;
		p->local_quoted = 1;
		if (n < len && s[n] != '@' && !(in_path && s[n] == '>'))
			return "quoted local part not followed by '@'";
	} else if ((reason = scan_dotstring(s, len, in_path ? "@>" : "@",
	    &n)) != NULL)
		return reason;
	p->local = s;
	p->local_len = n;
	if (n == len || s[n] != '@')
		return "missing '@' in mailbox";

	i = n + 1;
	if (i < len && s[i] == '[') {
		/* No form of address literal contains ']' inside. */
		if ((rb = memchr(s + i, ']', len - i)) == NULL)
			return "missing ']'";
		dl = (size_t)(rb - (s + i)) + 1;
		if ((reason = syn_check_address_literal(s + i, dl,
		    &p->domain_kind)) != NULL)
			return reason;
		if (!in_path && i + dl < len)
			return "unexpected character after address literal";
	} else {
		if ((reason = scan_domain(s + i, len - i, in_path ? ">" : "",
		    &dl)) != NULL)
			return reason;
		p->domain_kind = SYN_DOMAIN_NAME;
	}
	p->domain = s + i;
	p->domain_len = dl;
	*end = i + dl;
	return NULL;
}

const char *
syn_check_mailbox(const char *s, size_t len, struct syn_path *out)
{
	struct syn_path scratch;
	size_t end;

	if (out == NULL)
		out = &scratch;
	memset(out, 0, sizeof(*out));
	return scan_mailbox(s, len, 0, out, &end);
}

/*
 * Path at the start of s[0..len): Reverse-path for MAIL, the RCPT choice
 * (Postmaster or Forward-path) when rcpt is set.  *end gets the length up to
 * and including '>'.
 */
static const char *
scan_path(const char *s, size_t len, int rcpt, struct syn_path *p,
    size_t *end)
{
	const char *reason;
	size_t i = 1, n;

	if (len == 0)
		return "missing path";
	if (s[0] != '<')
		return "missing '<'";
	if (len > 1 && s[1] == '>') {
		if (rcpt)
			return "null path '<>' not allowed in RCPT";
		p->is_null = 1;
		*end = 2;
		return NULL;
	}
	/* RFC 5321 4.1.1.3: "<Postmaster>" without domain, RCPT only. */
	if (rcpt && len >= 12 && util_ieq(s + 1, 10, "postmaster") && s[11] == '>') {
		p->is_postmaster = 1;
		p->local = s + 1;
		p->local_len = 10;
		*end = 12;
		return NULL;
	}
	/*
	 * RFC 5321 4.1.2, C: a source route must be accepted, and is then
	 * ignored; it is still checked so garbage does not slip through.
	 */
	if (i < len && s[i] == '@') {
		p->has_route = 1;
		for (;;) {
			i++;	/* the '@' */
			if ((reason = scan_domain(s + i, len - i, ",:", &n))
			    != NULL)
				return reason;
			i += n;
			if (i == len)
				return "unterminated source route";
			if (s[i++] == ':')
				break;
			if (i == len || s[i] != '@')
				return "missing '@' in source route";
		}
	}
	if ((reason = scan_mailbox(s + i, len - i, 1, p, &n)) != NULL)
		return reason;
	i += n;
	if (i == len || s[i] != '>')
		return "missing '>'";
	*end = i + 1;
	return NULL;
}

/* Parameters. */

static const char *
check_param_keyword(const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	if (len == 0)
		return "empty parameter keyword";
	if (s[0] == '-')
		return "parameter keyword starts with '-'";
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (!abnf_letdig(c) && c != '-') {
			if (c == ' ')
				return "space in parameter keyword";
			return bad_char(c,
			    "control character in parameter keyword",
			    "8-bit character in parameter keyword",
			    "invalid character in parameter keyword");
		}
	}
	return NULL;
}

static const char *
check_value(const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	if (len == 0)
		return "empty parameter value";
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '=')
			return "'=' in parameter value";
		if (c == ' ')
			return "space in parameter value";
		if (c < 33 || c > 126)
			return bad_char(c,
			    "control character in parameter value",
			    "8-bit character in parameter value", "");
	}
	return NULL;
}

const char *
syn_check_param(const struct syn_param *p)
{
	const char *reason;

	if ((reason = check_param_keyword(p->key, p->key_len)) != NULL)
		return reason;
	if (p->value != NULL)
		return check_value(p->value, p->value_len);
	return NULL;
}

/* What follows the path: [SP esmtp-param *(SP esmtp-param)] [*SP]. */
static const char *
scan_params(const char *s, size_t len, struct syn_mail_args *out)
{
	const char *reason, *eq;
	struct syn_param p;
	size_t i = 0, j, sp;

	for (;;) {
		for (sp = 0; i < len && s[i] == ' '; i++)
			sp++;
		/* RFC 5321 4.1.1: trailing white space SHOULD be tolerated. */
		if (i == len)
			return NULL;
		if (sp == 0)
			return "unexpected character after path";
		if (sp > 1)
			return "more than one space before parameter";
		for (j = i; j < len && s[j] != ' '; j++)
			;
		if (out->n_params == SYN_MAX_PARAMS)
			return "too many parameters";
		p.key = s + i;
		if ((eq = memchr(s + i, '=', j - i)) != NULL) {
			p.key_len = (size_t)(eq - (s + i));
			p.value = eq + 1;
			p.value_len = (size_t)(s + j - p.value);
		} else {
			p.key_len = j - i;
			p.value = NULL;
			p.value_len = 0;
		}
		if ((reason = syn_check_param(&p)) != NULL)
			return reason;
		out->params[out->n_params++] = p;
		i = j;
	}
}

static const char *
parse_path_args(const char *arg, size_t len, struct syn_mail_args *out, int rcpt)
{
	const char *word = rcpt ? "TO" : "FROM";
	size_t wl = rcpt ? 2 : 4, end;
	const char *reason;

	memset(out, 0, sizeof(*out));
	if (len < wl || !util_ieq(arg, wl, word))
		return rcpt ? "missing 'TO:'" : "missing 'FROM:'";
	/* RFC 5321 3.3: no space on either side of the colon. */
	if (len > wl && arg[wl] == ' ')
		return "space before ':'";
	if (len == wl || arg[wl] != ':')
		return rcpt ? "missing 'TO:'" : "missing 'FROM:'";
	if (len > wl + 1 && arg[wl + 1] == ' ')
		return "space after ':'";
	if ((reason = scan_path(arg + wl + 1, len - wl - 1, rcpt, &out->path,
	    &end)) != NULL)
		return reason;
	end += wl + 1;
	return scan_params(arg + end, len - end, out);
}

const char *
syn_parse_mail(const char *arg, size_t len, struct syn_mail_args *out)
{
	return parse_path_args(arg, len, out, 0);
}

const char *
syn_parse_rcpt(const char *arg, size_t len, struct syn_mail_args *out)
{
	return parse_path_args(arg, len, out, 1);
}

/* xtext (RFC 3461 4). */

const char *
syn_check_xtext(const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '+') {
			/* hexchar: upper-case hex digits only. */
			if (len - i < 3 ||
			    !abnf_hexdig_upper((unsigned char)s[i + 1]) ||
			    !abnf_hexdig_upper((unsigned char)s[i + 2]))
				return "'+' not followed by two upper-case hex digits";
			i += 2;
		} else if (c == '=')
			return "'=' in xtext";
		else if (c == ' ')
			return "space in xtext";
		else if (c < 33 || c > 126)
			return bad_char(c, "control character in xtext",
			    "8-bit character in xtext", "");
	}
	return NULL;
}

/* ESMTP parameter values and extension arguments. */

const char *
syn_parse_size(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (v == NULL || n < 1)
		return "empty SIZE value";
	if (n > 20)
		return "SIZE value over 20 digits";
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)v[i] - '0';

		if (d > 9)
			return "SIZE value not made of digits";
		x = x > (UINT64_MAX - d) / 10 ? UINT64_MAX : x * 10 + d;
	}
	*out = x;
	return NULL;
}

const char *
syn_parse_bdat(const char *arg, size_t len, uint64_t *size, int *last)
{
	size_t i;
	const char *why;

	for (i = 0; i < len && abnf_digit((unsigned char)arg[i]); i++)
		;
	if (i == 0)
		return "BDAT chunk-size missing";
	if ((why = syn_parse_size(arg, i, size)) != NULL)
		return why;
	*last = 0;
	if (i == len)
		return NULL;
	if (len - i == 5 && util_ieq(arg + i, 5, " LAST")) {
		*last = 1;
		return NULL;
	}
	return "BDAT chunk-size followed by other than \" LAST\"";
}

/* Length of the well-formed UTF-8 sequence at p[0..n) that encodes a
 * character above U+007F (RFC 3629 4: no overlong forms, no surrogates,
 * nothing above U+10FFFF), or 0. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t k, i;
	unsigned lo = 0x80, hi = 0xbf;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		k = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		k = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		k = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < k || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < k; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return k;
}

const char *
syn_check_utf8(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_len((const unsigned char *)s + i, n - i)) == 0)
			return "malformed UTF-8";
		i += k;
	}
	return NULL;
}

const char *
syn_check_orcpt(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n && v[i] != ';'; i++)
		if (!abnf_atext((unsigned char)v[i]))
			return "ORCPT addr-type is not an atom";
	if (i == 0)
		return "ORCPT addr-type missing";
	if (i + 1 >= n)
		return "ORCPT address missing after ';'";
	return syn_check_xtext(v + i + 1, n - i - 1);
}

const char *
syn_check_auth_param(const char *v, size_t n)
{
	char d[600];
	size_t i, k = 0;
	const char *why;

	if ((why = syn_check_xtext(v, n)) != NULL)
		return why;
	for (i = 0; i < n && k < sizeof(d); i++) {
		if (v[i] == '+') {
			/* syn_check_xtext() saw two upper-case hex digits. */
			d[k++] = (char)(abnf_hexval((unsigned char)v[i + 1]) << 4 |
			    abnf_hexval((unsigned char)v[i + 2]));
			i += 2;
		} else
			d[k++] = v[i];
	}
	if (i < n)
		return "AUTH value too long";
	if (k == 2 && d[0] == '<' && d[1] == '>')
		return NULL;
	return syn_check_mailbox(d, k, NULL);
}
