/*
 * fz_drive_int.h - what the parts of one fuzz session share (fz_drive.c:
 * the connection, the writing, the replies, the flow; fz_drive_tls.c: the
 * STARTTLS handshake).  Not for other modules: fz_drive.h is the API.
 */
#ifndef SMTPH_FZ_DRIVE_INT_H
#define SMTPH_FZ_DRIVE_INT_H

#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "fz_drive.h"
#include "fz_errlog.h"
#include "fz_frame.h"

#define FZ_REAP_GRACE_MS 2000    /* an exec: target's time to exit after our close */
#define FZ_IN_MAX (1024 * 1024)  /* unparsed server bytes held at most */

enum drv_state { DRV_CONNECT, DRV_HANDSHAKE, DRV_RUN, DRV_REAP, DRV_DONE };

/* What the deadline timer waits for (one at a time). */
enum drv_wait {
	W_NONE,      /* nothing: the acts ran out, or a hold is on (its own timer) */
	W_CONNECT,   /* the connection to the current address */
	W_HANDSHAKE, /* the TLS handshake, from its start */
	W_WRITE,     /* the server to read what is queued: from the last progress */
	W_REPLY,     /* the oldest owed reply: from when the bytes owing it drained,
	              * or from the reply before it; other bytes do not move it */
	W_CLOSE,     /* the close after a 221 to QUIT or a 421 */
};

struct drv {
	struct fz_env env;
	struct drv *set_prev, *set_next; /* in env.set */
	struct fz_sess *sess;
	fz_done_fn done;
	void *arg;
	struct fz_obs *obs;
	struct fz_frame fr;
	enum drv_state state;
	int fd, errfd;
	pid_t pid, pgid;
	size_t addr_idx;
	int addr_more;    /* a further resolved address is left to try */
	char conn_why[256]; /* why the last address failed */
	uint64_t timer;
	enum drv_wait wait; /* what timer is for */
	int64_t wait_ms;  /* and how long it was set for */
	int took;         /* a reply was taken since the last arm(): the next owed
	                   * reply's wait starts now */
	int64_t reply_t0_us; /* when the current reply wait started (0: none, or
	                   * its reply was timed already: fz_pace) */
	int progress;     /* queued bytes moved since the last arm() */
	uint64_t hold_timer;
	int holding;      /* act next waits the hold: the real end of message data
	                   * (fz_frame_data_end), or an act after a split (must_settle) */
	size_t hold_done; /* 1 + the act whose hold is over (0: none) */
	int64_t t0, reap_until;
	struct buf in, out;
	struct fz_errlog errlog; /* exec: its stderr */
	struct tls_conn *tls;
	int tls_up;
	size_t next;      /* next act to write */
	int next_alone;   /* act next - 1 was written with no reply owed */
	int cov_slot;     /* the coverage map the child writes, or -1 */
};

/* fz_drive.c, for fz_drive_tls.c. */
void drv_finish(struct drv *d, enum fz_end end, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void drv_flush_out(struct drv *d);
void drv_arm(struct drv *d);
void drv_pump(struct drv *d);

/* fz_drive_tls.c: the bytes after a 220 to STARTTLS kept (what `run`
 * judges a failed handshake by); the handshake failed (why); it moves on
 * with what came; it begins. */
void drv_keep_first(struct drv *d, const char *b, size_t n);
void drv_tls_fail(struct drv *d, const char *why);
void drv_handshake(struct drv *d);
void drv_start_tls(struct drv *d);

#endif
