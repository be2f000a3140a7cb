/*
 * report_util.h - what the report writers share: the run they describe,
 * counts, names, safe strings, numbers, the readable transcript layout and
 * the XML escaper.  It depends on no writer; the writers (report_writers.h)
 * and the dispatch (report.h) depend on it.
 */
#ifndef SMTPH_REPORT_UTIL_H
#define SMTPH_REPORT_UTIL_H

#include <stdio.h>

#include "buf.h"
#include "catalogue.h"
#include "result.h"

struct rep_run {
	const char *target;     /* the target URL as given */
	const char *started_at; /* ISO 8601 UTC */
	double duration;        /* seconds, the whole run */
	const struct res_result *results;
	size_t n;
	int verbose;            /* text: also print transcripts of passing scenarios */
};

struct rep_counts {
	size_t total, pass, fail, skip, error, xfail, xpass;
	size_t warned; /* results (of any status) carrying warnings */
};

/* Deviations per requirement: the catalogue ids of the rules FAIL and
 * XFAIL results broke, each with how many scenarios broke it. */
struct rep_deviation {
	const char *id;    /* points into a result (res_result.rule_id) */
	const char *ref;
	const char *quote;
	size_t count;      /* fail + xfail */
	size_t fail;       /* new: not in the baseline */
	size_t xfail;      /* known: in the baseline */
	enum scn_level level;         /* SCN_MUST or SCN_SHOULD: rep_rule_level() */
	const struct cat_area *area;  /* the id's catalogue area, or NULL */
};

/* The run's deviations sorted by id, in a new array (free() it); *n its
 * length.  NULL when there are none. */
struct rep_deviation *rep_deviations(const struct rep_run *run, size_t *n);

/* The strength of the requirement a FAIL or XFAIL broke: SCN_MUST when its
 * quote says MUST (SHALL, REQUIRED) and not SHOULD, SCN_SHOULD when it says
 * SHOULD (RECOMMENDED) and not MUST; when it says both or neither, the
 * scenario's level decides (SCN_MUST for a level of may).  The rule's quote
 * and the scenario come from r. */
enum scn_level rep_rule_level(const struct res_result *r);

/* The catalogue area a result belongs to, for grouping: the area of its
 * scenario's first rule (`rules:`), else of its first ref that is a
 * catalogue id; NULL when neither names a known area. */
const struct cat_area *rep_result_area(const struct res_result *r);

/* "RFC 5321" from a rule ref "RFC 5321 4.1.1.4" (the first two words),
 * written into buf of size bytes; "" for NULL or a ref of one word. */
const char *rep_ref_rfc(const char *ref, char *buf, size_t size);

/* "opening", "steps" or "teardown": where a result's failing step is. */
const char *rep_phase(const struct res_result *r);

/* Count the run's results per status into *c. */
void rep_count(const struct rep_run *run, struct rep_counts *c);

/* 1 if a result of this status names a failing step (FAIL, ERROR, XFAIL). */
int rep_has_step(enum res_status s);

/* "must", "should", "may" ("?" for anything else). */
const char *rep_level_name(enum scn_level l);
/* "pass", "fail", "skip", "error", "xfail", "xpass" ("?" otherwise). */
const char *rep_status_lower(enum res_status s);

/* Append the C string s (NULL appends nothing) as one line of printable
 * ASCII: like res_render(), except that a backslash stays as it is, so text
 * res_render() already produced passes through unchanged.  For strings the
 * harness or the scenario author wrote (id, title, reason, expected, actual,
 * file names), which may still carry anything. */
void rep_clean(struct buf *out, const char *s);

/* Append secs as a locale-independent decimal with `decimals` (0..6)
 * digits; negative, NaN and infinite values print as 0. */
void rep_secs(struct buf *out, double secs, int decimals);

/* A transcript laid out for reading: one string per line of data,
 * "+0.012s S: rendered bytes".  A line ending in CRLF shows without it, one
 * ending in a bare LF shows "\n", a fragment without line end is marked
 * " [no line end]", and a very long line is cut with its byte count. */
struct rep_lines {
	char **line;     /* the lines kept, oldest first; owned */
	size_t n;
	size_t omitted;  /* earlier lines left out by `tail` */
};

/* Lay out tr; tail > 0 keeps only the last tail lines of data (0 keeps all).
 * A last line reports tr->dropped when bytes were not kept.  Free with
 * rep_lines_free(). */
void rep_transcript_lines(struct rep_lines *out,
    const struct res_transcript *tr, size_t tail);
void rep_lines_free(struct rep_lines *l);

/* How many transcript lines text, junit and tap show (the json report has
 * the whole transcript). */
#define REP_TAIL_LINES 40

/* Write b to f and empty it: 0, or -1 if the write failed (b is emptied
 * either way).  The writers build their output in pieces through this. */
int rep_flush(FILE *f, struct buf *b);

/* How rep_xml_escape() writes what XML makes special. */
enum rep_xml_ctx {
	REP_XML_TEXT, /* character data: a line feed stays */
	REP_XML_ATTR, /* an attribute value: a line feed is &#10; (else a parser
	               * normalises it to a space, XML 1.0 3.3.3) */
	REP_XML_HTML, /* HTML text or attribute: ' is &#39; (HTML 4 has no &apos;) */
};

/* Append s[0..len) with & < > " ' as entities.  The input is printable
 * ASCII already (res_render, rep_clean); any other byte is rendered as
 * res_render() does rather than trusted: a control character is not
 * allowed in XML even as a reference (2.2). */
void rep_xml_escape(struct buf *b, const char *s, size_t len, enum rep_xml_ctx ctx);

/* s[0..len) as a quoted JSON string (controls and 8-bit octets as \u00XX),
 * appended to b. */
void rep_json_escape(struct buf *b, const char *s, size_t len);

#endif
