/*
 * session.h - the engine's client sessions (private to engine.c,
 * session.c, program.c and step*.c; not a public API).
 *
 * A session is a small program of operations: the standard opening, the
 * scenario's steps, and the teardown (QUIT, 221, close: RFC 5321 4.1.1.10,
 * CL-06).  ses_advance() (step.c) is the only place that moves a session
 * forward: it runs operations until one has to wait for the server (a
 * reply, the close, a quiet period), and every wait arms the session's one
 * deadline timer.  Whatever the server does, each session ends in
 * ses_finish() exactly once, which hands it back to the engine.
 *
 * session.c holds the session's life, its I/O and TLS; step.c the program
 * and one runner per step kind.
 */
#ifndef SMTPH_SESSION_H
#define SMTPH_SESSION_H

#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "ehlo.h"
#include "engine.h"
#include "failfast.h"
#include "loop.h"
#include "oracle.h"
#include "result.h"
#include "scenario.h"
#include "tls.h"
#include "transport.h"

#define SES_IN_CAP (1024 * 1024) /* unread server bytes we are willing to hold */

enum ses_phase { SES_OPENING, SES_STEPS, SES_TEARDOWN };

struct ses_op {
	const struct scn_step *st;
	enum ses_phase phase;
	int number; /* 1-based step number in SES_STEPS */
};

/* Where a starttls operation is (each phase is a new wait). */
enum ses_tls {
	SES_TLS_SEND,      /* STARTTLS (and injected bytes) to send */
	SES_TLS_REPLY,     /* its reply awaited */
	SES_TLS_HANDSHAKE, /* the handshake under way */
};

/* Where a sentinel operation is (step.c, run_sentinel). */
enum ses_sentinel {
	SES_SENT_SEND,    /* the command to send */
	SES_SENT_REPLY,   /* the next reply must be its own */
	SES_SENT_CONFIRM, /* another reply came first: is it an extra one (a
	                   * further reply follows) or the sentinel's answer? */
};

struct ses;
struct ses_dlv_texts;

/* How the standard opening authenticates (engine.c decides it from the
 * probe: the target answered 530 to MAIL and the profile gave credentials).
 * Scenarios whose opening is EHLO and which do not themselves send AUTH
 * (nor STARTTLS, for SES_AUTH_TLS) get, after EHLO: [STARTTLS, EHLO,]
 * AUTH PLAIN ${auth_plain} -> 235 (RFC 4954 4, RFC 4616). */
enum ses_auth {
	SES_AUTH_NONE,
	SES_AUTH_PLAIN,  /* AUTH PLAIN right after EHLO */
	SES_AUTH_TLS,    /* STARTTLS and EHLO first (AUTH answered 538, or not offered in clear) */
};

/* A reply the probe took for the engine: its code (0: none came) and its
 * text, CRLFs turned into spaces. */
struct ses_reply {
	int code;
	char *text;
};

/* The run's client TLS context.  Made on first use (ses_tls_start())
 * unless the engine made it at the start (settings that can be wrong: a CA
 * file, a client certificate, versions) or was given one: OpenSSL 3 reads
 * the whole CA bundle to make it, 80 ms that a run without TLS need not
 * pay.  Owned by the engine. */
struct ses_tls_ctx {
	struct tls_ctx *ctx;            /* NULL until made */
	const struct tls_opts *opts;
	int owned;                      /* ctx is the engine's to free */
};

/* What every session of a run shares; owned by the engine, outlives them. */
struct ses_env {
	const struct eng_opts *o;
	struct loop *loop;
	const struct tp_target *target; /* resolved: what sessions connect to */
	struct ses_tls_ctx *tls;
	struct tp_reaper *reaper;
	const struct scn_var *vars;     /* the run's variables (vars_merge) */
	size_t n_vars;
	enum ses_auth auth;             /* the opening's AUTH (and the probe's) */
	const struct ff *ff;            /* the engine's fail-fast state (failfast.h):
	                                 * arriving at the wait it found dead
	                                 * (ff->dead, after ff->verb) is an ERROR */
	struct oracle *oracle;          /* the delivery oracle, or NULL */
	double oracle_wait;             /* seconds a delivered step waits for its count */
	double oracle_settle;           /* ... and then for an extra message */
	const char *run_id;             /* 8 hex digits, unique to the run: tokens */
	unsigned *token_seq;            /* the run's token counter */
	/* Called once when a session's result is final (from ses_finish()). */
	void (*ended)(void *arg, struct ses *s);
	void *arg;
};

struct ses {
	const struct ses_env *env;
	const struct scn *scn;  /* NULL for the probe */
	struct res_result *res;
	int probe;
	struct ses_op *ops;
	size_t nops, capops, op;
	unsigned rep;
	uint64_t seq;           /* changes whenever the current wait changes */
	uint64_t seq_armed;     /* the seq the deadline timer belongs to */
	int fired;              /* the deadline of the current wait passed */
	uint64_t timer, scen_timer;
	int fd;
	pid_t pid;
	uint64_t exit_timer;    /* exec: its output closed, its exit not yet seen:
	                         * the close waits (input_ended in session.c) */
	int64_t exit_until;     /* and is taken then at the latest */
	int exit_signal;        /* tp_crash_status() of the program's end, once
	                         * collected: a crash, not a close (step.c) */
	int connecting;
	size_t addr_idx;
	int eof, write_failed, done;
	int awaiting_close;     /* after a 421 */
	enum res_status close_status;
	char *close_reason;
	struct buf in, out;
	int64_t t0;
	struct ehlo_caps *caps; /* from the last EHLO 250 in this session */
	int last_sent_ehlo;     /* the last command line sent was EHLO */
	struct scn_var *capv;   /* captures, later entries win */
	size_t ncapv;
	int greeting_code;
	int probe_ehlo_code;
	size_t op0;             /* the probe's greeting operation (1 after implicit TLS) */
	int last_code;          /* code of the last reply taken */
	struct tls_conn *tls;   /* after a starttls step or for smtps:// */
	int tls_up;             /* its handshake completed */
	enum ses_tls tls_phase;
	char *tls_failed;       /* why the handshake failed */
	struct buf hs_raw;      /* the first bytes received during the handshake */
	enum ses_sentinel sent_phase;
	int sent_extra;         /* the tolerated extra reply came */
	char *sent_other;       /* the reply that came instead of the sentinel's */
	int sent_other_code;
	enum ff_wait ff_timeout; /* the session wait whose deadline failed it */
	char ff_verb[FF_VERB_MAX]; /* FF_STEP_REPLY: the last verb sent then */
	char last_verb[FF_VERB_MAX]; /* the verb of the last write when it was
	                         * one whole command line ("." the end of
	                         * message data), else "" (ff_write_verb) */
	int reply_wait;         /* the current wait is for a reply (ses_arm_reply) */
	int greeting_421;       /* the greeting was 421 (a load limit?) */
	int greeted;            /* the greeting was 220: the server took the session */
	unsigned jobs_at_start; /* sessions allowed at once when it started (engine.c) */
	const char *charge;     /* the session rule (rules.h) the next ses_fail()
	                         * breaks when the step names no rule of its own */
	int charge_session;     /* ... even when it names one (a malformed reply) */
	unsigned n_errors;      /* 4yz/5yz replies taken so far (RFC 5321 7.8) */
	int warned_control;     /* control bytes in a reply reported already */
	struct ses_reply probe_auth, probe_mail, probe_rcpt; /* the probe's replies */
	char token[24];         /* ${token}: unique to the session (vars.h) */
	int dropped;            /* a disconnect step closed the connection */
	int drain_quit;         /* a drain step sent its QUIT */
	int64_t dlv_t0;         /* a delivered step: when it began (0: not yet) */
	int64_t dlv_changed;    /* ... when the number of its messages last changed */
	size_t dlv_n;           /* ... that number then */
	struct ses_dlv_texts *dlv_texts; /* ... its texts, expanded when it began
	                         * (owned; step_delivered.c) */
};

/* ---- session.c --------------------------------------------------------- */

/* A new session for scenario sc (NULL with probe = 1) writing into res; its
 * program is built but nothing is opened yet (ses_open()). */
struct ses *ses_new(const struct ses_env *env, const struct scn *sc, struct res_result *res,
    int probe);

/* Arm the scenario deadline, connect or spawn, and run as far as possible.
 * The session may have ended (env->ended called) on return. */
void ses_open(struct ses *s);

/* Free a session that has ended. */
void ses_free(struct ses *s);

/* End the session with status st (reason: heap copy kept unless PASS). */
void ses_finish(struct ses *s, enum res_status st, const char *reason);

/* Fail the current operation: its step, what it wanted, what came (both may
 * be NULL), and the printf-formatted reason prefixed with the step kind.
 * A FAIL is charged to the step's rule, else to the session rule s->charge
 * names (set it just before); the charge is then cleared. */
void ses_fail(struct ses *s, enum res_status st, const char *expected, const char *actual,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A note line in the transcript. */
void ses_note(struct ses *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Queue data for the server (through TLS when it is up), in the transcript. */
void ses_send(struct ses *s, const char *data, size_t len);

/* Write what is queued, as far as the socket takes it. */
void ses_flush(struct ses *s);

/* Arm the deadline of the current wait once (seconds from now); at a wait
 * the engine found dead (env->ff) the session ends as an ERROR instead. */
void ses_arm(struct ses *s, double seconds);

/* ses_arm() of a wait for a reply to what was sent (--timeout): one the
 * engine found dead after the last verb sent ends as an ERROR instead. */
void ses_arm_reply(struct ses *s);

/* A new wait begins: the deadline timer is cancelled and forgotten. */
void ses_new_wait(struct ses *s);

/* Which session wait (failfast.h) the current operation is, or FF_NONE for
 * a scenario's own step. */
enum ff_wait ses_wait_kind(const struct ses *s);

/* The wait kind a reply's deadline failed (FF_STEP_REPLY in the steps,
 * keyed by the last verb sent) and note its verb in s->ff_verb. */
enum ff_wait ses_reply_wait_kind(struct ses *s);

/* The session is at the wait the engine found dead (env->ff); for
 * FF_STEP_REPLY only a set-up step's (no rule of its own). */
int ses_at_dead_wait(const struct ses *s);

/* Start the client side of a TLS handshake on the connection (making the
 * run's context first if need be; if it cannot be made, the session ends
 * in ERROR). */
void ses_tls_start(struct ses *s);

/* After the handshake: forget what was learnt before (RFC 3207 4.2). */
void ses_tls_forget(struct ses *s);

/* The client drops the connection (a disconnect step): no QUIT, the
 * teardown is skipped, what the server sends is no longer read. */
void ses_drop(struct ses *s);

/* tmpl_lookup_fn over the session's variables (vars.h order); arg is s. */
const char *ses_var(void *arg, const char *name, size_t len);

/* ---- program.c --------------------------------------------------------- */

/* Build s->ops: opening, steps, teardown (or the probe's program: the
 * greeting, EHLO, the opening's AUTH if env->auth, then MAIL FROM:<${sender}>,
 * RCPT TO:<${recipient}>, RSET, QUIT, every reply accepted and the ones to
 * AUTH, MAIL and RCPT kept in probe_auth, probe_mail, probe_rcpt). */
void ses_build_program(struct ses *s);

/* Keep the probe's reply (code, n bytes of data) to its AUTH, MAIL or
 * RCPT for the engine, when the current operation is one of those. */
void ses_probe_keep(struct ses *s, int code, const char *data, size_t n);

/* 1 if op is the handshake of implicit TLS (smtps://) before the greeting. */
int ses_op_implicit_tls(const struct ses_op *op);

/* The index of the first operation after the teardown: a scenario's
 * trailing delivered steps, which run once the session is over (s->nops
 * when there are none). */
size_t ses_after_teardown(const struct ses *s);

/* ---- step.c ------------------------------------------------------------ */

/* Run the session as far as it can go, then flush what it wrote. */
void ses_advance(struct ses *s);

/* ---- step_delivered.c -------------------------------------------------- */

/* Free the texts a delivered step expanded when it began (s->dlv_texts;
 * none is fine). */
void ses_dlv_texts_free(struct ses *s);

#endif
