/*
 * fz_oracle.c - the fuzzer's verdict (fz_oracle.h).
 */
#include "fz_oracle.h"

#include <stdio.h>

#include "fz_frame.h"
#include "reply.h"
#include "rules.h"

static const char *const names[FZ_OR_COUNT] = {
	[FZ_OR_NONE] = "none", [FZ_OR_CRASH] = "crash", [FZ_OR_SANITIZER] = "sanitizer",
	[FZ_OR_MALFORMED] = "malformed", [FZ_OR_CLOSE] = "close", [FZ_OR_HANG] = "hang",
	[FZ_OR_NOCLOSE] = "no-close", [FZ_OR_EXTRA] = "extra-reply",
	[FZ_OR_SMUGGLE] = "smuggling", [FZ_OR_LATE] = "late-reply", [FZ_OR_QUIT] = "quit",
	[FZ_OR_TLS] = "tls",
};

const char *
fz_oracle_name(enum fz_oracle k)
{
	return k < FZ_OR_COUNT ? names[k] : "?";
}

/* owed: the replies still owed when the oracle fired; at least one when
 * the failing reply itself is what is awaited (hang, malformed, close). */
static struct fz_verdict
verdict(enum fz_oracle k, const char *rule, enum fz_last last, size_t upto, size_t n_codes,
    size_t owed)
{
	const struct rules_rule *r = rules_session(rule);
	return (struct fz_verdict){ k, r->id, r->ref, r->quote, last, upto, n_codes, owed };
}

enum fz_tls_first
fz_oracle_tls_first(const unsigned char *b, size_t n)
{
	if (n == 0)
		return FZ_TLS_NOTHING;
	/* RFC 8446 5.1: ContentType alert(21), handshake(22). */
	return b[0] == 0x15 || b[0] == 0x16 ? FZ_TLS_RECORD : FZ_TLS_OTHER;
}

/* The rule a malformed reply breaks (as the engine charges it). */
static const char *
malformed_rule(int violation)
{
	switch (violation) {
	case REPLY_ERR_CODE_MISMATCH: return "RF-03";
	case REPLY_ERR_BARE_LF:
	case REPLY_ERR_BARE_CR: return "RF-06";
	case REPLY_ERR_LINE_TOO_LONG:
	case REPLY_ERR_TOO_MANY_LINES: return "RF-05";
	default: return "RF-01";
	}
}

/* What holds whatever the client sent. */
static struct fz_verdict
always(const struct fz_obs *o)
{
	size_t all = o->n_codes;
	size_t owed1 = o->owed ? o->owed : 1;
	/* After a 221 or 421 the close is due: the scenario ends expecting it. */
	enum fz_last gone = o->closing ? FZ_LAST_CLOSE : FZ_LAST_SILENCE;
	if (o->exit_signal || o->died)
		return verdict(FZ_OR_CRASH, "TM-03", gone, o->acts_sent, all, o->owed);
	if (o->sanitizer)
		return verdict(FZ_OR_SANITIZER, "TM-03", gone, o->acts_sent, all, o->owed);
	if (o->end == FZ_END_MALFORMED)
		return verdict(FZ_OR_MALFORMED, malformed_rule(o->violation), FZ_LAST_NONE,
		    o->acts_sent, all, owed1);
	return (struct fz_verdict){ .oracle = FZ_OR_NONE };
}

struct fz_verdict
fz_oracle_judge(const struct fz_obs *o)
{
	struct fz_verdict v = always(o);
	/* A session the campaign cut short ended as nothing the server did. */
	if (v.oracle != FZ_OR_NONE || o->dirty || o->end == FZ_END_CUT)
		return v;
	size_t all = o->n_codes, but_last = o->n_codes ? o->n_codes - 1 : 0;
	size_t owed1 = o->owed ? o->owed : 1;
	/* RFC 5321 4.1.1.10: QUIT (no argument) gets 221. */
	if (o->quit_code && o->quit_code != 221 && o->quit_code != 421 && !o->overlong) {
		size_t upto = o->got[o->quit_index].act;
		return verdict(FZ_OR_QUIT, "TM-01", FZ_LAST_221, upto, o->quit_index, 0);
	}
	/* After an over-long command line the replies cannot be counted: a
	 * server may answer it in pieces (RFC 5321 4.5.3.1.4 binds the
	 * client); what it does with the connection still tells. */
	if (o->overlong && (o->end == FZ_END_EXTRA || o->end == FZ_END_LATE ||
	    o->end == FZ_END_DATA))
		return v;
	switch (o->end) {
	case FZ_END_CLOSED:
		/* RFC 5321 7.8: a close after error replies is a defence. */
		if (o->n_errors >= 2)
			return v;
		return verdict(FZ_OR_CLOSE, "TM-03", FZ_LAST_SILENCE, o->acts_sent, all, o->owed);
	case FZ_END_TIMEOUT:
		return verdict(FZ_OR_HANG, "RF-01", FZ_LAST_NONE, o->acts_sent, all, owed1);
	case FZ_END_NOCLOSE:
		return verdict(FZ_OR_NOCLOSE, o->quit_code == 221 ? "TM-01" : "TX-10", FZ_LAST_CLOSE,
		    o->acts_sent, all, 0);
	case FZ_END_EXTRA:
		return verdict(FZ_OR_EXTRA, "RF-01", FZ_LAST_SILENCE, o->acts_sent, but_last, o->owed);
	case FZ_END_DATA:
		return verdict(FZ_OR_SMUGGLE, o->bare_newline_data ? "DT-02" : "RF-01",
		    o->in_chunk ? FZ_LAST_IN_CHUNK : FZ_LAST_IN_DATA, o->acts_sent, but_last,
		    o->owed);
	case FZ_END_LATE:
		return verdict(FZ_OR_LATE, o->quit_code == 221 ? "TM-01" : "TX-10", FZ_LAST_CLOSE,
		    o->acts_sent, but_last, 0);
	case FZ_END_TLS:
		if (!o->starttls_hs)
			return v;
		/* RFC 3207 4: 220 means "ready to start TLS"; bytes that are
		 * not TLS in its place break that meaning (RFC 5321 4.3.1),
		 * as `run` charges them. */
		if (fz_oracle_tls_first(o->tls_first, o->tls_first_n) == FZ_TLS_OTHER)
			return verdict(FZ_OR_TLS, "TX-10", FZ_LAST_TLS, o->acts_sent, all, 0);
		/* A close without an alert, after nothing or after TLS
		 * records: no QUIT came (RFC 5321 4.1.1.10), and none of the
		 * error replies after which 7.8 lets a server close.  The
		 * server's own TLS failing with an alert stays no finding:
		 * its TLS configuration is its own (RFC 3207 4); so does a
		 * close when the client limited the versions, as `run` skips
		 * it: a server whose TLS refused them may close without its
		 * alert (asyncio drops it), a TLS lapse, not SMTP's. */
		if (o->tls_closed && !o->tls_narrowed && o->n_errors < 2)
			return verdict(FZ_OR_CLOSE, "TM-03", FZ_LAST_TLS, o->acts_sent, all, 0);
		return v;
	default:
		return v;
	}
}

const char *
fz_oracle_seen(const struct fz_obs *o, const struct fz_verdict *v, char *buf, size_t len)
{
	/* The reply is the breach (RFC 5321 4.1.1.10), not how the session
	 * ended after it: a close after a 250 is no close without a reply. */
	if (v->oracle == FZ_OR_QUIT)
		snprintf(buf, len, "QUIT answered %d, not 221", o->quit_code);
	else
		snprintf(buf, len, "%s", o->detail);
	return buf;
}

uint64_t
fz_oracle_key(const struct fz_obs *o, const struct fz_verdict *v)
{
	uint64_t h = 1469598103934665603ULL;
#define MIX(x) (h = (h ^ (uint64_t)(x)) * 1099511628211ULL)
	MIX(v->oracle);
	MIX(v->n_codes ? o->got[v->n_codes - 1].verb : FZ_V_GREETING);
	/* What came before the 220 to STARTTLS does not make a finding of
	 * the handshake another: one a fault, not one per road to it. */
	if (v->last == FZ_LAST_TLS)
		MIX(FZ_LAST_TLS);
	for (size_t i = v->last == FZ_LAST_TLS ? v->n_codes : 0; i < v->n_codes; i++)
		MIX(o->got[i].code);
#undef MIX
	return h;
}
