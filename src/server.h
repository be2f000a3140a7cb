/*
 * server.h - the reference SMTP server: strict RFC 5321 with PIPELINING,
 * SIZE, 8BITMIME, ENHANCEDSTATUSCODES, CHUNKING and BINARYMIME, AUTH (PLAIN,
 * LOGIN, CRAM-MD5), DSN and SMTPUTF8, many sessions on one event loop
 * (docs/server.md).
 * It delivers nowhere and relays nothing: messages are counted and dropped,
 * or handed to the caller's delivery callback (srv_set_delivery).
 *
 * Named faults each switch on one realistic deviation so the suite can prove
 * that every scenario bites (see srv_fault_name()/srv_fault_desc(); their
 * ids and the predicate the server uses are in server_faults.h).
 */
#ifndef SMTPH_SERVER_H
#define SMTPH_SERVER_H

#include <stddef.h>

#include "loop.h"

/* Defaults the suite's variables rely on (docs/scenarios.md). */
#define SRV_HOSTNAME "mx.harness.test"
#define SRV_LOCAL_DOMAIN "example.com"   /* recipients @example.com are accepted */
/* A domain it relays for (Postfix's relay_domains): its recipients are
 * accepted and their messages handed over as a relay passes them on
 * (srv_set_delivery: Received:, no Return-Path:).  The builtin target's
 * oracle_domain. */
#define SRV_RELAY_DOMAIN "relay." SRV_LOCAL_DOMAIN
/* A recipient it refuses (no relaying, RFC 5321 3.6.2); see srv_policy_var() */
#define SRV_REJECTED_RECIPIENT "nobody@relay.invalid"
#define SRV_SIZE_LIMIT 10485760u          /* advertised SIZE */
/* Clients greeting with this HELO/EHLO name must use TLS first (RFC 3207
 * 4: 530 to everything but NOOP, EHLO, HELO, STARTTLS and QUIT), like a
 * Postfix check_helo_access map with reject_plaintext_session.  The engine
 * gives builtin targets tls_required_client with this value. */
#define SRV_TLS_REQUIRED_CLIENT "secure.client.example"
/* Clients greeting with this name must authenticate before MAIL: to them
 * it is a submission server (RFC 4954 6: 530 5.7.0), as a Postfix with
 * per-client restrictions is.  The builtin gives submission_client. */
#define SRV_SUBMISSION_CLIENT "submit.client.example"
/* The one account AUTH accepts (RFC 4954); the suite's auth_user and
 * auth_password default to these against builtin. */
#define SRV_AUTH_USER "harness"
#define SRV_AUTH_PASSWORD "harness-secret"

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

/* The same for implicit TLS (smtps, RFC 8314 3.3): the handshake comes
 * first, then the greeting inside TLS. */
int srv_listen_tls(struct srv *srv, const char *host, const char *port, char *errbuf, size_t errlen);

/* Serve one session on an already connected pair of descriptors (in_fd ==
 * out_fd for a socket; 0 and 1 for `serve --stdio`).  The server owns and
 * closes them.  Returns 0, or -1 with errbuf filled (the descriptors then
 * stay the caller's). */
int srv_attach(struct srv *srv, int in_fd, int out_fd, char *errbuf, size_t errlen);
/* srv_attach() for implicit TLS over the pair (`serve --stdio --tls`). */
int srv_attach_tls(struct srv *srv, int in_fd, int out_fd, char *errbuf, size_t errlen);

/*
 * The in-memory transport: one session with no descriptor and no poll, for
 * fuzz_server (and tests), where a socketpair and a poll round per chunk
 * cost more than the session itself.  The socket path (srv_listen,
 * srv_attach) is the one for real use; both run the same session code.
 *
 * srv_attach_mem(): a new session on srv; every byte the server sends is
 * appended to out (the caller's, to outlive the session), the greeting at
 * once.  NULL with errbuf under a hostile fault (those need descriptors).
 * The handle is the caller's (srv_mem_free()), whether the session is
 * still open or has ended; srv_free() ends the session, not the handle.
 * srv_mem_send(): the client's next len bytes, handled at once (as far as
 * the session reads: what it cannot take yet is kept, as in a socket's
 * buffer).  0, or -1 when the session has ended (the bytes are dropped,
 * as a socket's peer gets EPIPE).
 * srv_mem_shut(): the client closes its side (EOF once the rest is read).
 * srv_mem_closed(): whether the session has ended (the server closed).
 * Timers (idle timeout, delayed greeting) still run on the server's loop.
 */
struct srv_mem;
struct buf;
struct srv_mem *srv_attach_mem(struct srv *srv, struct buf *out, char *errbuf,
    size_t errlen);
int srv_mem_send(struct srv_mem *m, const void *data, size_t len);
void srv_mem_shut(struct srv_mem *m);
int srv_mem_closed(const struct srv_mem *m);
void srv_mem_free(struct srv_mem *m);

/* Idle timeout of every session in milliseconds, applied from the next
 * input or output (default 300 s, RFC 5321 4.5.3.2.7).  On expiry the
 * session gets "421 4.4.2 ... timeout exceeded" and is closed. */
void srv_set_idle_timeout(struct srv *srv, int ms);

/* What the deep-crash fault does: abort() the process (on: `serve`, whose
 * process a crash takes down as a real server's would), or close the
 * session without a reply (off, the default: the builtin target, which
 * shares the harness's process). */
void srv_set_crash_abort(struct srv *srv, int on);

/*
 * Delivery (issue 15, the delivery oracle).  By default the server counts
 * accepted messages and drops them.  With a delivery callback it keeps
 * each transaction's envelope and content and hands every accepted message
 * to fn once its 250 is queued (DATA's end, BDAT LAST), as it would deliver
 * it: a Received: trace line prepended (RFC 5321 4.4) and, for its own
 * domain (final delivery), a Return-Path: above it; dots un-stuffed (4.5.2);
 * line ends as received.  The delivery faults (server_faults.h, "delivery" group) change
 * what is handed over, not the replies.  Everything m points to is the
 * server's and lives only during the call: the callee copies.
 */
struct srv_message {
	const char *helo;		/* the HELO/EHLO/LHLO argument */
	const char *mail_from;		/* reverse-path without <>: "" for <> */
	const char *mail_params;	/* MAIL's ESMTP parameters as given, or "" */
	size_t nrcpt;
	const char *const *rcpt;	/* forward-paths without <>, as delivered */
	const char *const *rcpt_params;	/* each RCPT's parameters, or "" */
	const char *data;		/* the content as delivered */
	size_t len;
};
typedef void (*srv_deliver_fn)(void *arg, const struct srv_message *m);
/* Set (fn != NULL) or clear the delivery callback; arg is passed back.
 * fn is called from the server's event handling: when a message's 250 is
 * queued; under the completed-lost fault at QUIT instead; under
 * aborted-delivered also when a connection drops in the middle of a
 * message's data (the part received).  A refused message is never handed
 * over, and RSET, MAIL, HELO/EHLO/LHLO, STARTTLS or a dropped connection
 * forget what the transaction kept.  What is kept is bounded by the size
 * limit (a message accepted past 1.5 times SRV_SIZE_LIMIT, which only the
 * size-unlimited mode does, is not handed over).  The Received: line's
 * "from" names the client's address literal for an IP connection and
 * [127.0.0.1] for a local one (a pipe, a UNIX socket, srv_attach_mem());
 * its "with" is ESMTP/ESMTPS/ESMTPA/ESMTPSA, SMTP after HELO, or LMTP and
 * its S/A forms (RFC 3848); "id" is the id of the 250. */
void srv_set_delivery(struct srv *srv, srv_deliver_fn fn, void *arg);

/* Trace lines on (the default) or off.  Off: the content is handed over
 * exactly as received (dots un-stuffed for DATA), without the Received:
 * and Return-Path: lines: what a sink that the server under test relays
 * to must see. */
void srv_set_trace(struct srv *srv, int on);

/* LMTP (RFC 2033) instead of SMTP on every session of srv: LHLO in place of
 * EHLO (the same extensions; EHLO and HELO get "500 5.5.1"), the greeting
 * says LMTP, and after the end of data (and after BDAT LAST) one reply per
 * accepted recipient, in RCPT order: the 250 with the queue id, or the
 * message's refusal, for each.  The harness's --oracle lmtp: sink. */
void srv_set_lmtp(struct srv *srv, int on);

/* Sessions currently open. */
size_t srv_active_sessions(const struct srv *srv);

/* Start a graceful shutdown: every open session gets "421 ... shutting down"
 * and is closed; listeners are closed (RFC 5321 3.8). */
void srv_shutdown(struct srv *srv);

/* The fault table, for `serve --list-faults` (server_faults.c).
 * srv_fault_count(): how many faults there are.
 * srv_fault_name(i), srv_fault_desc(i): the name and one-line description
 * of fault i in [0, srv_fault_count()), static strings; NULL out of range. */
size_t srv_fault_count(void);
const char *srv_fault_name(size_t i);
const char *srv_fault_desc(size_t i);

/* Benign modes share the fault table: legal liberties the RFCs allow (HELP
 * unknown, 421 after a few errors, a sink accepting every recipient, ...),
 * on which every scenario must pass.  Their descriptions start with
 * SRV_BENIGN_MARK, so `serve --list-faults` shows them; the catalogue's
 * lenient deviations (forbidden, but common and only warned about) start
 * with SRV_LENIENT_MARK.  srv_fault_benign(i), srv_fault_lenient(i): whether
 * entry i is one. */
#define SRV_BENIGN_MARK "(benign) "
#define SRV_LENIENT_MARK "(lenient) "
int srv_fault_benign(size_t i);
int srv_fault_lenient(size_t i);

/* The value of the policy variable `name` that the reference server with
 * the comma-separated faults and modes states (docs/server.md), or NULL
 * when it states none: "rejected_recipient" (a recipient it refuses; none
 * under accept-all-recipients), "role_mx" ("yes", none under
 * accept-all-recipients or auth-required), "auth_required" and
 * "role_submission" ("yes" under auth-required).  For the builtin target's variables. */
const char *srv_policy_var(const char *faults, const char *name);

/* The id (an enum srv_fault of server_faults.h) of the fault named
 * name[0..len) (exact, case-sensitive), or -1 when there is none. */
int srv_fault_lookup(const char *name, size_t len);

#endif
