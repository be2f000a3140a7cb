/*
 * sasl.h - the server side of the SASL pieces the reference server offers
 * with AUTH (RFC 4954): strict base64 (RFC 4648 4, as RFC 4954 4 demands),
 * and the PLAIN (RFC 4616), LOGIN and CRAM-MD5 (RFC 2195) checks.
 *
 * Nothing here allocates; inputs are a pointer and a length and nothing is
 * read past the length.
 */
#ifndef SMTPH_SASL_H
#define SMTPH_SASL_H

#include <stddef.h>

/* Decode base64 s[0..len) into out (room for outcap octets).  Strict, as
 * RFC 4954 4 requires: only the 64 characters and '=' padding at the very
 * end, length a multiple of 4, at most two '='.  An empty input decodes to
 * nothing.  Returns the decoded length, or -1 (bad base64 or no room). */
long sasl_b64_decode(const char *s, size_t len, unsigned char *out, size_t outcap);

/* Encode in[0..len) as base64 into out (room for outcap bytes, NUL added).
 * Returns the length written (without the NUL), or -1 if it does not fit. */
long sasl_b64_encode(const unsigned char *in, size_t len, char *out, size_t outcap);

/* 1 if user[0..ulen) and pass[0..plen) are the credentials given (C
 * strings), compared in full (NULs included).  In this and the functions
 * below, good_pass NULL means any password (a fault of the server). */
int sasl_creds_ok(const char *user, size_t ulen, const char *pass, size_t plen,
    const char *good_user, const char *good_pass);

/* A decoded PLAIN message "[authzid] NUL authcid NUL passwd" (RFC 4616 2):
 * 1 if it is well formed, authzid is empty or equals authcid, and the
 * credentials are the good ones; 0 otherwise. */
int sasl_plain_ok(const unsigned char *msg, size_t len, const char *good_user,
    const char *good_pass);

/* A decoded CRAM-MD5 response "user SP 32*lower-hex" (RFC 2195 2) to the
 * challenge chal[0..clen): 1 if the user is good_user and the digest is
 * HMAC-MD5(good_pass, challenge); 0 otherwise. */
int sasl_cram_ok(const unsigned char *resp, size_t len, const char *chal, size_t clen,
    const char *good_user, const char *good_pass);

#endif
