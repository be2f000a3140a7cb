/*
 * fz_afl.h - AFL++'s crash and hang files as scenarios, with no server.
 *
 * An AFL++ test case for a stdin SMTP server (`exim -bs`, `serve --stdio`)
 * is the raw byte stream the client writes.  Its scenario sends the bytes
 * in one write after the greeting and expects, with any code, the replies
 * a server owes for them: the framing model (fz_frame.h) counts them, on
 * the path a healthy server takes when it accepts what decides the framing
 * (fz_afl_plan).  A server that dies, hangs or closes on the bytes fails
 * the scenario (RF-01); one that answers them passes.
 */
#ifndef SMTPH_FZ_AFL_H
#define SMTPH_FZ_AFL_H

#include <stddef.h>
#include <stdio.h>

/* Where the bytes leave the session, on the assumed path. */
enum fz_afl_end {
	FZ_AFL_OPEN,   /* still open: the scenario drains (QUIT, what comes, the close) */
	FZ_AFL_CLOSED, /* a QUIT answered 221: the server closes */
	FZ_AFL_TLS,    /* a STARTTLS answered 220: what follows is TLS to the
	                * server; the scenario drops the connection there */
};

struct fz_afl_plan {
	size_t owed;          /* replies after the greeting */
	enum fz_afl_end end;
};

/* The replies a server owes for b[0..n), written after its 220 greeting,
 * when it answers as a healthy server that accepts the sender and the
 * recipients: EHLO offers PIPELINING and CHUNKING; MAIL is accepted outside
 * a transaction, RCPT inside one; DATA gets 354 after an accepted RCPT
 * (else 503, and what follows is commands); BDAT's chunk is read; AUTH
 * gets the challenges of its mechanism (fz_unit.challenges), then 235,
 * once; STARTTLS gets 220 (what follows is TLS); QUIT gets 221 (nothing
 * follows).  Pure: no allocation outlives the call. */
void fz_afl_plan(const char *b, size_t n, struct fz_afl_plan *p);

/* Write the scenario of b[0..n) to f: the header comment lines (comment,
 * NULL-terminated), id and title, opening none, `expect: 220`, one
 * send_raw of the bytes (at most FZ_MAX_ACT of them), one `expect: xxx`
 * (rule RF-01) per owed reply, then `drain` (the session is open),
 * `disconnect` (TLS) or nothing (closed).  0, or -1 on a write error. */
int fz_afl_write_yaml(FILE *f, const char *b, size_t n, const char *id, const char *title,
    const char *const *comment);

#endif
