/*
 * delivered.c - the verdict of a delivered step (delivered.h): how many
 * messages the oracle saw for the session, then the envelope, the header
 * section and the body of one of them.  Pure: no session, loop or I/O.
 */
#include "delivered.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

size_t
dlv_header_len(const char *data, size_t len, size_t *body)
{
	const char *end;

	if (len >= 2 && data[0] == '\r' && data[1] == '\n') {
		*body = 2;
		return 0;
	}
	end = memmem(data, len, "\r\n\r\n", 4);
	if (!end) {
		*body = len;
		return len;
	}
	*body = (size_t)(end - data) + 4;
	return (size_t)(end - data) + 2;
}

/* Calls fn on each header field's name (the part of a line before ':',
 * continuation lines skipped) until it returns nonzero; that value. */
static int
each_field(const char *h, size_t hlen, int (*fn)(const char *, size_t, void *), void *arg)
{
	size_t i = 0;

	while (i < hlen) {
		const char *eol = memchr(h + i, '\n', hlen - i);
		size_t end = eol ? (size_t)(eol - h) + 1 : hlen;
		const char *colon = memchr(h + i, ':', end - i);
		int r;

		if (h[i] != ' ' && h[i] != '\t' && colon &&
		    (r = fn(h + i, (size_t)(colon - (h + i)), arg)) != 0)
			return r;
		i = end;
	}
	return 0;
}

struct name_match {
	const char *want;
	int first;	/* header_first: the final delivery agent's own fields
			 * above the trace are passed over */
};

static int
field_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

/* The fields a final delivery agent (Postfix local, Exim appendfile,
 * procmail) writes above the SMTP server's Received: line. */
static int
delivery_agent_field(const char *name, size_t len)
{
	return field_is(name, len, "Return-Path") || field_is(name, len, "Delivered-To") ||
	    field_is(name, len, "X-Original-To") || field_is(name, len, "Envelope-To") ||
	    field_is(name, len, "Delivery-Date");
}

static int
name_is(const char *name, size_t len, void *arg)
{
	const struct name_match *nm = arg;

	if (field_is(name, len, nm->want))
		return 1;
	if (nm->first && delivery_agent_field(name, len))
		return 0;
	return nm->first ? -1 : 0;	/* the first other field decides */
}

static int
has_field(const char *h, size_t hlen, const char *name)
{
	struct name_match nm = { name, 0 };
	return each_field(h, hlen, name_is, &nm) == 1;
}

static int
first_field_is(const char *h, size_t hlen, const char *name)
{
	struct name_match nm = { name, 1 };
	return each_field(h, hlen, name_is, &nm) == 1;
}

/* Whether params (space-separated esmtp-params) hold want: "KEY=VALUE"
 * (keyword in any case, the value exactly) or "KEY" (any value). */
static int
has_param(const char *params, const char *want)
{
	const char *eq = strchr(want, '=');
	size_t klen = eq ? (size_t)(eq - want) : strlen(want);
	const char *p = params;

	while (p && *p) {
		size_t n = strcspn(p, " ");
		const char *peq = memchr(p, '=', n);
		size_t pk = peq ? (size_t)(peq - p) : n;

		if (pk == klen && strncasecmp(p, want, klen) == 0) {
			if (!eq)
				return 1;
			if (peq && n - pk - 1 == strlen(eq + 1) &&
			    memcmp(peq + 1, eq + 1, n - pk - 1) == 0)
				return 1;
		}
		p += n;
		p += strspn(p, " ");
	}
	return 0;
}

static enum dlv_verdict
skip(char *why, size_t len, const char *what)
{
	snprintf(why, len, "the oracle cannot see %s (it reads the delivered "
	    "file only: maildir or mbox without the header it comes from)", what);
	return DLV_SKIP;
}

static enum dlv_verdict
fail(char *why, size_t len, const char *fmt, const char *a, const char *b)
{
	snprintf(why, len, fmt, a, b);
	return DLV_FAIL;
}

/* One address as delivered against one as sent: the local-part exactly
 * (RFC 5321 2.4: case-sensitive), the domain in any case (DNS rules). */
static int
same_address(const char *got, const char *want)
{
	const char *ga = strrchr(got, '@'), *wa = strrchr(want, '@');

	if (!ga || !wa)
		return strcmp(got, want) == 0;
	return ga - got == wa - want && memcmp(got, want, (size_t)(ga - got)) == 0 &&
	    strcasecmp(ga, wa) == 0;
}

/* rcpt_to: the same addresses, any order. */
static int
same_rcpts(const struct orc_msg *m, char *const *want, size_t n)
{
	if (m->nrcpt != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < m->nrcpt && !same_address(m->rcpt[k], want[i]))
			k++;
		if (k == m->nrcpt)
			return 0;
	}
	return 1;
}

static void
join_rcpts(const struct orc_msg *m, char *out, size_t len)
{
	size_t pos = 0;

	out[0] = '\0';
	for (size_t i = 0; i < m->nrcpt && pos + 1 < len; i++) {
		int w = snprintf(out + pos, len - pos, "%s<%s>", i ? " " : "", m->rcpt[i]);
		if (w < 0)
			break;
		pos += (size_t)w;
	}
}

static enum dlv_verdict
check_envelope(const struct dlv_want *w, const struct orc_msg *m, char *why, size_t len)
{
	const struct scn_delivered *d = w->d;
	char got[256];

	if (d->mail_from && !m->mail_from)
		return skip(why, len, "the envelope sender");
	if (d->mail_from && strcmp(m->mail_from, w->mail_from) != 0)
		return fail(why, len, "the envelope sender was delivered as <%s>, not <%s>",
		    m->mail_from, w->mail_from);
	if (d->n_rcpt_to && !m->rcpt)
		return skip(why, len, "the envelope recipients");
	if (d->n_rcpt_to && !same_rcpts(m, w->rcpt_to, d->n_rcpt_to)) {
		join_rcpts(m, got, sizeof(got));
		return fail(why, len, "the envelope recipients were delivered as %s%s",
		    got[0] ? got : "(none)", ", not as the scenario sent them");
	}
	for (size_t i = 0; i < d->n_mail_params; i++) {
		if (!m->mail_params)
			return skip(why, len, "the MAIL parameters carried on");
		if (!has_param(m->mail_params, w->mail_params[i]))
			return fail(why, len, "MAIL was relayed without %s (its parameters: '%s')",
			    w->mail_params[i], m->mail_params);
	}
	for (size_t i = 0; i < d->n_rcpt_params; i++)
		for (size_t k = 0; k < m->nrcpt; k++) {
			if (!m->rcpt_params)
				return skip(why, len, "the RCPT parameters carried on");
			if (!has_param(m->rcpt_params[k], w->rcpt_params[i]))
				return fail(why, len, "RCPT was relayed without %s (its parameters: '%s')",
				    w->rcpt_params[i], m->rcpt_params[k]);
		}
	return DLV_PASS;
}

static enum dlv_verdict
check_content(const struct dlv_want *w, const struct orc_msg *m, char *why, size_t len)
{
	const struct scn_delivered *d = w->d;
	size_t body, hlen = dlv_header_len(m->data, m->len, &body);

	for (size_t i = 0; i < d->n_header_has; i++)
		if (!has_field(m->data, hlen, d->header_has[i]))
			return fail(why, len, "the delivered message has no %s:%s header field",
			    d->header_has[i], "");
	for (size_t i = 0; i < d->n_header_lacks; i++)
		if (has_field(m->data, hlen, d->header_lacks[i]))
			return fail(why, len, "the delivered message has a %s:%s header field",
			    d->header_lacks[i], "");
	if (d->header_first && !first_field_is(m->data, hlen, d->header_first))
		return fail(why, len, "the delivered message does not begin with %s:%s",
		    d->header_first, " (below the delivery agent's Return-Path:, "
		    "Delivered-To:, X-Original-To:, Envelope-To:)");
	if (d->headers) {
		char hcopy[8192];
		size_t n = hlen < sizeof(hcopy) - 1 ? hlen : sizeof(hcopy) - 1;
		memcpy(hcopy, m->data, n);
		hcopy[n] = '\0';
		if (regexec(&d->headers_re, hcopy, 0, NULL, 0) != 0)
			return fail(why, len, "no line of the delivered header section matches /%s/%s",
			    d->headers, "");
	}
	if (d->has_body && (m->len - body != w->body_len ||
	    memcmp(m->data + body, w->body, w->body_len) != 0))
		return fail(why, len, "the delivered body differs from what was sent%s%s",
		    " (see the delivered message below)", "");
	return DLV_PASS;
}

enum dlv_verdict
dlv_judge(const struct dlv_want *w, const struct orc_msg *const *msgs, size_t n,
    const struct dlv_clock *clk, char *why, size_t whylen)
{
	const struct scn_delivered *d = w->d;
	enum dlv_verdict v;

	why[0] = '\0';
	if (n > d->count) {
		snprintf(why, whylen, "%zu messages were delivered for this session, "
		    "expected %s%u", n, d->at_most ? "at most " : "", d->count);
		return DLV_FAIL;
	}
	if (n < d->count && !d->at_most) {
		if (clk->waited_ms < clk->within_ms)
			return DLV_WAIT;
		snprintf(why, whylen, "%zu of %u messages delivered within %.1f s%s", n,
		    d->count, (double)clk->within_ms / 1000.0, d->missing_fails ? "" :
		    ": the server may deliver later, or have refused after its 250 "
		    "(RFC 5321 4.1.1.4: by mail), so nothing to judge (--oracle-wait)");
		return d->missing_fails ? DLV_FAIL : DLV_SKIP;
	}
	/* at_most with nothing yet: a slow relay still gets the whole wait */
	if (d->at_most && n == 0 && clk->waited_ms < clk->within_ms)
		return DLV_WAIT;
	if (clk->settled_ms < clk->settle_ms)
		return DLV_WAIT;
	if (d->message > n || d->at_most)
		return DLV_PASS;	/* nothing to check: count 0, or at_most */
	v = check_envelope(w, msgs[d->message - 1], why, whylen);
	if (v != DLV_PASS)
		return v;
	return check_content(w, msgs[d->message - 1], why, whylen);
}

/* Printable ASCII as is, the rest as \r \n \t or \xHH. */
static size_t
put_escaped(char *out, size_t pos, size_t len, const char *p, size_t n)
{
	for (size_t i = 0; i < n && pos + 5 < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[pos++] = (char)c;
		else
			pos += (size_t)snprintf(out + pos, len - pos, c == '\r' ? "\\r" :
			    c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\\' ? "\\\\" : "\\x%02x", c);
	}
	out[pos] = '\0';
	return pos;
}

size_t
dlv_describe(const struct orc_msg *m, char *out, size_t len)
{
	char rc[160];
	size_t body, pos;
	int w;

	if (len == 0)
		return 0;
	(void)dlv_header_len(m->data, m->len, &body);
	join_rcpts(m, rc, sizeof(rc));
	w = snprintf(out, len, "delivered #%lld (%s): from <%s> to %s, %zu octets; body: ",
	    m->seq, m->source ? m->source : "?", m->mail_from ? m->mail_from : "?",
	    m->rcpt ? rc : "?", m->len);
	if (w < 0)
		return 0;
	pos = (size_t)w < len ? (size_t)w : len - 1;
	return put_escaped(out, pos, len, m->data + body, m->len - body < 160 ? m->len - body : 160);
}
