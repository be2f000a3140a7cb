/*
 * syntax.h - SMTP command-line and path syntax of RFC 5321 4.1.1 to 4.1.3,
 * shared by the reference server and by scenario checks.
 *
 * All functions are allocation-free: results point into the caller's input
 * and stay valid while it does.  Validators return NULL when the input is
 * fine, or a static string saying what is wrong ("missing '>'").  Inputs are
 * a pointer and a length; nothing is read past the length, NULs included.
 *
 * Length limits (RFC 5321 4.5.3.1: local part 64, domain 255, path 256,
 * label 63) are deliberately not enforced anywhere here: servers MUST accept
 * at least those sizes and may accept more, so that is the caller's policy.
 * Only plain RFC 5321 syntax is accepted (no SMTPUTF8 / RFC 6531 UTF-8).
 * When a function returns a reason, its output structure holds whatever was
 * parsed before the error and should not be used.
 */
#ifndef SMTPH_SYNTAX_H
#define SMTPH_SYNTAX_H

#include <stddef.h>
#include <stdint.h>

enum syn_verb {
	SYN_UNKNOWN = 0,
	SYN_HELO, SYN_EHLO, SYN_MAIL, SYN_RCPT, SYN_DATA, SYN_RSET, SYN_VRFY,
	SYN_EXPN, SYN_HELP, SYN_NOOP, SYN_QUIT, SYN_TURN, SYN_SEND, SYN_SOML,
	SYN_SAML, SYN_STARTTLS, SYN_AUTH, SYN_BDAT, SYN_ETRN, SYN_ATRN,
};

/* A command line (without CRLF) split into verb and argument. */
struct syn_command {
	enum syn_verb verb;
	const char *verb_text; /* the verb as sent */
	size_t verb_len;
	const char *arg;       /* after the single SP following the verb; may be empty */
	size_t arg_len;
	int has_space;         /* a SP followed the verb (even if arg is empty) */
};

/* Split line[0..len) (no CRLF) at the first SP.  Verbs compare
 * case-insensitively (RFC 5321 2.4).  Returns NULL or a reason (empty line,
 * verb not made of letters).  An unknown but well-formed verb is not an error:
 * verb is SYN_UNKNOWN.  The verb is 1*ALPHA up to the first SP or the end;
 * exactly one SP is skipped and the rest (further spaces, control bytes,
 * trailing spaces) is left verbatim in arg for the server to judge.  Without
 * a SP, arg points at line + len with arg_len 0.  On error verb_text and
 * verb_len still span the bad verb (up to the first SP) for logging. */
const char *syn_split_command(const char *line, size_t len, struct syn_command *out);

/* The canonical upper-case name of a verb ("MAIL"), "" for SYN_UNKNOWN. */
const char *syn_verb_name(enum syn_verb v);

enum syn_domain_kind {
	SYN_DOMAIN_NONE = 0, /* no domain part ("postmaster" alone, or "<>") */
	SYN_DOMAIN_NAME,     /* sub-domain *("." sub-domain) */
	SYN_DOMAIN_IPV4,     /* [1.2.3.4] */
	SYN_DOMAIN_IPV6,     /* [IPv6:...] */
	SYN_DOMAIN_GENERAL,  /* [tag:content] */
};

struct syn_path {
	int is_null;               /* "<>" (reverse-path only) */
	int has_route;             /* "@a,@b:" source route present (ignored, RFC 5321 4.1.2) */
	const char *local;         /* local part as sent (quoted form keeps its quotes) */
	size_t local_len;
	int local_quoted;          /* quoted-string local part */
	const char *domain;        /* domain or address literal as sent (with brackets) */
	size_t domain_len;
	enum syn_domain_kind domain_kind;
	int is_postmaster;         /* local part "postmaster" in any case, with no domain */
};

struct syn_param {
	const char *key;   /* esmtp-keyword */
	size_t key_len;
	const char *value; /* esmtp-value, NULL when "KEY" has no "=" */
	size_t value_len;
};

#define SYN_MAX_PARAMS 16

struct syn_mail_args {
	struct syn_path path;
	struct syn_param params[SYN_MAX_PARAMS];
	size_t n_params;
};

/* MAIL argument "FROM:<reverse-path> [SP params]" (verb already removed);
 * "FROM:" is case-insensitive, no space is allowed around the colon
 * (RFC 5321 3.3: "MAIL FROM: <a@b>" is rejected).  Parameters are separated
 * by exactly one SP; trailing SPs at the end of the argument are accepted
 * (RFC 5321 4.1.1: servers SHOULD tolerate trailing white space), other
 * trailing bytes (HTAB included) are not.  Each parameter is checked with
 * syn_check_param(); duplicates are not looked for.  More than SYN_MAX_PARAMS
 * parameters is an error.  For "<>", path.is_null is set and local/domain are
 * NULL.  A source route is checked (each hop a Domain) and reported in
 * has_route; local/domain span only the mailbox. */
const char *syn_parse_mail(const char *arg, size_t len, struct syn_mail_args *out);

/* RCPT argument "TO:<forward-path> [SP params]"; also accepts "<Postmaster>"
 * without domain (RFC 5321 4.1.1.3) and rejects "<>".  Same rules as
 * syn_parse_mail().  "<Postmaster>" (any case, unquoted, no source route)
 * sets is_postmaster, local spans "Postmaster", domain is NULL and
 * domain_kind SYN_DOMAIN_NONE; "<Postmaster@dom>" is an ordinary path with
 * is_postmaster 0. */
const char *syn_parse_rcpt(const char *arg, size_t len, struct syn_mail_args *out);

/* Domain (RFC 5321 4.1.2: sub-domain *("." sub-domain), each sub-domain
 * Let-dig [Ldh-str]).  Length limits are not enforced here.  All-digit
 * labels are grammatical, so "1.2.3.4" passes as a Domain; a trailing dot
 * ("example.com.") does not. */
const char *syn_check_domain(const char *s, size_t len);

/* Address literal including brackets: IPv4, "IPv6:" (all RFC 5321 4.1.3
 * forms) or General-address-literal.  The "IPv6" tag compares
 * case-insensitively, and a literal tagged "IPv6" whose content is not a
 * valid IPv6-addr is an error (not a general literal).  IPv6-comp allows at
 * most 6 groups besides "::", IPv6v4-comp at most 4 (RFC 5321 4.1.3, stricter
 * than RFC 4291).  *kind (may be NULL) gets the kind, SYN_DOMAIN_NONE on
 * error. */
const char *syn_check_address_literal(const char *s, size_t len, enum syn_domain_kind *kind);

/* Mailbox "Local-part@(Domain / address-literal)", filling the whole of
 * s[0..len).  out (may be NULL) gets local/domain spans, local_quoted and
 * domain_kind; is_null, has_route and is_postmaster stay 0.  An empty quoted
 * local part ("") is valid per the grammar. */
const char *syn_check_mailbox(const char *s, size_t len, struct syn_path *out);

/* EHLO/HELO argument: Domain or address-literal (RFC 5321 4.1.1.1).
 * Trailing SPs are tolerated (RFC 5321 4.1.1). */
const char *syn_check_ehlo_arg(const char *s, size_t len);

/* esmtp-keyword / esmtp-value syntax (RFC 5321 4.1.2).  value NULL means
 * "no '='"; a non-NULL value must be non-empty. */
const char *syn_check_param(const struct syn_param *p);

/* xtext (RFC 3461 4) decoding check: NULL if s[0..len) is valid xtext. */
const char *syn_check_xtext(const char *s, size_t len);

/* SIZE value (RFC 1870 4: 1*20DIGIT).  NULL with *out set (saturating at
 * UINT64_MAX), or a reason (then *out is untouched).  v may be NULL (no
 * "=": a reason). */
const char *syn_parse_size(const char *v, size_t n, uint64_t *out);

/* BDAT argument "chunk-size [SP LAST]" (RFC 3030 2; "LAST" in any case,
 * the argument after "BDAT "): NULL with *size and *last set, or a reason. */
const char *syn_parse_bdat(const char *arg, size_t len, uint64_t *size,
    int *last);

/* NULL if s[0..n) is well-formed UTF-8 throughout (RFC 3629 4: no overlong
 * forms, no surrogates, nothing above U+10FFFF); ASCII passes. */
const char *syn_check_utf8(const char *s, size_t n);

/* ORCPT value (RFC 3461 4.2): addr-type ";" xtext, addr-type an atom.
 * Length limits are the caller's. */
const char *syn_check_orcpt(const char *v, size_t n);

/* AUTH= value of MAIL (RFC 4954 5): xtext whose decoded form is "<>" or a
 * mailbox (syn_check_mailbox()); a decoded form over 600 octets is
 * refused. */
const char *syn_check_auth_param(const char *v, size_t n);

#endif
