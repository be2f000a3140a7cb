/*
 * loader_delivered.c - the `delivered` step's grammar (docs/scenarios.md):
 *
 *   delivered := mapping { count: N | at_most: N (one of them), message: N,
 *                          missing: skip|fail,
 *                          mail_from: ADDR, rcpt_to: [ADDR...],
 *                          mail_params: [PARAM...], rcpt_params: [PARAM...],
 *                          body: BYTES, header_has: [NAME...],
 *                          header_lacks: [NAME...], header_first: NAME,
 *                          headers: ERE }
 *
 * Texts stay templates (expanded at run time); body takes send_raw's
 * escapes, so it must not be double-quoted.
 */
#include "loader_int.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_DELIVERED 16	/* count: more is not a scenario's business */

/* Header field names: RFC 5322 2.2 ftext, printable ASCII but ':'. */
static int
valid_field_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < 33 || *s > 126 || *s == ':')
			return 0;
	return 1;
}

static int
field_names(struct ctx *c, const struct node *v, const char *what, char ***out,
    size_t *n)
{
	if (!ld_get_strv(c, v, what, out, n))
		return 0;
	for (size_t i = 0; i < *n; i++)
		if (!valid_field_name((*out)[i])) {
			ERR(c, v, "%s: '%s' is not a header field name", what, (*out)[i]);
			return 0;
		}
	return 1;
}

static int
parse_body(struct ctx *c, const struct node *v, struct scn_delivered *d)
{
	if (!ld_want(c, v, NODE_SCALAR, "body"))
		return 0;
	if (v->double_quoted) {
		ERR(c, v, "body must be single-quoted or plain: the harness decodes the escapes itself");
		return 0;
	}
	d->body = xstrndup(v->val, v->len);
	d->body_len = v->len;
	d->has_body = 1;
	return 1;
}

/* The checks on one message: every key but count and message. */
static int
parse_checks(struct ctx *c, const struct node *n, struct scn_delivered *d)
{
	const struct node *v;
	int ok = 1;

	if ((v = ld_lookup(n, "mail_from")) && !(d->mail_from = ld_get_str(c, v, "mail_from", 0)))
		ok = 0;
	if ((v = ld_lookup(n, "rcpt_to")) &&
	    !ld_get_strv(c, v, "rcpt_to", &d->rcpt_to, &d->n_rcpt_to))
		ok = 0;
	if ((v = ld_lookup(n, "mail_params")) &&
	    !ld_get_strv(c, v, "mail_params", &d->mail_params, &d->n_mail_params))
		ok = 0;
	if ((v = ld_lookup(n, "rcpt_params")) &&
	    !ld_get_strv(c, v, "rcpt_params", &d->rcpt_params, &d->n_rcpt_params))
		ok = 0;
	if ((v = ld_lookup(n, "body")) && !parse_body(c, v, d))
		ok = 0;
	if ((v = ld_lookup(n, "header_has")) &&
	    !field_names(c, v, "header_has", &d->header_has, &d->n_header_has))
		ok = 0;
	if ((v = ld_lookup(n, "header_lacks")) &&
	    !field_names(c, v, "header_lacks", &d->header_lacks, &d->n_header_lacks))
		ok = 0;
	if ((v = ld_lookup(n, "header_first"))) {
		if (!(d->header_first = ld_get_str(c, v, "header_first", 1)))
			ok = 0;
		else if (!valid_field_name(d->header_first)) {
			ERR(c, v, "header_first: '%s' is not a header field name", d->header_first);
			ok = 0;
		}
	}
	if ((v = ld_lookup(n, "headers")) && ld_want(c, v, NODE_SCALAR, "headers")) {
		if (ld_compile_re_flags(c, v, &d->headers_re, REG_EXTENDED | REG_NEWLINE | REG_ICASE))
			d->headers = xstrndup(v->val, v->len);
		else
			ok = 0;
	}
	return ok;
}

static int
has_checks(const struct scn_delivered *d)
{
	return d->mail_from || d->n_rcpt_to || d->n_mail_params || d->n_rcpt_params ||
	    d->has_body || d->n_header_has || d->n_header_lacks || d->header_first ||
	    d->headers;
}

int
ld_parse_delivered(struct ctx *c, const struct node *n, struct scn_step *st)
{
	static const char *const keys[] = { "count", "at_most", "missing", "message", "mail_from",
		"rcpt_to",
		"mail_params", "rcpt_params", "body", "header_has", "header_lacks",
		"header_first", "headers", NULL };
	struct scn_delivered *d;
	const struct node *v;
	int ok = 1;

	if (!ld_want(c, n, NODE_MAP, "delivered") || !ld_check_keys(c, n, keys, "delivered"))
		return 0;
	d = st->dlv = xcalloc(1, sizeof(*d));
	d->message = 1;
	const struct node *most = ld_lookup(n, "at_most");
	v = ld_lookup(n, "count");
	if (!v == !most) {
		ERR(c, n, "delivered needs count (exactly that many messages) or at_most "
		    "(no more than that many), one of them");
		ok = 0;
	} else if (!ld_get_uint(c, v ? v : most, v ? "count" : "at_most", 0, MAX_DELIVERED,
	    &d->count))
		ok = 0;
	d->at_most = most != NULL;
	if ((v = ld_lookup(n, "missing")) && ld_want(c, v, NODE_SCALAR, "missing")) {
		if (strcmp(v->val, "fail") == 0)
			d->missing_fails = 1;
		else if (strcmp(v->val, "skip") != 0) {
			ERR(c, v, "missing is skip or fail, not '%s'", v->val);
			ok = 0;
		}
		if (d->at_most) {
			ERR(c, v, "missing applies to count, not at_most");
			ok = 0;
		}
	}
	if ((v = ld_lookup(n, "message")) &&
	    !ld_get_uint(c, v, "message", 1, MAX_DELIVERED, &d->message))
		ok = 0;
	if (!parse_checks(c, n, d))
		ok = 0;
	if (ok && has_checks(d) && d->at_most) {
		ERR(c, n, "delivered: the checks on a message need count, not at_most");
		ok = 0;
	} else if (ok && has_checks(d) && d->message > d->count) {
		ERR(c, n, "delivered: message %u is checked but count is %u", d->message, d->count);
		ok = 0;
	}
	return ok;
}
