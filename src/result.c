/* result.c - scenario outcomes, their transcripts, and the printable rendering
 * every report uses for bytes that came off the wire. */
#include "result.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char res_truncated_note[] = "[transcript truncated]";

static void
res_push(struct res_transcript *tr, double t, char dir, const void *data,
    size_t len)
{
	struct res_event *e;

	if (tr->n == tr->cap) {
		tr->cap = tr->cap ? tr->cap * 2 : 16;
		tr->ev = xrealloc(tr->ev, tr->cap * sizeof(*tr->ev));
	}
	e = &tr->ev[tr->n++];
	e->t = t;
	e->dir = dir;
	e->data = xmalloc(len + 1);
	if (len)
		memcpy(e->data, data, len);
	e->data[len] = '\0';
	e->len = len;
	tr->bytes += len;
}

void
res_transcript_add(struct res_transcript *tr, double t, char dir,
    const void *data, size_t len)
{
	const size_t notelen = sizeof(res_truncated_note) - 1;
	const size_t max = tr->limit >= RES_TRANSCRIPT_MIN ? tr->limit : RES_TRANSCRIPT_MAX;
	const size_t limit = max - notelen;
	size_t room;

	if (tr->dropped > 0) {
		tr->dropped += len;
		return;
	}
	room = tr->bytes < limit ? limit - tr->bytes : 0;
	if (len <= room) {
		res_push(tr, t, dir, data, len);
		return;
	}
	/* Keep what still fits so the transcript ends where the limit was
	 * reached, then say so once; a server streaming without end must not
	 * exhaust memory. */
	if (room > 0)
		res_push(tr, t, dir, data, room);
	res_push(tr, t, RES_DIR_NOTE, res_truncated_note, notelen);
	tr->dropped = len - room;
}

void
res_warn(struct res_result *r, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->warnings = xrealloc(r->warnings, (r->n_warnings + 1) * sizeof(*r->warnings));
	r->warnings[r->n_warnings++] = xstrdup(line);
}

void
res_tls_clear(struct res_tls *t)
{
	free(t->protocol);
	free(t->cipher);
	free(t->subject);
	free(t->issuer);
	free(t->not_before);
	free(t->not_after);
	free(t->sha256);
	free(t->verify);
	memset(t, 0, sizeof(*t));
}

void
res_result_free(struct res_result *r)
{
	if (r == NULL)
		return;
	free(r->reason);
	free(r->expected);
	free(r->actual);
	r->reason = r->expected = r->actual = NULL;
	for (size_t i = 0; i < r->n_warnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	r->warnings = NULL;
	r->n_warnings = 0;
	res_tls_clear(&r->tls);
	for (size_t i = 0; i < r->tr.n; i++)
		free(r->tr.ev[i].data);
	free(r->tr.ev);
	memset(&r->tr, 0, sizeof(r->tr));
}

const char *
res_status_name(enum res_status s)
{
	switch (s) {
	case RES_PASS:
		return "PASS";
	case RES_FAIL:
		return "FAIL";
	case RES_SKIP:
		return "SKIP";
	case RES_ERROR:
		return "ERROR";
	case RES_XFAIL:
		return "XFAIL";
	case RES_XPASS:
		return "XPASS";
	}
	return "?";
}

void
res_render(struct buf *out, const char *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char chunk[256];
	size_t k = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];

		/* Room for the longest form, "\xHH". */
		if (k + 4 > sizeof(chunk)) {
			buf_append(out, chunk, k);
			k = 0;
		}
		switch (c) {
		case '\r':
			chunk[k++] = '\\';
			chunk[k++] = 'r';
			break;
		case '\n':
			chunk[k++] = '\\';
			chunk[k++] = 'n';
			break;
		case '\t':
			chunk[k++] = '\\';
			chunk[k++] = 't';
			break;
		case '\\':
			chunk[k++] = '\\';
			chunk[k++] = '\\';
			break;
		default:
			if (c >= 0x20 && c <= 0x7e) {
				chunk[k++] = (char)c;
			} else {
				chunk[k++] = '\\';
				chunk[k++] = 'x';
				chunk[k++] = hex[c >> 4];
				chunk[k++] = hex[c & 0xf];
			}
			break;
		}
	}
	buf_append(out, chunk, k);
}
