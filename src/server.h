/*
 * server.h - the reference SMTP server: strict RFC 5321 with PIPELINING,
 * SIZE, 8BITMIME and ENHANCEDSTATUSCODES, many sessions on one event loop.
 * It delivers nowhere and relays nothing: messages are counted and dropped.
 *
 * Named faults each switch on one realistic deviation so the suite can prove
 * that every scenario bites (see srv_fault_name()/srv_fault_desc()).
 */
#ifndef SMTPH_SERVER_H
#define SMTPH_SERVER_H

#include <stddef.h>

#include "loop.h"

/* Defaults the suite's variables rely on (docs/scenarios.md). */
#define SRV_HOSTNAME "mx.harness.test"
#define SRV_LOCAL_DOMAIN "example.com"   /* recipients @example.com are accepted */
#define SRV_SIZE_LIMIT 10485760u          /* advertised SIZE */

struct srv;

/* A server on loop with the faults in the comma-separated list (may be NULL
 * or ""); NULL with errbuf filled on an unknown fault name. */
struct srv *srv_new(struct loop *loop, const char *faults, char *errbuf, size_t errlen);

/* Free the server, its listeners and every open session (no reply is sent). */
void srv_free(struct srv *srv);

/* Listen on host:port (port "0" = any free port).  Loopback or any address
 * the caller chooses; the harness only ever passes loopback.  Returns the
 * bound port, or -1 with errbuf filled. */
int srv_listen(struct srv *srv, const char *host, const char *port, char *errbuf, size_t errlen);

/* Serve one session on an already connected pair of descriptors (in_fd ==
 * out_fd for a socket; 0 and 1 for `serve --stdio`).  The server owns and
 * closes them.  Returns 0, or -1 with errbuf filled. */
int srv_attach(struct srv *srv, int in_fd, int out_fd, char *errbuf, size_t errlen);

/* Sessions currently open. */
size_t srv_active_sessions(const struct srv *srv);

/* Start a graceful shutdown: every open session gets "421 ... shutting down"
 * and is closed; listeners are closed (RFC 5321 3.8). */
void srv_shutdown(struct srv *srv);

/* The fault table, for `serve --list-faults`: i in [0, srv_fault_count()). */
size_t srv_fault_count(void);
const char *srv_fault_name(size_t i);
const char *srv_fault_desc(size_t i);

#endif
