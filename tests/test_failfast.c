/*
 * test_failfast.c - CUnit tests of src/failfast.c: when a run decides that
 * the server never ends a session wait (a streak of the same timeout), and
 * how many sessions run at once after a 421 greeting, and which verb a
 * client write awaits a reply to.  Table-driven: each case is a sequence
 * of finished results and the wait found dead (or none) after the last
 * one; each write is placed right before a guard page (tu_guarded).
 */
#include "failfast.h"
#include "syntax.h"
#include "testutil.h"

#define PASS { 1, FF_NONE, NULL, NULL }
#define SKIP { 0, FF_NONE, NULL, NULL }
#define FAIL_STEP { 1, FF_NONE, "TX-05", NULL }
#define CLOSE { 1, FF_QUIT_CLOSE, "TM-01", NULL }
#define OPENING { 1, FF_OPENING, "RF-01", NULL }
#define QUIT_REPLY { 1, FF_QUIT_REPLY, "RF-01", NULL }
#define AFTER_421 { 1, FF_CLOSE_AFTER_421, "TX-10", NULL }
#define END { -1, FF_NONE, NULL, NULL }
#define MAIL_HELD { 1, FF_STEP_REPLY, "RF-01", "MAIL" }
#define RSET_HELD { 1, FF_STEP_REPLY, "RF-01", "RSET" }
#define NO_VERB { 1, FF_STEP_REPLY, "RF-01", "" }

static const struct {
	const char *name;
	struct ff_outcome seq[8]; /* ends at judged == -1 */
	enum ff_wait want;        /* dead after the sequence */
	int at;                   /* the index at which ff_observe returned it */
} cases[] = {
	{ "three closes in a row", { CLOSE, CLOSE, CLOSE, END }, FF_QUIT_CLOSE, 2 },
	{ "two are not enough", { CLOSE, CLOSE, END }, FF_NONE, -1 },
	{ "skips do not break a streak", { CLOSE, SKIP, CLOSE, SKIP, CLOSE, END }, FF_QUIT_CLOSE, 4 },
	{ "a pass breaks it", { CLOSE, CLOSE, PASS, CLOSE, CLOSE, END }, FF_NONE, -1 },
	{ "a failure of a step breaks it", { CLOSE, FAIL_STEP, CLOSE, CLOSE, END }, FF_NONE, -1 },
	{ "another wait starts a new streak", { CLOSE, CLOSE, OPENING, OPENING, OPENING, END },
	  FF_OPENING, 4 },
	{ "the opening", { OPENING, OPENING, OPENING, END }, FF_OPENING, 2 },
	{ "no 221 to QUIT", { QUIT_REPLY, QUIT_REPLY, QUIT_REPLY, END }, FF_QUIT_REPLY, 2 },
	{ "no close after 421", { PASS, AFTER_421, AFTER_421, AFTER_421, END }, FF_CLOSE_AFTER_421, 3 },
	{ "mixed waits never", { CLOSE, OPENING, CLOSE, OPENING, QUIT_REPLY, AFTER_421, END }, FF_NONE, -1 },
	{ "found once, later results change nothing", { CLOSE, CLOSE, CLOSE, PASS, OPENING, OPENING, OPENING, END },
	  FF_QUIT_CLOSE, 2 },
	{ "same wait, another rule", { { 1, FF_QUIT_CLOSE, "TM-01", NULL }, { 1, FF_QUIT_CLOSE, "TX-10", NULL },
	  { 1, FF_QUIT_CLOSE, "TM-01", NULL }, END }, FF_NONE, -1 },
	{ "no rule at all is a rule too", { { 1, FF_OPENING, NULL, NULL }, { 1, FF_OPENING, NULL, NULL },
	  { 1, FF_OPENING, NULL, NULL }, END }, FF_OPENING, 2 },
	{ "nothing", { END }, FF_NONE, -1 },
	{ "no reply after the same verb", { MAIL_HELD, SKIP, MAIL_HELD, MAIL_HELD, END },
	  FF_STEP_REPLY, 3 },
	{ "after another verb: a new streak", { MAIL_HELD, MAIL_HELD, RSET_HELD, RSET_HELD, END },
	  FF_NONE, -1 },
	{ "a pass between breaks it", { MAIL_HELD, MAIL_HELD, PASS, MAIL_HELD, END }, FF_NONE, -1 },
	{ "no verb known: never", { NO_VERB, NO_VERB, NO_VERB, NO_VERB, END }, FF_NONE, -1 },
	{ "no verb breaks a streak", { MAIL_HELD, MAIL_HELD, NO_VERB, MAIL_HELD, END }, FF_NONE, -1 },
	{ "a session wait is not a step's", { MAIL_HELD, OPENING, MAIL_HELD, END }, FF_NONE, -1 },
};

static void
test_observe(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ff f = { 0 };
		int at = -1;
		for (int k = 0; cases[i].seq[k].judged >= 0; k++) {
			enum ff_wait w = ff_observe(&f, &cases[i].seq[k]);
			if (w != FF_NONE) {
				CU_ASSERT_EQUAL(at, -1); /* returned once only */
				at = k;
				CU_ASSERT_EQUAL(w, f.dead);
			}
		}
		if (f.dead != cases[i].want || at != cases[i].at)
			fprintf(stderr, "\n  case '%s': dead %d at %d, want %d at %d\n", cases[i].name,
			    (int)f.dead, at, (int)cases[i].want, cases[i].at);
		CU_ASSERT_EQUAL(f.dead, cases[i].want);
		CU_ASSERT_EQUAL(at, cases[i].at);
	}
}

static void
test_describe(void)
{
	char buf[256];
	CU_ASSERT_STRING_EQUAL(ff_describe(FF_NONE, NULL, buf, sizeof(buf)), "");
	const enum ff_wait all[] = { FF_OPENING, FF_QUIT_REPLY, FF_QUIT_CLOSE, FF_CLOSE_AFTER_421,
		FF_STEP_REPLY };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		CU_ASSERT(strlen(ff_describe(all[i], "MAIL", buf, sizeof(buf))) > 20);
		CU_ASSERT_PTR_NOT_NULL(strstr(buf, "--timeout"));
	}
	ff_describe(FF_STEP_REPLY, "MAIL", buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "once MAIL is the last command sent"));
}

/* The key is the verb: a streak after MAIL found dead keeps MAIL. */
static void
test_dead_verb(void)
{
	struct ff f = { 0 };
	const struct ff_outcome held = MAIL_HELD;
	for (int k = 0; k < FF_STREAK; k++)
		ff_observe(&f, &held);
	CU_ASSERT_EQUAL(f.dead, FF_STEP_REPLY);
	CU_ASSERT_STRING_EQUAL(f.verb, "MAIL");
	const struct ff_outcome other = RSET_HELD;
	CU_ASSERT_EQUAL(ff_observe(&f, &other), FF_NONE);
	CU_ASSERT_STRING_EQUAL(f.verb, "MAIL");
}

static void
test_retry_after_421(void)
{
	static const struct {
		unsigned jobs, started_at;
		size_t open;
		int retry;
		unsigned want; /* jobs afterwards */
	} t[] = {
		{ 16, 16, 0, 0, 16 },  /* a lone session refused: its outcome, not a limit */
		{ 16, 16, 4, 1, 4 },   /* it took 4: 4 at once, run it again */
		{ 4, 16, 4, 1, 4 },    /* the same burst, already lowered: again, no lower */
		{ 4, 16, 3, 1, 3 },    /* a lower limit seen */
		{ 4, 4, 4, 0, 4 },     /* started within the limit found: its outcome */
		{ 4, 4, 3, 1, 3 },     /* fewer than allowed: lower again */
		{ 16, 16, 15, 1, 15 },
		{ 1, 1, 0, 0, 1 },     /* at 1: never a retry (retries end) */
		{ 1, 2, 1, 1, 1 },
		{ 2, 2, 1, 1, 1 },
		{ 8, 8, 40, 0, 8 },    /* more open than allowed (others' sessions): no */
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		unsigned jobs = t[i].jobs;
		CU_ASSERT_EQUAL(ff_retry_after_421(&jobs, t[i].started_at, t[i].open), t[i].retry);
		CU_ASSERT_EQUAL(jobs, t[i].want);
	}
	/* A burst: 16 started, the server takes 4, refuses 12: each retries,
	 * jobs settles at 4; a retried one refused again with 4 open stays. */
	unsigned jobs = 16;
	for (int k = 0; k < 12; k++)
		CU_ASSERT_EQUAL(ff_retry_after_421(&jobs, 16, 4), 1);
	CU_ASSERT_EQUAL(jobs, 4);
	CU_ASSERT_EQUAL(ff_retry_after_421(&jobs, 4, 4), 0);
}

/* Which verb a write awaits a reply to (the FF_STEP_REPLY key). */
static const struct {
	const char *name;
	const char *data;
	size_t len;     /* 0: strlen(data) */
	const char *want;
} writes[] = {
	{ "one MAIL line", "MAIL FROM:<a@example.org>\r\n", 0, "MAIL" },
	{ "a verb alone", "RSET\r\n", 0, "RSET" },
	{ "lower case", "rcpt to:<b@example.org>\r\n", 0, "RCPT" },
	{ "mixed case", "StartTls\r\n", 0, "STARTTLS" },
	{ "the end of data", ".\r\n", 0, "." },
	{ "a dot-stuffed line is text", "..\r\n", 0, "" },
	{ "a dot and more", ". \r\n", 0, "" },
	{ "two pipelined lines", "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n", 0, "" },
	{ "data's end and QUIT", ".\r\nQUIT\r\n", 0, "" },
	{ "no line end", "NOOP", 0, "" },
	{ "a bare LF end", "NOOP\n", 0, "" },
	{ "a bare LF end after an argument", "MAIL FROM:<>\n", 0, "" }, /* "MAIL FROM:<" cut off */
	{ "a bare CR LF LF end", "MAIL FROM:<>\r\n\n", 0, "" },
	{ "a bare CR end", "NOOP\r", 0, "" },
	{ "a CR and a last byte other than LF", "QUIT\rX", 0, "" },
	{ "a bare LF inside", "NOOP\nRSET\r\n", 0, "" },
	{ "a dot with a bare LF", ".\n", 0, "" },
	{ "a line cut before its CRLF", "MAIL FROM:<a@exa", 0, "" },
	{ "a line cut inside its CRLF", "MAIL FROM:<a@example.org>\r", 0, "" },
	{ "the rest of a cut line", "mple.org>\r\n", 0, "" },
	{ "an unknown verb", "XFOO bar\r\n", 0, "" },
	{ "a verb with a digit", "MAIL1 FROM:<>\r\n", 0, "" },
	{ "a leading space", " MAIL FROM:<>\r\n", 0, "" },
	{ "an empty line", "\r\n", 0, "" },
	{ "a BDAT command and its chunk", "BDAT 5 LAST\r\nhello", 0, "" },
	{ "a chunk of binary data", "\x00\x01\xff\r\n", 4, "" },
	{ "a chunk with a NUL before a verb", "\x00MAIL FROM:<>\r\n", 15, "" },
	{ "message text", "Subject: hi\r\n\r\nbody\r\n", 0, "" },
	{ "one line of message text", "Hello world\r\n", 0, "" },
	{ "nothing", "", 0, "" },
	{ "one byte", "\n", 1, "" },
	{ "one CR", "\r", 1, "" },
	{ "one dot", ".", 1, "" },
};

static void
test_write_verb(void)
{
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		size_t len = writes[i].len ? writes[i].len : strlen(writes[i].data);
		struct tu_guard g;
		const char *data = tu_guarded(&g, writes[i].data, len);
		char out[FF_VERB_MAX];
		memset(out, 'x', sizeof(out));
		ff_write_verb(data, len, out, sizeof(out));
		if (strcmp(out, writes[i].want) != 0)
			fprintf(stderr, "\n%s: got \"%s\", want \"%s\"", writes[i].name, out,
			    writes[i].want);
		CU_ASSERT_STRING_EQUAL(out, writes[i].want);
		tu_unguard(&g);
	}
	/* No data at all (the guard page right at the pointer). */
	struct tu_guard g;
	char out[FF_VERB_MAX] = "stale";
	ff_write_verb(tu_guarded(&g, "", 0), 0, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "");
	tu_unguard(&g);
}

/* Every known verb fits the key; a smaller buffer cuts it, NUL-terminated,
 * and writes nothing past outlen. */
static void
test_write_verb_cut(void)
{
	const char *line = "STARTTLS\r\n";
	size_t len = strlen(line);
	char out[FF_VERB_MAX + 4];
	for (size_t outlen = 1; outlen <= FF_VERB_MAX; outlen++) {
		memset(out, 'x', sizeof(out));
		ff_write_verb(line, len, out, outlen);
		CU_ASSERT_EQUAL(strlen(out), outlen - 1 < 8 ? outlen - 1 : 8);
		CU_ASSERT_NSTRING_EQUAL(out, "STARTTLS", strlen(out));
		for (size_t k = outlen; k < sizeof(out); k++)
			CU_ASSERT_EQUAL(out[k], 'x');
	}
	memset(out, 'x', sizeof(out));
	ff_write_verb("MAIL FROM:<>\r\n", 14, out, 3);
	CU_ASSERT_STRING_EQUAL(out, "MA");
	memset(out, 'x', sizeof(out));
	ff_write_verb(".\r\n", 3, out, 1);
	CU_ASSERT_EQUAL(out[0], '\0');
	CU_ASSERT_EQUAL(out[1], 'x');
	/* outlen 0: nothing written at all. */
	memset(out, 'x', sizeof(out));
	ff_write_verb("MAIL FROM:<>\r\n", 14, out, 0);
	CU_ASSERT_EQUAL(out[0], 'x');
	/* The longest canonical verb fits FF_VERB_MAX. */
	for (int v = SYN_HELO; v <= SYN_ATRN; v++)
		CU_ASSERT(strlen(syn_verb_name((enum syn_verb)v)) < FF_VERB_MAX);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("failfast", NULL, NULL);
	CU_add_test(s, "a streak of the same session wait", test_observe);
	CU_add_test(s, "the shared reasons", test_describe);
	CU_add_test(s, "a reply never sent after one verb", test_dead_verb);
	CU_add_test(s, "sessions at once after a 421 greeting", test_retry_after_421);
	CU_add_test(s, "the verb a write awaits a reply to", test_write_verb);
	CU_add_test(s, "the verb cut to a small buffer", test_write_verb_cut);
	return tu_run();
}
