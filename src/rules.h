/*
 * rules.h - the session rules the engine checks on every scenario, whatever
 * its steps say (docs/scenarios.md, "Session rules"), each with its
 * catalogue id, RFC section and the RFC's own words.  A FAIL the engine
 * finds outside a step that names a rule of its own is charged to one of
 * these, so every FAIL names one broken MUST or SHOULD.  The fuzzer's
 * oracles (fz_oracle.c) charge their findings to the same entries (and to
 * DT-02, the end of data, which only it charges outside a step).
 */
#ifndef SMTPH_RULES_H
#define SMTPH_RULES_H

struct rules_rule {
	const char *id;    /* catalogue id, "RF-01" */
	const char *ref;   /* "RFC 5321 4.2" */
	const char *quote; /* verbatim, with its keyword */
};

/* The session rule with catalogue id `id`, or NULL.  Static storage. */
const struct rules_rule *rules_session(const char *id);

/* 1 if catalogue id `id` names a requirement about closing the connection
 * (TM-01, TM-03, TX-09 "MUST NOT close ... as the result of receiving a
 * RSET"): a close at a step that enforces one is charged to it. */
int rules_about_close(const char *id);

#endif
