/*
 * server_auth.c - AUTH (RFC 4954) with PLAIN, LOGIN and CRAM-MD5 against
 * the one account SRV_AUTH_USER / SRV_AUTH_PASSWORD.  The mechanisms'
 * arithmetic is sasl.c's.
 */
#include "server_int.h"

#include <stdio.h>
#include <string.h>

#include "sasl.h"
#include "util.h"

/* The end of an AUTH exchange. */
static void
auth_done(struct srv_sess *s, int ok)
{
	s->sasl = SASL_NONE;
	s->sasl_user_len = 0;
	/* RFC 4954 6: "the authentication failed due to a temporary server
	 * failure". */
	if (fault(s, SRV_M_AUTH_TEMP_FAILURE)) {
		srv_sess_reply(s, "454 4.7.0 Temporary authentication failure");
		return;
	}
	if (!ok) {
		srv_sess_reply(s, "535 5.7.8 Error: authentication failed");
		return;
	}
	s->authed = 1;
	srv_sess_reply(s, "%s 2.7.0 Authentication successful",
	    fault(s, SRV_F_AUTH_SUCCESS_250) ? "250" : "235");
}

/* Decode a client response; -1 when it is not base64.  The
 * auth-base64-lenient fault drops what is not in the alphabet first. */
static long
auth_decode(const struct srv_sess *s, const char *p, size_t n,
    unsigned char *out, size_t cap)
{
	char tmp[SASL_LINE_MAX + 4];
	size_t i, k = 0;

	if (!fault(s, SRV_F_AUTH_BASE64_LENIENT))
		return sasl_b64_decode(p, n, out, cap);
	for (i = 0; i < n && k < SASL_LINE_MAX; i++)
		if ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' &&
		    p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') ||
		    p[i] == '+' || p[i] == '/')
			tmp[k++] = p[i];
	k -= k % 4 == 1;
	while (k % 4)
		tmp[k++] = '=';
	return sasl_b64_decode(tmp, k, out, cap);
}

static const char *
good_pass(const struct srv_sess *s)
{
	return fault(s, SRV_F_AUTH_ACCEPT_ANY) ? NULL : SRV_AUTH_PASSWORD;
}

/* One decoded client response of the exchange in progress. */
static void
auth_step(struct srv_sess *s, const unsigned char *r, size_t n)
{
	switch (s->sasl) {
	case SASL_NONE:
		break;
	case SASL_PLAIN:
		auth_done(s, sasl_plain_ok(r, n, SRV_AUTH_USER, good_pass(s)));
		break;
	case SASL_LOGIN_USER:
		if (n > sizeof(s->sasl_user))
			n = sizeof(s->sasl_user);
		memcpy(s->sasl_user, r, n);
		s->sasl_user_len = n;
		s->sasl = SASL_LOGIN_PASS;
		/* "Password:" */
		srv_sess_reply(s, "334 %s", fault(s, SRV_F_AUTH_CHALLENGE_TEXT) ?
		    "Password:" : "UGFzc3dvcmQ6");
		break;
	case SASL_LOGIN_PASS:
		auth_done(s, sasl_creds_ok(s->sasl_user, s->sasl_user_len,
		    (const char *)r, n, SRV_AUTH_USER, good_pass(s)));
		break;
	case SASL_CRAM:
		auth_done(s, sasl_cram_ok(r, n, s->cram, s->cram_len,
		    SRV_AUTH_USER, good_pass(s)));
		break;
	}
}

/* A line of an AUTH exchange (RFC 4954 4): "*" cancels, anything else must
 * be base64. */
void
srv_sess_sasl_line(struct srv_sess *s, const char *line, size_t len)
{
	unsigned char r[SASL_MAX];
	long n;

	if (len == 1 && line[0] == '*') {
		s->sasl = SASL_NONE;
		if (fault(s, SRV_F_AUTH_CANCEL_535))
			srv_sess_reply(s, "535 5.7.8 Error: authentication failed");
		else
			srv_sess_reply(s, "501 5.7.0 Authentication aborted");
		return;
	}
	if ((n = auth_decode(s, line, len, r, sizeof(r))) < 0) {
		s->sasl = SASL_NONE;
		srv_sess_reply(s, "501 5.5.2 Cannot decode response");
		return;
	}
	auth_step(s, r, (size_t)n);
}

/* RFC 4954 4: after EHLO, one successful AUTH per session, none in a
 * transaction. */
int
srv_check_auth(struct srv_sess *s, const struct syn_command *c)
{
	(void)c;
	if (!s->ehlo) {
		srv_sess_reply(s, "503 5.5.1 Error: send EHLO first");
		return 0;
	}
	if (s->authed && !fault(s, SRV_F_AUTH_REAUTH_OK)) {
		srv_sess_reply(s, "503 5.5.1 Error: already authenticated");
		return 0;
	}
	if (fault(s, SRV_F_AUTH_538_ADVERTISED) && !s->tls_up) {
		srv_sess_reply(s, "538 5.7.11 Encryption required for requested "
		    "authentication mechanism");
		return 0;
	}
	if (s->state >= S_MAIL && !fault(s, SRV_F_AUTH_IN_TRANSACTION_OK)) {
		srv_sess_reply(s, "503 5.5.1 Error: AUTH not permitted during a "
		    "mail transaction");
		return 0;
	}
	return 1;
}

/* RFC 4954 4: the server speaks first in CRAM-MD5. */
static void
auth_cram_start(struct srv_sess *s, const char *ir)
{
	char b[256];

	if (ir && !fault(s, SRV_F_AUTH_CRAM_IGNORES_IR)) {
		s->sasl = SASL_NONE;
		srv_sess_reply(s, "501 5.7.0 Initial response not allowed "
		    "with CRAM-MD5");
		return;
	}
	s->cram_len = (size_t)snprintf(s->cram, sizeof(s->cram),
	    "<%u.%u@%s>", (unsigned)s->srv->boot, s->ncmd, SRV_HOSTNAME);
	sasl_b64_encode((const unsigned char *)s->cram, s->cram_len, b,
	    sizeof(b));
	srv_sess_reply(s, "334 %s", b);
}

/* The first step of PLAIN or LOGIN: the initial response ir[0..irlen), or
 * the first challenge when there is none. */
static void
auth_first(struct srv_sess *s, const char *ir, size_t irlen)
{
	unsigned char r[SASL_MAX];
	long n;

	if (ir == NULL) {
		if (s->sasl == SASL_PLAIN)
			srv_sess_reply(s, "334 %s", fault(s,
			    SRV_F_AUTH_CHALLENGE_TEXT) ? "Go ahead" : "");
		else	/* "Username:" */
			srv_sess_reply(s, "334 %s", fault(s,
			    SRV_F_AUTH_CHALLENGE_TEXT) ? "Username:" :
			    "VXNlcm5hbWU6");
		return;
	}
	/* RFC 4954 4: "=" is an empty initial response. */
	n = irlen == 1 && ir[0] == '=' ? 0 :
	    auth_decode(s, ir, irlen, r, sizeof(r));
	if (n < 0) {
		s->sasl = SASL_NONE;
		srv_sess_reply(s, "501 5.5.2 Cannot decode response");
		return;
	}
	auth_step(s, r, (size_t)n);
	/* auth-drops-pipeline: what came behind the AUTH is lost. */
	if (fault(s, SRV_F_AUTH_DROPS_PIPELINE))
		s->drop_input = 1;
}

/* "AUTH" SP mechanism [SP initial-response] (RFC 4954 4). */
void
srv_proceed_auth(struct srv_sess *s, const struct syn_command *c)
{
	const char *sp, *ir = NULL;
	size_t mlen, irlen = 0;

	sp = memchr(c->arg, ' ', c->arg_len);
	mlen = sp ? (size_t)(sp - c->arg) : c->arg_len;
	if (sp) {
		ir = sp + 1;
		irlen = c->arg_len - mlen - 1;
	}
	if (mlen == 0 || (ir && (irlen == 0 || memchr(ir, ' ', irlen)))) {
		srv_sess_reply(s, "501 5.5.4 Syntax: AUTH mechanism "
		    "[initial-response]");
		return;
	}
	if (util_ieq(c->arg, mlen, "PLAIN"))
		s->sasl = SASL_PLAIN;
	else if (util_ieq(c->arg, mlen, "LOGIN"))
		s->sasl = SASL_LOGIN_USER;
	else if (util_ieq(c->arg, mlen, "CRAM-MD5"))
		s->sasl = SASL_CRAM;
	else if (fault(s, SRV_F_AUTH_UNKNOWN_MECH_334)) {
		s->sasl = SASL_PLAIN;
		srv_sess_reply(s, "334 ");
		return;
	} else {
		srv_sess_reply(s, "%s 5.5.4 Unrecognized authentication type",
		    fault(s, SRV_F_AUTH_UNKNOWN_MECH_501) ? "501" : "504");
		return;
	}
	if (s->sasl == SASL_CRAM)
		auth_cram_start(s, ir);
	else
		auth_first(s, ir, irlen);
}
