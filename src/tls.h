/*
 * tls.h - the OpenSSL 3 glue shared by the engine (client) and the
 * reference server: contexts, and connections that never touch a socket.
 *
 * A tls_conn works on memory: the caller reads wire bytes from its
 * descriptor and feeds them in (tls_feed), and writes out what tls_drain()
 * hands back.  So the event loops keep their own non-blocking I/O, bytes
 * already read before the handshake (the leftovers after a 220) go to the
 * right place, and the same code serves TCP, socketpairs and pipes.
 *
 * Ownership: tls_ctx_free() and tls_conn_free() release everything; a conn
 * keeps a reference to its ctx, so the ctx may be freed first.
 */
#ifndef SMTPH_TLS_H
#define SMTPH_TLS_H

#include <stddef.h>

#include "buf.h"

struct tls_ctx;
struct tls_conn;

/* Client settings (the engine's --tls-* options). */
struct tls_opts {
	int verify;              /* check the chain and the name; fail the handshake otherwise */
	const char *ca_file;     /* trust anchors; NULL: the system's default store */
	const char *servername;  /* SNI and the name verified; NULL: the target's host */
	int min_version;         /* TLS1_x_VERSION from tls_version_parse(); 0: library default */
	int max_version;
	const char *cert_file;   /* client certificate (PEM chain), with key_file */
	const char *key_file;
	int no_store;            /* no trust store at all (ignored with verify or ca_file): for a
	                          * caller that never reads the verification result, so a
	                          * handshake makes no CA look-ups (OpenSSL 3 reads the
	                          * system's certificate folder for each one) */
	unsigned resume;         /* resume the newest session the server gave (RFC 8446 2.2,
	                          * RFC 5077): a handshake without the certificate, for a
	                          * caller making many connections to one server (the fuzzer);
	                          * N > 1: every N-th connection a full handshake still */
};

/* "1.0", "1.1", "1.2", "1.3" (or "TLSv1.2" ...) to OpenSSL's version
 * number; 0 for anything else. */
int tls_version_parse(const char *s);

/* The other way: "1.0" ... "1.3" for a number tls_version_parse() gives;
 * NULL for any other (0 included). */
const char *tls_version_name(int version);

/* A client context for o.  NULL with errbuf filled (unreadable CA file,
 * certificate or key, key not matching the certificate, min > max). */
struct tls_ctx *tls_client_ctx_new(const struct tls_opts *o, char *errbuf, size_t errlen);

/* A server context with a fresh EC P-256 key and a self-signed certificate
 * for host (CN and subjectAltName), made in memory: nothing is read from or
 * written to disk.  NULL with errbuf filled. */
struct tls_ctx *tls_server_ctx_new(const char *host, char *errbuf, size_t errlen);

void tls_ctx_free(struct tls_ctx *c);

/* A connection in the client (server == 0) or server role.  host: the name
 * for SNI and verification of a client (o->servername wins; an IP literal
 * gets no SNI), ignored for servers.  Never NULL (aborts on no memory). */
struct tls_conn *tls_conn_new(struct tls_ctx *c, int server, const char *host);
void tls_conn_free(struct tls_conn *t);

/* Wire bytes received from the peer. */
void tls_feed(struct tls_conn *t, const void *data, size_t len);

/* Append the wire bytes waiting to be sent to out; returns how many. */
size_t tls_drain(struct tls_conn *t, struct buf *out);

/* Send close_notify (RFC 8446 6.1): its record is appended to out. */
void tls_close_notify(struct tls_conn *t, struct buf *out);

enum tls_hs { TLS_HS_DONE, TLS_HS_MORE, TLS_HS_FAILED };

/* Move the handshake on with what was fed.  TLS_HS_MORE: feed more (after
 * tls_drain()); TLS_HS_FAILED: errbuf says why, e.g. "certificate verify
 * failed: self-signed certificate" or "wrong version number". */
enum tls_hs tls_handshake(struct tls_conn *t, char *errbuf, size_t errlen);

/* After the handshake: append every plaintext byte available to out.
 * Returns 0 (possibly nothing new), 1 the peer sent close_notify, or -1
 * with errbuf (a broken record, an alert). */
int tls_recv(struct tls_conn *t, struct buf *out, char *errbuf, size_t errlen);

/* After the handshake: encrypt data[0..len) and append the records to out.
 * Returns 0, or -1 if the connection is unusable. */
int tls_send(struct tls_conn *t, const void *data, size_t len, struct buf *out);

/* What the peer presented and what was negotiated (after the handshake). */
struct tls_info {
	char protocol[16];      /* "TLSv1.3" */
	char cipher[64];        /* "TLS_AES_256_GCM_SHA384" */
	int has_cert;           /* the peer sent a certificate */
	char subject[256];      /* RFC 2253 form, "CN=mx.harness.test,O=..." */
	char issuer[256];
	char not_before[32];    /* "2026-11-26T01:39:38Z" */
	char not_after[32];
	char sha256[65];        /* the certificate's SHA-256 fingerprint, hex */
	int verified;           /* the chain and name checked out */
	char verify[128];       /* "ok" or OpenSSL's reason, e.g. "self-signed certificate" */
	int resumed;            /* an earlier session resumed (tls_opts.resume): the
	                         * certificate fields are those of the first handshake */
};

void tls_conn_info(const struct tls_conn *t, struct tls_info *out);

/* After the handshake: 1 if it resumed an earlier session (tls_info's
 * resumed, without the rest of its work). */
int tls_conn_resumed(const struct tls_conn *t);

#endif
