/*
 * test_sasl.c - CUnit tests of src/sasl.c: strict base64 (RFC 4954 4,
 * RFC 4648 4) and the PLAIN (RFC 4616), LOGIN and CRAM-MD5 (RFC 2195)
 * checks of the reference server.  Every input is read from a guarded
 * buffer, so a read past its length crashes the test.
 */
#include "sasl.h"
#include "testutil.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

static const struct {
	const char *in;
	long want;		/* decoded length, or -1 */
	const char *out;	/* decoded bytes when want > 0 */
} b64[] = {
	{ "", 0, "" },
	{ "YQ==", 1, "a" },
	{ "YWI=", 2, "ab" },
	{ "YWJj", 3, "abc" },
	{ "AGhhcm5lc3MAaGFybmVzcy1zZWNyZXQ=", 23, "\0harness\0harness-secret" },
	{ "+/+/", 3, "\xfb\xff\xbf" },
	/* RFC 4954 4: the pad only at the end, nothing outside the alphabet */
	{ "=AAA", -1, NULL },
	{ "AAA=BBBB", -1, NULL },
	{ "AA=A", -1, NULL },
	{ "====", -1, NULL },
	{ "A===", -1, NULL },
	{ "YWJ", -1, NULL },		/* not a multiple of 4 */
	{ "YW Jj", -1, NULL },
	{ "YWJj\r\n", -1, NULL },
	{ "YW!j", -1, NULL },
	{ "YWJ-", -1, NULL },		/* base64url is not base64 */
	{ "*", -1, NULL },
	/* non-zero bits beside the padding do not encode anything */
	{ "YR==", -1, NULL },
	{ "YWJ=", -1, NULL },
};

static void
test_b64_decode(void)
{
	unsigned char out[64];
	struct tu_guard g;
	size_t i;

	for (i = 0; i < sizeof(b64) / sizeof(b64[0]); i++) {
		size_t n = strlen(b64[i].in);
		const char *p = tu_guarded(&g, b64[i].in, n);
		long r = sasl_b64_decode(p, n, out, sizeof(out));

		if (r != b64[i].want)
			fprintf(stderr, "\n  b64 \"%s\": %ld, wanted %ld\n",
			    b64[i].in, r, b64[i].want);
		CU_ASSERT(r == b64[i].want);
		if (r > 0 && r == b64[i].want)
			CU_ASSERT(memcmp(out, b64[i].out, (size_t)r) == 0);
		tu_unguard(&g);
	}
	/* No room: refused, nothing written past the capacity. */
	CU_ASSERT(sasl_b64_decode("YWJj", 4, out, 2) == -1);
}

static void
test_b64_roundtrip(void)
{
	unsigned char in[40], back[40];
	char enc[64];
	size_t n;
	long e, d;

	for (n = 0; n < sizeof(in); n++) {
		in[n] = (unsigned char)(n * 37 + 11);
		e = sasl_b64_encode(in, n, enc, sizeof(enc));
		CU_ASSERT_FATAL(e >= 0 && (size_t)e == (n + 2) / 3 * 4);
		CU_ASSERT(enc[e] == '\0');
		d = sasl_b64_decode(enc, (size_t)e, back, sizeof(back));
		CU_ASSERT(d == (long)n && memcmp(in, back, n) == 0);
	}
	CU_ASSERT(sasl_b64_encode(in, 3, enc, 4) == -1);	/* no room for NUL */
	CU_ASSERT(sasl_b64_encode(in, 3, enc, 5) == 4);
}

static const struct {
	const char *msg;
	size_t len;
	int any_pass;	/* good_pass NULL */
	int want;
} plain[] = {
#define P(s, a, w)	{ s, sizeof(s) - 1, a, w }
	P("\0harness\0harness-secret", 0, 1),
	P("harness\0harness\0harness-secret", 0, 1),
	P("other\0harness\0harness-secret", 0, 0),	/* acting for another */
	P("\0harness\0harness-secreT", 0, 0),
	P("\0harness\0harness-secret\0", 0, 0),
	P("\0Harness\0harness-secret", 0, 0),
	P("\0harness\0", 0, 0),
	P("\0harness", 0, 0),
	P("harness-secret", 0, 0),
	P("", 0, 0),
	P("\0harness\0wrong", 1, 1),
	P("\0nobody\0wrong", 1, 0),
#undef P
};

static void
test_plain(void)
{
	struct tu_guard g;
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		const unsigned char *p = (const unsigned char *)tu_guarded(&g,
		    plain[i].msg, plain[i].len);

		CU_ASSERT(sasl_plain_ok(p, plain[i].len, "harness",
		    plain[i].any_pass ? NULL : "harness-secret") == plain[i].want);
		tu_unguard(&g);
	}
	CU_ASSERT(sasl_creds_ok("harness", 7, "harness-secret", 14, "harness",
	    "harness-secret"));
	CU_ASSERT(!sasl_creds_ok("harness", 7, "harness-secre", 13, "harness",
	    "harness-secret"));
	CU_ASSERT(!sasl_creds_ok("harnes", 6, "harness-secret", 14, "harness",
	    "harness-secret"));
}

/* RFC 2195 2: "user" SP 32 lower-case hex digits of HMAC-MD5. */
static void
test_cram(void)
{
	static const char chal[] = "<1896.697170952@postoffice.example.net>";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mlen = 0, i;
	char resp[80];
	size_t k;

	HMAC(EVP_md5(), "harness-secret", 14, (const unsigned char *)chal,
	    sizeof(chal) - 1, mac, &mlen);
	k = (size_t)snprintf(resp, sizeof(resp), "harness ");
	for (i = 0; i < mlen; i++)
		k += (size_t)snprintf(resp + k, sizeof(resp) - k, "%02x", mac[i]);
	CU_ASSERT(sasl_cram_ok((unsigned char *)resp, k, chal, sizeof(chal) - 1,
	    "harness", "harness-secret"));
	CU_ASSERT(!sasl_cram_ok((unsigned char *)resp, k, chal, sizeof(chal) - 2,
	    "harness", "harness-secret"));
	CU_ASSERT(!sasl_cram_ok((unsigned char *)resp, k - 1, chal,
	    sizeof(chal) - 1, "harness", "harness-secret"));
	resp[k - 1] = resp[k - 1] == '0' ? '1' : '0';
	CU_ASSERT(!sasl_cram_ok((unsigned char *)resp, k, chal, sizeof(chal) - 1,
	    "harness", "harness-secret"));
	CU_ASSERT(sasl_cram_ok((unsigned char *)resp, k, chal, sizeof(chal) - 1,
	    "harness", NULL));
	/* Upper-case hex is not what RFC 2195 sends. */
	for (i = 8; i < k; i++)
		if (resp[i] >= 'a' && resp[i] <= 'f')
			resp[i] = (char)(resp[i] - 'a' + 'A');
	CU_ASSERT(!sasl_cram_ok((unsigned char *)resp, k, chal, sizeof(chal) - 1,
	    "harness", "harness-secret") || strspn(resp + 8, "0123456789") == 32);
	CU_ASSERT(!sasl_cram_ok((const unsigned char *)"nobody 0123", 11, chal,
	    sizeof(chal) - 1, "harness", "harness-secret"));
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("sasl", NULL, NULL);
	CU_add_test(s, "base64 decode", test_b64_decode);
	CU_add_test(s, "base64 round trip", test_b64_roundtrip);
	CU_add_test(s, "plain", test_plain);
	CU_add_test(s, "cram-md5", test_cram);
	return tu_run();
}
