/*
 * server_hostile.h - the reference server's hostile faults: byte-level
 * misbehaviour (a greeting one byte a second, endless lines, binary bytes,
 * resets, random bytes) with no SMTP state machine behind it.  The server
 * hands every new connection to this module when one of these faults is on
 * (server.c, srv_new/sess_new), so the harness can be tested against them.
 *
 * Everything sent is bounded: at most HOSTILE_MAX_BYTES per connection and
 * HOSTILE_MAX_MS of activity, after which the connection is closed.
 */
#ifndef SMTPH_SERVER_HOSTILE_H
#define SMTPH_SERVER_HOSTILE_H

#include <stddef.h>

#include "loop.h"
#include "server_faults.h"

#define HOSTILE_MAX_BYTES (64u << 20)
#define HOSTILE_MAX_MS 120000

struct hostile;

/* 1 if fault id is one this module implements. */
int hostile_is_fault(enum srv_fault id);

/* A set of hostile connections on loop, all misbehaving per fault. */
struct hostile *hostile_new(struct loop *loop, enum srv_fault fault);

/* Take over a connected pair of descriptors (in_fd == out_fd for a socket);
 * they are the module's from now on and closed by it. */
void hostile_attach(struct hostile *h, int in_fd, int out_fd);

/* Connections still open. */
size_t hostile_active(const struct hostile *h);

/* Close every connection and free the set.  NULL is a no-op. */
void hostile_free(struct hostile *h);

#endif
