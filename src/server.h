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
 * closes them.  Returns 0, or -1 with errbuf filled (the descriptors then
 * stay the caller's). */
int srv_attach(struct srv *srv, int in_fd, int out_fd, char *errbuf, size_t errlen);

/* Idle timeout of every session in milliseconds, applied from the next
 * input or output (default 300 s, RFC 5321 4.5.3.2.7).  On expiry the
 * session gets "421 4.4.2 ... timeout exceeded" and is closed. */
void srv_set_idle_timeout(struct srv *srv, int ms);

/* Sessions currently open. */
size_t srv_active_sessions(const struct srv *srv);

/* Start a graceful shutdown: every open session gets "421 ... shutting down"
 * and is closed; listeners are closed (RFC 5321 3.8). */
void srv_shutdown(struct srv *srv);

/* The fault ids, in the order of the fault table (srv_fault_name(id)). */
enum srv_fault {
	SRV_F_CLOSE_ON_INVALID,
	SRV_F_ACCEPT_UNKNOWN,
	SRV_F_INVALID_421,
	SRV_F_QUIT_250,
	SRV_F_QUIT_NO_CLOSE,
	SRV_F_GREETING_421,
	SRV_F_SILENT,
	SRV_F_TIRED_421,
	SRV_F_421_NO_CLOSE,
	SRV_F_BARE_LF_REPLIES,
	SRV_F_MIXED_CODE_MULTILINE,
	SRV_F_CODE_OUT_OF_RANGE,
	SRV_F_UNSOLICITED_REPLY,
	SRV_F_NO_EHLO,
	SRV_F_HELO_MULTILINE,
	SRV_F_EHLO_NO_ARG_OK,
	SRV_F_CASE_SENSITIVE_VERBS,
	SRV_F_NOOP_ARG_501,
	SRV_F_RSET_ARG_OK,
	SRV_F_RSET_KEEPS_TRANSACTION,
	SRV_F_EHLO_KEEPS_TRANSACTION,
	SRV_F_RCPT_WITHOUT_MAIL,
	SRV_F_DATA_WITHOUT_RCPT,
	SRV_F_VRFY_UNRECOGNIZED,
	SRV_F_POSTMASTER_REJECTED,
	SRV_F_NULL_SENDER_REJECTED,
	SRV_F_LONG_LINE_CLOSE,
	SRV_F_SHORT_LINE_LIMIT,
	SRV_F_LF_DOT_LF,
	SRV_F_BARE_LF_COMMANDS,
	SRV_F_NO_ENHANCED_CODES,
	SRV_F_SIZE_IGNORED,
	SRV_F_PIPELINING_DROPS_INPUT,
	SRV_F_DATA_250_NOT_354,
	SRV_F_NESTED_MAIL_OK,
	SRV_F_MAIL_BEFORE_HELO,
	SRV_F_EHLO_AUTH_EQUALS,
	SRV_F_GREETING_NO_DOMAIN,
	SRV_F_QUIT_NEEDS_HELO,
	SRV_F_SIZE_PARAM_REJECTED,
	/* -- core suite faults (scenarios/rfc5321, scenarios/security) -- */
	/* -- end of core suite faults -- */

	/* -- extension faults (scenarios/extensions) -- */
	/* -- end of extension faults -- */

	/* -- hostile faults (server_hostile.c) -- */
	SRV_F_SLOW_GREETING,
	SRV_F_ENDLESS_LINE,
	SRV_F_BINARY_REPLY,
	SRV_F_RESET_AFTER_GREETING,
	SRV_F_ENDLESS_MULTILINE,
	SRV_F_RANDOM_BYTES,
	SRV_F_CLOSE_ON_CONNECT,
	SRV_F_DELAYED_GREETING,
	/* -- end of hostile faults -- */
	SRV_F_COUNT
};

/* The fault table, for `serve --list-faults`: i in [0, srv_fault_count()).
 * Out-of-range i gives NULL. */
size_t srv_fault_count(void);
const char *srv_fault_name(size_t i);
const char *srv_fault_desc(size_t i);

/* The id of the fault named name[0..len) (exact, case-sensitive), or -1. */
int srv_fault_lookup(const char *name, size_t len);

#endif
