/* util.c - allocation helpers and small string utilities. */
#include "util.h"

#include <errno.h>
#include <sys/stat.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

static void *
oom(void)
{
	fputs("smtp-harness: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? p : oom();
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	return p ? p : oom();
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	return q ? q : oom();
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	char *p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int
util_ieq(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

static int vclock_on;
static int64_t vclock_now;

void
util_clock_virtual(int on)
{
	vclock_on = on != 0;
	vclock_now = UTIL_VCLOCK_START;
}

int
util_clock_is_virtual(void)
{
	return vclock_on;
}

void
util_clock_advance(int64_t ms)
{
	if (vclock_on && ms > 0)
		vclock_now += ms;
}

int64_t
util_now_ms(void)
{
	return util_now_us() / 1000;
}

int64_t
util_now_us(void)
{
	struct timespec ts;
	if (vclock_on)
		return vclock_now * 1000;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

size_t
util_strlcpy(char *dst, const char *src, size_t dstsize)
{
	size_t n = strlen(src);
	size_t k = n < dstsize - 1 ? n : dstsize - 1;
	memcpy(dst, src, k);
	dst[k] = '\0';
	return n;
}

char *
util_base64(const void *data, size_t len)
{
	/* OpenSSL's encoder: padded, no line breaks, NUL-terminated. */
	if (len > INT_MAX / 2)
		abort();
	char *out = xmalloc((len + 2) / 3 * 4 + 1);
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

int
util_mkdirs(const char *path)
{
	char tmp[4096];
	if (util_strlcpy(tmp, path, sizeof(tmp)) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
		return -1;
	return 0;
}
