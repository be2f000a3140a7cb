/*
 * server.h - the reference SMTP server: strict RFC 5321 with PIPELINING,
 * SIZE, 8BITMIME, ENHANCEDSTATUSCODES, CHUNKING and BINARYMIME, AUTH (PLAIN,
 * LOGIN, CRAM-MD5), DSN and SMTPUTF8, many sessions on one event loop
 * (docs/server.md).
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
/* Clients greeting with this HELO/EHLO name must use TLS first (RFC 3207
 * 4: 530 to everything but NOOP, EHLO, HELO, STARTTLS and QUIT), like a
 * Postfix check_helo_access map with reject_plaintext_session.  The engine
 * gives builtin targets tls_required_client with this value. */
#define SRV_TLS_REQUIRED_CLIENT "secure.client.example"
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
	SRV_F_HELP_BARE_LF,
	SRV_F_REPLY_ECHOES_CONTROL,
	SRV_F_REPLY_OVER_512,
	SRV_F_LITERALS_REJECTED,
	SRV_F_EHLO_ANY_NAME,
	SRV_F_ERROR_RESETS_TRANSACTION,
	SRV_F_SOURCE_ROUTE_REJECTED,
	SRV_F_QUOTED_LOCAL_REJECTED,
	SRV_F_LAX_OCTETS,
	SRV_F_TRAILING_SPACE_REJECTED,
	SRV_F_CLOSE_ON_SYNTAX_ERROR,
	SRV_F_CASE_SENSITIVE_KEYWORDS,
	SRV_F_OBSOLETE_VERBS_250,
	SRV_F_NO_ARG_CHECK,
	SRV_F_BARE_CR_COMMANDS,
	SRV_F_TRANSACTION_PERSISTS,
	SRV_F_OPEN_RELAY,
	SRV_F_RCPT_LIMIT_50,
	SRV_F_POSTMASTER_CASE_SENSITIVE,
	SRV_F_POSTMASTER_UNKNOWN,
	SRV_F_VRFY_EXPN_FAKE_250,
	SRV_F_ADDRESS_LENGTH_LIMITS,
	SRV_F_DOTDOT_ENDS_DATA,
	SRV_F_TEXT_LINE_OFF_BY_TWO,
	SRV_F_LONG_TEXT_LINE_CLOSE,
	SRV_F_MESSAGE_LIMIT_32K,
	SRV_F_ANY_NEWLINE_DATA,
	SRV_F_NUL_STRIPPED,
	SRV_F_EOD_SPLIT_LOST,
	SRV_F_RESENT_CHECKED,
	SRV_F_BARE_CODES,
	SRV_F_BARE_NEWLINE_REJECTED,
	/* -- end of core suite faults -- */

	/* -- extension faults (scenarios/extensions) -- */
	SRV_F_EHLO_EXTENSION_PARAMS,
	SRV_F_NO_8BITMIME,
	SRV_F_SIZE_KEYWORD_UNIT,
	SRV_F_SIZE_ENDS_DATA,
	SRV_F_SIZE_MUST_MATCH,
	SRV_F_SIZE_LENIENT_PARSE,
	SRV_F_PIPELINING_HOLDS_REPLIES,
	SRV_F_DATA_END_DROPS_INPUT,
	SRV_F_BODY_PARAM_REJECTED,
	SRV_F_BODY_UNCHECKED,
	SRV_F_8BIT_DATA_REJECTED,
	SRV_F_UNKNOWN_PARAM_IGNORED,
	SRV_F_ENHANCED_CLASS_MISMATCH,
	SRV_F_ENHANCED_FIRST_LINE_ONLY,
	SRV_F_ENHANCED_EHLO_ONLY,
	SRV_F_ENHANCED_CODE_PADDED,
	SRV_F_BDAT_LINE_MODE,
	SRV_F_BDAT_AFTER_LAST_OK,
	SRV_F_BDAT_DATA_MIX_OK,
	SRV_F_BDAT_RSET_KEEPS_CHUNKS,
	SRV_F_BDAT_ERROR_NO_DISCARD,
	SRV_F_BDAT_LENIENT_SYNTAX,
	SRV_F_BINARYMIME_DATA_OK,
	SRV_F_BDAT_BINARY_REJECTED,
	SRV_F_BINARYMIME_WITHOUT_CHUNKING,
	SRV_F_AUTH_KEYWORD_EMPTY,
	SRV_F_AUTH_UNKNOWN_MECH_501,
	SRV_F_AUTH_IN_TRANSACTION_OK,
	SRV_F_AUTH_CANCEL_535,
	SRV_F_AUTH_BASE64_LENIENT,
	SRV_F_AUTH_CHALLENGE_TEXT,
	SRV_F_AUTH_CRAM_IGNORES_IR,
	SRV_F_AUTH_LONG_LINE_CLOSE,
	SRV_F_AUTH_ACCEPT_ANY,
	SRV_F_AUTH_SUCCESS_250,
	SRV_F_AUTH_REAUTH_OK,
	SRV_F_AUTH_PARAM_REJECTED,
	SRV_F_SMTPUTF8_PARAM_REJECTED,
	SRV_F_SMTPUTF8_VALUE_OK,
	SRV_F_UTF8_WITHOUT_SMTPUTF8,
	SRV_F_DSN_PARAMS_REJECTED,
	SRV_F_DSN_UNCHECKED,
	SRV_F_DSN_CASE_SENSITIVE,
	SRV_F_DSN_SHORT_BUFFERS,
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

	/* -- TLS faults -- */
	SRV_F_TLS_INJECTION,
	SRV_F_TLS_KEEPS_STATE,
	SRV_F_TLS_STARTTLS_AGAIN,
	SRV_F_TLS_SECOND_STARTTLS,
	SRV_F_TLS_PARAMS_OK,
	SRV_F_TLS_UNIMPLEMENTED,
	SRV_F_TLS_HANDSHAKE_GARBAGE,
	SRV_F_TLS_HANDSHAKE_DROP,
	SRV_F_TLS_REQUIRED_IGNORED,
	SRV_F_TLS_REQUIRED_ALL,
	SRV_F_TLS_AUTH_PLAINTEXT,
	/* -- end of TLS faults -- */
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
