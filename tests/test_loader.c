/* test_loader.c - the YAML scenario loader, the model and ${var} templates. */
#include <string.h>
#include <sys/stat.h>

#include "loader.h"
#include "scenario.h"
#include "template.h"
#include "testutil.h"
#include "util.h"
#include "vars.h"

#define HEAD "id: t-1\ntitle: t\nlevel: must\nrefs: [RFC 5321 4.1.1.10, TM-01]\n"

/* Inputs that must load, with a check of what came out. */
static void
test_valid(void)
{
	struct load_diag d;
	load_diag_init(&d);
	const char *y = HEAD
	    "tags: [core, x]\n"
	    "requires: {extensions: [PIPELINING], vars: [extra]}\n"
	    "opening: helo\n"
	    "timeout: 12.5\n"
	    "vars: {who: alice}\n"
	    "steps:\n"
	    "  - send: \"MAIL FROM:<${who}@${client_domain}>\"\n"
	    "  - expect: 250\n"
	    "  - send_raw: 'A\\r\\n\\x00\\\\${extra}'\n"
	    "    repeat: 3\n"
	    "  - pipeline: [NOOP, \"RSET\"]\n"
	    "  - expect: [250, 2xx]\n"
	    "  - expect: {code: 5xx, text: '^a+', enhanced: 5.x.1, single_line: true,\n"
	    "             ehlo_has: [SIZE], ehlo_lacks: X, capture: {lim: {ehlo: SIZE}, t: {regex: '(b)'}}}\n"
	    "  - send: \"x ${lim} ${t}\"\n"
	    "  - data: |\n      line\n      .dot\n"
	    "  - expect_close: 2\n"
	    "  - expect_close: true\n"
	    "  - expect_open: 0.5\n"
	    "  - wait: 0\n";
	struct scn *s = load_scenario_mem("v.yaml", y, strlen(y), &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(d.n_errors, 0);
	CU_ASSERT_STRING_EQUAL(s->id, "t-1");
	CU_ASSERT_EQUAL(s->level, SCN_MUST);
	CU_ASSERT_EQUAL(s->n_refs, 2);
	CU_ASSERT_TRUE(scn_ref_is_catalogue_id(s->refs[1]));
	CU_ASSERT_FALSE(scn_ref_is_catalogue_id(s->refs[0]));
	CU_ASSERT_TRUE(scn_has_tag(s, "x"));
	CU_ASSERT_EQUAL(s->opening, SCN_OPEN_HELO);
	CU_ASSERT_DOUBLE_EQUAL(s->timeout, 12.5, 1e-9);
	CU_ASSERT_EQUAL(s->n_steps, 12);
	CU_ASSERT_EQUAL(s->steps[2].kind, SCN_STEP_SEND_RAW);
	CU_ASSERT_EQUAL(s->steps[2].repeat, 3);
	CU_ASSERT_EQUAL(s->steps[2].line, 13);
	CU_ASSERT_EQUAL(s->steps[3].n_lines, 2);
	CU_ASSERT_EQUAL(s->steps[4].expect.n_codes, 2);
	const struct scn_expect *e = &s->steps[5].expect;
	CU_ASSERT_EQUAL(e->n_codes, 1);
	CU_ASSERT_TRUE(scn_code_match(&e->codes[0], 554));
	CU_ASSERT_FALSE(scn_code_match(&e->codes[0], 454));
	CU_ASSERT_STRING_EQUAL(e->enhanced, "5.x.1");
	CU_ASSERT_TRUE(e->single_line);
	CU_ASSERT_EQUAL(e->n_ehlo_has, 1);
	CU_ASSERT_EQUAL(e->n_ehlo_lacks, 1);
	CU_ASSERT_EQUAL(e->n_captures, 2);
	CU_ASSERT_EQUAL(s->steps[7].kind, SCN_STEP_DATA);
	CU_ASSERT_STRING_EQUAL(s->steps[7].text, "line\n.dot\n");
	CU_ASSERT_DOUBLE_EQUAL(s->steps[8].seconds, 2, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(s->steps[9].seconds, 0, 1e-9);
	scn_free(s);

	/* starttls: true, or its expectation and the injected bytes. */
	const char *t = HEAD "steps:\n"
	    "  - starttls: true\n"
	    "  - starttls: {expect: {code: [220, 454], prefer: 220}, inject: 'NOOP\\r\\n${client_domain}'}\n"
	    "  - starttls: {inject: X}\n";
	s = load_scenario_mem("t.yaml", t, strlen(t), &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->n_steps, 3);
	CU_ASSERT_EQUAL(s->steps[0].kind, SCN_STEP_STARTTLS);
	CU_ASSERT_STRING_EQUAL(scn_step_kind_name(s->steps[0].kind), "starttls");
	CU_ASSERT_EQUAL(s->steps[0].expect.n_codes, 1);
	CU_ASSERT_TRUE(scn_code_match(&s->steps[0].expect.codes[0], 220));
	CU_ASSERT_PTR_NULL(s->steps[0].text);
	CU_ASSERT_EQUAL(s->steps[1].expect.n_codes, 2);
	CU_ASSERT_EQUAL(s->steps[1].expect.n_prefer, 1);
	CU_ASSERT_STRING_EQUAL(s->steps[1].text, "NOOP\\r\\n${client_domain}");
	CU_ASSERT_EQUAL(s->steps[2].expect.n_codes, 1);
	CU_ASSERT_STRING_EQUAL(s->steps[2].text, "X");
	scn_free(s);

	/* sentinel: the command (any case, kept upper), its extra reply. */
	const char *u = HEAD "steps:\n"
	    "  - sentinel: noop\n"
	    "  - sentinel: RSET\n"
	    "    extra: {code: [250, 5xx], text: split, warn: a second reply}\n"
	    "  - sentinel: QUIT\n";
	s = load_scenario_mem("u.yaml", u, strlen(u), &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(d.n_errors, 0);
	CU_ASSERT_EQUAL(s->n_steps, 3);
	CU_ASSERT_EQUAL(s->steps[0].kind, SCN_STEP_SENTINEL);
	CU_ASSERT_STRING_EQUAL(scn_step_kind_name(s->steps[0].kind), "sentinel");
	CU_ASSERT_STRING_EQUAL(s->steps[0].text, "NOOP");
	CU_ASSERT_FALSE(s->steps[0].has_extra);
	CU_ASSERT_PTR_NULL(s->steps[0].warn);
	CU_ASSERT_STRING_EQUAL(s->steps[1].text, "RSET");
	CU_ASSERT_TRUE(s->steps[1].has_extra);
	CU_ASSERT_EQUAL(s->steps[1].expect.n_codes, 2);
	CU_ASSERT_PTR_NOT_NULL(s->steps[1].expect.text);
	CU_ASSERT_STRING_EQUAL(s->steps[1].warn, "a second reply");
	CU_ASSERT_STRING_EQUAL(s->steps[2].text, "QUIT");
	scn_free(s);
	load_diag_free(&d);
}

struct bad {
	const char *yaml;
	const char *where;   /* "LINE:COL" of the first error */
	const char *message; /* a piece of it */
};

static const struct bad bad_cases[] = {
	{ "", "1:1", "empty file" },
	{ "- a\n- b\n", "1:1", "must be a mapping" },
	{ "id: [\n", "2:1", "YAML" },
	{ HEAD "steps: [{send: x}]\n---\nid: 2\n", "6:1", "one scenario per file" },
	{ "title: t\nlevel: must\nrefs: [TM-01]\nsteps: [{send: x}]\n", "1:1", "missing required key 'id'" },
	{ HEAD "steps: [{send: x}]\nbogus: 1\n", "6:1", "unknown key 'bogus'" },
	{ HEAD "steps: [{send: x}]\nid: again\n", "6:1", "duplicate key 'id'" },
	{ "id: UPPER\ntitle: t\nlevel: must\nrefs: [TM-01]\nsteps: [{send: x}]\n", "1:5", "bad id" },
	{ "id: a\ntitle: t\nlevel: often\nrefs: [TM-01]\nsteps: [{send: x}]\n", "3:8", "level must be" },
	{ "id: a\ntitle: t\nlevel: may\nrefs: [RFC5321]\nsteps: [{send: x}]\n", "4:8", "bad ref" },
	{ "id: a\ntitle: t\nlevel: may\nrefs: []\nsteps: [{send: x}]\n", "4:7", "at least one" },
	{ HEAD "steps: []\n", "5:8", "at least one step" },
	{ HEAD "steps: {send: x}\n", "5:8", "must be a list" },
	{ HEAD "steps:\n  - send: x\n    expect: 250\n", "7:5", "one action" },
	{ HEAD "steps:\n  - repeat: 2\n", "6:5", "needs an action" },
	{ HEAD "steps:\n  - expect: 600\n", "6:13", "bad reply code" },
	{ HEAD "steps:\n  - expect: 2500\n", "6:13", "bad reply code" },
	{ HEAD "steps:\n  - expect: []\n", "6:13", "matches nothing" },
	{ HEAD "steps:\n  - expect: {code: 250, txt: a}\n", "6:25", "unknown key 'txt'" },
	{ HEAD "steps:\n  - expect: {text: '('}\n", "6:20", "bad regular expression" },
	{ HEAD "steps:\n  - expect: {enhanced: 3.1.1}\n", "6:24", "bad enhanced status" },
	{ HEAD "steps:\n  - expect: {prefer: 250}\n", "6:22", "prefer needs code" },
	{ HEAD "steps:\n  - expect: {code: [250, 5xx], prefer: 421}\n", "6:40", "not among the accepted" },
	{ HEAD "steps:\n  - expect: {code: [250, 5xx], prefer: [5xx, 250]}\n", "6:40", "never warn" },
	{ HEAD "steps:\n  - expect: {code: 5xx, prefer: 5xx}\n", "6:33", "never warn" },
	{ HEAD "steps:\n  - expect: {code: 220, stop_if: 503}\n", "6:34", "stop_if code 503 is not among" },
	{ HEAD "steps:\n  - expect: {stop_if: 503}\n", "6:23", "stop_if needs code" },
	{ HEAD "steps:\n  - expect_extra: 250\n", "6:19", "expect_extra must be a mapping" },
	{ HEAD "steps:\n  - expect_extra: {code: 250}\n", "6:19", "needs warn" },
	{ HEAD "steps:\n  - expect_extra: {warn: w}\n", "6:19", "needs code" },
	{ HEAD "steps:\n  - expect_extra: {code: 250, warn: w, within: -1}\n", "6:48", "within" },
	{ HEAD "steps:\n  - expect_extra: {code: 250, warn: w, prefer: 250}\n", "6:40", "unknown key 'prefer'" },
	{ HEAD "steps:\n  - sentinel: HELP\n", "6:15", "NOOP, RSET or QUIT" },
	{ HEAD "steps:\n  - sentinel: [NOOP]\n", "6:15", "sentinel must be" },
	{ HEAD "steps:\n  - sentinel: QUIT\n  - send: NOOP\n", "7:5", "only delivered steps may follow sentinel: QUIT" },
	{ HEAD "steps:\n  - send: NOOP\n    extra: {code: 250, warn: w}\n", "7:12", "applies to sentinel only" },
	{ HEAD "steps:\n  - sentinel: NOOP\n    extra: {code: 250}\n", "7:12", "needs warn" },
	{ HEAD "steps:\n  - sentinel: NOOP\n    extra: {warn: w}\n", "7:12", "needs code" },
	{ HEAD "steps:\n  - sentinel: NOOP\n    extra: {code: 250, warn: w, within: 1}\n", "7:33", "unknown key 'within'" },
	{ HEAD "steps:\n  - expect: {enhanced: 5.01.1}\n", "6:24", "bad enhanced status" },
	{ HEAD "steps:\n  - expect: {single_line: yes}\n", "6:27", "true or false" },
	{ HEAD "steps:\n  - expect: {capture: {a: {ehlo: X, regex: y}}}\n", "6:27", "exactly one" },
	{ HEAD "steps:\n  - send_raw: \"a\\r\\n\"\n", "6:15", "single-quoted" },
	{ HEAD "steps:\n  - send_raw: 'a\\q'\n", "6:15", "unknown escape" },
	{ HEAD "steps:\n  - send_raw: 'a\\x4'\n", "6:15", "two hex digits" },
	{ HEAD "steps:\n  - send: \"a ${nope}\"\n", "6:11", "undefined variable ${nope}" },
	{ HEAD "steps:\n  - send: \"a ${bad-name}\"\n", "6:11", "bad variable name" },
	{ HEAD "steps:\n  - send: \"a ${x\"\n", "6:11", "unterminated" },
	{ HEAD "steps:\n  - send: \"${c}\"\n  - expect: {capture: {c: {regex: a}}}\n", "6:11", "undefined variable ${c}" },
	{ HEAD "steps:\n  - send: \"a\\nb\"\n", "6:11", "one command line" },
	{ HEAD "steps:\n  - wait: -1\n", "6:11", "seconds" },
	{ HEAD "steps:\n  - wait: 5000\n", "6:11", "seconds" },
	{ HEAD "steps:\n  - expect_close: false\n", "6:19", "true or a number" },
	{ HEAD "steps:\n  - wait: 1\n    repeat: 2\n", "7:13", "'repeat' applies" },
	{ HEAD "steps:\n  - send: x\n    repeat: 0\n", "7:13", "from 1 to" },
	{ HEAD "steps:\n  - pipeline: []\n", "6:15", "at least one command" },
	{ HEAD "opening: later\nsteps: [{send: x}]\n", "5:10", "opening must be" },
	{ HEAD "timeout: 0\nsteps: [{send: x}]\n", "5:10", "more than 0" },
	{ HEAD "vars: {a: '${b}'}\nsteps: [{send: x}]\n", "1:1", "refers to another variable" },
	{ HEAD "x: &a [1]\ny: *a\nsteps: [{send: x}]\n", "5:4", "anchors" },
	{ HEAD "requires: {extension: [X]}\nsteps: [{send: x}]\n", "5:12", "unknown key 'extension'" },
	{ HEAD "steps:\n  - starttls: false\n", "6:15", "starttls takes true" },
	{ HEAD "steps:\n  - starttls: {inject: \"a\\r\\n\"}\n", "6:24", "single-quoted" },
	{ HEAD "steps:\n  - starttls: {expect: 220, now: 1}\n", "6:29", "unknown key 'now'" },
	{ HEAD "steps:\n  - starttls: {inject: 'a\\q'}\n", "6:15", "unknown escape" },
	{ HEAD "steps:\n  - starttls: true\n    repeat: 2\n", "7:13", "'repeat' applies" },
	/* RFC 3207 4.2: a capture made before the handshake is forgotten. */
	{ HEAD "steps:\n  - expect: {capture: {c: {regex: a}}}\n  - starttls: true\n  - send: \"${c}\"\n",
	  "8:11", "undefined variable ${c}" },
};

static void
test_invalid(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad *b = &bad_cases[i];
		struct load_diag d;
		load_diag_init(&d);
		struct tu_guard g;
		size_t len = strlen(b->yaml);
		char *data = tu_guarded(&g, b->yaml, len);
		struct scn *s = load_scenario_mem("b.yaml", data, len, &d);
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "b.yaml:%s: error: ", b->where);
		int ok_prefix = d.text.data && strstr(d.text.data, prefix) != NULL;
		int ok_msg = d.text.data && strstr(d.text.data, b->message) != NULL;
		if (s || !ok_prefix || !ok_msg)
			fprintf(stderr, "\ncase %zu: want %s ... %s, got:\n%s", i, prefix, b->message,
			    d.text.data ? d.text.data : "(nothing)");
		CU_ASSERT_PTR_NULL(s);
		CU_ASSERT_TRUE(d.n_errors >= 1);
		CU_ASSERT_TRUE(ok_prefix);
		CU_ASSERT_TRUE(ok_msg);
		scn_free(s);
		tu_unguard(&g);
		load_diag_free(&d);
	}
}

/* Several errors in one file are all reported. */
static void
test_collects_all(void)
{
	const char *y = "id: A\ntitle: t\nlevel: x\nrefs: [y]\nsteps: [{expect: 7}]\n";
	struct load_diag d;
	load_diag_init(&d);
	CU_ASSERT_PTR_NULL(load_scenario_mem("m.yaml", y, strlen(y), &d));
	CU_ASSERT_EQUAL(d.n_errors, 4);
	load_diag_free(&d);
}

/* One line per error even when the message quotes a value holding a
 * newline or another control byte (found by fuzz_loader; the input is
 * fuzz/regressions/fuzz_loader/diag-newline-in-id). */
static void
test_diag_one_line(void)
{
	static const struct { const char *yaml; const char *shown; } cases[] = {
		{ "id: |\n  a\n  B\ntitle: t\nlevel: must\nrefs: [RFC 5321 3.3]\nsteps: [{send: NOOP}]\n", "a\\nB" },
		{ "id: \"a\\tB\"\ntitle: t\nlevel: must\nrefs: [RFC 5321 3.3]\nsteps: [{send: NOOP}]\n", "a\\x09B" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct load_diag d;
		load_diag_init(&d);
		CU_ASSERT_PTR_NULL(load_scenario_mem("n.yaml", cases[i].yaml, strlen(cases[i].yaml), &d));
		CU_ASSERT_EQUAL(d.n_errors, 1);
		size_t nl = 0;
		for (size_t j = 0; j < d.text.len; j++)
			nl += d.text.data[j] == '\n';
		CU_ASSERT_EQUAL(nl, d.n_errors);
		CU_ASSERT_PTR_NOT_NULL(memmem(d.text.data, d.text.len, cases[i].shown, strlen(cases[i].shown)));
		load_diag_free(&d);
	}
}

/* Regular expressions whose repetitions would make glibc's regcomp()
 * build an exponential tree are refused before compiling (found by
 * fuzz_loader: fuzz/regressions/fuzz_loader/regex-stacked-plus-oom);
 * ordinary ones still load. */
static void
test_regex_too_complex(void)
{
	static const struct { const char *re; int ok; } cases[] = {
		{ "^[1-9][0-9]*$", 1 },
		{ "a{2,5}(foo|bar)+", 1 },
		{ "[]a+{]+x{3}", 1 },
		{ "[[:digit:]]+[.][0-9]{1,3}", 1 },
		{ "x{1000}", 1 },
		{ "_++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++", 0 },
		{ "((a{99}){99}){99}", 0 },
		{ "((((((((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+", 0 },
		{ "x{20000}", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char y[512];
		snprintf(y, sizeof(y), "id: r\ntitle: t\nlevel: must\nrefs: [RFC 5321 3.3]\n"
		    "steps: [{expect: {code: 250, text: '%s'}}]\n", cases[i].re);
		struct load_diag d;
		load_diag_init(&d);
		struct scn *s = load_scenario_mem("r.yaml", y, strlen(y), &d);
		CU_ASSERT_EQUAL(s != NULL, cases[i].ok);
		if (!cases[i].ok)
			CU_ASSERT_PTR_NOT_NULL(strstr(d.text.data ? d.text.data : "", "too complex"));
		scn_free(s);
		load_diag_free(&d);
	}
}

static const char *
lookup(void *arg, const char *name, size_t len)
{
	(void)arg;
	if (len == 3 && memcmp(name, "dom", 3) == 0)
		return "ex\\n.org";
	return NULL;
}

static void
test_template(void)
{
	struct buf b;
	size_t pos = 0;
	buf_init(&b);
	CU_ASSERT_PTR_NULL(tmpl_expand("a${dom}b", 8, 0, lookup, NULL, &b, &pos));
	CU_ASSERT_STRING_EQUAL(b.data, "aex\\n.orgb");
	buf_reset(&b);
	/* escapes decoded, the substituted value copied verbatim */
	CU_ASSERT_PTR_NULL(tmpl_expand("\\r\\n\\t\\0\\x41\\\\\\$${dom}", 22, 1, lookup, NULL, &b, &pos));
	CU_ASSERT_EQUAL(b.len, 7 + 8);
	CU_ASSERT_EQUAL(memcmp(b.data, "\r\n\t\0A\\$ex\\n.org", 15), 0);
	buf_reset(&b);
	CU_ASSERT_PTR_NOT_NULL(tmpl_expand("x${zz}", 6, 0, lookup, NULL, &b, &pos));
	CU_ASSERT_EQUAL(pos, 1);
	CU_ASSERT_PTR_NOT_NULL(tmpl_expand("ab\\", 3, 1, NULL, NULL, NULL, &pos));
	CU_ASSERT_EQUAL(pos, 2);
	CU_ASSERT_PTR_NOT_NULL(tmpl_expand("\\xZ1", 4, 1, NULL, NULL, NULL, &pos));
	/* without escapes a backslash is just a byte */
	CU_ASSERT_PTR_NULL(tmpl_expand("a\\q", 3, 0, NULL, NULL, NULL, &pos));
	CU_ASSERT_TRUE(tmpl_valid_name("a_1", 3));
	CU_ASSERT_FALSE(tmpl_valid_name("1a", 2));
	CU_ASSERT_FALSE(tmpl_valid_name("", 0));
	buf_free(&b);
}

static void
test_code_match(void)
{
	struct scn_code c = { "25x" };
	CU_ASSERT_TRUE(scn_code_match(&c, 250));
	CU_ASSERT_TRUE(scn_code_match(&c, 259));
	CU_ASSERT_FALSE(scn_code_match(&c, 260));
	CU_ASSERT_FALSE(scn_code_match(&c, 25));
	struct scn_code all = { "xxx" };
	CU_ASSERT_TRUE(scn_code_match(&all, 421));
	CU_ASSERT_TRUE(scn_ref_is_catalogue_id("TLS-07"));
	CU_ASSERT_FALSE(scn_ref_is_catalogue_id("T-07"));
	CU_ASSERT_TRUE(scn_ref_is_catalogue_id("8B-01"));
	CU_ASSERT_TRUE(scn_ref_is_catalogue_id("U8-04"));
	CU_ASSERT_FALSE(scn_ref_is_catalogue_id("88-01"));
	CU_ASSERT_FALSE(scn_ref_is_catalogue_id("8-01"));
	CU_ASSERT_FALSE(scn_ref_is_catalogue_id("TM-"));
	CU_ASSERT_FALSE(scn_ref_is_catalogue_id("TM-1a"));
	CU_ASSERT_TRUE(scn_ref_is_catalogue_id("8B-01"));
	CU_ASSERT_FALSE(scn_ref_is_catalogue_id("88-01"));
	CU_ASSERT_FALSE(scn_ref_is_catalogue_id("tm-01"));
}

static void
test_profile_and_paths(void)
{
	char dir[] = "/tmp/smtph-loader-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/p.yaml", dir);
	FILE *f = fopen(path, "w");
	fputs("vars:\n  client_domain: a.example\n  recipient: b@c.example\n", f);
	fclose(f);
	struct load_diag d;
	load_diag_init(&d);
	struct scn_var *v = NULL;
	size_t n = 0;
	CU_ASSERT_EQUAL(load_profile_file(path, &v, &n, &d), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_STRING_EQUAL(v[1].value, "b@c.example");
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
	char sub[256];
	snprintf(sub, sizeof(sub), "%s/z", dir);
	mkdir(sub, 0700);
	snprintf(path, sizeof(path), "%s/z/b.yaml", dir);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/a.yaml", dir);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	fclose(fopen(path, "w"));
	char *args[] = { dir, "/nonexistent/x.yaml" };
	char **out = NULL;
	size_t nout = 0;
	CU_ASSERT_EQUAL(load_collect_paths(args, 2, &out, &nout, &d), -1);
	CU_ASSERT_EQUAL(nout, 3); /* a.yaml, p.yaml, z/b.yaml, sorted */
	CU_ASSERT_TRUE(nout == 3 && strstr(out[0], "/a.yaml") && strstr(out[2], "/z/b.yaml"));
	CU_ASSERT_EQUAL(d.n_errors, 1);
	for (size_t i = 0; i < nout; i++) {
		unlink(out[i]);
		free(out[i]);
	}
	free(out);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
	load_diag_free(&d);
}

/* RFC 4648 10 test vectors, and the variables derived from credentials. */
static void
test_base64_and_derived(void)
{
	static const char *const vec[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		char *b = util_base64(vec[i][0], strlen(vec[i][0]));
		CU_ASSERT_STRING_EQUAL(b, vec[i][1]);
		free(b);
	}
	struct scn_var *v = xmalloc(3 * sizeof(*v));
	size_t n = 3;
	v[0] = (struct scn_var){ xstrdup("auth_user"), xstrdup("harness") };
	v[1] = (struct scn_var){ xstrdup("auth_password"), xstrdup("harness-secret") };
	v[2] = (struct scn_var){ xstrdup("auth_user_b64"), xstrdup("given") };
	vars_derive(&v, &n);
	CU_ASSERT_EQUAL_FATAL(n, 5); /* auth_user_b64 was given: kept, not derived */
	CU_ASSERT_STRING_EQUAL(v[3].name, "auth_plain");
	CU_ASSERT_STRING_EQUAL(v[3].value, "AGhhcm5lc3MAaGFybmVzcy1zZWNyZXQ=");
	CU_ASSERT_STRING_EQUAL(v[4].name, "auth_password_b64");
	CU_ASSERT_STRING_EQUAL(v[4].value, "aGFybmVzcy1zZWNyZXQ=");
	vars_derive(&v, &n); /* idempotent */
	CU_ASSERT_EQUAL(n, 5);
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
	/* Without a password nothing needing it is derived. */
	v = xmalloc(sizeof(*v));
	n = 1;
	v[0] = (struct scn_var){ xstrdup("auth_user"), xstrdup("u") };
	vars_derive(&v, &n);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(v[1].name, "auth_user_b64");
	CU_ASSERT_STRING_EQUAL(v[1].value, "dQ==");
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

int
main(void)
{
	CU_initialize_registry();
	CU_pSuite s = CU_add_suite("loader", NULL, NULL);
	CU_add_test(s, "valid scenario", test_valid);
	CU_add_test(s, "invalid scenarios: file:line:col", test_invalid);
	CU_add_test(s, "all errors collected", test_collects_all);
	CU_add_test(s, "one line per error", test_diag_one_line);
	CU_add_test(s, "regular expressions too complex", test_regex_too_complex);
	CU_add_test(s, "templates", test_template);
	CU_add_test(s, "code patterns and refs", test_code_match);
	CU_add_test(s, "profiles and paths", test_profile_and_paths);
	CU_add_test(s, "base64 and derived variables", test_base64_and_derived);
	return tu_run();
}
