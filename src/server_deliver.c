/*
 * server_deliver.c - the reference server's delivery (issue 15, the
 * delivery oracle): what a transaction keeps for the caller's delivery
 * callback (srv_set_delivery), and the message handed over once accepted,
 * as the final delivery would store it: a Return-Path: and a Received:
 * line (RFC 5321 4.4) above the content.  The delivery faults live here
 * but for dots-kept, whose dot only the DATA reader sees.
 *
 * Without a callback nothing is allocated: s->dlv stays NULL and the
 * readers' hooks (dlv_keep() in server_int.h) cost one test.
 */
#include "server_int.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* A message as handed over; it owns its strings (completed-lost holds
 * some until QUIT). */
struct dlv_msg {
	char *helo, *from, *params, *data;
	size_t len, nrcpt;
	char **rcpt, **rcpt_params;
};

struct dlv {
	struct buf helo;	/* the HELO/EHLO/LHLO argument */
	struct buf from;	/* reverse-path without <> */
	struct buf params;	/* MAIL's parameters as given */
	struct buf rcpts;	/* per recipient: path NUL params NUL */
	size_t nrcpt;
	struct buf data;	/* the content so far */
	int over;		/* more came than DLV_KEEP_MAX: not handed over */
	struct dlv_msg *held;	/* completed-lost: accepted, not handed over */
	size_t nheld;
};

void
srv_queue_id(struct srv *srv, char *id)
{
	srv->nmsg++;
	snprintf(id, QUEUE_ID_LEN, "%08X%05X", (unsigned)srv->boot,
	    (unsigned)(srv->nmsg & 0xfffff));
}

void
srv_set_delivery(struct srv *srv, srv_deliver_fn fn, void *arg)
{
	struct srv_sess *s;

	srv->deliver = fn;
	srv->deliver_arg = arg;
	/* Sessions already open keep from their next transaction on. */
	for (s = srv->sessions; fn && s; s = s->next)
		srv_dlv_new(s);
}

void
srv_set_trace(struct srv *srv, int on)
{
	srv->trace_off = !on;
}

void
srv_dlv_new(struct srv_sess *s)
{
	if (s->dlv)
		return;
	s->dlv = xcalloc(1, sizeof(*s->dlv));
	buf_init(&s->dlv->helo);
	buf_init(&s->dlv->from);
	buf_init(&s->dlv->params);
	buf_init(&s->dlv->rcpts);
	buf_init(&s->dlv->data);
}

static void
msg_free(struct dlv_msg *m)
{
	size_t i;

	for (i = 0; i < m->nrcpt; i++) {
		free(m->rcpt[i]);
		free(m->rcpt_params[i]);
	}
	free(m->rcpt);
	free(m->rcpt_params);
	free(m->helo);
	free(m->from);
	free(m->params);
	free(m->data);
}

void
srv_dlv_free(struct srv_sess *s)
{
	struct dlv *d = s->dlv;
	size_t i;

	if (!d)
		return;
	/* completed-lost: what QUIT would have handed over is lost. */
	for (i = 0; i < d->nheld; i++)
		msg_free(&d->held[i]);
	free(d->held);
	buf_free(&d->helo);
	buf_free(&d->from);
	buf_free(&d->params);
	buf_free(&d->rcpts);
	buf_free(&d->data);
	free(d);
	s->dlv = NULL;
}

static void
forget_content(struct dlv *d)
{
	buf_reset(&d->data);
	d->over = 0;
}

void
srv_dlv_enter(struct srv_sess *s, enum srv_sess_state st)
{
	struct dlv *d = s->dlv;

	if (!d)
		return;
	switch (st) {
	case S_CONNECTED:
		buf_reset(&d->helo);	/* a new session (RFC 3207 4.2) */
		/* FALLTHROUGH */
	case S_HELO:
	case S_MAIL:
		buf_reset(&d->from);
		buf_reset(&d->params);
		buf_reset(&d->rcpts);
		d->nrcpt = 0;
		forget_content(d);
		break;
	case S_BODY:
		forget_content(d);
		break;
	case S_RCPT:
	case S_CLOSING:
		break;
	}
}

void
srv_dlv_helo(struct srv_sess *s, const struct syn_command *c)
{
	size_t n = c->arg_len;

	if (!s->dlv)
		return;
	while (n > 0 && c->arg[n - 1] == ' ')
		n--;
	buf_reset(&s->dlv->helo);
	buf_append(&s->dlv->helo, c->arg, n);
}

/* The path of a parsed MAIL/RCPT argument without its <>, and its
 * parameters as given (trailing blanks, which RFC 5321 4.1.1 tolerates,
 * dropped). */
static void
path_params(const struct syn_command *c, const struct syn_mail_args *a,
    struct buf *path, struct buf *params)
{
	const char *arg = c->arg, *lt, *gt, *end = arg + c->arg_len;

	lt = memchr(arg, '<', c->arg_len);
	gt = a->n_params > 0 ? a->params[0].key : end;
	if (lt == NULL)	/* cannot be after a successful parse */
		return;
	/* The '>' closing the path is the last one before the parameters
	 * (a quoted local-part may hold another). */
	while (gt > lt + 1 && gt[-1] != '>')
		gt--;
	buf_append(path, lt + 1, gt > lt + 1 ? (size_t)(gt - lt - 2) : 0);
	if (a->n_params > 0) {
		while (end > a->params[0].key && end[-1] == ' ')
			end--;
		buf_append(params, a->params[0].key,
		    (size_t)(end - a->params[0].key));
	}
}

void
srv_dlv_mail(struct srv_sess *s, const struct syn_command *c,
    const struct syn_mail_args *a)
{
	if (!s->dlv)
		return;
	buf_reset(&s->dlv->from);
	buf_reset(&s->dlv->params);
	path_params(c, a, &s->dlv->from, &s->dlv->params);
}

void
srv_dlv_rcpt(struct srv_sess *s, const struct syn_command *c,
    const struct syn_mail_args *a)
{
	struct buf path, params;

	if (!s->dlv)
		return;
	buf_init(&path);
	buf_init(&params);
	path_params(c, a, &path, &params);
	buf_append(&s->dlv->rcpts, path.data ? path.data : "", path.len + 1);
	buf_append(&s->dlv->rcpts, params.data ? params.data : "",
	    params.len + 1);
	s->dlv->nrcpt++;
	buf_free(&path);
	buf_free(&params);
}

void
srv_dlv_keep(struct srv_sess *s, const void *p, size_t n)
{
	struct dlv *d = s->dlv;

	/* Bounded: past the size limit the message gets 552 anyway. */
	if (d->over || n > DLV_KEEP_MAX - d->data.len) {
		d->over = 1;
		return;
	}
	buf_append(&d->data, p, n);
}

void
srv_dlv_stuffing(struct srv_sess *s)
{
	if (s->dlv && fault(s, SRV_F_DOTS_KEPT))
		srv_dlv_keep(s, ".", 1);
}

/* The client's address as an address literal (RFC 5321 4.1.3) for the
 * Received: line: a local peer (pipe, UNIX socket, memory) is loopback. */
static void
peer_literal(const struct srv_sess *s, char *out, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char a[INET6_ADDRSTRLEN];
	const struct sockaddr_in6 *s6 = (const void *)&ss;

	snprintf(out, n, "[127.0.0.1]");
	if (s->mem || !s->in_sock ||
	    getpeername(s->in_fd, (struct sockaddr *)&ss, &sl) != 0)
		return;
	if (ss.ss_family == AF_INET && inet_ntop(AF_INET,
	    &((const struct sockaddr_in *)(const void *)&ss)->sin_addr, a,
	    sizeof(a)))
		snprintf(out, n, "[%s]", a);
	else if (ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) &&
	    inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], a, sizeof(a)))
		snprintf(out, n, "[%s]", a);
	else if (ss.ss_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a)))
		snprintf(out, n, "[IPv6:%s]", a);
}

/* Now as an RFC 5322 3.3 date-time, in UTC; the names are spelled out
 * so no locale can change them. */
static void
date_time(char *out, size_t n)
{
	static const char *const day[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	snprintf(out, n, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    day[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The protocol of the Received: "with" clause (RFC 3848). */
static const char *
with_protocol(const struct srv_sess *s)
{
	static const char *const esmtp[] = { "ESMTP", "ESMTPA", "ESMTPS",
	    "ESMTPSA" };
	static const char *const lmtp[] = { "LMTP", "LMTPA", "LMTPS",
	    "LMTPSA" };
	int i = (s->authed ? 1 : 0) + (s->tls_up ? 2 : 0);

	if (!s->ehlo)
		return "SMTP";
	return s->srv->lmtp ? lmtp[i] : esmtp[i];
}

/* Whether every recipient is in the domain it relays for: the message
 * then goes to a next hop, not to a final delivery. */
static int
relayed(const struct dlv_msg *m)
{
	size_t dl = strlen(SRV_RELAY_DOMAIN);

	for (size_t i = 0; i < m->nrcpt; i++) {
		const char *at = strrchr(m->rcpt[i], '@');
		if (!at || strlen(at + 1) != dl || !util_ieq(at + 1, dl, SRV_RELAY_DOMAIN))
			return 0;
	}
	return m->nrcpt > 0;
}

/* The trace lines of RFC 5321 4.4: Return-Path: at the final delivery
 * (every recipient but those of SRV_RELAY_DOMAIN), then Received:. */
static void
trace_lines(struct srv_sess *s, const struct dlv_msg *m, const char *id,
    struct buf *out)
{
	char addr[64], date[64];

	if (!relayed(m) && !fault(s, SRV_F_NO_RETURN_PATH))
		buf_printf(out, "Return-Path: <%s>\r\n", m->from);
	if (fault(s, SRV_F_NO_RECEIVED))
		return;
	peer_literal(s, addr, sizeof(addr));
	date_time(date, sizeof(date));
	buf_printf(out, "Received: from %s (%s)\r\n\tby %s with %s id %s",
	    m->helo[0] ? m->helo : addr, addr, SRV_HOSTNAME,
	    with_protocol(s), id);
	if (m->nrcpt == 1)
		buf_printf(out, "\r\n\tfor <%s>", m->rcpt[0]);
	buf_printf(out, "; %s\r\n", date);
}

/* A control character other than CR, LF and HT (controls-stripped); NUL
 * is left alone. */
static int
is_control(unsigned char ch)
{
	return (ch >= 0x01 && ch <= 0x08) || ch == 0x0b || ch == 0x0c ||
	    (ch >= 0x0e && ch <= 0x1f) || ch == 0x7f;
}

/* The content as delivered, with the faults that alter it. */
static void
content(struct srv_sess *s, const struct buf *in, struct buf *out)
{
	int strip8 = fault(s, SRV_F_EIGHT_BIT_STRIPPED);
	int ctl = fault(s, SRV_F_CONTROLS_STRIPPED);
	size_t i;

	if (!strip8 && !ctl)
		buf_append(out, in->data ? in->data : "", in->len);
	for (i = 0; (strip8 || ctl) && i < in->len; i++) {
		unsigned char ch = (unsigned char)in->data[i];

		if (ctl && is_control(ch))
			continue;
		if (strip8)
			ch &= 0x7f;
		buf_append(out, &ch, 1);
	}
	if (fault(s, SRV_F_EXTRA_BLANK_LINE))
		buf_append(out, "\r\n", 2);
}

/* local-part-folded: the local-part (everything before the domain's '@')
 * lower-cased. */
static void
fold_local(char *path)
{
	char *at = strrchr(path, '@'), *p;

	for (p = path; *p && (at == NULL || p < at); p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
}

/* The message the transaction kept, as it is handed over. */
static void
build(struct srv_sess *s, const char *id, struct dlv_msg *m)
{
	struct dlv *d = s->dlv;
	const char *r = d->rcpts.data;
	struct buf data;
	size_t i;

	m->helo = xstrndup(d->helo.data ? d->helo.data : "", d->helo.len);
	m->from = xstrndup(d->from.data ? d->from.data : "", d->from.len);
	m->params = xstrndup(d->params.data ? d->params.data : "",
	    d->params.len);
	m->nrcpt = d->nrcpt;
	m->rcpt = xcalloc(d->nrcpt + 1, sizeof(*m->rcpt));
	m->rcpt_params = xcalloc(d->nrcpt + 1, sizeof(*m->rcpt_params));
	for (i = 0; i < d->nrcpt; i++) {
		m->rcpt[i] = xstrdup(r);
		r += strlen(r) + 1;
		m->rcpt_params[i] = xstrdup(r);
		r += strlen(r) + 1;
		if (fault(s, SRV_F_LOCAL_PART_FOLDED))
			fold_local(m->rcpt[i]);
	}
	buf_init(&data);
	if (!s->srv->trace_off)
		trace_lines(s, m, id, &data);
	content(s, &d->data, &data);
	m->data = buf_steal(&data, &m->len);
}

static void
hand_over(struct srv *srv, const struct dlv_msg *m)
{
	struct srv_message v = {
		.helo = m->helo, .mail_from = m->from,
		.mail_params = m->params, .nrcpt = m->nrcpt,
		.rcpt = (const char *const *)m->rcpt,
		.rcpt_params = (const char *const *)m->rcpt_params,
		.data = m->data, .len = m->len,
	};

	srv->deliver(srv->deliver_arg, &v);
}

void
srv_dlv_accepted(struct srv_sess *s, const char *id)
{
	struct dlv *d = s->dlv;
	struct dlv_msg m;

	if (!d || !s->srv->deliver)
		return;
	if (!d->over) {
		build(s, id, &m);
		if (fault(s, SRV_F_COMPLETED_LOST)) {
			d->held = xrealloc(d->held, (d->nheld + 1) *
			    sizeof(*d->held));
			d->held[d->nheld++] = m;
		} else {
			hand_over(s->srv, &m);
			msg_free(&m);
		}
	}
	/* The envelope stays for transaction-persists; the next message
	 * (BDAT after BDAT LAST included) starts empty. */
	forget_content(d);
}

void
srv_dlv_quit(struct srv_sess *s)
{
	struct dlv *d = s->dlv;
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->nheld; i++) {
		if (s->srv->deliver)
			hand_over(s->srv, &d->held[i]);
		msg_free(&d->held[i]);
	}
	free(d->held);
	d->held = NULL;
	d->nheld = 0;
}

void
srv_dlv_drop(struct srv_sess *s)
{
	char id[QUEUE_ID_LEN];
	struct dlv_msg m;

	/* In the middle of the data: after 354, or BDAT chunks but no
	 * LAST yet. */
	if (!s->dlv || !s->srv->deliver || !fault(s, SRV_F_ABORTED_DELIVERED) ||
	    s->dlv->over || !(s->state == S_BODY ||
	    (s->state >= S_MAIL && s->state <= S_RCPT && s->txn.bdat)))
		return;
	srv_queue_id(s->srv, id);
	build(s, id, &m);
	hand_over(s->srv, &m);
	msg_free(&m);
}
