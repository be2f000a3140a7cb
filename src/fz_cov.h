/*
 * fz_cov.h - grey-box feedback for `smtp-harness fuzz`: the coverage map of
 * an exec: target built with AFL++ instrumentation (afl-clang-fast).
 *
 * One System V shared-memory map per session slot (sessions run -j at a
 * time); a child started with __AFL_SHM_ID naming its slot's map writes
 * its edge hits there, as under afl-fuzz.  When the child has exited, the
 * map is compared with the campaign's virgin map in AFL's hit-count buckets
 * (1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+): new bits keep the session.
 */
#ifndef SMTPH_FZ_COV_H
#define SMTPH_FZ_COV_H

#include <stddef.h>

#define FZ_COV_MAP (256 * 1024) /* bytes; AFL_MAP_SIZE tells the target */

struct fz_cov;

/* Maps for n slots; NULL with errbuf when shared memory is not available. */
struct fz_cov *fz_cov_new(size_t n, char *errbuf, size_t errlen);
/* Remove the segments. */
void fz_cov_free(struct fz_cov *c);

/* A free slot, its map cleared; -1 when all are taken. */
int fz_cov_take(struct fz_cov *c);
/* Put __AFL_SHM_ID and AFL_MAP_SIZE for slot in the environment (for the
 * child about to be spawned), or take them out again (slot -1). */
void fz_cov_env(const struct fz_cov *c, int slot);
/* The child of slot has exited: fold its map into the virgin map, free the
 * slot.  Returns how many new (edge, bucket) bits it showed. */
size_t fz_cov_release(struct fz_cov *c, int slot);
/* Edges seen so far, and whether any map was ever written (a target that
 * is not instrumented leaves every map empty). */
size_t fz_cov_edges(const struct fz_cov *c);

#endif
