/*
 * buf.h - a growable byte buffer with a read cursor at the front.
 * The buffer owns its storage; buf_free() releases it.  data is always
 * NUL-terminated one past len so it can be printed, but may hold NULs.
 * Under AddressSanitizer the spare capacity past that NUL is poisoned, so
 * a parser reading past what arrived is reported even inside the block.
 */
#ifndef SMTPH_BUF_H
#define SMTPH_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t open;	/* bytes ASan lets be read: len + 1 (buf.c's business) */
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Drop the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);
/* Keep the first n bytes (n <= len). */
void buf_truncate(struct buf *b, size_t n);
/* Hand the storage to the caller (NUL-terminated) and reset b. */
char *buf_steal(struct buf *b, size_t *len);

#endif
