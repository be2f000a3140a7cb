/*
 * syntax.h - SMTP command-line and path syntax of RFC 5321 4.1.1 and 4.1.2,
 * shared by the reference server and by scenario checks.
 *
 * All functions are allocation-free: results point into the caller's input
 * and stay valid while it does.  Validators return NULL when the input is
 * fine, or a static string saying what is wrong ("missing '>'").  Inputs are
 * a pointer and a length; nothing is read past the length, NULs included.
 */
#ifndef SMTPH_SYNTAX_H
#define SMTPH_SYNTAX_H

#include <stddef.h>

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
 * verb is SYN_UNKNOWN. */
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
 * "FROM:" is case-insensitive, no space is allowed around the colon. */
const char *syn_parse_mail(const char *arg, size_t len, struct syn_mail_args *out);

/* RCPT argument "TO:<forward-path> [SP params]"; also accepts "<Postmaster>"
 * without domain (RFC 5321 4.1.1.3) and rejects "<>". */
const char *syn_parse_rcpt(const char *arg, size_t len, struct syn_mail_args *out);

/* Domain (RFC 5321 4.1.2: sub-domain *("." sub-domain), each sub-domain
 * Let-dig [Ldh-str]).  Length limits are not enforced here. */
const char *syn_check_domain(const char *s, size_t len);

/* Address literal including brackets: IPv4, "IPv6:" (all RFC 5321 4.1.3
 * forms) or General-address-literal. */
const char *syn_check_address_literal(const char *s, size_t len, enum syn_domain_kind *kind);

/* Mailbox "Local-part@(Domain / address-literal)". */
const char *syn_check_mailbox(const char *s, size_t len, struct syn_path *out);

/* EHLO/HELO argument: Domain or address-literal (RFC 5321 4.1.1.1). */
const char *syn_check_ehlo_arg(const char *s, size_t len);

/* esmtp-keyword / esmtp-value syntax (RFC 5321 4.1.2). */
const char *syn_check_param(const struct syn_param *p);

/* xtext (RFC 3461 4) decoding check: NULL if s[0..len) is valid xtext. */
const char *syn_check_xtext(const char *s, size_t len);

#endif
