/*
 * server.c - the reference SMTP server.
 *
 * Strict RFC 5321 with PIPELINING (RFC 2920), SIZE (RFC 1870), 8BITMIME
 * (RFC 6152) and ENHANCEDSTATUSCODES (RFC 2034).  It delivers nowhere:
 * message data is counted and checked as it streams past, never stored.
 *
 * Each session reads into a bounded input buffer and handles complete lines
 * strictly in order; replies go to an output buffer written when the peer
 * can take it.  Commands are dispatched through one table (cmds[]), and
 * sess_enter() is the only place that changes a session's state.  The named
 * faults (server_faults.c) are small checks on the normal paths.
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
#include "server_hostile.h"
#include "syntax.h"
#include "util.h"

#define LINE_MAX_SMTP	512	/* command line with CRLF, RFC 5321 4.5.3.1.4 */
#define LINE_MAX_SHORT	256	/* the short-line-limit fault */
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

enum sess_state {
	S_CONNECTED,	/* greeting sent, no HELO/EHLO yet */
	S_HELO,		/* HELO/EHLO done, no transaction */
	S_MAIL,		/* sender accepted */
	S_RCPT,		/* at least one recipient accepted */
	S_BODY,		/* reading message data after 354 */
	S_CLOSING,	/* flush the replies, then close; input is ignored */
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
};

struct sess {
	struct srv *srv;
	struct sess *prev, *next;
	int in_fd, out_fd;
	int in_sock, out_sock;	/* sockets: send(MSG_NOSIGNAL), drain on close */
	int in_watched;		/* in_fd is registered with the loop */
	enum sess_state state;
	int helo;		/* HELO or EHLO was accepted */
	int eof;		/* the client closed its side */
	int broken;		/* read or write failed: close now */
	int toolong;		/* discarding the rest of an over-long line */
	int drop_input;		/* pipelining-drops-input: a 4xx/5xx went out */
	unsigned ncmd;		/* command lines received */
	size_t nrcpt;		/* recipients accepted in this transaction */
	struct body body;
	struct buf in, out;
	int64_t last_active;
	int64_t deadline;	/* a closing session is dropped at this time */
	uint64_t timer;
};

struct srv {
	struct loop *loop;
	unsigned char fault[SRV_F_COUNT];
	int *lfd;
	size_t nlfd;
	struct sess *sessions;
	size_t nsess;
	struct hostile *hostile;	/* a hostile fault owns every connection */
	int64_t idle_ms;
	uint32_t boot;		/* queue ids: boot time and a counter */
	uint32_t nmsg;
};

struct cmd {
	enum syn_verb verb;
	void (*handler)(struct sess *, const struct syn_command *);
};

static void sess_update(struct sess *);
static void sess_io(struct loop *, int, int, void *);

static int
fault(const struct sess *s, enum srv_fault f)
{
	return s->srv->fault[f];
}

/* The only place that changes s->state.  Starting a transaction or going
 * back to the idle states forgets the previous transaction. */
static void
sess_enter(struct sess *s, enum sess_state st)
{
	switch (st) {
	case S_CONNECTED:
	case S_HELO:
	case S_MAIL:
		s->nrcpt = 0;
		break;
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
static enum sess_state
sess_idle(const struct sess *s)
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

/* Queue one reply line "DDD text" or "DDD-text" (without line end). */
static void __attribute__((format(printf, 2, 3)))
sess_reply(struct sess *s, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	size_t n, skip = 0;

	if (fault(s, SRV_F_SILENT))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	if (fault(s, SRV_F_NO_ENHANCED_CODES) && n > 4)
		skip = enhanced_len(line + 4);
	if (fault(s, SRV_F_PIPELINING_DROPS_INPUT) &&
	    (line[0] == '4' || line[0] == '5'))
		s->drop_input = 1;
	buf_append(&s->out, line, 4);
	buf_append(&s->out, line + 4 + skip, n - 4 - skip);
	buf_puts(&s->out, fault(s, SRV_F_BARE_LF_REPLIES) ? "\n" : "\r\n");
}

static void sess_timeout(struct loop *, void *);

/* (Re-)arm the session's one timer: the idle timeout, or for a closing
 * session the moment it is dropped even if its replies are not out. */
static void
sess_arm(struct sess *s)
{
	int64_t due = s->state == S_CLOSING ? s->deadline :
	    s->last_active + s->srv->idle_ms;

	loop_timer_cancel(s->srv->loop, s->timer);
	s->timer = loop_timer(s->srv->loop, due, sess_timeout, s);
}

/* Stop handling input; close once the queued replies are written. */
static void
sess_close(struct sess *s)
{
	sess_enter(s, S_CLOSING);
	sess_arm(s);
}

/* Every "command not recognized" goes through here: the faults about
 * unknown commands live in one place. */
static void
sess_unknown(struct sess *s)
{
	if (fault(s, SRV_F_ACCEPT_UNKNOWN)) {
		sess_reply(s, "250 2.0.0 Ok");
		return;
	}
	if (fault(s, SRV_F_INVALID_421)) {
		sess_reply(s, "421 4.7.0 %s Error: too many errors",
		    SRV_HOSTNAME);
		sess_close(s);
		return;
	}
	if (fault(s, SRV_F_CODE_OUT_OF_RANGE))
		sess_reply(s, "599 5.5.2 Error: command not recognized");
	else
		sess_reply(s, NOT_RECOGNIZED);
	if (fault(s, SRV_F_CLOSE_ON_INVALID))
		sess_close(s);
}

static int
has_arg(const struct syn_command *c)
{
	return c->has_space || c->arg_len > 0;
}

/* The multi-line EHLO reply (RFC 5321 4.1.1.1, 4.2.1). */
static void
reply_ehlo(struct sess *s, const struct syn_command *c)
{
	static const char *const ext[] = {
		"PIPELINING", "SIZE 10485760", "8BITMIME",
		"ENHANCEDSTATUSCODES",
	};
	size_t i, n = sizeof(ext) / sizeof(ext[0]), alen = c->arg_len;

	_Static_assert(SRV_SIZE_LIMIT == 10485760u, "SIZE keyword text");
	/* Trailing blanks are tolerated (RFC 5321 4.1.1), not echoed. */
	while (alen > 0 && c->arg[alen - 1] == ' ')
		alen--;
	if (alen > 0)
		sess_reply(s, "250-%s greets %.*s", SRV_HOSTNAME, (int)alen,
		    c->arg);
	else
		sess_reply(s, "250-%s", SRV_HOSTNAME);
	if (fault(s, SRV_F_EHLO_AUTH_EQUALS))
		sess_reply(s, "250-AUTH=LOGIN PLAIN");
	for (i = 0; i < n; i++)
		sess_reply(s, "%d%c%s",
		    i + 1 < n ? 250 : fault(s, SRV_F_MIXED_CODE_MULTILINE) ?
		    251 : 250, i + 1 < n ? '-' : ' ', ext[i]);
}

static void
cmd_helo(struct sess *s, const struct syn_command *c)
{
	int ehlo = c->verb == SYN_EHLO;

	if (ehlo && fault(s, SRV_F_NO_EHLO)) {
		sess_reply(s, NOT_RECOGNIZED);
		return;
	}
	if (!(c->arg_len == 0 && fault(s, SRV_F_EHLO_NO_ARG_OK)) &&
	    (c->arg_len == 0 || syn_check_ehlo_arg(c->arg, c->arg_len))) {
		sess_reply(s, "501 5.5.4 Syntax: %s hostname",
		    ehlo ? "EHLO" : "HELO");
		return;
	}
	s->helo = 1;
	/* RFC 5321 4.1.4: HELO/EHLO in a transaction acts as RSET. */
	if (s->state < S_MAIL || !fault(s, SRV_F_EHLO_KEEPS_TRANSACTION))
		sess_enter(s, S_HELO);
	if (ehlo || fault(s, SRV_F_HELO_MULTILINE))
		reply_ehlo(s, c);
	else
		sess_reply(s, "250 %s", SRV_HOSTNAME);
}

/* SIZE value: 1*20DIGIT (RFC 1870 4), saturating. */
static int
parse_size(const struct syn_param *p, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

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

static void
cmd_mail(struct sess *s, const struct syn_command *c)
{
	struct syn_mail_args a;
	uint64_t size;
	size_t i;
	int seen_size = 0, seen_body = 0;

	if (s->state == S_CONNECTED && !fault(s, SRV_F_MAIL_BEFORE_HELO)) {
		sess_reply(s, "503 5.5.1 Error: send HELO/EHLO first");
		return;
	}
	if (s->state >= S_MAIL && !fault(s, SRV_F_NESTED_MAIL_OK)) {
		sess_reply(s, "503 5.5.1 Error: nested MAIL command");
		return;
	}
	if (syn_parse_mail(c->arg, c->arg_len, &a) != NULL) {
		if (c->arg_len > 6 && util_ieq(c->arg, 6, "FROM:<") &&
		    !mail_path_ok(c->arg, c->arg_len))
			sess_reply(s, "501 5.1.7 Bad sender address syntax");
		else
			sess_reply(s, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return;
	}
	if (a.path.is_null && fault(s, SRV_F_NULL_SENDER_REJECTED)) {
		sess_reply(s, "501 5.1.7 Bad sender address syntax");
		return;
	}
	for (i = 0; i < a.n_params; i++) {
		const struct syn_param *p = &a.params[i];
		int *seen;

		if (syn_check_param(p) != NULL) {
			sess_reply(s, "501 5.5.4 Syntax error in parameters");
			return;
		}
		if (util_ieq(p->key, p->key_len, "SIZE") &&
		    !fault(s, SRV_F_SIZE_PARAM_REJECTED))
			seen = &seen_size;
		else if (util_ieq(p->key, p->key_len, "BODY"))
			seen = &seen_body;
		else {
			sess_reply(s, "555 5.5.4 Unsupported option: %.*s",
			    (int)p->key_len, p->key);
			return;
		}
		if ((*seen)++) {
			sess_reply(s, "501 5.5.4 Duplicate %.*s parameter",
			    (int)p->key_len, p->key);
			return;
		}
		if (seen == &seen_size) {
			if (parse_size(p, &size) == -1) {
				sess_reply(s, "501 5.5.4 Bad SIZE parameter");
				return;
			}
			/* RFC 1870 6.1: refuse at once what cannot fit. */
			if (size > SRV_SIZE_LIMIT &&
			    !fault(s, SRV_F_SIZE_IGNORED)) {
				sess_reply(s, "552 5.3.4 Message size exceeds "
				    "fixed maximum message size");
				return;
			}
		} else if (p->value == NULL ||
		    (!util_ieq(p->value, p->value_len, "7BIT") &&
		    !util_ieq(p->value, p->value_len, "8BITMIME"))) {
			sess_reply(s, "501 5.5.4 Bad BODY parameter");
			return;
		}
	}
	sess_enter(s, S_MAIL);
	sess_reply(s, "250 2.1.0 Ok");
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
cmd_rcpt(struct sess *s, const struct syn_command *c)
{
	struct syn_mail_args a;
	int local = 0;

	if (s->state < S_MAIL && !fault(s, SRV_F_RCPT_WITHOUT_MAIL)) {
		sess_reply(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (syn_parse_rcpt(c->arg, c->arg_len, &a) != NULL) {
		sess_reply(s, "501 5.1.3 Bad recipient address syntax");
		return;
	}
	if (a.n_params > 0) {
		sess_reply(s, "555 5.5.4 Unsupported option: %.*s",
		    (int)a.params[0].key_len, a.params[0].key);
		return;
	}
	if (s->nrcpt >= RCPT_MAX) {
		sess_reply(s, "452 4.5.3 Too many recipients");
		return;
	}
	switch (a.path.domain_kind) {
	case SYN_DOMAIN_NONE:
		/* RFC 5321 4.5.1: <Postmaster> must be accepted. */
		if (a.path.is_postmaster &&
		    fault(s, SRV_F_POSTMASTER_REJECTED)) {
			sess_reply(s, "550 5.1.1 User unknown");
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
	if (!local) {
		sess_reply(s, "550 5.7.1 Relay access denied");
		return;
	}
	if (s->state >= S_MAIL) {
		s->nrcpt++;
		sess_enter(s, S_RCPT);
	}
	sess_reply(s, "250 2.1.5 Ok");
}

static void
cmd_data(struct sess *s, const struct syn_command *c)
{
	if (has_arg(c)) {
		sess_reply(s, "501 5.5.4 Syntax: DATA");
		return;
	}
	if (s->state < S_MAIL) {
		sess_reply(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (s->nrcpt == 0 && !fault(s, SRV_F_DATA_WITHOUT_RCPT)) {
		sess_reply(s, "503 5.5.1 Error: need RCPT command");
		return;
	}
	if (fault(s, SRV_F_DATA_250_NOT_354)) {
		sess_reply(s, "250 2.0.0 Ok");
		return;
	}
	sess_enter(s, S_BODY);
	sess_reply(s, "354 End data with <CR><LF>.<CR><LF>");
}

static void
cmd_rset(struct sess *s, const struct syn_command *c)
{
	if (has_arg(c) && !fault(s, SRV_F_RSET_ARG_OK)) {
		sess_reply(s, "501 5.5.4 Syntax: RSET");
		return;
	}
	if (!fault(s, SRV_F_RSET_KEEPS_TRANSACTION))
		sess_enter(s, sess_idle(s));
	sess_reply(s, "250 2.0.0 Ok");
}

static void
cmd_noop(struct sess *s, const struct syn_command *c)
{
	/* RFC 5321 4.1.1.9: a NOOP argument is ignored. */
	if (has_arg(c) && fault(s, SRV_F_NOOP_ARG_501)) {
		sess_reply(s, "501 5.5.4 Syntax: NOOP");
		return;
	}
	sess_reply(s, "250 2.0.0 Ok");
	if (fault(s, SRV_F_UNSOLICITED_REPLY))
		sess_reply(s, "250 2.0.0 Ok");
}

static void
cmd_quit(struct sess *s, const struct syn_command *c)
{
	if (has_arg(c)) {
		sess_reply(s, "501 5.5.4 Syntax: QUIT");
		return;
	}
	if (s->state == S_CONNECTED && fault(s, SRV_F_QUIT_NEEDS_HELO)) {
		sess_reply(s, "503 5.5.1 Error: send HELO/EHLO first");
		return;
	}
	if (fault(s, SRV_F_QUIT_250))
		sess_reply(s, "250 2.0.0 Ok");
	else
		sess_reply(s, "221 2.0.0 Bye");
	if (!fault(s, SRV_F_QUIT_NO_CLOSE))
		sess_close(s);
}

static void
cmd_vrfy(struct sess *s, const struct syn_command *c)
{
	if (fault(s, SRV_F_VRFY_UNRECOGNIZED))
		sess_reply(s, NOT_RECOGNIZED);
	else if (c->arg_len == 0)
		sess_reply(s, "501 5.5.4 Syntax: VRFY address");
	else
		sess_reply(s, "252 2.0.0 Cannot VRFY user; "
		    "try RCPT to attempt delivery");
}

static void
cmd_expn(struct sess *s, const struct syn_command *c)
{
	if (c->arg_len == 0)
		sess_reply(s, "501 5.5.4 Syntax: EXPN mailing-list");
	else
		sess_reply(s, "502 5.5.1 EXPN not available");
}

static void
cmd_help(struct sess *s, const struct syn_command *c)
{
	(void)c;
	sess_reply(s, "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET "
	    "NOOP QUIT VRFY HELP");
}

/* Known verbs of extensions or older RFCs that this server does not offer. */
static void
cmd_unoffered(struct sess *s, const struct syn_command *c)
{
	(void)c;
	sess_reply(s, "502 5.5.1 Error: command not implemented");
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
	{ SYN_STARTTLS,	cmd_unoffered },
	{ SYN_AUTH,	cmd_unoffered },
	{ SYN_BDAT,	cmd_unoffered },
};

/* One complete command line, without its line end. */
static void
sess_command(struct sess *s, const char *line, size_t len)
{
	struct syn_command c;
	size_t i;
	int bare = 0, bad = 0;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];
		if (ch == '\r' || ch == '\n')
			bare = 1;
		else if (ch < 0x20 || ch >= 0x7f)
			bad = 1;
	}
	/* RFC 5321 2.3.8: CR and LF only appear together, as the line end. */
	if (bare) {
		sess_reply(s, "500 5.5.2 Error: bare CR or LF in command");
		return;
	}
	if (bad) {
		sess_reply(s, "500 5.5.2 Error: invalid character in command");
		return;
	}
	if (syn_split_command(line, len, &c) != NULL || c.verb == SYN_UNKNOWN) {
		sess_unknown(s);
		return;
	}
	if (fault(s, SRV_F_CASE_SENSITIVE_VERBS))
		for (i = 0; i < c.verb_len; i++)
			if (c.verb_text[i] >= 'a' && c.verb_text[i] <= 'z') {
				sess_unknown(s);
				return;
			}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (cmds[i].verb == c.verb) {
			cmds[i].handler(s, &c);
			return;
		}
	sess_unknown(s);
}

/* End of message data: the checks deferred until now, then the verdict. */
static void
body_end(struct sess *s)
{
	const struct body *b = &s->body;

	if (s->nrcpt == 0)
		sess_reply(s, "554 5.5.1 Error: no valid recipients");
	else if (b->size > SRV_SIZE_LIMIT)
		sess_reply(s, "552 5.3.4 Message size exceeds fixed maximum "
		    "message size");
	else if (b->toolong)
		sess_reply(s, "552 5.3.4 Message line too long");
	else if (b->bare)
		sess_reply(s, "554 5.6.0 Message contains bare CR or LF");
	else {
		s->srv->nmsg++;
		sess_reply(s, "250 2.0.0 Ok: queued as %08X%05X",
		    (unsigned)s->srv->boot, (unsigned)(s->srv->nmsg & 0xfffff));
	}
	sess_enter(s, sess_idle(s));
}

static void
body_line_end(struct body *b, size_t eol)
{
	/* RFC 5321 4.5.3.1.6, counted as if the line ended in CRLF. */
	if (b->linelen + 2 > TEXT_LINE_MAX)
		b->toolong = 1;
	b->size += eol;
	b->linelen = 0;
}

/* An ordinary octet of a text line (not a CR that ends one). */
static void
body_octet(struct sess *s, unsigned char ch)
{
	struct body *b = &s->body;

	if (ch == '\r') {
		b->at = B_CR;
		return;
	}
	if (ch == '\n') {
		/* A bare LF ends nothing (RFC 5321 2.3.8), and only the
		 * lf-dot-lf fault lets it start a line that may be ".". */
		body_line_end(b, 1);
		if (fault(s, SRV_F_LF_DOT_LF))
			b->at = B_BOL;
		else {
			b->bare = 1;
			b->at = B_TEXT;
		}
		return;
	}
	b->size++;
	b->linelen++;
	b->at = B_TEXT;
}

/* Feed message data; returns the octets used (all of them, or up to and
 * including the end-of-data line). */
static size_t
sess_body(struct sess *s, const char *d, size_t n)
{
	struct body *b = &s->body;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)d[i];

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
			if (ch == '\n' && fault(s, SRV_F_LF_DOT_LF)) {
				body_end(s);
				return i + 1;
			}
			/* RFC 5321 4.5.2: a leading dot is removed. */
			break;
		case B_DOTCR:
			if (ch == '\n') {
				/* RFC 5321 4.1.1.4: CRLF "." CRLF */
				body_end(s);
				return i + 1;
			}
			/* The dot was stuffing; the CR after it is bare. */
			b->bare = 1;
			b->size++;
			b->linelen++;
			break;
		case B_CR:
			if (ch == '\n') {
				body_line_end(b, 2);
				b->at = B_BOL;
				continue;
			}
			b->bare = 1;
			b->size++;
			b->linelen++;
			break;
		case B_TEXT:
			break;
		}
		body_octet(s, ch);
	}
	return n;
}

/* Handle the first line of the input, if complete.  Returns 1 when a line
 * was used, 0 when more input is needed. */
static int
sess_line(struct sess *s)
{
	size_t max = fault(s, SRV_F_SHORT_LINE_LIMIT) ? LINE_MAX_SHORT :
	    LINE_MAX_SMTP;
	const char *d = s->in.data, *lf;
	size_t n = s->in.len, eol = 0, end = 0, off = 0;

	/* RFC 5321 2.3.8: only CRLF ends a line. */
	while ((lf = memchr(d + off, '\n', n - off)) != NULL) {
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
		if (fault(s, SRV_F_LONG_LINE_CLOSE)) {
			sess_close(s);
			return 0;
		}
		buf_consume(&s->in, n - (d[n - 1] == '\r'));
		s->toolong = 1;
		return 0;
	}
	s->ncmd++;
	if ((fault(s, SRV_F_TIRED_421) || fault(s, SRV_F_421_NO_CLOSE)) &&
	    s->ncmd == TIRED_AFTER + 1) {
		sess_reply(s, SHUTTING_DOWN);
		if (fault(s, SRV_F_TIRED_421))
			sess_close(s);
	} else if (s->toolong || end > max) {
		/* RFC 5321 4.5.3.1.4: 512 octets with the CRLF. */
		if (fault(s, SRV_F_LONG_LINE_CLOSE))
			sess_close(s);
		else
			sess_reply(s, "500 5.5.2 Error: line too long");
	} else
		sess_command(s, d, eol);
	buf_consume(&s->in, end);
	s->toolong = 0;
	return 1;
}

/* Handle buffered input in order while replies can still be queued.
 * RFC 2920 3.2: nothing already received is thrown away after an error. */
static void
sess_process(struct sess *s)
{
	while (s->in.len > 0 && s->out.len < OUT_HIGH && !s->broken) {
		if (s->state == S_CLOSING || fault(s, SRV_F_SILENT)) {
			buf_reset(&s->in);
			return;
		}
		if (s->state == S_BODY)
			buf_consume(&s->in, sess_body(s, s->in.data, s->in.len));
		else if (!sess_line(s))
			return;
		if (s->drop_input) {
			buf_reset(&s->in);
			s->toolong = 0;
		}
		s->drop_input = 0;
	}
}

static void
sess_read(struct sess *s)
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
		buf_append(&s->in, tmp, (size_t)r);
		s->last_active = util_now_ms();
	} else if (r == 0)
		s->eof = 1;
	else if (errno != EAGAIN && errno != EWOULDBLOCK)
		s->broken = 1;
}

static void
sess_flush(struct sess *s)
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
sess_drain(struct sess *s)
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
sess_free(struct sess *s)
{
	struct srv *srv = s->srv;

	loop_timer_cancel(srv->loop, s->timer);
	if (s->in_watched)
		loop_unwatch(srv->loop, s->in_fd);
	if (s->out_fd != s->in_fd)
		loop_unwatch(srv->loop, s->out_fd);
	sess_drain(s);
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
	free(s);
}

/* Register interest in what the session can use next. */
static void
sess_watch(struct sess *s)
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
		loop_watch(l, s->in_fd, POLLIN, sess_io, s);
	else if (!want_in && s->in_watched)
		loop_unwatch(l, s->in_fd);
	s->in_watched = want_in;
	loop_set_events(l, s->out_fd, out);
}

/* After any event: handle input, write replies, close when done.  May free
 * the session. */
static void
sess_update(struct sess *s)
{
	size_t before;

	sess_process(s);
	sess_flush(s);
	/* Output that drained may let more buffered input through. */
	while (!s->broken && s->out.len == 0 && s->in.len > 0) {
		before = s->in.len;
		sess_process(s);
		if (s->in.len == before)
			break;
		sess_flush(s);
	}
	if (s->broken || (s->out.len == 0 &&
	    (s->state == S_CLOSING || s->eof))) {
		sess_free(s);
		return;
	}
	sess_watch(s);
}

static void
sess_io(struct loop *loop, int fd, int revents, void *arg)
{
	struct sess *s = arg;

	(void)loop;
	if (fd == s->in_fd && (revents & (POLLIN | POLLHUP | POLLERR))) {
		if (revents & POLLERR)
			s->broken = 1;
		else if (s->in.len < IN_MAX)
			sess_read(s);
		else if (!(revents & POLLIN))
			s->broken = 1;	/* hung up and nowhere to read to */
	}
	if (fd == s->out_fd) {
		if (revents & POLLOUT)
			sess_flush(s);
		else if (fd != s->in_fd && (revents & (POLLHUP | POLLERR)))
			s->broken = 1;
	}
	if (revents & POLLNVAL)
		s->broken = 1;
	sess_update(s);
}

static void
sess_timeout(struct loop *loop, void *arg)
{
	struct sess *s = arg;
	int64_t now = util_now_ms();

	(void)loop;
	s->timer = 0;
	if (s->state == S_CLOSING) {
		if (now >= s->deadline) {
			sess_free(s);
			return;
		}
	} else if (now >= s->last_active + s->srv->idle_ms) {
		/* RFC 5321 4.5.3.2.7 */
		sess_reply(s, "421 4.4.2 %s Error: timeout exceeded",
		    SRV_HOSTNAME);
		sess_close(s);
		sess_update(s);
		return;
	}
	sess_arm(s);
}

/* delayed-greeting: the greeting, late; then the usual idle timer. */
static void
sess_greet(struct loop *loop, void *arg)
{
	struct sess *s = arg;

	(void)loop;
	s->timer = 0;
	sess_reply(s, GREETING);
	sess_arm(s);
	sess_update(s);
}

static void
sess_new(struct srv *srv, int in_fd, int out_fd)
{
	struct sess *s;
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
	s->next = srv->sessions;
	if (s->next)
		s->next->prev = s;
	srv->sessions = s;
	srv->nsess++;
	s->last_active = util_now_ms();
	sess_enter(s, S_CONNECTED);
	/* Bytes sent before the greeting are simply handled after it. */
	if (fault(s, SRV_F_GREETING_421)) {
		sess_reply(s, "421 4.3.2 %s Service not available",
		    SRV_HOSTNAME);
		sess_close(s);
	} else if (fault(s, SRV_F_GREETING_NO_DOMAIN))
		sess_reply(s, "220 ***** ready");
	else if (!fault(s, SRV_F_DELAYED_GREETING))
		sess_reply(s, GREETING);
	if (fault(s, SRV_F_DELAYED_GREETING))
		s->timer = loop_timer(srv->loop, util_now_ms() + GREET_DELAY_MS, sess_greet, s);
	else if (s->state != S_CLOSING)
		sess_arm(s);
	loop_watch(srv->loop, out_fd, 0, sess_io, s);
	s->in_watched = in_fd == out_fd;
	sess_watch(s);
}

struct srv *
srv_new(struct loop *loop, const char *faults, char *errbuf, size_t errlen)
{
	struct srv *srv = xcalloc(1, sizeof(*srv));
	const char *p = faults ? faults : "", *e;

	srv->loop = loop;
	srv->idle_ms = IDLE_MS;
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
		sess_free(srv->sessions);
	hostile_free(srv->hostile);
	for (i = 0; i < srv->nlfd; i++) {
		loop_unwatch(srv->loop, srv->lfd[i]);
		close(srv->lfd[i]);
	}
	free(srv->lfd);
	free(srv);
}

void
srv_set_idle_timeout(struct srv *srv, int ms)
{
	struct sess *s;

	srv->idle_ms = ms > 0 ? ms : 1;
	/* Re-arm so that a shorter timeout applies at once. */
	for (s = srv->sessions; s; s = s->next)
		sess_arm(s);
}

static void
srv_accept(struct loop *loop, int fd, int revents, void *arg)
{
	struct srv *srv = arg;
	int c;

	(void)loop;
	(void)revents;
	for (;;) {
		c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c >= 0) {
			sess_new(srv, c, c);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		/* EAGAIN: all taken; EMFILE and the like: next round. */
		return;
	}
}

int
srv_listen(struct srv *srv, const char *host, const char *port,
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
		loop_watch(srv->loop, fd, POLLIN, srv_accept, srv);
	}
	freeaddrinfo(res);
	if (bound == -1) {
		snprintf(errbuf, errlen, "%s:%s: %s: %s", host ? host : "",
		    port, what, strerror(err ? err : EADDRNOTAVAIL));
		return -1;
	}
	return bound;
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

int
srv_attach(struct srv *srv, int in_fd, int out_fd, char *errbuf,
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
	sess_new(srv, in_fd, out_fd);
	return 0;
}

size_t
srv_active_sessions(const struct srv *srv)
{
	return srv->nsess + hostile_active(srv->hostile);
}

void
srv_shutdown(struct srv *srv)
{
	struct sess *s, *next;
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
			sess_reply(s, SHUTTING_DOWN);
			sess_close(s);
		}
		sess_update(s);
	}
}
