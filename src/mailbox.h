/*
 * mailbox.h - pure parsers for the delivery oracle's mailbox source
 * (oracle_mailbox.c): mbox message boundaries, mboxrd unquoting with the
 * line ends made CRLF, and header fields of a message.
 *
 * Like reply.h: the caller hands in a buffer and its length; nothing reads
 * past the length, and only mbx_unquote() allocates (through the caller's
 * struct buf).  Offsets returned are into the caller's buffer.
 *
 * The mbox format (mboxo/mboxrd, RFC 4155): a message starts with a
 * separator line "From SENDER DATE" at the start of the file or after an
 * empty line, and a writer ends each message with one empty line.  Body
 * lines that would look like a separator are quoted: mboxo writes
 * ">From " for "From ", mboxrd adds one '>' to every line matching
 * /^>*From /; mbx_unquote() removes one '>' from such lines (both kinds
 * read the same way except for a line that really was ">From " in an mboxo
 * file, which cannot be told apart).
 */
#ifndef SMTPH_MAILBOX_H
#define SMTPH_MAILBOX_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

#define MBX_PARTIAL ((ssize_t)-2)

/* One piece of an mbox: a message, or junk (bytes before the first
 * separator, e.g. the rest of a message that was being written when the
 * reader started). */
struct mbx_part {
	size_t body;		/* offset of the content (after the separator line) */
	size_t body_len;	/* its length: the empty line before the next
				 * separator (or the end) not included */
	int junk;		/* 1: no separator line, not a message */
};

/*
 * mbx_mbox_next(): the piece of an mbox that starts at buf[0], which must
 * be the start of a line.  When buf starts with "From " the piece is a
 * message (its separator line is the first line); otherwise it is junk up to
 * the next separator.
 *
 * A piece is complete when a separator follows it (an empty line, "\n" or
 * "\r\n", then a line starting with "From ") or, when eof is non-zero
 * (buf[len-1] is the last byte the file holds now), when buf ends with an
 * empty line.  A writer that stops right after an empty line inside a
 * message is taken for complete: the format cannot tell.
 *
 * Returns the bytes the piece uses (up to the next separator's "From ", or
 * len at the end), with *out filled; MBX_PARTIAL when it is not complete
 * (call again, from the same start, with more); 0 when len is 0.
 */
ssize_t mbx_mbox_next(const char *buf, size_t len, int eof, struct mbx_part *out);

/*
 * mbx_unquote(): append src[0..len) to out with every LF line end made CRLF
 * (a CRLF stays one CRLF; a lone CR stays as it is; a last line without a
 * line end is left without one).  When mbox is non-zero, one '>' is removed
 * from each line matching /^>+From / (mboxrd and mboxo unquoting).
 * Returns the bytes appended.
 */
size_t mbx_unquote(const char *src, size_t len, int mbox, struct buf *out);

/*
 * mbx_header_next(): the next header field named name (ASCII
 * case-insensitive; "Name :" with blanks before the colon too) in the
 * header section starting at msg[*pos]; the header section ends at the
 * first empty line or at len.  Its value is unfolded (RFC 5322 2.2.3: a line
 * end followed by SP or HT is removed, the blank kept), blanks at both ends
 * trimmed, and written to out (NUL-terminated, cut to outcap - 1 bytes; out
 * may be NULL with outcap 0).
 *
 * Returns the value's whole length (more than outcap - 1: it was cut), with
 * *pos just past the field, so a next call finds the next one; -1 when no
 * more field of that name is there (*pos then at the end of the header
 * section).  Start with *pos = 0.
 */
ssize_t mbx_header_next(const char *msg, size_t len, size_t *pos,
    const char *name, char *out, size_t outcap);

/*
 * mbx_address(): the address in a header value (Return-Path:,
 * Delivered-To:, X-Original-To:): the text between the first '<' and the
 * next '>' ("" for "<>"), or else the value up to its first blank.  *off
 * and the return value (its length) point into v.  -1 when v has an
 * unclosed '<' or nothing at all.
 */
ssize_t mbx_address(const char *v, size_t len, size_t *off);

#endif
