/*
 * test_failfast.c - CUnit tests of src/failfast.c: when a run decides that
 * the server never ends a session wait (a streak of the same timeout), and
 * how many sessions run at once after a 421 greeting.  Table-driven: each
 * case is a sequence of finished results and the wait found dead (or none)
 * after the last one.
 */
#include "failfast.h"
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
	return tu_run();
}
