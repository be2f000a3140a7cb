/*
 * sasl.c - strict base64 and the PLAIN, LOGIN and CRAM-MD5 checks of the
 * reference server (RFC 4954, RFC 4616, RFC 2195).
 */
#include "sasl.h"

#include <limits.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

static int
b64_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
sasl_b64_decode(const char *s, size_t len, unsigned char *out, size_t outcap)
{
	size_t i, o = 0, pad = 0;

	/* RFC 4954 4: any character outside the alphabet, or '=' anywhere
	 * but at the end ("=AAA", "AAA=BBB"), is an error, not skipped. */
	if (len % 4 != 0)
		return -1;
	while (pad < 2 && pad < len && s[len - 1 - pad] == '=')
		pad++;
	for (i = 0; i < len; i += 4) {
		int v[4];
		size_t k, n = 3;

		for (k = 0; k < 4; k++) {
			if (i + k >= len - pad) {
				v[k] = 0;
				continue;
			}
			if ((v[k] = b64_val((unsigned char)s[i + k])) < 0)
				return -1;
		}
		if (i + 4 == len)
			n -= pad;
		/* A lone base64 character before "==" cannot be. */
		if (i + 4 == len && pad == 2 && (v[1] & 0x0f) != 0)
			return -1;
		if (i + 4 == len && pad == 1 && (v[2] & 0x03) != 0)
			return -1;
		if (o + n > outcap)
			return -1;
		out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (n > 1)
			out[o++] = (unsigned char)((v[1] & 0x0f) << 4 | v[2] >> 2);
		if (n > 2)
			out[o++] = (unsigned char)((v[2] & 0x03) << 6 | v[3]);
	}
	return (long)o;
}

long
sasl_b64_encode(const unsigned char *in, size_t len, char *out, size_t outcap)
{
	/* OpenSSL's encoder: padded, no line breaks, NUL-terminated. */
	if ((len + 2) / 3 * 4 + 1 > outcap || len > INT_MAX / 2)
		return -1;
	return (long)EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

int
sasl_creds_ok(const char *user, size_t ulen, const char *pass, size_t plen,
    const char *good_user, const char *good_pass)
{
	if (ulen != strlen(good_user) || memcmp(user, good_user, ulen) != 0)
		return 0;
	return good_pass == NULL ||
	    (plen == strlen(good_pass) && memcmp(pass, good_pass, plen) == 0);
}

int
sasl_plain_ok(const unsigned char *msg, size_t len, const char *good_user,
    const char *good_pass)
{
	const unsigned char *n1, *n2;
	size_t zlen, ulen;

	if ((n1 = memchr(msg, '\0', len)) == NULL)
		return 0;
	zlen = (size_t)(n1 - msg);
	if ((n2 = memchr(n1 + 1, '\0', len - zlen - 1)) == NULL)
		return 0;
	ulen = (size_t)(n2 - n1 - 1);
	/* Acting for another identity is not offered. */
	if (zlen > 0 && (zlen != ulen || memcmp(msg, n1 + 1, ulen) != 0))
		return 0;
	return sasl_creds_ok((const char *)n1 + 1, ulen, (const char *)n2 + 1,
	    len - zlen - ulen - 2, good_user, good_pass);
}

int
sasl_cram_ok(const unsigned char *resp, size_t len, const char *chal,
    size_t clen, const char *good_user, const char *good_pass)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mlen = 0, i;
	size_t ulen = strlen(good_user);

	if (len != ulen + 1 + 32 || memcmp(resp, good_user, ulen) != 0 ||
	    resp[ulen] != ' ')
		return 0;
	if (good_pass == NULL)
		return 1;
	if (HMAC(EVP_md5(), good_pass, (int)strlen(good_pass),
	    (const unsigned char *)chal, clen, mac, &mlen) == NULL || mlen != 16)
		return 0;
	for (i = 0; i < 16; i++)
		if (resp[ulen + 1 + 2 * i] != hex[mac[i] >> 4] ||
		    resp[ulen + 2 + 2 * i] != hex[mac[i] & 15])
			return 0;
	return 1;
}
