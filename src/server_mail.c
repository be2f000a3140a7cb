/*
 * server_mail.c - MAIL and RCPT: the path, the ESMTP parameters (SIZE,
 * BODY, AUTH, RET, ENVID, SMTPUTF8, NOTIFY, ORCPT) and the recipient
 * policy (local domain, postmaster, loopback literals; no relaying).
 * Parameter syntax that no fault changes is syntax.c's.
 */
#include "server_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* SIZE value: syn_parse_size(), but the size-lenient-parse fault reads it
 * like atoi(): leading digits, anything else is 0; size-unlimited takes
 * any run of digits (saturating). */
static int
size_value(const struct srv_sess *s, const struct syn_param *p, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (fault(s, SRV_F_SIZE_LENIENT_PARSE) ||
	    fault(s, SRV_M_SIZE_UNLIMITED)) {
		for (i = 0; p->value && i < p->value_len &&
		    p->value[i] >= '0' && p->value[i] <= '9'; i++)
			v = v > UINT64_MAX / 10 - 9 ? UINT64_MAX :
			    v * 10 + (unsigned)(p->value[i] - '0');
		*out = v;
		/* size-unlimited: digits only, but as many as come. */
		return fault(s, SRV_F_SIZE_LENIENT_PARSE) ||
		    (i > 0 && i == p->value_len) ? 0 : -1;
	}
	return syn_parse_size(p->value, p->value_len, out) == NULL ? 0 : -1;
}

/* Whether arg has a valid "FROM:<path>" prefix: a failed parse is then a
 * bad address or bad parameters, told apart by parsing shorter prefixes. */
static int
mail_path_ok(const char *arg, size_t len)
{
	struct syn_mail_args a;
	size_t i;

	for (i = 6; i < len; i++)
		if (arg[i] == '>' && syn_parse_mail(arg, i + 1, &a) == NULL)
			return 1;
	return 0;
}

/* Parse a MAIL (rcpt 0) or RCPT (rcpt 1) argument.  RFC 6531 3.3 widens
 * atext, qtextSMTP, sub-domain and esmtp-value by UTF8-non-ascii and
 * nothing else, so each octet of a UTF-8 character is masked with 'x'
 * (offsets stay put) and the RFC 5321 parser judges the shape; the results
 * are then pointed back into the original.  *utf8 says whether the path
 * itself holds UTF-8. */
static const char *
parse_path_reply(const struct srv_sess *s, const struct syn_command *c, int rcpt,
    struct syn_mail_args *a, int *utf8)
{
	char m[LINE_MAX_EXT];
	const char *arg = c->arg, *why, *from, *to;
	size_t i, n = c->arg_len;

	*utf8 = 0;
	if (s->line_utf8 && n <= sizeof(m)) {
		for (i = 0; i < n; i++)
			m[i] = (unsigned char)arg[i] >= 0x80 ? 'x' : arg[i];
		arg = m;
	}
	why = rcpt ? syn_parse_rcpt(arg, n, a) : syn_parse_mail(arg, n, a);
	/* RFC 6531 3.3 lets UTF-8 into the path and esmtp-value, never into
	 * an esmtp-keyword: one read as 'x' above is a syntax error (else a
	 * 555 would echo its 8-bit bytes; found by fuzz_server). */
	for (i = 0; why == NULL && arg == m && i < a->n_params; i++)
		for (size_t k = 0; k < a->params[i].key_len; k++)
			if ((unsigned char)c->arg[a->params[i].key - m + k] >= 0x80)
				why = "8-bit byte in a parameter keyword";
	if (why != NULL) {
		if (!rcpt && n > 6 && util_ieq(arg, 6, "FROM:<") &&
		    !mail_path_ok(arg, n))
			return "501 5.1.7 Bad sender address syntax";
		return rcpt ? "501 5.1.3 Bad recipient address syntax" :
		    "501 5.5.4 Syntax: MAIL FROM:<address>";
	}
#define REBASE(p) ((p) = (p) ? c->arg + ((p) - arg) : NULL)
	REBASE(a->path.local);
	REBASE(a->path.domain);
	for (i = 0; i < a->n_params; i++) {
		REBASE(a->params[i].key);
		REBASE(a->params[i].value);
	}
#undef REBASE
	if (s->line_utf8 && a->path.local != NULL) {
		from = a->path.local;
		to = a->path.domain ? a->path.domain + a->path.domain_len :
		    a->path.local + a->path.local_len;
		for (; from < to; from++)
			if ((unsigned char)*from >= 0x80)
				*utf8 = 1;
	}
	return NULL;
}

/* Compare a parameter value with an upper-case keyword: case-insensitive
 * (RFC 3461 4.1, 4.3), or exact with the dsn-case-sensitive fault. */
static int
dsn_eq(const struct srv_sess *s, const char *v, size_t n, const char *word)
{
	if (fault(s, SRV_F_DSN_CASE_SENSITIVE))
		return n == strlen(word) && memcmp(v, word, n) == 0;
	return util_ieq(v, n, word);
}

/* NOTIFY value (RFC 3461 4.1): "NEVER", or a list of SUCCESS, FAILURE and
 * DELAY; NEVER stands alone. */
static int
notify_ok(const struct srv_sess *s, const char *v, size_t n)
{
	size_t i = 0, j;
	int never = 0, other = 0;

	while (i <= n) {
		for (j = i; j < n && v[j] != ','; j++)
			;
		if (dsn_eq(s, v + i, j - i, "NEVER"))
			never = 1;
		else if (dsn_eq(s, v + i, j - i, "SUCCESS") ||
		    dsn_eq(s, v + i, j - i, "FAILURE") ||
		    dsn_eq(s, v + i, j - i, "DELAY"))
			other = 1;
		else
			return 0;
		i = j + 1;
	}
	return !(never && other);
}

/* The parameters MAIL and RCPT understand, one bit each for duplicates. */
enum param_key {
	P_SIZE = 1, P_BODY = 2, P_AUTH = 4, P_RET = 8, P_ENVID = 16,
	P_SMTPUTF8 = 32, P_NOTIFY = 64, P_ORCPT = 128,
};

static int
param_key(const struct srv_sess *s, const struct syn_param *p, int rcpt)
{
	static const struct {
		const char *name;
		int key, rcpt;
		enum srv_fault refused;
	} keys[] = {
		{ "SIZE", P_SIZE, 0, SRV_F_SIZE_PARAM_REJECTED },
		{ "BODY", P_BODY, 0, SRV_F_BODY_PARAM_REJECTED },
		{ "AUTH", P_AUTH, 0, SRV_F_AUTH_PARAM_REJECTED },
		{ "RET", P_RET, 0, SRV_F_DSN_PARAMS_REJECTED },
		{ "ENVID", P_ENVID, 0, SRV_F_DSN_PARAMS_REJECTED },
		{ "SMTPUTF8", P_SMTPUTF8, 0, SRV_F_SMTPUTF8_PARAM_REJECTED },
		{ "NOTIFY", P_NOTIFY, 1, SRV_F_DSN_PARAMS_REJECTED },
		{ "ORCPT", P_ORCPT, 1, SRV_F_DSN_PARAMS_REJECTED },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].rcpt == rcpt &&
		    util_ieq(p->key, p->key_len, keys[i].name))
			return fault(s, keys[i].refused) ? 0 : keys[i].key;
	return 0;
}

/* Check one known parameter's value; NULL or the error reply. */
static const char *
param_value(struct srv_sess *s, int key, const struct syn_param *p,
    struct txn *t)
{
	const char *v = p->value;
	size_t n = p->value_len;
	int unchecked = fault(s, SRV_F_DSN_UNCHECKED);

	switch (key) {
	case P_SIZE:
		if (size_value(s, p, &t->size) == -1)
			return "501 5.5.4 Bad SIZE parameter";
		t->has_size = 1;
		/* RFC 1870 6.1: refuse at once what cannot fit. */
		if (!size_fits(s, t->size) && !fault(s, SRV_F_SIZE_IGNORED))
			return "552 5.3.4 Message size exceeds fixed maximum "
			    "message size";
		return NULL;
	case P_BODY:
		/* RFC 6152 2, RFC 3030 3: the three BODY values. */
		if (v && util_ieq(v, n, "7BIT"))
			t->body = BODY_7BIT;
		else if (v && util_ieq(v, n, "8BITMIME"))
			t->body = BODY_8BITMIME;
		else if (v && util_ieq(v, n, "BINARYMIME"))
			t->body = BODY_BINARYMIME;
		else if (!fault(s, SRV_F_BODY_UNCHECKED))
			return "501 5.5.4 Bad BODY parameter";
		return NULL;
	case P_AUTH:
		return v && syn_check_auth_param(v, n) == NULL ? NULL :
		    "501 5.5.4 Bad AUTH parameter";
	case P_RET:
		return unchecked || (v && (dsn_eq(s, v, n, "FULL") ||
		    dsn_eq(s, v, n, "HDRS"))) ? NULL :
		    "501 5.5.4 Bad RET parameter";
	case P_ENVID:
		return unchecked || (v && syn_check_xtext(v, n) == NULL &&
		    n <= (fault(s, SRV_F_DSN_SHORT_BUFFERS) ? 38 : ENVID_MAX)) ?
		    NULL : "501 5.5.4 Bad ENVID parameter";
	case P_SMTPUTF8:
		/* RFC 6531 3.4: the parameter takes no value. */
		if (v && !fault(s, SRV_F_SMTPUTF8_VALUE_OK))
			return "501 5.5.4 SMTPUTF8 takes no value";
		t->smtputf8 = 1;
		return NULL;
	case P_NOTIFY:
		return unchecked || (v && notify_ok(s, v, n)) ? NULL :
		    "501 5.5.4 Bad NOTIFY parameter";
	case P_ORCPT:
		return unchecked || (v && syn_check_orcpt(v, n) == NULL &&
		    n <= (fault(s, SRV_F_DSN_SHORT_BUFFERS) ? 256 : ORCPT_MAX)) ?
		    NULL : "501 5.5.4 Bad ORCPT parameter";
	}
	return NULL;
}

/* All parameters of a MAIL or RCPT: NULL, or the reply that refuses them.
 * Unknown ones, and any after HELO (nothing was advertised), get 555
 * (RFC 5321 4.1.1.11); repeated ones 501 (RFC 3461 4.5 for DSN's). */
static const char *
check_params(struct srv_sess *s, const struct syn_mail_args *a, int rcpt,
    struct txn *t, char *buf, size_t buflen)
{
	const char *why;
	size_t i;
	int seen = 0, key, again;

	for (i = 0; i < a->n_params; i++) {
		const struct syn_param *p = &a->params[i];

		key = s->ehlo ? param_key(s, p, rcpt) : 0;
		if (key == 0) {
			if (fault(s, SRV_F_UNKNOWN_PARAM_IGNORED))
				continue;
			snprintf(buf, buflen, "555 5.5.4 Unsupported option: "
			    "%.*s", (int)p->key_len, p->key);
			return buf;
		}
		again = (seen & key) != 0;
		seen |= key;
		if (again && !(key == P_SIZE &&
		    fault(s, SRV_F_SIZE_LENIENT_PARSE)) &&
		    !(key == P_BODY && fault(s, SRV_F_BODY_UNCHECKED)) &&
		    !(key >= P_RET && key != P_SMTPUTF8 &&
		    fault(s, SRV_F_DSN_UNCHECKED))) {
			snprintf(buf, buflen, "501 5.5.4 Duplicate %.*s "
			    "parameter", (int)p->key_len, p->key);
			return buf;
		}
		if ((why = param_value(s, key, p, t)) != NULL)
			return why;
	}
	return NULL;
}

int
srv_check_mail(struct srv_sess *s, const struct syn_command *c)
{
	(void)c;
	if (s->state == S_CONNECTED && !fault(s, SRV_F_MAIL_BEFORE_HELO) &&
	    !fault(s, SRV_M_MAIL_BEFORE_HELO_OK)) {
		srv_sess_reply(s, "503 5.5.1 Error: send HELO/EHLO first");
		return 0;
	}
	if (s->helo && !s->ehlo && fault(s, SRV_F_HELO_NO_MAIL)) {
		srv_sess_reply(s, "503 5.5.1 Error: send EHLO first");
		return 0;
	}
	/* A submission server (RFC 4954 6: 530 5.7.0). */
	if (!s->authed && s->auth_required && fault(s, SRV_F_AUTH_REQUIRED_554)) {
		srv_sess_reply(s, "554 5.7.1 Error: authenticate first");
		return 0;
	}
	if (!s->authed && (s->auth_required || fault(s, SRV_M_AUTH_REQUIRED))) {
		srv_sess_reply(s, "530 5.7.0 Authentication required");
		return 0;
	}
	if (s->state >= S_MAIL && !fault(s, SRV_F_NESTED_MAIL_OK) &&
	    !fault(s, SRV_M_MAIL_RESTARTS)) {
		srv_sess_reply(s, "503 5.5.1 Error: nested MAIL command");
		return 0;
	}
	return 1;
}

void
srv_proceed_mail(struct srv_sess *s, const struct syn_command *c)
{
	struct syn_mail_args a;
	struct txn t;
	const char *why;
	char buf[160];
	int utf8;

	if ((why = parse_path_reply(s, c, 0, &a, &utf8)) != NULL) {
		srv_sess_reply(s, "%s", why);
		return;
	}
	if (a.path.is_null && fault(s, SRV_F_NULL_SENDER_REJECTED)) {
		srv_sess_reply(s, "501 5.1.7 Bad sender address syntax");
		return;
	}
	memset(&t, 0, sizeof(t));
	if ((why = check_params(s, &a, 0, &t, buf, sizeof(buf))) != NULL) {
		/* refused-mail-opens-transaction: the refusal of an unknown
		 * parameter leaves a transaction open all the same. */
		if (strncmp(why, "555", 3) == 0 &&
		    fault(s, SRV_F_REFUSED_MAIL_OPENS))
			srv_sess_enter(s, S_MAIL);
		srv_sess_reply(s, "%s", why);
		return;
	}
	/* RFC 6531 3.5: a UTF-8 sender needs the SMTPUTF8 parameter.  The
	 * RFC names 550 for MAIL; 553 (as Postfix says) is what the core
	 * scenario non-ascii-command accepts too. */
	if (utf8 && !t.smtputf8 && !fault(s, SRV_F_UTF8_WITHOUT_SMTPUTF8)) {
		srv_sess_reply(s, "553 5.6.7 Non-ASCII addresses not permitted "
		    "without SMTPUTF8");
		return;
	}
	srv_sess_enter(s, S_MAIL);
	t.bdat = s->txn.bdat;
	t.null_sender = a.path.is_null;
	s->txn = t;
	srv_dlv_mail(s, c, &a);
	srv_sess_reply(s, "250 2.1.0 Ok");
}

/* An address literal that names this host: [127.0.0.1] or [IPv6:::1] in
 * any of its spellings. */
static int
literal_is_us(const struct syn_path *p)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	const char *d = p->domain;
	size_t n = p->domain_len;
	struct in_addr a4;
	struct in6_addr a6;

	if (n < 2 || d[0] != '[' || d[n - 1] != ']')
		return 0;
	d++;
	n -= 2;
	if (p->domain_kind == SYN_DOMAIN_IPV6) {
		if (n < 5 || !util_ieq(d, 5, "IPv6:"))
			return 0;
		d += 5;
		n -= 5;
	}
	if (n >= sizeof(tmp))
		return 0;
	memcpy(tmp, d, n);
	tmp[n] = '\0';
	if (p->domain_kind == SYN_DOMAIN_IPV4)
		return inet_pton(AF_INET, tmp, &a4) == 1 &&
		    a4.s_addr == htonl(INADDR_LOOPBACK);
	return inet_pton(AF_INET6, tmp, &a6) == 1 &&
	    IN6_IS_ADDR_LOOPBACK(&a6);
}


int
srv_check_rcpt(struct srv_sess *s, const struct syn_command *c)
{
	if (s->state < S_MAIL && !fault(s, SRV_F_RCPT_WITHOUT_MAIL)) {
		srv_sess_reply(s, "503 5.5.1 Error: need MAIL command");
		return 0;
	}
	if (c->verb == SYN_RCPT && !s->tls_up && !s->srv->tls_failed &&
	    fault(s, SRV_F_TLS_REQUIRED_RCPT)) {
		srv_sess_reply(s, "530 5.7.0 Must issue a STARTTLS command first");
		return 0;
	}
	/* A dictionary-attack defence: after one refused recipient the
	 * rest of the transaction is deferred (RFC 5321 4.3.2: 450). */
	if (s->state >= S_MAIL && s->txn.rcpt_refused &&
	    fault(s, SRV_M_RCPT_FAILURE_DEFERS)) {
		srv_sess_reply(s, "450 4.7.1 Error: too many refused "
		    "recipients, try again later");
		return 0;
	}
	if (s->state >= S_MAIL && s->txn.null_sender &&
	    fault(s, SRV_F_NULL_SENDER_RCPT_503)) {
		srv_sess_reply(s, "503 5.5.1 Error: need MAIL command");
		return 0;
	}
	return 1;
}

void
srv_proceed_rcpt(struct srv_sess *s, const struct syn_command *c)
{
	struct syn_mail_args a;
	struct txn t;
	const char *why;
	char buf[160];
	int local = 0, utf8;

	if ((why = parse_path_reply(s, c, 1, &a, &utf8)) != NULL) {
		srv_sess_syntax(s, why);
		return;
	}
	t = s->txn;
	if ((why = check_params(s, &a, 1, &t, buf, sizeof(buf))) != NULL) {
		/* Even under syntax-500: RFC 3461 5.1 asks 501 for DSN's. */
		srv_sess_reply(s, "%s", why);
		return;
	}
	/* RFC 6531 3.5: a UTF-8 recipient only in an SMTPUTF8 transaction. */
	if (utf8 && !s->txn.smtputf8 &&
	    !fault(s, SRV_F_UTF8_WITHOUT_SMTPUTF8)) {
		srv_sess_reply(s, "553 5.6.7 Non-ASCII addresses not permitted "
		    "without SMTPUTF8");
		return;
	}
	if (utf8 && s->txn.smtputf8 && fault(s, SRV_F_UTF8_LOCAL_REFUSED)) {
		srv_sess_reply(s, "553 5.6.7 Non-ASCII local part not permitted");
		return;
	}
	if (s->nrcpt >= RCPT_MAX || (s->nrcpt >= RCPT_LIMIT_MODE &&
	    fault(s, SRV_M_RCPT_LIMIT_100))) {
		srv_sess_reply(s, "452 4.5.3 Too many recipients");
		return;
	}
	switch (a.path.domain_kind) {
	case SYN_DOMAIN_NONE:
		/* RFC 5321 4.5.1: <Postmaster> must be accepted. */
		if (a.path.is_postmaster &&
		    fault(s, SRV_F_POSTMASTER_REJECTED)) {
			srv_sess_reply(s, "550 5.1.1 User unknown");
			return;
		}
		local = a.path.is_postmaster;
		break;
	case SYN_DOMAIN_NAME:
		local = util_ieq(a.path.domain, a.path.domain_len,
		    SRV_LOCAL_DOMAIN) || util_ieq(a.path.domain,
		    a.path.domain_len, SRV_RELAY_DOMAIN);
		break;
	case SYN_DOMAIN_IPV4:
	case SYN_DOMAIN_IPV6:
		local = literal_is_us(&a.path);
		break;
	case SYN_DOMAIN_GENERAL:
		break;
	}
	if (!local && !fault(s, SRV_F_OPEN_RELAY) &&
	    !fault(s, SRV_M_ACCEPT_ALL_RCPT)) {
		s->txn.rcpt_refused = 1;
		srv_sess_reply(s, "%s %s Relay access denied",
		    fault(s, SRV_M_RELAY_554) ? "554" : "550",
		    fault(s, SRV_F_ENHANCED_CLASS_MISMATCH) ? "4.7.1" : "5.7.1");
		return;
	}
	if (s->state >= S_MAIL) {
		s->nrcpt++;
		srv_sess_enter(s, S_RCPT);
		srv_dlv_rcpt(s, c, &a);
	}
	srv_sess_reply(s, "250 2.1.5 Ok");
}
