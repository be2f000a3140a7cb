/*
 * transport.h - target URLs and how a session's byte stream is opened:
 * smtp://HOST:PORT (IPv4, IPv6 "[::1]", host names), smtps://HOST:PORT (the
 * same with TLS from the first byte, default port 465), exec:COMMAND ARGS
 * (one child process per session speaking SMTP on stdin/stdout),
 * builtin[:FAULTS] and builtins[:FAULTS] (the reference server, plain or
 * with implicit TLS).
 * Every descriptor returned is non-blocking and close-on-exec.
 */
#ifndef SMTPH_TRANSPORT_H
#define SMTPH_TRANSPORT_H

#include <netdb.h>
#include <stddef.h>
#include <sys/types.h>

enum tp_kind { TP_SMTP, TP_EXEC, TP_BUILTIN };

struct tp_target {
	enum tp_kind kind;
	char *url;      /* as given */
	char *host;     /* TP_SMTP (brackets removed) */
	char *port;
	char **argv;    /* TP_EXEC, NULL-terminated */
	char *faults;   /* TP_BUILTIN: comma-separated fault names, may be "" */
	int tls;        /* implicit TLS: smtps:// or builtins */
	struct addrinfo *ai; /* TP_SMTP, after tp_resolve() */
};

/* Parse a target URL.  Returns NULL, or a reason (errbuf) for a usage error. */
const char *tp_parse(const char *url, struct tp_target *t, char *errbuf, size_t errlen);
void tp_free(struct tp_target *t);

/* Resolve host and port once for the whole run.  Returns 0 or -1 (errbuf). */
int tp_resolve(struct tp_target *t, char *errbuf, size_t errlen);

/* Start a non-blocking connect to the idx-th resolved address.  Returns the
 * fd (connect in progress or done) or -1 with errbuf; *more says whether a
 * further address exists to try after this one. */
int tp_connect(const struct tp_target *t, size_t idx, int *more, char *errbuf, size_t errlen);

/* After POLLOUT on a connecting fd: 0 if connected, else -1 (errbuf). */
int tp_connect_result(int fd, char *errbuf, size_t errlen);

/* Start the exec target's program on a socketpair in its own process group.
 * Returns our end (non-blocking) and *pid (give it to tp_reaper_add() when
 * done), or -1 with errbuf and *pid 0 (a program that could not be run is
 * already collected). */
int tp_spawn(const struct tp_target *t, pid_t *pid, char *errbuf, size_t errlen);

/* tp_spawn(), with the child's stderr on a pipe whose read end (non-blocking,
 * close-on-exec) is *errfd when errfd is not NULL (-1 on failure). */
int tp_spawn_stderr(const struct tp_target *t, pid_t *pid, int *errfd, char *errbuf,
    size_t errlen);
/* Collect child pid if it has exited (*reaped 1: pid is gone), without
 * waiting.  Returns tp_crash_status() of its end, 0 while it runs
 * (*reaped 0). */
int tp_child_crash(pid_t pid, int *reaped);

/* The signal a wait status says killed the program when it is one the
 * program's own fault raises (SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE,
 * SIGSYS, SIGTRAP), else 0: an exit, or SIGKILL, SIGTERM, SIGALRM, SIGPIPE,
 * which come from outside or from a timer it set. */
int tp_crash_status(int status);

/* The children tp_spawn() started, waited for without blocking the loop.
 * A child that has not exited within a grace period after tp_reaper_add()
 * is killed with its process group. */
struct tp_reaper;

/* A new, empty reaper (never NULL). */
struct tp_reaper *tp_reaper_new(void);

/* Reap child pid (> 0) now if it has exited, else keep it for later polls. */
void tp_reaper_add(struct tp_reaper *r, pid_t pid);

/* Collect the kept children that exited; kill those past their grace (all
 * of them when force).  Call between loop rounds. */
void tp_reaper_poll(struct tp_reaper *r, int force);

/* Kill and collect what remains, then free r (NULL is fine). */
void tp_reaper_free(struct tp_reaper *r);

#endif
