/* server_hostile.c - byte-level hostile server behaviour (server_hostile.h). */
#include "server_hostile.h"

#include "server.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

#define HOSTILE_GREETING "220 " SRV_HOSTNAME " ESMTP smtp-harness reference server\r\n"
#define HOSTILE_CHUNK 65536
#define HOSTILE_SLOW_MS 1000

struct hconn {
	struct hostile *h;
	struct hconn *prev, *next;
	int in_fd, out_fd;
	int sock;            /* out_fd is a socket: send(MSG_NOSIGNAL) */
	struct buf out;      /* waiting to be written */
	size_t sent;         /* bytes written so far */
	size_t slow_pos;     /* slow-greeting: bytes of the greeting sent */
	int streaming;       /* endless-line, endless-multiline, random-bytes */
	int closing;         /* close once out is written */
	uint32_t rng;        /* random-bytes: xorshift state */
	int64_t until;       /* HOSTILE_MAX_MS after the connect */
	uint64_t timer;
};

struct hostile {
	struct loop *loop;
	enum srv_fault fault;
	struct hconn *conns;
	size_t n;
};

static const enum srv_fault hostile_faults[] = {
	SRV_F_SLOW_GREETING, SRV_F_ENDLESS_LINE, SRV_F_BINARY_REPLY,
	SRV_F_RESET_AFTER_GREETING, SRV_F_ENDLESS_MULTILINE, SRV_F_RANDOM_BYTES,
	SRV_F_CLOSE_ON_CONNECT,
};

int
hostile_is_fault(enum srv_fault id)
{
	for (size_t i = 0; i < sizeof(hostile_faults) / sizeof(hostile_faults[0]); i++)
		if (hostile_faults[i] == id)
			return 1;
	return 0;
}

struct hostile *
hostile_new(struct loop *loop, enum srv_fault fault)
{
	struct hostile *h = xcalloc(1, sizeof(*h));
	h->loop = loop;
	h->fault = fault;
	return h;
}

static void
hc_free(struct hconn *c, int reset)
{
	struct hostile *h = c->h;
	loop_timer_cancel(h->loop, c->timer);
	loop_unwatch(h->loop, c->in_fd);
	if (c->out_fd != c->in_fd)
		loop_unwatch(h->loop, c->out_fd);
	if (reset && c->sock) {
		/* SO_LINGER with a zero timeout: close() sends a RST. */
		struct linger lg = { 1, 0 };
		setsockopt(c->out_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(c->in_fd);
	if (c->out_fd != c->in_fd)
		close(c->out_fd);
	buf_free(&c->out);
	if (c->prev)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	h->n--;
	free(c);
}

/* Refill out for the streaming faults; 0 once the byte budget is spent. */
static int
hc_refill(struct hconn *c)
{
	if (c->sent + c->out.len >= HOSTILE_MAX_BYTES)
		return 0;
	char chunk[HOSTILE_CHUNK];
	size_t n = 0;
	switch (c->h->fault) {
	case SRV_F_ENDLESS_LINE:
		memset(chunk, 'A', sizeof(chunk));
		n = sizeof(chunk);
		break;
	case SRV_F_ENDLESS_MULTILINE: {
		static const char line[] = "250-and another line of this reply, which never ends\r\n";
		while (n + sizeof(line) <= sizeof(chunk)) {
			memcpy(chunk + n, line, sizeof(line) - 1);
			n += sizeof(line) - 1;
		}
		break;
	}
	case SRV_F_RANDOM_BYTES:
		for (; n < sizeof(chunk); n++) {
			c->rng ^= c->rng << 13;
			c->rng ^= c->rng >> 17;
			c->rng ^= c->rng << 5;
			chunk[n] = (char)(c->rng >> 24);
		}
		break;
	default:
		return 0;
	}
	buf_append(&c->out, chunk, n);
	return 1;
}

static void hc_update(struct hconn *c);

/* Write what is waiting; returns -1 if the connection is gone. */
static int
hc_write(struct hconn *c)
{
	while (c->out.len > 0 || (c->streaming && hc_refill(c))) {
		ssize_t w = c->sock ? send(c->out_fd, c->out.data, c->out.len, MSG_NOSIGNAL) :
		    write(c->out_fd, c->out.data, c->out.len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (w <= 0)
			return -1;
		c->sent += (size_t)w;
		buf_consume(&c->out, (size_t)w);
	}
	if (c->streaming) /* the budget is spent */
		c->closing = 1;
	return 0;
}

/* A command line arrived: what each fault answers. */
static void
hc_command(struct hconn *c)
{
	switch (c->h->fault) {
	case SRV_F_ENDLESS_LINE:
		buf_puts(&c->out, "250 ");
		c->streaming = 1;
		break;
	case SRV_F_ENDLESS_MULTILINE:
		c->streaming = 1;
		break;
	case SRV_F_BINARY_REPLY: {
		static const char bin[] = "250 2.0.0 \0\xff\xfe\x1b[2J\x1b]0;owned\x07\x1b[31mOk\r\n";
		buf_append(&c->out, bin, sizeof(bin) - 1);
		break;
	}
	default:
		break;
	}
}

static void
hc_read(struct hconn *c)
{
	char in[4096];
	for (;;) {
		ssize_t r = read(c->in_fd, in, sizeof(in));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) { /* the client is gone: so are we */
			c->closing = 1;
			buf_reset(&c->out);
			c->streaming = 0;
			return;
		}
		for (ssize_t i = 0; i < r; i++)
			if (in[i] == '\n' && !c->streaming)
				hc_command(c);
	}
}

static void
hc_io(struct loop *loop, int fd, int revents, void *arg)
{
	struct hconn *c = arg;
	(void)loop;
	if (fd == c->in_fd && (revents & (POLLIN | POLLHUP | POLLERR)))
		hc_read(c);
	if (!c->closing || c->out.len)
		if (hc_write(c) < 0) {
			hc_free(c, 0);
			return;
		}
	if (c->closing && c->out.len == 0) {
		hc_free(c, 0);
		return;
	}
	hc_update(c);
}

static void
hc_update(struct hconn *c)
{
	short want_out = c->out.len || c->streaming ? POLLOUT : 0;
	if (c->in_fd == c->out_fd)
		loop_set_events(c->h->loop, c->in_fd, POLLIN | want_out);
	else {
		loop_set_events(c->h->loop, c->in_fd, POLLIN);
		loop_set_events(c->h->loop, c->out_fd, want_out);
	}
}

static void
hc_tick(struct loop *loop, void *arg)
{
	struct hconn *c = arg;
	c->timer = 0;
	if (util_now_ms() >= c->until) {
		hc_free(c, 0);
		return;
	}
	if (c->h->fault == SRV_F_SLOW_GREETING) {
		static const char g[] = HOSTILE_GREETING;
		if (c->slow_pos < sizeof(g) - 1)
			buf_append(&c->out, &g[c->slow_pos++], 1);
		if (hc_write(c) < 0) {
			hc_free(c, 0);
			return;
		}
		hc_update(c);
		c->timer = loop_timer(loop, util_now_ms() + HOSTILE_SLOW_MS, hc_tick, c);
		return;
	}
	/* Every other fault: the time budget is spent. */
	hc_free(c, 0);
}

void
hostile_attach(struct hostile *h, int in_fd, int out_fd)
{
	struct stat st;
	struct hconn *c = xcalloc(1, sizeof(*c));
	c->h = h;
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->sock = fstat(out_fd, &st) == 0 && S_ISSOCK(st.st_mode);
	c->rng = 2463534242u ^ (uint32_t)util_now_ms();
	c->until = util_now_ms() + HOSTILE_MAX_MS;
	buf_init(&c->out);
	c->next = h->conns;
	if (c->next)
		c->next->prev = c;
	h->conns = c;
	h->n++;
	switch (h->fault) {
	case SRV_F_CLOSE_ON_CONNECT:
		hc_free(c, 0);
		return;
	case SRV_F_RESET_AFTER_GREETING:
		buf_puts(&c->out, HOSTILE_GREETING);
		hc_write(c);
		hc_free(c, 1);
		return;
	case SRV_F_RANDOM_BYTES:
		c->streaming = 1;
		break;
	case SRV_F_SLOW_GREETING:
		break;
	default:
		buf_puts(&c->out, HOSTILE_GREETING);
		break;
	}
	loop_watch(h->loop, in_fd, POLLIN, hc_io, c);
	if (out_fd != in_fd)
		loop_watch(h->loop, out_fd, 0, hc_io, c);
	c->timer = loop_timer(h->loop, util_now_ms() +
	    (h->fault == SRV_F_SLOW_GREETING ? 0 : HOSTILE_MAX_MS), hc_tick, c);
	hc_update(c);
}

size_t
hostile_active(const struct hostile *h)
{
	return h ? h->n : 0;
}

void
hostile_free(struct hostile *h)
{
	if (!h)
		return;
	while (h->conns)
		hc_free(h->conns, 0);
	free(h);
}
