/*
 * test_baseline.c - --baseline files (src/baseline.c): the YAML list of
 * entries and the plain list of ids, good and bad inputs in one table, each
 * parsed from a buffer that ends right at an inaccessible page (any read
 * past the length crashes); then the transcript check against a result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "testutil.h"
#include "util.h"

struct bl_case {
	const char *name;
	const char *in;
	int rc;             /* 0 or -1 */
	const char *ids;    /* the ids parsed, space-separated, on success */
	const char *errors; /* substrings every one of which the errors hold, '|'-separated */
};

static const struct bl_case cases[] = {
	{ "empty file", "", 0, "", NULL },
	{ "comments only", "# nothing\n\n   # more\n", 0, "", NULL },
	{ "plain list", "a\n  b  # why\n#c\nd\r\n", 0, "a b d", NULL },
	{ "plain list, no final newline", "a\nb", 0, "a b", NULL },
	{ "plain list, duplicate kept once", "a\na\n", 0, "a", NULL },
	{ "yaml one entry",
	  "- id: x\n  reason: r\n  transcript:\n    - 'C: .\\n'\n", 0, "x", NULL },
	{ "yaml after a comment and document marker",
	  "# header\n---\n- id: x\n  reason: r\n  transcript: [a]\n"
	  "- {id: y, reason: s, transcript: [b, c]}\n", 0, "x y", NULL },
	{ "yaml empty list", "---\n", 0, "", NULL },
	{ "yaml missing fields", "- id: x\n", -1, NULL,
	  "1:3: error: entry without 'reason'|entry without 'transcript'" },
	{ "yaml empty reason", "- id: x\n  reason: ''\n  transcript: [a]\n", -1, NULL,
	  "2:11: error: 'reason' must not be empty" },
	{ "yaml empty transcript", "- id: x\n  reason: r\n  transcript: []\n", -1, NULL,
	  "needs at least one line" },
	{ "yaml unknown key", "- id: x\n  reason: r\n  transcript: [a]\n  why: z\n", -1,
	  NULL, "4:3: error: unknown key 'why'" },
	{ "yaml key twice", "- id: x\n  id: y\n  reason: r\n  transcript: [a]\n", -1,
	  NULL, "2:3: error: 'id' given twice" },
	{ "yaml id twice", "- {id: x, reason: r, transcript: [a]}\n"
	  "- {id: x, reason: r, transcript: [a]}\n", -1, NULL, "'x' is listed twice" },
	{ "yaml scalar entry", "- x\n", -1, NULL, "1:3: error: an entry is a mapping" },
	{ "yaml transcript not a list", "- {id: x, reason: r, transcript: a}\n", -1, NULL,
	  "'transcript' must be a list" },
	{ "yaml id not a string", "- {id: [x], reason: r, transcript: [a]}\n", -1, NULL,
	  "'id' must be a string" },
	{ "yaml alias", "- &e {id: x, reason: r, transcript: [a]}\n- *e\n", -1, NULL,
	  "anchors and aliases are not allowed" },
	{ "yaml syntax error", "- id: x\n  reason: [\n", -1, NULL, "error: YAML:" },
	{ "yaml two documents", "- {id: x, reason: r, transcript: [a]}\n---\n- {id: y, reason: r, transcript: [a]}\n",
	  -1, NULL, "one YAML document only" },
	{ "NUL byte", "a\0b", -1, NULL, "holds a NUL byte" },
};

static size_t
case_len(const struct bl_case *c)
{
	/* The NUL case is the only one with an embedded NUL: count it. */
	return strcmp(c->name, "NUL byte") == 0 ? 3 : strlen(c->in);
}

static void
test_table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bl_case *c = &cases[i];
		struct tu_guard g;
		size_t len = case_len(c);
		char *in = tu_guarded(&g, c->in, len);
		struct bl_baseline b;
		struct buf err, ids;
		int rc;

		buf_init(&err);
		buf_init(&ids);
		rc = bl_parse("t.yaml", in, len, &b, &err);
		CU_ASSERT_EQUAL(rc, c->rc);
		if (rc != c->rc)
			fprintf(stderr, "\n%s: rc %d, errors:\n%s", c->name, rc,
			    err.data ? err.data : "");
		if (rc == 0) {
			for (size_t k = 0; k < b.n; k++) {
				buf_printf(&ids, "%s%s", k ? " " : "", b.e[k].id);
				CU_ASSERT_PTR_EQUAL(b.ids[k], b.e[k].id);
				CU_ASSERT_PTR_NOT_NULL(bl_find(&b, b.e[k].id));
			}
			CU_ASSERT_PTR_NULL(b.ids[b.n]);
			CU_ASSERT_STRING_EQUAL(ids.data ? ids.data : "", c->ids);
			CU_ASSERT_EQUAL(err.len, 0);
		} else {
			char *want = xstrdup(c->errors), *save = NULL;

			CU_ASSERT_EQUAL(b.n, 0);
			for (char *w = strtok_r(want, "|", &save); w;
			    w = strtok_r(NULL, "|", &save)) {
				CU_ASSERT_PTR_NOT_NULL(strstr(err.data ? err.data : "", w));
				if (!err.data || !strstr(err.data, w))
					fprintf(stderr, "\n%s: want '%s' in:\n%s", c->name,
					    w, err.data ? err.data : "");
			}
			free(want);
			/* Every error line names the file. */
			CU_ASSERT_EQUAL(strncmp(err.data, "t.yaml:", 7), 0);
		}
		bl_free(&b);
		buf_free(&err);
		buf_free(&ids);
		tu_unguard(&g);
	}
}

static void
test_entry_fields(void)
{
	static const char in[] =
	    "- id: lf-dot-lf\n"
	    "  reason: ends DATA at <LF>.<LF>\n"
	    "  transcript:\n"
	    "    - 'C: .\\n'\n"
	    "    - \"S: 250 2.0.0 Ok: queued as\"\n";
	struct bl_baseline b;
	struct buf err;

	buf_init(&err);
	CU_ASSERT_EQUAL_FATAL(bl_parse("b", in, sizeof(in) - 1, &b, &err), 0);
	CU_ASSERT_EQUAL_FATAL(b.n, 1);
	CU_ASSERT_STRING_EQUAL(b.e[0].reason, "ends DATA at <LF>.<LF>");
	CU_ASSERT_EQUAL_FATAL(b.e[0].n_transcript, 2);
	/* Single quotes keep the backslash: the printable form of a bare LF. */
	CU_ASSERT_STRING_EQUAL(b.e[0].transcript[0], "C: .\\n");
	CU_ASSERT_STRING_EQUAL(b.e[0].transcript[1], "S: 250 2.0.0 Ok: queued as");
	CU_ASSERT_EQUAL(b.e[0].line, 1);
	CU_ASSERT_PTR_NULL(bl_find(&b, "lf-dot"));
	CU_ASSERT_PTR_NULL(bl_find_n(&b, "lf-dot-lf-x", 11));
	CU_ASSERT_PTR_NOT_NULL(bl_find_n(&b, "lf-dot-lf-x", 9));
	bl_free(&b);
	buf_free(&err);
}

static void
test_transcript_check(void)
{
	static const char in[] =
	    "- id: x\n  reason: r\n  transcript:\n"
	    "    - 'C: .\\n'\n    - 'S: 250 2.0.0 Ok: queued'\n    - 'S: 554 never'\n";
	struct bl_baseline b;
	struct buf err;
	struct res_result r;

	memset(&r, 0, sizeof(r));
	res_transcript_add(&r.tr, 0.1, 'C', "hello\n.\n", 8);
	res_transcript_add(&r.tr, 0.2, 'S', "250 2.0.0 Ok: queued as 1234\r\n", 30);
	buf_init(&err);
	CU_ASSERT_EQUAL_FATAL(bl_parse("b", in, sizeof(in) - 1, &b, &err), 0);
	CU_ASSERT_EQUAL(bl_check_transcript(&b.e[0], &r), 1);
	CU_ASSERT_EQUAL_FATAL(r.n_warnings, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.warnings[0], "S: 554 never"));
	/* A plain-list entry has no lines to check. */
	struct bl_entry plain = { .id = "x" };
	CU_ASSERT_EQUAL(bl_check_transcript(&plain, &r), 0);
	CU_ASSERT_EQUAL(r.n_warnings, 1);
	res_result_free(&r);
	bl_free(&b);
	buf_free(&err);
}

static void
test_load(void)
{
	struct bl_baseline b;
	struct buf err;
	char path[] = "/tmp/test_baseline.XXXXXX";
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, "a\nb\n", 4) == 4);
	close(fd);
	buf_init(&err);
	CU_ASSERT_EQUAL(bl_load(path, &b, &err), 0);
	CU_ASSERT_EQUAL(b.n, 2);
	bl_free(&b);
	unlink(path);
	CU_ASSERT_EQUAL(bl_load(path, &b, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.data, "cannot open baseline"));
	CU_ASSERT_EQUAL(b.n, 0);
	bl_free(&b);
	buf_free(&err);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("baseline", NULL, NULL);
	CU_add_test(s, "table of files", test_table);
	CU_add_test(s, "entry fields", test_entry_fields);
	CU_add_test(s, "transcript check", test_transcript_check);
	CU_add_test(s, "load", test_load);
	return tu_run();
}
