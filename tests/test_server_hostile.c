/* test_server_hostile.c - the reference server's hostile faults misbehave
 * exactly as described, and within their bounds. */
#include "server.h"
#include "server_faults.h"
#include "server_hostile.h"
#include "loop.h"
#include "util.h"
#include "testutil.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>

struct peer {
	struct loop *loop;
	struct srv *srv;
	int fd;          /* our end */
	char *got;       /* everything received */
	size_t len;
	int eof, reset;
};

static void
peer_open(struct peer *p, const char *fault, int tcp)
{
	char err[256];
	memset(p, 0, sizeof(*p));
	p->loop = loop_new();
	p->srv = srv_new(p->loop, fault, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->srv);
	if (tcp) {
		int port = srv_listen(p->srv, "127.0.0.1", "0", err, sizeof(err));
		CU_ASSERT_FATAL(port > 0);
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		p->fd = socket(AF_INET, SOCK_STREAM, 0);
		CU_ASSERT_FATAL(connect(p->fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	} else {
		int sv[2];
		CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
		CU_ASSERT_FATAL(srv_attach(p->srv, sv[1], sv[1], err, sizeof(err)) == 0);
		p->fd = sv[0];
	}
	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
}

/* Run the loop and read for ms, or until EOF/reset, or until want bytes. */
static void
peer_pump(struct peer *p, int ms, size_t want)
{
	int64_t end = util_now_ms() + ms;
	char chunk[65536];
	while (!p->eof && !p->reset && p->len < want && util_now_ms() < end) {
		loop_run_once(p->loop, 5);
		for (;;) {
			ssize_t r = read(p->fd, chunk, sizeof(chunk));
			if (r > 0) {
				/* Keep the first MiB; count the rest. */
				if (p->len < (1u << 20)) {
					size_t keep = (size_t)r;
					if (p->len + keep > (1u << 20))
						keep = (1u << 20) - p->len;
					p->got = xrealloc(p->got, p->len + keep + 1);
					memcpy(p->got + p->len, chunk, keep);
				}
				p->len += (size_t)r;
				continue;
			}
			if (r == 0)
				p->eof = 1;
			else if (errno == ECONNRESET)
				p->reset = 1;
			break;
		}
	}
}

static void
peer_send(struct peer *p, const char *s)
{
	CU_ASSERT_EQUAL(write(p->fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void
peer_close(struct peer *p)
{
	close(p->fd);
	/* The server notices the close and lets go of the connection. */
	for (int i = 0; i < 200 && srv_active_sessions(p->srv) > 0; i++)
		loop_run_once(p->loop, 5);
	CU_ASSERT_EQUAL(srv_active_sessions(p->srv), 0);
	srv_free(p->srv);
	loop_free(p->loop);
	free(p->got);
}

#define GREETING "220 " SRV_HOSTNAME " ESMTP smtp-harness reference server\r\n"

static void
test_close_on_connect(void)
{
	struct peer p;
	peer_open(&p, "close-on-connect", 0);
	peer_pump(&p, 2000, 1);
	CU_ASSERT(p.eof);
	CU_ASSERT_EQUAL(p.len, 0);
	peer_close(&p);
}

static void
test_reset_after_greeting(void)
{
	struct peer p;
	peer_open(&p, "reset-after-greeting", 1);
	peer_pump(&p, 2000, (size_t)-1);
	/* A RST, not an orderly close; the greeting may be lost with it. */
	CU_ASSERT(p.reset);
	CU_ASSERT(!p.eof);
	CU_ASSERT(p.len == 0 || (p.len <= strlen(GREETING) && memcmp(p.got, GREETING, p.len) == 0));
	peer_close(&p);
}

static void
test_slow_greeting(void)
{
	struct peer p;
	peer_open(&p, "slow-greeting", 0);
	peer_pump(&p, 1500, (size_t)-1);
	/* One byte at once, one a second after. */
	CU_ASSERT(p.len >= 1 && p.len <= 3);
	CU_ASSERT(p.len && memcmp(p.got, GREETING, p.len) == 0);
	CU_ASSERT(!p.eof);
	peer_close(&p);
}

static void
test_binary_reply(void)
{
	struct peer p;
	peer_open(&p, "binary-reply", 0);
	peer_pump(&p, 2000, strlen(GREETING));
	CU_ASSERT(p.len == strlen(GREETING) && memcmp(p.got, GREETING, p.len) == 0);
	peer_send(&p, "NOOP\r\n");
	peer_pump(&p, 2000, strlen(GREETING) + 36);
	CU_ASSERT_EQUAL_FATAL(p.len, strlen(GREETING) + 36);
	const char *r = p.got + strlen(GREETING);
	CU_ASSERT(memcmp(r, "250 2.0.0 \0\xff\xfe\x1b[2J", 16) == 0);
	CU_ASSERT(memcmp(r + 27, "\x1b[31mOk\r\n", 9) == 0);
	peer_close(&p);
}

/* Streams: what each sends, and that the budget bounds it. */
static void
test_streams(void)
{
	struct peer p;

	peer_open(&p, "endless-line", 0);
	peer_send(&p, "EHLO client.example\r\n");
	peer_pump(&p, 20000, (size_t)-1);
	CU_ASSERT(p.eof);
	CU_ASSERT_EQUAL(p.len, strlen(GREETING) + 4 + HOSTILE_MAX_BYTES);
	CU_ASSERT(memcmp(p.got + strlen(GREETING), "250 AAAA", 8) == 0);
	CU_ASSERT(memchr(p.got + strlen(GREETING), '\n', (1u << 20) - strlen(GREETING)) == NULL);
	peer_close(&p);

	peer_open(&p, "endless-multiline", 0);
	peer_send(&p, "EHLO client.example\r\n");
	peer_pump(&p, 5000, 1u << 20);
	CU_ASSERT(p.len >= (1u << 20));
	CU_ASSERT(!p.eof);
	/* Every line is a continuation line: the reply never ends. */
	size_t lines = 0;
	for (const char *q = p.got + strlen(GREETING); q + 4 < p.got + (1u << 20); q++) {
		if (q[-1] != '\n')
			continue;
		CU_ASSERT(memcmp(q, "250-", 4) == 0);
		lines++;
	}
	CU_ASSERT(lines > 10000);
	peer_close(&p);

	peer_open(&p, "random-bytes", 0);
	peer_pump(&p, 5000, 1u << 20);
	CU_ASSERT(p.len >= (1u << 20));
	CU_ASSERT(memcmp(p.got, "220", 3) != 0 || memcmp(p.got + 3, " " SRV_HOSTNAME, 5) != 0);
	peer_close(&p);
}

/* The hostile module recognises exactly its own faults. */
static void
test_fault_ids(void)
{
	static const char *const mine[] = { "slow-greeting", "endless-line", "binary-reply",
		"reset-after-greeting", "endless-multiline", "random-bytes", "close-on-connect" };
	size_t n = 0;
	for (size_t i = 0; i < srv_fault_count(); i++)
		n += hostile_is_fault((enum srv_fault)i);
	CU_ASSERT_EQUAL(n, sizeof(mine) / sizeof(mine[0]));
	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++) {
		int id = srv_fault_lookup(mine[i], strlen(mine[i]));
		CU_ASSERT(id >= 0 && hostile_is_fault((enum srv_fault)id));
	}
	CU_ASSERT(!hostile_is_fault(SRV_F_SILENT));
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite s = CU_add_suite("server_hostile", NULL, NULL);
	CU_add_test(s, "fault ids", test_fault_ids);
	CU_add_test(s, "close-on-connect", test_close_on_connect);
	CU_add_test(s, "reset-after-greeting", test_reset_after_greeting);
	CU_add_test(s, "slow-greeting", test_slow_greeting);
	CU_add_test(s, "binary-reply", test_binary_reply);
	CU_add_test(s, "endless-line, endless-multiline, random-bytes", test_streams);
	return tu_run();
}
