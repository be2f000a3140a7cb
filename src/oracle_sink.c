/*
 * oracle_sink.c - the sink of the delivery oracle (oracle.h): the reference
 * server on the harness's loop, listening on loopback, taking every message
 * the server under test relays to it, as received.  Also the bridge that
 * copies the reference server's deliveries into a store (oracle_srv.h).
 */
#include "oracle_srv.h"

#include <stdio.h>
#include <stdlib.h>

#include "util.h"

struct orc_sink {
	struct srv *srv;
};

static void
deliver(struct orc_store *st, const char *source, const struct srv_message *m)
{
	struct orc_msg om = {
		.mail_from = (char *)m->mail_from,
		.mail_params = (char *)m->mail_params,
		.nrcpt = m->nrcpt,
		.rcpt = (char **)m->rcpt,
		.rcpt_params = (char **)m->rcpt_params,
		.data = (char *)m->data,
		.len = m->len,
		.source = (char *)source,
	};
	/* orc_store_add() copies every string: the casts write nothing. */
	orc_store_add(st, &om);
}

void
orc_srv_deliver(void *arg, const struct srv_message *m)
{
	deliver(arg, "builtin", m);
}

static void
sink_deliver(void *arg, const struct srv_message *m)
{
	deliver(arg, "sink", m);
}

static void
lmtp_deliver(void *arg, const struct srv_message *m)
{
	deliver(arg, "lmtp", m);
}

/* The receiving role: every recipient taken (a relay's next hop decides
 * nothing about them), bare CR and LF kept as data so that what a server
 * relays is seen rather than refused, no size limit. */
#define SINK_MODES "accept-all-recipients,bare-newline-data,size-unlimited"

struct orc_sink *
orc_sink_start(struct loop *loop, const struct orc_spec *spec, struct orc_store *st,
    char *err, size_t errlen)
{
	struct orc_sink *sk;
	struct srv *srv = srv_new(loop, SINK_MODES, err, errlen);

	if (!srv)
		return NULL;
	srv_set_trace(srv, 0);
	if (spec->kind == ORC_LMTP)
		srv_set_lmtp(srv, 1);
	srv_set_delivery(srv, spec->kind == ORC_LMTP ? lmtp_deliver : sink_deliver, st);
	if (srv_listen(srv, spec->host, spec->port, err, errlen) < 0) {
		srv_free(srv);
		return NULL;
	}
	sk = xcalloc(1, sizeof(*sk));
	sk->srv = srv;
	return sk;
}

void
orc_sink_stop(struct orc_sink *sk)
{
	if (!sk)
		return;
	srv_free(sk->srv);
	free(sk);
}
