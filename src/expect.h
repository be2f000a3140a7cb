/*
 * expect.h - the verdict on one reply: a parsed reply (reply.h) and an
 * `expect` step (scenario.h) in, pass or fail out, with what was wanted and
 * what came rendered for the report, the warning and stop branches the step
 * allows, and the captures to set.  Pure: no sockets, no session, no clock;
 * the engine applies the result.
 */
#ifndef SMTPH_EXPECT_H
#define SMTPH_EXPECT_H

#include <stddef.h>

#include "buf.h"
#include "ehlo.h"
#include "reply.h"
#include "scenario.h"

enum exp_verdict { EXP_PASS, EXP_FAIL };

struct exp_result {
	enum exp_verdict verdict;
	char *reason;       /* EXP_FAIL: why, one line */
	char *expected;     /* EXP_FAIL: what the step wanted (exp_describe) */
	char *actual;       /* EXP_FAIL: the reply as it came (res_render) */
	char *prefer;       /* EXP_PASS: the codes the RFC prefers ("250, 251")
	                     * when the reply carries another: a warning; else NULL */
	int skip;           /* EXP_PASS: a skip_if code: the server declined what
	                     * the scenario needs; it ends SKIP (nothing else set) */
	int stop;           /* EXP_PASS: a stop_if code: the rest of the steps
	                     * do not apply */
	struct ehlo_caps *caps; /* EXP_PASS: the 250 reply to an EHLO parsed as
	                         * keywords, the session's new ones; else NULL */
	struct scn_var *captures; /* EXP_PASS: variables to set, in order */
	size_t n_captures;
};

/*
 * Judge reply r, whose bytes are raw[0..rawlen), against x.  known: the
 * keywords of the session's last EHLO (NULL: none); after_ehlo: the command
 * the reply answers is EHLO.  Every line of r up to lines_cap is read.
 * Fills *out (heap strings and arrays; release with exp_result_free()) and
 * returns out->verdict.
 */
enum exp_verdict exp_check(const struct scn_expect *x, const struct reply *r,
    const char *raw, size_t rawlen, const struct ehlo_caps *known, int after_ehlo,
    struct exp_result *out);

/*
 * A 421 came where x was awaited (RFC 5321 3.8: service withdrawn, the
 * close must follow).  Returns 1 when x lists 421 among its codes, 0 when
 * the 421 ends the session without a verdict, or -1 when it fails x: 421 in
 * answer to a single invalid command (x expects only 5xx codes); *out is
 * then filled as by exp_check(), raw[0..rawlen) being the reply.
 */
int exp_on_421(const struct scn_expect *x, const char *raw, size_t rawlen,
    struct exp_result *out);

/* Append what x wants, in words ("one of 250, 251; text matching /x/"). */
void exp_describe(const struct scn_expect *x, struct buf *b);

/* Free what exp_check() put in r and zero it. */
void exp_result_free(struct exp_result *r);

#endif
