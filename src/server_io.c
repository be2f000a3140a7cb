/*
 * server_io.c - the reference server's wire side: listeners and attached
 * descriptors, reading into each session's bounded input buffer, writing
 * its replies when the peer can take them, STARTTLS and implicit TLS (wire
 * bytes read go through the session's tls_conn before reaching s->in), and
 * cutting the input into command lines handled strictly in order.
 */
#include "server_int.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tls.h"
#include "util.h"

void
srv_close_listeners(struct srv *srv)
{
	size_t i;

	for (i = 0; i < srv->nlfd; i++) {
		loop_unwatch(srv->loop, srv->lfd[i]);
		close(srv->lfd[i]);
	}
	free(srv->lfd);
	srv->lfd = NULL;
	srv->nlfd = 0;
}

static void
accept_all(struct srv *srv, int fd, int tls)
{
	int c;

	for (;;) {
		c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c >= 0) {
			srv_sess_new(srv, c, c, tls, NULL);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		/* EAGAIN: all taken; EMFILE and the like: next round. */
		return;
	}
}

static void
srv_accept(struct loop *loop, int fd, int revents, void *arg)
{
	(void)loop;
	(void)revents;
	accept_all(arg, fd, 0);
}

static void
srv_accept_tls(struct loop *loop, int fd, int revents, void *arg)
{
	(void)loop;
	(void)revents;
	accept_all(arg, fd, 1);
}

static int
listen_on(struct srv *srv, const char *host, const char *port, int tls,
    char *errbuf, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	int rc, fd, one = 1, bound = -1, err = 0;
	const char *what = "socket";

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rc = getaddrinfo(host && *host ? host : NULL, port, &hints,
	    &res)) != 0) {
		snprintf(errbuf, errlen, "%s:%s: %s", host ? host : "", port,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1) {
			err = errno;
			what = "socket";
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		/* Let "::" and "0.0.0.0" share one port. */
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			    sizeof(one));
		/* Every address of host gets the port the first one got. */
		if (bound != -1 && ai->ai_family == AF_INET)
			((struct sockaddr_in *)(void *)ai->ai_addr)->sin_port =
			    htons((uint16_t)bound);
		else if (bound != -1 && ai->ai_family == AF_INET6)
			((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_port =
			    htons((uint16_t)bound);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
		    listen(fd, SOMAXCONN) == -1) {
			err = errno;
			what = "bind";
			close(fd);
			continue;
		}
		if (bound == -1) {
			struct sockaddr_storage ss;
			socklen_t sl = sizeof(ss);

			if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1) {
				err = errno;
				what = "getsockname";
				close(fd);
				continue;
			}
			bound = ntohs(ss.ss_family == AF_INET6 ?
			    ((struct sockaddr_in6 *)&ss)->sin6_port :
			    ((struct sockaddr_in *)&ss)->sin_port);
		}
		srv->lfd = xrealloc(srv->lfd, (srv->nlfd + 1) *
		    sizeof(*srv->lfd));
		srv->lfd[srv->nlfd++] = fd;
		loop_watch(srv->loop, fd, POLLIN,
		    tls ? srv_accept_tls : srv_accept, srv);
	}
	freeaddrinfo(res);
	if (bound == -1) {
		snprintf(errbuf, errlen, "%s:%s: %s: %s", host ? host : "",
		    port, what, strerror(err ? err : EADDRNOTAVAIL));
		return -1;
	}
	return bound;
}

int
srv_listen(struct srv *srv, const char *host, const char *port,
    char *errbuf, size_t errlen)
{
	return listen_on(srv, host, port, 0, errbuf, errlen);
}

int
srv_listen_tls(struct srv *srv, const char *host, const char *port,
    char *errbuf, size_t errlen)
{
	if (!srv_tls_ctx(srv)) {
		snprintf(errbuf, errlen, "no TLS: the key and certificate "
		    "could not be made");
		return -1;
	}
	return listen_on(srv, host, port, 1, errbuf, errlen);
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

static int
attach(struct srv *srv, int in_fd, int out_fd, int tls, char *errbuf,
    size_t errlen)
{
	if (in_fd < 0 || out_fd < 0) {
		snprintf(errbuf, errlen, "attach: bad descriptor");
		return -1;
	}
	if (set_nonblock(in_fd) == -1 ||
	    (out_fd != in_fd && set_nonblock(out_fd) == -1)) {
		snprintf(errbuf, errlen, "attach: %s", strerror(errno));
		return -1;
	}
	srv_sess_new(srv, in_fd, out_fd, tls, NULL);
	return 0;
}

int
srv_attach(struct srv *srv, int in_fd, int out_fd, char *errbuf,
    size_t errlen)
{
	return attach(srv, in_fd, out_fd, 0, errbuf, errlen);
}

int
srv_attach_tls(struct srv *srv, int in_fd, int out_fd, char *errbuf,
    size_t errlen)
{
	if (!srv_tls_ctx(srv)) {
		snprintf(errbuf, errlen, "no TLS: the key and certificate "
		    "could not be made");
		return -1;
	}
	return attach(srv, in_fd, out_fd, 1, errbuf, errlen);
}

/* After the handshake, a fresh session (RFC 3207 4.2): the client's
 * EHLO and any transaction are forgotten. */
static void
srv_sess_tls_ready(struct srv_sess *s)
{
	s->tls_up = 1;
	if (!fault(s, SRV_F_TLS_KEEPS_STATE)) {
		/* An identity from AUTH in plaintext is knowledge from the
		 * client too. */
		s->helo = 0;
		s->ehlo = 0;
		s->authed = 0;
		s->sasl = SASL_NONE;
		s->tls_required = 0;
		srv_sess_enter(s, S_CONNECTED);
	}
	if (s->tls_hold.len > 0 &&
	    tls_send(s->tls, s->tls_hold.data, s->tls_hold.len, &s->out) != 0)
		s->broken = 1;
	buf_reset(&s->tls_hold);
}

/* Wire bytes of a TLS session: the handshake, then plaintext into s->in. */
static void
srv_sess_tls_input(struct srv_sess *s, const char *d, size_t n)
{
	static const char garbage[] = "*** this is not TLS ***\r\n";
	char err[256];
	size_t before = s->out.len;
	enum tls_hs hs;
	int rc;

	if (s->state == S_CLOSING)
		return;
	tls_feed(s->tls, d, n);
	if (!s->tls_up) {
		if (fault(s, SRV_F_TLS_HANDSHAKE_GARBAGE)) {
			buf_append(&s->out, garbage, sizeof(garbage) - 1);
			srv_sess_close(s);
			return;
		}
		hs = tls_handshake(s->tls, err, sizeof(err));
		tls_drain(s->tls, &s->out);
		if (fault(s, SRV_F_TLS_HANDSHAKE_DROP)) {
			/* Half of our first flight, then the close. */
			buf_truncate(&s->out, before + (s->out.len - before) / 2);
			srv_sess_close(s);
			return;
		}
		if (hs == TLS_HS_FAILED) {
			srv_sess_close(s);	/* the alert goes out first */
			return;
		}
		if (hs == TLS_HS_MORE)
			return;
		srv_sess_tls_ready(s);
	}
	rc = tls_recv(s->tls, &s->in, err, sizeof(err));
	tls_drain(s->tls, &s->out);
	if (rc == 1)
		s->eof = 1;
	else if (rc < 0)
		srv_sess_close(s);
}

/* Whether a command line may have the extended length (MAIL, RCPT). */
static int
long_verb(const char *d, size_t n)
{
	return n >= 5 && (util_ieq(d, 5, "MAIL ") || util_ieq(d, 5, "RCPT "));
}

/* Where the first line of d[0..n) ends: *eol at its line end, *end past
 * it; both stay 0 when no line is complete.  RFC 5321 2.3.8: only CRLF
 * ends a line (but for the bare-cr-commands and bare-lf-commands faults). */
static void
line_end(const struct srv_sess *s, const char *d, size_t n, size_t *eol,
    size_t *end)
{
	const char *lf;
	size_t off = 0;

	if (fault(s, SRV_F_BARE_CR_COMMANDS)) {
		const char *cr = memchr(d, '\r', n);

		lf = memchr(d, '\n', n);
		if (cr && cr + 1 < d + n && cr[1] != '\n' && (!lf || lf > cr)) {
			*eol = (size_t)(cr - d);
			*end = *eol + 1;
		}
	}
	while (*end == 0 && (lf = memchr(d + off, '\n', n - off)) != NULL) {
		size_t i = (size_t)(lf - d);
		if (i > 0 && d[i - 1] == '\r') {
			*eol = i - 1;
			*end = i + 1;
			break;
		}
		if (fault(s, SRV_F_BARE_LF_COMMANDS)) {
			*eol = i;
			*end = i + 1;
			break;
		}
		off = i + 1;
	}
}

/* Faults and limits that answer a complete line before its command is
 * read: the error limits, a bare CR/LF refused, the tired 421.  1 when the
 * line was answered (or the session closed). */
static int
line_preempted(struct srv_sess *s, const char *d, size_t eol)
{
	if (fault(s, SRV_M_ERROR_LIMIT_421) && s->nerr >= ERROR_LIMIT) {
		/* RFC 5321 7.8: enough errors; 3.8: 421 and close. */
		srv_sess_reply(s, "421 4.7.0 %s Error: too many errors",
		    SRV_HOSTNAME);
		srv_sess_close(s);
	} else if (fault(s, SRV_F_FLOOD_421_TALKS_ON) && s->nerr >= FLOOD_LIMIT &&
	    !s->flood_told) {
		/* The fault: a 421 that announces a close never made. */
		s->flood_told = 1;
		srv_sess_reply(s, "421 4.7.0 %s Error: too many errors", SRV_HOSTNAME);
		srv_sess_command(s, d, eol);
	} else if (fault(s, SRV_F_BARE_NEWLINE_REJECTED) && (memchr(d, '\n', eol) || memchr(d, '\r', eol))) {
		srv_sess_reply(s, "550 5.5.2 Error: bare <CR> or <LF> received");
		srv_sess_close(s);
	} else if ((fault(s, SRV_F_TIRED_421) || fault(s, SRV_F_421_NO_CLOSE)) &&
	    s->ncmd == TIRED_AFTER + 1) {
		srv_sess_reply(s, SHUTTING_DOWN);
		if (fault(s, SRV_F_TIRED_421))
			srv_sess_close(s);
	} else
		return 0;
	return 1;
}

/* Handle the first line of the input, if complete.  Returns 1 when a line
 * was used, 0 when more input is needed. */
static int
srv_sess_line(struct srv_sess *s)
{
	int longok = fault(s, SRV_M_LONG_LINES);
	size_t max = s->sasl != SASL_NONE ? SASL_LINE_MAX :
	    fault(s, SRV_F_SHORT_LINE_LIMIT) ? LINE_MAX_SHORT :
	    longok ? LONG_LINE_KEEP : LINE_MAX_EXT;
	const char *d = s->in.data;
	size_t n = s->in.len, eol = 0, end = 0;

	line_end(s, d, n, &eol, &end);
	if (end == 0) {
		if (n < max)
			return 0;
		/* long-lines: keep the line's start, drop the middle as it
		 * comes (keeping a CR that may start its CRLF), refuse only
		 * past LONG_LINE_BOUND. */
		if (s->sasl == SASL_NONE && fault(s, SRV_M_LONG_LINES) &&
		    !s->toolong) {
			size_t keep = LONG_LINE_KEEP / 2, cr = d[n - 1] == '\r';

			s->long_dropped += n - keep - cr;
			if (cr)
				s->in.data[keep] = '\r';
			buf_truncate(&s->in, keep + cr);
			if (s->long_dropped <= LONG_LINE_BOUND)
				return 0;
			s->long_dropped = 0;
		}
		/* The line cannot fit: drop it as it comes, keeping a CR
		 * that may start its CRLF. */
		if (fault(s, s->sasl != SASL_NONE ? SRV_F_AUTH_LONG_LINE_CLOSE :
		    SRV_F_LONG_LINE_CLOSE)) {
			srv_sess_close(s);
			return 0;
		}
		buf_consume(&s->in, n - (d[n - 1] == '\r'));
		s->toolong = 1;
		return 0;
	}
	s->ncmd++;
	s->long_dropped = 0;
	if (line_preempted(s, d, eol)) {
		/* answered (or closed) by a fault or a limit */
	} else if (s->sasl != SASL_NONE) {
		if (!s->toolong && end <= max)
			srv_sess_sasl_line(s, d, eol);
		else if (fault(s, SRV_F_AUTH_LONG_LINE_CLOSE))
			srv_sess_close(s);
		else if (longok) {
			/* long-lines: the line fits the buffer, and no
			 * credential is that long (RFC 4954 4: 535). */
			s->sasl = SASL_NONE;
			srv_sess_reply(s, "535 5.7.8 Error: authentication "
			    "failed");
		} else {
			/* RFC 4954 4: fail the AUTH with 500 (5.5.6). */
			s->sasl = SASL_NONE;
			srv_sess_reply(s, "500 5.5.6 Authentication Exchange line "
			    "is too long");
		}
	} else if (s->toolong || (end > max && !longok) ||
	    (end > LINE_MAX_SMTP && !long_verb(d, eol) && !longok)) {
		/* RFC 5321 4.5.3.1.4: 512 octets with the CRLF. */
		if (fault(s, SRV_F_LONG_LINE_CLOSE))
			srv_sess_close(s);
		else
			srv_sess_reply(s, "500 5.5.2 Error: line too long");
	} else
		srv_sess_command(s, d, eol);
	if (s->close_after) {
		s->close_after = 0;
		srv_sess_close(s);
	}
	buf_consume(&s->in, end);
	s->toolong = 0;
	return 1;
}

/* Handle buffered input in order while replies can still be queued.
 * RFC 2920 3.2: nothing already received is thrown away after an error. */
static void
srv_sess_process(struct srv_sess *s)
{
	while (s->in.len > 0 && s->out.len < OUT_HIGH && !s->broken) {
		if (s->state == S_CLOSING || fault(s, SRV_F_SILENT)) {
			buf_reset(&s->in);
			return;
		}
		if (s->tls && !s->tls_up) {
			/* RFC 3207 4.2, CVE-2011-0411: plaintext that came
			 * with STARTTLS is not a command. */
			if (!fault(s, SRV_F_TLS_INJECTION))
				buf_reset(&s->in);
			return;
		}
		if (s->chunk.active)
			buf_consume(&s->in, srv_chunk_feed(s, s->in.data, s->in.len));
		else if (s->state == S_BODY && s->txn.has_size &&
		    fault(s, SRV_F_SIZE_ENDS_DATA))
			buf_consume(&s->in, srv_body_feed_sized(s, s->in.data,
			    s->in.len));
		else if (s->state == S_BODY)
			buf_consume(&s->in, srv_body_feed(s, s->in.data, s->in.len));
		else if (!srv_sess_line(s))
			return;
		if (s->drop_input) {
			buf_reset(&s->in);
			s->toolong = 0;
		}
		s->drop_input = 0;
		/* error-limit-close: a 5yz at the end of data counts too. */
		if (s->close_after && s->state != S_CLOSING) {
			s->close_after = 0;
			srv_sess_close(s);
		}
	}
}

/* Like read(2) on the session's input: from its descriptor, or from the
 * in-memory wire (where an empty wire is EAGAIN until the client shuts). */
static ssize_t
srv_sess_recv(struct srv_sess *s, char *tmp, size_t room)
{
	struct srv_mem *m = s->mem;
	ssize_t r;

	if (m && m->wire.len > 0) {
		r = (ssize_t)(m->wire.len < room ? m->wire.len : room);
		memcpy(tmp, m->wire.data, (size_t)r);
		buf_consume(&m->wire, (size_t)r);
		return r;
	}
	if (m && m->srclen > 0) {
		r = (ssize_t)(m->srclen < room ? m->srclen : room);
		memcpy(tmp, m->src, (size_t)r);
		m->src += r;
		m->srclen -= (size_t)r;
		return r;
	}
	if (m) {
		errno = EAGAIN;
		return m->shut ? 0 : -1;
	}
	do
		r = read(s->in_fd, tmp, room);
	while (r == -1 && errno == EINTR);
	return r;
}

void
srv_sess_read(struct srv_sess *s)
{
	char tmp[16384];
	size_t room = IN_MAX - s->in.len;
	ssize_t r;

	if (room == 0)
		return;
	if (room > sizeof(tmp))
		room = sizeof(tmp);
	r = srv_sess_recv(s, tmp, room);
	if (r > 0) {
		if (s->tls)
			srv_sess_tls_input(s, tmp, (size_t)r);
		else
			buf_append(&s->in, tmp, (size_t)r);
		s->last_active = util_now_ms();
	} else if (r == 0)
		s->eof = 1;
	else if (errno != EAGAIN && errno != EWOULDBLOCK)
		s->broken = 1;
}

static void
srv_sess_flush(struct srv_sess *s)
{
	ssize_t w;

	if (s->mem && s->out.len > 0 && !s->broken) {
		/* In memory the peer takes everything at once. */
		buf_append(s->mem->out, s->out.data, s->out.len);
		buf_reset(&s->out);
		s->last_active = util_now_ms();
		return;
	}
	while (s->out.len > 0 && !s->broken) {
		if (s->out_sock)
			w = send(s->out_fd, s->out.data, s->out.len,
			    MSG_NOSIGNAL);
		else
			w = write(s->out_fd, s->out.data, s->out.len);
		if (w > 0) {
			buf_consume(&s->out, (size_t)w);
			s->last_active = util_now_ms();
		} else if (w == -1 && errno == EINTR)
			continue;
		else if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		else
			s->broken = 1;
	}
}

/* Read and drop what the client sent after we stopped listening, so that
 * closing a TCP socket does not turn into a reset that loses our replies. */
void
srv_sess_drain(struct srv_sess *s)
{
	char tmp[4096];
	int i;

	if (!s->in_sock || s->broken)
		return;
	for (i = 0; i < 16; i++)
		if (read(s->in_fd, tmp, sizeof(tmp)) <= 0)
			break;
}

int
srv_sess_wants_input(const struct srv_sess *s)
{
	return !s->eof && s->in.len < IN_MAX && (s->state != S_CLOSING || s->hold_open);
}

/* Register interest in what the session can use next. */
void
srv_sess_watch(struct srv_sess *s)
{
	struct loop *l = s->srv->loop;
	int want_in = srv_sess_wants_input(s);
	short out = s->out.len > 0 ? POLLOUT : 0;

	if (s->mem)
		return;	/* srv_mem_send() and srv_mem_shut() drive it */

	if (s->in_fd == s->out_fd) {
		loop_set_events(l, s->in_fd, (short)((want_in ? POLLIN : 0) |
		    out));
		return;
	}
	/* A pipe at EOF reports POLLHUP even with no interest: unwatch. */
	if (want_in && !s->in_watched)
		loop_watch(l, s->in_fd, POLLIN, srv_sess_io, s);
	else if (!want_in && s->in_watched)
		loop_unwatch(l, s->in_fd);
	s->in_watched = want_in;
	loop_set_events(l, s->out_fd, out);
}

/* After any event: handle input, write replies, close when done.  May free
 * the session. */
void
srv_sess_update(struct srv_sess *s)
{
	size_t before;

	srv_sess_process(s);
	srv_sess_flush(s);
	/* Output that drained may let more buffered input through. */
	while (!s->broken && s->out.len == 0 && s->in.len > 0) {
		before = s->in.len;
		srv_sess_process(s);
		if (s->in.len == before)
			break;
		srv_sess_flush(s);
	}
	if (s->broken || (s->out.len == 0 &&
	    ((s->state == S_CLOSING && !s->hold_open) || s->eof))) {
		if (s->broken || s->eof)
			srv_dlv_drop(s);	/* the connection dropped */
		srv_sess_free(s);
		return;
	}
	srv_sess_watch(s);
}

void
srv_sess_io(struct loop *loop, int fd, int revents, void *arg)
{
	struct srv_sess *s = arg;

	(void)loop;
	if (fd == s->in_fd && (revents & (POLLIN | POLLHUP | POLLERR))) {
		if (revents & POLLERR)
			s->broken = 1;
		else if (s->in.len < IN_MAX)
			srv_sess_read(s);
		else if (!(revents & POLLIN))
			s->broken = 1;	/* hung up and nowhere to read to */
	}
	if (fd == s->out_fd) {
		if (revents & POLLOUT)
			srv_sess_flush(s);
		else if (fd != s->in_fd && (revents & (POLLHUP | POLLERR)))
			s->broken = 1;
	}
	if (revents & POLLNVAL)
		s->broken = 1;
	srv_sess_update(s);
}
