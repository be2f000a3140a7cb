/*
 * server.c - the reference SMTP server.
 *
 * Strict RFC 5321 with PIPELINING (RFC 2920), SIZE (RFC 1870), 8BITMIME
 * (RFC 6152), ENHANCEDSTATUSCODES (RFC 2034), CHUNKING and BINARYMIME
 * (RFC 3030), AUTH (RFC 4954), DSN (RFC 3461), SMTPUTF8 (RFC 6531) and
 * STARTTLS (RFC 3207; implicit TLS too, through tls.h).  It
 * delivers nowhere: message data is counted and checked as it streams past,
 * never stored.  docs/server.md says what it implements and its limits.
 *
 * Each session reads into a bounded input buffer and handles complete lines
 * strictly in order; replies go to an output buffer written when the peer
 * can take it.  Commands are dispatched through one table (cmds[]), and
 * srv_sess_enter() is the only place that changes a session's state.  The named
 * faults (server_faults.c) are small checks on the normal paths.
 *
 * TLS sits on the I/O path only: wire bytes read go through the session's
 * tls_conn before reaching s->in, and replies through srv_sess_emit() into it.
 */
#include "server.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "sasl.h"
#include "server_hostile.h"
#include "syntax.h"
#include "tls.h"
#include "util.h"

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
#define TIRED_AFTER	3	/* tired-421 / 421-no-close */
#define GREET_DELAY_MS	500	/* delayed-greeting */

#define GREETING	"220 " SRV_HOSTNAME " ESMTP smtp-harness reference server"
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
};

struct srv_sess {
	struct srv *srv;
	struct srv_sess *prev, *next;
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
	int broken;		/* read or write failed: close now */
	int toolong;		/* discarding the rest of an over-long line */
	int drop_input;		/* pipelining-drops-input: a 4xx/5xx went out */
	int close_after;	/* close-on-syntax-error: a 501 went out */
	unsigned ncmd;		/* command lines received */
	size_t nrcpt;		/* recipients accepted in this transaction */
	struct body body;
	struct buf in, out, held;
	int64_t last_active;
	int64_t deadline;	/* a closing session is dropped at this time */
	uint64_t timer;
	struct tls_conn *tls;	/* STARTTLS or implicit TLS: wire bytes pass here */
	int tls_up;		/* its handshake completed */
	int tls_required;	/* greeted as SRV_TLS_REQUIRED_CLIENT */
	struct buf tls_hold;	/* replies queued while the handshake runs */
};

struct srv {
	struct loop *loop;
	unsigned char fault[SRV_F_COUNT];
	int *lfd;
	size_t nlfd;
	struct srv_sess *sessions;
	size_t nsess;
	struct hostile *hostile;	/* a hostile fault owns every connection */
	int64_t idle_ms;
	uint32_t boot;		/* queue ids: boot time and a counter */
	uint32_t nmsg;
	struct tls_ctx *tls_ctx;	/* key and certificate made at start */
};

struct cmd {
	enum syn_verb verb;
	void (*handler)(struct srv_sess *, const struct syn_command *);
};

static void srv_sess_update(struct srv_sess *);
static void srv_sess_io(struct loop *, int, int, void *);
static void srv_sess_close(struct srv_sess *);

static int
fault(const struct srv_sess *s, enum srv_fault f)
{
	return s->srv->fault[f];
}

/* The only place that changes s->state.  Starting a transaction or going
 * back to the idle states forgets the previous transaction. */
static void
srv_sess_enter(struct srv_sess *s, enum srv_sess_state st)
{
	switch (st) {
	case S_CONNECTED:
	case S_HELO:
	case S_MAIL: {
		int keep = fault(s, SRV_F_BDAT_RSET_KEEPS_CHUNKS) && s->txn.bdat;

		s->nrcpt = 0;
		memset(&s->txn, 0, sizeof(s->txn));
		s->txn.bdat = keep;
		break;
	}
	case S_BODY:
		memset(&s->body, 0, sizeof(s->body));
		s->body.at = B_BOL;
		break;
	case S_RCPT:
		break;
	case S_CLOSING:
		s->deadline = util_now_ms() + LINGER_MS;
		break;
	}
	s->state = st;
}

/* The state a finished or reset transaction returns to. */
static enum srv_sess_state
srv_sess_idle(const struct srv_sess *s)
{
	return s->helo ? S_HELO : S_CONNECTED;
}

/* Length of an enhanced status code "c.sss.ddd " at p (RFC 3463), or 0. */
static size_t
enhanced_len(const char *p)
{
	size_t i = 0, n;

	if (p[i] < '2' || p[i] > '5' || p[i + 1] != '.')
		return 0;
	i += 2;
	for (n = 0; p[i] >= '0' && p[i] <= '9'; i++)
		n++;
	if (n < 1 || n > 3 || p[i] != '.')
		return 0;
	i++;
	for (n = 0; p[i] >= '0' && p[i] <= '9'; i++)
		n++;
	if (n < 1 || n > 3 || p[i] != ' ')
		return 0;
	return i + 1;
}

/* Reply bytes: plaintext, held back while a handshake runs, or encrypted
 * inside TLS. */
static void
srv_sess_emit(struct srv_sess *s, const char *p, size_t n)
{
	if (!s->tls)
		buf_append(&s->out, p, n);
	else if (!s->tls_up)
		buf_append(&s->tls_hold, p, n);
	else if (tls_send(s->tls, p, n, &s->out) != 0)
		s->broken = 1;
}

/* Queue one reply line "DDD text" or "DDD-text" (without line end). */
static void __attribute__((format(printf, 2, 3)))
srv_sess_reply(struct srv_sess *s, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	size_t n, e, skip = 0;
	struct buf *o, r;

	if (fault(s, SRV_F_SILENT))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	/* RFC 5321 4.5.3.1.5: a reply line is at most 512 octets with its
	 * CRLF; longer text (an echoed EHLO name) is cut. */
	if (n > LINE_MAX_SMTP - 2 && !fault(s, SRV_F_REPLY_OVER_512))
		n = LINE_MAX_SMTP - 2;
	if ((fault(s, SRV_F_NO_ENHANCED_CODES) ||
	    (fault(s, SRV_F_ENHANCED_EHLO_ONLY) && !s->ehlo)) && n > 4)
		skip = enhanced_len(line + 4);
	if (fault(s, SRV_F_ERROR_RESETS_TRANSACTION) && line[0] == '5' &&
	    (s->state == S_MAIL || s->state == S_RCPT))
		srv_sess_enter(s, srv_sess_idle(s));
	if (fault(s, SRV_F_CLOSE_ON_SYNTAX_ERROR) && strncmp(line, "501", 3) == 0)
		s->close_after = 1;
	if (fault(s, SRV_F_PIPELINING_DROPS_INPUT) &&
	    (line[0] == '4' || line[0] == '5'))
		s->drop_input = 1;
	if (fault(s, SRV_F_BARE_CODES) && strcmp(line, "250 2.0.0 Ok") == 0)
		n = 3;	/* "250" alone: no separator, no text */
	o = s->holding ? &s->held : &s->out;
	buf_init(&r);
	buf_append(&r, line, n < 4 ? n : 4);
	e = n > 4 ? enhanced_len(line + 4) : 0;
	if (skip == 0 && e > 0 && fault(s, SRV_F_ENHANCED_CODE_PADDED) &&
	    line[4 + e - 3] == '.') {
		/* "2.1.5 " becomes "2.1.05 ". */
		buf_append(&r, line + 4, e - 2);
		buf_puts(&r, "0");
		skip = e - 2;
	}
	if (n > 4)
		buf_append(&r, line + 4 + skip, n - 4 - skip);
	buf_puts(&r, fault(s, SRV_F_BARE_LF_REPLIES) ? "\n" : "\r\n");
	if (o == &s->held)
		buf_append(o, r.data, r.len);
	else
		srv_sess_emit(s, r.data, r.len);
	buf_free(&r);
}

static void srv_sess_timeout(struct loop *, void *);

/* (Re-)arm the session's one timer: the idle timeout, or for a closing
 * session the moment it is dropped even if its replies are not out. */
static void
srv_sess_arm(struct srv_sess *s)
{
	int64_t due = s->state == S_CLOSING ? s->deadline :
	    s->last_active + s->srv->idle_ms;

	loop_timer_cancel(s->srv->loop, s->timer);
	s->timer = loop_timer(s->srv->loop, due, srv_sess_timeout, s);
}

/* Stop handling input; close once the queued replies are written. */
static void
srv_sess_close(struct srv_sess *s)
{
	srv_sess_enter(s, S_CLOSING);
	srv_sess_arm(s);
}

/* Every "command not recognized" goes through here: the faults about
 * unknown commands live in one place. */
static void
srv_sess_unknown(struct srv_sess *s)
{
	if (fault(s, SRV_F_ACCEPT_UNKNOWN)) {
		srv_sess_reply(s, "250 2.0.0 Ok");
		return;
	}
	if (fault(s, SRV_F_INVALID_421)) {
		srv_sess_reply(s, "421 4.7.0 %s Error: too many errors",
		    SRV_HOSTNAME);
		srv_sess_close(s);
		return;
	}
	if (fault(s, SRV_F_CODE_OUT_OF_RANGE))
		srv_sess_reply(s, "599 5.5.2 Error: command not recognized");
	else
		srv_sess_reply(s, NOT_RECOGNIZED);
	if (fault(s, SRV_F_CLOSE_ON_INVALID))
		srv_sess_close(s);
}

/* Whether a command has an argument.  Trailing blanks are not one: RFC
 * 5321 4.1.1 asks receivers to tolerate trailing white space. */
static int
has_arg(const struct syn_command *c)
{
	size_t i;

	for (i = 0; i < c->arg_len; i++)
		if (c->arg[i] != ' ')
			return 1;
	return 0;
}

/* The multi-line EHLO reply (RFC 5321 4.1.1.1, 4.2.1). */
static void
reply_ehlo(struct srv_sess *s, const struct syn_command *c)
{
	const char *ext[12];
	size_t i, n = 0, alen = c->arg_len;
	int params = fault(s, SRV_F_EHLO_EXTENSION_PARAMS);

	ext[n++] = "PIPELINING";
	ext[n++] = fault(s, SRV_F_SIZE_KEYWORD_UNIT) ? "SIZE 10MB" :
	    "SIZE 10485760";
	if (!fault(s, SRV_F_NO_8BITMIME))
		ext[n++] = params ? "8BITMIME 8bit" : "8BITMIME";
	ext[n++] = "BINARYMIME";
	if (!fault(s, SRV_F_BINARYMIME_WITHOUT_CHUNKING))
		ext[n++] = "CHUNKING";
	/* A client that must use TLS sees AUTH only inside it, like
	 * Postfix's smtpd_tls_auth_only (RFC 4954 4, RFC 3207 4). */
	if (!s->tls_required || s->tls_up || fault(s, SRV_F_TLS_AUTH_PLAINTEXT))
		ext[n++] = fault(s, SRV_F_AUTH_KEYWORD_EMPTY) ? "AUTH" :
		    "AUTH PLAIN LOGIN CRAM-MD5";
	ext[n++] = params ? "DSN RET" : "DSN";
	ext[n++] = params ? "SMTPUTF8 on" : "SMTPUTF8";
	ext[n++] = "ENHANCEDSTATUSCODES";

	_Static_assert(SRV_SIZE_LIMIT == 10485760u, "SIZE keyword text");
	/* Trailing blanks are tolerated (RFC 5321 4.1.1), not echoed. */
	while (alen > 0 && c->arg[alen - 1] == ' ')
		alen--;
	if (alen > 0)
		srv_sess_reply(s, "250-%s greets %.*s", SRV_HOSTNAME, (int)alen,
		    c->arg);
	else
		srv_sess_reply(s, "250-%s", SRV_HOSTNAME);
	if (fault(s, SRV_F_EHLO_AUTH_EQUALS))
		srv_sess_reply(s, "250-AUTH=LOGIN PLAIN");
	if (s->srv->tls_ctx && (!s->tls || fault(s, SRV_F_TLS_STARTTLS_AGAIN)))
		srv_sess_reply(s, "250-STARTTLS");
	for (i = 0; i < n; i++)
		srv_sess_reply(s, "%d%c%s",
		    i + 1 < n ? 250 : fault(s, SRV_F_MIXED_CODE_MULTILINE) ?
		    251 : 250, i + 1 < n ? '-' : ' ', ext[i]);
}

static void
cmd_helo(struct srv_sess *s, const struct syn_command *c)
{
	int ehlo = c->verb == SYN_EHLO;

	if (ehlo && fault(s, SRV_F_NO_EHLO)) {
		srv_sess_reply(s, NOT_RECOGNIZED);
		return;
	}
	if (!(c->arg_len == 0 && fault(s, SRV_F_EHLO_NO_ARG_OK)) &&
	    (c->arg_len == 0 || (syn_check_ehlo_arg(c->arg, c->arg_len) &&
	    !fault(s, SRV_F_EHLO_ANY_NAME)))) {
		srv_sess_reply(s, "501 5.5.4 Syntax: %s hostname",
		    ehlo ? "EHLO" : "HELO");
		return;
	}
	s->helo = 1;
	s->ehlo = ehlo;
	/* RFC 5321 4.1.4: HELO/EHLO in a transaction acts as RSET. */
	if (s->state < S_MAIL || !fault(s, SRV_F_EHLO_KEEPS_TRANSACTION))
		srv_sess_enter(s, S_HELO);
	if (ehlo || fault(s, SRV_F_HELO_MULTILINE))
		reply_ehlo(s, c);
	else
		srv_sess_reply(s, "250 %s", SRV_HOSTNAME);
}

/* SIZE value: 1*20DIGIT (RFC 1870 4), saturating.  The size-lenient-parse
 * fault reads it like atoi(): leading digits, anything else is 0. */
static int
parse_size(const struct srv_sess *s, const struct syn_param *p, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (fault(s, SRV_F_SIZE_LENIENT_PARSE)) {
		for (i = 0; p->value && i < p->value_len &&
		    p->value[i] >= '0' && p->value[i] <= '9'; i++)
			v = v > UINT64_MAX / 10 - 9 ? UINT64_MAX :
			    v * 10 + (unsigned)(p->value[i] - '0');
		*out = v;
		return 0;
	}
	if (p->value == NULL || p->value_len < 1 || p->value_len > 20)
		return -1;
	for (i = 0; i < p->value_len; i++) {
		unsigned d = (unsigned char)p->value[i] - '0';
		if (d > 9)
			return -1;
		v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Whether arg has a valid "FROM:<path>" prefix: a failed parse is then a
 * bad address or bad parameters, told apart by parsing shorter prefixes. */
static int
mail_path_ok(const char *arg, size_t len)
{
	struct syn_mail_args a;
	size_t i;

	for (i = 6; i < len; i++)
		if (arg[i] == '>' && syn_parse_mail(arg, i + 1, &a) == NULL)
			return 1;
	return 0;
}

/* Length of the well-formed UTF-8 sequence at p[0..n) that encodes a
 * character above U+007F (RFC 3629 4: no overlong forms, no surrogates,
 * nothing above U+10FFFF), or 0. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t k, i;
	unsigned lo = 0x80, hi = 0xbf;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		k = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		k = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		k = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < k || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < k; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return k;
}

/* 1 if s[0..n) is well-formed UTF-8 throughout. */
static int
utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_len((const unsigned char *)s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* Parse a MAIL (rcpt 0) or RCPT (rcpt 1) argument.  RFC 6531 3.3 widens
 * atext, qtextSMTP, sub-domain and esmtp-value by UTF8-non-ascii and
 * nothing else, so each octet of a UTF-8 character is masked with 'x'
 * (offsets stay put) and the RFC 5321 parser judges the shape; the results
 * are then pointed back into the original.  *utf8 says whether the path
 * itself holds UTF-8. */
static const char *
parse_args(const struct srv_sess *s, const struct syn_command *c, int rcpt,
    struct syn_mail_args *a, int *utf8)
{
	char m[LINE_MAX_EXT];
	const char *arg = c->arg, *why, *from, *to;
	size_t i, n = c->arg_len;

	*utf8 = 0;
	if (s->line_utf8 && n <= sizeof(m)) {
		for (i = 0; i < n; i++)
			m[i] = (unsigned char)arg[i] >= 0x80 ? 'x' : arg[i];
		arg = m;
	}
	why = rcpt ? syn_parse_rcpt(arg, n, a) : syn_parse_mail(arg, n, a);
	if (why != NULL) {
		if (!rcpt && n > 6 && util_ieq(arg, 6, "FROM:<") &&
		    !mail_path_ok(arg, n))
			return "501 5.1.7 Bad sender address syntax";
		return rcpt ? "501 5.1.3 Bad recipient address syntax" :
		    "501 5.5.4 Syntax: MAIL FROM:<address>";
	}
#define REBASE(p) ((p) = (p) ? c->arg + ((p) - arg) : NULL)
	REBASE(a->path.local);
	REBASE(a->path.domain);
	for (i = 0; i < a->n_params; i++) {
		REBASE(a->params[i].key);
		REBASE(a->params[i].value);
	}
#undef REBASE
	if (s->line_utf8 && a->path.local != NULL) {
		from = a->path.local;
		to = a->path.domain ? a->path.domain + a->path.domain_len :
		    a->path.local + a->path.local_len;
		for (; from < to; from++)
			if ((unsigned char)*from >= 0x80)
				*utf8 = 1;
	}
	return NULL;
}

/* Compare a parameter value with an upper-case keyword: case-insensitive
 * (RFC 3461 4.1, 4.3), or exact with the dsn-case-sensitive fault. */
static int
dsn_eq(const struct srv_sess *s, const char *v, size_t n, const char *word)
{
	if (fault(s, SRV_F_DSN_CASE_SENSITIVE))
		return n == strlen(word) && memcmp(v, word, n) == 0;
	return util_ieq(v, n, word);
}

/* NOTIFY value (RFC 3461 4.1): "NEVER", or a list of SUCCESS, FAILURE and
 * DELAY; NEVER stands alone. */
static int
notify_ok(const struct srv_sess *s, const char *v, size_t n)
{
	size_t i = 0, j;
	int never = 0, other = 0;

	while (i <= n) {
		for (j = i; j < n && v[j] != ','; j++)
			;
		if (dsn_eq(s, v + i, j - i, "NEVER"))
			never = 1;
		else if (dsn_eq(s, v + i, j - i, "SUCCESS") ||
		    dsn_eq(s, v + i, j - i, "FAILURE") ||
		    dsn_eq(s, v + i, j - i, "DELAY"))
			other = 1;
		else
			return 0;
		i = j + 1;
	}
	return !(never && other);
}

/* ORCPT value (RFC 3461 4.2): addr-type ";" xtext, addr-type an atom. */
static int
orcpt_ok(const char *v, size_t n)
{
	static const char atext[] = "!#$%&'*+-/=?^_`{|}~";
	size_t i;

	for (i = 0; i < n && v[i] != ';'; i++)
		if (!((v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= 'a' &&
		    v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') ||
		    strchr(atext, v[i]) != NULL))
			return 0;
	return i > 0 && i + 1 < n && syn_check_xtext(v + i + 1, n - i - 1) ==
	    NULL;
}

static int
hexval(char c)
{
	return c >= 'A' ? c - 'A' + 10 : c - '0';
}

/* AUTH= value (RFC 4954 5): xtext whose decoded form is "<>" or a
 * mailbox. */
static int
auth_param_ok(const char *v, size_t n)
{
	char d[600];
	size_t i, k = 0;

	if (syn_check_xtext(v, n) != NULL)
		return 0;
	for (i = 0; i < n && k < sizeof(d); i++) {
		if (v[i] == '+') {
			/* syn_check_xtext() saw two upper-case hex digits. */
			d[k++] = (char)(hexval(v[i + 1]) << 4 | hexval(v[i + 2]));
			i += 2;
		} else
			d[k++] = v[i];
	}
	if (i < n)
		return 0;
	return (k == 2 && d[0] == '<' && d[1] == '>') ||
	    syn_check_mailbox(d, k, NULL) == NULL;
}

/* The parameters MAIL and RCPT understand, one bit each for duplicates. */
enum param_key {
	P_SIZE = 1, P_BODY = 2, P_AUTH = 4, P_RET = 8, P_ENVID = 16,
	P_SMTPUTF8 = 32, P_NOTIFY = 64, P_ORCPT = 128,
};

static int
param_key(const struct srv_sess *s, const struct syn_param *p, int rcpt)
{
	static const struct {
		const char *name;
		int key, rcpt;
		enum srv_fault refused;
	} keys[] = {
		{ "SIZE", P_SIZE, 0, SRV_F_SIZE_PARAM_REJECTED },
		{ "BODY", P_BODY, 0, SRV_F_BODY_PARAM_REJECTED },
		{ "AUTH", P_AUTH, 0, SRV_F_AUTH_PARAM_REJECTED },
		{ "RET", P_RET, 0, SRV_F_DSN_PARAMS_REJECTED },
		{ "ENVID", P_ENVID, 0, SRV_F_DSN_PARAMS_REJECTED },
		{ "SMTPUTF8", P_SMTPUTF8, 0, SRV_F_SMTPUTF8_PARAM_REJECTED },
		{ "NOTIFY", P_NOTIFY, 1, SRV_F_DSN_PARAMS_REJECTED },
		{ "ORCPT", P_ORCPT, 1, SRV_F_DSN_PARAMS_REJECTED },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].rcpt == rcpt &&
		    util_ieq(p->key, p->key_len, keys[i].name))
			return fault(s, keys[i].refused) ? 0 : keys[i].key;
	return 0;
}

/* Check one known parameter's value; NULL or the error reply. */
static const char *
param_value(struct srv_sess *s, int key, const struct syn_param *p,
    struct txn *t)
{
	const char *v = p->value;
	size_t n = p->value_len;
	int unchecked = fault(s, SRV_F_DSN_UNCHECKED);

	switch (key) {
	case P_SIZE:
		if (parse_size(s, p, &t->size) == -1)
			return "501 5.5.4 Bad SIZE parameter";
		t->has_size = 1;
		/* RFC 1870 6.1: refuse at once what cannot fit. */
		if (t->size > SRV_SIZE_LIMIT && !fault(s, SRV_F_SIZE_IGNORED))
			return "552 5.3.4 Message size exceeds fixed maximum "
			    "message size";
		return NULL;
	case P_BODY:
		/* RFC 6152 2, RFC 3030 3: the three BODY values. */
		if (v && util_ieq(v, n, "7BIT"))
			t->body = BODY_7BIT;
		else if (v && util_ieq(v, n, "8BITMIME"))
			t->body = BODY_8BITMIME;
		else if (v && util_ieq(v, n, "BINARYMIME"))
			t->body = BODY_BINARYMIME;
		else if (!fault(s, SRV_F_BODY_UNCHECKED))
			return "501 5.5.4 Bad BODY parameter";
		return NULL;
	case P_AUTH:
		return v && auth_param_ok(v, n) ? NULL :
		    "501 5.5.4 Bad AUTH parameter";
	case P_RET:
		return unchecked || (v && (dsn_eq(s, v, n, "FULL") ||
		    dsn_eq(s, v, n, "HDRS"))) ? NULL :
		    "501 5.5.4 Bad RET parameter";
	case P_ENVID:
		return unchecked || (v && syn_check_xtext(v, n) == NULL &&
		    n <= (fault(s, SRV_F_DSN_SHORT_BUFFERS) ? 38 : ENVID_MAX)) ?
		    NULL : "501 5.5.4 Bad ENVID parameter";
	case P_SMTPUTF8:
		/* RFC 6531 3.4: the parameter takes no value. */
		if (v && !fault(s, SRV_F_SMTPUTF8_VALUE_OK))
			return "501 5.5.4 SMTPUTF8 takes no value";
		t->smtputf8 = 1;
		return NULL;
	case P_NOTIFY:
		return unchecked || (v && notify_ok(s, v, n)) ? NULL :
		    "501 5.5.4 Bad NOTIFY parameter";
	case P_ORCPT:
		return unchecked || (v && orcpt_ok(v, n) &&
		    n <= (fault(s, SRV_F_DSN_SHORT_BUFFERS) ? 256 : ORCPT_MAX)) ?
		    NULL : "501 5.5.4 Bad ORCPT parameter";
	}
	return NULL;
}

/* All parameters of a MAIL or RCPT: NULL, or the reply that refuses them.
 * Unknown ones, and any after HELO (nothing was advertised), get 555
 * (RFC 5321 4.1.1.11); repeated ones 501 (RFC 3461 4.5 for DSN's). */
static const char *
check_params(struct srv_sess *s, const struct syn_mail_args *a, int rcpt,
    struct txn *t, char *buf, size_t buflen)
{
	const char *why;
	size_t i;
	int seen = 0, key, again;

	for (i = 0; i < a->n_params; i++) {
		const struct syn_param *p = &a->params[i];

		key = s->ehlo ? param_key(s, p, rcpt) : 0;
		if (key == 0) {
			if (fault(s, SRV_F_UNKNOWN_PARAM_IGNORED))
				continue;
			snprintf(buf, buflen, "555 5.5.4 Unsupported option: "
			    "%.*s", (int)p->key_len, p->key);
			return buf;
		}
		again = (seen & key) != 0;
		seen |= key;
		if (again && !(key == P_SIZE &&
		    fault(s, SRV_F_SIZE_LENIENT_PARSE)) &&
		    !(key == P_BODY && fault(s, SRV_F_BODY_UNCHECKED)) &&
		    !(key >= P_RET && key != P_SMTPUTF8 &&
		    fault(s, SRV_F_DSN_UNCHECKED))) {
			snprintf(buf, buflen, "501 5.5.4 Duplicate %.*s "
			    "parameter", (int)p->key_len, p->key);
			return buf;
		}
		if ((why = param_value(s, key, p, t)) != NULL)
			return why;
	}
	return NULL;
}

static void
cmd_mail(struct srv_sess *s, const struct syn_command *c)
{
	struct syn_mail_args a;
	struct txn t;
	const char *why;
	char buf[160];
	int utf8;

	if (s->state == S_CONNECTED && !fault(s, SRV_F_MAIL_BEFORE_HELO)) {
		srv_sess_reply(s, "503 5.5.1 Error: send HELO/EHLO first");
		return;
	}
	if (s->state >= S_MAIL && !fault(s, SRV_F_NESTED_MAIL_OK)) {
		srv_sess_reply(s, "503 5.5.1 Error: nested MAIL command");
		return;
	}
	if ((why = parse_args(s, c, 0, &a, &utf8)) != NULL) {
		srv_sess_reply(s, "%s", why);
		return;
	}
	if (a.path.is_null && fault(s, SRV_F_NULL_SENDER_REJECTED)) {
		srv_sess_reply(s, "501 5.1.7 Bad sender address syntax");
		return;
	}
	memset(&t, 0, sizeof(t));
	if ((why = check_params(s, &a, 0, &t, buf, sizeof(buf))) != NULL) {
		srv_sess_reply(s, "%s", why);
		return;
	}
	/* RFC 6531 3.5: a UTF-8 sender needs the SMTPUTF8 parameter.  The
	 * RFC names 550 for MAIL; 553 (as Postfix says) is what the core
	 * scenario non-ascii-command accepts too. */
	if (utf8 && !t.smtputf8 && !fault(s, SRV_F_UTF8_WITHOUT_SMTPUTF8)) {
		srv_sess_reply(s, "553 5.6.7 Non-ASCII addresses not permitted "
		    "without SMTPUTF8");
		return;
	}
	srv_sess_enter(s, S_MAIL);
	t.bdat = s->txn.bdat;
	s->txn = t;
	srv_sess_reply(s, "250 2.1.0 Ok");
}

/* An address literal that names this host: [127.0.0.1] or [IPv6:::1] in
 * any of its spellings. */
static int
literal_is_us(const struct syn_path *p)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	const char *d = p->domain;
	size_t n = p->domain_len;
	struct in_addr a4;
	struct in6_addr a6;

	if (n < 2 || d[0] != '[' || d[n - 1] != ']')
		return 0;
	d++;
	n -= 2;
	if (p->domain_kind == SYN_DOMAIN_IPV6) {
		if (n < 5 || !util_ieq(d, 5, "IPv6:"))
			return 0;
		d += 5;
		n -= 5;
	}
	if (n >= sizeof(tmp))
		return 0;
	memcpy(tmp, d, n);
	tmp[n] = '\0';
	if (p->domain_kind == SYN_DOMAIN_IPV4)
		return inet_pton(AF_INET, tmp, &a4) == 1 &&
		    a4.s_addr == htonl(INADDR_LOOPBACK);
	return inet_pton(AF_INET6, tmp, &a6) == 1 &&
	    IN6_IS_ADDR_LOOPBACK(&a6);
}


static void
cmd_rcpt(struct srv_sess *s, const struct syn_command *c)
{
	struct syn_mail_args a;
	struct txn t;
	const char *why;
	char buf[160];
	int local = 0, utf8;

	if (s->state < S_MAIL && !fault(s, SRV_F_RCPT_WITHOUT_MAIL)) {
		srv_sess_reply(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if ((why = parse_args(s, c, 1, &a, &utf8)) != NULL) {
		srv_sess_reply(s, "%s", why);
		return;
	}
	t = s->txn;
	if ((why = check_params(s, &a, 1, &t, buf, sizeof(buf))) != NULL) {
		srv_sess_reply(s, "%s", why);
		return;
	}
	/* RFC 6531 3.5: a UTF-8 recipient only in an SMTPUTF8 transaction. */
	if (utf8 && !s->txn.smtputf8 &&
	    !fault(s, SRV_F_UTF8_WITHOUT_SMTPUTF8)) {
		srv_sess_reply(s, "553 5.6.7 Non-ASCII addresses not permitted "
		    "without SMTPUTF8");
		return;
	}
	if (s->nrcpt >= RCPT_MAX) {
		srv_sess_reply(s, "452 4.5.3 Too many recipients");
		return;
	}
	switch (a.path.domain_kind) {
	case SYN_DOMAIN_NONE:
		/* RFC 5321 4.5.1: <Postmaster> must be accepted. */
		if (a.path.is_postmaster &&
		    fault(s, SRV_F_POSTMASTER_REJECTED)) {
			srv_sess_reply(s, "550 5.1.1 User unknown");
			return;
		}
		local = a.path.is_postmaster;
		break;
	case SYN_DOMAIN_NAME:
		local = util_ieq(a.path.domain, a.path.domain_len,
		    SRV_LOCAL_DOMAIN);
		break;
	case SYN_DOMAIN_IPV4:
	case SYN_DOMAIN_IPV6:
		local = literal_is_us(&a.path);
		break;
	case SYN_DOMAIN_GENERAL:
		break;
	}
	if (!local && !fault(s, SRV_F_OPEN_RELAY)) {
		srv_sess_reply(s, "550 %s Relay access denied",
		    fault(s, SRV_F_ENHANCED_CLASS_MISMATCH) ? "4.7.1" : "5.7.1");
		return;
	}
	if (s->state >= S_MAIL) {
		s->nrcpt++;
		srv_sess_enter(s, S_RCPT);
	}
	srv_sess_reply(s, "250 2.1.5 Ok");
}

static void
cmd_data(struct srv_sess *s, const struct syn_command *c)
{
	if (has_arg(c)) {
		srv_sess_reply(s, "501 5.5.4 Syntax: DATA");
		return;
	}
	if (s->state < S_MAIL) {
		srv_sess_reply(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (s->nrcpt == 0 && !fault(s, SRV_F_DATA_WITHOUT_RCPT)) {
		srv_sess_reply(s, "503 5.5.1 Error: need RCPT command");
		return;
	}
	/* RFC 3030 3: BINARYMIME data only travels with BDAT. */
	if (s->txn.body == BODY_BINARYMIME &&
	    !fault(s, SRV_F_BINARYMIME_DATA_OK)) {
		srv_sess_reply(s, "503 5.5.1 Error: BODY=BINARYMIME requires BDAT");
		return;
	}
	/* RFC 3030 2: DATA and BDAT do not mix in one transaction. */
	if (s->txn.bdat && !fault(s, SRV_F_BDAT_DATA_MIX_OK)) {
		srv_sess_reply(s, "503 5.5.1 Error: DATA after BDAT");
		return;
	}
	if (fault(s, SRV_F_DATA_250_NOT_354)) {
		srv_sess_reply(s, "250 2.0.0 Ok");
		return;
	}
	srv_sess_enter(s, S_BODY);
	srv_sess_reply(s, "354 End data with <CR><LF>.<CR><LF>");
}

/* "BDAT" SP chunk-size [SP "LAST"] (RFC 3030 2); -1 on a syntax error. */
static int
parse_bdat(const struct srv_sess *s, const struct syn_command *c, uint64_t *n,
    int *last)
{
	size_t i = 0, d;
	uint64_t v = 0;

	for (d = 0; i < c->arg_len && c->arg[i] >= '0' && c->arg[i] <= '9';
	    i++, d++)
		v = v > UINT64_MAX / 10 - 9 ? UINT64_MAX :
		    v * 10 + (unsigned)(c->arg[i] - '0');
	if (d == 0 || d > 20)
		return -1;
	*n = v;
	*last = 0;
	if (i == c->arg_len)
		return 0;
	if (fault(s, SRV_F_BDAT_LENIENT_SYNTAX)) {
		*last = c->arg_len - i == 5 && util_ieq(c->arg + i, 5, " LAST");
		return 0;
	}
	if (c->arg_len - i == 5 && util_ieq(c->arg + i, 5, " LAST")) {
		*last = 1;
		return 0;
	}
	return -1;
}

/* A queue id for an accepted message. */
static void
reply_queued(struct srv_sess *s)
{
	s->srv->nmsg++;
	srv_sess_reply(s, "250 2.0.0 Ok: queued as %08X%05X",
	    (unsigned)s->srv->boot, (unsigned)(s->srv->nmsg & 0xfffff));
}

/* The chunk's octets are all in: now the reply. */
static void
chunk_end(struct srv_sess *s)
{
	struct chunk *k = &s->chunk;
	struct txn *t = &s->txn;

	k->active = 0;
	if (k->error) {
		srv_sess_reply(s, "%s", k->error);
		return;
	}
	t->bdat_size = t->bdat_size + k->size < t->bdat_size ? UINT64_MAX :
	    t->bdat_size + k->size;
	/* RFC 3030 2: a failed chunk fails the transaction; RSET follows. */
	if (t->bdat_size > SRV_SIZE_LIMIT) {
		srv_sess_reply(s, "552 5.3.4 Message size exceeds fixed maximum "
		    "message size");
		srv_sess_enter(s, srv_sess_idle(s));
		return;
	}
	if (!k->last) {
		srv_sess_reply(s, "250 2.0.0 Ok: %llu octets received",
		    (unsigned long long)k->size);
		return;
	}
	if (t->bdat_prev == '\r')
		t->bdat_bad = 1;
	if (t->bdat_bad && fault(s, SRV_F_BDAT_BINARY_REJECTED))
		srv_sess_reply(s, "554 5.6.0 Message contains NUL, bare CR or "
		    "bare LF");
	else
		reply_queued(s);
	if (!fault(s, SRV_F_BDAT_AFTER_LAST_OK))
		srv_sess_enter(s, srv_sess_idle(s));
}

/* Feed chunk octets; returns how many were used. */
static size_t
chunk_feed(struct srv_sess *s, const char *d, size_t n)
{
	struct chunk *k = &s->chunk;
	struct txn *t = &s->txn;
	size_t i, use;

	if (k->left == 0) {
		/* bdat-line-mode: the rest of the line goes with it. */
		const char *lf = memchr(d, '\n', n);

		if (lf == NULL)
			return n;
		k->to_eol = 0;
		chunk_end(s);
		return (size_t)(lf - d) + 1;
	}
	use = k->left < n ? (size_t)k->left : n;
	for (i = 0; i < use; i++) {
		unsigned char ch = (unsigned char)d[i];

		if (ch == '\0' || (t->bdat_prev == '\r' && ch != '\n') ||
		    (ch == '\n' && t->bdat_prev != '\r'))
			t->bdat_bad = 1;
		t->bdat_prev = ch;
	}
	k->left -= use;
	if (k->left == 0 && !k->to_eol)
		chunk_end(s);
	return use;
}

static void
cmd_bdat(struct srv_sess *s, const struct syn_command *c)
{
	struct chunk *k = &s->chunk;
	const char *err = NULL;
	uint64_t n;
	int last;

	if (parse_bdat(s, c, &n, &last) == -1) {
		srv_sess_reply(s, "501 5.5.4 Syntax: BDAT chunk-size [LAST]");
		return;
	}
	if (s->state < S_MAIL)
		err = "503 5.5.1 Error: need MAIL command";
	else if (s->nrcpt == 0)
		err = "503 5.5.1 Error: need RCPT command";
	if (err && fault(s, SRV_F_BDAT_ERROR_NO_DISCARD)) {
		srv_sess_reply(s, "%s", err);
		return;
	}
	memset(k, 0, sizeof(*k));
	k->active = 1;
	k->left = k->size = n;
	k->last = last;
	k->error = err;
	k->to_eol = n > 0 && fault(s, SRV_F_BDAT_LINE_MODE);
	if (!err)
		s->txn.bdat = 1;
	if (n == 0)
		chunk_end(s);
}

/* The end of an AUTH exchange. */
static void
auth_done(struct srv_sess *s, int ok)
{
	s->sasl = SASL_NONE;
	s->sasl_user_len = 0;
	if (!ok) {
		srv_sess_reply(s, "535 5.7.8 Error: authentication failed");
		return;
	}
	s->authed = 1;
	srv_sess_reply(s, "%s 2.7.0 Authentication successful",
	    fault(s, SRV_F_AUTH_SUCCESS_250) ? "250" : "235");
}

/* Decode a client response; -1 when it is not base64.  The
 * auth-base64-lenient fault drops what is not in the alphabet first. */
static long
auth_decode(const struct srv_sess *s, const char *p, size_t n,
    unsigned char *out, size_t cap)
{
	char tmp[SASL_LINE_MAX + 4];
	size_t i, k = 0;

	if (!fault(s, SRV_F_AUTH_BASE64_LENIENT))
		return sasl_b64_decode(p, n, out, cap);
	for (i = 0; i < n && k < SASL_LINE_MAX; i++)
		if ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' &&
		    p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') ||
		    p[i] == '+' || p[i] == '/')
			tmp[k++] = p[i];
	k -= k % 4 == 1;
	while (k % 4)
		tmp[k++] = '=';
	return sasl_b64_decode(tmp, k, out, cap);
}

static const char *
good_pass(const struct srv_sess *s)
{
	return fault(s, SRV_F_AUTH_ACCEPT_ANY) ? NULL : SRV_AUTH_PASSWORD;
}

/* One decoded client response of the exchange in progress. */
static void
auth_step(struct srv_sess *s, const unsigned char *r, size_t n)
{
	switch (s->sasl) {
	case SASL_NONE:
		break;
	case SASL_PLAIN:
		auth_done(s, sasl_plain_ok(r, n, SRV_AUTH_USER, good_pass(s)));
		break;
	case SASL_LOGIN_USER:
		if (n > sizeof(s->sasl_user))
			n = sizeof(s->sasl_user);
		memcpy(s->sasl_user, r, n);
		s->sasl_user_len = n;
		s->sasl = SASL_LOGIN_PASS;
		/* "Password:" */
		srv_sess_reply(s, "334 %s", fault(s, SRV_F_AUTH_CHALLENGE_TEXT) ?
		    "Password:" : "UGFzc3dvcmQ6");
		break;
	case SASL_LOGIN_PASS:
		auth_done(s, sasl_creds_ok(s->sasl_user, s->sasl_user_len,
		    (const char *)r, n, SRV_AUTH_USER, good_pass(s)));
		break;
	case SASL_CRAM:
		auth_done(s, sasl_cram_ok(r, n, s->cram, s->cram_len,
		    SRV_AUTH_USER, good_pass(s)));
		break;
	}
}

/* A line of an AUTH exchange (RFC 4954 4): "*" cancels, anything else must
 * be base64. */
static void
srv_sess_sasl_line(struct srv_sess *s, const char *line, size_t len)
{
	unsigned char r[SASL_MAX];
	long n;

	if (len == 1 && line[0] == '*') {
		s->sasl = SASL_NONE;
		if (fault(s, SRV_F_AUTH_CANCEL_535))
			srv_sess_reply(s, "535 5.7.8 Error: authentication failed");
		else
			srv_sess_reply(s, "501 5.7.0 Authentication aborted");
		return;
	}
	if ((n = auth_decode(s, line, len, r, sizeof(r))) < 0) {
		s->sasl = SASL_NONE;
		srv_sess_reply(s, "501 5.5.2 Cannot decode response");
		return;
	}
	auth_step(s, r, (size_t)n);
}

static void
cmd_auth(struct srv_sess *s, const struct syn_command *c)
{
	unsigned char r[SASL_MAX];
	const char *sp, *ir = NULL;
	size_t mlen, irlen = 0;
	long n;

	if (!s->ehlo) {
		srv_sess_reply(s, "503 5.5.1 Error: send EHLO first");
		return;
	}
	/* RFC 4954 4: one successful AUTH per session, none in a
	 * transaction. */
	if (s->authed && !fault(s, SRV_F_AUTH_REAUTH_OK)) {
		srv_sess_reply(s, "503 5.5.1 Error: already authenticated");
		return;
	}
	if (s->state >= S_MAIL && !fault(s, SRV_F_AUTH_IN_TRANSACTION_OK)) {
		srv_sess_reply(s, "503 5.5.1 Error: AUTH not permitted during a "
		    "mail transaction");
		return;
	}
	sp = memchr(c->arg, ' ', c->arg_len);
	mlen = sp ? (size_t)(sp - c->arg) : c->arg_len;
	if (sp) {
		ir = sp + 1;
		irlen = c->arg_len - mlen - 1;
	}
	if (mlen == 0 || (ir && (irlen == 0 || memchr(ir, ' ', irlen)))) {
		srv_sess_reply(s, "501 5.5.4 Syntax: AUTH mechanism "
		    "[initial-response]");
		return;
	}
	if (util_ieq(c->arg, mlen, "PLAIN"))
		s->sasl = SASL_PLAIN;
	else if (util_ieq(c->arg, mlen, "LOGIN"))
		s->sasl = SASL_LOGIN_USER;
	else if (util_ieq(c->arg, mlen, "CRAM-MD5"))
		s->sasl = SASL_CRAM;
	else {
		srv_sess_reply(s, "%s 5.5.4 Unrecognized authentication type",
		    fault(s, SRV_F_AUTH_UNKNOWN_MECH_501) ? "501" : "504");
		return;
	}
	if (s->sasl == SASL_CRAM) {
		char b[256];

		/* RFC 4954 4: the server speaks first in CRAM-MD5. */
		if (ir && !fault(s, SRV_F_AUTH_CRAM_IGNORES_IR)) {
			s->sasl = SASL_NONE;
			srv_sess_reply(s, "501 5.7.0 Initial response not allowed "
			    "with CRAM-MD5");
			return;
		}
		s->cram_len = (size_t)snprintf(s->cram, sizeof(s->cram),
		    "<%u.%u@%s>", (unsigned)s->srv->boot, s->ncmd,
		    SRV_HOSTNAME);
		sasl_b64_encode((const unsigned char *)s->cram, s->cram_len,
		    b, sizeof(b));
		srv_sess_reply(s, "334 %s", b);
		return;
	}
	if (ir == NULL) {
		if (s->sasl == SASL_PLAIN)
			srv_sess_reply(s, "334 %s", fault(s,
			    SRV_F_AUTH_CHALLENGE_TEXT) ? "Go ahead" : "");
		else	/* "Username:" */
			srv_sess_reply(s, "334 %s", fault(s,
			    SRV_F_AUTH_CHALLENGE_TEXT) ? "Username:" :
			    "VXNlcm5hbWU6");
		return;
	}
	/* RFC 4954 4: "=" is an empty initial response. */
	n = irlen == 1 && ir[0] == '=' ? 0 :
	    auth_decode(s, ir, irlen, r, sizeof(r));
	if (n < 0) {
		s->sasl = SASL_NONE;
		srv_sess_reply(s, "501 5.5.2 Cannot decode response");
		return;
	}
	auth_step(s, r, (size_t)n);
}

static void
cmd_rset(struct srv_sess *s, const struct syn_command *c)
{
	if (has_arg(c) && !fault(s, SRV_F_RSET_ARG_OK)) {
		srv_sess_reply(s, "501 5.5.4 Syntax: RSET");
		return;
	}
	if (!fault(s, SRV_F_RSET_KEEPS_TRANSACTION))
		srv_sess_enter(s, srv_sess_idle(s));
	srv_sess_reply(s, "250 2.0.0 Ok");
}

static void
cmd_noop(struct srv_sess *s, const struct syn_command *c)
{
	/* RFC 5321 4.1.1.9: a NOOP argument is ignored. */
	if (has_arg(c) && fault(s, SRV_F_NOOP_ARG_501)) {
		srv_sess_reply(s, "501 5.5.4 Syntax: NOOP");
		return;
	}
	srv_sess_reply(s, "250 2.0.0 Ok");
	if (fault(s, SRV_F_UNSOLICITED_REPLY))
		srv_sess_reply(s, "250 2.0.0 Ok");
}

static void
cmd_quit(struct srv_sess *s, const struct syn_command *c)
{
	if (has_arg(c)) {
		srv_sess_reply(s, "501 5.5.4 Syntax: QUIT");
		return;
	}
	if (s->state == S_CONNECTED && fault(s, SRV_F_QUIT_NEEDS_HELO)) {
		srv_sess_reply(s, "503 5.5.1 Error: send HELO/EHLO first");
		return;
	}
	if (fault(s, SRV_F_QUIT_250))
		srv_sess_reply(s, "250 2.0.0 Ok");
	else
		srv_sess_reply(s, "221 2.0.0 Bye");
	if (!fault(s, SRV_F_QUIT_NO_CLOSE))
		srv_sess_close(s);
}

static void
cmd_vrfy(struct srv_sess *s, const struct syn_command *c)
{
	if (fault(s, SRV_F_VRFY_UNRECOGNIZED))
		srv_sess_reply(s, NOT_RECOGNIZED);
	else if (c->arg_len == 0)
		srv_sess_reply(s, "501 5.5.4 Syntax: VRFY address");
	else
		srv_sess_reply(s, "252 2.0.0 Cannot VRFY user; "
		    "try RCPT to attempt delivery");
}

static void
cmd_expn(struct srv_sess *s, const struct syn_command *c)
{
	if (c->arg_len == 0)
		srv_sess_reply(s, "501 5.5.4 Syntax: EXPN mailing-list");
	else
		srv_sess_reply(s, "502 5.5.1 EXPN not available");
}

static void
cmd_help(struct srv_sess *s, const struct syn_command *c)
{
	/* A multi-line reply: every line carries the enhanced code (RFC 2034
	 * 4), but for the enhanced-first-line-only fault. */
	const char *code = fault(s, SRV_F_ENHANCED_FIRST_LINE_ONLY) ? "" :
	    "2.0.0 ";

	(void)c;
	if (fault(s, SRV_F_HELP_BARE_LF))
		buf_puts(&s->out, "214-2.0.0 Commands:\n");
	srv_sess_reply(s, "214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET");
	srv_sess_reply(s, "214-%sNOOP QUIT VRFY EXPN HELP AUTH", code);
	srv_sess_reply(s, "214 %sEnd of HELP info", code);
}

/* Known verbs of extensions or older RFCs that this server does not offer. */
static void
cmd_unoffered(struct srv_sess *s, const struct syn_command *c)
{
	(void)c;
	srv_sess_reply(s, "502 5.5.1 Error: command not implemented");
}

/* RFC 3207 4: 220 and the handshake; no parameters; not inside TLS.  The
 * input pauses until the handshake is over (srv_sess_process). */
static void
cmd_starttls(struct srv_sess *s, const struct syn_command *c)
{
	if (fault(s, SRV_F_TLS_UNIMPLEMENTED)) {
		srv_sess_reply(s, "502 5.5.1 Error: command not implemented");
		return;
	}
	if (has_arg(c) && !fault(s, SRV_F_TLS_PARAMS_OK)) {
		srv_sess_reply(s, "501 5.5.4 Syntax: STARTTLS");
		return;
	}
	if (s->tls && !fault(s, SRV_F_TLS_SECOND_STARTTLS)) {
		srv_sess_reply(s, "503 5.5.1 Error: TLS already active");
		return;
	}
	if (!s->srv->tls_ctx) {
		srv_sess_reply(s, "454 4.7.0 TLS not available due to temporary reason");
		return;
	}
	srv_sess_reply(s, "220 2.0.0 Ready to start TLS");
	if (!s->tls)
		s->tls = tls_conn_new(s->srv->tls_ctx, 1, NULL);
}

/* RFC 3207 4: a client that must use TLS gets 530 for everything but
 * NOOP, EHLO, HELO, STARTTLS and QUIT until it has.  Returns 1 if the
 * command was answered here. */
static int
tls_gate(struct srv_sess *s, const struct syn_command *c)
{
	if (s->tls_up || fault(s, SRV_F_TLS_REQUIRED_IGNORED))
		return 0;
	if (c->verb == SYN_EHLO || c->verb == SYN_HELO) {
		s->tls_required = fault(s, SRV_F_TLS_REQUIRED_ALL) ||
		    util_ieq(c->arg, c->arg_len, SRV_TLS_REQUIRED_CLIENT);
		return 0;
	}
	if (!s->tls_required || c->verb == SYN_NOOP ||
	    c->verb == SYN_STARTTLS || c->verb == SYN_QUIT)
		return 0;
	srv_sess_reply(s, "530 5.7.0 Must issue a STARTTLS command first");
	return 1;
}

static const struct cmd cmds[] = {
	{ SYN_HELO,	cmd_helo },
	{ SYN_EHLO,	cmd_helo },
	{ SYN_MAIL,	cmd_mail },
	{ SYN_RCPT,	cmd_rcpt },
	{ SYN_DATA,	cmd_data },
	{ SYN_RSET,	cmd_rset },
	{ SYN_NOOP,	cmd_noop },
	{ SYN_QUIT,	cmd_quit },
	{ SYN_VRFY,	cmd_vrfy },
	{ SYN_EXPN,	cmd_expn },
	{ SYN_HELP,	cmd_help },
	{ SYN_TURN,	cmd_unoffered },
	{ SYN_SEND,	cmd_unoffered },
	{ SYN_SOML,	cmd_unoffered },
	{ SYN_SAML,	cmd_unoffered },
	{ SYN_ETRN,	cmd_unoffered },
	{ SYN_ATRN,	cmd_unoffered },
	{ SYN_STARTTLS,	cmd_starttls },
	{ SYN_AUTH,	cmd_auth },
	{ SYN_BDAT,	cmd_bdat },
};

/* -- core suite faults: deviations checked before the normal handlers -- */

/* The path of a MAIL or RCPT the normal handler would look at, or NULL. */
static const struct syn_path *
fault_path(const struct srv_sess *s, const struct syn_command *c,
    struct syn_mail_args *a)
{
	if (c->verb == SYN_MAIL && s->state == S_HELO &&
	    syn_parse_mail(c->arg, c->arg_len, a) == NULL && !a->path.is_null)
		return &a->path;
	if (c->verb == SYN_RCPT && s->state >= S_MAIL &&
	    syn_parse_rcpt(c->arg, c->arg_len, a) == NULL)
		return &a->path;
	return NULL;
}

/* Faults that answer a command in place of its handler: returns 1 when the
 * command was answered.  May also strip c's argument (no-arg-check). */
static int
srv_sess_core_fault(struct srv_sess *s, struct syn_command *c)
{
	struct syn_mail_args a;
	const struct syn_path *p = fault_path(s, c, &a);
	int ehlo = c->verb == SYN_EHLO || c->verb == SYN_HELO;
	int mail = c->verb == SYN_MAIL, rcpt = c->verb == SYN_RCPT;
	const char *bad = mail ? "501 5.1.7 Bad sender address syntax" :
	    "501 5.1.3 Bad recipient address syntax";

	/* RFC 5321 4.1.4 lets a server accept MAIL before EHLO, or a nested
	 * MAIL; these two faults add what makes that a bug: the transaction
	 * survives the first EHLO, or the nested MAIL drops it. */
	if (ehlo && fault(s, SRV_F_MAIL_BEFORE_HELO) && !s->helo &&
	    s->state >= S_MAIL && c->arg_len > 0 &&
	    syn_check_ehlo_arg(c->arg, c->arg_len) == NULL) {
		s->helo = 1;
		if (c->verb == SYN_EHLO)
			reply_ehlo(s, c);
		else
			srv_sess_reply(s, "250 %s", SRV_HOSTNAME);
		return 1;
	}
	if (mail && fault(s, SRV_F_NESTED_MAIL_OK) && s->state >= S_MAIL) {
		srv_sess_enter(s, srv_sess_idle(s));
		srv_sess_reply(s, "250 2.1.0 Ok");
		return 1;
	}
	if (fault(s, SRV_F_TRAILING_SPACE_REJECTED) &&
	    (c->arg_len > 0 ? c->arg[c->arg_len - 1] == ' ' : c->has_space)) {
		srv_sess_reply(s, "501 5.5.4 Syntax error: trailing white space");
		return 1;
	}
	if (fault(s, SRV_F_CASE_SENSITIVE_KEYWORDS) && (mail || rcpt) &&
	    strncmp(c->arg, mail ? "FROM:" : "TO:", mail ? 5 : 3) != 0) {
		srv_sess_reply(s, "501 5.5.4 Syntax: %s", mail ?
		    "MAIL FROM:<address>" : "RCPT TO:<address>");
		return 1;
	}
	if (fault(s, SRV_F_OBSOLETE_VERBS_250) && (c->verb == SYN_TURN ||
	    c->verb == SYN_SEND || c->verb == SYN_SOML ||
	    c->verb == SYN_SAML)) {
		srv_sess_reply(s, "250 2.0.0 Ok");
		return 1;
	}
	if (fault(s, SRV_F_NO_ARG_CHECK) && (c->verb == SYN_DATA ||
	    c->verb == SYN_QUIT)) {
		c->arg_len = 0;
		c->has_space = 0;
	}
	if (fault(s, SRV_F_VRFY_EXPN_FAKE_250) && c->arg_len > 0 &&
	    (c->verb == SYN_VRFY || c->verb == SYN_EXPN)) {
		srv_sess_reply(s, "250 2.1.5 %.*s", (int)c->arg_len, c->arg);
		return 1;
	}
	if (fault(s, SRV_F_LITERALS_REJECTED) && ehlo && c->arg_len > 0 &&
	    c->arg[0] == '[') {
		srv_sess_reply(s, "501 5.5.4 Syntax: %s hostname",
		    c->verb == SYN_EHLO ? "EHLO" : "HELO");
		return 1;
	}
	if (rcpt && s->state >= S_MAIL && fault(s, SRV_F_RCPT_LIMIT_50) &&
	    s->nrcpt >= 50) {
		srv_sess_reply(s, "452 4.5.3 Too many recipients");
		return 1;
	}
	if (p == NULL)
		return 0;
	if ((fault(s, SRV_F_LITERALS_REJECTED) &&
	    p->domain_kind >= SYN_DOMAIN_IPV4) ||
	    (fault(s, SRV_F_SOURCE_ROUTE_REJECTED) && p->has_route) ||
	    (fault(s, SRV_F_QUOTED_LOCAL_REJECTED) && p->local_quoted) ||
	    (fault(s, SRV_F_ADDRESS_LENGTH_LIMITS) &&
	    (p->local_len > 32 || p->domain_len > 64))) {
		srv_sess_reply(s, "%s", bad);
		return 1;
	}
	if (rcpt && ((fault(s, SRV_F_POSTMASTER_CASE_SENSITIVE) &&
	    p->is_postmaster && strncmp(p->local, "Postmaster", 10) != 0 &&
	    strncmp(p->local, "postmaster", 10) != 0) ||
	    (fault(s, SRV_F_POSTMASTER_UNKNOWN) &&
	    p->domain_kind == SYN_DOMAIN_NAME &&
	    util_ieq(p->local, p->local_len, "postmaster") &&
	    util_ieq(p->domain, p->domain_len, SRV_LOCAL_DOMAIN)))) {
		srv_sess_reply(s, "550 5.1.1 User unknown");
		return 1;
	}
	return 0;
}

/* -- end of core suite faults -- */

/* One complete command line, without its line end. */
static void
srv_sess_command(struct srv_sess *s, const char *line, size_t len)
{
	struct syn_command c;
	char lax[LINE_MAX_SMTP];
	size_t i;
	int bare = 0, bad = 0, high = 0;

	/* pipelining-holds-replies: MAIL, RCPT and RSET replies wait for a
	 * command that is not one of them (RFC 2920 3.2 (5)-(7) forbid it). */
	s->holding = 0;
	if (fault(s, SRV_F_PIPELINING_HOLDS_REPLIES)) {
		if (len >= 4 && (util_ieq(line, 4, "MAIL") ||
		    util_ieq(line, 4, "RCPT") || util_ieq(line, 4, "RSET")))
			s->holding = 1;
		else if (s->held.len > 0) {
			srv_sess_emit(s, s->held.data, s->held.len);
			buf_reset(&s->held);
		}
	}

	if (fault(s, SRV_F_LAX_OCTETS) && len <= sizeof(lax)) {
		for (i = 0; i < len; i++) {
			unsigned char ch = (unsigned char)line[i];
			lax[i] = ch != '\r' && ch != '\n' && (ch < 0x20 ||
			    ch >= 0x7f) ? 'x' : (char)ch;
		}
		line = lax;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];
		if (ch == '\r' || ch == '\n')
			bare = 1;
		else if (ch < 0x20 || ch == 0x7f)
			bad = 1;
		else if (ch >= 0x80)
			high = 1;
	}
	/* RFC 5321 2.3.8: CR and LF only appear together, as the line end. */
	if (bare) {
		srv_sess_reply(s, "500 5.5.2 Error: bare CR or LF in command");
		return;
	}
	if (bad) {
		if (fault(s, SRV_F_REPLY_ECHOES_CONTROL))
			srv_sess_reply(s, "500 5.5.2 Error: invalid character in "
			    "command: %.*s", (int)len, line);
		else
			srv_sess_reply(s, "500 5.5.2 Error: invalid character in "
			    "command");
		return;
	}
	if (syn_split_command(line, len, &c) != NULL || c.verb == SYN_UNKNOWN) {
		srv_sess_unknown(s);
		return;
	}
	/* RFC 6531 3.3: UTF-8 only in MAIL and RCPT arguments. */
	s->line_utf8 = high;
	if (high && (!(c.verb == SYN_MAIL || c.verb == SYN_RCPT) ||
	    !utf8_valid(line, len))) {
		srv_sess_reply(s, "500 5.5.2 Error: invalid character in command");
		return;
	}
	if (fault(s, SRV_F_CASE_SENSITIVE_VERBS))
		for (i = 0; i < c.verb_len; i++)
			if (c.verb_text[i] >= 'a' && c.verb_text[i] <= 'z') {
				srv_sess_unknown(s);
				return;
			}
	if (tls_gate(s, &c) || srv_sess_core_fault(s, &c))
		return;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (cmds[i].verb == c.verb) {
			cmds[i].handler(s, &c);
			return;
		}
	srv_sess_unknown(s);
}

/* End of message data: the checks deferred until now, then the verdict. */
static void
body_end(struct srv_sess *s)
{
	const struct body *b = &s->body;

	if (s->nrcpt == 0)
		srv_sess_reply(s, "554 5.5.1 Error: no valid recipients");
	else if (b->size > SRV_SIZE_LIMIT)
		srv_sess_reply(s, "552 5.3.4 Message size exceeds fixed maximum "
		    "message size");
	else if (b->size > 32768 && fault(s, SRV_F_MESSAGE_LIMIT_32K))
		srv_sess_reply(s, "552 5.3.4 Message size exceeds fixed maximum "
		    "message size");
	else if (b->toolong)
		srv_sess_reply(s, "552 5.3.4 Message line too long");
	else if (fault(s, SRV_F_RESENT_CHECKED) && b->resent_to &&
	    !b->resent_from)
		srv_sess_reply(s, "554 5.6.0 Resent-To: without Resent-From:");
	else if (b->bare)
		srv_sess_reply(s, "554 5.6.0 Message contains bare CR or LF");
	else if (fault(s, SRV_F_SIZE_MUST_MATCH) && s->txn.has_size &&
	    b->size != s->txn.size)
		srv_sess_reply(s, "552 5.3.4 Message size differs from SIZE");
	else if (fault(s, SRV_F_8BIT_DATA_REJECTED) && b->eight)
		srv_sess_reply(s, "554 5.6.0 8-bit data not accepted");
	else {
		reply_queued(s);
		if (fault(s, SRV_F_TRANSACTION_PERSISTS)) {
			srv_sess_enter(s, S_RCPT);
			return;
		}
	}
	if (fault(s, SRV_F_DATA_END_DROPS_INPUT))
		s->drop_input = 1;
	srv_sess_enter(s, srv_sess_idle(s));
}

static void
body_line_end(struct srv_sess *s, size_t eol)
{
	struct body *b = &s->body;
	size_t max = fault(s, SRV_F_TEXT_LINE_OFF_BY_TWO) ? TEXT_LINE_MAX - 2 :
	    TEXT_LINE_MAX;

	/* RFC 5321 4.5.3.1.6, counted as if the line ended in CRLF. */
	if (b->linelen + 2 > max)
		b->toolong = 1;
	if (!b->in_text && b->linelen == 0)
		b->in_text = 1;
	else if (!b->in_text && b->linelen >= 12 &&
	    util_ieq(b->head, 12, "Resent-From:"))
		b->resent_from = 1;
	else if (!b->in_text && b->linelen >= 10 &&
	    util_ieq(b->head, 10, "Resent-To:"))
		b->resent_to = 1;
	b->size += eol;
	b->linelen = 0;
}

/* An ordinary octet of a text line (not a CR that ends one). */
static void
body_octet(struct srv_sess *s, unsigned char ch)
{
	struct body *b = &s->body;

	if (ch == '\r') {
		b->at = B_CR;
		return;
	}
	if (ch == '\n') {
		/* A bare LF ends nothing (RFC 5321 2.3.8), and only the
		 * lf-dot-lf fault lets it start a line that may be ".". */
		body_line_end(s, 1);
		if (fault(s, SRV_F_LF_DOT_LF) || fault(s, SRV_F_ANY_NEWLINE_DATA))
			b->at = B_BOL;
		else {
			b->bare = 1;
			b->at = B_TEXT;
		}
		return;
	}
	if (b->linelen < sizeof(b->head))
		b->head[b->linelen] = (char)ch;
	b->size++;
	b->linelen++;
	b->eight |= ch >= 0x80;
	b->at = B_TEXT;
	if (b->linelen + 2 > TEXT_LINE_MAX &&
	    fault(s, SRV_F_LONG_TEXT_LINE_CLOSE))
		srv_sess_close(s);
}

/* Feed message data; returns the octets used (all of them, or up to and
 * including the end-of-data line). */
static size_t
srv_sess_body(struct srv_sess *s, const char *d, size_t n)
{
	struct body *b = &s->body;
	size_t i;

	if (fault(s, SRV_F_EOD_SPLIT_LOST) &&
	    (b->at == B_DOT || b->at == B_DOTCR))
		b->at = B_TEXT;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)d[i];

		if (ch == '\0' && fault(s, SRV_F_NUL_STRIPPED))
			continue;
		switch (b->at) {
		case B_BOL:
			if (ch == '.') {
				b->at = B_DOT;
				continue;
			}
			break;
		case B_DOT:
			if (ch == '\r') {
				b->at = B_DOTCR;
				continue;
			}
			if (ch == '\n' && (fault(s, SRV_F_LF_DOT_LF) ||
			    fault(s, SRV_F_ANY_NEWLINE_DATA))) {
				body_end(s);
				return i + 1;
			}
			/* RFC 5321 4.5.2: a leading dot is removed. */
			if (ch == '.' && fault(s, SRV_F_DOTDOT_ENDS_DATA))
				continue;
			break;
		case B_DOTCR:
			if (ch == '\n') {
				/* RFC 5321 4.1.1.4: CRLF "." CRLF */
				body_end(s);
				return i + 1;
			}
			if (fault(s, SRV_F_ANY_NEWLINE_DATA)) {
				body_end(s);
				return i;
			}
			/* The dot was stuffing; the CR after it is bare. */
			b->bare = 1;
			b->size++;
			b->linelen++;
			break;
		case B_CR:
			if (ch == '\n') {
				body_line_end(s, 2);
				b->at = B_BOL;
				continue;
			}
			if (fault(s, SRV_F_ANY_NEWLINE_DATA)) {
				body_line_end(s, 1);
				b->at = B_BOL;
				if (ch == '.') {
					b->at = B_DOT;
					continue;
				}
				break;
			}
			b->bare = 1;
			b->size++;
			b->linelen++;
			break;
		case B_TEXT:
			break;
		}
		body_octet(s, ch);
		if (s->state == S_CLOSING)
			return n;
	}
	return n;
}

/* size-ends-data: the declared SIZE= ends the message, whatever
 * follows (RFC 1870 6 forbids exactly this). */
static size_t
srv_sess_body_sized(struct srv_sess *s, const char *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		srv_sess_body(s, d + i, 1);
		if (s->state != S_BODY)
			return i + 1;
		if (s->body.size >= s->txn.size) {
			body_end(s);
			return i + 1;
		}
	}
	return n;
}

/* Whether a command line may have the extended length (MAIL, RCPT). */
static int
long_verb(const char *d, size_t n)
{
	return n >= 5 && (util_ieq(d, 5, "MAIL ") || util_ieq(d, 5, "RCPT "));
}

/* Handle the first line of the input, if complete.  Returns 1 when a line
 * was used, 0 when more input is needed. */
static int
srv_sess_line(struct srv_sess *s)
{
	size_t max = s->sasl != SASL_NONE ? SASL_LINE_MAX :
	    fault(s, SRV_F_SHORT_LINE_LIMIT) ? LINE_MAX_SHORT : LINE_MAX_EXT;
	const char *d = s->in.data, *lf;
	size_t n = s->in.len, eol = 0, end = 0, off = 0;

	if (fault(s, SRV_F_BARE_CR_COMMANDS)) {
		const char *cr = memchr(d, '\r', n);

		lf = memchr(d, '\n', n);
		if (cr && cr + 1 < d + n && cr[1] != '\n' && (!lf || lf > cr)) {
			eol = (size_t)(cr - d);
			end = eol + 1;
		}
	}
	/* RFC 5321 2.3.8: only CRLF ends a line. */
	while (end == 0 && (lf = memchr(d + off, '\n', n - off)) != NULL) {
		size_t i = (size_t)(lf - d);
		if (i > 0 && d[i - 1] == '\r') {
			eol = i - 1;
			end = i + 1;
			break;
		}
		if (fault(s, SRV_F_BARE_LF_COMMANDS)) {
			eol = i;
			end = i + 1;
			break;
		}
		off = i + 1;
	}
	if (end == 0) {
		if (n < max)
			return 0;
		/* The line cannot fit: drop it as it comes, keeping a CR
		 * that may start its CRLF. */
		if (fault(s, s->sasl != SASL_NONE ? SRV_F_AUTH_LONG_LINE_CLOSE :
		    SRV_F_LONG_LINE_CLOSE)) {
			srv_sess_close(s);
			return 0;
		}
		buf_consume(&s->in, n - (d[n - 1] == '\r'));
		s->toolong = 1;
		return 0;
	}
	s->ncmd++;
	if (fault(s, SRV_F_BARE_NEWLINE_REJECTED) && (memchr(d, '\n', eol) || memchr(d, '\r', eol))) {
		srv_sess_reply(s, "550 5.5.2 Error: bare <CR> or <LF> received");
		srv_sess_close(s);
	} else if ((fault(s, SRV_F_TIRED_421) || fault(s, SRV_F_421_NO_CLOSE)) &&
	    s->ncmd == TIRED_AFTER + 1) {
		srv_sess_reply(s, SHUTTING_DOWN);
		if (fault(s, SRV_F_TIRED_421))
			srv_sess_close(s);
	} else if (s->sasl != SASL_NONE) {
		if (!s->toolong && end <= max)
			srv_sess_sasl_line(s, d, eol);
		else if (fault(s, SRV_F_AUTH_LONG_LINE_CLOSE))
			srv_sess_close(s);
		else {
			/* RFC 4954 4: fail the AUTH with 500 (5.5.6). */
			s->sasl = SASL_NONE;
			srv_sess_reply(s, "500 5.5.6 Authentication Exchange line "
			    "is too long");
		}
	} else if (s->toolong || end > max ||
	    (end > LINE_MAX_SMTP && !long_verb(d, eol))) {
		/* RFC 5321 4.5.3.1.4: 512 octets with the CRLF. */
		if (fault(s, SRV_F_LONG_LINE_CLOSE))
			srv_sess_close(s);
		else
			srv_sess_reply(s, "500 5.5.2 Error: line too long");
	} else
		srv_sess_command(s, d, eol);
	if (s->close_after) {
		s->close_after = 0;
		srv_sess_close(s);
	}
	buf_consume(&s->in, end);
	s->toolong = 0;
	return 1;
}

/* Handle buffered input in order while replies can still be queued.
 * RFC 2920 3.2: nothing already received is thrown away after an error. */
static void
srv_sess_process(struct srv_sess *s)
{
	while (s->in.len > 0 && s->out.len < OUT_HIGH && !s->broken) {
		if (s->state == S_CLOSING || fault(s, SRV_F_SILENT)) {
			buf_reset(&s->in);
			return;
		}
		if (s->tls && !s->tls_up) {
			/* RFC 3207 4.2, CVE-2011-0411: plaintext that came
			 * with STARTTLS is not a command. */
			if (!fault(s, SRV_F_TLS_INJECTION))
				buf_reset(&s->in);
			return;
		}
		if (s->chunk.active)
			buf_consume(&s->in, chunk_feed(s, s->in.data, s->in.len));
		else if (s->state == S_BODY && s->txn.has_size &&
		    fault(s, SRV_F_SIZE_ENDS_DATA))
			buf_consume(&s->in, srv_sess_body_sized(s, s->in.data,
			    s->in.len));
		else if (s->state == S_BODY)
			buf_consume(&s->in, srv_sess_body(s, s->in.data, s->in.len));
		else if (!srv_sess_line(s))
			return;
		if (s->drop_input) {
			buf_reset(&s->in);
			s->toolong = 0;
		}
		s->drop_input = 0;
	}
}

/* After the handshake, a fresh session (RFC 3207 4.2): the client's
 * EHLO and any transaction are forgotten. */
static void
srv_sess_tls_ready(struct srv_sess *s)
{
	s->tls_up = 1;
	if (!fault(s, SRV_F_TLS_KEEPS_STATE)) {
		/* An identity from AUTH in plaintext is knowledge from the
		 * client too. */
		s->helo = 0;
		s->ehlo = 0;
		s->authed = 0;
		s->sasl = SASL_NONE;
		s->tls_required = 0;
		srv_sess_enter(s, S_CONNECTED);
	}
	if (s->tls_hold.len > 0 &&
	    tls_send(s->tls, s->tls_hold.data, s->tls_hold.len, &s->out) != 0)
		s->broken = 1;
	buf_reset(&s->tls_hold);
}

/* Wire bytes of a TLS session: the handshake, then plaintext into s->in. */
static void
srv_sess_tls_input(struct srv_sess *s, const char *d, size_t n)
{
	static const char garbage[] = "*** this is not TLS ***\r\n";
	char err[256];
	size_t before = s->out.len;
	enum tls_hs hs;
	int rc;

	if (s->state == S_CLOSING)
		return;
	tls_feed(s->tls, d, n);
	if (!s->tls_up) {
		if (fault(s, SRV_F_TLS_HANDSHAKE_GARBAGE)) {
			buf_append(&s->out, garbage, sizeof(garbage) - 1);
			srv_sess_close(s);
			return;
		}
		hs = tls_handshake(s->tls, err, sizeof(err));
		tls_drain(s->tls, &s->out);
		if (fault(s, SRV_F_TLS_HANDSHAKE_DROP)) {
			/* Half of our first flight, then the close. */
			s->out.len = before + (s->out.len - before) / 2;
			srv_sess_close(s);
			return;
		}
		if (hs == TLS_HS_FAILED) {
			srv_sess_close(s);	/* the alert goes out first */
			return;
		}
		if (hs == TLS_HS_MORE)
			return;
		srv_sess_tls_ready(s);
	}
	rc = tls_recv(s->tls, &s->in, err, sizeof(err));
	tls_drain(s->tls, &s->out);
	if (rc == 1)
		s->eof = 1;
	else if (rc < 0)
		srv_sess_close(s);
}

static void
srv_sess_read(struct srv_sess *s)
{
	char tmp[16384];
	size_t room = IN_MAX - s->in.len;
	ssize_t r;

	if (room == 0)
		return;
	if (room > sizeof(tmp))
		room = sizeof(tmp);
	do
		r = read(s->in_fd, tmp, room);
	while (r == -1 && errno == EINTR);
	if (r > 0) {
		if (s->tls)
			srv_sess_tls_input(s, tmp, (size_t)r);
		else
			buf_append(&s->in, tmp, (size_t)r);
		s->last_active = util_now_ms();
	} else if (r == 0)
		s->eof = 1;
	else if (errno != EAGAIN && errno != EWOULDBLOCK)
		s->broken = 1;
}

static void
srv_sess_flush(struct srv_sess *s)
{
	ssize_t w;

	while (s->out.len > 0 && !s->broken) {
		if (s->out_sock)
			w = send(s->out_fd, s->out.data, s->out.len,
			    MSG_NOSIGNAL);
		else
			w = write(s->out_fd, s->out.data, s->out.len);
		if (w > 0) {
			buf_consume(&s->out, (size_t)w);
			s->last_active = util_now_ms();
		} else if (w == -1 && errno == EINTR)
			continue;
		else if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		else
			s->broken = 1;
	}
}

/* Read and drop what the client sent after we stopped listening, so that
 * closing a TCP socket does not turn into a reset that loses our replies. */
static void
srv_sess_drain(struct srv_sess *s)
{
	char tmp[4096];
	int i;

	if (!s->in_sock || s->broken)
		return;
	for (i = 0; i < 16; i++)
		if (read(s->in_fd, tmp, sizeof(tmp)) <= 0)
			break;
}

static void
srv_sess_free(struct srv_sess *s)
{
	struct srv *srv = s->srv;

	loop_timer_cancel(srv->loop, s->timer);
	if (s->in_watched)
		loop_unwatch(srv->loop, s->in_fd);
	if (s->out_fd != s->in_fd)
		loop_unwatch(srv->loop, s->out_fd);
	srv_sess_drain(s);
	close(s->in_fd);
	if (s->out_fd != s->in_fd)
		close(s->out_fd);
	if (s->prev)
		s->prev->next = s->next;
	else
		srv->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	srv->nsess--;
	buf_free(&s->in);
	buf_free(&s->out);
	buf_free(&s->held);
	buf_free(&s->tls_hold);
	tls_conn_free(s->tls);
	free(s);
}

/* Register interest in what the session can use next. */
static void
srv_sess_watch(struct srv_sess *s)
{
	struct loop *l = s->srv->loop;
	int want_in = !s->eof && s->in.len < IN_MAX && s->state != S_CLOSING;
	short out = s->out.len > 0 ? POLLOUT : 0;

	if (s->in_fd == s->out_fd) {
		loop_set_events(l, s->in_fd, (short)((want_in ? POLLIN : 0) |
		    out));
		return;
	}
	/* A pipe at EOF reports POLLHUP even with no interest: unwatch. */
	if (want_in && !s->in_watched)
		loop_watch(l, s->in_fd, POLLIN, srv_sess_io, s);
	else if (!want_in && s->in_watched)
		loop_unwatch(l, s->in_fd);
	s->in_watched = want_in;
	loop_set_events(l, s->out_fd, out);
}

/* After any event: handle input, write replies, close when done.  May free
 * the session. */
static void
srv_sess_update(struct srv_sess *s)
{
	size_t before;

	srv_sess_process(s);
	srv_sess_flush(s);
	/* Output that drained may let more buffered input through. */
	while (!s->broken && s->out.len == 0 && s->in.len > 0) {
		before = s->in.len;
		srv_sess_process(s);
		if (s->in.len == before)
			break;
		srv_sess_flush(s);
	}
	if (s->broken || (s->out.len == 0 &&
	    (s->state == S_CLOSING || s->eof))) {
		srv_sess_free(s);
		return;
	}
	srv_sess_watch(s);
}

static void
srv_sess_io(struct loop *loop, int fd, int revents, void *arg)
{
	struct srv_sess *s = arg;

	(void)loop;
	if (fd == s->in_fd && (revents & (POLLIN | POLLHUP | POLLERR))) {
		if (revents & POLLERR)
			s->broken = 1;
		else if (s->in.len < IN_MAX)
			srv_sess_read(s);
		else if (!(revents & POLLIN))
			s->broken = 1;	/* hung up and nowhere to read to */
	}
	if (fd == s->out_fd) {
		if (revents & POLLOUT)
			srv_sess_flush(s);
		else if (fd != s->in_fd && (revents & (POLLHUP | POLLERR)))
			s->broken = 1;
	}
	if (revents & POLLNVAL)
		s->broken = 1;
	srv_sess_update(s);
}

static void
srv_sess_timeout(struct loop *loop, void *arg)
{
	struct srv_sess *s = arg;
	int64_t now = util_now_ms();

	(void)loop;
	s->timer = 0;
	if (s->state == S_CLOSING) {
		if (now >= s->deadline) {
			srv_sess_free(s);
			return;
		}
	} else if (now >= s->last_active + s->srv->idle_ms) {
		/* RFC 5321 4.5.3.2.7 */
		srv_sess_reply(s, "421 4.4.2 %s Error: timeout exceeded",
		    SRV_HOSTNAME);
		srv_sess_close(s);
		srv_sess_update(s);
		return;
	}
	srv_sess_arm(s);
}

/* delayed-greeting: the greeting, late; then the usual idle timer. */
static void
srv_sess_greet(struct loop *loop, void *arg)
{
	struct srv_sess *s = arg;

	(void)loop;
	s->timer = 0;
	srv_sess_reply(s, GREETING);
	srv_sess_arm(s);
	srv_sess_update(s);
}

static void
srv_sess_new(struct srv *srv, int in_fd, int out_fd, int tls)
{
	struct srv_sess *s;
	struct stat st;

	if (srv->hostile) {
		hostile_attach(srv->hostile, in_fd, out_fd);
		return;
	}
	s = xcalloc(1, sizeof(*s));
	s->srv = srv;
	s->in_fd = in_fd;
	s->out_fd = out_fd;
	s->in_sock = fstat(in_fd, &st) == 0 && S_ISSOCK(st.st_mode);
	s->out_sock = fstat(out_fd, &st) == 0 && S_ISSOCK(st.st_mode);
	buf_init(&s->in);
	buf_init(&s->out);
	buf_init(&s->held);
	buf_init(&s->tls_hold);
	/* Implicit TLS: the greeting waits in tls_hold for the handshake. */
	if (tls && srv->tls_ctx)
		s->tls = tls_conn_new(srv->tls_ctx, 1, NULL);
	s->next = srv->sessions;
	if (s->next)
		s->next->prev = s;
	srv->sessions = s;
	srv->nsess++;
	s->last_active = util_now_ms();
	srv_sess_enter(s, S_CONNECTED);
	/* Bytes sent before the greeting are simply handled after it. */
	if (fault(s, SRV_F_GREETING_421)) {
		srv_sess_reply(s, "421 4.3.2 %s Service not available",
		    SRV_HOSTNAME);
		srv_sess_close(s);
	} else if (fault(s, SRV_F_GREETING_NO_DOMAIN))
		srv_sess_reply(s, "220 ***** ready");
	else if (!fault(s, SRV_F_DELAYED_GREETING))
		srv_sess_reply(s, GREETING);
	if (fault(s, SRV_F_DELAYED_GREETING))
		s->timer = loop_timer(srv->loop, util_now_ms() + GREET_DELAY_MS, srv_sess_greet, s);
	else if (s->state != S_CLOSING)
		srv_sess_arm(s);
	loop_watch(srv->loop, out_fd, 0, srv_sess_io, s);
	s->in_watched = in_fd == out_fd;
	srv_sess_watch(s);
}

struct srv *
srv_new(struct loop *loop, const char *faults, char *errbuf, size_t errlen)
{
	struct srv *srv = xcalloc(1, sizeof(*srv));
	const char *p = faults ? faults : "", *e;

	srv->loop = loop;
	srv->idle_ms = IDLE_MS;
	/* Without a context STARTTLS is not offered and gets 454. */
	srv->tls_ctx = tls_server_ctx_new(SRV_HOSTNAME, errbuf, errlen);
	srv->boot = (uint32_t)time(NULL);
	while (*p) {
		size_t n;
		int id;

		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		/* Surrounding blanks and empty items are tolerated. */
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n > 0) {
			if ((id = srv_fault_lookup(p, n)) == -1) {
				snprintf(errbuf, errlen, "unknown fault "
				    "\"%.*s\"", (int)n, p);
				tls_ctx_free(srv->tls_ctx);
				free(srv);
				return NULL;
			}
			srv->fault[id] = 1;
		}
		if (!e)
			break;
		p = e + 1;
	}
	/* A hostile fault replaces the SMTP server (the first one named wins). */
	for (int f = 0; f < SRV_F_COUNT && !srv->hostile; f++)
		if (srv->fault[f] && hostile_is_fault((enum srv_fault)f))
			srv->hostile = hostile_new(loop, (enum srv_fault)f);
	return srv;
}

void
srv_free(struct srv *srv)
{
	size_t i;

	if (!srv)
		return;
	while (srv->sessions)
		srv_sess_free(srv->sessions);
	hostile_free(srv->hostile);
	for (i = 0; i < srv->nlfd; i++) {
		loop_unwatch(srv->loop, srv->lfd[i]);
		close(srv->lfd[i]);
	}
	free(srv->lfd);
	tls_ctx_free(srv->tls_ctx);
	free(srv);
}

void
srv_set_idle_timeout(struct srv *srv, int ms)
{
	struct srv_sess *s;

	srv->idle_ms = ms > 0 ? ms : 1;
	/* Re-arm so that a shorter timeout applies at once. */
	for (s = srv->sessions; s; s = s->next)
		srv_sess_arm(s);
}

static void
accept_all(struct srv *srv, int fd, int tls)
{
	int c;

	for (;;) {
		c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c >= 0) {
			srv_sess_new(srv, c, c, tls);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		/* EAGAIN: all taken; EMFILE and the like: next round. */
		return;
	}
}

static void
srv_accept(struct loop *loop, int fd, int revents, void *arg)
{
	(void)loop;
	(void)revents;
	accept_all(arg, fd, 0);
}

static void
srv_accept_tls(struct loop *loop, int fd, int revents, void *arg)
{
	(void)loop;
	(void)revents;
	accept_all(arg, fd, 1);
}

static int
listen_on(struct srv *srv, const char *host, const char *port, int tls,
    char *errbuf, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	int rc, fd, one = 1, bound = -1, err = 0;
	const char *what = "socket";

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rc = getaddrinfo(host && *host ? host : NULL, port, &hints,
	    &res)) != 0) {
		snprintf(errbuf, errlen, "%s:%s: %s", host ? host : "", port,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1) {
			err = errno;
			what = "socket";
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		/* Let "::" and "0.0.0.0" share one port. */
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			    sizeof(one));
		/* Every address of host gets the port the first one got. */
		if (bound != -1 && ai->ai_family == AF_INET)
			((struct sockaddr_in *)(void *)ai->ai_addr)->sin_port =
			    htons((uint16_t)bound);
		else if (bound != -1 && ai->ai_family == AF_INET6)
			((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_port =
			    htons((uint16_t)bound);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
		    listen(fd, SOMAXCONN) == -1) {
			err = errno;
			what = "bind";
			close(fd);
			continue;
		}
		if (bound == -1) {
			struct sockaddr_storage ss;
			socklen_t sl = sizeof(ss);

			if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1) {
				err = errno;
				what = "getsockname";
				close(fd);
				continue;
			}
			bound = ntohs(ss.ss_family == AF_INET6 ?
			    ((struct sockaddr_in6 *)&ss)->sin6_port :
			    ((struct sockaddr_in *)&ss)->sin_port);
		}
		srv->lfd = xrealloc(srv->lfd, (srv->nlfd + 1) *
		    sizeof(*srv->lfd));
		srv->lfd[srv->nlfd++] = fd;
		loop_watch(srv->loop, fd, POLLIN,
		    tls ? srv_accept_tls : srv_accept, srv);
	}
	freeaddrinfo(res);
	if (bound == -1) {
		snprintf(errbuf, errlen, "%s:%s: %s: %s", host ? host : "",
		    port, what, strerror(err ? err : EADDRNOTAVAIL));
		return -1;
	}
	return bound;
}

int
srv_listen(struct srv *srv, const char *host, const char *port,
    char *errbuf, size_t errlen)
{
	return listen_on(srv, host, port, 0, errbuf, errlen);
}

int
srv_listen_tls(struct srv *srv, const char *host, const char *port,
    char *errbuf, size_t errlen)
{
	if (!srv->tls_ctx) {
		snprintf(errbuf, errlen, "no TLS: the key and certificate "
		    "could not be made");
		return -1;
	}
	return listen_on(srv, host, port, 1, errbuf, errlen);
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

static int
attach(struct srv *srv, int in_fd, int out_fd, int tls, char *errbuf,
    size_t errlen)
{
	if (in_fd < 0 || out_fd < 0) {
		snprintf(errbuf, errlen, "attach: bad descriptor");
		return -1;
	}
	if (set_nonblock(in_fd) == -1 ||
	    (out_fd != in_fd && set_nonblock(out_fd) == -1)) {
		snprintf(errbuf, errlen, "attach: %s", strerror(errno));
		return -1;
	}
	srv_sess_new(srv, in_fd, out_fd, tls);
	return 0;
}

int
srv_attach(struct srv *srv, int in_fd, int out_fd, char *errbuf,
    size_t errlen)
{
	return attach(srv, in_fd, out_fd, 0, errbuf, errlen);
}

int
srv_attach_tls(struct srv *srv, int in_fd, int out_fd, char *errbuf,
    size_t errlen)
{
	if (!srv->tls_ctx) {
		snprintf(errbuf, errlen, "no TLS: the key and certificate "
		    "could not be made");
		return -1;
	}
	return attach(srv, in_fd, out_fd, 1, errbuf, errlen);
}

size_t
srv_active_sessions(const struct srv *srv)
{
	return srv->nsess + hostile_active(srv->hostile);
}

void
srv_shutdown(struct srv *srv)
{
	struct srv_sess *s, *next;
	size_t i;

	for (i = 0; i < srv->nlfd; i++) {
		loop_unwatch(srv->loop, srv->lfd[i]);
		close(srv->lfd[i]);
	}
	free(srv->lfd);
	srv->lfd = NULL;
	srv->nlfd = 0;
	/* RFC 5321 3.8: say 421 before closing. */
	for (s = srv->sessions; s; s = next) {
		next = s->next;
		if (s->state != S_CLOSING) {
			srv_sess_reply(s, SHUTTING_DOWN);
			srv_sess_close(s);
		}
		srv_sess_update(s);
	}
}
