/*
 * fuzz_server.c - the reference server's session state machine
 * (src/server.h) fed a client's bytes.  The session runs on the in-memory
 * transport (srv_attach_mem: the server's own reading, framing and replies,
 * without a socketpair and a poll round per chunk); the input is sent in
 * chunks (cut at input-chosen points, so pipelining and partial lines are
 * both covered), then the client's side is shut, and the session must end.
 * One server per fault set lives across inputs, as a real server serves
 * many sessions (making one costs a TLS key and certificate).
 *
 * Invariants, checked on everything the server sent:
 *   - every reply is well formed by our own reply parser (ASCII only,
 *     lines of at most 512 octets, RFC 5321 4.5.3.1.5);
 *   - the first reply is the 220 greeting;
 *   - one reply per command: an independent model of RFC 5321 framing cuts
 *     the client bytes into command lines (each ended by CRLF) and, after
 *     a 354, a message ended by CRLF "." CRLF; each of those gets exactly
 *     one reply, an unterminated tail gets none;
 *   - nothing after a reply that closes the session (221, 421);
 *   - after 220 to STARTTLS the plaintext ends (RFC 3207 4.2: the bytes
 *     that follow are a TLS handshake), so the checks stop there;
 *   - "BDAT n [LAST]" is followed by exactly n octets of chunk, read
 *     whether the BDAT is accepted or refused (RFC 3030 2), and answered
 *     once after them; a line after a 334 is an AUTH response, not a
 *     command (RFC 4954 4).
 *
 * Input: byte 0: low four bits the number of cut points k, high four bits
 * a fault set (0 = the strict server; the others are faults that change
 * the state machine's paths but keep these invariants); then k bytes of
 * chunk lengths (times 16), then the client's bytes.
 */
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "fuzz.h"
#include "loop.h"
#include "reply.h"
#include "server.h"

/* Faults by name (server_faults.c), so new ones do not shift the table. */
static const char *const fault_sets[16] = {
	NULL, "accept-unknown", "invalid-421", "tired-421", "no-ehlo",
	"helo-multiline", "ehlo-no-arg-ok", "case-sensitive-verbs",
	"rset-keeps-transaction", "ehlo-keeps-transaction", "rcpt-without-mail",
	"data-without-rcpt", "short-line-limit", "data-250-not-354",
	"nested-mail-ok", "size-ignored,no-enhanced-codes,mail-before-helo",
};

static struct buf outb;	/* everything the server sent */
static const char *out;
static size_t out_len;

/* Where the message that starts at in[0] ends (just after CRLF.CRLF), or 0:
 * the end is the first CRLF "." CRLF, counting the CRLF that ended the
 * DATA command (RFC 5321 4.1.1.4). */
static size_t
data_end(const char *in, size_t len)
{
	if (len >= 3 && memcmp(in, ".\r\n", 3) == 0)
		return 3;
	const char *e = memmem(in, len, "\r\n.\r\n", 5);
	return e ? (size_t)(e - in) + 5 : 0;
}

/* The chunk size of a well-formed "BDAT" SP 1*20DIGIT [SP "LAST"] line
 * (RFC 3030 2), or -1.  Written here again, apart from the server's
 * parser, so that the model stays independent of what it checks. */
static long long
bdat_size(const char *l, size_t n)
{
	size_t i = 5, d = 0;
	unsigned long long v = 0;
	if (n < 6 || strncasecmp(l, "BDAT ", 5) != 0)
		return -1;
	for (; i < n && l[i] >= '0' && l[i] <= '9'; i++, d++)
		/* Clamped before it can pass 2^63 (the cast below): a
		 * 20-digit size once wrapped negative here. */
		v = v > ((1ULL << 62) - 9) / 10 ? (1ULL << 62) : v * 10 + (unsigned)(l[i] - '0');
	if (d == 0 || d > 20)
		return -1;
	if (i != n && !(n - i == 5 && strncasecmp(l + i, " LAST", 5) == 0))
		return -1;
	return (long long)v;
}

static void
check(const char *in, size_t in_len)
{
	struct reply_opts opts = { .max_line = 512, .flags = REPLY_OPT_ASCII_ONLY };
	struct reply_line lines[64];
	size_t pos = 0, ipos = 0, nrep = 0;
	int closed = 0, body = 0, tls = 0, sasl = 0;

	while (pos < out_len && !tls) {
		struct reply r = { .lines = lines, .lines_cap = 64 };
		struct reply_error err;
		ssize_t n = reply_parse(out + pos, out_len - pos, &opts, &r, &err);

		FUZZ_CHECK(n != REPLY_VIOLATION, "reply %zu malformed: %s at %zu: '%.*s'", nrep + 1,
		    reply_violation_str(err.kind), err.offset,
		    (int)(out_len - pos > 200 ? 200 : out_len - pos), out + pos);
		FUZZ_CHECK(n > 0, "reply %zu cut short: '%.*s'", nrep + 1,
		    (int)(out_len - pos), out + pos);
		FUZZ_CHECK(!closed, "reply %d after the session closed", r.code);
		if (nrep == 0) {
			FUZZ_CHECK(r.code == 220, "greeting %d", r.code);
		} else {
			/* The command or message this reply answers. */
			size_t used;
			if (body) {
				used = data_end(in + ipos, in_len - ipos);
				FUZZ_CHECK(used > 0, "reply %d to a message that has not ended", r.code);
			} else {
				const char *e = memmem(in + ipos, in_len - ipos, "\r\n", 2);
				FUZZ_CHECK(e != NULL, "reply %d to a line that has not ended", r.code);
				used = (size_t)(e - (in + ipos)) + 2;
				size_t l = used - 2;
				long long chunk = sasl ? -1 : bdat_size(in + ipos, l);
				while (l > 8 && in[ipos + l - 1] == ' ')
					l--;
				tls = !sasl && r.code == 220 && l == 8 &&
				    strncasecmp(in + ipos, "STARTTLS", 8) == 0;
				/* A BDAT the server parsed took its chunk (not a line
				 * refused as such, 500/501, or service withdrawn, 421). */
				if (chunk >= 0 && r.code != 500 && r.code != 501 && r.code != 421) {
					FUZZ_CHECK((unsigned long long)chunk <= in_len - ipos - used,
					    "reply %d to a BDAT whose chunk has not arrived", r.code);
					used += (size_t)chunk;
				}
			}
			sasl = r.code == 334;
			ipos += used;
			body = !body && r.code == 354;
			if (r.code == 221 || r.code == 421)
				closed = 1;
		}
		nrep++;
		pos += (size_t)n;
	}
	/* Every complete command got its reply, unless the session closed. */
	if (!closed && !tls) {
		size_t left = body ? data_end(in + ipos, in_len - ipos) :
		    (memmem(in + ipos, in_len - ipos, "\r\n", 2) != NULL);
		/* The last complete line may be a BDAT still waiting for its
		 * chunk: no reply is due before the chunk is in. */
		const char *e = body ? NULL : memmem(in + ipos, in_len - ipos, "\r\n", 2);
		if (e && !sasl) {
			long long chunk = bdat_size(in + ipos, (size_t)(e - (in + ipos)));
			if (chunk >= 0 && (unsigned long long)chunk > in_len - ipos - (size_t)(e - (in + ipos)) - 2)
				left = 0;
		}
		FUZZ_CHECK(left == 0, "a complete %s at input offset %zu got no reply",
		    body ? "message" : "command", ipos);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct loop *loop;
	static struct srv *servers[16];
	size_t cuts[16], k, i;
	char err[128];

	if (!loop)
		loop = loop_new();
	if (size < 1)
		return 0;
	k = data[0] & 15;
	if (size < 1 + k)
		return 0;
	for (i = 0; i < k; i++)
		cuts[i] = (size_t)data[1 + i] * 16;
	const char *in = (const char *)data + 1 + k;
	size_t len = size - 1 - k;

	struct srv **srv = &servers[data[0] >> 4];
	if (!*srv) {
		*srv = srv_new(loop, fault_sets[data[0] >> 4], err, sizeof(err));
		FUZZ_CHECK(*srv != NULL, "srv_new: %s", err);
	}
	buf_reset(&outb);
	struct srv_mem *m = srv_attach_mem(*srv, &outb, err, sizeof(err));
	FUZZ_CHECK(m != NULL, "srv_attach_mem: %s", err);

	size_t sent = 0, c = 0;
	while (sent < len) {
		size_t chunk = c < k ? cuts[c++] : len - sent;
		if (chunk == 0 || chunk > len - sent)
			chunk = len - sent;
		if (srv_mem_send(m, in + sent, chunk) != 0) {
			sent = len; /* the server closed: the rest is not read */
			break;
		}
		sent += chunk;
	}
	srv_mem_shut(m);
	FUZZ_CHECK(srv_mem_closed(m), "the session did not end after the client's close");
	FUZZ_CHECK(srv_active_sessions(*srv) == 0, "%zu sessions left", srv_active_sessions(*srv));
	srv_mem_free(m);
	out = outb.data;
	out_len = outb.len;
	check(in, sent);
	return 0;
}
