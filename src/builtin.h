/*
 * builtin.h - the `builtin` target: the reference server (server.h) started
 * on a loop its caller owns, listening on a free loopback port, handed back
 * as an ordinary resolved smtp:// (or smtps://) target plus the variables
 * the builtin states for itself (its account, its TLS policy).
 */
#ifndef SMTPH_BUILTIN_H
#define SMTPH_BUILTIN_H

#include <stddef.h>

#include "loop.h"
#include "scenario.h"
#include "transport.h"

struct bi_server;

/*
 * Start the reference server for t (kind TP_BUILTIN: its faults, its TLS)
 * on loop, which must outlive the server.  Fills *tcp with the target to
 * connect to: TP_SMTP, 127.0.0.1 and the bound port, resolved, t's tls and
 * a copy of t's url (for messages); the caller frees it with tp_free().
 * Returns the server (stop it with bi_stop()), or NULL with errbuf filled.
 */
struct bi_server *bi_start(struct loop *loop, const struct tp_target *t,
    struct tp_target *tcp, char *errbuf, size_t errlen);

/* Hand every message the server accepts to the delivery oracle's store
 * (oracle.h; NULL: drop them again).  st must outlive the server. */
struct orc_store;
void bi_deliver_to(struct bi_server *b, struct orc_store *st);

/* Stop the server: listeners and open sessions closed.  NULL is fine. */
void bi_stop(struct bi_server *b);

/*
 * The variables the builtin target sets for itself, written to out (at
 * most max; names and values in static storage), their count returned:
 * its account, its policy as its modes make it, and the addresses its
 * built-in delivery oracle sees (BI_MAX_VARS is enough).  They rank below the profile and --var (vars.h) and above a
 * scenario's vars and the defaults.
 */
#define BI_MAX_VARS 14
size_t bi_vars(const struct tp_target *t, struct scn_var *out, size_t max);

#endif
