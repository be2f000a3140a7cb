/*
 * ehlo.c - the EHLO reply as a capability list.
 *
 * Grammar (RFC 5321 4.1.1.1):
 *
 *   ehlo-ok-rsp  = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
 *                / ( "250-" Domain [ SP ehlo-greet ] CRLF
 *                    *( "250-" ehlo-line CRLF )
 *                    "250" SP ehlo-line CRLF )
 *   ehlo-line    = ehlo-keyword *( SP ehlo-param )
 *   ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
 *   ehlo-param   = 1*(%d33-126)
 *
 * The reply framing (codes, CRLF, bytes allowed in text) was already checked
 * by reply_parse(); this file judges only the lines' contents.
 *
 * What is kept when a line breaks the grammar: a line whose first word is not
 * a valid keyword (e.g. the pre-RFC 2554 "AUTH=LOGIN PLAIN" that Exchange and
 * Postfix' broken_sasl_auth_clients send, or Exim's "PIPE_CONNECT") is still
 * recorded, its first word as keyword and the rest as params, so a report can
 * show it; ehlo_find("AUTH") does not match "AUTH=LOGIN", so only the
 * standard keyword counts.  Bad params are kept as sent.  A line that does
 * not fit the fixed storage (keyword, params, EHLO_MAX_CAPS) or is empty is
 * left out: a truncated "SIZE" value would be a wrong number (a domain that
 * does not fit leaves caps->domain empty, for the same reason).  The first
 * problem found is the reason returned; parsing goes on to the last line.
 */
#include "ehlo.h"

#include <string.h>
#include <strings.h>

#include "abnf.h"

/* Returns NULL or why s[0..n) is not an ehlo-keyword. */
static const char *
check_ehlo_keyword(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return "empty EHLO keyword";
	if (!abnf_letdig((unsigned char)s[0]))
		return "EHLO keyword does not start with a letter or digit";
	for (i = 1; i < n; i++)
		if (!abnf_letdig((unsigned char)s[i]) && s[i] != '-')
			return "EHLO keyword holds a character other than a letter, digit or '-'";
	return NULL;
}

/* Returns NULL or why s[0..n) is not *( SP ehlo-param ) minus its first SP,
 * i.e. params separated by single spaces, each of %d33-126. */
static const char *
check_params(const char *s, size_t n)
{
	size_t i;
	int in_param = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ') {
			if (!in_param)
				return "empty EHLO parameter (extra space)";
			in_param = 0;
		} else if (c < 33 || c > 126)
			return "EHLO parameter holds a byte outside %d33-126";
		else
			in_param = 1;
	}
	if (!in_param)
		return "empty EHLO parameter (extra space)";
	return NULL;
}

static void
note(const char **reason, const char *why)
{
	if (*reason == NULL)
		*reason = why;
}

void
ehlo_copy(struct ehlo_caps *dst, const struct ehlo_caps *src)
{
	size_t n = src->n < EHLO_MAX_CAPS ? src->n : EHLO_MAX_CAPS;
	memcpy(dst->domain, src->domain, sizeof(dst->domain));
	dst->n = n;
	memcpy(dst->cap, src->cap, n * sizeof(*dst->cap));
}

const char *
ehlo_parse(const struct reply *r, struct ehlo_caps *caps)
{
	const char *reason = NULL, *why;
	const char *t, *sp;
	size_t i, n, kwlen;

	caps->domain[0] = '\0';
	caps->n = 0;
	if (r->code != 250)
		return "EHLO reply is not 250";
	if (r->n_lines == 0 || r->lines == NULL || r->n_lines > r->lines_cap)
		return "EHLO reply lines not all stored";

	/* Line 1: Domain [ SP ehlo-greet ]. */
	t = r->lines[0].text;
	n = r->lines[0].len;
	sp = memchr(t, ' ', n);
	kwlen = sp != NULL ? (size_t)(sp - t) : n;
	if (kwlen == 0)
		note(&reason, "EHLO reply without a domain");
	else if (kwlen >= sizeof(caps->domain))
		note(&reason, "EHLO domain too long");
	else {
		memcpy(caps->domain, t, kwlen);
		caps->domain[kwlen] = '\0';
	}

	/* Lines 2..n: one ehlo-line each. */
	for (i = 1; i < r->n_lines; i++) {
		struct ehlo_cap *cap;

		t = r->lines[i].text;
		n = r->lines[i].len;
		sp = memchr(t, ' ', n);
		kwlen = sp != NULL ? (size_t)(sp - t) : n;
		if (kwlen == 0) {
			note(&reason, n == 0 ? "empty EHLO line" :
			    "EHLO line starts with a space");
			continue;
		}
		if ((why = check_ehlo_keyword(t, kwlen)) != NULL)
			note(&reason, why);
		if (sp != NULL && (why = check_params(sp + 1, n - kwlen - 1)) != NULL)
			note(&reason, why);
		if (kwlen >= EHLO_MAX_KEYWORD) {
			note(&reason, "EHLO keyword too long");
			continue;
		}
		if (sp != NULL && n - kwlen - 1 >= EHLO_MAX_PARAMS) {
			note(&reason, "EHLO parameters too long");
			continue;
		}
		if (caps->n == EHLO_MAX_CAPS) {
			note(&reason, "too many EHLO lines");
			continue;
		}
		cap = &caps->cap[caps->n++];
		memcpy(cap->keyword, t, kwlen);
		cap->keyword[kwlen] = '\0';
		if (sp != NULL) {
			memcpy(cap->params, sp + 1, n - kwlen - 1);
			cap->params[n - kwlen - 1] = '\0';
		} else
			cap->params[0] = '\0';
	}
	return reason;
}

const struct ehlo_cap *
ehlo_find(const struct ehlo_caps *caps, const char *keyword)
{
	size_t i;

	for (i = 0; i < caps->n; i++)
		if (strcasecmp(caps->cap[i].keyword, keyword) == 0)
			return &caps->cap[i];
	return NULL;
}

int
ehlo_size(const struct ehlo_caps *caps, uint64_t *limit)
{
	const struct ehlo_cap *cap;
	const char *s;
	uint64_t v = 0;

	if (limit != NULL)
		*limit = 0;
	if ((cap = ehlo_find(caps, "SIZE")) == NULL)
		return 0;
	s = cap->params;
	/* RFC 1870 4: size-param = [1*DIGIT]; absent or 0 means no fixed
	 * maximum. */
	if (*s == '\0')
		return 1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (limit != NULL)
		*limit = v;
	return 1;
}

int
ehlo_has_auth_mech(const struct ehlo_caps *caps, const char *mech)
{
	const struct ehlo_cap *cap;
	const char *s, *e;
	size_t mlen = strlen(mech);

	if ((cap = ehlo_find(caps, "AUTH")) == NULL || mlen == 0)
		return 0;
	/* RFC 4954 3: "AUTH" SP mechanism *( SP mechanism ); runs of spaces
	 * are tolerated here, the grammar check is ehlo_parse()'s job. */
	for (s = cap->params; *s != '\0'; s = e) {
		while (*s == ' ')
			s++;
		for (e = s; *e != '\0' && *e != ' '; e++)
			;
		if ((size_t)(e - s) == mlen && strncasecmp(s, mech, mlen) == 0)
			return 1;
	}
	return 0;
}
