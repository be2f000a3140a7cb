/*
 * test_tls.c - the OpenSSL glue: version names, context errors, and a
 * client and a server connection driven entirely in memory (whole flights
 * and one byte at a time), with what each side learns about the other.
 */
#include "tls.h"
#include "testutil.h"

#include <openssl/ssl.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define HOST "mx.harness.test"

static void
test_versions(void)
{
	static const struct { const char *s; int v; } cases[] = {
		{ "1.0", TLS1_VERSION }, { "1.1", TLS1_1_VERSION }, { "1.2", TLS1_2_VERSION },
		{ "1.3", TLS1_3_VERSION }, { "TLSv1.2", TLS1_2_VERSION }, { "tlsv1.3", TLS1_3_VERSION },
		{ "", 0 }, { "1", 0 }, { "1.4", 0 }, { "1.2 ", 0 }, { "SSLv3", 0 }, { NULL, 0 },
	};
	for (size_t i = 0; i < NELEM(cases); i++)
		CU_ASSERT_EQUAL(tls_version_parse(cases[i].s), cases[i].v);
}

static void
test_ctx_errors(void)
{
	static const struct {
		struct tls_opts o;
		const char *why;  /* part of the reason */
	} cases[] = {
		{ { .ca_file = "/nonexistent/ca.pem" }, "CA file /nonexistent/ca.pem" },
		{ { .ca_file = "Makefile" }, "CA file Makefile" },
		{ { .cert_file = "Makefile" }, "go together" },
		{ { .key_file = "Makefile" }, "go together" },
		{ { .cert_file = "/nonexistent/c.pem", .key_file = "/nonexistent/k.pem" }, "client certificate" },
		{ { .min_version = TLS1_3_VERSION, .max_version = TLS1_2_VERSION }, "above" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char err[256] = "";
		struct tls_ctx *c = tls_client_ctx_new(&cases[i].o, err, sizeof(err));
		CU_ASSERT_PTR_NULL(c);
		if (!strstr(err, cases[i].why))
			fprintf(stderr, "\n    case %zu: \"%s\" lacks \"%s\"\n", i, err, cases[i].why);
		CU_ASSERT(strstr(err, cases[i].why) != NULL);
		tls_ctx_free(c);
	}
	char err[256];
	struct tls_opts ok = { .min_version = TLS1_2_VERSION, .max_version = TLS1_3_VERSION };
	struct tls_ctx *c = tls_client_ctx_new(&ok, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(c);
	tls_ctx_free(c);
}

/* Carry wire bytes between the two ends until neither moves; bytewise
 * feeds the peer one byte at a time.  Returns the client's final status. */
static enum tls_hs
handshake(struct tls_conn *cl, struct tls_conn *sv, int bytewise, char *err, size_t errlen)
{
	enum tls_hs hc = TLS_HS_MORE, hsv = TLS_HS_MORE;
	char serr[256];
	for (int round = 0; round < 50; round++) {
		struct buf w;
		buf_init(&w);
		if (hc == TLS_HS_MORE)
			hc = tls_handshake(cl, err, errlen);
		tls_drain(cl, &w);
		for (size_t i = 0; i < w.len; i += bytewise ? 1 : w.len) {
			tls_feed(sv, w.data + i, bytewise ? 1 : w.len);
			if (hsv == TLS_HS_MORE)
				hsv = tls_handshake(sv, serr, sizeof(serr));
		}
		buf_reset(&w);
		if (hsv == TLS_HS_MORE)
			hsv = tls_handshake(sv, serr, sizeof(serr));
		tls_drain(sv, &w);
		for (size_t i = 0; i < w.len; i += bytewise ? 1 : w.len) {
			tls_feed(cl, w.data + i, bytewise ? 1 : w.len);
			if (hc == TLS_HS_MORE)
				hc = tls_handshake(cl, err, errlen);
		}
		buf_free(&w);
		if ((hc == TLS_HS_DONE && hsv == TLS_HS_DONE) || hc == TLS_HS_FAILED || hsv == TLS_HS_FAILED)
			break;
	}
	return hc == TLS_HS_DONE && hsv != TLS_HS_DONE ? TLS_HS_MORE : hc;
}

static void
test_roundtrip(void)
{
	static const struct {
		struct tls_opts o;
		int bytewise;
		const char *protocol;
	} cases[] = {
		{ { 0 }, 0, "TLSv1.3" },
		{ { 0 }, 1, "TLSv1.3" },
		{ { .max_version = TLS1_2_VERSION }, 0, "TLSv1.2" },
		{ { .max_version = TLS1_2_VERSION }, 1, "TLSv1.2" },
		{ { .servername = "other.example" }, 0, "TLSv1.3" },
	};
	char err[256];
	struct tls_ctx *sctx = tls_server_ctx_new(HOST, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sctx);
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct tls_ctx *cctx = tls_client_ctx_new(&cases[i].o, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(cctx);
		struct tls_conn *cl = tls_conn_new(cctx, 0, HOST), *sv = tls_conn_new(sctx, 1, NULL);
		tls_ctx_free(cctx); /* the connection keeps what it needs */
		err[0] = '\0';
		CU_ASSERT_EQUAL(handshake(cl, sv, cases[i].bytewise, err, sizeof(err)), TLS_HS_DONE);
		struct tls_info in;
		tls_conn_info(cl, &in);
		CU_ASSERT_STRING_EQUAL(in.protocol, cases[i].protocol);
		CU_ASSERT(in.cipher[0] != '\0' && strcmp(in.cipher, "none") != 0);
		CU_ASSERT(in.has_cert);
		CU_ASSERT(strstr(in.subject, "CN=" HOST) != NULL);
		CU_ASSERT_STRING_EQUAL(in.subject, in.issuer); /* self-signed */
		CU_ASSERT_EQUAL(strlen(in.not_before), 20);
		CU_ASSERT(strcmp(in.not_before, in.not_after) < 0);
		CU_ASSERT_FALSE(in.verified);
		CU_ASSERT(in.verify[0] && strcmp(in.verify, "ok") != 0);
		tls_conn_info(sv, &in);
		CU_ASSERT_FALSE(in.has_cert);
		CU_ASSERT_STRING_EQUAL(in.verify, "no certificate");

		/* Plaintext both ways, whole and byte by byte. */
		struct buf w, got;
		buf_init(&w);
		buf_init(&got);
		CU_ASSERT_EQUAL(tls_send(cl, "EHLO a\r\n", 8, &w), 0);
		for (size_t k = 0; k < w.len; k += cases[i].bytewise ? 1 : w.len) {
			tls_feed(sv, w.data + k, cases[i].bytewise ? 1 : w.len - k);
			CU_ASSERT_EQUAL(tls_recv(sv, &got, err, sizeof(err)), 0);
		}
		CU_ASSERT(got.len == 8 && memcmp(got.data, "EHLO a\r\n", 8) == 0);
		buf_reset(&w);
		buf_reset(&got);
		CU_ASSERT_EQUAL(tls_send(sv, "250 ok\r\n", 8, &w), 0);
		tls_feed(cl, w.data, w.len);
		CU_ASSERT_EQUAL(tls_recv(cl, &got, err, sizeof(err)), 0);
		CU_ASSERT(got.len == 8 && memcmp(got.data, "250 ok\r\n", 8) == 0);
		/* Nothing more to read is not an error. */
		CU_ASSERT_EQUAL(tls_recv(cl, &got, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(got.len, 8);
		buf_free(&w);
		buf_free(&got);
		tls_conn_free(cl);
		tls_conn_free(sv);
	}
	tls_ctx_free(sctx);
}

static void
test_failures(void)
{
	char err[256], serr[256];
	struct tls_ctx *sctx = tls_server_ctx_new(HOST, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sctx);

	/* --tls-verify against the self-signed certificate. */
	struct tls_opts vo = { .verify = 1 };
	struct tls_ctx *cctx = tls_client_ctx_new(&vo, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cctx);
	struct tls_conn *cl = tls_conn_new(cctx, 0, HOST), *sv = tls_conn_new(sctx, 1, NULL);
	err[0] = '\0';
	CU_ASSERT_EQUAL(handshake(cl, sv, 0, err, sizeof(err)), TLS_HS_FAILED);
	CU_ASSERT(strstr(err, "certificate verify failed") != NULL);
	CU_ASSERT(strstr(err, "self-signed") != NULL);
	tls_conn_free(cl);
	tls_conn_free(sv);
	tls_ctx_free(cctx);

	/* Plaintext where the server's first flight belongs. */
	struct tls_opts no = { 0 };
	cctx = tls_client_ctx_new(&no, err, sizeof(err));
	cl = tls_conn_new(cctx, 0, "127.0.0.1");
	struct buf w;
	buf_init(&w);
	CU_ASSERT_EQUAL(tls_handshake(cl, err, sizeof(err)), TLS_HS_MORE);
	CU_ASSERT(tls_drain(cl, &w) > 0);
	CU_ASSERT_EQUAL(w.data[0], 0x16); /* a handshake record: the ClientHello */
	tls_feed(cl, "*** this is not TLS ***\r\n", 25);
	CU_ASSERT_EQUAL(tls_handshake(cl, err, sizeof(err)), TLS_HS_FAILED);
	CU_ASSERT(err[0] != '\0');
	tls_conn_free(cl);

	/* A server fed garbage fails too (and says why). */
	sv = tls_conn_new(sctx, 1, NULL);
	tls_feed(sv, "EHLO x\r\n", 8);
	CU_ASSERT_EQUAL(tls_handshake(sv, serr, sizeof(serr)), TLS_HS_FAILED);
	CU_ASSERT(serr[0] != '\0');
	tls_conn_free(sv);

	/* A truncated first flight: the client waits for more, never fails
	 * on its own (the engine's deadline and EOF decide). */
	cl = tls_conn_new(cctx, 0, HOST);
	sv = tls_conn_new(sctx, 1, NULL);
	buf_reset(&w);
	tls_handshake(cl, err, sizeof(err));
	tls_drain(cl, &w);
	tls_feed(sv, w.data, w.len);
	CU_ASSERT_EQUAL(tls_handshake(sv, serr, sizeof(serr)), TLS_HS_MORE);
	buf_reset(&w);
	tls_drain(sv, &w);
	CU_ASSERT(w.len > 10);
	tls_feed(cl, w.data, w.len / 2);
	CU_ASSERT_EQUAL(tls_handshake(cl, err, sizeof(err)), TLS_HS_MORE);
	buf_free(&w);
	tls_conn_free(cl);
	tls_conn_free(sv);
	tls_ctx_free(cctx);
	tls_ctx_free(sctx);
}

/* Every server start makes its own key: two contexts, two certificates. */
static void
test_fresh_keys(void)
{
	char err[256];
	char subj[2][256];
	struct tls_opts no = { 0 };
	struct tls_ctx *cctx = tls_client_ctx_new(&no, err, sizeof(err));
	char fp[2][65];
	for (int k = 0; k < 2; k++) {
		struct tls_ctx *sctx = tls_server_ctx_new(HOST, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(sctx);
		struct tls_conn *cl = tls_conn_new(cctx, 0, HOST), *sv = tls_conn_new(sctx, 1, NULL);
		CU_ASSERT_EQUAL(handshake(cl, sv, 0, err, sizeof(err)), TLS_HS_DONE);
		struct tls_info in;
		tls_conn_info(cl, &in);
		snprintf(subj[k], sizeof(subj[k]), "%s", in.subject);
		CU_ASSERT_EQUAL(strlen(in.sha256), 64);
		snprintf(fp[k], sizeof(fp[k]), "%s", in.sha256);
		tls_conn_free(cl);
		tls_conn_free(sv);
		tls_ctx_free(sctx);
	}
	CU_ASSERT_STRING_EQUAL(subj[0], subj[1]);
	CU_ASSERT(strcmp(fp[0], fp[1]) != 0);
	tls_ctx_free(cctx);
}

/* After the handshake: a reply from the server, read by the client (a
 * TLS 1.3 ticket, left by the handshake, arrives with it). */
static void
reply_read(struct tls_conn *cl, struct tls_conn *sv)
{
	char err[256];
	struct buf w, got;
	buf_init(&w);
	buf_init(&got);
	tls_drain(sv, &w);
	CU_ASSERT_EQUAL(tls_send(sv, "250 ok\r\n", 8, &w), 0);
	tls_feed(cl, w.data, w.len);
	CU_ASSERT_EQUAL(tls_recv(cl, &got, err, sizeof(err)), 0);
	CU_ASSERT(got.len == 8 && memcmp(got.data, "250 ok\r\n", 8) == 0);
	buf_free(&w);
	buf_free(&got);
}

/* One connection of cctx to sctx: the handshake, then reply_read(). */
static int
session_once(struct tls_ctx *cctx, struct tls_ctx *sctx, int *has_cert)
{
	char err[256];
	struct tls_conn *cl = tls_conn_new(cctx, 0, HOST), *sv = tls_conn_new(sctx, 1, NULL);
	CU_ASSERT_EQUAL(handshake(cl, sv, 0, err, sizeof(err)), TLS_HS_DONE);
	reply_read(cl, sv);
	struct tls_info in;
	tls_conn_info(cl, &in);
	*has_cert = in.has_cert;
	tls_conn_free(cl);
	tls_conn_free(sv);
	return in.resumed;
}

/* tls_opts.resume: the second and later connections resume the newest
 * session, in TLS 1.3 and 1.2; without it every handshake is full. */
static void
test_resume(void)
{
	char err[256];
	struct tls_ctx *sctx = tls_server_ctx_new(HOST, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sctx);
	static const int maxv[] = { 0, TLS1_2_VERSION };
	for (size_t v = 0; v < NELEM(maxv); v++)
		for (int resume = 0; resume <= 1; resume++) {
			struct tls_opts o = { .max_version = maxv[v], .resume = resume };
			struct tls_ctx *cctx = tls_client_ctx_new(&o, err, sizeof(err));
			CU_ASSERT_PTR_NOT_NULL_FATAL(cctx);
			int cert = 0;
			CU_ASSERT_EQUAL(session_once(cctx, sctx, &cert), 0);
			CU_ASSERT(cert);
			for (int k = 0; k < 3; k++) {
				cert = 0;
				CU_ASSERT_EQUAL(session_once(cctx, sctx, &cert), resume);
				CU_ASSERT(cert); /* kept from the first handshake */
			}
			tls_ctx_free(cctx);
		}
	/* resume = 3: the third, sixth ... connection makes a full handshake. */
	struct tls_opts o3 = { .resume = 3 };
	struct tls_ctx *c3 = tls_client_ctx_new(&o3, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c3);
	static const int want3[] = { 0, 1, 0, 1, 1, 0, 1 };
	for (size_t k = 0; k < NELEM(want3); k++) {
		int cert = 0;
		CU_ASSERT_EQUAL(session_once(c3, sctx, &cert), want3[k]);
	}
	tls_ctx_free(c3);
	/* A session the server does not resume (another server, or one that
	 * restarted: other ticket keys) is offered no more: after s1's ticket
	 * was refused by s2, s1 itself gets a full handshake (no ticket of
	 * s2's was read). */
	struct tls_ctx *s2 = tls_server_ctx_new(HOST, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	struct tls_opts on = { .resume = 1 };
	struct tls_ctx *cr = tls_client_ctx_new(&on, err, sizeof(err));
	int cert;
	CU_ASSERT_EQUAL(session_once(cr, sctx, &cert), 0);
	CU_ASSERT_EQUAL(session_once(cr, sctx, &cert), 1);
	struct tls_conn *c2 = tls_conn_new(cr, 0, HOST), *v2 = tls_conn_new(s2, 1, NULL);
	CU_ASSERT_EQUAL(handshake(c2, v2, 0, err, sizeof(err)), TLS_HS_DONE);
	struct tls_info i2;
	tls_conn_info(c2, &i2);
	CU_ASSERT_FALSE(i2.resumed);
	tls_conn_free(c2);
	tls_conn_free(v2);
	CU_ASSERT_EQUAL(session_once(cr, sctx, &cert), 0);
	CU_ASSERT_EQUAL(session_once(cr, sctx, &cert), 1);
	tls_ctx_free(cr);
	tls_ctx_free(s2);
	/* A ticket for a connection whose ctx is gone goes nowhere. */
	struct tls_opts o = { .resume = 1 };
	struct tls_ctx *cctx = tls_client_ctx_new(&o, err, sizeof(err));
	struct tls_conn *cl = tls_conn_new(cctx, 0, HOST), *sv = tls_conn_new(sctx, 1, NULL);
	tls_ctx_free(cctx);
	CU_ASSERT_EQUAL(handshake(cl, sv, 0, err, sizeof(err)), TLS_HS_DONE);
	reply_read(cl, sv);
	tls_conn_free(cl);
	tls_conn_free(sv);
	tls_ctx_free(sctx);
}

int
main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite s = CU_add_suite("tls", NULL, NULL);
	CU_add_test(s, "version names", test_versions);
	CU_add_test(s, "client context errors", test_ctx_errors);
	CU_add_test(s, "handshake and records in memory", test_roundtrip);
	CU_add_test(s, "handshake failures", test_failures);
	CU_add_test(s, "a fresh key per server", test_fresh_keys);
	CU_add_test(s, "session resumption", test_resume);
	return tu_run();
}
