/*
 * fuzz_mailbox.c - the mailbox parsers (src/mailbox.h) on an mbox.  Byte 0
 * picks a cut point (byte 0 / 256 of the rest); the rest is the file.
 * Checks that the pieces of the whole file tile it (each uses > 0 bytes, its
 * body inside them, a message starts with "From " and junk does not); that
 * the pieces found complete in the part before the cut, read as not yet at
 * the end of the file, are the first pieces of the whole (a growing file
 * never changes a message once read); that unquoting makes every LF a CRLF,
 * keeps the number of lines and is stable when run again on its own output
 * (mbox off); that header fields come back unfolded, each call moving
 * forward, and addresses lie inside their value.
 */
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "mailbox.h"

#define MAX_PIECES 256

struct piece {
	ssize_t n;
	struct mbx_part p;
};

/* The pieces of buf[0..len): their count; *rest the bytes left over. */
static size_t
pieces(const char *buf, size_t len, int eof, struct piece *out, size_t *rest)
{
	size_t k = 0, pos = 0;

	while (k < MAX_PIECES) {
		ssize_t n = mbx_mbox_next(buf + pos, len - pos, eof, &out[k].p);
		FUZZ_CHECK(n == MBX_PARTIAL || (n >= 0 && (size_t)n <= len - pos),
		    "%zd from %zu bytes", n, len - pos);
		if (n == 0)
			FUZZ_CHECK(pos == len, "0 with %zu bytes left", len - pos);
		if (n <= 0)
			break;
		out[k].n = n;
		FUZZ_CHECK(out[k].p.body + out[k].p.body_len <= (size_t)n,
		    "body %zu+%zu past %zd", out[k].p.body, out[k].p.body_len, n);
		FUZZ_CHECK(out[k].p.junk == !(n >= 5 && memcmp(buf + pos, "From ", 5) == 0),
		    "junk %d", out[k].p.junk);
		pos += (size_t)n;
		k++;
	}
	*rest = len - pos;
	return k;
}

static size_t
count_lf(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += s[i] == '\n';
	return c;
}

static void
check_unquote(const char *body, size_t len)
{
	struct buf a, b;

	buf_init(&a);
	buf_init(&b);
	size_t n = mbx_unquote(body, len, 1, &a);
	FUZZ_CHECK(n == a.len && n <= 2 * len, "%zu bytes from %zu", n, len);
	FUZZ_CHECK(count_lf(a.data, a.len) == count_lf(body, len), "lines changed");
	for (size_t i = 0; i < a.len; i++)
		FUZZ_CHECK(a.data[i] != '\n' || (i > 0 && a.data[i - 1] == '\r'),
		    "bare LF at %zu", i);
	mbx_unquote(a.data, a.len, 0, &b);
	FUZZ_CHECK(b.len == a.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0),
	    "CRLF output not stable");
	buf_free(&a);
	buf_free(&b);
}

static void
check_headers(const char *msg, size_t len)
{
	static const char *const names[] = { "Return-Path", "Delivered-To", "X-Original-To", "From" };

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		char v[128];
		size_t pos = 0, before;
		ssize_t vl;

		for (;;) {
			before = pos;
			vl = mbx_header_next(msg, len, &pos, names[k], v, sizeof(v));
			FUZZ_CHECK(pos <= len, "pos %zu past %zu", pos, len);
			if (vl < 0)
				break;
			FUZZ_CHECK(pos > before, "no progress at %zu", pos);
			/* The value may hold NULs: its length is the one returned,
			 * cut to the room. */
			size_t sl = (size_t)vl < sizeof(v) ? (size_t)vl : sizeof(v) - 1;
			FUZZ_CHECK(v[sl] == '\0', "value %zd not terminated at %zu", vl, sl);
			FUZZ_CHECK(!memchr(v, '\n', sl) && !memchr(v, '\r', sl), "line end in value");
			size_t off;
			ssize_t al = mbx_address(v, sl, &off);
			FUZZ_CHECK(al < 0 || off + (size_t)al <= sl, "address past its value");
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct piece whole[MAX_PIECES], part[MAX_PIECES], whole0[MAX_PIECES];
	size_t rest, rest0, restp;

	if (size < 1)
		return 0;
	const char *buf = (const char *)data + 1;
	size_t len = size - 1, cut = (size_t)data[0] * len / 256;

	size_t nw = pieces(buf, len, 1, whole, &rest);
	size_t nw0 = pieces(buf, len, 0, whole0, &rest0);
	size_t np = pieces(buf, cut, 0, part, &restp);
	/* Not at the end: only the last piece may differ from eof. */
	FUZZ_CHECK(nw0 <= nw && nw <= nw0 + 1, "%zu pieces, %zu at eof", nw0, nw);
	FUZZ_CHECK(np <= nw0 || nw0 == MAX_PIECES, "%zu pieces in the part, %zu in the whole", np, nw0);
	for (size_t i = 0; i < np && i < nw0; i++)
		FUZZ_CHECK(part[i].n == whole0[i].n && part[i].p.body == whole0[i].p.body &&
		    part[i].p.body_len == whole0[i].p.body_len && part[i].p.junk == whole0[i].p.junk,
		    "piece %zu changed as the file grew", i);
	for (size_t i = 0; i < nw0; i++)
		FUZZ_CHECK(whole[i].n == whole0[i].n && whole[i].p.body_len == whole0[i].p.body_len,
		    "piece %zu differs at eof", i);

	size_t pos = 0;
	for (size_t i = 0; i < nw; i++) {
		if (!whole[i].p.junk) {
			const char *b = buf + pos + whole[i].p.body;
			check_unquote(b, whole[i].p.body_len);
			check_headers(b, whole[i].p.body_len);
		}
		pos += (size_t)whole[i].n;
	}
	/* The tail too: not a message yet, but bytes all the same. */
	check_unquote(buf + pos, len - pos);
	check_headers(buf + pos, len - pos);
	return 0;
}
