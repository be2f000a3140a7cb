/*
 * fz_oracle.h - what a fuzz session's observation (fz_drive.h) proves: the
 * one pure verdict of the fuzzer.  Each oracle names the requirement the
 * server broke, so a finding is written as a scenario whose failing step
 * names that rule.  A session in which the client itself broke a duty
 * (obs->dirty) proves only what holds whatever the client sends: a crash, a
 * sanitizer report, a malformed reply.
 */
#ifndef SMTPH_FZ_ORACLE_H
#define SMTPH_FZ_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include "fz_drive.h"
#include "fz_sess.h"

enum fz_oracle {
	FZ_OR_NONE,
	FZ_OR_CRASH,     /* the exec: target died by a signal; a --launch server died */
	FZ_OR_SANITIZER, /* it printed a sanitizer report */
	FZ_OR_MALFORMED, /* a reply our parser refuses */
	FZ_OR_CLOSE,     /* closed without 421 or 221 (also during a STARTTLS handshake) */
	FZ_OR_HANG,      /* no reply before the deadline */
	FZ_OR_NOCLOSE,   /* no close after 221 or 421 */
	FZ_OR_EXTRA,     /* more replies than commands */
	FZ_OR_SMUGGLE,   /* a reply to message data */
	FZ_OR_LATE,      /* a reply after 221 or 421 */
	FZ_OR_QUIT,      /* QUIT not answered 221 */
	FZ_OR_TLS,       /* no TLS after the 220 to STARTTLS: plaintext, garbage */
	FZ_OR_COUNT
};

struct fz_verdict {
	enum fz_oracle oracle;
	const char *rule_id, *rule_ref, *rule_quote; /* static */
	enum fz_last last;   /* the scenario's failing step */
	size_t upto;         /* acts the scenario keeps */
	size_t n_codes;      /* replies it expects before the failing step */
	size_t owed;         /* replies still owed then: the failing step expects them */
};

/* The verdict on one observation (FZ_OR_NONE: nothing proven). */
struct fz_verdict fz_oracle_judge(const struct fz_obs *o);

/* What the server sent first after its 220 to STARTTLS (b[0..n), the
 * bytes the handshake read), as `run` tells them apart when a handshake
 * fails (src/step_starttls.c, server_tls_failed): nothing; a TLS alert or
 * handshake record (first byte 0x15 or 0x16: the server speaks TLS; when
 * its TLS fails with an alert, e.g. no common version, that is its
 * configuration, no verdict; when it closes without one, as after
 * nothing, the close breaks TM-03, as `run` charges it); or anything
 * else, which breaks the 220's meaning (TX-10). */
enum fz_tls_first { FZ_TLS_NOTHING, FZ_TLS_RECORD, FZ_TLS_OTHER };
enum fz_tls_first fz_oracle_tls_first(const unsigned char *b, size_t n);

/* What the finding saw, in buf (len bytes at most), returned: the
 * observation's detail (how the session ended), but for `quit` the reply
 * that broke the rule ("QUIT answered 250, not 221"). */
const char *fz_oracle_seen(const struct fz_obs *o, const struct fz_verdict *v, char *buf,
    size_t len);

/* "crash", "close", ... (a file name part). */
const char *fz_oracle_name(enum fz_oracle k);

/* The finding's identity: oracle, the verb the last reply answered and the
 * reply codes (dedup key, FNV-1a). */
uint64_t fz_oracle_key(const struct fz_obs *o, const struct fz_verdict *v);

#endif
