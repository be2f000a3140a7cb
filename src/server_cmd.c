/*
 * server_cmd.c - the reference server's commands: one table of
 * {verb, check, proceed} (OpenSMTPD's smtp_session.c), the simple commands
 * (HELO/EHLO, RSET, NOOP, QUIT, VRFY, EXPN, HELP, STARTTLS) and the gates
 * every command passes first: line hygiene, the RFC 3207 TLS requirement
 * and the core-suite faults that answer in place of a handler.
 *
 * A check sends its own error reply and returns 0; the proceed then does
 * the work.  Faults that change which error is given sit in the checks;
 * faults that change what success does sit in the proceeds.
 */
#include "server_int.h"

#include <stdlib.h>
#include <string.h>

#include "tls.h"
#include "util.h"

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
int
srv_has_arg(const struct syn_command *c)
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

	/* data-354-no-rcpt: RFC 2920 3.2 binds only PIPELINING servers. */
	if (!fault(s, SRV_M_DATA_354_NO_RCPT))
		ext[n++] = "PIPELINING";
	ext[n++] = fault(s, SRV_F_SIZE_KEYWORD_UNIT) ? "SIZE 10MB" :
	    fault(s, SRV_M_SIZE_UNLIMITED) ? "SIZE" : "SIZE 10485760";
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
	if (!s->srv->tls_failed && (!s->tls || fault(s, SRV_F_TLS_STARTTLS_AGAIN)))
		srv_sess_reply(s, "250-STARTTLS");
	for (i = 0; i < n; i++)
		srv_sess_reply(s, "%d%c%s",
		    i + 1 < n ? 250 : fault(s, SRV_F_MIXED_CODE_MULTILINE) ?
		    251 : 250, i + 1 < n ? '-' : ' ', ext[i]);
}

/* HELO and EHLO (RFC 5321 4.1.1.1): a Domain or address literal. */
static int
check_helo(struct srv_sess *s, const struct syn_command *c)
{
	int ehlo = c->verb == SYN_EHLO;

	if (ehlo && fault(s, SRV_F_NO_EHLO)) {
		srv_sess_reply(s, NOT_RECOGNIZED);
		return 0;
	}
	if (s->helo && fault(s, SRV_M_SECOND_HELO_REFUSED)) {
		srv_sess_reply(s, "550 5.7.1 Error: already greeted");
		return 0;
	}
	if (s->helo && fault(s, SRV_F_SECOND_HELO_503)) {
		srv_sess_reply(s, "503 5.5.1 Error: duplicate HELO/EHLO");
		return 0;
	}
	if (c->arg_len == 0 && fault(s, SRV_F_EHLO_NO_ARG_OK))
		return 1;
	/* syntax-500 for the missing argument only: invalid characters
	 * MUST get 501 (RFC 5321 4.1.2). */
	if (c->arg_len == 0) {
		srv_sess_syntax(s, ehlo ? "501 5.5.4 Syntax: EHLO hostname" :
		    "501 5.5.4 Syntax: HELO hostname");
		return 0;
	}
	if (syn_check_ehlo_arg(c->arg, c->arg_len) &&
	    !fault(s, SRV_F_EHLO_ANY_NAME)) {
		srv_sess_reply(s, "501 5.5.4 Syntax: %s hostname",
		    ehlo ? "EHLO" : "HELO");
		return 0;
	}
	return 1;
}

static void
proceed_helo(struct srv_sess *s, const struct syn_command *c)
{
	int ehlo = c->verb == SYN_EHLO;

	s->helo = 1;
	s->ehlo = ehlo;
	/* RFC 5321 4.1.4: HELO/EHLO in a transaction acts as RSET. */
	if (s->state < S_MAIL || !fault(s, SRV_F_EHLO_KEEPS_TRANSACTION))
		srv_sess_enter(s, S_HELO);
	srv_dlv_helo(s, c);
	if (ehlo || fault(s, SRV_F_HELO_MULTILINE))
		reply_ehlo(s, c);
	else
		srv_sess_reply(s, "250 %s", SRV_HOSTNAME);
}

static int
check_rset(struct srv_sess *s, const struct syn_command *c)
{
	if (srv_has_arg(c) && !fault(s, SRV_F_RSET_ARG_OK)) {
		srv_sess_reply(s, "501 5.5.4 Syntax: RSET");
		return 0;
	}
	if (!s->helo && fault(s, SRV_F_RSET_NEEDS_HELO)) {
		srv_sess_reply(s, "503 5.5.1 Error: send HELO/EHLO first");
		return 0;
	}
	return 1;
}

static void
proceed_rset(struct srv_sess *s, const struct syn_command *c)
{
	(void)c;
	if (s->deep_bdat && fault(s, SRV_F_DEEP_CRASH)) {
		if (s->srv->crash_abort)
			abort(); /* the fault: a real crash, for the fuzzer to see */
		srv_sess_close(s);
		return;
	}
	if (!fault(s, SRV_F_RSET_KEEPS_TRANSACTION))
		srv_sess_enter(s, srv_sess_idle(s));
	srv_sess_reply(s, "250 2.0.0 Ok");
}

static int
check_noop(struct srv_sess *s, const struct syn_command *c)
{
	/* RFC 5321 4.1.1.9: a NOOP argument is ignored. */
	if (srv_has_arg(c) && fault(s, SRV_F_NOOP_ARG_501)) {
		srv_sess_reply(s, "501 5.5.4 Syntax: NOOP");
		return 0;
	}
	return 1;
}

static void
proceed_noop(struct srv_sess *s, const struct syn_command *c)
{
	(void)c;
	if (s->state >= S_MAIL && fault(s, SRV_F_NOOP_RESETS_TRANSACTION))
		srv_sess_enter(s, srv_sess_idle(s));
	srv_sess_reply(s, "250 2.0.0 Ok");
	if (fault(s, SRV_F_UNSOLICITED_REPLY))
		srv_sess_reply(s, "250 2.0.0 Ok");
}

static int
check_quit(struct srv_sess *s, const struct syn_command *c)
{
	if (srv_has_arg(c)) {
		srv_sess_reply(s, "501 5.5.4 Syntax: QUIT");
		return 0;
	}
	if (s->state == S_CONNECTED && fault(s, SRV_F_QUIT_NEEDS_HELO)) {
		srv_sess_reply(s, "503 5.5.1 Error: send HELO/EHLO first");
		return 0;
	}
	return 1;
}

static void
proceed_quit(struct srv_sess *s, const struct syn_command *c)
{
	(void)c;
	srv_dlv_quit(s);	/* completed-lost hands over only now */
	if (fault(s, SRV_F_QUIT_250))
		srv_sess_reply(s, "250 2.0.0 Ok");
	else
		srv_sess_reply(s, "221 2.0.0 Bye");
	if (fault(s, SRV_F_QUIT_NO_CLOSE))
		return;
	srv_sess_close(s);
	if (s->tls_up && fault(s, SRV_F_TLS_CLOSE_WAIT)) {
		/* TLS closed, the connection left to the client. */
		tls_close_notify(s->tls, &s->out);
		s->hold_open = 1;
		s->deadline = util_now_ms() + CLOSE_WAIT_MS;
		srv_sess_arm(s);
	}
}

static int
check_vrfy(struct srv_sess *s, const struct syn_command *c)
{
	if (c->arg_len == 0 && fault(s, SRV_F_VRFY_NO_ARG_250)) {
		srv_sess_reply(s, "250 2.1.5 Ok");
		return 0;
	}
	if (fault(s, SRV_F_VRFY_UNRECOGNIZED)) {
		srv_sess_reply(s, NOT_RECOGNIZED);
		return 0;
	}
	if (c->arg_len == 0) {
		srv_sess_syntax(s, "501 5.5.4 Syntax: VRFY address");
		return 0;
	}
	return 1;
}

static void
proceed_vrfy(struct srv_sess *s, const struct syn_command *c)
{
	(void)c;
	srv_sess_reply(s, "252 2.0.0 Cannot VRFY user; "
	    "try RCPT to attempt delivery");
}

static int
check_expn(struct srv_sess *s, const struct syn_command *c)
{
	if (c->arg_len == 0) {
		srv_sess_syntax(s, "501 5.5.4 Syntax: EXPN mailing-list");
		return 0;
	}
	return 1;
}

static void
proceed_expn(struct srv_sess *s, const struct syn_command *c)
{
	(void)c;
	srv_sess_reply(s, "502 5.5.1 EXPN not available");
}

static void
proceed_help(struct srv_sess *s, const struct syn_command *c)
{
	/* A multi-line reply: every line carries the enhanced code (RFC 2034
	 * 4), but for the enhanced-first-line-only fault. */
	const char *code = fault(s, SRV_F_ENHANCED_FIRST_LINE_ONLY) ? "" :
	    "2.0.0 ";

	(void)c;
	if (fault(s, SRV_M_HELP_UNKNOWN)) {
		srv_sess_reply(s, NOT_RECOGNIZED);
		return;
	}
	if (fault(s, SRV_F_HELP_BARE_LF))
		buf_puts(&s->out, "214-2.0.0 Commands:\n");
	srv_sess_reply(s, "214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET");
	srv_sess_reply(s, "214-%sNOOP QUIT VRFY EXPN HELP AUTH", code);
	srv_sess_reply(s, "214 %sEnd of HELP info", code);
}

/* Known verbs of extensions or older RFCs that this server does not offer. */
static void
proceed_unoffered(struct srv_sess *s, const struct syn_command *c)
{
	(void)c;
	if (fault(s, SRV_M_UNKNOWN_502))
		srv_sess_reply(s, NOT_RECOGNIZED);
	else
		srv_sess_reply(s, "502 5.5.1 Error: command not implemented");
}

/* RFC 3207 4: 220 and the handshake; no parameters; not inside TLS.  The
 * input pauses until the handshake is over (srv_sess_process). */
static int
check_starttls(struct srv_sess *s, const struct syn_command *c)
{
	if (fault(s, SRV_F_TLS_UNIMPLEMENTED)) {
		srv_sess_reply(s, "502 5.5.1 Error: command not implemented");
		return 0;
	}
	if (srv_has_arg(c) && !fault(s, SRV_F_TLS_PARAMS_OK)) {
		srv_sess_reply(s, "501 5.5.4 Syntax: STARTTLS");
		return 0;
	}
	if (s->tls && !fault(s, SRV_F_TLS_SECOND_STARTTLS)) {
		srv_sess_reply(s, "503 5.5.1 Error: TLS already active");
		return 0;
	}
	if (!srv_tls_ctx(s->srv)) {
		srv_sess_reply(s, "454 4.7.0 TLS not available due to temporary reason");
		return 0;
	}
	return 1;
}

static void
proceed_starttls(struct srv_sess *s, const struct syn_command *c)
{
	(void)c;
	srv_sess_reply(s, "220 2.0.0 Ready to start TLS");
	/* A reply to no command where the TLS handshake must start: the
	 * client's TLS reads it as a record (RFC 3207 4, TX-10). */
	if (fault(s, SRV_F_TLS_220_PLAINTEXT))
		srv_sess_reply(s, "250 2.0.0 plaintext behind the 220");
	if (!s->tls)
		s->tls = tls_conn_new(s->srv->tls_ctx, 1, NULL);
}

/* RFC 3207 4: a client that must use TLS gets 530 for everything but
 * NOOP, EHLO, HELO, STARTTLS and QUIT until it has.  Returns 1 if the
 * command was answered here. */
static int
tls_gate(struct srv_sess *s, const struct syn_command *c)
{
	if (c->verb == SYN_EHLO || c->verb == SYN_HELO)
		s->auth_required = util_ieq(c->arg, c->arg_len, SRV_SUBMISSION_CLIENT);
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
	if (c->verb == SYN_BDAT)
		srv_bdat_refused(s, c, "530 5.7.0 Must issue a STARTTLS command first");
	else
		srv_sess_reply(s, "530 5.7.0 Must issue a STARTTLS command first");
	return 1;
}

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

/* Faults that answer a command by its verb and argument in place of its
 * handler: returns 1 when the command was answered.  May also strip c's
 * argument (no-arg-check). */
static int
fault_answers_command(struct srv_sess *s, struct syn_command *c)
{
	int ehlo = c->verb == SYN_EHLO || c->verb == SYN_HELO;
	int mail = c->verb == SYN_MAIL, rcpt = c->verb == SYN_RCPT;

	/* RFC 5321 4.1.4 lets a server accept MAIL before EHLO, or a nested
	 * MAIL; these two faults add what makes that a bug: the transaction
	 * survives the first EHLO, or the nested MAIL drops it. */
	if (ehlo && fault(s, SRV_F_MAIL_BEFORE_HELO) && !s->helo &&
	    s->state >= S_MAIL && c->arg_len > 0 &&
	    syn_check_ehlo_arg(c->arg, c->arg_len) == NULL) {
		s->helo = 1;
		srv_dlv_helo(s, c);
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
	if (ehlo && c->arg_len > 0 && c->arg[0] == '[') {
		if (fault(s, SRV_F_LITERALS_REJECTED)) {
			srv_sess_reply(s, "501 5.5.4 Syntax: %s hostname",
			    c->verb == SYN_EHLO ? "EHLO" : "HELO");
			return 1;
		}
		if (fault(s, SRV_F_EHLO_LITERAL_503)) {
			srv_sess_reply(s, "503 5.5.1 Error: address literal");
			return 1;
		}
		if (fault(s, SRV_M_EHLO_LITERAL_REFUSED)) {
			srv_sess_reply(s, "550 5.7.1 Address literals not "
			    "accepted");
			return 1;
		}
	}
	/* mail-path-500: "FROM:addr" and "FROM: <addr>" taken for junk. */
	if (mail && fault(s, SRV_F_MAIL_PATH_500) && c->arg_len >= 5 &&
	    util_ieq(c->arg, 5, "FROM:") && (c->arg_len == 5 ||
	    c->arg[5] == ' ' || memchr(c->arg, '<', c->arg_len) == NULL)) {
		srv_sess_reply(s, NOT_RECOGNIZED);
		return 1;
	}
	if (rcpt && s->state >= S_MAIL && fault(s, SRV_F_RCPT_LIMIT_50) &&
	    s->nrcpt >= 50) {
		srv_sess_reply(s, "452 4.5.3 Too many recipients");
		return 1;
	}
	return 0;
}

/* Faults that refuse the path of a MAIL or RCPT the normal handler would
 * accept: returns 1 when the command was answered. */
static int
fault_answers_path(struct srv_sess *s, const struct syn_command *c)
{
	struct syn_mail_args a;
	const struct syn_path *p = fault_path(s, c, &a);
	int mail = c->verb == SYN_MAIL, rcpt = c->verb == SYN_RCPT;
	const char *bad = mail ? "501 5.1.7 Bad sender address syntax" :
	    "501 5.1.3 Bad recipient address syntax";

	if (p == NULL)
		return 0;
	if (mail && fault(s, SRV_M_STRICT_SENDER_PATHS) &&
	    (p->domain_kind >= SYN_DOMAIN_IPV4 || p->has_route ||
	    p->local_quoted)) {
		srv_sess_reply(s, "553 5.1.7 Sender address rejected");
		return 1;
	}
	/* RFC 5321 3.6.1: "SMTP servers MAY decline ... to accept
	 * addresses that specify source routes". */
	if (fault(s, SRV_M_SOURCE_ROUTES_REFUSED) && p->has_route) {
		srv_sess_reply(s, "550 5.7.1 Source routes not accepted");
		return 1;
	}
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

/* The commands (OpenSMTPD's table): check (NULL: none) then proceed. */
static const struct {
	enum syn_verb verb;
	int (*check)(struct srv_sess *, const struct syn_command *);
	void (*proceed)(struct srv_sess *, const struct syn_command *);
} cmds[] = {
	{ SYN_HELO,	check_helo,	proceed_helo },
	{ SYN_EHLO,	check_helo,	proceed_helo },
	{ SYN_MAIL,	srv_check_mail,	srv_proceed_mail },
	{ SYN_RCPT,	srv_check_rcpt,	srv_proceed_rcpt },
	{ SYN_DATA,	srv_check_data,	srv_proceed_data },
	{ SYN_RSET,	check_rset,	proceed_rset },
	{ SYN_NOOP,	check_noop,	proceed_noop },
	{ SYN_QUIT,	check_quit,	proceed_quit },
	{ SYN_VRFY,	check_vrfy,	proceed_vrfy },
	{ SYN_EXPN,	check_expn,	proceed_expn },
	{ SYN_HELP,	NULL,		proceed_help },
	{ SYN_TURN,	NULL,		proceed_unoffered },
	{ SYN_SEND,	NULL,		proceed_unoffered },
	{ SYN_SOML,	NULL,		proceed_unoffered },
	{ SYN_SAML,	NULL,		proceed_unoffered },
	{ SYN_ETRN,	NULL,		proceed_unoffered },
	{ SYN_ATRN,	NULL,		proceed_unoffered },
	{ SYN_STARTTLS,	check_starttls,	proceed_starttls },
	{ SYN_AUTH,	srv_check_auth,	srv_proceed_auth },
	{ SYN_BDAT,	NULL,		srv_proceed_bdat },
};

/* -- end of core suite faults -- */

/* pipelining-holds-replies: MAIL, RCPT and RSET replies wait for a
 * command that is not one of them (RFC 2920 3.2 (5)-(7) forbid it). */
static void
pipelining_hold(struct srv_sess *s, const char *line, size_t len)
{
	s->holding = 0;
	if (fault(s, SRV_F_PIPELINING_HOLDS_RSET)) {
		if (len == 4 && util_ieq(line, 4, "RSET"))
			s->holding = 1;
		else if (s->held.len > 0) {
			srv_sess_emit(s, s->held.data, s->held.len);
			buf_reset(&s->held);
		}
		return;
	}
	if (!fault(s, SRV_F_PIPELINING_HOLDS_REPLIES))
		return;
	if (len >= 4 && (util_ieq(line, 4, "MAIL") ||
	    util_ieq(line, 4, "RCPT") || util_ieq(line, 4, "RSET")))
		s->holding = 1;
	else if (s->held.len > 0) {
		srv_sess_emit(s, s->held.data, s->held.len);
		buf_reset(&s->held);
	}
}

/* Refuse a command line with a CR, LF or control octet in it (-1, after the
 * reply); else 1 when it has octets above 127, 0 when it is ASCII. */
static int
line_octets(struct srv_sess *s, const char *line, size_t len)
{
	size_t i;
	int bare = 0, bad = 0, high = 0, inverb = 0, sp = 0;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];
		sp |= ch == ' ';
		if (ch == '\r' || ch == '\n')
			bare = 1;
		else if (ch < 0x20 || ch == 0x7f) {
			inverb |= !bad && !sp && i > 0;
			bad = 1;
		}
		else if (ch >= 0x80)
			high = 1;
	}
	if (bare) {
		s->bare_seen = 1;
		srv_sess_reply(s, "500 5.5.2 Error: bare CR or LF in command");
		return -1;
	}
	if (bad) {
		/* unknown-502: a control octet in the first word makes it a
		 * word that is no verb. */
		if (inverb && fault(s, SRV_M_UNKNOWN_502))
			srv_sess_reply(s, "502 5.5.2 Error: command not "
			    "implemented");
		else if (fault(s, SRV_F_REPLY_ECHOES_CONTROL))
			srv_sess_reply(s, "500 5.5.2 Error: invalid character in "
			    "command: %.*s", (int)len, line);
		else
			srv_sess_reply(s, "500 5.5.2 Error: invalid character in "
			    "command");
		return -1;
	}
	return high;
}

/* lenient-paths: "FROM:addr rest" or "FROM: <addr>" (TO: alike) rewritten
 * as "FROM:<addr> rest" into buf; 1 when c->arg now points there. */
static int
lenient_path(struct syn_command *c, char *buf, size_t cap)
{
	size_t k = c->verb == SYN_MAIL ? 5 : 3, i = k, j, n = c->arg_len;

	if (n <= k || !util_ieq(c->arg, k, c->verb == SYN_MAIL ? "FROM:" :
	    "TO:"))
		return 0;
	while (i < n && c->arg[i] == ' ')
		i++;
	if (i < n && c->arg[i] == '<') {
		if (i == k)
			return 0;
		/* only the blanks after the colon go */
		if (n - (i - k) > cap)
			return 0;
		memcpy(buf, c->arg, k);
		memcpy(buf + k, c->arg + i, n - i);
		c->arg_len = k + n - i;
		return 1;
	}
	for (j = i; j < n && c->arg[j] != ' '; j++)
		;
	if (j == i || n + 2 > cap)
		return 0;
	memcpy(buf, c->arg, k);
	buf[k] = '<';
	memcpy(buf + k + 1, c->arg + i, j - i);
	buf[k + 1 + (j - i)] = '>';
	memcpy(buf + k + 2 + (j - i), c->arg + j, n - j);
	c->arg_len = k + 2 + (j - i) + (n - j);
	return 1;
}

/* LMTP (RFC 2033 4.1): LHLO is EHLO by another name, and EHLO and HELO
 * are not LMTP commands.  Returns 1 when c was answered here. */
static int
lmtp_verb(struct srv_sess *s, struct syn_command *c)
{
	if (c->verb == SYN_EHLO || c->verb == SYN_HELO) {
		srv_sess_reply(s, "500 5.5.1 Error: this is LMTP, use LHLO");
		return 1;
	}
	if (c->verb == SYN_UNKNOWN && util_ieq(c->verb_text, c->verb_len,
	    "LHLO"))
		c->verb = SYN_EHLO;
	return 0;
}

/* One complete command line, without its line end. */
void
srv_sess_command(struct srv_sess *s, const char *line, size_t len)
{
	struct syn_command c;
	char lax[LINE_MAX_SMTP], lenient[LINE_MAX_EXT + 2];
	size_t i;
	int high, split;

	pipelining_hold(s, line, len);
	if (fault(s, SRV_F_LAX_OCTETS) && len <= sizeof(lax)) {
		for (i = 0; i < len; i++) {
			unsigned char ch = (unsigned char)line[i];
			lax[i] = ch != '\r' && ch != '\n' && (ch < 0x20 ||
			    ch >= 0x7f) ? 'x' : (char)ch;
		}
		line = lax;
	}
	if (s->bare_seen && fault(s, SRV_F_BARE_LF_LOSES_STATE) &&
	    !(len == 4 && util_ieq(line, 4, "QUIT"))) {
		srv_sess_reply(s, "503 5.5.1 Error: bad sequence of commands");
		return;
	}
	/* RFC 5321 2.3.8: CR and LF only appear together, as the line end. */
	if ((high = line_octets(s, line, len)) == -1)
		return;
	split = syn_split_command(line, len, &c) == NULL;
	if (s->no_service && !(split && c.verb == SYN_QUIT)) {
		/* RFC 5321 3.1: after a 554 greeting, 503 to all but QUIT. */
		srv_sess_reply(s, "503 5.5.1 Error: no SMTP service here");
		return;
	}
	if (split && s->srv->lmtp && lmtp_verb(s, &c))
		return;
	if (!split || c.verb == SYN_UNKNOWN) {
		/* unknown-502: a word that is no verb (not an empty or
		 * malformed line, RFC 5321 4.2.4) gets 502. */
		if (split && len > 0 && line[0] != ' ' &&
		    fault(s, SRV_M_UNKNOWN_502))
			srv_sess_reply(s, "502 5.5.2 Error: command not "
			    "implemented");
		else
			srv_sess_unknown(s);
		return;
	}
	/* RFC 6531 3.3: UTF-8 only in MAIL and RCPT arguments. */
	s->line_utf8 = high;
	if (high && (!(c.verb == SYN_MAIL || c.verb == SYN_RCPT) ||
	    syn_check_utf8(line, len) != NULL)) {
		srv_sess_reply(s, "500 5.5.2 Error: invalid character in command");
		return;
	}
	if (fault(s, SRV_F_CASE_SENSITIVE_VERBS))
		for (i = 0; i < c.verb_len; i++)
			if (c.verb_text[i] >= 'a' && c.verb_text[i] <= 'z') {
				srv_sess_unknown(s);
				return;
			}
	if ((c.verb == SYN_MAIL || c.verb == SYN_RCPT) &&
	    fault(s, SRV_M_LENIENT_PATHS) &&
	    lenient_path(&c, lenient, sizeof(lenient)))
		c.arg = lenient;
	if (c.verb == SYN_MAIL && fault(s, SRV_F_MESSAGE_LIMIT_CLOSE) &&
	    s->nqueued >= MESSAGE_LIMIT) {
		srv_sess_close(s); /* the fault: no reply, no 421 */
		return;
	}
	if (c.verb == SYN_VRFY && s->deep_msg2 && fault(s, SRV_F_DEEP_HANG))
		return; /* the fault: no reply, ever */
	if (tls_gate(s, &c) || fault_answers_command(s, &c) ||
	    fault_answers_path(s, &c))
		return;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (cmds[i].verb == c.verb) {
			if (cmds[i].check == NULL || cmds[i].check(s, &c))
				cmds[i].proceed(s, &c);
			return;
		}
	srv_sess_unknown(s);
}
