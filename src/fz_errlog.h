/*
 * fz_errlog.h - what a target process prints on stderr, as the fuzzer keeps
 * it: the start (for the finding's comment), and whether a sanitizer's
 * report is anywhere in it.  Every byte is scanned for the markers through
 * a sliding window across reads, so a report after a long log is seen; a
 * report that starts past the kept start is kept from its marker on.
 * Memory stays bounded whatever the target prints.  Used for exec: targets
 * (fz_drive.c) and a --launch server (fz_launch.c).
 */
#ifndef SMTPH_FZ_ERRLOG_H
#define SMTPH_FZ_ERRLOG_H

#include <stddef.h>

#include "buf.h"

#define FZ_ERRLOG_KEEP (16 * 1024)   /* the start kept, and a late report */
#define FZ_ERRLOG_TAIL 64            /* > the longest marker */

struct fz_errlog {
	struct buf start;   /* the first FZ_ERRLOG_KEEP bytes */
	struct buf report;  /* from a marker past the start, FZ_ERRLOG_KEEP at most */
	size_t total;       /* bytes taken */
	int sanitizer;      /* a sanitizer's marker was seen */
	char tail[FZ_ERRLOG_TAIL]; /* the last bytes taken, for a marker across reads */
	size_t n_tail;
};

void fz_errlog_init(struct fz_errlog *l);
void fz_errlog_free(struct fz_errlog *l);

/* Bytes the process wrote, in order. */
void fz_errlog_take(struct fz_errlog *l, const char *b, size_t n);

/* The text for a finding (the start, then "[... N bytes left out ...]" and
 * the late report when there is one); NUL bytes end it.  NULL when nothing
 * was printed; the caller frees it. */
char *fz_errlog_text(const struct fz_errlog *l);

#endif
