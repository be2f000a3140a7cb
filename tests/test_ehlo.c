/*
 * test_ehlo.c - CUnit tests of the EHLO capability parser (src/ehlo.c).
 *
 * Realistic EHLO replies as sent by Postfix, Exim, OpenSMTPD, Sendmail and
 * Microsoft Exchange, plus grammar violations.  Each raw reply goes through
 * reply_parse() (from a guarded buffer) and then ehlo_parse(); the table says
 * whether a grammar violation must be reported, the domain, the keywords that
 * must and must not be found, what ehlo_size() says and which AUTH mechanisms
 * are listed.
 */
#include <stdint.h>

#include "ehlo.h"
#include "testutil.h"

#define MAXL 80

struct ecase {
	const char *name;
	const char *in;
	const char *reason;     /* NULL: must parse cleanly; else a word in the reason */
	const char *domain;
	size_t n;               /* capabilities recorded */
	const char *has[16];    /* keywords ehlo_find() must find (any case) */
	const char *hasnt[8];   /* keywords it must not find */
	int size_ret;           /* ehlo_size() */
	uint64_t size_limit;
	const char *mechs[6];   /* ehlo_has_auth_mech() must say 1 */
	const char *nomechs[4]; /* ... must say 0 */
};

static const struct ecase cases[] = {
	{ "Postfix 3.7",
	    "250-mail.example.org\r\n"
	    "250-PIPELINING\r\n"
	    "250-SIZE 10240000\r\n"
	    "250-VRFY\r\n"
	    "250-ETRN\r\n"
	    "250-STARTTLS\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n"
	    "250-8BITMIME\r\n"
	    "250-DSN\r\n"
	    "250-SMTPUTF8\r\n"
	    "250 CHUNKING\r\n",
	    NULL, "mail.example.org", 10,
	    { "PIPELINING", "size", "Vrfy", "ETRN", "STARTTLS",
	      "ENHANCEDSTATUSCODES", "8bitmime", "DSN", "SMTPUTF8", "CHUNKING" },
	    { "AUTH", "BINARYMIME", "SIZ", "SIZE 10240000", "" },
	    1, 10240000, { NULL }, { "PLAIN" } },
	{ "Postfix with broken_sasl_auth_clients (AUTH=)",
	    "250-mail.example.org\r\n"
	    "250-PIPELINING\r\n"
	    "250-SIZE 10240000\r\n"
	    "250-AUTH PLAIN LOGIN\r\n"
	    "250-AUTH=PLAIN LOGIN\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n"
	    "250 8BITMIME\r\n",
	    "keyword", "mail.example.org", 6,
	    { "PIPELINING", "SIZE", "AUTH", "AUTH=PLAIN", "ENHANCEDSTATUSCODES",
	      "8BITMIME" },
	    { "AUTH=LOGIN" },
	    1, 10240000, { "PLAIN", "login", "Plain" }, { "CRAM-MD5", "PLAI", "" } },
	{ "Exim 4.96",
	    "250-mx.example.com Hello client.example.net [192.0.2.1]\r\n"
	    "250-SIZE 52428800\r\n"
	    "250-LIMITS MAILMAX=1000 RCPTMAX=50000\r\n"
	    "250-8BITMIME\r\n"
	    "250-PIPELINING\r\n"
	    "250-AUTH PLAIN LOGIN CRAM-MD5\r\n"
	    "250-CHUNKING\r\n"
	    "250-STARTTLS\r\n"
	    "250-PRDR\r\n"
	    "250 HELP\r\n",
	    NULL, "mx.example.com", 9,
	    { "SIZE", "LIMITS", "8BITMIME", "PIPELINING", "AUTH", "CHUNKING",
	      "STARTTLS", "PRDR", "help" },
	    { "Hello", "mx.example.com" },
	    1, 52428800, { "PLAIN", "LOGIN", "cram-md5" }, { "CRAM", "MD5" } },
	{ "Exim with PIPE_CONNECT (underscore is not keyword syntax)",
	    "250-mx.example.com Hello client.example.net [192.0.2.1]\r\n"
	    "250-SIZE 52428800\r\n"
	    "250-PIPELINING\r\n"
	    "250-PIPE_CONNECT\r\n"
	    "250 HELP\r\n",
	    "keyword", "mx.example.com", 4,
	    { "SIZE", "PIPELINING", "PIPE_CONNECT", "HELP" }, { NULL },
	    1, 52428800, { NULL }, { "PLAIN" } },
	{ "OpenSMTPD 7",
	    "250-mail.example.org Hello client.example.net [192.0.2.1], "
	    "pleased to meet you\r\n"
	    "250-8BITMIME\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n"
	    "250-SIZE 36700160\r\n"
	    "250-DSN\r\n"
	    "250-STARTTLS\r\n"
	    "250-AUTH PLAIN LOGIN\r\n"
	    "250 HELP\r\n",
	    NULL, "mail.example.org", 7,
	    { "8BITMIME", "ENHANCEDSTATUSCODES", "SIZE", "DSN", "STARTTLS",
	      "AUTH", "HELP" }, { "PIPELINING" },
	    1, 36700160, { "PLAIN", "LOGIN" }, { "XOAUTH2" } },
	{ "Sendmail 8.17 (bare SIZE)",
	    "250-mail.example.com Hello client.example.net [192.0.2.1], "
	    "pleased to meet you\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n"
	    "250-PIPELINING\r\n"
	    "250-8BITMIME\r\n"
	    "250-SIZE\r\n"
	    "250-DSN\r\n"
	    "250-ETRN\r\n"
	    "250-AUTH DIGEST-MD5 CRAM-MD5\r\n"
	    "250-STARTTLS\r\n"
	    "250-DELIVERBY\r\n"
	    "250 HELP\r\n",
	    NULL, "mail.example.com", 10,
	    { "ENHANCEDSTATUSCODES", "PIPELINING", "8BITMIME", "SIZE", "DSN",
	      "ETRN", "AUTH", "STARTTLS", "DELIVERBY", "HELP" }, { NULL },
	    1, 0, { "DIGEST-MD5", "cram-md5" }, { "PLAIN", "LOGIN" } },
	{ "Microsoft Exchange 2019",
	    "250-EX01.contoso.com Hello [192.0.2.1]\r\n"
	    "250-SIZE 37748736\r\n"
	    "250-PIPELINING\r\n"
	    "250-DSN\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n"
	    "250-STARTTLS\r\n"
	    "250-X-ANONYMOUSTLS\r\n"
	    "250-AUTH NTLM\r\n"
	    "250-X-EXPS GSSAPI NTLM\r\n"
	    "250-8BITMIME\r\n"
	    "250-BINARYMIME\r\n"
	    "250-CHUNKING\r\n"
	    "250-XRDST\r\n"
	    "250 XSHADOWREQUEST\r\n",
	    NULL, "EX01.contoso.com", 13,
	    { "SIZE", "X-ANONYMOUSTLS", "AUTH", "X-EXPS", "BINARYMIME",
	      "CHUNKING", "XRDST", "xshadowrequest" }, { "X" },
	    1, 37748736, { "NTLM" }, { "GSSAPI", "LOGIN" } },
	{ "Exchange 2003 style AUTH=LOGIN only",
	    "250-mail.contoso.com Hello [192.0.2.1]\r\n"
	    "250-TURN\r\n"
	    "250-SIZE\r\n"
	    "250-AUTH GSSAPI NTLM LOGIN\r\n"
	    "250-AUTH=LOGIN\r\n"
	    "250 OK\r\n",
	    "keyword", "mail.contoso.com", 5,
	    { "TURN", "SIZE", "AUTH", "AUTH=LOGIN", "OK" }, { "AUTH=" },
	    1, 0, { "LOGIN", "gssapi", "ntlm" }, { "PLAIN" } },
	{ "single line, no extensions",
	    "250 smtp.example.net\r\n",
	    NULL, "smtp.example.net", 0, { NULL }, { "SIZE", "AUTH" },
	    0, 0, { NULL }, { "PLAIN" } },
	{ "single line with greeting",
	    "250 smtp.example.net at your service\r\n",
	    NULL, "smtp.example.net", 0, { NULL }, { "at" }, 0, 0, { NULL },
	    { NULL } },
	{ "address literal as domain",
	    "250-[192.0.2.7]\r\n250 8BITMIME\r\n",
	    NULL, "[192.0.2.7]", 1, { "8BITMIME" }, { NULL }, 0, 0, { NULL },
	    { NULL } },
	{ "lower-case keywords and mechanisms",
	    "250-mx.example\r\n250-size 1000\r\n250-starttls\r\n"
	    "250 auth plain cram-md5\r\n",
	    NULL, "mx.example", 3, { "SIZE", "StartTLS", "AUTH" }, { NULL },
	    1, 1000, { "PLAIN", "CRAM-MD5" }, { "LOGIN" } },
	{ "keywords starting with a digit, with hyphens",
	    "250-mx\r\n250-8BITMIME\r\n250-X-LINK2STATE\r\n250 A-\r\n",
	    NULL, "mx", 3, { "8bitmime", "x-link2state", "a-" }, { NULL },
	    0, 0, { NULL }, { NULL } },
	/* SIZE variants (RFC 1870) */
	{ "SIZE 0 is no fixed limit", "250-mx\r\n250 SIZE 0\r\n", NULL, "mx",
	    1, { "SIZE" }, { NULL }, 1, 0, { NULL }, { NULL } },
	{ "SIZE with leading zeros", "250-mx\r\n250 SIZE 0010\r\n", NULL, "mx",
	    1, { "SIZE" }, { NULL }, 1, 10, { NULL }, { NULL } },
	{ "SIZE at the 64-bit maximum",
	    "250-mx\r\n250 SIZE 18446744073709551615\r\n", NULL, "mx", 1,
	    { "SIZE" }, { NULL }, 1, UINT64_MAX, { NULL }, { NULL } },
	{ "SIZE one over the 64-bit maximum",
	    "250-mx\r\n250 SIZE 18446744073709551616\r\n", NULL, "mx", 1,
	    { "SIZE" }, { NULL }, -1, 0, { NULL }, { NULL } },
	{ "SIZE far over 64 bits",
	    "250-mx\r\n250 SIZE 99999999999999999999999\r\n", NULL, "mx", 1,
	    { "SIZE" }, { NULL }, -1, 0, { NULL }, { NULL } },
	{ "SIZE garbage", "250-mx\r\n250 SIZE 10M\r\n", NULL, "mx", 1,
	    { "SIZE" }, { NULL }, -1, 0, { NULL }, { NULL } },
	{ "SIZE negative", "250-mx\r\n250 SIZE -1\r\n", NULL, "mx", 1,
	    { "SIZE" }, { NULL }, -1, 0, { NULL }, { NULL } },
	{ "SIZE with a plus sign", "250-mx\r\n250 SIZE +5\r\n", NULL, "mx", 1,
	    { "SIZE" }, { NULL }, -1, 0, { NULL }, { NULL } },
	{ "SIZE with two params", "250-mx\r\n250 SIZE 100 200\r\n", NULL, "mx",
	    1, { "SIZE" }, { NULL }, -1, 0, { NULL }, { NULL } },
	{ "size in lower case", "250-mx\r\n250 size 512\r\n", NULL, "mx", 1,
	    { "SIZE" }, { NULL }, 1, 512, { NULL }, { NULL } },
	/* grammar violations: reason returned, the rest still recorded */
	{ "keyword starts with '-'", "250-mx\r\n250--BAD\r\n250 DSN\r\n",
	    "keyword", "mx", 2, { "-BAD", "DSN" }, { NULL }, 0, 0, { NULL },
	    { NULL } },
	{ "double space between params",
	    "250-mx\r\n250-AUTH PLAIN  LOGIN\r\n250 DSN\r\n", "parameter", "mx",
	    2, { "AUTH", "DSN" }, { NULL }, 0, 0, { "PLAIN", "LOGIN" },
	    { NULL } },
	{ "trailing space after a param",
	    "250-mx\r\n250-SIZE 100 \r\n250 DSN\r\n", "parameter", "mx", 2,
	    { "SIZE", "DSN" }, { NULL }, -1, 0, { NULL }, { NULL } },
	{ "trailing space after a keyword",
	    "250-mx\r\n250 SIZE \r\n", "parameter", "mx", 1, { "SIZE" },
	    { NULL }, 1, 0, { NULL }, { NULL } },
	{ "HT in params", "250-mx\r\n250 AUTH PLAIN\tLOGIN\r\n", "parameter",
	    "mx", 1, { "AUTH" }, { NULL }, 0, 0, { "PLAIN\tLOGIN" },
	    { "PLAIN" } },
	{ "8-bit in params", "250-mx\r\n250 XFOO caf\xc3\xa9\r\n", "parameter",
	    "mx", 1, { "XFOO" }, { NULL }, 0, 0, { NULL }, { NULL } },
	{ "empty line", "250-mx\r\n250-\r\n250 DSN\r\n", "empty", "mx", 1,
	    { "DSN" }, { NULL }, 0, 0, { NULL }, { NULL } },
	{ "line starting with a space", "250-mx\r\n250- DSN\r\n250 8BITMIME\r\n",
	    "space", "mx", 1, { "8BITMIME" }, { "DSN" }, 0, 0, { NULL },
	    { NULL } },
	{ "no domain", "250\r\n", "domain", "", 0, { NULL }, { NULL }, 0, 0,
	    { NULL }, { NULL } },
	{ "domain is a space", "250  greeting\r\n", "domain", "", 0, { NULL },
	    { NULL }, 0, 0, { NULL }, { NULL } },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* Parse raw into r (lines in lines[MAXL]) from a guarded copy; the caller
 * releases g after it is done with the reply. */
static void
parse_reply(struct tu_guard *g, const char *raw, size_t len,
    struct reply *r, struct reply_line *lines)
{
	struct reply_error e;
	char *p = tu_guarded(g, raw, len);
	ssize_t n;

	memset(r, 0, sizeof(*r));
	r->lines = lines;
	r->lines_cap = MAXL;
	n = reply_parse(p, len, NULL, r, &e);
	if (n != (ssize_t)len)
		fprintf(stderr, "\nreply_parse: %zd (%s at %zu)\n", n,
		    reply_violation_str(e.kind), e.offset);
	CU_ASSERT_EQUAL_FATAL(n, (ssize_t)len);
}

static void
check_case(const struct ecase *c)
{
	struct tu_guard g;
	struct reply r;
	struct reply_line lines[MAXL];
	struct ehlo_caps caps;
	const char *why;
	uint64_t limit = 42;
	size_t i;

	parse_reply(&g, c->in, strlen(c->in), &r, lines);
	memset(&caps, 0x5a, sizeof(caps));
	why = ehlo_parse(&r, &caps);
	tu_unguard(&g); /* caps must not point into the reply */

	if ((why == NULL) != (c->reason == NULL) ||
	    (why != NULL && strstr(why, c->reason) == NULL))
		fprintf(stderr, "\ncase '%s': reason '%s', want '%s'\n", c->name,
		    why ? why : "(null)", c->reason ? c->reason : "(null)");
	if (c->reason == NULL) {
		CU_ASSERT_PTR_NULL(why);
	} else {
		CU_ASSERT_PTR_NOT_NULL_FATAL(why);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, c->reason));
	}
	CU_ASSERT_STRING_EQUAL(caps.domain, c->domain);
	if (caps.n != c->n)
		fprintf(stderr, "\ncase '%s': %zu caps, want %zu\n", c->name,
		    caps.n, c->n);
	CU_ASSERT_EQUAL(caps.n, c->n);
	for (i = 0; i < 16 && c->has[i] != NULL; i++) {
		const struct ehlo_cap *cap = ehlo_find(&caps, c->has[i]);
		if (cap == NULL)
			fprintf(stderr, "\ncase '%s': %s not found\n", c->name,
			    c->has[i]);
		CU_ASSERT_PTR_NOT_NULL(cap);
	}
	for (i = 0; i < 8 && c->hasnt[i] != NULL; i++)
		CU_ASSERT_PTR_NULL(ehlo_find(&caps, c->hasnt[i]));
	CU_ASSERT_EQUAL(ehlo_size(&caps, &limit), c->size_ret);
	CU_ASSERT_EQUAL(limit, c->size_ret == 1 ? c->size_limit : 0);
	for (i = 0; i < 6 && c->mechs[i] != NULL; i++)
		CU_ASSERT_EQUAL(ehlo_has_auth_mech(&caps, c->mechs[i]), 1);
	for (i = 0; i < 4 && c->nomechs[i] != NULL; i++)
		CU_ASSERT_EQUAL(ehlo_has_auth_mech(&caps, c->nomechs[i]), 0);
}

static void
test_table(void)
{
	for (size_t i = 0; i < NCASES; i++)
		check_case(&cases[i]);
}

/* Keywords and params are kept as sent, the params after exactly one SP. */
static void
test_stored_as_sent(void)
{
	static const char raw[] = "250-mx.example Hi\r\n250-Size 100\r\n"
	    "250-AUTH=LOGIN PLAIN\r\n250 x-Foo a=b  c\r\n";
	struct tu_guard g;
	struct reply r;
	struct reply_line lines[MAXL];
	struct ehlo_caps caps;
	const struct ehlo_cap *cap;

	parse_reply(&g, raw, sizeof(raw) - 1, &r, lines);
	CU_ASSERT_PTR_NOT_NULL(ehlo_parse(&r, &caps));
	tu_unguard(&g);
	CU_ASSERT_EQUAL_FATAL(caps.n, 3);
	CU_ASSERT_STRING_EQUAL(caps.cap[0].keyword, "Size");
	CU_ASSERT_STRING_EQUAL(caps.cap[0].params, "100");
	CU_ASSERT_STRING_EQUAL(caps.cap[1].keyword, "AUTH=LOGIN");
	CU_ASSERT_STRING_EQUAL(caps.cap[1].params, "PLAIN");
	CU_ASSERT_STRING_EQUAL(caps.cap[2].keyword, "x-Foo");
	CU_ASSERT_STRING_EQUAL(caps.cap[2].params, "a=b  c");
	cap = ehlo_find(&caps, "X-FOO");
	CU_ASSERT_PTR_EQUAL(cap, &caps.cap[2]);
	/* AUTH=LOGIN is not the AUTH keyword */
	CU_ASSERT_PTR_NULL(ehlo_find(&caps, "AUTH"));
	CU_ASSERT_EQUAL(ehlo_has_auth_mech(&caps, "PLAIN"), 0);

	/* A copy holds the same domain and capabilities, found the same. */
	struct ehlo_caps copy;
	memset(&copy, 0x5a, sizeof(copy));
	ehlo_copy(&copy, &caps);
	CU_ASSERT_STRING_EQUAL(copy.domain, "mx.example");
	CU_ASSERT_EQUAL_FATAL(copy.n, 3);
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_STRING_EQUAL(copy.cap[i].keyword, caps.cap[i].keyword);
		CU_ASSERT_STRING_EQUAL(copy.cap[i].params, caps.cap[i].params);
	}
	CU_ASSERT_PTR_EQUAL(ehlo_find(&copy, "size"), &copy.cap[0]);
	CU_ASSERT_PTR_NULL(ehlo_find(&copy, "DSN"));
}

/* The reply must be a 250 with all its lines stored. */
static void
test_not_usable(void)
{
	struct tu_guard g;
	struct reply r;
	struct reply_line lines[MAXL];
	struct ehlo_caps caps;
	const char *why;

	parse_reply(&g, "502 5.5.1 EHLO not implemented\r\n", 32, &r, lines);
	why = ehlo_parse(&r, &caps);
	tu_unguard(&g);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_EQUAL(caps.n, 0);
	CU_ASSERT_STRING_EQUAL(caps.domain, "");

	parse_reply(&g, "250-mx\r\n250-DSN\r\n250 SIZE 1\r\n", 29, &r, lines);
	r.lines_cap = 2;
	why = ehlo_parse(&r, &caps);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "stored"));
	CU_ASSERT_EQUAL(caps.n, 0);
	r.lines_cap = 3;
	CU_ASSERT_PTR_NULL(ehlo_parse(&r, &caps));
	CU_ASSERT_EQUAL(caps.n, 2);
	tu_unguard(&g);
}

/* Storage limits: a keyword or params that do not fit leave the line out,
 * a domain that does not fit leaves the domain empty, more than
 * EHLO_MAX_CAPS lines keep the first EHLO_MAX_CAPS. */
static void
test_limits(void)
{
	char raw[8192];
	struct tu_guard g;
	struct reply r;
	struct reply_line lines[MAXL];
	struct ehlo_caps caps;
	const char *why;
	size_t len, i;

	/* keyword of EHLO_MAX_KEYWORD - 1 chars fits, one more does not */
	for (int over = 0; over < 2; over++) {
		len = (size_t)snprintf(raw, sizeof(raw), "250-mx\r\n250-");
		memset(raw + len, 'K', EHLO_MAX_KEYWORD - 1 + over);
		len += EHLO_MAX_KEYWORD - 1 + over;
		len += (size_t)snprintf(raw + len, sizeof(raw) - len,
		    "\r\n250 DSN\r\n");
		parse_reply(&g, raw, len, &r, lines);
		why = ehlo_parse(&r, &caps);
		tu_unguard(&g);
		if (!over) {
			CU_ASSERT_PTR_NULL(why);
			CU_ASSERT_EQUAL(caps.n, 2);
			CU_ASSERT_EQUAL(strlen(caps.cap[0].keyword),
			    EHLO_MAX_KEYWORD - 1);
		} else {
			CU_ASSERT_PTR_NOT_NULL(why);
			CU_ASSERT_PTR_NOT_NULL(strstr(why, "too long"));
			CU_ASSERT_EQUAL(caps.n, 1);
			CU_ASSERT_STRING_EQUAL(caps.cap[0].keyword, "DSN");
		}
	}

	/* params of EHLO_MAX_PARAMS - 1 chars fit, one more do not */
	for (int over = 0; over < 2; over++) {
		len = (size_t)snprintf(raw, sizeof(raw), "250-mx\r\n250 SIZE ");
		memset(raw + len, '9', EHLO_MAX_PARAMS - 1 + over);
		len += EHLO_MAX_PARAMS - 1 + over;
		len += (size_t)snprintf(raw + len, sizeof(raw) - len, "\r\n");
		parse_reply(&g, raw, len, &r, lines);
		why = ehlo_parse(&r, &caps);
		tu_unguard(&g);
		if (!over) {
			CU_ASSERT_PTR_NULL(why);
			CU_ASSERT_EQUAL(caps.n, 1);
			CU_ASSERT_EQUAL(strlen(caps.cap[0].params),
			    EHLO_MAX_PARAMS - 1);
			CU_ASSERT_EQUAL(ehlo_size(&caps, NULL), -1);
		} else {
			CU_ASSERT_PTR_NOT_NULL(why);
			CU_ASSERT_EQUAL(caps.n, 0);
			CU_ASSERT_EQUAL(ehlo_size(&caps, NULL), 0);
		}
	}

	/* domain of EHLO_MAX_DOMAIN - 1 chars fits, one more does not */
	for (int over = 0; over < 2; over++) {
		len = (size_t)snprintf(raw, sizeof(raw), "250-");
		memset(raw + len, 'd', EHLO_MAX_DOMAIN - 1 + over);
		len += EHLO_MAX_DOMAIN - 1 + over;
		len += (size_t)snprintf(raw + len, sizeof(raw) - len,
		    " hi\r\n250 DSN\r\n");
		parse_reply(&g, raw, len, &r, lines);
		why = ehlo_parse(&r, &caps);
		tu_unguard(&g);
		CU_ASSERT_EQUAL(caps.n, 1);
		if (!over) {
			CU_ASSERT_PTR_NULL(why);
			CU_ASSERT_EQUAL(strlen(caps.domain), EHLO_MAX_DOMAIN - 1);
		} else {
			CU_ASSERT_PTR_NOT_NULL(why);
			CU_ASSERT_STRING_EQUAL(caps.domain, "");
		}
	}

	/* EHLO_MAX_CAPS capability lines fit, one more does not */
	for (int over = 0; over < 2; over++) {
		size_t ncap = EHLO_MAX_CAPS + (size_t)over;
		len = (size_t)snprintf(raw, sizeof(raw), "250-mx\r\n");
		for (i = 0; i < ncap; i++)
			len += (size_t)snprintf(raw + len, sizeof(raw) - len,
			    "250%cX%zu\r\n", i + 1 == ncap ? ' ' : '-', i);
		parse_reply(&g, raw, len, &r, lines);
		why = ehlo_parse(&r, &caps);
		tu_unguard(&g);
		CU_ASSERT_EQUAL(caps.n, EHLO_MAX_CAPS);
		CU_ASSERT_STRING_EQUAL(caps.cap[EHLO_MAX_CAPS - 1].keyword, "X63");
		if (!over) {
			CU_ASSERT_PTR_NULL(why);
		} else {
			CU_ASSERT_PTR_NOT_NULL(why);
			CU_ASSERT_PTR_NULL(ehlo_find(&caps, "X64"));
		}
	}
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("ehlo", NULL, NULL);
	if (s == NULL ||
	    CU_add_test(s, "server replies", test_table) == NULL ||
	    CU_add_test(s, "stored as sent", test_stored_as_sent) == NULL ||
	    CU_add_test(s, "not a usable reply", test_not_usable) == NULL ||
	    CU_add_test(s, "storage limits", test_limits) == NULL) {
		CU_cleanup_registry();
		return 2;
	}
	return tu_run();
}
