/*
 * bench_reply.c - throughput of reply_parse() against a plain memchr() scan
 * for '\n' over the same buffer, in the same run, so the ratio holds across
 * machines.
 *
 * usage: bench_reply [MiB] [rounds]     (default 64 MiB, best of 5)
 *
 * The buffer is a realistic server stream: mostly single-line replies of a
 * mail transaction (with enhanced codes), and every few replies a multi-line
 * EHLO reply.  Both timings take the best of the rounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reply.h"

static const char *const replies[] = {
	"220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n",
	"250-mx.example.org\r\n"
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
	"250 2.1.0 Ok\r\n",
	"250 2.1.5 Ok\r\n",
	"550 5.1.1 <nobody@example.org>: Recipient address rejected: "
	"User unknown in local recipient table\r\n",
	"354 End data with <CR><LF>.<CR><LF>\r\n",
	"250 2.0.0 Ok: queued as 4VXyZ21kL9z9sWn\r\n",
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
	"250 2.0.0 Ok\r\n",
	"451 4.3.0 Error: queue file write error\r\n",
	"221 2.0.0 Bye\r\n",
};

#define NREPLIES (sizeof(replies) / sizeof(replies[0]))

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	size_t mib = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 64;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	size_t cap, len = 0, i, n_replies = 0, n_lf = 0, k;
	struct reply_line lines[64];
	struct reply r;
	struct reply_error e;
	double best_parse = 1e30, best_scan = 1e30, t;
	char *buf;

	if (mib == 0 || rounds <= 0) {
		fprintf(stderr, "usage: bench_reply [MiB] [rounds]\n");
		return 2;
	}
	cap = mib << 20;
	if ((buf = malloc(cap)) == NULL) {
		perror("malloc");
		return 1;
	}
	for (i = 0;; i++) {
		const char *s = replies[(i * 7) % NREPLIES];
		size_t sl = strlen(s);
		if (len + sl > cap)
			break;
		memcpy(buf + len, s, sl);
		len += sl;
	}

	for (int round = 0; round < rounds; round++) {
		size_t off = 0, cnt = 0;
		double t0 = now();
		while (off < len) {
			ssize_t n;
			r.lines = lines;
			r.lines_cap = 64;
			n = reply_parse(buf + off, len - off, NULL, &r, &e);
			if (n <= 0) {
				fprintf(stderr, "bench_reply: parse failed at %zu: %s\n",
				    off + (n == REPLY_VIOLATION ? e.offset : 0),
				    n == REPLY_VIOLATION ?
				    reply_violation_str(e.kind) : "incomplete");
				return 1;
			}
			off += (size_t)n;
			cnt++;
		}
		t = now() - t0;
		if (t < best_parse)
			best_parse = t;
		n_replies = cnt;

		t0 = now();
		const char *p = buf, *end = buf + len;
		for (k = 0; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; k++)
			p++;
		t = now() - t0;
		if (t < best_scan)
			best_scan = t;
		n_lf = k;
	}

	printf("buffer: %.1f MiB, %zu replies, %zu lines, best of %d rounds\n",
	    (double)len / (1 << 20), n_replies, n_lf, rounds);
	printf("reply_parse: %.1f MB/s   memchr scan: %.1f MB/s   "
	    "ratio: %.2f (parser/memchr, same run)\n",
	    (double)len / best_parse / 1e6, (double)len / best_scan / 1e6,
	    best_scan / best_parse);
	free(buf);
	return 0;
}
