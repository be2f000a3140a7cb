/*
 * oracle.c - the delivery oracle's store of messages and its --oracle
 * specification (oracle.h).  The sources that fill the store are
 * oracle_sink.c (a listener) and oracle_mailbox.c (maildir, mbox).
 */
#include "oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct orc_store {
	struct orc_msg *msgs;
	size_t n, cap;
	long long seq;
};

struct orc_store *
orc_store_new(void)
{
	return xcalloc(1, sizeof(struct orc_store));
}

void
orc_msg_clear(struct orc_msg *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nrcpt; i++) {
		free(m->rcpt ? m->rcpt[i] : NULL);
		free(m->rcpt_params ? m->rcpt_params[i] : NULL);
	}
	free(m->rcpt);
	free(m->rcpt_params);
	free(m->mail_from);
	free(m->mail_params);
	free(m->data);
	free(m->source);
	memset(m, 0, sizeof(*m));
}

void
orc_store_free(struct orc_store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++)
		orc_msg_clear(&st->msgs[i]);
	free(st->msgs);
	free(st);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

int
orc_store_add(struct orc_store *st, const struct orc_msg *m)
{
	struct orc_msg *c;

	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 16;
		st->msgs = xrealloc(st->msgs, st->cap * sizeof(*st->msgs));
	}
	c = &st->msgs[st->n];
	memset(c, 0, sizeof(*c));
	c->mail_from = dup_or_null(m->mail_from);
	c->mail_params = dup_or_null(m->mail_params);
	c->nrcpt = m->nrcpt;
	if (m->nrcpt && m->rcpt) {
		c->rcpt = xcalloc(m->nrcpt, sizeof(char *));
		for (size_t i = 0; i < m->nrcpt; i++)
			c->rcpt[i] = dup_or_null(m->rcpt[i]);
	}
	if (m->nrcpt && m->rcpt_params) {
		c->rcpt_params = xcalloc(m->nrcpt, sizeof(char *));
		for (size_t i = 0; i < m->nrcpt; i++)
			c->rcpt_params[i] = dup_or_null(m->rcpt_params[i]);
	}
	if (!c->rcpt)
		c->nrcpt = 0;
	c->data = xmalloc(m->len + 1);
	if (m->len)
		memcpy(c->data, m->data, m->len);
	c->data[m->len] = '\0';
	c->len = m->len;
	c->source = xstrdup(m->source ? m->source : "");
	c->seq = ++st->seq;
	st->n++;
	return 0;
}

size_t
orc_store_count(const struct orc_store *st)
{
	return st->n;
}

static int
has_token(const struct orc_msg *m, const char *token, size_t tlen)
{
	if (m->mail_from && strstr(m->mail_from, token))
		return 1;
	for (size_t i = 0; i < m->nrcpt; i++)
		if (m->rcpt[i] && strstr(m->rcpt[i], token))
			return 1;
	return memmem(m->data, m->len, token, tlen) != NULL;
}

size_t
orc_store_find(const struct orc_store *st, const char *token,
    const struct orc_msg **out, size_t max)
{
	size_t tlen = strlen(token), found = 0;

	if (tlen == 0)
		return 0;
	for (size_t i = 0; i < st->n; i++) {
		if (!has_token(&st->msgs[i], token, tlen))
			continue;
		if (found < max)
			out[found] = &st->msgs[i];
		found++;
	}
	return found;
}

static const char *const kind_names[] = {
	[ORC_NONE] = "none", [ORC_BUILTIN] = "builtin", [ORC_SINK] = "sink",
	[ORC_LMTP] = "lmtp", [ORC_MAILDIR] = "maildir", [ORC_MBOX] = "mbox",
};

const char *
orc_kind_name(enum orc_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ?
	    kind_names[k] : "none";
}

int
orc_kind_final(enum orc_kind k)
{
	return k == ORC_BUILTIN || k == ORC_MAILDIR || k == ORC_MBOX;
}

int
orc_kind_relay(enum orc_kind k)
{
	return k == ORC_BUILTIN || k == ORC_SINK || k == ORC_LMTP;
}

static int
is_loopback(const char *h)
{
	return strcmp(h, "127.0.0.1") == 0 || strcmp(h, "::1") == 0 ||
	    strcmp(h, "localhost") == 0 || strncmp(h, "127.", 4) == 0;
}

/* HOST:PORT, HOST in brackets for IPv6 ([::1]:2525). */
static int
parse_hostport(const char *s, struct orc_spec *out, char *err, size_t errlen)
{
	const char *colon, *h = s;
	size_t hlen;

	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			goto bad;
		h = s + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			goto bad;
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || hlen >= sizeof(out->host) || colon[1] == '\0' ||
	    strlen(colon + 1) >= sizeof(out->port) ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		goto bad;
	memcpy(out->host, h, hlen);
	out->host[hlen] = '\0';
	util_strlcpy(out->port, colon + 1, sizeof(out->port));
	if (!is_loopback(out->host)) {
		snprintf(err, errlen, "the oracle listens on loopback only "
		    "(127.0.0.1 or ::1), not %s", out->host);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "expected HOST:PORT after the oracle kind, got "
	    "'%s'", s);
	return -1;
}

int
orc_parse_spec(const char *s, struct orc_spec *out, char *err, size_t errlen)
{
	static const struct { const char *prefix; enum orc_kind kind; } kinds[] = {
		{ "sink:", ORC_SINK }, { "lmtp:", ORC_LMTP },
		{ "maildir:", ORC_MAILDIR }, { "mbox:", ORC_MBOX },
	};

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t pl = strlen(kinds[i].prefix);
		const char *rest = s + pl;

		if (strncmp(s, kinds[i].prefix, pl) != 0)
			continue;
		out->kind = kinds[i].kind;
		if (out->kind == ORC_SINK || out->kind == ORC_LMTP)
			return parse_hostport(rest, out, err, errlen);
		if (*rest == '\0' || strlen(rest) >= sizeof(out->path)) {
			snprintf(err, errlen, "%s needs a path", kinds[i].prefix);
			return -1;
		}
		util_strlcpy(out->path, rest, sizeof(out->path));
		return 0;
	}
	snprintf(err, errlen, "unknown oracle '%s': expected sink:HOST:PORT, "
	    "lmtp:HOST:PORT, maildir:DIR or mbox:FILE", s);
	return -1;
}

/* ---- a run's oracle ---------------------------------------------------- */

struct oracle {
	enum orc_kind kind;
	struct orc_store *st;
	struct orc_sink *sink;
	struct orc_mailbox *mbox;
};

struct oracle *
orc_open(struct loop *loop, const struct orc_spec *spec, char *err, size_t errlen)
{
	struct oracle *o = xcalloc(1, sizeof(*o));

	o->kind = spec->kind;
	o->st = orc_store_new();
	if (spec->kind == ORC_SINK || spec->kind == ORC_LMTP)
		o->sink = orc_sink_start(loop, spec, o->st, err, errlen);
	else if (spec->kind == ORC_MAILDIR || spec->kind == ORC_MBOX)
		o->mbox = orc_mailbox_open(spec, err, errlen);
	if ((spec->kind == ORC_SINK || spec->kind == ORC_LMTP) ? !o->sink :
	    (spec->kind == ORC_MAILDIR || spec->kind == ORC_MBOX) ? !o->mbox : 0) {
		orc_close(o);
		return NULL;
	}
	return o;
}

enum orc_kind
orc_kind(const struct oracle *o)
{
	return o ? o->kind : ORC_NONE;
}

struct orc_store *
orc_store(struct oracle *o)
{
	return o->st;
}

int
orc_refresh(struct oracle *o, char *err, size_t errlen)
{
	if (!o->mbox)
		return 0;
	return orc_mailbox_scan(o->mbox, o->st, err, errlen) < 0 ? -1 : 0;
}

void
orc_close(struct oracle *o)
{
	if (!o)
		return;
	orc_sink_stop(o->sink);
	orc_mailbox_close(o->mbox);
	orc_store_free(o->st);
	free(o);
}
