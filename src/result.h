/*
 * result.h - the outcome of one scenario run: status, reason, the failing
 * step with what was expected and what came, and the full transcript.
 * A res_result owns its strings and transcript; res_result_free() releases
 * them (not the scenario, which the caller owns).
 */
#ifndef SMTPH_RESULT_H
#define SMTPH_RESULT_H

#include <stddef.h>

#include "buf.h"
#include "scenario.h"

enum res_status {
	RES_PASS,  /* every step held */
	RES_FAIL,  /* the server broke a rule */
	RES_SKIP,  /* the target lacks what the scenario requires */
	RES_ERROR, /* the harness or the machine failed, or the run was cut short */
	RES_XFAIL, /* failed, as the baseline expected: counts as passed */
	RES_XPASS, /* passed although the baseline expected a failure */
};

enum res_dir {
	RES_DIR_CLIENT = 'C', /* bytes the harness sent */
	RES_DIR_SERVER = 'S', /* bytes the server sent */
	RES_DIR_NOTE = '*',   /* the harness's own remark (connect, close, timeout) */
};

struct res_event {
	double t;      /* seconds since the session started */
	char dir;      /* enum res_dir */
	char *data;    /* raw bytes, NUL-terminated copy */
	size_t len;
};

struct res_transcript {
	struct res_event *ev;
	size_t n, cap;
	size_t bytes; /* total bytes kept; see RES_TRANSCRIPT_MAX */
	size_t dropped; /* bytes counted but not kept once the limit was hit */
	size_t limit;   /* bytes to keep; 0 = RES_TRANSCRIPT_MAX */
};

/* Transcripts keep at most this many bytes by default (tr.limit changes it,
 * --max-transcript); the rest is counted, not kept, so a server streaming
 * megabytes cannot exhaust memory. */
#define RES_TRANSCRIPT_MAX (256 * 1024)
#define RES_TRANSCRIPT_MIN 1024 /* the smallest limit that still shows something */

/* What the last TLS handshake of the session negotiated and what the server
 * presented (present == 0: no TLS).  Strings are owned, never NULL when
 * present. */
struct res_tls {
	int present;
	char *protocol;   /* "TLSv1.3" */
	char *cipher;     /* "TLS_AES_256_GCM_SHA384" */
	char *subject;    /* RFC 2253, "" without a certificate */
	char *issuer;
	char *not_before; /* ISO 8601 UTC, "" without a certificate */
	char *not_after;
	char *sha256;     /* certificate fingerprint, hex; "" without one */
	int verified;     /* chain and name check out */
	char *verify;     /* "ok" or why not ("self-signed certificate") */
};

struct res_result {
	const struct scn *scn;
	enum res_status status;
	char *reason;    /* one line; NULL on PASS */
	int step;        /* 1-based failing step; 0 = the opening or none */
	int step_line;   /* its line in the scenario file; 0 if none */
	char *expected;  /* what the step expected (may be NULL) */
	char *actual;    /* what came, printable (may be NULL) */
	double duration; /* seconds */
	char **warnings; /* deviations the RFC allows (expect.prefer): one line each */
	size_t n_warnings;
	struct res_tls tls;
	struct res_transcript tr;
	/* FAIL: the one requirement broken (the failing step's rule, or the
	 * session rule the engine checked); static or scenario-owned strings,
	 * valid while the scenario is.  NULL otherwise. */
	const char *rule_id;    /* catalogue id, "TX-05" */
	const char *rule_ref;   /* "RFC 5321 3.3" */
	const char *rule_quote; /* the RFC's words */
};

/* Record one event: a copy of data[0..len) (data may hold any bytes; NULL
 * only with len 0).  A zeroed res_transcript is empty and ready.  Once the
 * kept bytes would pass RES_TRANSCRIPT_MAX, the part that still fits is kept,
 * one NOTE event "[transcript truncated]" is added (it counts towards the
 * limit), and from then on bytes are only counted in tr->dropped. */
void res_transcript_add(struct res_transcript *tr, double t, char dir,
    const void *data, size_t len);
/* Record a warning (a copy of the printf-formatted line). */
void res_warn(struct res_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Free the strings of t and mark it absent. */
void res_tls_clear(struct res_tls *t);

/* Free what r owns (reason, expected, actual, transcript) and reset those
 * fields; r itself and r->scn are the caller's.  NULL is a no-op. */
void res_result_free(struct res_result *r);

const char *res_status_name(enum res_status s); /* "PASS", "FAIL", ... */

/* Append data[0..len) to out as printable ASCII: \r \n \t \\ and \xHH for
 * everything outside 0x20-0x7e. */
void res_render(struct buf *out, const char *data, size_t len);

#endif
