/*
 * fz_sess.h - a fuzz session: what the client sends, as a list of acts.
 *
 * An act is a run of bytes written at once: one command line, a pipelined
 * burst, a message body, raw bytes.  The driver (fz_drive.h) writes an act
 * once every reply owed for the bytes before it has come, or at once when
 * the act is marked pipelined.  Seeds come from the suite's scenarios
 * (fz_sess_from_scn), mutants from fz_mutate.h, and a finding goes back to
 * a scenario file (fz_sess_write_yaml).  A session owns its acts' bytes.
 */
#ifndef SMTPH_FZ_SESS_H
#define SMTPH_FZ_SESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "scenario.h"
#include "vars.h"

#define FZ_MAX_ACTS 64             /* acts in one session */
#define FZ_MAX_ACT (1024 * 1024)   /* bytes in one act */
/* What a mutant's finding file may grow to, by fz_sess_yaml_bound() (a
 * seed or parent larger still may keep its size): with the header, the
 * rule and a process's stderr (FZ_FINDING_SLACK) it stays under the file
 * loader's limit (LOAD_MAX_FILE, 1 MiB), or `run` could not replay it. */
#define FZ_FINDING_SLACK (256 * 1024)
#define FZ_MAX_SESS_YAML (1024 * 1024 - FZ_FINDING_SLACK)

struct fz_act {
	char *b;
	size_t len;
	int pipelined; /* written right behind the previous act */
};

struct fz_sess {
	struct fz_act *acts;
	size_t n;
	char *origin; /* the seed scenario's id (owned) */
};

void fz_sess_init(struct fz_sess *s, const char *origin);
void fz_sess_free(struct fz_sess *s);
void fz_sess_copy(struct fz_sess *dst, const struct fz_sess *src);
/* Append an act (a copy of b[0..len), cut to FZ_MAX_ACT); ignored past
 * FZ_MAX_ACTS. */
void fz_sess_add(struct fz_sess *s, const void *b, size_t len, int pipelined);
/* Insert at index i (<= n), remove act i. */
void fz_sess_insert(struct fz_sess *s, size_t i, const void *b, size_t len, int pipelined);
void fz_sess_remove(struct fz_sess *s, size_t i);
/* Cut act i in two at byte at (0 < at < len): act i keeps b[0..at), a new
 * act i + 1 (not pipelined) takes the rest.  0, or -1 (nothing changed)
 * when the session is full or the cut is not inside the act. */
int fz_sess_split(struct fz_sess *s, size_t i, size_t at);
/* Total bytes of all acts. */
size_t fz_sess_bytes(const struct fz_sess *s);

/* The session a scenario's steps send (its opening's EHLO or HELO, send,
 * send_raw, pipeline, data and starttls steps with variables expanded in
 * scope, repeats capped), then QUIT.  0, or -1 when a variable cannot be
 * expanded (the seed is then left out). */
int fz_sess_from_scn(const struct scn *sc, struct vars_scope *scope, struct fz_sess *out);

/* One reply the fuzzer took. */
struct fz_got {
	int code;
	uint8_t verb;   /* enum fz_verb (fz_frame.h) of the unit it answers */
	size_t act;     /* acts written when it came (0: the greeting) */
};

/* What the fuzzer saw of a session, for the scenario it writes. */
struct fz_seen {
	const struct fz_got *got; /* every reply, in order */
	size_t n_got;             /* acts are numbered 1..n; act k's replies follow it */
	const int *tls_act;       /* per act (n entries): a TLS handshake followed it */
};

/* The failing step that ends the scenario, after the replies still owed. */
enum fz_last {
	FZ_LAST_NONE,    /* only the owed replies (one closed, malformed or late) */
	FZ_LAST_SILENCE, /* then nothing more, and no close (an extra reply, a close) */
	FZ_LAST_CLOSE,   /* the close (after 221 or 421) */
	FZ_LAST_221,     /* the reply to QUIT must be 221 */
	FZ_LAST_IN_DATA, /* nothing more (a reply to message data), then the real
	                  * end of the data, so the scenario's teardown works */
	FZ_LAST_IN_CHUNK, /* nothing more (a reply inside a BDAT chunk): the rest of
	                  * the chunk is the server's to wait for, so no end is sent */
	FZ_LAST_TLS,     /* no step after the owed replies: the last act, a
	                  * STARTTLS answered 220, is the starttls step that names
	                  * the rule (its handshake must succeed) */
};

/* How a finding's scenario ends: the rule it names, the replies still
 * owed when the oracle fired (each an `expect: xxx` naming the rule), then
 * the step `last`. */
struct fz_ending {
	const char *rule_id, *rule_ref, *rule_quote;
	size_t owed;
	enum fz_last last;
	const char *tag; /* a tag beside `fuzz` (e.g. unreproduced), or NULL */
};

/* Write s as a scenario to f: a header comment (comment[] lines), id,
 * title, the rule, opening none, each act as send_raw (or starttls) with
 * the replies seen after it as expect steps, then the ending.  Acts after
 * `upto` (1-based, inclusive) are left out. */
void fz_sess_write_yaml(FILE *f, const struct fz_sess *s, const struct fz_seen *seen,
    size_t upto, const char *id, const char *title, const char *const *comment,
    const struct fz_ending *end);

/* Append b[0..n) to out as a single-quoted YAML scalar holding the escapes
 * of send_raw (\r \n \t \0 \xHH \\ \$), so the loader gives back b. */
void fz_yaml_raw(struct buf *out, const char *b, size_t n);
/* What fz_yaml_raw() appends for b[0..n), in bytes. */
size_t fz_yaml_raw_len(const char *b, size_t n);

/* At least the size of the steps fz_sess_write_yaml() writes for s, with
 * any replies: each act's step, and for each LF sent (each unit the
 * server may owe a reply: a command, a chunk's BDAT, the data's end) an
 * expect or an owed expect with its rule. */
size_t fz_sess_yaml_bound(const struct fz_sess *s);
/* fz_sess_yaml_bound(s) <= cap, without reading the bytes when they are
 * too few to reach cap whatever they are (most sessions: a mutant's test). */
int fz_sess_yaml_fits(const struct fz_sess *s, size_t cap);

#endif
