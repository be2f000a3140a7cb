/*
 * server_int.h - the reference server's insides, shared by its files and by
 * nothing else (server.h is the public API):
 *
 *   server.c       lifecycle: the server, sessions, replies, the one state
 *                  change (srv_sess_enter), timers, shutdown
 *   server_io.c    listeners, attach, reading, writing, splitting the input
 *                  into command lines, STARTTLS's wire side
 *   server_cmd.c   the command table {verb, check, proceed} and the simple
 *                  commands; the core-suite faults that answer in place of a
 *                  handler
 *   server_mail.c  MAIL and RCPT with their ESMTP parameters
 *   server_auth.c  AUTH (RFC 4954)
 *   server_data.c  DATA and BDAT and the readers of message data
 *   server_mem.c   the in-memory transport (srv_attach_mem): a session
 *                  with no descriptor, fed and drained by the caller
 *   server_deliver.c  what a transaction keeps for the delivery callback
 *                  and the message handed over (trace lines, the delivery
 *                  faults); queue ids
 *
 * A check (srv_check_*) sends its own error reply and returns 0; a proceed
 * (srv_proceed_*) does the work.  fault() is the one way to ask whether a
 * named fault (server_faults.h) is on.
 */
#ifndef SMTPH_SERVER_INT_H
#define SMTPH_SERVER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "loop.h"
#include "server.h"
#include "server_faults.h"
#include "syntax.h"

#define LINE_MAX_SMTP	512	/* command line with CRLF, RFC 5321 4.5.3.1.4 */
#define LINE_MAX_SHORT	256	/* the short-line-limit fault */
/* MAIL and RCPT lines grow with their extension parameters (RFC 5321
 * 4.5.3.1.4): AUTH= adds 500 (RFC 4954 3), ORCPT= 500, SMTPUTF8 10. */
#define LINE_MAX_EXT	2048
#define SASL_LINE_MAX	(12288 + 2)	/* RFC 4954 4, with the CRLF */
#define SASL_MAX	1024	/* decoded SASL response */
#define ENVID_MAX	100	/* RFC 3461 4.4 */
#define ORCPT_MAX	500	/* RFC 3461 4.2 */
#define TEXT_LINE_MAX	1000	/* text line with CRLF, RFC 5321 4.5.3.1.6 */
#define RCPT_MAX	1000	/* RFC 5321 4.5.3.1.8 asks for at least 100 */
#define IN_MAX		65536	/* input held per session */
#define OUT_HIGH	65536	/* stop handling input while this much waits */
#define IDLE_MS		300000	/* RFC 5321 4.5.3.2.7 */
#define LINGER_MS	10000	/* a closing session that cannot flush is dropped */
#define CLOSE_WAIT_MS	3000	/* tls-close-wait: the client's close awaited */
#define TIRED_AFTER	3	/* tired-421 / 421-no-close */
#define GREET_DELAY_MS	500	/* delayed-greeting */
#define MAX_SESSIONS_FAULT 4	/* max-sessions: the open sessions it takes */
#define ERROR_LIMIT	3	/* error-limit-421, error-limit-close (RFC 5321 7.8) */
#define FLOOD_LIMIT	10	/* flood-421-talks-on */
#define MESSAGE_LIMIT	5	/* message-limit-close */
#define LONG_LINE_KEEP	16384	/* long-lines: octets of a line kept ... */
#define LONG_LINE_BOUND	(1u << 20)	/* ... and the longest line accepted */
#define RCPT_LIMIT_MODE	100	/* rcpt-limit-100 (RFC 5321 4.5.3.1.8) */

#define GREETING	"220 " SRV_HOSTNAME " ESMTP smtp-harness reference server"
/* RFC 2033 4.1: LMTP greets with 220 too; the text says which it is. */
#define GREETING_LMTP	"220 " SRV_HOSTNAME " LMTP smtp-harness reference server"
#define QUEUE_ID_LEN	16	/* "%08X%05X" and its NUL */
/* Content kept for delivery: the size limit, plus room for the dots the
 * dots-kept fault keeps (at most one per 3-octet line); past it the
 * message is not handed over (it gets 552 anyway, but under
 * size-unlimited). */
#define DLV_KEEP_MAX	(SRV_SIZE_LIMIT / 2 * 3)
#define SHUTTING_DOWN	"421 4.3.2 " SRV_HOSTNAME " Service shutting down"
#define NOT_RECOGNIZED	"500 5.5.2 Error: command not recognized"

enum srv_sess_state {
	S_CONNECTED,	/* greeting sent, no HELO/EHLO yet */
	S_HELO,		/* HELO/EHLO done, no transaction */
	S_MAIL,		/* sender accepted */
	S_RCPT,		/* at least one recipient accepted */
	S_BODY,		/* reading message data after 354 */
	S_CLOSING,	/* flush the replies, then close; input is ignored */
};

/* An AUTH exchange in progress (RFC 4954 4): what the next line is. */
enum sasl_step {
	SASL_NONE,
	SASL_PLAIN,		/* the PLAIN message, after "334 " */
	SASL_LOGIN_USER,	/* LOGIN user name */
	SASL_LOGIN_PASS,	/* LOGIN password */
	SASL_CRAM,		/* CRAM-MD5 "user digest" */
};

enum body_kind { BODY_NONE, BODY_7BIT, BODY_8BITMIME, BODY_BINARYMIME };

/* What MAIL declared and BDAT collected in the current transaction. */
struct txn {
	enum body_kind body;	/* BODY= (RFC 6152, RFC 3030 3) */
	int smtputf8;		/* SMTPUTF8 given (RFC 6531 3.4) */
	int has_size;		/* SIZE= given (RFC 1870) */
	uint64_t size;
	int bdat;		/* a BDAT was accepted (RFC 3030 2: no DATA) */
	uint64_t bdat_size;	/* octets received with BDAT */
	int bdat_bad;		/* NUL, bare CR or bare LF seen in BDAT data */
	unsigned char bdat_prev;	/* last BDAT octet, for bare CR/LF */
	int null_sender;	/* MAIL FROM:<> (null-sender-rcpt-503) */
	int rcpt_refused;	/* a recipient was refused (rcpt-failure-defers) */
};

/* The BDAT chunk being read: exactly `left` more octets, never parsed
 * (RFC 3030 2), also when the BDAT is refused (then `error` is the reply
 * given once they are in). */
struct chunk {
	int active;
	uint64_t left;
	uint64_t size;
	int last;
	int to_eol;		/* bdat-line-mode: then up to the next LF */
	const char *error;
};

/* Where the data reader stands within the current text line. */
enum body_at {
	B_BOL,		/* at the start of a line */
	B_DOT,		/* the line so far is "." */
	B_DOTCR,	/* the line so far is ".\r" */
	B_TEXT,		/* inside a line */
	B_CR,		/* inside a line, just after a CR */
};

/* A message being received: counted and checked, never stored. */
struct body {
	enum body_at at;
	uint64_t size;		/* octets after un-stuffing, line ends included */
	size_t linelen;		/* octets of the current line, without its end */
	int toolong;		/* a line over TEXT_LINE_MAX */
	int bare;		/* a bare CR or LF (RFC 5321 2.3.8) */
	int eight;		/* an octet above 127 (the 8bit-data-rejected fault) */
	/* resent-checked: the start of each header line, and what it saw */
	char head[12];
	int in_text, resent_to, resent_from;
	int has_date, has_from;	/* headers-required: RFC 5322 3.6 */
};

/* The in-memory transport's two directions (server_mem.c).  The handle
 * is the caller's; the session points to it, and it to the session until
 * the session is freed. */
struct srv_mem {
	struct srv_sess *sess;	/* NULL once the session has ended */
	const char *src;	/* during srv_mem_send(): the caller's bytes ... */
	size_t srclen;		/* ... not read yet (read before they are kept) */
	struct buf wire;	/* client bytes kept for the session to read later */
	struct buf *out;	/* the caller's: every byte the server sends */
	int shut;		/* the client closed its side */
};

struct dlv;	/* server_deliver.c */

struct srv_sess {
	struct srv *srv;
	struct srv_sess *prev, *next;
	struct srv_mem *mem;	/* in-memory transport: no descriptors (-1) */
	int in_fd, out_fd;
	int in_sock, out_sock;	/* sockets: send(MSG_NOSIGNAL), drain on close */
	int in_watched;		/* in_fd is registered with the loop */
	enum srv_sess_state state;
	int helo;		/* HELO or EHLO was accepted */
	int ehlo;		/* ... and it was EHLO: extensions are in use */
	int authed;		/* AUTH succeeded (RFC 4954 4) */
	enum sasl_step sasl;
	char sasl_user[256];	/* LOGIN: the user name given */
	size_t sasl_user_len;
	char cram[128];		/* CRAM-MD5: the challenge sent */
	size_t cram_len;
	int line_utf8;		/* the MAIL/RCPT line holds UTF-8 (RFC 6531) */
	int holding;		/* pipelining-holds-replies: replies go to held */
	struct txn txn;
	struct chunk chunk;
	int eof;		/* the client closed its side */
	int hold_open;		/* tls-close-wait: closing, but open until eof */
	int broken;		/* read or write failed: close now */
	int toolong;		/* discarding the rest of an over-long line */
	int drop_input;		/* pipelining-drops-input: a 4xx/5xx went out */
	int close_after;	/* close-on-syntax-error: a 501 went out */
	unsigned ncmd;		/* command lines received */
	unsigned nerr;		/* 4yz/5yz replies sent (error-limit-421) */
	unsigned nerr5;		/* 5yz replies sent (error-limit-close) */
	unsigned nqueued;	/* messages accepted (message-limit-close) */
	int deep_bdat;		/* a BDAT chunk accepted after AUTH (deep-crash) */
	int deep_msg2;		/* a message to 2+ recipients accepted (deep-hang) */
	int flood_told;		/* flood-421-talks-on sent its 421 */
	int bare_seen;		/* a command line held a bare CR/LF */
	size_t long_dropped;	/* long-lines: octets dropped from this line */
	size_t nrcpt;		/* recipients accepted in this transaction */
	int bdat_last;		/* a BDAT LAST ended the last transaction */
	struct body body;
	struct buf in, out, held;
	int64_t last_active;
	int64_t deadline;	/* a closing session is dropped at this time */
	uint64_t timer;
	struct tls_conn *tls;	/* STARTTLS or implicit TLS: wire bytes pass here */
	int tls_up;		/* its handshake completed */
	int tls_required;	/* greeted as SRV_TLS_REQUIRED_CLIENT */
	int auth_required;	/* greeted as SRV_SUBMISSION_CLIENT */
	int no_service;		/* greeted with 554: only QUIT is served (3.1) */
	struct buf tls_hold;	/* replies queued while the handshake runs */
	struct dlv *dlv;	/* kept for delivery: NULL without a callback */
};

struct srv {
	struct loop *loop;
	struct srv_faults faults;
	int *lfd;
	size_t nlfd;
	struct srv_sess *sessions;
	size_t nsess;
	size_t naccepted;	/* sessions started since srv_new() */
	struct hostile *hostile;	/* a hostile fault owns every connection */
	int64_t idle_ms;
	uint32_t boot;		/* queue ids: boot time and a counter */
	uint32_t nmsg;
	struct tls_ctx *tls_ctx;	/* key and certificate made at start */
	int crash_abort;	/* deep-crash abort()s (serve), else closes */
	int tls_failed;		/* the key and certificate could not be made */
	srv_deliver_fn deliver;	/* srv_set_delivery(): NULL keeps nothing */
	void *deliver_arg;
	int trace_off;		/* srv_set_trace(0): content as received */
	int lmtp;		/* srv_set_lmtp(): LHLO, replies per recipient */
};

/* Whether fault f is on for the session's server. */
static inline int
fault(const struct srv_sess *s, enum srv_fault f)
{
	return srv_faults_has(&s->srv->faults, f);
}

/* Whether n octets pass the fixed maximum message size (RFC 1870). */
static inline int
size_fits(const struct srv_sess *s, uint64_t n)
{
	return n <= SRV_SIZE_LIMIT || fault(s, SRV_M_SIZE_UNLIMITED);
}

/* Keep n octets of message content for delivery, if there is a delivery
 * callback (else s->dlv is NULL).  The DATA reader has a copy of its own
 * without any keeping (server_data.c, body_feed()). */
void srv_dlv_keep(struct srv_sess *s, const void *p, size_t n);
static inline void
dlv_keep(struct srv_sess *s, const void *p, size_t n)
{
	if (s->dlv)
		srv_dlv_keep(s, p, n);
}

/* -- server.c -- */

/* The only place that changes s->state; entering S_CONNECTED, S_HELO or
 * S_MAIL forgets the transaction, S_BODY starts a message, S_CLOSING sets
 * the linger deadline. */
void srv_sess_enter(struct srv_sess *s, enum srv_sess_state st);
/* The state a finished or reset transaction returns to. */
enum srv_sess_state srv_sess_idle(const struct srv_sess *s);
/* Queue reply bytes n at p as they are (plaintext, held for a handshake, or
 * into TLS). */
void srv_sess_emit(struct srv_sess *s, const char *p, size_t n);
/* Queue one reply line "DDD text" or "DDD-text" (no line end: added here),
 * with the reply-shaping faults applied. */
void srv_sess_reply(struct srv_sess *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A syntax error reply (reply is "501 ..."): the syntax-500 mode sends it
 * as "500 ...". */
void srv_sess_syntax(struct srv_sess *s, const char *reply);
/* (Re-)arm the session's one timer (idle, or the closing deadline). */
void srv_sess_arm(struct srv_sess *s);
/* Stop handling input; close once the queued replies are written. */
void srv_sess_close(struct srv_sess *s);
/* A new session on the descriptors (owned from now on); tls: implicit TLS.
 * A hostile fault takes the descriptors instead (NULL is returned).  With
 * mem (descriptors -1), the session uses the in-memory transport and is
 * never watched by the loop. */
struct srv_sess *srv_sess_new(struct srv *srv, int in_fd, int out_fd, int tls,
    struct srv_mem *mem);
/* Unlink, close and free s. */
void srv_sess_free(struct srv_sess *s);

/* -- server_io.c -- */

/* Loop callback of a session's descriptors (arg is the session). */
void srv_sess_io(struct loop *loop, int fd, int revents, void *arg);
/* After any event: handle input, write replies, close when done.  May free
 * s. */
void srv_sess_update(struct srv_sess *s);
/* Register interest in what the session can use next. */
void srv_sess_watch(struct srv_sess *s);
/* 1 while the session reads its input: not at EOF, room left, and not
 * closing (but tls-close-wait: held open for the client's close). */
int srv_sess_wants_input(const struct srv_sess *s);
/* One read's worth of client bytes into the session (s->in or its TLS):
 * what a POLLIN does. */
void srv_sess_read(struct srv_sess *s);
/* Read and drop what the client sent after we stopped listening, so that
 * closing a TCP socket does not turn into a reset that loses our replies. */
void srv_sess_drain(struct srv_sess *s);
/* Close every listener of srv. */
void srv_close_listeners(struct srv *srv);

/* -- server_cmd.c -- */

/* One complete command line line[0..len), without its line end. */
void srv_sess_command(struct srv_sess *s, const char *line, size_t len);
/* Whether c has an argument other than trailing blanks (RFC 5321 4.1.1). */
int srv_has_arg(const struct syn_command *c);

/* -- server_mail.c, server_auth.c, server_data.c: the table's rows -- */

int srv_check_mail(struct srv_sess *s, const struct syn_command *c);
void srv_proceed_mail(struct srv_sess *s, const struct syn_command *c);
int srv_check_rcpt(struct srv_sess *s, const struct syn_command *c);
void srv_proceed_rcpt(struct srv_sess *s, const struct syn_command *c);
int srv_check_auth(struct srv_sess *s, const struct syn_command *c);
void srv_proceed_auth(struct srv_sess *s, const struct syn_command *c);
int srv_check_data(struct srv_sess *s, const struct syn_command *c);
void srv_proceed_data(struct srv_sess *s, const struct syn_command *c);
void srv_proceed_bdat(struct srv_sess *s, const struct syn_command *c);
/* Refuse a BDAT with err (a policy gate) after reading its chunk (RFC 3030
 * 2); a BDAT whose size cannot be read is refused at once. */
void srv_bdat_refused(struct srv_sess *s, const struct syn_command *c, const char *err);

/* A line of an AUTH exchange in progress (RFC 4954 4). */
void srv_sess_sasl_line(struct srv_sess *s, const char *line, size_t len);

/* Feed message data after 354; returns the octets used (all of them, or up
 * to and including the end-of-data line). */
size_t srv_body_feed(struct srv_sess *s, const char *d, size_t n);
/* The same under the size-ends-data fault. */
size_t srv_body_feed_sized(struct srv_sess *s, const char *d, size_t n);
/* Feed BDAT chunk octets; returns how many were used. */
size_t srv_chunk_feed(struct srv_sess *s, const char *d, size_t n);

/* -- server_deliver.c: every srv_dlv_* but srv_dlv_new() is a no-op
 * when s->dlv is NULL -- */

/* Start keeping for delivery on s (srv_set_delivery(), srv_sess_new()). */
void srv_dlv_new(struct srv_sess *s);
/* Forget everything; accepted messages not handed over yet are lost. */
void srv_dlv_free(struct srv_sess *s);
/* The state change st forgets the transaction (S_CONNECTED also the
 * HELO name, S_BODY only the content). */
void srv_dlv_enter(struct srv_sess *s, enum srv_sess_state st);
/* HELO/EHLO/LHLO c was accepted: its argument is the HELO name. */
void srv_dlv_helo(struct srv_sess *s, const struct syn_command *c);
/* MAIL c (parsed into a, its pointers into c->arg) was accepted. */
void srv_dlv_mail(struct srv_sess *s, const struct syn_command *c,
    const struct syn_mail_args *a);
/* RCPT c (parsed into a) was accepted. */
void srv_dlv_rcpt(struct srv_sess *s, const struct syn_command *c,
    const struct syn_mail_args *a);
/* A stuffing dot was removed from a DATA line (RFC 5321 4.5.2). */
void srv_dlv_stuffing(struct srv_sess *s);
/* The message was accepted with queue id id: hand it over (or hold it
 * under completed-lost); the content is forgotten, the envelope stays. */
void srv_dlv_accepted(struct srv_sess *s, const char *id);
/* QUIT: the messages completed-lost held are handed over. */
void srv_dlv_quit(struct srv_sess *s);
/* The connection dropped (EOF or error): aborted-delivered hands over a
 * message cut in the middle of its data. */
void srv_dlv_drop(struct srv_sess *s);
/* The next queue id of srv into id (QUEUE_ID_LEN octets). */
void srv_queue_id(struct srv *srv, char *id);

/* The server's TLS context, made on first use (NULL if it cannot be). */
struct tls_ctx *srv_tls_ctx(struct srv *srv);

#endif
