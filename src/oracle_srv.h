/*
 * oracle_srv.h - the reference server's deliveries into an oracle's store:
 * the one bridge between server.h and oracle.h, for the two places that
 * run a reference server whose messages the oracle sees (builtin.c, the
 * builtin target; oracle_sink.c, the sink).
 */
#ifndef SMTPH_ORACLE_SRV_H
#define SMTPH_ORACLE_SRV_H

#include "oracle.h"
#include "server.h"

/* A srv_deliver_fn for the builtin target: arg is the struct orc_store *
 * that gets a copy of m (source "builtin"). */
void orc_srv_deliver(void *arg, const struct srv_message *m);

#endif
