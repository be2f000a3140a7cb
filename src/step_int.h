/*
 * step_int.h - what the runners of step*.c share (private to them): how a
 * reply, a close and unasked bytes are judged (step.c), what a step puts on
 * the wire (step_send.c), and the runners the dispatch table of step.c
 * takes from the other files.
 */
#ifndef SMTPH_STEP_INT_H
#define SMTPH_STEP_INT_H

#include "reply.h"
#include "session.h"

#define MAX_REPLY_LINES 256    /* lines whose text is kept; more are counted */
#define MAX_WARNINGS 32        /* a step with repeat: 1000 warns at most this often */

enum got { GOT_WAIT, GOT_DONE, GOT_STOP, GOT_FAILED };

/* A sentinel operation starts afresh. */
void stp_sentinel_reset(struct ses *s);
/* Consume n bytes (a 421) and wait for the close that must follow; the
 * session then ends with st and reason (heap, taken over). */
void stp_await_close(struct ses *s, size_t n, enum res_status st, char *reason);

/* The current operation is done (whole_step: every repeat of it). */
void stp_next_op(struct ses *s, int whole_step);
/* stop_if said the rest of the steps do not apply: on to the teardown. */
void stp_stop_here(struct ses *s);
/* No reply came within the wait: fail the step (to: what it answers). */
void stp_fail_no_reply(struct ses *s, const struct scn_expect *x, const char *to);
/* The session rule a close breaks here (TM-03, or TM-01 in the teardown). */
const char *stp_close_rule(const struct ses *s);
/* A close or 421 after two or more error replies: SKIP, reported.  1 if so. */
int stp_ended_by_server(struct ses *s, const char *how);
/* A reply that breaks RFC 5321 4.2: the session fails. */
enum got stp_malformed(struct ses *s, const struct reply_opts *opts,
    const struct reply_error *err);
/* Only part of a reply (or none) and the connection closed. */
enum got stp_closed_in_reply(struct ses *s, const struct scn_expect *x);
/* Control bytes in a reply: one warning a session. */
void stp_warn_control(struct ses *s);
/* The next reply of the input into *r: GOT_DONE with *n its length (not
 * consumed), GOT_WAIT, or GOT_FAILED (malformed: the session failed). */
enum got stp_parse(struct ses *s, struct reply *r, size_t *n);
/* One reply for the current operation, judged against x and applied
 * (captures, 421, skip_if, stop_if): GOT_DONE, GOT_STOP, GOT_WAIT or
 * GOT_FAILED (the session ended). */
enum got stp_take_reply(struct ses *s, const struct scn_expect *x);
/* Bytes that arrived though no reply was awaited.  1 if there were. */
int stp_unsolicited(struct ses *s);

/* ---- step_send.c ---------------------------------------------------------- */

/* The server closed before a send: 1 if the session ended. */
int stp_closed_before_send(struct ses *s);
/* Queue what step st (send, send_raw, pipeline, data, starttls) puts on the
 * wire, its ${variables} expanded; s->last_sent_ehlo says whether its last
 * command line is EHLO.  0 if a text cannot be expanded (the session ended
 * in ERROR). */
int stp_send_step(struct ses *s, const struct scn_step *st);

/* ---- the runners of the other files (1: go on, 0: wait or ended) ------ */

/* step_send.c: send, send_raw, pipeline and data. */
int stp_run_send(struct ses *s, const struct ses_op *op);
/* step_starttls.c: STARTTLS, its reply and the handshake (or implicit TLS's). */
int stp_run_starttls(struct ses *s, const struct ses_op *op);
/* step_sentinel.c: the runner of a sentinel step. */
int stp_run_sentinel(struct ses *s, const struct ses_op *op);
/* step_delivered.c: the client drops the connection; the delivery
 * oracle's verdict on the session's messages. */
int stp_run_disconnect(struct ses *s, const struct ses_op *op);
int stp_run_drain(struct ses *s, const struct ses_op *op);
int stp_run_delivered(struct ses *s, const struct ses_op *op);

#endif
