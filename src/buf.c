/* buf.c - growable byte buffer. */
#include "buf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BUF_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(BUF_ASAN)
#define BUF_ASAN 1
#endif
#ifdef BUF_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

/* Let ASan see [0, open) of the block and nothing of the rest, as it does
 * for std::vector: the block is larger than what arrived, and a read of
 * its stale tail is the over-read a parser test must catch.  Only the
 * bytes between the old and the new mark are touched. */
static void
mark(struct buf *b, size_t open)
{
#ifdef BUF_ASAN
	if (b->data)
		__sanitizer_annotate_contiguous_container(b->data, b->data + b->cap,
		    b->data + b->open, b->data + open);
#endif
	b->open = open;
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = b->open = 0;
}

void
buf_free(struct buf *b)
{
	mark(b, b->cap);
	free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data) {
		b->data[0] = '\0';
		mark(b, 1);
	}
}

static void
reserve(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	mark(b, b->cap);
	b->data = xrealloc(b->data, cap);
	b->cap = b->open = cap;
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
	reserve(b, n);
	mark(b, b->len + n + 1);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	reserve(b, (size_t)n);
	mark(b, b->len + (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	buf_truncate(b, b->len - n);
}

void
buf_truncate(struct buf *b, size_t n)
{
	if (n >= b->len)
		return;
	b->len = n;
	b->data[n] = '\0';
	mark(b, n + 1);
}

char *
buf_steal(struct buf *b, size_t *len)
{
	reserve(b, 0);
	mark(b, b->cap);
	b->data[b->len] = '\0';	/* a buffer never written to has none yet */
	char *p = b->data;
	if (len)
		*len = b->len;
	buf_init(b);
	return p;
}
