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

/* Monotonic clock in milliseconds: CLOCK_MONOTONIC, or the virtual clock
 * when it is on. */
int64_t util_now_ms(void);
/* The same clock in microseconds (the virtual one: its milliseconds x 1000). */
int64_t util_now_us(void);

/* The virtual clock, for fuzz targets (off by default; nothing in the
 * harness itself switches it on).  On, util_now_ms() reads a counter that
 * is set to UTIL_VCLOCK_START by each util_clock_virtual(1) (so a fuzz
 * input starts where the last did) and moves only by util_clock_advance(); the
 * event loop (loop.c) then never sleeps: when nothing is ready it advances
 * the clock to its next timer (at most by its max_wait_ms) and fires it, so
 * timeouts cost no wall time and each run of the same input sees the same
 * times.  Only for a process whose every peer is served inside the loop's
 * thread (a socketpair written before loop_run_once, an in-memory
 * transport): a real peer would see its timeouts expire instantly. */
#define UTIL_VCLOCK_START 1000000000
void util_clock_virtual(int on);
int util_clock_is_virtual(void);
/* Move the virtual clock forward by ms (>= 0); no-op when it is off. */
void util_clock_advance(int64_t ms);

/* Copy at most dstsize-1 bytes and always terminate (dstsize > 0). */
size_t util_strlcpy(char *dst, const char *src, size_t dstsize);

/* mkdir -p: create path and its missing parents (mode 0777 & ~umask).
 * 0, or -1 with errno. */
int util_mkdirs(const char *path);

#endif
