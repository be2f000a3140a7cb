/*
 * fz_frame.c - the framing model of fz_frame.h.
 */
#include "fz_frame.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* The longest command line RFC 5321 4.5.3.1.4 makes a server take; a reply
 * that comes while a longer one is still arriving answers it early. */
#define FZ_CMD_LINE_MAX 512
/* MAIL and RCPT with their extensions' parameters (RFC 5321 4.5.3.1.4:
 * "SMTP extensions may be used to increase this limit"; AUTH= and ORCPT=
 * add 500 each, RFC 4954 3, RFC 3461 4.2). */
#define FZ_CMD_LINE_EXT 2048
/* A BDAT chunk larger than this is not modelled (a server may refuse it
 * without reading it: the session is then not strict). */
#define FZ_CHUNK_MAX (64u * 1024 * 1024)

static const char *const verb_names[FZ_V_COUNT] = {
	[FZ_V_GREETING] = "greeting", [FZ_V_OTHER] = "other", [FZ_V_HELO] = "HELO",
	[FZ_V_EHLO] = "EHLO", [FZ_V_MAIL] = "MAIL", [FZ_V_RCPT] = "RCPT",
	[FZ_V_DATA] = "DATA", [FZ_V_BODY] = "message", [FZ_V_BDAT] = "BDAT",
	[FZ_V_RSET] = "RSET", [FZ_V_NOOP] = "NOOP", [FZ_V_QUIT] = "QUIT",
	[FZ_V_VRFY] = "VRFY", [FZ_V_EXPN] = "EXPN", [FZ_V_HELP] = "HELP",
	[FZ_V_AUTH] = "AUTH", [FZ_V_AUTH_RESP] = "AUTH response",
	[FZ_V_STARTTLS] = "STARTTLS",
};

const char *
fz_verb_name(enum fz_verb v)
{
	return v < FZ_V_COUNT ? verb_names[v] : "?";
}

enum fz_verb
fz_verb_of(const char *line, size_t len)
{
	static const struct { const char *w; enum fz_verb v; } words[] = {
		{ "HELO", FZ_V_HELO }, { "EHLO", FZ_V_EHLO }, { "MAIL", FZ_V_MAIL },
		{ "RCPT", FZ_V_RCPT }, { "DATA", FZ_V_DATA }, { "BDAT", FZ_V_BDAT },
		{ "RSET", FZ_V_RSET }, { "NOOP", FZ_V_NOOP }, { "QUIT", FZ_V_QUIT },
		{ "VRFY", FZ_V_VRFY }, { "EXPN", FZ_V_EXPN }, { "HELP", FZ_V_HELP },
		{ "AUTH", FZ_V_AUTH }, { "STARTTLS", FZ_V_STARTTLS },
	};
	size_t w = 0;
	while (w < len && line[w] != ' ')
		w++;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].w) == w && strncasecmp(line, words[i].w, w) == 0)
			return words[i].v;
	return FZ_V_OTHER;
}

void
fz_frame_init(struct fz_frame *f)
{
	memset(f, 0, sizeof(*f));
	buf_init(&f->in);
	f->mode = FZ_M_CMD;
	f->cap_owed = 16;
	f->owed = xcalloc(f->cap_owed, sizeof(*f->owed)); /* the greeting's unit whole */
	f->owed[0].verb = FZ_V_GREETING;
	f->n_owed = 1;
	f->units = 1;
}

void
fz_frame_free(struct fz_frame *f)
{
	buf_free(&f->in);
	free(f->owed);
	f->owed = NULL;
}

static void
push_bare(struct fz_frame *f, enum fz_verb v, int bare, int last)
{
	if (f->n_owed == f->cap_owed) {
		struct fz_unit *n = xmalloc(2 * f->cap_owed * sizeof(*n));
		for (size_t i = 0; i < f->n_owed; i++)
			n[i] = f->owed[(f->head + i) % f->cap_owed];
		free(f->owed);
		f->owed = n;
		f->head = 0;
		f->cap_owed *= 2;
	}
	f->owed[(f->head + f->n_owed) % f->cap_owed].verb = (uint8_t)v;
	f->owed[(f->head + f->n_owed) % f->cap_owed].bare = (uint8_t)bare;
	f->owed[(f->head + f->n_owed) % f->cap_owed].last = (uint8_t)last;
	f->owed[(f->head + f->n_owed) % f->cap_owed].challenges = 0;
	f->owed[(f->head + f->n_owed) % f->cap_owed].starttls = 0;
	f->n_owed++;
	f->units++;
}

static void
push(struct fz_frame *f, enum fz_verb v)
{
	push_bare(f, v, 0, 0);
}

/* The reply decides what the bytes after these are. */
static int
decides(enum fz_verb v)
{
	return v == FZ_V_DATA || v == FZ_V_AUTH || v == FZ_V_AUTH_RESP || v == FZ_V_STARTTLS ||
	    v == FZ_V_QUIT || v == FZ_V_EHLO || v == FZ_V_HELO;
}

/* RFC 2920 3.1: these end a group (and AUTH, STARTTLS and the message's end
 * wait for their reply by nature). */
static int
ends_group(enum fz_verb v)
{
	return decides(v) || v == FZ_V_VRFY || v == FZ_V_EXPN || v == FZ_V_NOOP ||
	    v == FZ_V_GREETING || v == FZ_V_OTHER || v == FZ_V_HELP;
}

static const char *
find_crlf(const char *p, size_t n)
{
	for (const char *q = p; (q = memchr(q, '\r', n - (size_t)(q - p))) != NULL; q++)
		if ((size_t)(q - p) + 1 < n && q[1] == '\n')
			return q;
	return NULL;
}

/* "BDAT" SP size [SP "LAST"] (RFC 3030 2): 1 with *size and *last. */
static int
bdat_args(const char *l, size_t n, uint64_t *size, int *last)
{
	if (n < 6 || l[4] != ' ')
		return 0;
	size_t i = 5, d = 0;
	uint64_t v = 0;
	/* 1*DIGIT: leading zeros are digits too, but add nothing to the size */
	while (i < n && l[i] == '0')
		i++;
	int zeros = i > 5;
	while (i < n && l[i] >= '0' && l[i] <= '9' && d < 18) {
		v = v * 10 + (uint64_t)(l[i++] - '0');
		d++;
	}
	if ((d == 0 && !zeros) || (i < n && l[i] >= '0' && l[i] <= '9'))
		return 0;
	*last = 0;
	if (i < n) {
		if (n - i != 5 || strncasecmp(l + i, " LAST", 5) != 0)
			return 0;
		*last = 1;
	}
	*size = v;
	return 1;
}

/* A line of message data (no CRLF in it) a lax server may read as the end
 * of the data or as a command: the fake ends of the public smuggling
 * scanners all hold one. */
static int
data_line_odd(const char *l, size_t n, int at_bol)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] == '\r' || l[i] == '\n' || l[i] == '\0')
			return 1;
	if (!at_bol)
		return 0;
	size_t i = 0;
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	return (i < n && l[i] == '.') || fz_verb_of(l, n) != FZ_V_OTHER;
}

/* A CR or LF in l[0..n), a line of data without its CRLF: bare. */
static int
has_bare_newline(const char *l, size_t n)
{
	return memchr(l, '\r', n) != NULL || memchr(l, '\n', n) != NULL;
}

static int
lax_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
lax_end(char c)
{
	return c == '\r' || c == '\n' || c == '\0';
}

/* 1 if a lax server may read STARTTLS in the command bytes l[0..n), which
 * hold a bare CR, LF or NUL: it may end a line at any of them (Exim at a
 * bare LF, the bare-cr-commands mode at a bare CR) and drop blanks around
 * the verb (Exim strips trailing white space, CR included).  Such a server
 * answers 220 and expects a TLS handshake; what it sends next is TLS, not
 * a reply. */
static int
lax_starttls(const char *l, size_t n)
{
	for (size_t i = 0; i < n;) {
		while (i < n && lax_blank(l[i]))
			i++;
		size_t w = i;
		while (w < n && !lax_blank(l[w]) && !lax_end(l[w]))
			w++;
		if (w - i == 8 && strncasecmp(l + i, "STARTTLS", 8) == 0 &&
		    (w == n || lax_blank(l[w]) || lax_end(l[w])))
			return 1;
		while (w < n && !lax_end(l[w]))
			w++;
		i = w + 1;
	}
	return 0;
}

/* Command bytes l[0..n), inside f->in: a bare CR, LF or NUL among those
 * not looked at before sets split. */
static void
mark_split(struct fz_frame *f, const char *l, size_t n)
{
	size_t from = (size_t)(l - f->in.data), to = from + n;
	for (size_t i = from > f->split_seen ? from : f->split_seen; i < to && !f->split; i++)
		f->split = lax_end(f->in.data[i]);
	if (to > f->split_seen)
		f->split_seen = to;
}

/* Command-line bytes (no CRLF among them; a trailing CR may be the start
 * of one): a CR, LF or NUL is the client's breach of RFC 5321 2.3.8; and
 * then a lax server may read STARTTLS in them (lax_starttls). */
static void
check_line(struct fz_frame *f, const char *l, size_t n, int partial)
{
	if (partial && n && l[n - 1] == '\r')
		n--;
	int bare = 0, tab = 0;
	for (size_t i = 0; i < n && !bare; i++) {
		bare = lax_end(l[i]);
		tab |= l[i] == '\t';
	}
	if ((bare || tab) && !f->dirty)
		f->dirty = "a bare CR, LF, NUL or a tab in a command line (RFC 5321 2.3.8, 4.1.1)";
	if (bare)
		mark_split(f, l, n);
	if (bare && lax_starttls(l, n))
		f->lax_tls = 1;
}

/* l[0..n) ends in "STARTTLS", any case: where a server that split the
 * bytes otherwise than the model (a refused BDAT's chunk read apart:
 * "bbbSTARTTLS") may have read the command; STARTTLS takes no argument,
 * so it can only end the line.  A test of 8 bytes, on every line cut. */
static int
ends_in_starttls(const char *l, size_t n)
{
	return n >= 8 && strncasecmp(l + n - 8, "STARTTLS", 8) == 0;
}

/* "AUTH" SP mechanism [SP initial-response] (RFC 4954 4): the challenges
 * (334) the mechanism takes on its way to success. */
static uint8_t
auth_challenges(const char *l, size_t n)
{
	size_t m = 5, e;
	if (n <= m)
		return 0;
	for (e = m; e < n && l[e] != ' '; e++)
		;
	int ir = e < n;
	if (e - m == 5 && strncasecmp(l + m, "PLAIN", 5) == 0)
		return ir ? 0 : 1;
	if (e - m == 5 && strncasecmp(l + m, "LOGIN", 5) == 0)
		return ir ? 1 : 2;
	if (e - m == 8 && strncasecmp(l + m, "CRAM-MD5", 8) == 0)
		return 1;
	return 0;
}

static void
cut_command(struct fz_frame *f, const char *l, size_t n)
{
	check_line(f, l, n, 0);
	enum fz_verb v = fz_verb_of(l, n);
	if (n + 2 > (v == FZ_V_MAIL || v == FZ_V_RCPT ? FZ_CMD_LINE_EXT : FZ_CMD_LINE_MAX))
		f->overlong = f->split = 1; /* a server may answer it in pieces */
	if (v == FZ_V_BDAT && !f->chunking && !f->dirty)
		f->dirty = "BDAT where CHUNKING was not advertised (RFC 3030 2)";
	if (v == FZ_V_BDAT && f->after_last && !f->dirty)
		f->dirty = "BDAT after BDAT LAST (RFC 3030 2: the server's state is then its own)";
	uint64_t size;
	int last;
	if (v == FZ_V_BDAT && f->chunking && !bdat_args(l, n, &size, &last) && !f->dirty)
		f->dirty = "BDAT with arguments RFC 3030 does not allow";
	if (v == FZ_V_BDAT && f->chunking && bdat_args(l, n, &size, &last)) {
		if (size > FZ_CHUNK_MAX && !f->dirty)
			f->dirty = "a BDAT chunk over 64 MiB";
		f->chunk_left = size;
		f->chunk_last = last;
		f->mode = FZ_M_CHUNK;
		if (size == 0) {
			f->mode = FZ_M_CMD;
			push_bare(f, FZ_V_BDAT, 0, last);
		}
		return;
	}
	push_bare(f, v, n == 4 || (n == 8 && v == FZ_V_STARTTLS), 0);
	f->owed[(f->head + f->n_owed - 1) % f->cap_owed].starttls = ends_in_starttls(l, n);
	if (v == FZ_V_AUTH)
		f->owed[(f->head + f->n_owed - 1) % f->cap_owed].challenges = auth_challenges(l, n);
	f->blocked = decides(v);
}

/* Cut one unit (or part of one) from in[off..); 0 when more bytes are
 * needed or the model waits for a reply. */
static int
cut_once(struct fz_frame *f)
{
	size_t n = f->in.len - f->off;
	if (f->blocked || f->mode == FZ_M_CLOSED || n == 0)
		return 0;
	const char *p = f->in.data + f->off, *q;
	size_t part; /* a line's bytes so far, a CR at its end (maybe CRLF's) left */
	switch (f->mode) {
	case FZ_M_CMD:
	case FZ_M_AUTH:
		if (!(q = find_crlf(p, n)))
			return 0;
		f->off += (size_t)(q - p) + 2;
		if (f->mode == FZ_M_AUTH) {
			check_line(f, p, (size_t)(q - p), 0);
			f->mode = FZ_M_CMD;
			push(f, FZ_V_AUTH_RESP);
			f->blocked = 1;
		} else
			cut_command(f, p, (size_t)(q - p));
		return 1;
	case FZ_M_CHUNK: {
		size_t take = n < f->chunk_left ? n : (size_t)f->chunk_left;
		f->off += take;
		f->chunk_left -= take;
		if (f->chunk_left)
			return 0;
		f->mode = FZ_M_CMD;
		push_bare(f, FZ_V_BDAT, 0, f->chunk_last);
		return 1;
	}
	case FZ_M_DATA:
		if (f->bol && n < 3 && memcmp(p, ".\r\n", n) == 0)
			return 0;
		if (f->bol && n >= 3 && memcmp(p, ".\r\n", 3) == 0) {
			f->off += 3;
			f->mode = FZ_M_CMD;
			push(f, FZ_V_BODY);
			return 1;
		}
		if ((q = find_crlf(p, n))) {
			f->odd |= data_line_odd(p, (size_t)(q - p), f->bol);
			f->bare_data |= has_bare_newline(p, (size_t)(q - p));
			f->off += (size_t)(q - p) + 2;
			f->bol = 1;
			return 1;
		}
		part = p[n - 1] == '\r' ? n - 1 : n;
		f->odd |= data_line_odd(p, part, f->bol);
		f->bare_data |= has_bare_newline(p, part);
		f->off += part;
		f->bol = 0;
		return 0;
	case FZ_M_SKIP:
		if ((q = find_crlf(p, n))) {
			mark_split(f, p, (size_t)(q - p));
			f->off += (size_t)(q - p) + 2;
			f->mode = FZ_M_CMD;
			return 1;
		}
		part = p[n - 1] == '\r' ? n - 1 : n;
		mark_split(f, p, part);
		f->off += part;
		return 0;
	case FZ_M_CLOSED:
		return 0;
	}
	return 0;
}

static void
cut(struct fz_frame *f)
{
	while (cut_once(f))
		;
	if ((f->mode == FZ_M_CMD || f->mode == FZ_M_AUTH) && !f->blocked && f->off < f->in.len)
		check_line(f, f->in.data + f->off, f->in.len - f->off, 1);
	if (f->off == f->in.len) {
		buf_reset(&f->in);
		f->split_seen = 0;
		f->off = 0;
	} else if (f->off > 65536 && f->off > f->in.len / 2) {
		buf_consume(&f->in, f->off);
		f->split_seen = f->split_seen > f->off ? f->split_seen - f->off : 0;
		f->off = 0;
	}
}

static enum fz_verb
newest(const struct fz_frame *f)
{
	return (enum fz_verb)f->owed[(f->head + f->n_owed - 1) % f->cap_owed].verb;
}

/* Several commands in one write are pipelining too: without PIPELINING,
 * or past a command that must end a group, the client broke RFC 2920 3.1
 * (or RFC 5321 4.3.1's lock step). */
static void
pipelined_in_write(struct fz_frame *f, size_t owed_before)
{
	if (f->dirty || f->mode == FZ_M_CLOSED)
		return;
	if (f->blocked && f->off < f->in.len) {
		f->dirty = "a command pipelined past one that must end a group (RFC 2920 3.1)";
		return;
	}
	size_t first = owed_before ? owed_before - 1 : 0;
	/* A command cut short behind the last whole one is pipelined too. */
	int part = f->mode == FZ_M_CMD && f->off < f->in.len;
	if ((f->n_owed > 1 || part) && f->n_owed > owed_before && !f->pipelining) {
		f->dirty = "commands pipelined without PIPELINING (RFC 2920 3.1)";
		return;
	}
	if (part && f->n_owed > owed_before && ends_group(newest(f))) {
		f->dirty = "a command pipelined past one that must end a group (RFC 2920 3.1)";
		return;
	}
	for (size_t i = first; i + 1 < f->n_owed; i++)
		if (ends_group((enum fz_verb)f->owed[(f->head + i) % f->cap_owed].verb)) {
			f->dirty = "a command pipelined past one that must end a group (RFC 2920 3.1)";
			return;
		}
}

void
fz_frame_client(struct fz_frame *f, const void *b, size_t n)
{
	if (n == 0)
		return;
	if (!f->dirty && f->mode != FZ_M_CLOSED && (f->n_owed > 0 || f->blocked)) {
		enum fz_verb v = newest(f);
		if (v == FZ_V_GREETING)
			f->dirty = "bytes sent before the greeting (RFC 5321 3.1)";
		else if (!f->pipelining)
			f->dirty = "commands pipelined without PIPELINING (RFC 2920 3.1)";
		else if (ends_group(v))
			f->dirty = "a command pipelined past one that must end a group (RFC 2920 3.1)";
	}
	size_t owed_before = f->n_owed;
	buf_append(&f->in, b, n);
	cut(f);
	pipelined_in_write(f, owed_before);
}

size_t
fz_frame_owed(const struct fz_frame *f)
{
	return f->n_owed;
}

int
fz_frame_split(const struct fz_frame *f)
{
	return f->split;
}

void
fz_frame_settled(struct fz_frame *f)
{
	f->split = 0;
}

/* A 220 to STARTTLS: what came behind it was plaintext the server must
 * throw away (RFC 3207 4.2, CVE-2011-0411), nothing more is owed, and the
 * handshake is due. */
static void
tls_starts(struct fz_frame *f)
{
	f->off = f->in.len;
	f->n_owed = 0;
	f->blocked = 0;
	f->mode = FZ_M_CMD;
	f->lax_tls = 0;
	f->tls_now = 1;
}

/* A reply with nothing owed. */
static enum fz_match
unowed(struct fz_frame *f, int code)
{
	if (code == 421) {
		f->mode = FZ_M_CLOSED;
		return FZ_MATCH_OK;
	}
	/* A lax server took a line the model has not cut yet (no CRLF) for
	 * STARTTLS: "STARTTLS\r   \n" to Exim. */
	if (code == 220 && f->lax_tls && f->mode == FZ_M_CMD) {
		tls_starts(f);
		return FZ_MATCH_OK;
	}
	if (f->mode == FZ_M_CMD && f->in.len - f->off > FZ_CMD_LINE_MAX) {
		f->mode = FZ_M_SKIP;
		/* an over-long line: the rest of it may be answered in pieces,
		 * so replies are no longer counted (as cut_command says) */
		f->overlong = f->split = 1;
		cut(f);
		return FZ_MATCH_EARLY;
	}
	if (f->mode == FZ_M_SKIP)
		return FZ_MATCH_EARLY; /* another piece of that line */
	return f->mode == FZ_M_DATA || f->mode == FZ_M_CHUNK ? FZ_MATCH_DATA : FZ_MATCH_EXTRA;
}

enum fz_match
fz_frame_reply(struct fz_frame *f, int code, enum fz_verb *verb)
{
	if (verb)
		*verb = FZ_V_OTHER;
	if (f->mode == FZ_M_CLOSED)
		return FZ_MATCH_CLOSED;
	if (f->n_owed == 0)
		return unowed(f, code);
	enum fz_verb v = (enum fz_verb)f->owed[f->head].verb;
	int starttls = v == FZ_V_STARTTLS || f->owed[f->head].starttls ||
	    (f->lax_tls && v != FZ_V_GREETING);
	f->last_bare = f->owed[f->head].bare;
	if (v == FZ_V_BDAT && f->owed[f->head].last && code >= 200 && code < 300)
		f->after_last = 1;
	if ((v == FZ_V_MAIL || v == FZ_V_RSET || v == FZ_V_EHLO || v == FZ_V_HELO) && code == 250)
		f->after_last = 0;
	f->head = (f->head + 1) % f->cap_owed;
	f->n_owed--;
	if (verb)
		*verb = v;
	if (f->n_owed == 0)
		f->blocked = 0;
	if (code == 421 || (v == FZ_V_QUIT && code == 221)) {
		f->mode = FZ_M_CLOSED;
		f->n_owed = 0;
		return FZ_MATCH_OK;
	}
	if (v == FZ_V_DATA && code == 354) {
		f->mode = FZ_M_DATA;
		f->bol = 1;
		f->odd = 0;
	} else if ((v == FZ_V_AUTH || v == FZ_V_AUTH_RESP) && code == 334)
		f->mode = FZ_M_AUTH;
	else if (code == 220 && starttls)
		/* STARTTLS, or a line where the server may have read it: a lax
		 * reading of a bare CR, or bytes the model joined that the
		 * server split (a refused BDAT's chunk before it: a line that
		 * ends in STARTTLS). */
		tls_starts(f);
	cut(f);
	return FZ_MATCH_OK;
}

void
fz_frame_caps(struct fz_frame *f, int pipelining, int chunking)
{
	f->pipelining = pipelining;
	f->chunking = chunking;
}

void
fz_frame_tls_done(struct fz_frame *f)
{
	f->tls_now = 0;
	f->lax_tls = 0;
	f->pipelining = f->chunking = 0;
	buf_reset(&f->in);
	f->split_seen = 0;
	f->off = 0;
	f->mode = FZ_M_CMD;
}

enum fz_verb
fz_frame_next_verb(const struct fz_frame *f)
{
	const struct fz_unit *u = fz_frame_next(f);
	return u ? (enum fz_verb)u->verb : FZ_V_OTHER;
}

const struct fz_unit *
fz_frame_next(const struct fz_frame *f)
{
	return f->n_owed ? &f->owed[f->head] : NULL;
}

int
fz_frame_closed(const struct fz_frame *f)
{
	return f->mode == FZ_M_CLOSED;
}

int
fz_frame_overlong(const struct fz_frame *f)
{
	return f->overlong;
}

int
fz_frame_in_chunk(const struct fz_frame *f)
{
	return f->mode == FZ_M_CHUNK;
}

int
fz_frame_bare_data(const struct fz_frame *f)
{
	return f->bare_data;
}

const char *
fz_frame_dirty(const struct fz_frame *f)
{
	return f->dirty;
}

int
fz_frame_last_bare(const struct fz_frame *f)
{
	return f->last_bare;
}

int
fz_frame_tls_due(const struct fz_frame *f)
{
	return f->tls_now;
}

int
fz_frame_in_data(const struct fz_frame *f)
{
	return f->mode == FZ_M_DATA || f->mode == FZ_M_CHUNK;
}

size_t
fz_frame_data_end(const struct fz_frame *f, const char *b, size_t n, int *odd)
{
	*odd = 0;
	if (f->mode != FZ_M_DATA || f->blocked)
		return n;
	/* The bytes still uncut (at most a CR or a partial ".\r") come first. */
	size_t plen = f->in.len - f->off;
	struct buf c;
	buf_init(&c);
	if (plen)
		buf_append(&c, f->in.data + f->off, plen);
	if (n)
		buf_append(&c, b, n);
	int o = f->odd, bol = f->bol;
	size_t i = 0, end = n;
	while (i < c.len) {
		const char *p = c.data + i, *q;
		size_t left = c.len - i;
		if (bol && left >= 3 && memcmp(p, ".\r\n", 3) == 0) {
			if (i >= plen)
				end = i - plen;
			break;
		}
		if (!(q = find_crlf(p, left))) {
			o |= data_line_odd(p, p[left - 1] == '\r' ? left - 1 : left, bol);
			break;
		}
		o |= data_line_odd(p, (size_t)(q - p), bol);
		i += (size_t)(q - p) + 2;
		bol = 1;
	}
	buf_free(&c);
	*odd = o;
	return end;
}
