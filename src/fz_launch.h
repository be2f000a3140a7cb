/*
 * fz_launch.h - a network server the fuzzer starts itself and watches by
 * pid (`smtp-harness fuzz --target smtp://HOST:PORT --launch CMD`).
 *
 * CMD runs through /bin/sh -c in a process group of its own, its stderr on
 * a pipe (fz_errlog.h), with the coverage map's __AFL_SHM_ID in its
 * environment when the campaign has one.  Starting waits, bounded, until
 * the target's port accepts a connection.  The campaign checks between
 * loop rounds whether the process is still there; when it has died (a
 * signal, or an exit) the death is a finding charged to a session (with
 * several at once, the one a replay alone proves: fz_attrib.h), and the
 * server is started again.  Stopping sends SIGTERM to the
 * group, then SIGKILL after a grace.
 */
#ifndef SMTPH_FZ_LAUNCH_H
#define SMTPH_FZ_LAUNCH_H

#include <stddef.h>
#include <sys/types.h>

#include "fz_cov.h"
#include "transport.h"

#define FZ_LAUNCH_READY_MS 10000 /* the port must accept within this */
#define FZ_LAUNCH_TERM_MS 2000   /* SIGTERM, then SIGKILL after this */
#define FZ_LAUNCH_POLL_MS 5      /* its exit polled this often while it serves */

struct fz_launch;

/* How the server ended. */
struct fz_death {
	int signal;      /* the signal that ended it, or 0 (launched through /bin/sh,
	                  * an exit status 128 + N, as sh reports a child's death by
	                  * N, counts as N) */
	int status;      /* its exit status when signal is 0 */
	int sanitizer;   /* its stderr holds a sanitizer's report */
	char *stderr_text; /* what it printed (fz_errlog_text), owned, may be NULL */
};

/* A launcher for cmd; t (TP_SMTP, resolved) is where it listens; cov (may
 * be NULL) has one slot, 0, whose map the server writes.  Both must outlive
 * the launcher.  Nothing is started yet. */
struct fz_launch *fz_launch_new(const char *cmd, const struct tp_target *t,
    const struct fz_cov *cov);

/* cmd as the words of a program to run without a shell (a NULL-terminated
 * array, one allocation: free() it), or NULL when it holds anything the
 * shell would read otherwise (quotes, $, globs, redirections, ;, &, |, a
 * first word that assigns...).  As make does: a plain command is executed
 * directly, so the server is the launched process itself, its death seen
 * the moment it dies, not when a shell (dash does not exec a -c command)
 * has been scheduled to collect it and exit in turn. */
char **fz_launch_argv(const char *cmd);

/* Start the server and wait until its port accepts a connection (at most
 * FZ_LAUNCH_READY_MS).  0, or -1 with errbuf (it exited first, or the port
 * never answered: it is stopped then).  A server still running is stopped
 * first, so this is also the restart. */
int fz_launch_start(struct fz_launch *l, char *errbuf, size_t errlen);

/* Read what it printed; 1 if it has died (collected, *d filled: the caller
 * frees d->stderr_text), 0 if it runs, -1 if none was started.  wait_ms > 0
 * waits that long for a death (a session saw its connection close: the
 * process may be on its way out). */
int fz_launch_check(struct fz_launch *l, int wait_ms, struct fz_death *d);

/* Stop it (SIGTERM to its group, SIGKILL after FZ_LAUNCH_TERM_MS) and
 * collect it.  Nothing running is fine. */
void fz_launch_stop(struct fz_launch *l);

/* Times it was started. */
unsigned fz_launch_starts(const struct fz_launch *l);

/* Stop it and free l (NULL is fine). */
void fz_launch_free(struct fz_launch *l);

#endif
