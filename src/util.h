/*
 * util.h - allocation helpers and small string utilities shared by every
 * module.  The x* allocators abort() on exhaustion: a harness that runs out
 * of memory cannot produce a trustworthy verdict, and checking every small
 * allocation would bury the protocol logic.
 */
#ifndef SMTPH_UTIL_H
#define SMTPH_UTIL_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh heap string the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ASCII case-insensitive comparison of s[0..n) with the C string word. */
int util_ieq(const char *s, size_t n, const char *word);

/* Base64 (RFC 4648 4, with padding) of data[0..len), NUL-terminated, malloc'd. */
char *util_base64(const void *data, size_t len);

/* Monotonic clock in milliseconds. */
int64_t util_now_ms(void);

/* Copy at most dstsize-1 bytes and always terminate (dstsize > 0). */
size_t util_strlcpy(char *dst, const char *src, size_t dstsize);

/* mkdir -p: create path and its missing parents (mode 0777 & ~umask).
 * 0, or -1 with errno. */
int util_mkdirs(const char *path);

#endif
