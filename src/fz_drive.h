/*
 * fz_drive.h - runs one fuzz session (fz_sess.h) against the target on the
 * caller's event loop and records what the server did: every reply's code
 * and the verb it answers, how the session ended, and for an exec: target
 * how the process ended and what it printed on stderr.
 *
 * Acts are written as the framing model (fz_frame.h) allows: once nothing is
 * owed, or at once for pipelined acts; the real end of message data whose
 * lines a lax server may take for an end is held back after the data
 * drained, twice as long as the server takes to answer (fz_pace.h: 4 to
 * 50 ms),
 * so a reply to the data is seen as one.  A 220 to a STARTTLS act sent
 * alone is followed by the TLS handshake.  Every wait has the deadline
 * `timeout`, per thing awaited: a connection (each resolved address in
 * turn), a handshake, the server reading queued bytes (from its last
 * progress), each owed reply (from when the bytes owing it drained, or from
 * the reply before it: bytes of a reply still arriving do not extend it),
 * the close after 221 or 421; once the client broke a duty, a reply and the
 * close are awaited only as long as the server takes to answer (fz_pace.h:
 * 2 to 250 ms), since their absence is then no finding.  Each reply's time
 * goes into env->pace.
 * The driver judges nothing: fz_oracle.h reads the observation.
 */
#ifndef SMTPH_FZ_DRIVE_H
#define SMTPH_FZ_DRIVE_H

#include <stddef.h>
#include <stdint.h>

#include "fz_cov.h"
#include "fz_pace.h"
#include "fz_sess.h"
#include "loop.h"
#include "tls.h"
#include "transport.h"

struct drv;
/* The sessions running on one loop, so that a campaign can cut them all at
 * once (fz_drive_cut_all): Ctrl-C, or the end of its grace.  Zeroed by the
 * caller, which owns it. */
struct fz_drive_set {
	struct drv *first;
};

struct fz_env {
	struct loop *loop;
	struct fz_drive_set *set;       /* the session is listed there while it
	                                 * runs, or NULL */
	const struct tp_target *target; /* TP_SMTP resolved, or TP_EXEC */
	struct tls_ctx *tls_ctx;        /* for STARTTLS and implicit TLS */
	int tls_narrowed;               /* it allows only some TLS versions
	                                 * (--tls-min, --tls-max) */
	double timeout;                 /* seconds, every wait */
	size_t max_reply_line;          /* 0 = REPLY_DEFAULT_MAX_LINE */
	size_t max_reply_lines;         /* 0 = 1000 */
	struct fz_cov *cov;             /* exec: coverage maps (fz_cov.h), or NULL */
	struct fz_pace *pace;           /* the server's reply times, which the timed
	                                 * waits follow (fz_pace.h); NULL: fixed waits */
};

enum fz_end {
	FZ_END_DONE,      /* the acts ran out, or the server closed when it should */
	FZ_END_CLOSED,    /* the server closed while a reply was owed or unasked */
	FZ_END_TIMEOUT,   /* an owed reply did not come in time */
	FZ_END_NOCLOSE,   /* no close in time after 221 to QUIT or after 421 */
	FZ_END_MALFORMED, /* a reply our parser refuses (detail) */
	FZ_END_EXTRA,     /* a reply nothing asked for */
	FZ_END_DATA,      /* a reply while the client was sending message data */
	FZ_END_LATE,      /* a reply after the 221 or the 421 */
	FZ_END_TLS,       /* the TLS handshake failed (detail) */
	FZ_END_ERROR,     /* no connection, the program could not start (detail) */
	FZ_END_CUT,       /* the campaign cut it short (fz_drive_cut_all): no verdict
	                   * on how it ended */
};

/* A launched server's death while sessions ran side by side, replayed
 * alone before it became a finding (fz_attrib.h). */
struct fz_attrib_note {
	unsigned sessions;   /* in the death: running, or just cut off (0: no replay) */
	unsigned candidates; /* of them, those that had written an act */
	unsigned replays;    /* replayed alone, each on a server started afresh */
	int alone;           /* 1: this session's replay killed the server; 0: none
	                      * did, this is the session that wrote last */
};

#define FZ_TLS_FIRST 8 /* bytes kept of what came after a 220 to STARTTLS */

struct fz_obs {
	enum fz_end end;
	size_t acts_sent;   /* acts written when it ended */
	struct fz_got *got; /* every reply taken, in order (owned) */
	size_t n_codes, cap_got;
	int *tls_act;       /* per act: the TLS handshake followed it (owned) */
	size_t n_acts;
	int closing;        /* a 221 to QUIT or a 421 came: the close was due */
	size_t owed;        /* replies owed when it ended */
	const char *dirty;  /* the client duty the session broke, or NULL */
	int overlong;       /* it sent a command line over the limit (fz_frame.h) */
	unsigned n_errors;  /* 4yz/5yz replies but 421 */
	int quit_code;      /* reply to the first bare "QUIT", 0 if none */
	size_t quit_index;  /* its index in codes[] */
	int violation;      /* FZ_END_MALFORMED: enum reply_violation */
	int bare_newline_data; /* message data held a bare CR or LF */
	int in_chunk;       /* it ended inside a BDAT chunk (fz_frame.h) */
	int starttls_hs;    /* the handshake after a 220 to STARTTLS began and did not
	                     * complete: with FZ_END_TLS, it is that one that failed */
	unsigned char tls_first[FZ_TLS_FIRST]; /* the first bytes the server sent
	                     * after that 220 (what `run` judges a failure by) */
	size_t tls_first_n;
	int tls_closed;     /* that handshake ended in the server's close, not in
	                     * a TLS failure (an alert, bytes that are no TLS) */
	int tls_narrowed;   /* the client limited the TLS versions (fz_env) */
	unsigned tls_made;  /* TLS handshakes completed */
	unsigned tls_resumed; /* of them, resumed (tls_opts.resume) */
	char detail[256];
	int exited;         /* exec: the process was collected */
	int exit_signal;    /* exec: it died by this crash signal (SIGSEGV ...), else 0;
	                     * --launch: by any signal */
	int died;           /* --launch: the server process ended while this session ran
	                     * (the campaign sets it, with exit_signal or exit_status) */
	int exit_status;    /* --launch: its exit status when no signal ended it */
	struct fz_attrib_note attrib; /* --launch, -j > 1: the death's replays (the
	                     * campaign sets it) */
	int sanitizer;      /* exec: its stderr holds a sanitizer report */
	char *stderr_text;  /* exec: the start of its stderr (owned, may be NULL) */
	double seconds;
	int64_t last_act_ms; /* util_now_ms() when the last act was written (0: none) */
	size_t cov_new;     /* exec: new coverage bits the process showed */
};

typedef void (*fz_done_fn)(void *arg, struct fz_obs *obs);

/* Start sess (which must outlive the run) on env->loop; done(arg, obs) is
 * called once, from the loop, with an observation the callee then owns
 * (fz_obs_free).  The driver may cut an act of sess in two where it held
 * back the real end of message data (fz_frame_data_end), so that the
 * session records what was sent in which step. */
void fz_drive_start(const struct fz_env *env, struct fz_sess *sess, fz_done_fn done,
    void *arg);

/* End every session of set still talking to its server, as FZ_END_CUT
 * with why as the detail; each done() comes from the loop as usual. */
void fz_drive_cut_all(struct fz_drive_set *set, const char *why);

void fz_obs_free(struct fz_obs *o);

#endif
