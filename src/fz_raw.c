/*
 * fz_raw.c - sessions from and to raw client bytes (fz_raw.h).
 */
#include "fz_raw.h"

#include <string.h>
#include <strings.h>


/* The index just past the LF of the line starting at b[at], or n. */
static size_t
line_end(const char *b, size_t n, size_t at)
{
	const char *nl = memchr(b + at, '\n', n - at);
	return nl ? (size_t)(nl - b) + 1 : n;
}

/* The line b[at..e) without its CRLF or LF. */
static size_t
line_len(const char *b, size_t at, size_t e)
{
	size_t l = e - at;
	if (l && b[at + l - 1] == '\n')
		l--;
	if (l && b[at + l - 1] == '\r')
		l--;
	return l;
}

static int
starts_ci(const char *p, size_t n, const char *word)
{
	size_t w = strlen(word);
	return n >= w && strncasecmp(p, word, w) == 0;
}

/* An act of any length: cut into FZ_MAX_ACT pieces. */
static void
add_act(struct fz_sess *s, const char *p, size_t n)
{
	do {
		size_t k = n < FZ_MAX_ACT ? n : FZ_MAX_ACT;
		fz_sess_add(s, p, k, 0);
		p += k;
		n -= k;
	} while (n && s->n < FZ_MAX_ACTS);
}

/* The end of a message starting at b[at]: past its "." line, or n. */
static size_t
body_end(const char *b, size_t n, size_t at)
{
	while (at < n) {
		size_t e = line_end(b, n, at);
		if (line_len(b, at, e) == 1 && b[at] == '.' && e > at + 1)
			return e;
		at = e;
	}
	return n;
}

/* The chunk size of a "BDAT n ..." line, or -1 for another line. */
static long long
bdat_size(const char *p, size_t l)
{
	if (!starts_ci(p, l, "BDAT ") || l < 6 || p[5] < '0' || p[5] > '9')
		return -1;
	long long k = 0;
	for (size_t i = 5; i < l && p[i] >= '0' && p[i] <= '9'; i++)
		k = k > (1LL << 40) ? k : k * 10 + (p[i] - '0');
	return k;
}

void
fz_raw_to_sess(const char *b, size_t n, struct fz_sess *out)
{
	fz_sess_init(out, "raw");
	size_t at = 0;
	int in_data = 0;
	while (at < n) {
		if (out->n >= FZ_MAX_ACTS - 1) {
			add_act(out, b + at, n - at);
			return;
		}
		size_t e;
		if (in_data) {
			e = body_end(b, n, at);
			in_data = 0;
		} else {
			e = line_end(b, n, at);
			size_t l = line_len(b, at, e);
			long long k = bdat_size(b + at, l);
			if (l == 4 && starts_ci(b + at, l, "DATA"))
				in_data = 1;
			else if (k >= 0)
				e = (unsigned long long)k < n - e ? e + (size_t)k : n;
		}
		add_act(out, b + at, e - at);
		at = e;
	}
}

size_t
fz_raw_to_bytes(const struct fz_sess *s, struct buf *out, size_t max)
{
	size_t total = 0;
	for (size_t i = 0; i < s->n && total < max; i++) {
		size_t k = s->acts[i].len < max - total ? s->acts[i].len : max - total;
		buf_append(out, s->acts[i].b, k);
		total += k;
	}
	return total;
}

int
fz_raw_word(const struct fz_sess *s, int which, char *dst, size_t dstlen)
{
	static const char *const verbs[] = { "MAIL FROM:", "RCPT TO:", "AUTH PLAIN " };
	if (which < 0 || which > 2 || dstlen == 0)
		return 0;
	const char *verb = verbs[which];
	for (size_t i = 0; i < s->n; i++) {
		const char *b = s->acts[i].b;
		size_t n = s->acts[i].len;
		for (size_t at = 0; at < n;) {
			size_t e = line_end(b, n, at), l = line_len(b, at, e);
			const char *p = b + at, *end = p + l;
			at = e;
			if (!starts_ci(p, l, verb))
				continue;
			p += strlen(verb);
			while (p < end && *p == ' ')
				p++;
			const char *w = p;
			if (which < 2) {
				if (p == end || *p != '<')
					continue;
				w = ++p;
				while (p < end && *p != '>')
					p++;
				if (p == end)
					continue;
			} else
				while (p < end && *p != ' ')
					p++;
			if (p == w || memchr(w, '\0', (size_t)(p - w)))
				continue;
			size_t k = (size_t)(p - w) < dstlen - 1 ? (size_t)(p - w) : dstlen - 1;
			memcpy(dst, w, k);
			dst[k] = '\0';
			return 1;
		}
	}
	return 0;
}
