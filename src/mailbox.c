/*
 * mailbox.c - the pure parsers of mailbox.h: mbox boundaries, unquoting
 * and CRLF, header fields.  No I/O; includes only buf.h and util.h.
 */
#include "mailbox.h"

#include <string.h>

#include "util.h"

static const char SEP[] = "From ";
#define SEPLEN (sizeof(SEP) - 1)

/* The empty line that ends at e (buf[e] == '\n') starting at line start s:
 * "\n" or "\r\n". */
static int
is_empty_line(const char *buf, size_t s, size_t e)
{
	return e == s || (e == s + 1 && buf[s] == '\r');
}

ssize_t
mbx_mbox_next(const char *buf, size_t len, int eof, struct mbx_part *out)
{
	size_t p = 0, blank_at = 0;
	int after_blank = 0;

	if (len == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	if (len >= SEPLEN && memcmp(buf, SEP, SEPLEN) == 0) {
		const char *nl = memchr(buf, '\n', len);
		if (!nl)
			return MBX_PARTIAL;
		p = (size_t)(nl - buf) + 1;
	} else if (len < SEPLEN && memcmp(buf, SEP, len) == 0) {
		return MBX_PARTIAL;	/* may yet be a separator */
	} else {
		out->junk = 1;
	}
	out->body = p;
	/* p is always the start of a line from here on. */
	while (p < len) {
		if (after_blank) {
			size_t have = len - p < SEPLEN ? len - p : SEPLEN;
			if (memcmp(buf + p, SEP, have) == 0) {
				if (have < SEPLEN)
					return MBX_PARTIAL;
				out->body_len = blank_at - out->body;
				return (ssize_t)p;
			}
		}
		const char *nl = memchr(buf + p, '\n', len - p);
		if (!nl)
			return MBX_PARTIAL;
		size_t e = (size_t)(nl - buf);
		after_blank = is_empty_line(buf, p, e);
		blank_at = p;
		p = e + 1;
	}
	if (!eof || !after_blank)
		return MBX_PARTIAL;
	out->body_len = blank_at - out->body;
	return (ssize_t)len;
}

/* Whether the line at s (len bytes left) matches /^>+From /. */
static int
is_quoted_from(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] == '>')
		i++;
	return i > 0 && len - i >= SEPLEN && memcmp(s + i, SEP, SEPLEN) == 0;
}

size_t
mbx_unquote(const char *src, size_t len, int mbox, struct buf *out)
{
	size_t p = 0, before = out->len;

	while (p < len) {
		const char *nl = memchr(src + p, '\n', len - p);
		size_t e = nl ? (size_t)(nl - src) : len;	/* the LF, or the end */
		size_t s = p;

		if (mbox && is_quoted_from(src + p, e - p))
			s++;
		if (!nl) {
			buf_append(out, src + s, e - s);
			break;
		}
		/* The line without its line end, then CRLF. */
		size_t te = e > p && src[e - 1] == '\r' ? e - 1 : e;
		if (te < s)
			te = s;
		buf_append(out, src + s, te - s);
		buf_append(out, "\r\n", 2);
		p = e + 1;
	}
	return out->len - before;
}

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* The end of the line at p: the offset of its LF, or len. */
static size_t
line_end(const char *msg, size_t len, size_t p)
{
	const char *nl = memchr(msg + p, '\n', len - p);
	return nl ? (size_t)(nl - msg) : len;
}

/* Append c to out[*n] while there is room, count it anyway. */
static void
put(char *out, size_t outcap, size_t *n, char c)
{
	if (out && *n + 1 < outcap)
		out[*n] = c;
	(*n)++;
}

ssize_t
mbx_header_next(const char *msg, size_t len, size_t *pos,
    const char *name, char *out, size_t outcap)
{
	size_t nlen = strlen(name), p = *pos;

	if (out && outcap)
		out[0] = '\0';
	while (p < len) {
		size_t e = line_end(msg, len, p);
		if (is_empty_line(msg, p, e) && e < len)
			break;	/* the end of the header section */
		if (e == p || (e == p + 1 && msg[p] == '\r'))
			break;	/* an empty last line, no LF: the end too */
		/* The field's whole extent: this line and its continuations. */
		size_t fe = e;
		while (fe < len && fe + 1 < len && is_wsp(msg[fe + 1]))
			fe = line_end(msg, len, fe + 1);
		size_t next = fe < len ? fe + 1 : len;
		size_t c = p;
		while (c < e && msg[c] != ':')
			c++;
		size_t ne = c;
		while (ne > p && is_wsp(msg[ne - 1]))
			ne--;
		if (c < e && !is_wsp(msg[p]) && ne - p == nlen &&
		    util_ieq(msg + p, nlen, name)) {
			/* Unfold: drop CR and LF, keep everything else. */
			size_t v = c + 1, ve = fe, n = 0;
			while (v < ve && (is_wsp(msg[v]) || msg[v] == '\r' || msg[v] == '\n'))
				v++;
			while (ve > v && (is_wsp(msg[ve - 1]) || msg[ve - 1] == '\r' ||
			    msg[ve - 1] == '\n'))
				ve--;
			for (size_t i = v; i < ve; i++)
				if (msg[i] != '\r' && msg[i] != '\n')
					put(out, outcap, &n, msg[i]);
			if (out && outcap)
				out[n < outcap ? n : outcap - 1] = '\0';
			*pos = next;
			return (ssize_t)n;
		}
		p = next;
	}
	*pos = p;
	return -1;
}

ssize_t
mbx_address(const char *v, size_t len, size_t *off)
{
	const char *lt = memchr(v, '<', len);
	size_t s = 0, e;

	if (lt) {
		s = (size_t)(lt - v) + 1;
		const char *gt = memchr(v + s, '>', len - s);
		if (!gt)
			return -1;
		*off = s;
		return (ssize_t)((size_t)(gt - v) - s);
	}
	while (s < len && is_wsp(v[s]))
		s++;
	e = s;
	while (e < len && !is_wsp(v[e]))
		e++;
	if (e == s)
		return -1;
	*off = s;
	return (ssize_t)(e - s);
}
