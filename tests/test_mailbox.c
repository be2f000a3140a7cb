/*
 * test_mailbox.c - CUnit tests of src/mailbox.c (the pure parsers: mbox
 * boundaries, unquoting and CRLF, header fields, addresses), every input
 * placed right before a guard page, the boundaries also fed one byte at a
 * time; and of src/oracle_mailbox.c against maildirs and mbox files made
 * under /tmp: what is there at open is not read, each scan adds only what
 * arrived since, a new/ -> cur/ move is not a new message, an incomplete mbox
 * message waits, a truncated or replaced mbox is read from its start.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "buf.h"
#include "mailbox.h"
#include "oracle.h"
#include "testutil.h"
#include "util.h"

/* ---- mbx_mbox_next ------------------------------------------------------ */

/* Every piece of buf as "M[body]" or "J[body]", then "P" when an
 * incomplete piece is left; each call on a guarded copy. */
static void
render(const char *buf, size_t len, int eof, struct buf *out)
{
	size_t pos = 0;

	buf_reset(out);
	buf_append(out, "", 0);	/* data never NULL */
	for (;;) {
		struct tu_guard g;
		struct mbx_part part;
		char *p = tu_guarded(&g, buf + pos, len - pos);
		ssize_t n = mbx_mbox_next(p, len - pos, eof, &part);

		if (n == MBX_PARTIAL) {
			buf_puts(out, "P");
			tu_unguard(&g);
			return;
		}
		if (n == 0) {
			CU_ASSERT_EQUAL(len - pos, 0);
			tu_unguard(&g);
			return;
		}
		CU_ASSERT(n > 0 && (size_t)n <= len - pos);
		CU_ASSERT(part.body + part.body_len <= (size_t)n);
		buf_printf(out, "%c[", part.junk ? 'J' : 'M');
		buf_append(out, p + part.body, part.body_len);
		buf_puts(out, "]");
		tu_unguard(&g);
		pos += (size_t)n;
	}
}

static const struct {
	const char *in;
	int eof;
	const char *want;
} mbox_cases[] = {
	{ "", 1, "" },
	{ "From a@b Mon Jan  1 00:00:00 2026\nX: 1\n\nbody\n\n", 1, "M[X: 1\n\nbody\n]" },
	{ "From a@b Mon Jan  1 00:00:00 2026\nX: 1\n\nbody\n\n", 0, "P" },
	{ "From a\nA\n\nFrom b\nB\n\n", 1, "M[A\n]M[B\n]" },
	{ "From a\nA\n\nFrom b\nB\n\n", 0, "M[A\n]P" },
	{ "From a\nA\n\nFrom b\nB", 1, "M[A\n]P" },		/* no line end */
	{ "From a\nA\n", 1, "P" },				/* no empty line */
	{ "From a\nA\n\nFro", 1, "P" },			/* separator being written */
	{ "From a\nA\n\nFrom b", 1, "M[A\n]P" },		/* its line too */
	{ "From", 1, "P" },
	{ "From a", 1, "P" },
	{ "tail of old\n\nFrom a\nA\n\n", 1, "J[tail of old\n]M[A\n]" },
	{ "rest\n\n", 1, "J[rest\n]" },
	{ "rest\n", 1, "P" },
	{ "\n", 1, "J[]" },
	{ "From a\nA\nFrom x\n\n", 1, "M[A\nFrom x\n]" },	/* no empty line before */
	{ "From a\n>From x\n\n", 1, "M[>From x\n]" },
	{ "From a\r\nA\r\n\r\nFrom b\r\nB\r\n\r\n", 1, "M[A\r\n]M[B\r\n]" },
	{ "From a\n\nFrom b\nB\n\n", 1, "M[]M[B\n]" },		/* an empty message */
	{ "From a\nA\n\n\n\nFrom b\n\n", 1, "M[A\n\n\n]M[]" },
	{ "Frog\n\nFrom a\n\n", 1, "J[Frog\n]M[]" },
	{ "Fro\n\nFrom a\n\n", 1, "J[Fro\n]M[]" },
	{ "From a\nA\n\nFrom:x\n\n", 1, "M[A\n\nFrom:x\n]" },	/* "From:" is a field */
};

static void
test_mbox_next(void)
{
	struct buf got, part;

	buf_init(&got);
	buf_init(&part);
	for (size_t i = 0; i < sizeof(mbox_cases) / sizeof(mbox_cases[0]); i++) {
		const char *in = mbox_cases[i].in;
		size_t len = strlen(in);

		render(in, len, mbox_cases[i].eof, &got);
		if (strcmp(got.data, mbox_cases[i].want) != 0)
			fprintf(stderr, "\n  case %zu: got '%s', want '%s'\n", i, got.data,
			    mbox_cases[i].want);
		CU_ASSERT_STRING_EQUAL(got.data, mbox_cases[i].want);
		/* One byte at a time: every prefix, not at the end of the file,
		 * gives a prefix of the pieces of the whole. */
		struct buf whole;
		buf_init(&whole);
		render(in, len, 0, &whole);
		for (size_t k = 0; k <= len; k++) {
			render(in, k, 0, &part);
			size_t pl = part.len && part.data[part.len - 1] == 'P' ? part.len - 1 : part.len;
			CU_ASSERT(pl <= whole.len && memcmp(part.data, whole.data, pl) == 0);
		}
		buf_free(&whole);
	}
	buf_free(&got);
	buf_free(&part);
}

/* ---- mbx_unquote --------------------------------------------------------- */

static const struct {
	const char *in;
	int mbox;
	const char *want;
} unquote_cases[] = {
	{ "", 1, "" },
	{ "a\nb\n", 0, "a\r\nb\r\n" },
	{ "a\r\nb\n", 0, "a\r\nb\r\n" },
	{ "a\rb\n", 0, "a\rb\r\n" },
	{ "\r\r\n", 0, "\r\r\n" },
	{ "\n\n", 0, "\r\n\r\n" },
	{ "no end", 0, "no end" },
	{ "end\r", 0, "end\r" },
	{ ">From x\n>>From y\n>>>From z\nFrom w\n> From v\n>Fromage\n>From\n", 1,
	  "From x\r\n>From y\r\n>>From z\r\nFrom w\r\n> From v\r\n>Fromage\r\n>From\r\n" },
	{ ">From x\n>>From y\n", 0, ">From x\r\n>>From y\r\n" },
	{ ">From x", 1, "From x" },
	{ "a\n>From b\r\n", 1, "a\r\nFrom b\r\n" },
	{ "x>From b\n", 1, "x>From b\r\n" },
};

static void
test_unquote(void)
{
	struct buf out;

	buf_init(&out);
	for (size_t i = 0; i < sizeof(unquote_cases) / sizeof(unquote_cases[0]); i++) {
		struct tu_guard g;
		size_t len = strlen(unquote_cases[i].in);
		char *p = tu_guarded(&g, unquote_cases[i].in, len);

		buf_reset(&out);
		buf_puts(&out, "<");	/* appends, keeps what is there */
		size_t n = mbx_unquote(p, len, unquote_cases[i].mbox, &out);
		CU_ASSERT_EQUAL(n, out.len - 1);
		if (strcmp(out.data + 1, unquote_cases[i].want) != 0)
			fprintf(stderr, "\n  unquote case %zu: got '%s'\n", i, out.data + 1);
		CU_ASSERT_STRING_EQUAL(out.data + 1, unquote_cases[i].want);
		tu_unguard(&g);
	}
	buf_free(&out);
}

/* ---- mbx_header_next, mbx_address ----------------------------------------- */

static const struct {
	const char *in;
	const char *name;
	const char *want[4];	/* the values in order, NULL after the last */
} header_cases[] = {
	{ "Return-Path: <a@b>\r\nX: y\r\n\r\nReturn-Path: <no@body>\r\n", "Return-Path",
	  { "<a@b>", NULL } },
	{ "Subject: a\r\n b\r\n\tc \r\nX: 1\r\n\r\n", "subject", { "a b\tc", NULL } },
	{ "delivered-to: x@y\nX: 1\nDELIVERED-TO: z@w\n\nDelivered-To: q\n", "Delivered-To",
	  { "x@y", "z@w", NULL } },
	{ "Delivered-To : a\n", "Delivered-To", { "a", NULL } },
	{ "Delivered-To: a@b", "Delivered-To", { "a@b", NULL } },	/* cut short */
	{ "Subject: a\n ", "Subject", { "a", NULL } },
	{ "Subject: a\n b", "Subject", { "a b", NULL } },
	{ "Subject:\n", "Subject", { "", NULL } },
	{ "Return-Path: <>\n", "Return-Path", { "<>", NULL } },
	{ "\nReturn-Path: <a>\n", "Return-Path", { NULL } },	/* no header section */
	{ "\r\nReturn-Path: <a>\n", "Return-Path", { NULL } },
	{ "Return-Path-X: a\nReturn-Path: b\n", "Return-Path", { "b", NULL } },
	{ " Return-Path: a\n", "Return-Path", { NULL } },
	{ "garbage line\nReturn-Path: b\n", "Return-Path", { "b", NULL } },
	{ "X: 1\n Return-Path: a\nReturn-Path: b\n", "Return-Path", { "b", NULL } },
	{ "", "Return-Path", { NULL } },
	{ "Return-Path", "Return-Path", { NULL } },
	{ "A: 1\nA: 2\nA: 3\n", "A", { "1", "2", "3", NULL } },
};

static void
test_header_next(void)
{
	for (size_t i = 0; i < sizeof(header_cases) / sizeof(header_cases[0]); i++) {
		struct tu_guard g;
		size_t len = strlen(header_cases[i].in), pos = 0, k = 0;
		char *p = tu_guarded(&g, header_cases[i].in, len);
		char v[64];
		ssize_t n;

		while ((n = mbx_header_next(p, len, &pos, header_cases[i].name, v, sizeof(v))) >= 0) {
			CU_ASSERT(pos <= len);
			CU_ASSERT_PTR_NOT_NULL_FATAL(header_cases[i].want[k]);
			if (strcmp(v, header_cases[i].want[k]) != 0)
				fprintf(stderr, "\n  header case %zu: got '%s'\n", i, v);
			CU_ASSERT_STRING_EQUAL(v, header_cases[i].want[k]);
			CU_ASSERT_EQUAL((size_t)n, strlen(v));
			k++;
		}
		CU_ASSERT_PTR_NULL(header_cases[i].want[k]);
		tu_unguard(&g);
	}
	/* A value cut to the room given: its whole length returned. */
	char small[4];
	size_t pos = 0;
	CU_ASSERT_EQUAL(mbx_header_next("X: abcdef\n", 10, &pos, "X", small, sizeof(small)), 6);
	CU_ASSERT_STRING_EQUAL(small, "abc");
	pos = 0;
	CU_ASSERT_EQUAL(mbx_header_next("X: abcdef\n", 10, &pos, "X", NULL, 0), 6);
}

static void
test_address(void)
{
	static const struct { const char *in; const char *want; } t[] = {
		{ "<a@b>", "a@b" }, { "<>", "" }, { " a@b (comment)", "a@b" },
		{ "a@b", "a@b" }, { "Name <a@b> x", "a@b" }, { "<a@b", NULL },
		{ "", NULL }, { "  \t", NULL },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct tu_guard g;
		size_t len = strlen(t[i].in), off = 99;
		char *p = tu_guarded(&g, t[i].in, len);
		ssize_t n = mbx_address(p, len, &off);

		if (!t[i].want) {
			CU_ASSERT_EQUAL(n, -1);
		} else {
			CU_ASSERT_EQUAL(n, (ssize_t)strlen(t[i].want));
			CU_ASSERT(n >= 0 && off + (size_t)n <= len &&
			    memcmp(p + off, t[i].want, (size_t)n) == 0);
		}
		tu_unguard(&g);
	}
}

/* ---- oracle_mailbox.c on real files ---------------------------------------- */

static char tmpdir[64];

static int
setup_tmp(void)
{
	strcpy(tmpdir, "/tmp/smtph-mbx-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
cleanup_tmp(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
put_file(const char *path, const char *content, int append)
{
	FILE *f = fopen(path, append ? "a" : "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(content, f);
	fclose(f);
}

static char *
at(const char *fmt, const char *a)
{
	static char p[4][512];
	static int k;

	/* The last four stay valid. */
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/", tmpdir);
	snprintf(p[k] + strlen(p[k]), sizeof(p[k]) - strlen(p[k]), fmt, a);
	return p[k];
}

/* Deliver the way an MDA does: write in tmp/, rename into new/. */
static void
deliver(const char *md, const char *name, const char *content)
{
	char t[512], n[512];

	snprintf(t, sizeof(t), "%s/tmp/%s", md, name);
	snprintf(n, sizeof(n), "%s/new/%s", md, name);
	put_file(t, content, 0);
	CU_ASSERT_EQUAL(rename(t, n), 0);
}

static int
scan(struct orc_mailbox *mb, struct orc_store *st)
{
	char err[256] = "";
	int n = orc_mailbox_scan(mb, st, err, sizeof(err));

	if (n < 0)
		fprintf(stderr, "\n  scan: %s\n", err);
	return n;
}

static const struct orc_msg *
last(struct orc_store *st, const char *token)
{
	const struct orc_msg *m[16];
	size_t n = orc_store_find(st, token, m, 16);

	return n ? m[n < 16 ? n - 1 : 15] : NULL;
}

static void
test_maildir(void)
{
	struct orc_spec spec = { .kind = ORC_MAILDIR };
	struct orc_store *st = orc_store_new();
	char err[256] = "";
	char md[512];

	util_strlcpy(md, at("md", NULL), sizeof(md));

	/* Not a maildir: no cur/. */
	mkdir(md, 0700);
	mkdir(at("md/new", NULL), 0700);
	util_strlcpy(spec.path, md, sizeof(spec.path));
	CU_ASSERT_PTR_NULL(orc_mailbox_open(&spec, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a maildir (no new/ and cur/)"));
	mkdir(at("md/cur", NULL), 0700);
	mkdir(at("md/tmp", NULL), 0700);

	/* There before open: never read, even once moved to cur/. */
	put_file(at("md/new/100.A.host", NULL), "Subject: old tok-old\n\nx\n", 0);
	put_file(at("md/cur/99.B.host:2,S", NULL), "Subject: old tok-old\n\nx\n", 0);
	struct orc_mailbox *mb = orc_mailbox_open(&spec, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(mb);
	CU_ASSERT_EQUAL(scan(mb, st), 0);

	deliver(md, "200.C.host",
	    "Return-Path: <sender@example.org>\nDelivered-To: one@example.com\n"
	    "X-Original-To: orig@example.com\nSubject: tok-1\n\tfolded\n"
	    "delivered-to: two@example.com\n\nbody\n");
	put_file(at("md/tmp/201.D.host", NULL), "Subject: tok-tmp\n\nx\n", 0);
	CU_ASSERT_EQUAL(scan(mb, st), 1);
	const struct orc_msg *m = last(st, "tok-1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->mail_from, "sender@example.org");
	CU_ASSERT_EQUAL_FATAL(m->nrcpt, 2);
	CU_ASSERT_STRING_EQUAL(m->rcpt[0], "one@example.com");
	CU_ASSERT_STRING_EQUAL(m->rcpt[1], "two@example.com");
	CU_ASSERT_PTR_NULL(m->mail_params);
	CU_ASSERT_PTR_NULL(m->rcpt_params);
	CU_ASSERT_STRING_EQUAL(m->source, "new/200.C.host");
	CU_ASSERT_PTR_NOT_NULL(strstr(m->data, "Subject: tok-1\r\n\tfolded\r\n"));
	CU_ASSERT(m->len >= 8 && memcmp(m->data + m->len - 8, "\r\nbody\r\n", 8) == 0);

	/* A reader moves both to cur/: not new. */
	CU_ASSERT_EQUAL(rename(at("md/new/200.C.host", NULL), at("md/cur/200.C.host:2,S", NULL)), 0);
	CU_ASSERT_EQUAL(rename(at("md/new/100.A.host", NULL), at("md/cur/100.A.host:2,", NULL)), 0);
	CU_ASSERT_EQUAL(scan(mb, st), 0);

	/* More: X-Original-To when no Delivered-To, <> as the sender; one
	 * straight into cur/; none without headers; a big one skipped. */
	deliver(md, "300.E.host", "Return-Path: <>\nX-Original-To: a@x\nX-Original-To: <b@x>\n\ntok-2\n");
	put_file(at("md/cur/301.F.host:2,S", NULL), "tok-3\r\n", 0);
	int fd = open(at("md/new/302.G.host", NULL), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	CU_ASSERT_EQUAL(ftruncate(fd, (64 << 20) + 1), 0);
	close(fd);
	CU_ASSERT_EQUAL(scan(mb, st), 2);
	m = last(st, "tok-2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->mail_from, "");
	CU_ASSERT_EQUAL_FATAL(m->nrcpt, 2);
	CU_ASSERT_STRING_EQUAL(m->rcpt[1], "b@x");
	m = last(st, "tok-3");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_PTR_NULL(m->mail_from);
	CU_ASSERT_EQUAL(m->nrcpt, 0);
	CU_ASSERT_STRING_EQUAL(m->source, "cur/301.F.host:2,S");
	CU_ASSERT_STRING_EQUAL(m->data, "tok-3\r\n");
	CU_ASSERT_EQUAL(scan(mb, st), 0);
	CU_ASSERT_EQUAL(orc_store_count(st), 3);
	CU_ASSERT_EQUAL(orc_store_find(st, "tok-old", NULL, 0), 0);
	CU_ASSERT_EQUAL(orc_store_find(st, "tok-tmp", NULL, 0), 0);

	/* The maildir gone: an error. */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", md);
	CU_ASSERT_EQUAL(system(cmd), 0);
	CU_ASSERT_EQUAL(orc_mailbox_scan(mb, st, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "new"));
	orc_mailbox_close(mb);
	orc_store_free(st);
}

static void
test_maildir_many(void)
{
	struct orc_spec spec = { .kind = ORC_MAILDIR };
	struct orc_store *st = orc_store_new();
	char err[256], name[64];
	char md[512];

	util_strlcpy(md, at("many", NULL), sizeof(md));

	mkdir(md, 0700);
	mkdir(at("many/new", NULL), 0700);
	mkdir(at("many/cur", NULL), 0700);
	mkdir(at("many/tmp", NULL), 0700);
	util_strlcpy(spec.path, md, sizeof(spec.path));
	struct orc_mailbox *mb = orc_mailbox_open(&spec, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(mb);
	for (int i = 0; i < 10005; i++) {
		snprintf(name, sizeof(name), "many/new/%05d.M.host", i);
		put_file(at("%s", name), "x\n", 0);
	}
	/* At most 10000 a scan; the rest the next time. */
	CU_ASSERT_EQUAL(scan(mb, st), 10000);
	CU_ASSERT_EQUAL(scan(mb, st), 5);
	CU_ASSERT_EQUAL(scan(mb, st), 0);
	orc_mailbox_close(mb);
	orc_store_free(st);
}

static void
test_mbox(void)
{
	struct orc_spec spec = { .kind = ORC_MBOX };
	struct orc_store *st = orc_store_new();
	char err[256];
	char box[512];

	util_strlcpy(box, at("box", NULL), sizeof(box));
	const struct orc_msg *m;

	/* Not there at open: everything appended is new. */
	util_strlcpy(spec.path, box, sizeof(spec.path));
	struct orc_mailbox *mb = orc_mailbox_open(&spec, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(mb);
	CU_ASSERT_EQUAL(scan(mb, st), 0);

	const char *one = "From sender@example.org Mon Jan  1 00:00:00 2026\n"
	    "Return-Path: <sender@example.org>\nDelivered-To: rcpt@example.com\n"
	    "Subject: tok-m1\n\nbody\n>From here\n>>From there\n\n";
	put_file(box, one, 1);
	put_file(box, "From b@x Mon Jan  1 00:00:01 2026\nSubject: tok-m2\n\nhal", 1);
	CU_ASSERT_EQUAL(scan(mb, st), 1);	/* the second is not complete */
	m = last(st, "tok-m1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->source, "mbox:0");
	CU_ASSERT_STRING_EQUAL(m->mail_from, "sender@example.org");
	CU_ASSERT_EQUAL_FATAL(m->nrcpt, 1);
	CU_ASSERT_STRING_EQUAL(m->rcpt[0], "rcpt@example.com");
	CU_ASSERT_STRING_EQUAL(m->data, "Return-Path: <sender@example.org>\r\n"
	    "Delivered-To: rcpt@example.com\r\nSubject: tok-m1\r\n\r\nbody\r\n"
	    "From here\r\n>From there\r\n");
	CU_ASSERT_EQUAL(orc_store_find(st, "tok-m2", NULL, 0), 0);
	CU_ASSERT_EQUAL(scan(mb, st), 0);
	put_file(box, "f\n", 1);	/* no empty line yet */
	CU_ASSERT_EQUAL(scan(mb, st), 0);
	put_file(box, "\n", 1);
	CU_ASSERT_EQUAL(scan(mb, st), 1);
	m = last(st, "tok-m2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	char want[32];
	snprintf(want, sizeof(want), "mbox:%zu", strlen(one));
	CU_ASSERT_STRING_EQUAL(m->source, want);
	CU_ASSERT_STRING_EQUAL(m->data, "Subject: tok-m2\r\n\r\nhalf\r\n");
	CU_ASSERT_PTR_NULL(m->mail_from);
	CU_ASSERT_EQUAL(scan(mb, st), 0);

	/* Truncated, then a new message: read from 0. */
	put_file(box, "From c@x Mon Jan  1 00:00:02 2026\nSubject: tok-m3\n\nx\n\n", 0);
	CU_ASSERT_EQUAL(scan(mb, st), 1);
	m = last(st, "tok-m3");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->source, "mbox:0");

	/* Replaced by another file, bigger than the offset: read from 0. */
	char tmp[600];
	snprintf(tmp, sizeof(tmp), "%s.new", box);
	put_file(tmp, "From d@x Mon Jan  1 00:00:03 2026\nSubject: tok-m4 with a longer line\n\n"
	    "x\n\nFrom e@x Mon Jan  1 00:00:04 2026\nSubject: tok-m5\n\ny\n\n", 0);
	CU_ASSERT_EQUAL(rename(tmp, box), 0);
	CU_ASSERT_EQUAL(scan(mb, st), 2);
	CU_ASSERT_EQUAL(orc_store_find(st, "tok-m4", NULL, 0), 1);
	CU_ASSERT_EQUAL(orc_store_find(st, "tok-m5", NULL, 0), 1);

	/* Gone: an error; back: read from 0. */
	CU_ASSERT_EQUAL(unlink(box), 0);
	CU_ASSERT_EQUAL(orc_mailbox_scan(mb, st, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "box"));
	CU_ASSERT_EQUAL(scan(mb, st), 0);
	put_file(box, "From f@x Mon Jan  1 00:00:05 2026\nSubject: tok-m6\n\nz\n\n", 0);
	CU_ASSERT_EQUAL(scan(mb, st), 1);
	CU_ASSERT_EQUAL(orc_store_count(st), 6);
	orc_mailbox_close(mb);
	orc_store_free(st);
}

static void
test_mbox_existing(void)
{
	struct orc_spec spec = { .kind = ORC_MBOX };
	struct orc_store *st = orc_store_new();
	char err[256];
	char box[512];

	util_strlcpy(box, at("box2", NULL), sizeof(box));

	/* At open: one message and half of another being written. */
	put_file(box, "From a@x Mon Jan  1 00:00:00 2026\nSubject: tok-e1\n\nx\n\n"
	    "From b@x Mon Jan  1 00:00:01 2026\nSubject: tok-e2\n\nfirst half\n", 0);
	util_strlcpy(spec.path, box, sizeof(spec.path));
	struct orc_mailbox *mb = orc_mailbox_open(&spec, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(mb);
	CU_ASSERT_EQUAL(scan(mb, st), 0);
	put_file(box, "second half\n\nFrom c@x Mon Jan  1 00:00:02 2026\nSubject: tok-e3\n\ny\n\n", 1);
	CU_ASSERT_EQUAL(scan(mb, st), 1);
	CU_ASSERT_EQUAL(orc_store_find(st, "tok-e1", NULL, 0), 0);
	CU_ASSERT_EQUAL(orc_store_find(st, "tok-e2", NULL, 0), 0);
	CU_ASSERT_EQUAL(orc_store_find(st, "tok-e3", NULL, 0), 1);
	CU_ASSERT_EQUAL(scan(mb, st), 0);
	orc_mailbox_close(mb);

	/* Not a file; not a mailbox kind. */
	util_strlcpy(spec.path, tmpdir, sizeof(spec.path));
	CU_ASSERT_PTR_NULL(orc_mailbox_open(&spec, err, sizeof(err)));
	spec.kind = ORC_SINK;
	CU_ASSERT_PTR_NULL(orc_mailbox_open(&spec, err, sizeof(err)));
	orc_store_free(st);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("mailbox parsers", NULL, NULL);
	CU_add_test(s, "mbox boundaries, whole and byte by byte", test_mbox_next);
	CU_add_test(s, "unquoting and CRLF", test_unquote);
	CU_add_test(s, "header fields", test_header_next);
	CU_add_test(s, "addresses", test_address);
	s = CU_add_suite("mailbox oracle", setup_tmp, cleanup_tmp);
	CU_add_test(s, "maildir: only new files, once", test_maildir);
	CU_add_test(s, "maildir: 10000 a scan", test_maildir_many);
	CU_add_test(s, "mbox: appended in parts, truncated, replaced", test_mbox);
	CU_add_test(s, "mbox: what is there at open", test_mbox_existing);
	return tu_run();
}
