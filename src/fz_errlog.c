/*
 * fz_errlog.c - a target's stderr as the fuzzer keeps it (fz_errlog.h).
 */
#include "fz_errlog.h"

#include <string.h>

#include "util.h"

/* What a sanitizer prints at the head of its report. */
static const char *const marks[] = { "ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
	"runtime error:", "WARNING: MemorySanitizer", "ThreadSanitizer" };

void
fz_errlog_init(struct fz_errlog *l)
{
	memset(l, 0, sizeof(*l));
	buf_init(&l->start);
	buf_init(&l->report);
}

void
fz_errlog_free(struct fz_errlog *l)
{
	buf_free(&l->start);
	buf_free(&l->report);
}

static void
append_upto(struct buf *b, const char *p, size_t n, size_t cap)
{
	if (b->len < cap && n)
		buf_append(b, p, n < cap - b->len ? n : cap - b->len);
}

void
fz_errlog_take(struct fz_errlog *l, const char *b, size_t n)
{
	append_upto(&l->start, b, n, FZ_ERRLOG_KEEP);
	size_t base = l->total; /* the stream offset of b[0] */
	l->total += n;
	if (l->report.len) {
		append_upto(&l->report, b, n, FZ_ERRLOG_KEEP);
		return;
	}
	if (l->sanitizer)
		return;
	char win[FZ_ERRLOG_TAIL + 4096];
	for (size_t at = 0; at < n;) {
		/* The window: the tail (the bytes just before b[at]), then up
		 * to 4096 bytes of b. */
		size_t take = n - at < 4096 ? n - at : 4096;
		memcpy(win, l->tail, l->n_tail);
		memcpy(win + l->n_tail, b + at, take);
		size_t wl = l->n_tail + take;
		for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
			const char *m = memmem(win, wl, marks[i], strlen(marks[i]));
			if (!m)
				continue;
			l->sanitizer = 1;
			/* Past the kept start: keep the report from its marker. */
			if (base + at - l->n_tail + (size_t)(m - win) >= l->start.len) {
				append_upto(&l->report, m, wl - (size_t)(m - win), FZ_ERRLOG_KEEP);
				append_upto(&l->report, b + at + take, n - at - take, FZ_ERRLOG_KEEP);
			}
			return;
		}
		size_t keep = wl < FZ_ERRLOG_TAIL ? wl : FZ_ERRLOG_TAIL;
		memmove(l->tail, win + wl - keep, keep);
		l->n_tail = keep;
		at += take;
	}
}

char *
fz_errlog_text(const struct fz_errlog *l)
{
	if (!l->start.len)
		return NULL;
	struct buf t;
	buf_init(&t);
	buf_append(&t, l->start.data, strnlen(l->start.data, l->start.len));
	if (l->report.len) {
		buf_printf(&t, "\n[... %zu bytes of stderr left out ...]\n",
		    l->total - l->start.len - l->report.len);
		buf_append(&t, l->report.data, strnlen(l->report.data, l->report.len));
	}
	char *s = xstrdup(t.len ? t.data : "");
	buf_free(&t);
	return s;
}
