/*
 * server_data.c - DATA and BDAT (RFC 5321 4.1.1.4, RFC 3030): the commands,
 * the message-data reader that un-stuffs dots and finds the end of data,
 * and the chunk reader that counts BDAT octets without parsing them.  Both
 * readers pass the content on to dlv_keep() (server_deliver.c), which
 * keeps it only when there is a delivery callback.
 */
#include "server_int.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

/* DATA (RFC 5321 4.1.1.4): no argument, after MAIL and RCPT. */
int
srv_check_data(struct srv_sess *s, const struct syn_command *c)
{
	int lax;

	if (srv_has_arg(c)) {
		srv_sess_reply(s, "501 5.5.4 Syntax: DATA");
		return 0;
	}
	if (fault(s, SRV_F_DATA_EMPTY_ACCEPTED))
		return 1;
	/* RFC 5321 3.3: 503 or 554 here is a MAY; without one, the data
	 * gets 554 at its end (body_end). */
	lax = fault(s, SRV_F_DATA_WITHOUT_RCPT) ||
	    fault(s, SRV_M_DATA_354_NO_RCPT);
	if (s->state < S_MAIL && !lax) {
		srv_sess_reply(s, "503 5.5.1 Error: need MAIL command");
		return 0;
	}
	if (s->nrcpt == 0 && !lax) {
		srv_sess_reply(s, "503 5.5.1 Error: need RCPT command");
		return 0;
	}
	/* RFC 3030 3: BINARYMIME data only travels with BDAT. */
	if (s->txn.body == BODY_BINARYMIME &&
	    !fault(s, SRV_F_BINARYMIME_DATA_OK)) {
		srv_sess_reply(s, "503 5.5.1 Error: BODY=BINARYMIME requires BDAT");
		return 0;
	}
	/* RFC 3030 2: DATA and BDAT do not mix in one transaction. */
	if (s->txn.bdat && !fault(s, SRV_F_BDAT_DATA_MIX_OK)) {
		srv_sess_reply(s, "503 5.5.1 Error: DATA after BDAT");
		return 0;
	}
	return 1;
}

void
srv_proceed_data(struct srv_sess *s, const struct syn_command *c)
{
	(void)c;
	if (s->ehlo && fault(s, SRV_F_CHUNKING_DATA_502)) {
		srv_sess_reply(s, "502 5.5.1 Error: use BDAT");
		return;
	}
	if (fault(s, SRV_F_DATA_250_NOT_354)) {
		srv_sess_reply(s, "250 2.0.0 Ok");
		return;
	}
	srv_sess_enter(s, S_BODY);
	srv_sess_reply(s, "354 End data with <CR><LF>.<CR><LF>");
}

/* "BDAT" SP chunk-size [SP "LAST"] (syn_parse_bdat()); -1 on a syntax
 * error.  The bdat-lenient-syntax fault takes anything after the digits,
 * and LAST only when it is exactly that. */
static int
parse_bdat(const struct srv_sess *s, const struct syn_command *c, uint64_t *n,
    int *last)
{
	size_t i;

	if (!fault(s, SRV_F_BDAT_LENIENT_SYNTAX))
		return syn_parse_bdat(c->arg, c->arg_len, n, last) ? -1 : 0;
	for (i = 0; i < c->arg_len && c->arg[i] >= '0' && c->arg[i] <= '9'; i++)
		;
	if (syn_parse_bdat(c->arg, i, n, last) != NULL)
		return -1;
	*last = c->arg_len - i == 5 && util_ieq(c->arg + i, 5, " LAST");
	return 0;
}

/* The reply to a message's end: once, or under LMTP once per accepted
 * recipient in RCPT order (RFC 2033 4.2; RFC 3030 2 for BDAT LAST). */
static void
reply_each(struct srv_sess *s, const char *line)
{
	size_t n = s->srv->lmtp && s->nrcpt > 1 ? s->nrcpt : 1;

	while (n-- > 0)
		srv_sess_reply(s, "%s", line);
}

/* A queue id for an accepted message, which is then delivered. */
static void
reply_queued(struct srv_sess *s)
{
	char id[QUEUE_ID_LEN], line[64];

	srv_queue_id(s->srv, id);
	s->nqueued++;
	if (s->nrcpt >= 2)
		s->deep_msg2 = 1;
	snprintf(line, sizeof(line), "250 2.0.0 Ok: queued as %s", id);
	reply_each(s, line);
	srv_dlv_accepted(s, id);
}

/* The chunk's octets are all in: now the reply. */
static void
chunk_end(struct srv_sess *s)
{
	struct chunk *k = &s->chunk;
	struct txn *t = &s->txn;

	k->active = 0;
	if (k->error) {
		srv_sess_reply(s, "%s", k->error);
		return;
	}
	t->bdat_size = t->bdat_size + k->size < t->bdat_size ? UINT64_MAX :
	    t->bdat_size + k->size;
	/* RFC 3030 2: a failed chunk fails the transaction; RSET follows. */
	if (!size_fits(s, t->bdat_size)) {
		srv_sess_reply(s, "552 5.3.4 Message size exceeds fixed maximum "
		    "message size");
		srv_sess_enter(s, srv_sess_idle(s));
		return;
	}
	if (!k->last) {
		srv_sess_reply(s, "250 2.0.0 Ok: %llu octets received",
		    (unsigned long long)k->size);
		return;
	}
	if (t->bdat_prev == '\r')
		t->bdat_bad = 1;
	if (t->bdat_bad && fault(s, SRV_F_BDAT_BINARY_REJECTED))
		reply_each(s, "554 5.6.0 Message contains NUL, bare CR or "
		    "bare LF");
	else
		reply_queued(s);
	if (!fault(s, SRV_F_BDAT_AFTER_LAST_OK))
		srv_sess_enter(s, srv_sess_idle(s));
	s->bdat_last = 1;
}

/* Feed chunk octets; returns how many were used. */
size_t
srv_chunk_feed(struct srv_sess *s, const char *d, size_t n)
{
	struct chunk *k = &s->chunk;
	struct txn *t = &s->txn;
	size_t i, use;

	if (k->left == 0) {
		/* bdat-line-mode: the rest of the line goes with it. */
		const char *lf = memchr(d, '\n', n);

		if (lf == NULL)
			return n;
		k->to_eol = 0;
		chunk_end(s);
		return (size_t)(lf - d) + 1;
	}
	use = k->left < n ? (size_t)k->left : n;
	for (i = 0; i < use; i++) {
		unsigned char ch = (unsigned char)d[i];

		if (ch == '\0' || (t->bdat_prev == '\r' && ch != '\n') ||
		    (ch == '\n' && t->bdat_prev != '\r'))
			t->bdat_bad = 1;
		t->bdat_prev = ch;
	}
	/* RFC 3030 2: BDAT data is the message, verbatim; a refused
	 * chunk's octets are read and thrown away. */
	if (!k->error)
		dlv_keep(s, d, use);
	k->left -= use;
	if (k->left == 0 && !k->to_eol)
		chunk_end(s);
	return use;
}

/* BDAT (RFC 3030 2): no check, as the chunk is read even when refused;
 * a refusal is given once its octets are in. */
static void start_chunk(struct srv_sess *s, uint64_t n, int last, const char *err);

void
srv_bdat_refused(struct srv_sess *s, const struct syn_command *c, const char *err)
{
	uint64_t n;
	int last;
	if (parse_bdat(s, c, &n, &last) == -1)
		srv_sess_reply(s, "%s", err);
	else
		start_chunk(s, n, last, err);
}

void
srv_proceed_bdat(struct srv_sess *s, const struct syn_command *c)
{
	const char *err = NULL;
	uint64_t n;
	int last;

	if (c->arg_len == 0 && fault(s, SRV_F_BDAT_NO_SIZE_250)) {
		srv_sess_reply(s, "250 2.0.0 Ok");
		return;
	}
	if (parse_bdat(s, c, &n, &last) == -1) {
		srv_sess_syntax(s, "501 5.5.4 Syntax: BDAT chunk-size [LAST]");
		return;
	}
	/* data-354-no-rcpt: 554 "no valid recipients", but a BDAT after
	 * BDAT LAST MUST get 503 (RFC 3030 2). */
	if (s->nrcpt == 0 && !s->bdat_last &&
	    fault(s, SRV_M_DATA_354_NO_RCPT))
		err = "554 5.5.1 Error: no valid recipients";
	else if (s->state < S_MAIL)
		err = "503 5.5.1 Error: need MAIL command";
	else if (s->nrcpt == 0)
		err = "503 5.5.1 Error: need RCPT command";
	start_chunk(s, n, last, err);
}

/* RFC 3030 2: even a refused BDAT has its chunk read and thrown away
 * before the refusal is sent. */
static void
start_chunk(struct srv_sess *s, uint64_t n, int last, const char *err)
{
	struct chunk *k = &s->chunk;
	if (err && fault(s, SRV_F_BDAT_ERROR_NO_DISCARD)) {
		srv_sess_reply(s, "%s", err);
		return;
	}
	memset(k, 0, sizeof(*k));
	k->active = 1;
	k->left = k->size = n;
	k->last = last;
	k->error = err;
	k->to_eol = n > 0 && fault(s, SRV_F_BDAT_LINE_MODE);
	if (!err)
		s->txn.bdat = 1;
	if (!err && s->authed)
		s->deep_bdat = 1;
	if (n == 0)
		chunk_end(s);
}

/* The checks deferred to the end of the message data: NULL, or the
 * reply that refuses the message. */
static const char *
body_refusal(const struct srv_sess *s)
{
	const struct body *b = &s->body;

	if (s->nrcpt == 0 && !fault(s, SRV_F_DATA_EMPTY_ACCEPTED))
		return "554 5.5.1 Error: no valid recipients";
	if (!size_fits(s, b->size) ||
	    (b->size > 32768 && fault(s, SRV_F_MESSAGE_LIMIT_32K)))
		return "552 5.3.4 Message size exceeds fixed maximum message "
		    "size";
	if (b->toolong)
		return "552 5.3.4 Message line too long";
	if (fault(s, SRV_F_RESENT_CHECKED) && b->resent_to && !b->resent_from)
		return "554 5.6.0 Resent-To: without Resent-From:";
	if (fault(s, SRV_M_HEADERS_REQUIRED) && !(b->has_date && b->has_from))
		return "554 5.6.0 Message lacks the Date: or From: header field "
		    "(RFC 5322 3.6)";
	if (b->bare && !fault(s, SRV_M_BARE_NEWLINE_DATA))
		return "554 5.6.0 Message contains bare CR or LF";
	if (fault(s, SRV_F_SIZE_MUST_MATCH) && s->txn.has_size &&
	    b->size != s->txn.size)
		return "552 5.3.4 Message size differs from SIZE";
	if (fault(s, SRV_F_8BIT_DATA_REJECTED) && b->eight)
		return "554 5.6.0 8-bit data not accepted";
	return NULL;
}

/* End of message data: the verdict. */
static void
body_end(struct srv_sess *s)
{
	const char *refusal = body_refusal(s);

	if (refusal)
		reply_each(s, refusal);
	else {
		reply_queued(s);
		if (fault(s, SRV_F_TRANSACTION_PERSISTS)) {
			srv_sess_enter(s, S_RCPT);
			return;
		}
	}
	if (fault(s, SRV_F_DATA_END_DROPS_INPUT))
		s->drop_input = 1;
	srv_sess_enter(s, srv_sess_idle(s));
}

static void
body_line_end(struct srv_sess *s, size_t eol)
{
	struct body *b = &s->body;
	size_t max = fault(s, SRV_F_TEXT_LINE_OFF_BY_TWO) ? TEXT_LINE_MAX - 2 :
	    TEXT_LINE_MAX;

	/* RFC 5321 4.5.3.1.6, counted as if the line ended in CRLF. */
	if (b->linelen + 2 > max)
		b->toolong = 1;
	/* data-answers-commands: a line that reads like a command is
	 * answered in the middle of the data. */
	if (b->linelen == 4 && fault(s, SRV_F_DATA_ANSWERS_COMMANDS) &&
	    (util_ieq(b->head, 4, "QUIT") || util_ieq(b->head, 4, "RSET") ||
	    util_ieq(b->head, 4, "NOOP")))
		srv_sess_reply(s, "250 2.0.0 Ok");
	if (!b->in_text && b->linelen >= 5 && util_ieq(b->head, 5, "Date:"))
		b->has_date = 1;
	if (!b->in_text && b->linelen >= 5 && util_ieq(b->head, 5, "From:"))
		b->has_from = 1;
	if (!b->in_text && b->linelen == 0)
		b->in_text = 1;
	else if (!b->in_text && b->linelen >= 12 &&
	    util_ieq(b->head, 12, "Resent-From:"))
		b->resent_from = 1;
	else if (!b->in_text && b->linelen >= 10 &&
	    util_ieq(b->head, 10, "Resent-To:"))
		b->resent_to = 1;
	b->size += eol;
	b->linelen = 0;
}

/* An ordinary octet of a text line (not a CR that ends one).  Inlined in
 * both copies of body_feed(): a call per octet costs more than it. */
static inline __attribute__((always_inline)) void
body_octet(struct srv_sess *s, unsigned char ch)
{
	struct body *b = &s->body;

	if (ch == '\r') {
		b->at = B_CR;
		return;
	}
	if (ch == '\n') {
		/* A bare LF ends nothing (RFC 5321 2.3.8), and only the
		 * lf-dot-lf fault lets it start a line that may be ".". */
		body_line_end(s, 1);
		if (fault(s, SRV_F_LF_DOT_LF) || fault(s, SRV_F_ANY_NEWLINE_DATA))
			b->at = B_BOL;
		else {
			b->bare = 1;
			b->at = B_TEXT;
		}
		return;
	}
	if (b->linelen < sizeof(b->head))
		b->head[b->linelen] = (char)ch;
	b->size++;
	b->linelen++;
	b->eight |= ch >= 0x80;
	b->at = B_TEXT;
	if (b->linelen + 2 > TEXT_LINE_MAX &&
	    fault(s, SRV_F_LONG_TEXT_LINE_CLOSE))
		srv_sess_close(s);
}

/* The content kept for delivery is d as received but for stuffing dots,
 * stripped NULs and the end-of-data line, so it is kept in runs of d: the
 * run d[*from..to) is kept and the next starts at next. */
static void
keep_run(struct srv_sess *s, const char *d, size_t *from, size_t to,
    size_t next)
{
	if (to > *from)
		srv_dlv_keep(s, d + *from, to - *from);
	*from = next;
}

/* The data reader.  keep is a constant of each of its two copies (see
 * srv_body_feed): the one without a delivery callback compiles to the
 * loop alone, not slowed by the keeping (fuzz_server, make bench). */
static inline __attribute__((always_inline)) size_t
body_feed(struct srv_sess *s, const char *d, size_t n, const int keep)
{
	struct body *b = &s->body;
	size_t i, from = 0;

	if (fault(s, SRV_F_EOD_SPLIT_LOST) &&
	    (b->at == B_DOT || b->at == B_DOTCR))
		b->at = B_TEXT;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)d[i];

		if (ch == '\0' && fault(s, SRV_F_NUL_STRIPPED)) {
			if (keep)
				keep_run(s, d, &from, i, i + 1);
			continue;
		}
		switch (b->at) {
		case B_BOL:
			if (ch == '.') {
				/* the dot waits for what follows it */
				if (keep)
					keep_run(s, d, &from, i, i + 1);
				b->at = B_DOT;
				continue;
			}
			break;
		case B_DOT:
			if (ch == '\r') {
				b->at = B_DOTCR;
				continue;
			}
			if (ch == '\n' && (fault(s, SRV_F_LF_DOT_LF) ||
			    fault(s, SRV_F_ANY_NEWLINE_DATA))) {
				body_end(s);
				return i + 1;
			}
			/* RFC 5321 4.5.2: a leading dot is removed. */
			if (ch == '.' && fault(s, SRV_F_DOTDOT_ENDS_DATA)) {
				from = i + 1;
				continue;
			}
			if (keep)
				srv_dlv_stuffing(s);
			break;
		case B_DOTCR:
			if (ch == '\n') {
				/* RFC 5321 4.1.1.4: CRLF "." CRLF */
				body_end(s);
				return i + 1;
			}
			if (fault(s, SRV_F_ANY_NEWLINE_DATA)) {
				body_end(s);
				return i;
			}
			/* The dot was stuffing; the CR after it is bare (held
			 * from the last feed when it ended it). */
			if (keep)
				srv_dlv_stuffing(s);
			if (keep && i == 0)
				srv_dlv_keep(s, "\r", 1);
			b->bare = 1;
			b->size++;
			b->linelen++;
			break;
		case B_CR:
			if (ch == '\n') {
				body_line_end(s, 2);
				b->at = B_BOL;
				continue;
			}
			if (fault(s, SRV_F_ANY_NEWLINE_DATA)) {
				body_line_end(s, 1);
				b->at = B_BOL;
				if (ch == '.') {
					if (keep)
						keep_run(s, d, &from, i, i + 1);
					b->at = B_DOT;
					continue;
				}
				break;
			}
			b->bare = 1;
			b->size++;
			b->linelen++;
			break;
		case B_TEXT:
			break;
		}
		body_octet(s, ch);
		if (s->state == S_CLOSING)
			return n;
	}
	/* A CR after a line's lone dot may still be the end of data. */
	if (keep)
		keep_run(s, d, &from, n - (b->at == B_DOTCR), n);
	return n;
}

/* Feed message data; returns the octets used (all of them, or up to and
 * including the end-of-data line). */
size_t
srv_body_feed(struct srv_sess *s, const char *d, size_t n)
{
	return s->dlv ? body_feed(s, d, n, 1) : body_feed(s, d, n, 0);
}

/* size-ends-data: the declared SIZE= ends the message, whatever
 * follows (RFC 1870 6 forbids exactly this). */
size_t
srv_body_feed_sized(struct srv_sess *s, const char *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		srv_body_feed(s, d + i, 1);
		if (s->state != S_BODY)
			return i + 1;
		if (s->body.size >= s->txn.size) {
			body_end(s);
			return i + 1;
		}
	}
	return n;
}
