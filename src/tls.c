/* tls.c - OpenSSL 3 contexts and memory-BIO connections (see tls.h). */
#include "tls.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util.h"

#define CERT_DAYS 30L      /* the reference server's certificate */
#define READ_CHUNK 16384

struct tls_ctx {
	SSL_CTX *ssl;
	int verify;
	char *servername;
	SSL_SESSION *resume;   /* the newest session the server gave (tls_opts.resume) */
	unsigned long resume_gen; /* changes with resume */
	unsigned full_every;   /* tls_opts.resume */
	unsigned long conns;   /* client connections made */
};

struct tls_conn {
	SSL *ssl;
	BIO *rb, *wb;          /* owned by ssl */
	int server;
	int verify;
	unsigned long offered; /* 1 + the resume_gen of the session it offered (0: none) */
};

static const struct {
	const char *name;
	int v;
} tls_versions[] = {
	{ "1.0", TLS1_VERSION }, { "1.1", TLS1_1_VERSION },
	{ "1.2", TLS1_2_VERSION }, { "1.3", TLS1_3_VERSION },
};

int
tls_version_parse(const char *s)
{
	if (!s)
		return 0;
	if (strncasecmp(s, "TLSv", 4) == 0)
		s += 4;
	for (size_t i = 0; i < sizeof(tls_versions) / sizeof(tls_versions[0]); i++)
		if (strcmp(s, tls_versions[i].name) == 0)
			return tls_versions[i].v;
	return 0;
}

const char *
tls_version_name(int version)
{
	for (size_t i = 0; i < sizeof(tls_versions) / sizeof(tls_versions[0]); i++)
		if (tls_versions[i].v == version)
			return tls_versions[i].name;
	return NULL;
}

/* The reason of the last OpenSSL error, without the "error:0A00010B:..."
 * decoration; what a person can act on. */
static void
last_error(char *errbuf, size_t errlen, const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	if (r)
		snprintf(errbuf, errlen, "%s", r);
	else if (e) {
		char tmp[256];
		ERR_error_string_n(e, tmp, sizeof(tmp));
		snprintf(errbuf, errlen, "%s", tmp);
	} else
		snprintf(errbuf, errlen, "%s", fallback);
	ERR_clear_error();
}

static void
set_resume(struct tls_ctx *t, SSL_SESSION *s)
{
	SSL_SESSION_free(t->resume);
	t->resume = s;
	t->resume_gen++;
}

/* A session (ticket) arrived: keep the newest for the connections that
 * follow (those made meanwhile offer the same one: a server whose tickets
 * serve once gives them full handshakes).  A copy: the connection's own
 * is made unresumable when it is freed without close_notify, as the
 * fuzzer's connections often are. */
static int
on_new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct tls_ctx *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	SSL_SESSION *copy = t ? SSL_SESSION_dup(sess) : NULL;
	if (copy)
		set_resume(t, copy);
	return 0; /* OpenSSL keeps its reference */
}

struct tls_ctx *
tls_client_ctx_new(const struct tls_opts *o, char *errbuf, size_t errlen)
{
	ERR_clear_error();
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());
	if (!c) {
		last_error(errbuf, errlen, "cannot create a TLS context");
		return NULL;
	}
	/* Verification off still checks, so the report can say what failed. */
	SSL_CTX_set_verify(c, o->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	if (o->ca_file) {
		if (SSL_CTX_load_verify_locations(c, o->ca_file, NULL) != 1) {
			char why[160];
			last_error(why, sizeof(why), "unreadable");
			snprintf(errbuf, errlen, "CA file %s: %s", o->ca_file, why);
			goto fail;
		}
	} else if (o->verify || !o->no_store)
		SSL_CTX_set_default_verify_paths(c);
	if (o->min_version && o->max_version && o->min_version > o->max_version) {
		snprintf(errbuf, errlen, "the minimum TLS version is above the maximum");
		goto fail;
	}
	/* A harness must be able to talk to old servers when asked: TLS 1.0
	 * and 1.1 need security level 0 with OpenSSL 3. */
	if (o->min_version && o->min_version < TLS1_2_VERSION)
		SSL_CTX_set_security_level(c, 0);
	if ((o->min_version && SSL_CTX_set_min_proto_version(c, o->min_version) != 1) ||
	    (o->max_version && SSL_CTX_set_max_proto_version(c, o->max_version) != 1)) {
		last_error(errbuf, errlen, "unsupported protocol version");
		goto fail;
	}
	if (!o->cert_file != !o->key_file) {
		snprintf(errbuf, errlen, "a client certificate and its key go together");
		goto fail;
	}
	if (o->cert_file) {
		char why[160];
		if (SSL_CTX_use_certificate_chain_file(c, o->cert_file) != 1) {
			last_error(why, sizeof(why), "unreadable");
			snprintf(errbuf, errlen, "client certificate %s: %s", o->cert_file, why);
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(c, o->key_file, SSL_FILETYPE_PEM) != 1) {
			last_error(why, sizeof(why), "unreadable");
			snprintf(errbuf, errlen, "client key %s: %s", o->key_file, why);
			goto fail;
		}
		if (SSL_CTX_check_private_key(c) != 1) {
			snprintf(errbuf, errlen, "client key %s does not match the certificate %s", o->key_file, o->cert_file);
			ERR_clear_error();
			goto fail;
		}
	}
	struct tls_ctx *t = xcalloc(1, sizeof(*t));
	t->ssl = c;
	t->verify = o->verify;
	t->servername = o->servername ? xstrdup(o->servername) : NULL;
	t->full_every = o->resume;
	if (o->resume) {
		SSL_CTX_set_app_data(c, t);
		SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
		SSL_CTX_sess_set_new_cb(c, on_new_session);
	}
	return t;
fail:
	SSL_CTX_free(c);
	return NULL;
}

/* A self-signed certificate for host, signed with pk. */
static X509 *
make_cert(EVP_PKEY *pk, const char *host)
{
	X509 *x = X509_new();
	BIGNUM *bn = BN_new();
	char san[300];
	int ok = x && bn;
	ok = ok && X509_set_version(x, X509_VERSION_3);
	/* A random serial: two runs must not present the same certificate. */
	ok = ok && BN_rand(bn, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
	    X509_gmtime_adj(X509_getm_notAfter(x), CERT_DAYS * 86400);
	ok = ok && X509_set_pubkey(x, pk);
	X509_NAME *n = ok ? X509_get_subject_name(x) : NULL;
	ok = ok && X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
	    (const unsigned char *)"smtp-harness reference server", -1, -1, 0);
	ok = ok && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)host, -1, -1, 0);
	ok = ok && X509_set_issuer_name(x, n);
	if (ok) {
		X509V3_CTX v3;
		X509V3_set_ctx_nodb(&v3);
		X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
		snprintf(san, sizeof(san), "DNS:%s", host);
		X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
		ok = ext && X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	ok = ok && X509_sign(x, pk, EVP_sha256()) > 0;
	BN_free(bn);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

struct tls_ctx *
tls_server_ctx_new(const char *host, char *errbuf, size_t errlen)
{
	ERR_clear_error();
	/* P-256: made in a millisecond, so every server start gets its own. */
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	X509 *x = pk ? make_cert(pk, host) : NULL;
	SSL_CTX *c = x ? SSL_CTX_new(TLS_server_method()) : NULL;
	if (!c || SSL_CTX_use_certificate(c, x) != 1 || SSL_CTX_use_PrivateKey(c, pk) != 1) {
		last_error(errbuf, errlen, "cannot make the server's key and certificate");
		SSL_CTX_free(c);
		X509_free(x);
		EVP_PKEY_free(pk);
		return NULL;
	}
	X509_free(x);
	EVP_PKEY_free(pk);
	/* One TLS 1.3 ticket a handshake (OpenSSL's default is two), so a
	 * client may resume (the fuzzer does: tls_opts.resume).  Its record
	 * comes after the handshake and is no plaintext: tls_recv() takes it
	 * in silently. */
	SSL_CTX_set_num_tickets(c, 1);
	struct tls_ctx *t = xcalloc(1, sizeof(*t));
	t->ssl = c;
	return t;
}

void
tls_ctx_free(struct tls_ctx *c)
{
	if (!c)
		return;
	/* A connection may outlive its ctx: its tickets go nowhere now. */
	SSL_CTX_set_app_data(c->ssl, NULL);
	set_resume(c, NULL);
	SSL_CTX_free(c->ssl);
	free(c->servername);
	free(c);
}

static int
is_ip_literal(const char *h)
{
	unsigned char tmp[16];
	return inet_pton(AF_INET, h, tmp) == 1 || inet_pton(AF_INET6, h, tmp) == 1;
}

struct tls_conn *
tls_conn_new(struct tls_ctx *c, int server, const char *host)
{
	struct tls_conn *t = xcalloc(1, sizeof(*t));
	t->ssl = SSL_new(c->ssl);
	t->rb = BIO_new(BIO_s_mem());
	t->wb = BIO_new(BIO_s_mem());
	if (!t->ssl || !t->rb || !t->wb) {
		fprintf(stderr, "smtp-harness: out of memory (TLS)\n");
		abort();
	}
	/* An empty read BIO means "more to come", not end of file. */
	BIO_set_mem_eof_return(t->rb, -1);
	SSL_set_bio(t->ssl, t->rb, t->wb);
	t->server = server;
	t->verify = c->verify;
	if (server) {
		SSL_set_accept_state(t->ssl);
		return t;
	}
	SSL_set_connect_state(t->ssl);
	c->conns++;
	if (c->resume && (c->full_every < 2 || c->conns % c->full_every != 0)) {
		/* Its own copy, for the reason in on_new_session(): a resumed
		 * TLS 1.2 handshake gives OpenSSL's client no new session, so
		 * one session serves many connections. */
		SSL_SESSION *copy = SSL_SESSION_dup(c->resume);
		if (copy) {
			SSL_set_session(t->ssl, copy);
			SSL_SESSION_free(copy);
			t->offered = 1 + c->resume_gen;
		}
	}
	const char *name = c->servername ? c->servername : host;
	if (name && *name) {
		/* RFC 6066 3: no SNI for address literals. */
		if (!is_ip_literal(name))
			SSL_set_tlsext_host_name(t->ssl, name);
		/* Checked even without --tls-verify: the report shows it. */
		if (is_ip_literal(name))
			X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), name);
		else
			SSL_set1_host(t->ssl, name);
	}
	return t;
}

/* The handshake of a connection that offered a session ended (ok): a
 * session the server did not resume, or whose offer failed the handshake,
 * is offered no more, unless a newer one replaced it meanwhile (a server
 * restarted, an exec: target's new process with new ticket keys, a server
 * that refuses the offer). */
static void
offer_over(struct tls_conn *t, int ok)
{
	struct tls_ctx *c = t->offered ? SSL_CTX_get_app_data(SSL_get_SSL_CTX(t->ssl)) : NULL;
	if (c && t->offered == 1 + c->resume_gen && (!ok || SSL_session_reused(t->ssl) != 1))
		set_resume(c, NULL);
	t->offered = 0;
}

void
tls_conn_free(struct tls_conn *t)
{
	if (!t)
		return;
	/* A handshake that never ended (a close, a timeout): its offer too
	 * may be what the server could not take. */
	offer_over(t, 0);
	SSL_free(t->ssl);
	free(t);
}

void
tls_feed(struct tls_conn *t, const void *data, size_t len)
{
	while (len > 0) {
		int n = len > (size_t)1 << 30 ? 1 << 30 : (int)len;
		int w = BIO_write(t->rb, data, n);
		if (w <= 0)
			return;
		data = (const char *)data + w;
		len -= (size_t)w;
	}
}

size_t
tls_drain(struct tls_conn *t, struct buf *out)
{
	char *p;
	long n = BIO_get_mem_data(t->wb, &p);
	if (n <= 0)
		return 0;
	buf_append(out, p, (size_t)n);
	(void)BIO_reset(t->wb);
	return (size_t)n;
}

/* Why the handshake or a record failed. */
static void
describe(struct tls_conn *t, int err, char *errbuf, size_t errlen)
{
	long vr = SSL_get_verify_result(t->ssl);
	unsigned long e = ERR_peek_last_error();
	if (!t->server && t->verify && vr != X509_V_OK && e &&
	    ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
		snprintf(errbuf, errlen, "certificate verify failed: %s", X509_verify_cert_error_string(vr));
		ERR_clear_error();
		return;
	}
	if (e) {
		last_error(errbuf, errlen, "TLS error");
		return;
	}
	if (err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL)
		snprintf(errbuf, errlen, "the peer ended the TLS session");
	else
		snprintf(errbuf, errlen, "TLS error %d", err);
}

enum tls_hs
tls_handshake(struct tls_conn *t, char *errbuf, size_t errlen)
{
	ERR_clear_error();
	int r = SSL_do_handshake(t->ssl);
	if (r == 1) {
		offer_over(t, 1);
		return TLS_HS_DONE;
	}
	int e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return TLS_HS_MORE;
	offer_over(t, 0);
	describe(t, e, errbuf, errlen);
	return TLS_HS_FAILED;
}

void
tls_close_notify(struct tls_conn *t, struct buf *out)
{
	ERR_clear_error();
	(void)SSL_shutdown(t->ssl);
	tls_drain(t, out);
}

int
tls_recv(struct tls_conn *t, struct buf *out, char *errbuf, size_t errlen)
{
	char tmp[READ_CHUNK];
	for (;;) {
		ERR_clear_error();
		int n = SSL_read(t->ssl, tmp, sizeof(tmp));
		if (n > 0) {
			buf_append(out, tmp, (size_t)n);
			continue;
		}
		int e = SSL_get_error(t->ssl, n);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			return 0;
		if (e == SSL_ERROR_ZERO_RETURN)
			return 1;
		describe(t, e, errbuf, errlen);
		return -1;
	}
}

int
tls_send(struct tls_conn *t, const void *data, size_t len, struct buf *out)
{
	while (len > 0) {
		int n = len > (size_t)1 << 30 ? 1 << 30 : (int)len;
		ERR_clear_error();
		int w = SSL_write(t->ssl, data, n);
		if (w <= 0) {
			ERR_clear_error();
			return -1;
		}
		data = (const char *)data + w;
		len -= (size_t)w;
	}
	tls_drain(t, out);
	return 0;
}

static void
name_str(const X509_NAME *n, char *dst, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	dst[0] = '\0';
	if (!b)
		return;
	X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253);
	char *p;
	long len = BIO_get_mem_data(b, &p);
	if (len > 0)
		snprintf(dst, cap, "%.*s", (int)len, p);
	BIO_free(b);
}

static void
time_str(const ASN1_TIME *at, char *dst, size_t cap)
{
	struct tm tm;
	dst[0] = '\0';
	if (at && ASN1_TIME_to_tm(at, &tm) == 1)
		strftime(dst, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
tls_conn_resumed(const struct tls_conn *t)
{
	return SSL_session_reused(t->ssl) == 1;
}

void
tls_conn_info(const struct tls_conn *t, struct tls_info *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->protocol, sizeof(out->protocol), "%s", SSL_get_version(t->ssl));
	const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);
	snprintf(out->cipher, sizeof(out->cipher), "%s", c ? SSL_CIPHER_get_name(c) : "none");
	out->resumed = tls_conn_resumed(t);
	X509 *x = SSL_get0_peer_certificate(t->ssl);
	long vr = SSL_get_verify_result(t->ssl);
	if (x) {
		out->has_cert = 1;
		name_str(X509_get_subject_name(x), out->subject, sizeof(out->subject));
		name_str(X509_get_issuer_name(x), out->issuer, sizeof(out->issuer));
		time_str(X509_get0_notBefore(x), out->not_before, sizeof(out->not_before));
		time_str(X509_get0_notAfter(x), out->not_after, sizeof(out->not_after));
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1)
			for (unsigned int k = 0; k < mdlen && k < 32; k++)
				snprintf(out->sha256 + 2 * k, 3, "%02x", md[k]);
		out->verified = vr == X509_V_OK;
		snprintf(out->verify, sizeof(out->verify), "%s",
		    vr == X509_V_OK ? "ok" : X509_verify_cert_error_string(vr));
	} else
		snprintf(out->verify, sizeof(out->verify), "no certificate");
}
