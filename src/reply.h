/*
 * reply.h - incremental, allocation-free parser for SMTP replies
 * (RFC 5321 4.2, 4.2.1) with the enhanced status code of RFC 3463 split out.
 *
 * Modelled on picohttpparser: the caller hands in a buffer and its length and
 * gets back how many bytes one complete reply used, REPLY_INCOMPLETE when the
 * buffer holds only part of a reply, or REPLY_VIOLATION with a precise
 * diagnosis.  The parser never reads past len and never allocates; every
 * pointer it returns points into the caller's buffer and stays valid only as
 * long as that buffer is neither changed nor freed.
 */
#ifndef SMTPH_REPLY_H
#define SMTPH_REPLY_H

#include <stddef.h>
#include <sys/types.h>

#define REPLY_INCOMPLETE ((ssize_t)-2)
#define REPLY_VIOLATION ((ssize_t)-1)

/* Default cap on one reply line including CRLF.  RFC 5321 4.5.3.1.5 says 512,
 * but real servers exceed it; the engine's cap protects against endless lines
 * rather than judging RF-05. */
#define REPLY_DEFAULT_MAX_LINE 4096

enum reply_violation {
	REPLY_OK = 0,
	REPLY_ERR_SHORT_LINE,      /* fewer than three characters before CRLF */
	REPLY_ERR_BAD_CODE,        /* the first three bytes are not digits */
	REPLY_ERR_CODE_RANGE,      /* first digit outside 2-5 or second outside 0-5 */
	REPLY_ERR_BAD_SEPARATOR,   /* fourth byte neither ' ', '-' nor CRLF */
	REPLY_ERR_CODE_MISMATCH,   /* a continuation line carries another code */
	REPLY_ERR_BARE_LF,         /* LF not preceded by CR */
	REPLY_ERR_BARE_CR,         /* CR not followed by LF */
	REPLY_ERR_NUL,             /* a NUL byte */
	REPLY_ERR_CONTROL,         /* another control byte (not HT) */
	REPLY_ERR_EIGHT_BIT,       /* a byte >= 0x80 while REPLY_OPT_ASCII_ONLY */
	REPLY_ERR_LINE_TOO_LONG,   /* a line (including CRLF) over max_line */
	REPLY_ERR_TOO_MANY_LINES,  /* more lines than max_lines */
};

enum {
	REPLY_OPT_ASCII_ONLY = 1 << 0, /* reject bytes >= 0x80 (RFC 5321 4.2 textstring) */
	/* Take control bytes other than CR and LF (NUL too) as text: the
	 * textstring ABNF excludes them, but no MUST or SHOULD does
	 * (reply_has_control). */
	REPLY_OPT_TEXT_CONTROL = 1 << 1,
};

/* 1 if the len bytes at buf hold a control byte other than HT, CR, LF (a
 * NUL too; a
 * reply parsed with REPLY_OPT_TEXT_CONTROL, to warn about). */
int reply_has_control(const char *buf, size_t len);

struct reply_opts {
	size_t max_line;  /* 0 = REPLY_DEFAULT_MAX_LINE */
	size_t max_lines; /* 0 = unlimited */
	unsigned flags;
};

/* One line of a reply: the text after "DDD-" / "DDD " without CRLF (empty
 * for a bare "DDD" line). */
struct reply_line {
	const char *text;
	size_t len;
};

/* Enhanced status code (RFC 3463 2): class.subject.detail, e.g. 5.1.1. */
struct reply_enhanced {
	int present;
	int klass, subject, detail;
	size_t len; /* length of the code in the text, including one trailing SP if any */
};

struct reply {
	int code;                 /* 200..599 */
	size_t n_lines;           /* lines in the reply (may exceed lines_cap) */
	struct reply_line *lines; /* caller-provided array, filled up to lines_cap */
	size_t lines_cap;
	struct reply_enhanced enhanced; /* from the first line */
};

struct reply_error {
	enum reply_violation kind;
	size_t offset; /* byte offset of the offending byte in the buffer */
	size_t line;   /* 1-based line within the reply */
};

/*
 * Parse one reply from buf[0..len).  out->lines/lines_cap are set by the
 * caller (lines may be NULL with cap 0).  Returns the bytes consumed (> 0),
 * REPLY_INCOMPLETE, or REPLY_VIOLATION with *err filled.  opts may be NULL.
 * A partial line already longer than max_line is reported as a violation at
 * once, so an endless line cannot grow the caller's buffer for ever.
 * out and err may be NULL; *out is meaningful only when the return is > 0.
 * Bytes after the reply (pipelined replies) are not looked at.  A violation
 * is reported on the shortest prefix that proves it, so a prefix of a valid
 * reply is always REPLY_INCOMPLETE; an unterminated line is cut once it holds
 * max_line - 2 bytes (it can no longer end within max_line).
 */
ssize_t reply_parse(const char *buf, size_t len, const struct reply_opts *opts,
    struct reply *out, struct reply_error *err);

/* Parse an enhanced status code at the start of text[0..len).  Returns 1 and
 * fills *out when one is there (digits without leading zeros, class 2/4/5,
 * followed by SP or the end), else 0. */
int reply_parse_enhanced(const char *text, size_t len, struct reply_enhanced *out);

/* A short English description of a violation ("bare LF in reply"). */
const char *reply_violation_str(enum reply_violation v);

#endif
