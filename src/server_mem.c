/*
 * server_mem.c - the reference server's in-memory transport: a session
 * whose input comes from the caller's calls (srv_mem_send) and whose output
 * lands in the caller's buffer.  No descriptor, no poll:
 * each call runs the session as far as it can go, the same code a POLLIN
 * runs (srv_sess_read, srv_sess_update), so fuzz_server exercises the
 * server's own reading, framing and replies at memory speed.
 */
#include "server_int.h"

#include <stdio.h>
#include <stdlib.h>

#include "util.h"

/* Let the session read and answer until it can go no further: the wire
 * is empty (or it reads no more of it), or it has ended. */
static void
mem_pump(struct srv_mem *m)
{
	while (m->sess) {
		struct srv_sess *s = m->sess;
		size_t before = m->wire.len + m->srclen;
		int eof = s->eof;

		if (srv_sess_wants_input(s))
			srv_sess_read(s);
		srv_sess_update(s);	/* may end the session */
		if (m->wire.len + m->srclen == before && (!m->sess || m->sess->eof == eof))
			return;
	}
}

struct srv_mem *
srv_attach_mem(struct srv *srv, struct buf *out, char *errbuf, size_t errlen)
{
	if (srv->hostile) {
		snprintf(errbuf, errlen, "attach: the hostile faults need descriptors");
		return NULL;
	}
	struct srv_mem *m = xcalloc(1, sizeof(*m));
	buf_init(&m->wire);
	m->out = out;
	srv_sess_new(srv, -1, -1, 0, m);
	srv_sess_update(m->sess);	/* the greeting (or the close) goes out */
	return m;
}

int
srv_mem_send(struct srv_mem *m, const void *data, size_t len)
{
	if (!m->sess || m->shut)
		return -1;
	/* Read straight from the caller's bytes; keep only what the
	 * session does not take now. */
	m->src = data;
	m->srclen = len;
	mem_pump(m);
	if (m->sess && m->srclen > 0)
		buf_append(&m->wire, m->src, m->srclen);
	m->src = NULL;
	m->srclen = 0;
	return 0;
}

void
srv_mem_shut(struct srv_mem *m)
{
	m->shut = 1;
	mem_pump(m);
}

int
srv_mem_closed(const struct srv_mem *m)
{
	return m->sess == NULL;
}

void
srv_mem_free(struct srv_mem *m)
{
	if (!m)
		return;
	if (m->sess)
		srv_sess_free(m->sess);
	buf_free(&m->wire);
	free(m);
}
