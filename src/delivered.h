/*
 * delivered.h - the verdict of a `delivered` step (docs/scenarios.md):
 * pure, like expect.c.  The messages the delivery oracle saw carrying the
 * session's token, the step's expectation with its texts expanded, and the
 * clock of the wait in; wait, pass, fail or skip out, with the reason.
 */
#ifndef SMTPH_DELIVERED_H
#define SMTPH_DELIVERED_H

#include <stddef.h>
#include <stdint.h>

#include "oracle.h"
#include "scenario.h"

/* The step with its templates expanded (the caller's strings). */
struct dlv_want {
	const struct scn_delivered *d;
	const char *mail_from;            /* NULL when d->mail_from is */
	char *const *rcpt_to;             /* d->n_rcpt_to of them */
	char *const *mail_params;         /* d->n_mail_params */
	char *const *rcpt_params;         /* d->n_rcpt_params */
	const char *body;                 /* escapes decoded; when d->has_body */
	size_t body_len;
};

/* Where the wait stands, in milliseconds.  The oracle may see a message
 * late (a relay's queue): the step waits up to within_ms for `count`, then
 * settle_ms more for any extra one (a smuggled second message); with
 * at_most, settle_ms after the last message came (or the step began). */
struct dlv_clock {
	int64_t waited_ms;   /* since the step began */
	int64_t settled_ms;  /* since the number of messages last changed (or
	                      * the step began) */
	int64_t within_ms;
	int64_t settle_ms;
};

enum dlv_verdict { DLV_WAIT, DLV_PASS, DLV_FAIL, DLV_SKIP };

/* The verdict on msgs[0..n) (oldest first).  FAIL at once when more than
 * count came; after within_ms with fewer (not for at_most); else, settled,
 * the checks on message w->d->message.  SKIP when a check needs
 * what the oracle cannot know (a maildir message without Return-Path:).
 * why gets the reason of FAIL and SKIP. */
enum dlv_verdict dlv_judge(const struct dlv_want *w, const struct orc_msg *const *msgs,
    size_t n, const struct dlv_clock *clk, char *why, size_t whylen);

/* One line on message m for the transcript: where it was seen, envelope,
 * size, the header field names and the start of the body, control bytes
 * escaped.  The length written (at most len - 1). */
size_t dlv_describe(const struct orc_msg *m, char *out, size_t len);

/* The header section of data[0..len): its length up to and including the
 * blank line's CRLF (len when there is none); *body the offset of the body. */
size_t dlv_header_len(const char *data, size_t len, size_t *body);

#endif
