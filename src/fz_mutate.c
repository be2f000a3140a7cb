/*
 * fz_mutate.c - the session mutations of fz_mutate.h.
 */
#include "fz_mutate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

void
fz_rng_seed(struct fz_rng *r, uint64_t seed)
{
	r->s = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

uint64_t
fz_rand(struct fz_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ULL;
}

size_t
fz_below(struct fz_rng *r, size_t n)
{
	return n ? (size_t)(fz_rand(r) % n) : 0;
}

static const char *
pick(struct fz_rng *r, const char *const *v, size_t n)
{
	return v[fz_below(r, n)];
}

/* ---- word lists ------------------------------------------------------------ */

static const char *const verbs[] = {
	"HELO", "EHLO", "MAIL FROM:", "RCPT TO:", "DATA", "BDAT", "RSET", "NOOP", "QUIT",
	"VRFY", "EXPN", "HELP", "AUTH", "STARTTLS", "TURN", "ETRN", "ATRN", "SEND FROM:",
	"SOML FROM:", "SAML FROM:", "LHLO", "XCLIENT", "XFORWARD", "BURL", "X", "",
};

static const char *const addresses[] = {
	"<>", "<postmaster>", "<Postmaster>", "<POSTMASTER@localhost>",
	"<\"john doe\"@example.com>", "<\"\\\"\"@example.com>", "<\"\"@example.com>",
	"<@a.example,@b.example:user@example.com>", "<@a.example:user@example.com>",
	"<user@[127.0.0.1]>", "<user@[IPv6:::1]>", "<user@[IPv6:2001:db8::1]>",
	"<user@[300.1.1.1]>", "<user@[tag:stuff]>", "<user@example.com", "user@example.com",
	"< user@example.com>", "<user@example.com >", "<a@b@c>", "<user@.example>",
	"<user@example..com>", "<user@-bad-.example>", "<@>", "<user@example.com.>",
	"<j\xc3\xb6rg@example.com>", "<user@\xc3\xa9xample.com>", "<user@xn--e1afmkfd.example>",
	"<.user@example.com>", "<user.@example.com>", "<us..er@example.com>", "<user>",
	"<user@localhost>", "<<user@example.com>>", "<user@example.com>x", "<%>", "<user%host@example.com>",
	"<user!host@example.com>",
};

static const char *const params[] = {
	"SIZE=0", "SIZE=1", "SIZE=99999999999999999999", "SIZE=abc", "SIZE=", "SIZE=-1",
	"BODY=8BITMIME", "BODY=BINARYMIME", "BODY=7BIT", "BODY=junk", "BODY=", "SMTPUTF8",
	"SMTPUTF8=yes", "RET=FULL", "RET=HDRS", "RET=X", "ENVID=abc+2Bdef", "ENVID=+ZZ",
	"NOTIFY=NEVER", "NOTIFY=SUCCESS,FAILURE,DELAY", "NOTIFY=NEVER,SUCCESS", "NOTIFY=",
	"ORCPT=rfc822;user@example.com", "ORCPT=junk", "ORCPT=rfc822;", "AUTH=<>",
	"AUTH=user+40example.com", "AUTH=+", "X-UNKNOWN=1", "=", "X=", "MT-PRIORITY=3",
	"REQUIRETLS", "HOLDFOR=10", "BY=120;R", "SIZE=1 SIZE=2", "BODY=7BIT BODY=8BITMIME",
};

/* The end-of-data sequences the public scanners try (SEC Consult's
 * SMTP-Smuggling-Tools, hannob's smtpsmug), then the real one. */
#define S(x) { x, sizeof(x) - 1 }
static const struct { const char *s; size_t n; } eods[] = {
	S("\n.\n"), S("\n.\r\n"), S("\r.\r"), S("\r.\n"), S("\r\n.\n"), S("\r\n.\r"),
	S("\n.\r"), S("\r.\r\n"), S("\r\n\x00.\r\n"), S("\r\n.\x00\r\n"), S("\r\n..\r\n"),
	S("\r\n .\r\n"), S("\r\n.\t\r\n"), S("\r\n\r.\r\n"), S("\r\n.\r\r\n"),
	S("\n\n.\n\n"), S("\r\r\n.\r\r\n"),
};
#undef S

static const char *const auths[] = {
	"AUTH PLAIN", "AUTH LOGIN", "AUTH CRAM-MD5", "AUTH XOAUTH2", "AUTH NOPE", "AUTH PLAIN =",
	"AUTH PLAIN ====", "AUTH PLAIN !!!", "AUTH", "AUTH LOGIN dXNlcg==", "*",
	"AUTH PLAIN AHVzZXIAd3Jvbmc=",
};

static const char *const tokens[] = {
	"\r\n", "\n", "\r", "\0", ":", "<", ">", "@", "[", "]", "\"", "\\", ".", ",", ";",
	"=", " ", "\t", "\xff", "\xc3\xa9", "MAIL FROM:", "RCPT TO:", "DATA\r\n", ".\r\n",
	"QUIT\r\n", "RSET\r\n", "NOOP\r\n", "STARTTLS\r\n", "BDAT 1 LAST\r\n", "EHLO x\r\n",
	"IPv6:", "postmaster", "LAST", "%", "%s%n", "\x1b[2J",
};

/* Lengths around the limits of RFC 5321 4.5.3.1 and common buffers. */
static const size_t lengths[] = {
	63, 64, 65, 255, 256, 257, 510, 511, 512, 513, 998, 999, 1000, 1001, 1024, 2048,
	4095, 4096, 4097, 8192, 16384, 65536, 65537, 262144,
};

static const char *
word(const char *v, const char *def)
{
	return v && *v ? v : def;
}

/* ---- helpers -------------------------------------------------------------- */

static struct fz_act *
rand_act(struct fz_rng *r, struct fz_sess *s)
{
	return s->n ? &s->acts[fz_below(r, s->n)] : NULL;
}

static void
set_act(struct fz_act *a, const char *b, size_t n)
{
	if (n > FZ_MAX_ACT)
		n = FZ_MAX_ACT;
	char *nb = xmalloc(n + 1);
	if (n)
		memcpy(nb, b, n);
	nb[n] = '\0';
	free(a->b);
	a->b = nb;
	a->len = n;
}

/* The span [*from, *to) of one line of a (its CRLF excluded). */
static int
rand_line(struct fz_rng *r, const struct fz_act *a, size_t *from, size_t *to)
{
	if (!a || a->len == 0)
		return 0;
	size_t at = fz_below(r, a->len), s = at, e = at;
	while (s > 0 && a->b[s - 1] != '\n')
		s--;
	while (e < a->len && a->b[e] != '\r' && a->b[e] != '\n')
		e++;
	*from = s;
	*to = e;
	return 1;
}

/* Replace a->b[from, to) by rep[0..n) (rep NULL: n copies of fill), cut
 * to FZ_MAX_ACT; the new bytes are made in place, copied once. */
static void
splice_fill(struct fz_act *a, size_t from, size_t to, const char *rep, size_t n, char fill)
{
	size_t tail = a->len - to;
	size_t len = from + n + tail;
	char *nb = xmalloc(len + 1);
	if (from)
		memcpy(nb, a->b, from);
	if (!rep)
		memset(nb + from, fill, n);
	else if (n)
		memcpy(nb + from, rep, n);
	if (tail)
		memcpy(nb + from + n, a->b + to, tail);
	if (len > FZ_MAX_ACT) {
		len = FZ_MAX_ACT;
		nb = xrealloc(nb, len + 1); /* the corpus keeps it: no slack */
	}
	nb[len] = '\0';
	free(a->b);
	a->b = nb;
	a->len = len;
}

static void
splice(struct fz_act *a, size_t from, size_t to, const char *rep, size_t n)
{
	splice_fill(a, from, to, rep, n, 0);
}

static void
insert_text(struct fz_sess *s, size_t at, const char *t, size_t n)
{
	fz_sess_insert(s, at, t, n, 0);
}

/* Where to insert a new act: after the first (usually EHLO), before the last
 * (usually QUIT). */
static size_t
insert_point(struct fz_rng *r, const struct fz_sess *s)
{
	if (s->n < 2)
		return s->n;
	return 1 + fz_below(r, s->n - 1);
}

/* MAIL FROM and RCPT TO acts inserted at *at (moved past them). */
static void
insert_envelope(struct fz_sess *s, size_t *at, const struct fz_words *w)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "MAIL FROM:<%s>\r\n", word(w->sender, "sender@example.com"));
	insert_text(s, (*at)++, b.data, b.len);
	buf_reset(&b);
	buf_printf(&b, "RCPT TO:<%s>\r\n", word(w->recipient, "recipient@example.com"));
	insert_text(s, (*at)++, b.data, b.len);
	buf_free(&b);
}

/* ---- the operators ---------------------------------------------------------- */

static int
m_drop(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	(void)w;
	if (s->n < 2)
		return 0;
	fz_sess_remove(s, fz_below(r, s->n));
	return 1;
}

static int
m_repeat(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	(void)w;
	if (!s->n || s->n >= FZ_MAX_ACTS)
		return 0;
	size_t i = fz_below(r, s->n);
	size_t k = 1 + fz_below(r, fz_below(r, 8) == 0 ? FZ_MAX_ACTS : 4);
	struct fz_act a = s->acts[i];
	char *copy = xmalloc(a.len + 1);
	memcpy(copy, a.b, a.len + 1);
	for (size_t j = 0; j < k && s->n < FZ_MAX_ACTS; j++)
		fz_sess_insert(s, i + 1, copy, a.len, a.pipelined);
	free(copy);
	return 1;
}

static int
m_swap(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	(void)w;
	if (s->n < 2)
		return 0;
	size_t i = fz_below(r, s->n), j = fz_below(r, s->n);
	struct fz_act t = s->acts[i];
	s->acts[i] = s->acts[j];
	s->acts[j] = t;
	return i != j;
}

static int
m_verb_case(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	(void)w;
	struct fz_act *a = rand_act(r, s);
	size_t from, to, n = 0;
	if (!rand_line(r, a, &from, &to))
		return 0;
	for (size_t i = from; i < to && a->b[i] != ' ' && a->b[i] != ':'; i++, n++)
		if (isalpha((unsigned char)a->b[i]) && fz_below(r, 2))
			a->b[i] ^= 0x20;
	return n > 0;
}

static int
m_verb(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	(void)w;
	struct fz_act *a = rand_act(r, s);
	size_t from, to, e;
	if (!rand_line(r, a, &from, &to))
		return 0;
	for (e = from; e < to && a->b[e] != ' '; e++)
		if (a->b[e] == ':') {
			e++;
			break;
		}
	const char *v = pick(r, verbs, N(verbs));
	splice(a, from, e, v, strlen(v));
	return 1;
}

/* The <...> of a MAIL or RCPT line replaced by an interesting address. */
static int
m_address(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	(void)w;
	struct fz_act *a = rand_act(r, s);
	if (!a)
		return 0;
	char *lt = memchr(a->b, '<', a->len);
	char *gt = lt ? memchr(lt, '>', a->len - (size_t)(lt - a->b)) : NULL;
	if (!gt)
		return 0;
	struct buf b;
	buf_init(&b);
	if (fz_below(r, 3) == 0) {
		/* local part or domain at a length limit */
		size_t n = lengths[fz_below(r, 8)];
		buf_puts(&b, "<");
		for (size_t i = 0; i < n; i++)
			buf_puts(&b, fz_below(r, 2) ? "a" : (i % 63 == 62 ? "." : "b"));
		buf_puts(&b, fz_below(r, 2) ? "@example.com>" : ">");
	} else
		buf_puts(&b, pick(r, addresses, N(addresses)));
	splice(a, (size_t)(lt - a->b), (size_t)(gt - a->b) + 1, b.data, b.len);
	buf_free(&b);
	return 1;
}

static int
m_param(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	(void)w;
	struct fz_act *a = rand_act(r, s);
	size_t from, to;
	if (!rand_line(r, a, &from, &to) || to == from)
		return 0;
	const char *p = pick(r, params, N(params));
	struct buf b;
	buf_init(&b);
	buf_printf(&b, " %s", p);
	if (fz_below(r, 4) == 0) /* a value at a length limit */
		for (size_t i = 0, n = lengths[fz_below(r, 12)]; i < n; i++)
			buf_puts(&b, "x");
	splice(a, to, to, b.data, b.len);
	buf_free(&b);
	return 1;
}

static int
m_length(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	(void)w;
	struct fz_act *a = rand_act(r, s);
	size_t from, to;
	if (!rand_line(r, a, &from, &to))
		return 0;
	size_t want = lengths[fz_below(r, N(lengths))];
	size_t have = to - from + 2; /* with its CRLF */
	if (want <= have)
		return 0;
	splice_fill(a, to, to, NULL, want - have, fz_below(r, 2) ? 'x' : ' ');
	return 1;
}

static int
m_byte(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	(void)w;
	static const char bytes[] = { '\r', '\n', '\0', '\x80', '\xff', '\x7f', '\x1b', '\t' };
	struct fz_act *a = rand_act(r, s);
	if (!a)
		return 0;
	size_t at = fz_below(r, a->len + 1);
	splice(a, at, at, &bytes[fz_below(r, sizeof(bytes))], 1);
	return 1;
}

/* A transaction whose message hides a second one behind a false end. */
static int
m_smuggle(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	if (s->n + 4 > FZ_MAX_ACTS)
		return 0;
	const char *from = word(w->sender, "sender@example.com");
	const char *to = word(w->recipient, "recipient@example.com");
	struct buf b;
	buf_init(&b);
	size_t at = insert_point(r, s);
	insert_envelope(s, &at, w);
	insert_text(s, at++, "DATA\r\n", 6);
	buf_printf(&b, "From: <%s>\r\nSubject: fuzz\r\n\r\nfirst", from);
	size_t e = fz_below(r, N(eods));
	buf_append(&b, eods[e].s, eods[e].n);
	buf_printf(&b, "MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\nSubject: smuggled\r\n\r\n"
	    "second\r\n.\r\n", from, to);
	insert_text(s, at, b.data, b.len);
	buf_free(&b);
	return 1;
}

/* A whole transaction to one to five recipients: what the server keeps
 * after a delivery is state a fuzzer rarely reaches command by command. */
static int
m_txn(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	size_t k = 1 + fz_below(r, 5);
	if (s->n + k + 3 > FZ_MAX_ACTS)
		return 0;
	static const char rcpt[] = "RCPT TO:<postmaster>\r\n";
	static const char body[] = "Subject: fuzz\r\n\r\nbody\r\n.\r\n";
	size_t at = insert_point(r, s);
	insert_envelope(s, &at, w);
	for (size_t i = 1; i < k; i++)
		insert_text(s, at++, rcpt, sizeof(rcpt) - 1);
	insert_text(s, at++, "DATA\r\n", 6);
	insert_text(s, at, body, sizeof(body) - 1);
	return 1;
}

/* BDAT chunks whose declared size is, or is not, what follows. */
static int
m_bdat(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	if (s->n + 3 > FZ_MAX_ACTS)
		return 0;
	struct buf b;
	buf_init(&b);
	size_t at = insert_point(r, s);
	insert_envelope(s, &at, w);
	size_t real = fz_below(r, 40), said = fz_below(r, 3) ? real : fz_below(r, 80);
	buf_reset(&b);
	buf_printf(&b, "BDAT %zu%s\r\n", said, fz_below(r, 2) ? " LAST" : "");
	for (size_t i = 0; i < real; i++)
		buf_puts(&b, i % 7 == 6 ? "\r\n" : "b");
	insert_text(s, at, b.data, b.len);
	buf_free(&b);
	return 1;
}

static int
m_starttls(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	(void)w;
	insert_text(s, insert_point(r, s), "STARTTLS\r\n", 10);
	return 1;
}

static int
m_auth(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	struct buf b;
	buf_init(&b);
	if (fz_below(r, 2) == 0 && w->auth_plain)
		buf_printf(&b, "AUTH PLAIN %s\r\n", w->auth_plain);
	else
		buf_printf(&b, "%s\r\n", pick(r, auths, N(auths)));
	insert_text(s, insert_point(r, s), b.data, b.len);
	buf_free(&b);
	return 1;
}

/* Acts sent in one burst. */
static int
m_pipeline(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	(void)w;
	if (s->n < 2)
		return 0;
	size_t i = 1 + fz_below(r, s->n - 1);
	s->acts[i].pipelined = !s->acts[i].pipelined;
	return 1;
}

static int
m_splice(struct fz_rng *r, struct fz_sess *s, const struct fz_sess *const *o, size_t no)
{
	if (!no)
		return 0;
	const struct fz_sess *src = o[fz_below(r, no)];
	if (!src->n)
		return 0;
	const struct fz_act *a = &src->acts[fz_below(r, src->n)];
	fz_sess_insert(s, insert_point(r, s), a->b, a->len, 0);
	return 1;
}

static int
word_end(char c)
{
	return c == ' ' || c == '\r' || c == '\n';
}

/* A word of a line: the run of bytes with no space, CR or LF around at
 * (at inside [from, to)); its span [*ws, *we). */
static void
word_at(const char *b, size_t from, size_t to, size_t at, size_t *ws, size_t *we)
{
	size_t s = at, e = at;
	while (s > from && !word_end(b[s - 1]))
		s--;
	while (e < to && !word_end(b[e]))
		e++;
	*ws = s;
	*we = e;
}

/* The scenarios are the dictionary: a word of a line of another seed
 * ("BODY=8BITMIME", "<postmaster>", "SMTPUTF8", a literal) replaces a word
 * of a line of this session, or follows it after a space. */
static int
m_word(struct fz_rng *r, struct fz_sess *s, const struct fz_sess *const *o, size_t no)
{
	const struct fz_sess *src = no ? o[fz_below(r, no)] : NULL;
	const struct fz_act *sa = src && src->n ? &src->acts[fz_below(r, src->n)] : NULL;
	struct fz_act *a = rand_act(r, s);
	size_t sf, st, ws, we, from, to, at, ts, te;
	if (!rand_line(r, sa, &sf, &st) || st == sf || !rand_line(r, a, &from, &to) || to == from)
		return 0;
	word_at(sa->b, sf, st, sf + fz_below(r, st - sf), &ws, &we);
	if (we == ws)
		return 0;
	at = from + fz_below(r, to - from);
	word_at(a->b, from, to, at, &ts, &te);
	if (fz_below(r, 2)) {
		splice(a, ts, te, sa->b + ws, we - ws);
		return 1;
	}
	struct buf b;
	buf_init(&b);
	buf_puts(&b, " ");
	buf_append(&b, sa->b + ws, we - ws);
	splice(a, te, te, b.data, b.len);
	buf_free(&b);
	return 1;
}

static int
m_havoc(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w)
{
	(void)w;
	struct fz_act *a = rand_act(r, s);
	if (!a)
		return 0;
	size_t at = fz_below(r, a->len + 1);
	switch (fz_below(r, 4)) {
	case 0: /* flip a byte */
		if (!a->len)
			return 0;
		a->b[fz_below(r, a->len)] ^= (char)(1u << fz_below(r, 8));
		return 1;
	case 1: { /* a dictionary token */
		const char *t = pick(r, tokens, N(tokens));
		splice(a, at, at, t, t[0] ? strlen(t) : 1);
		return 1;
	}
	case 2: { /* delete a range */
		size_t n = fz_below(r, a->len - at + 1);
		splice(a, at, at + n, "", 0);
		return n > 0;
	}
	default: /* truncate: the act ends mid-line */
		if (!a->len)
			return 0;
		set_act(a, a->b, fz_below(r, a->len));
		return 1;
	}
}

/* ---- the table ---------------------------------------------------------------- */

typedef int (*mut_fn)(struct fz_rng *r, struct fz_sess *s, const struct fz_words *w);
/* The ones that take from the other seeds. */
typedef int (*mut_others_fn)(struct fz_rng *r, struct fz_sess *s, const struct fz_sess *const *o,
    size_t no);

static const struct {
	const char *name;
	mut_fn fn;
	unsigned weight;
	mut_others_fn from_others;
} muts[] = {
	{ "drop", m_drop, 3, NULL }, { "repeat", m_repeat, 3, NULL },
	{ "swap", m_swap, 2, NULL }, { "verb-case", m_verb_case, 2, NULL },
	{ "verb", m_verb, 3, NULL }, { "address", m_address, 4, NULL },
	{ "param", m_param, 4, NULL }, { "length", m_length, 3, NULL },
	{ "byte", m_byte, 3, NULL }, { "smuggle", m_smuggle, 3, NULL },
	{ "txn", m_txn, 2, NULL }, { "bdat", m_bdat, 2, NULL },
	{ "starttls", m_starttls, 1, NULL }, { "auth", m_auth, 2, NULL },
	{ "pipeline", m_pipeline, 2, NULL }, { "splice", NULL, 3, m_splice },
	{ "word", NULL, 3, m_word }, { "havoc", m_havoc, 4, NULL },
};

size_t
fz_mutators(void)
{
	return N(muts);
}

const char *
fz_mutator_name(size_t i)
{
	return i < N(muts) ? muts[i].name : "?";
}

int
fz_mutate_one(struct fz_rng *r, size_t i, struct fz_sess *s, const struct fz_sess *const *others,
    size_t n_others, const struct fz_words *w)
{
	if (i >= N(muts))
		return 0;
	if (muts[i].from_others)
		return muts[i].from_others(r, s, others, n_others);
	return muts[i].fn(r, s, w);
}

void
fz_mutate(struct fz_rng *r, struct fz_sess *s, const struct fz_sess *const *others, size_t n_others,
    const struct fz_words *w)
{
	unsigned total = 0;
	for (size_t i = 0; i < N(muts); i++)
		total += muts[i].weight;
	size_t rounds = 1 + fz_below(r, 4);
	for (size_t k = 0; k < rounds; k++) {
		unsigned x = (unsigned)fz_below(r, total);
		size_t i = 0;
		while (x >= muts[i].weight)
			x -= muts[i++].weight;
		fz_mutate_one(r, i, s, others, n_others, w);
	}
}
