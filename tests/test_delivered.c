/*
 * test_delivered.c - CUnit tests of the delivery oracle's pure parts: the
 * store (src/oracle.c: tokens, copies, the --oracle spec) and the verdict
 * of a delivered step (src/delivered.c: counts, the wait, the envelope,
 * the header section, the body).
 */
#include <regex.h>
#include <string.h>

#include "delivered.h"
#include "oracle.h"
#include "testutil.h"

#define TOKEN "smtph00c0ffeen000001"
#define MSG "Return-Path: <a@x.example>\r\nReceived: from c.example ([127.0.0.1])\r\n" \
	"\tby mx.example; Sun, 6 Dec 2026 05:00:00 +0000\r\nSubject: " TOKEN "\r\n\r\nbody\r\n"

static const char *rcpts[] = { "Probe.MiXeD@relay.example", "b@y.example" };
static const char *rparams[] = { "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x@y", "" };

static struct orc_msg
msg(const char *data)
{
	return (struct orc_msg){ .mail_from = "a@x.example", .mail_params = "RET=HDRS ENVID=QQ314159",
		.nrcpt = 2, .rcpt = (char **)rcpts, .rcpt_params = (char **)rparams,
		.data = (char *)data, .len = strlen(data), .source = "test" };
}

static void
test_store(void)
{
	struct orc_store *st = orc_store_new();
	struct orc_msg a = msg(MSG), b = msg("Subject: other\r\n\r\nno token\r\n");
	const struct orc_msg *found[4];
	char stack[] = MSG;

	a.data = stack;
	CU_ASSERT_EQUAL(orc_store_add(st, &a), 0);
	memset(stack, 'X', sizeof(stack) - 1); /* the store holds its own copy */
	CU_ASSERT_EQUAL(orc_store_add(st, &b), 0);
	b.rcpt = (char *[]){ "u+" TOKEN "@x", "v@x" }; /* a token in an address */
	CU_ASSERT_EQUAL(orc_store_add(st, &b), 0);
	CU_ASSERT_EQUAL(orc_store_count(st), 3);
	CU_ASSERT_EQUAL(orc_store_find(st, TOKEN, found, 4), 2);
	CU_ASSERT_EQUAL(found[0]->seq, 1);
	CU_ASSERT_EQUAL(found[1]->seq, 3);
	CU_ASSERT_NSTRING_EQUAL(found[0]->data, "Return-Path:", 12);
	CU_ASSERT_EQUAL(orc_store_find(st, TOKEN, found, 1), 2); /* total, one kept */
	CU_ASSERT_EQUAL(orc_store_find(st, "", found, 4), 0);
	/* a token is never another's prefix: fixed width */
	CU_ASSERT_EQUAL(orc_store_find(st, "smtph00c0ffeen00000", found, 4), 2);
	orc_store_free(st);
}

static void
test_spec(void)
{
	struct orc_spec sp;
	char err[256];

	CU_ASSERT_EQUAL(orc_parse_spec("sink:127.0.0.1:2526", &sp, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sp.kind, ORC_SINK);
	CU_ASSERT_STRING_EQUAL(sp.host, "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(sp.port, "2526");
	CU_ASSERT_EQUAL(orc_parse_spec("lmtp:[::1]:24", &sp, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sp.kind, ORC_LMTP);
	CU_ASSERT_STRING_EQUAL(sp.host, "::1");
	CU_ASSERT_EQUAL(orc_parse_spec("maildir:/tmp/Maildir", &sp, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sp.kind, ORC_MAILDIR);
	CU_ASSERT_TRUE(orc_kind_final(sp.kind));
	CU_ASSERT_EQUAL(orc_parse_spec("mbox:/var/mail/u", &sp, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(orc_kind_final(ORC_SINK));
	CU_ASSERT_EQUAL(orc_parse_spec("sink:192.0.2.1:25", &sp, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "loopback"));
	CU_ASSERT_EQUAL(orc_parse_spec("sink:127.0.0.1", &sp, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(orc_parse_spec("sink:127.0.0.1:x25", &sp, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(orc_parse_spec("maildir:", &sp, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(orc_parse_spec("imap:host", &sp, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "sink:HOST:PORT"));
}

/* A judgement with the clock far past every wait unless clk is given. */
static enum dlv_verdict
judge(struct scn_delivered *d, const struct dlv_want *w0, const struct orc_msg *m,
    size_t n, const struct dlv_clock *clk, char *why)
{
	static const struct dlv_clock done = { 60000, 60000, 10000, 2000 };
	const struct orc_msg *v[4] = { m, m, m, m };
	struct dlv_want w = w0 ? *w0 : (struct dlv_want){ 0 };

	w.d = d;
	return dlv_judge(&w, v, n, clk ? clk : &done, why, 256);
}

static void
test_counts(void)
{
	struct scn_delivered d = { .count = 1, .message = 1 };
	struct orc_msg m = msg(MSG);
	char why[256];
	struct dlv_clock early = { 100, 100, 10000, 2000 };
	struct dlv_clock settling = { 3000, 500, 10000, 2000 };

	CU_ASSERT_EQUAL(judge(&d, NULL, &m, 1, NULL, why), DLV_PASS);
	CU_ASSERT_EQUAL(judge(&d, NULL, &m, 0, &early, why), DLV_WAIT);
	/* none within the wait: no verdict, unless the rule is about it */
	CU_ASSERT_EQUAL(judge(&d, NULL, &m, 0, NULL, why), DLV_SKIP);
	CU_ASSERT_NSTRING_EQUAL(why, "0 of 1 messages delivered within 10.0 s: the server may", 53);
	d.missing_fails = 1;
	CU_ASSERT_EQUAL(judge(&d, NULL, &m, 0, NULL, why), DLV_FAIL);
	CU_ASSERT_STRING_EQUAL(why, "0 of 1 messages delivered within 10.0 s");
	d.missing_fails = 0;
	CU_ASSERT_EQUAL(judge(&d, NULL, &m, 1, &settling, why), DLV_WAIT);
	/* too many: at once, without waiting */
	CU_ASSERT_EQUAL(judge(&d, NULL, &m, 2, &early, why), DLV_FAIL);
	CU_ASSERT_STRING_EQUAL(why, "2 messages were delivered for this session, expected 1");
	d.at_most = 1;
	/* nothing yet: the whole wait (a slow relay), settled or not */
	CU_ASSERT_EQUAL(judge(&d, NULL, &m, 0, &settling, why), DLV_WAIT);
	CU_ASSERT_EQUAL(judge(&d, NULL, &m, 1, &settling, why), DLV_WAIT);
	settling.settled_ms = 2500;
	CU_ASSERT_EQUAL(judge(&d, NULL, &m, 1, &settling, why), DLV_PASS);
	CU_ASSERT_EQUAL(judge(&d, NULL, &m, 0, NULL, why), DLV_PASS);
	CU_ASSERT_EQUAL(judge(&d, NULL, &m, 1, NULL, why), DLV_PASS);
	CU_ASSERT_EQUAL(judge(&d, NULL, &m, 2, &early, why), DLV_FAIL);
	CU_ASSERT_STRING_EQUAL(why, "2 messages were delivered for this session, expected at most 1");
	d = (struct scn_delivered){ .count = 0, .message = 1 };
	CU_ASSERT_EQUAL(judge(&d, NULL, &m, 0, NULL, why), DLV_PASS);
	CU_ASSERT_EQUAL(judge(&d, NULL, &m, 1, &early, why), DLV_FAIL);
}

static void
test_envelope(void)
{
	struct scn_delivered d = { .count = 1, .message = 1, .mail_from = "x", .n_rcpt_to = 2,
		.n_mail_params = 1, .n_rcpt_params = 1 };
	char *rc[] = { "b@y.example", "Probe.MiXeD@relay.example" };
	char *mp[] = { "envid=QQ314159" }, *rp[] = { "NOTIFY=SUCCESS,FAILURE" };
	struct dlv_want w = { .mail_from = "a@x.example", .rcpt_to = rc, .mail_params = mp,
		.rcpt_params = rp };
	struct orc_msg m = msg(MSG);
	char why[256];

	/* the second recipient has no NOTIFY: carried for one only */
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_FAIL);
	CU_ASSERT_STRING_EQUAL(why, "RCPT was relayed without NOTIFY=SUCCESS,FAILURE (its parameters: '')");
	d.n_rcpt_params = 0;
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_PASS);
	mp[0] = "ENVID=qq314159"; /* values exactly */
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_FAIL);
	mp[0] = "RET";            /* a keyword alone: any value */
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_PASS);
	rc[1] = "probe.mixed@relay.example"; /* local-parts keep their case */
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_FAIL);
	CU_ASSERT_STRING_EQUAL(why, "the envelope recipients were delivered as "
	    "<Probe.MiXeD@relay.example> <b@y.example>, not as the scenario sent them");
	rc[1] = "Probe.MiXeD@RELAY.Example"; /* domains in any case */
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_PASS);
	w.mail_from = "A@x.example";
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_FAIL);
	CU_ASSERT_STRING_EQUAL(why, "the envelope sender was delivered as <a@x.example>, not <A@x.example>");
	m.mail_from = NULL; /* a mailbox without Return-Path: */
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_SKIP);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "envelope sender"));
}

static void
test_content(void)
{
	struct scn_delivered d = { .count = 1, .message = 1, .has_body = 1 };
	struct dlv_want w = { .body = "body\r\n", .body_len = 6 };
	struct orc_msg m = msg(MSG);
	char *has[] = { "received", "Subject" }, *lacks[] = { "X-Spam" };
	char why[256];

	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_PASS);
	w.body = "body\r\n\r\n";
	w.body_len = 8; /* an extra line is a difference */
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_FAIL);
	d.has_body = 0;
	d.header_has = has;
	d.n_header_has = 2;
	d.header_lacks = lacks;
	d.n_header_lacks = 1;
	d.header_first = "Received";
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_PASS);
	d.header_first = "Subject";
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_FAIL);
	d.header_first = NULL;
	lacks[0] = "subject";
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_FAIL);
	CU_ASSERT_STRING_EQUAL(why, "the delivered message has a subject: header field");
	d.n_header_lacks = 0;
	CU_ASSERT_EQUAL(regcomp(&d.headers_re, "^Received:[ \t]+from ", REG_EXTENDED | REG_NEWLINE), 0);
	d.headers = "^Received:[ \t]+from ";
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_PASS);
	m = msg("Received: by mx.example; Sun, 6 Dec 2026\r\n\r\nbody\r\n"); /* no FROM clause */
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_FAIL);
	regfree(&d.headers_re);
	/* the delivery agent's fields above Received: are passed over, others are not */
	d.headers = NULL;
	d.n_header_has = 0;
	d.header_first = "Received";
	m = msg("Delivered-To: u@x\r\nX-Original-To: u@x\r\nReceived: from a\r\n\r\nb\r\n");
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_PASS);
	m = msg("X-Spam: yes\r\nReceived: from a\r\n\r\nb\r\n");
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_FAIL);
	/* a header section without a body, and none at all */
	m = msg("Subject: only\r\n");
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_FAIL);
	m = msg("");
	CU_ASSERT_EQUAL(judge(&d, &w, &m, 1, NULL, why), DLV_FAIL);
}

static void
test_header_len(void)
{
	size_t body;

	CU_ASSERT_EQUAL(dlv_header_len("A: b\r\n\r\nx", 9, &body), 6);
	CU_ASSERT_EQUAL(body, 8);
	CU_ASSERT_EQUAL(dlv_header_len("\r\nx", 3, &body), 0);
	CU_ASSERT_EQUAL(body, 2);
	CU_ASSERT_EQUAL(dlv_header_len("A: b\r\n", 6, &body), 6);
	CU_ASSERT_EQUAL(body, 6);
	CU_ASSERT_EQUAL(dlv_header_len("", 0, &body), 0);
}

static void
test_describe(void)
{
	struct orc_msg m = msg("Subject: x\r\n\r\nline\x01\xff\r\n");
	char out[256], tiny[8];

	m.seq = 3;
	dlv_describe(&m, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "delivered #3 (test): from <a@x.example> to <Probe.MiXeD@relay.example> "
	    "<b@y.example>, 22 octets; body: line\\x01\\xff\\r\\n");
	CU_ASSERT_TRUE(dlv_describe(&m, tiny, sizeof(tiny)) < sizeof(tiny));
	CU_ASSERT_EQUAL(strlen(tiny), 7);
}

int
main(void)
{
	CU_pSuite s;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("delivered", NULL, NULL);
	if (s == NULL ||
	    CU_add_test(s, "store", test_store) == NULL ||
	    CU_add_test(s, "spec", test_spec) == NULL ||
	    CU_add_test(s, "counts", test_counts) == NULL ||
	    CU_add_test(s, "envelope", test_envelope) == NULL ||
	    CU_add_test(s, "content", test_content) == NULL ||
	    CU_add_test(s, "header_len", test_header_len) == NULL ||
	    CU_add_test(s, "describe", test_describe) == NULL) {
		CU_cleanup_registry();
		return 1;
	}
	return tu_run();
}
