/*
 * oracle.h - the delivery oracle (issue 15): what the server under test
 * delivered.  A store of delivered messages, filled by one source:
 *
 *   builtin       the reference server's delivery callback (builtin targets)
 *   sink, lmtp    an SMTP or LMTP listener the harness runs on its loop, that
 *                 the server under test relays to (oracle_sink.c)
 *   maildir, mbox what the server delivered locally (oracle_mailbox.c)
 *
 * Each scenario session has a unique token (the variable ${token}) that its
 * messages carry in an address or in the content; the `delivered` step asks
 * the store for the messages carrying its token (docs/scenarios.md).
 */
#ifndef SMTPH_ORACLE_H
#define SMTPH_ORACLE_H

#include <stddef.h>

#include "loop.h"

/* One delivered message.  Every string is owned by the message; NULL
 * where the source cannot know (a maildir without Return-Path:). */
struct orc_msg {
	char *mail_from;	/* reverse-path without <> ("" for <>) */
	char *mail_params;	/* MAIL's parameters as received ("" none) */
	size_t nrcpt;
	char **rcpt;		/* forward-paths without <> */
	char **rcpt_params;	/* per recipient ("" none); NULL when unknown */
	char *data;		/* header section and body, CRLF line ends */
	size_t len;
	char *source;		/* where it was seen: "sink", a file name, ... */
	long long seq;		/* arrival order in the store, from 1 */
};

/* The messages seen so far, in arrival order; they live as long as it. */
struct orc_store;

struct orc_store *orc_store_new(void);
void orc_store_free(struct orc_store *st);
/* Add a deep copy of m (seq is assigned).  0, or -1 out of memory. */
int orc_store_add(struct orc_store *st, const struct orc_msg *m);
/* How many messages the store holds. */
size_t orc_store_count(const struct orc_store *st);
/* The messages carrying token (a case-sensitive substring of the reverse
 * path, a forward path or the content), oldest first: up to max pointers
 * into out (owned by the store), their total count returned. */
size_t orc_store_find(const struct orc_store *st, const char *token,
    const struct orc_msg **out, size_t max);
/* Free what m owns (not m itself): for sources building one on the stack. */
void orc_msg_clear(struct orc_msg *m);

/* The oracle a run was given (--oracle), parsed. */
enum orc_kind {
	ORC_NONE,
	ORC_BUILTIN,	/* the builtin target's own (no --oracle needed) */
	ORC_SINK,	/* sink:HOST:PORT, SMTP */
	ORC_LMTP,	/* lmtp:HOST:PORT */
	ORC_MAILDIR,	/* maildir:DIR */
	ORC_MBOX,	/* mbox:FILE */
};

struct orc_spec {
	enum orc_kind kind;
	char host[256];		/* sink, lmtp: loopback only */
	char port[16];
	char path[4096];	/* maildir, mbox */
};

/* Parse an --oracle value into *out: 0, or -1 with err filled ("expected
 * sink:HOST:PORT, lmtp:HOST:PORT, maildir:DIR or mbox:FILE", a host that
 * is not loopback, ...). */
int orc_parse_spec(const char *s, struct orc_spec *out, char *err, size_t errlen);
/* Whether the oracle sees final deliveries (builtin, maildir, mbox: the
 * Return-Path: is there), and whether it sees what the target relays to a
 * next hop (sink, lmtp; builtin for its relay domain). */
int orc_kind_final(enum orc_kind k);
int orc_kind_relay(enum orc_kind k);
/* "builtin", "sink", "lmtp", "maildir", "mbox" or "none". */
const char *orc_kind_name(enum orc_kind k);

/* A run's oracle: its store and its source.  orc_open(): ORC_BUILTIN makes
 * the store only (the builtin target fills it: builtin.h bi_deliver_to);
 * sink and lmtp start the listener on loop; maildir and mbox open the
 * mailbox.  NULL with err filled.  orc_refresh() reads what a mailbox got
 * since the last call (nothing to do for the others): 0, or -1 with err. */
struct oracle;
struct oracle *orc_open(struct loop *loop, const struct orc_spec *spec, char *err,
    size_t errlen);
enum orc_kind orc_kind(const struct oracle *o);
struct orc_store *orc_store(struct oracle *o);
int orc_refresh(struct oracle *o, char *err, size_t errlen);
void orc_close(struct oracle *o);

/*
 * The sources.  Each fills a store the caller owns, which must outlive it.
 *
 * orc_sink_start(): an SMTP (ORC_SINK) or LMTP (ORC_LMTP) listener on
 * spec's loopback host and port, run on loop: the reference server in a
 * receiving role (every recipient taken, no TLS or AUTH demanded), every
 * message it accepts added to st as received (no trace line of its own).
 * NULL with err filled when it cannot listen.
 *
 * orc_mailbox_open(): the maildir DIR (its new/ and cur/) or mbox FILE of
 * spec; what is there now is remembered and never read.  orc_mailbox_scan()
 * adds what was delivered since (a maildir file once, an mbox from where the
 * last scan ended) to st, line ends made CRLF, the envelope taken from
 * Return-Path: and Delivered-To:/X-Original-To: where present: the count
 * added, or -1 with err filled (the file vanished, unreadable).
 */
struct orc_sink;
struct orc_sink *orc_sink_start(struct loop *loop, const struct orc_spec *spec,
    struct orc_store *st, char *err, size_t errlen);
void orc_sink_stop(struct orc_sink *sk);

struct orc_mailbox;
struct orc_mailbox *orc_mailbox_open(const struct orc_spec *spec, char *err,
    size_t errlen);
int orc_mailbox_scan(struct orc_mailbox *mb, struct orc_store *st, char *err,
    size_t errlen);
void orc_mailbox_close(struct orc_mailbox *mb);

#endif
