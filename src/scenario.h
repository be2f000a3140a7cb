/*
 * scenario.h - the scenario model: one YAML file, one SMTP session driven
 * step by step.  Built by the loader (loader.h), run by the engine
 * (engine.h).  A struct scn owns every byte it points to; scn_free()
 * releases all of it.  The grammar is documented in docs/scenarios.md.
 */
#ifndef SMTPH_SCENARIO_H
#define SMTPH_SCENARIO_H

#include <regex.h>
#include <stddef.h>

enum scn_level { SCN_MUST, SCN_SHOULD, SCN_MAY };

/* The standard opening a scenario names instead of repeating it. */
enum scn_opening {
	SCN_OPEN_NONE,     /* nothing: the first step reads the greeting itself */
	SCN_OPEN_GREETING, /* expect a 220 greeting */
	SCN_OPEN_HELO,     /* greeting, then HELO ${client_domain} -> 250 */
	SCN_OPEN_EHLO,     /* greeting, then EHLO ${client_domain} -> 250 (default) */
};

enum scn_step_kind {
	SCN_STEP_SEND,         /* a command line; CRLF added */
	SCN_STEP_SEND_RAW,     /* bytes exactly, with \r \n \t \0 \xHH \\ escapes */
	SCN_STEP_PIPELINE,     /* several command lines in one write */
	SCN_STEP_DATA,         /* a message body: CRLF lines, dot-stuffed, CRLF.CRLF added */
	SCN_STEP_EXPECT,       /* one reply, checked */
	SCN_STEP_EXPECT_CLOSE, /* the server closes (nothing more may arrive) */
	SCN_STEP_EXPECT_OPEN,  /* the server stays open and silent for `seconds` */
	SCN_STEP_WAIT,         /* pause for `seconds` */
	SCN_STEP_EXPECT_EXTRA, /* a reply the RFC says should not come, tolerated
	                        * with a warning (`text`) if it comes within `seconds` */
	SCN_STEP_STARTTLS,     /* STARTTLS (+ text: plaintext injected in the same
	                        * write), expect (default 220), then on 220 the
	                        * handshake; everything learnt before is forgotten */
	SCN_STEP_SENTINEL,     /* NOOP, RSET or QUIT (`text`): its reply must be the
	                        * next one, so an extra reply shows without a wait;
	                        * `expect` (when has_extra) is one tolerated extra
	                        * reply before it, reported with the warning `warn` */
	SCN_STEP_DISCONNECT,   /* the client drops the connection (no QUIT): only
	                        * delivered steps may follow */
	SCN_STEP_DRAIN,        /* QUIT, then read and drop what the server sends
	                        * until it closes (at most `seconds`, 0 =
	                        * --timeout; then the client drops it): no
	                        * verdict; only delivered steps may follow */
	SCN_STEP_DELIVERED,    /* what the delivery oracle saw for this session
	                        * (`dlv`): waits, bounded, for the messages */
};

/* A code pattern: three characters, each a digit or 'x' ("250", "5xx"). */
struct scn_code {
	char pat[4];
};

enum scn_capture_kind { SCN_CAPTURE_EHLO, SCN_CAPTURE_REGEX };

struct scn_capture {
	char *name;
	enum scn_capture_kind kind;
	char *source; /* EHLO keyword, or the regular expression's source */
	regex_t re;   /* compiled when kind == SCN_CAPTURE_REGEX */
};

struct scn_expect {
	struct scn_code *codes; /* any of these; none means "any valid reply" */
	size_t n_codes;
	struct scn_code *prefer; /* the codes the RFC recommends among `codes`: any */
	size_t n_prefer;         /* other accepted code passes with a warning */
	struct scn_code *stop;   /* among `codes`: the server declined what the rest */
	size_t n_stop;           /* tests, so the scenario ends here (teardown, PASS) */
	struct scn_code *skip;   /* not among `codes`: the server legally declined what */
	size_t n_skip;           /* the scenario needs: it ends SKIP, no verdict */
	char *text;             /* POSIX ERE over the reply text (lines joined by \n) */
	regex_t text_re;
	char *enhanced;         /* "5.1.1", "5.x.x", or "present" (class must match code) */
	char **ehlo_has;        /* EHLO keywords that must be advertised */
	size_t n_ehlo_has;
	char **ehlo_lacks;      /* EHLO keywords that must not be advertised */
	size_t n_ehlo_lacks;
	int single_line;        /* the reply must be one line */
	int ehlo_valid;         /* the reply must follow ehlo-ok-rsp (RFC 5321 4.1.1.1) */
	struct scn_capture *captures;
	size_t n_captures;
};

/* A delivered step (docs/scenarios.md): the messages the delivery oracle
 * saw carrying the session's ${token}, and checks on one of them.  Texts
 * are templates, expanded at run time; NULL/0: not checked. */
struct scn_delivered {
	unsigned count;          /* exactly this many messages ... */
	int at_most;             /* ... or (at_most:) no more than count */
	int missing_fails;       /* missing: fail: fewer than count within the
	                          * wait breaks the rule (else SKIP: a server may
	                          * deliver late, or bounce after its 250) */
	unsigned message;        /* 1-based: the message the checks read */
	char *mail_from;         /* the reverse-path as delivered, without <> */
	char **rcpt_to;          /* the forward-paths as delivered (any order) */
	size_t n_rcpt_to;
	char **mail_params;      /* "KEY=VALUE" (or "KEY") MAIL carried on */
	size_t n_mail_params;
	char **rcpt_params;      /* the same for every recipient */
	size_t n_rcpt_params;
	char *body;              /* the body after the header section, exactly
	                          * (send_raw's escapes) */
	size_t body_len;
	int has_body;
	char **header_has;       /* header field names present */
	size_t n_header_has;
	char **header_lacks;     /* header field names absent */
	size_t n_header_lacks;
	char *header_first;      /* the first field below any Return-Path: */
	char *headers;           /* ERE over the header section, per line */
	regex_t headers_re;
};

/* What a scenario needs of the delivery oracle (requires.oracle). */
enum scn_oracle_need {
	SCN_ORACLE_NONE,   /* no delivered step */
	SCN_ORACLE_ANY,    /* any oracle (the default with a delivered step) */
	SCN_ORACLE_FINAL,  /* the final delivery: builtin, maildir, mbox */
	SCN_ORACLE_RELAY,  /* a next hop: sink, lmtp */
};

/* A requirement the scenario enforces: a catalogue id, the RFC section and
 * the RFC's own words (with its MUST/SHOULD).  A FAIL at a step that names
 * a rule reports that rule. */
struct scn_rule {
	char *id;    /* catalogue id, "TX-05" */
	char *ref;   /* "RFC 5321 3.3" */
	char *quote; /* verbatim RFC text */
};

struct scn_step {
	enum scn_step_kind kind;
	int line, col;       /* 1-based position of the step in its file */
	char *text;          /* send/send_raw/data: source text (variables unexpanded);
	                      * expect_extra: the warning; sentinel: the command */
	size_t text_len;
	char **lines;        /* pipeline: command lines */
	size_t n_lines;
	unsigned repeat;     /* >= 1 */
	double seconds;      /* wait, expect_open; expect_close: 0 = --timeout */
	struct scn_expect expect;
	int has_extra;       /* sentinel: `expect` is the tolerated extra reply */
	char *warn;          /* sentinel: the warning when that reply comes */
	struct scn_delivered *dlv; /* delivered: owned */
	const struct scn_rule *rule; /* the requirement this step enforces (points
	                              * into scn.rules), or NULL: a set-up step */
};

/* requires.extension_params: the keyword's parameters must match. */
struct scn_require_param {
	char *keyword;
	char *source;
	regex_t re;
};

struct scn_var {
	char *name;
	char *value;
};

struct scn {
	char *file;
	int line, col;       /* where the document starts */
	char *id;
	char *title;
	char *description;
	enum scn_level level;
	char **refs;         /* "RFC 5321 4.1.1.10" or catalogue ids "TM-01" */
	size_t n_refs;
	char **tags;
	size_t n_tags;
	char **requires_ext; /* EHLO keywords the target must advertise */
	size_t n_requires_ext;
	struct scn_require_param *requires_params;
	size_t n_requires_params;
	char **requires_vars; /* variables the profile must set (non-empty) */
	size_t n_requires_vars;
	enum scn_oracle_need requires_oracle; /* a delivered step needs one */
	enum scn_opening opening;
	double timeout;      /* whole-scenario deadline in seconds; 0 = engine default */
	struct scn_var *vars; /* scenario defaults, overridden by profile and --var */
	size_t n_vars;
	struct scn_rule *rules; /* what the scenario enforces (`rules:`) */
	size_t n_rules;
	struct scn_step *steps;
	size_t n_steps;
};

void scn_free(struct scn *s);

const char *scn_level_name(enum scn_level l);
const char *scn_step_kind_name(enum scn_step_kind k);
const char *scn_opening_name(enum scn_opening o);

/* 1 if code (100..999) matches pattern p. */
int scn_code_match(const struct scn_code *p, int code);
/* 1 if a ref is a catalogue id such as "TM-01" or "TLS-07". */
int scn_ref_is_catalogue_id(const char *ref);

/* 1 if an RFC quote carries an RFC 2119 keyword of the given strength, as a
 * whole word in any case (RFC 1870, 2034 and 6152 write "must" and "should"
 * in lower case): should == 0 asks for MUST, SHALL or REQUIRED, should == 1
 * for SHOULD or RECOMMENDED.  ("MUST NOT" and "SHOULD NOT" count.) */
int scn_quote_has(const char *quote, int should);
/* 1 if the scenario carries tag t. */
int scn_has_tag(const struct scn *s, const char *t);
/* 1 if one of the scenario's steps sends command verb (e.g. "MAIL"): a send
 * or pipeline line that starts with it, a send_raw text with a line that
 * does (any case), or, for "STARTTLS", a starttls step. */
int scn_sends(const struct scn *s, const char *verb);

#endif
