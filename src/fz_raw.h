/*
 * fz_raw.h - a fuzz session (fz_sess.h) from and to the raw byte stream a
 * client writes, as a stdin-speaking server (`exim -bs`, `serve --stdio`)
 * reads it and as AFL++ keeps its test cases (fuzz/afl_mutator.c).
 *
 * The cut is lossless: fz_raw_to_bytes(fz_raw_to_sess(b)) is b again (for
 * b up to FZ_MAX_ACT bytes past the first FZ_MAX_ACTS - 1 acts).
 */
#ifndef SMTPH_FZ_RAW_H
#define SMTPH_FZ_RAW_H

#include <stddef.h>

#include "buf.h"
#include "fz_sess.h"

/* Cut b[0..n) into acts, each as fz_sess_from_scn() would have made it: a
 * command line up to and including its LF; after a DATA line, the message
 * up to and including its "." line (RFC 5321 4.1.1.4) as one act; after a
 * "BDAT n" line, the n octets of the chunk in the same act (RFC 3030 2).
 * Which commands the server accepted is not known, so a refused DATA still
 * makes the next lines one act: the cut only guides the mutations.  The
 * last act holds the rest once FZ_MAX_ACTS - 1 acts are made.  out is
 * initialized here (origin "raw"); the caller frees it. */
void fz_raw_to_sess(const char *b, size_t n, struct fz_sess *out);

/* Append the acts of s, in order, to out, at most max bytes in all (the
 * last act that does not fit is cut).  Returns the bytes appended. */
size_t fz_raw_to_bytes(const struct fz_sess *s, struct buf *out, size_t max);

/* The first address of a "MAIL FROM:<...>" (which 0), "RCPT TO:<...>"
 * (which 1) line in s, or the argument of "AUTH PLAIN x" (which 2), copied
 * into dst (NUL-terminated, cut to dstlen - 1).  Returns 1 when found. */
int fz_raw_word(const struct fz_sess *s, int which, char *dst, size_t dstlen);

#endif
