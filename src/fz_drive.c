/*
 * fz_drive.c - one fuzz session on the event loop (fz_drive.h).
 */
#include "fz_drive_int.h"

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fz_errlog.h"
#include "fz_frame.h"
#include "reply.h"
#include "transport.h"
#include "util.h"

static void on_io(struct loop *loop, int fd, int revents, void *arg);

static void
rec_code(struct drv *d, int code, enum fz_verb v)
{
	struct fz_obs *o = d->obs;
	if (o->n_codes == o->cap_got) {
		o->cap_got = o->cap_got ? 2 * o->cap_got : 16;
		o->got = xrealloc(o->got, o->cap_got * sizeof(*o->got));
	}
	o->got[o->n_codes++] = (struct fz_got){ code, (uint8_t)v, d->next };
}

/* ---- the end ------------------------------------------------------------- */

static void
set_join(struct drv *d)
{
	struct fz_drive_set *set = d->env.set;
	if (!set)
		return;
	d->set_prev = NULL;
	d->set_next = set->first;
	if (set->first)
		set->first->set_prev = d;
	set->first = d;
}

static void
set_leave(struct drv *d)
{
	struct fz_drive_set *set = d->env.set;
	if (!set)
		return;
	if (d->set_prev)
		d->set_prev->set_next = d->set_next;
	else
		set->first = d->set_next;
	if (d->set_next)
		d->set_next->set_prev = d->set_prev;
}

void
fz_drive_cut_all(struct fz_drive_set *set, const char *why)
{
	/* drv_finish() only schedules the end: the list stays as it is. */
	for (struct drv *d = set->first; d; d = d->set_next)
		drv_finish(d, FZ_END_CUT, "%s", why);
}

static void
complete(struct loop *loop, void *arg)
{
	(void)loop;
	struct drv *d = arg;
	struct fz_obs *o = d->obs;
	o->seconds = (double)(util_now_ms() - d->t0) / 1000.0;
	if (d->cov_slot >= 0)
		o->cov_new = fz_cov_release(d->env.cov, d->cov_slot);
	o->stderr_text = fz_errlog_text(&d->errlog);
	o->sanitizer = d->errlog.sanitizer;
	if (d->errfd >= 0) {
		loop_unwatch(d->env.loop, d->errfd);
		close(d->errfd);
		d->errfd = -1;
	}
	buf_free(&d->in);
	buf_free(&d->out);
	fz_errlog_free(&d->errlog);
	fz_frame_free(&d->fr);
	set_leave(d);
	fz_done_fn done = d->done;
	void *darg = d->arg;
	free(d);
	done(darg, o);
}

static void
drain_stderr(struct drv *d)
{
	char tmp[4096];
	ssize_t n;
	while (d->errfd >= 0 && (n = read(d->errfd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			break;
		}
		fz_errlog_take(&d->errlog, tmp, (size_t)n);
	}
	if (d->errfd >= 0) {
		loop_unwatch(d->env.loop, d->errfd);
		close(d->errfd);
		d->errfd = -1;
	}
}

static void
collect(struct drv *d, int status)
{
	d->obs->exited = 1;
	d->obs->exit_signal = tp_crash_status(status);
	/* Its descendants share its process group: they go with it, so none
	 * holds the socket, the stderr pipe or a coverage map afterwards. */
	if (d->pgid > 0)
		kill(-d->pgid, SIGKILL);
	d->pid = 0;
}

/* DRV_REAP: wait for the exec: target to exit and its stderr to end. */
static void
reap_tick(struct loop *loop, void *arg)
{
	struct drv *d = arg;
	d->timer = 0;
	drain_stderr(d);
	int st;
	if (d->pid > 0 && waitpid(d->pid, &st, WNOHANG) == d->pid)
		collect(d, st);
	else if (d->pid > 0 && util_now_ms() >= d->reap_until) {
		kill(-d->pid, SIGKILL);
		if (waitpid(d->pid, &st, 0) == d->pid)
			collect(d, st);
		d->pid = 0;
	}
	if (d->pid > 0) {
		d->timer = loop_timer(loop, util_now_ms() + 5, reap_tick, d);
		return;
	}
	drain_stderr(d);
	complete(loop, d); /* what is left of stderr is not waited for */
}

void
drv_finish(struct drv *d, enum fz_end end, const char *fmt, ...)
{
	if (d->state == DRV_REAP || d->state == DRV_DONE)
		return;
	struct fz_obs *o = d->obs;
	o->end = end;
	o->acts_sent = d->next;
	o->owed = fz_frame_owed(&d->fr);
	o->closing = fz_frame_closed(&d->fr);
	o->dirty = fz_frame_dirty(&d->fr);
	o->overlong = fz_frame_overlong(&d->fr);
	o->bare_newline_data = fz_frame_bare_data(&d->fr);
	o->in_chunk = fz_frame_in_chunk(&d->fr);
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(o->detail, sizeof(o->detail), fmt, ap);
		va_end(ap);
	}
	if (d->timer)
		loop_timer_cancel(d->env.loop, d->timer);
	d->timer = 0;
	d->wait = W_NONE;
	if (d->hold_timer)
		loop_timer_cancel(d->env.loop, d->hold_timer);
	d->hold_timer = 0;
	if (d->fd >= 0) {
		loop_unwatch(d->env.loop, d->fd);
		close(d->fd);
		d->fd = -1;
	}
	if (d->tls)
		tls_conn_free(d->tls);
	d->tls = NULL;
	d->state = DRV_REAP;
	d->reap_until = util_now_ms() + FZ_REAP_GRACE_MS;
	d->timer = loop_timer(d->env.loop, util_now_ms(), reap_tick, d);
}

/* ---- writing ------------------------------------------------------------- */

static void hold_start(struct drv *d);

/* Send what the socket takes of b[0..n) now: how much, or -1 when the
 * peer is gone (what it said last is still to be read). */
static ssize_t
send_some(struct drv *d, const char *b, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t w = send(d->fd, b + done, n - done, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w < 0)
			return -1;
		done += (size_t)w;
		d->progress = 1;
	}
	return (ssize_t)done;
}

void
drv_flush_out(struct drv *d)
{
	if (d->out.len) {
		ssize_t w = send_some(d, d->out.data, d->out.len);
		if (w < 0)
			buf_reset(&d->out);
		else
			buf_consume(&d->out, (size_t)w);
	}
	loop_set_events(d->env.loop, d->fd, POLLIN | POLLRDHUP | (d->out.len ? POLLOUT : 0));
	if (!d->out.len && d->holding)
		hold_start(d);
}

/* Queue b[0..n) for the server; last: no act follows it in this write, so
 * with nothing queued it goes straight from the act, and only what the
 * socket does not take is copied (acts run to FZ_MAX_ACT).  Acts written
 * together still leave in one send(), as the server would see them. */
static void
send_bytes(struct drv *d, const char *b, size_t n, int last)
{
	if (d->tls_up) {
		tls_send(d->tls, b, n, &d->out);
		return;
	}
	if (last && !d->out.len && n) {
		ssize_t w = send_some(d, b, n);
		if (w < 0)
			return;
		b += w;
		n -= (size_t)w;
	}
	buf_append(&d->out, b, n);
}

static void
write_act(struct drv *d)
{
	const struct fz_act *a = &d->sess->acts[d->next++];
	d->next_alone = fz_frame_owed(&d->fr) == 0;
	d->obs->last_act_ms = util_now_ms();
	fz_frame_client(&d->fr, a->b, a->len);
	int last = d->next >= d->sess->n || fz_frame_closed(&d->fr) ||
	    (fz_frame_owed(&d->fr) > 0 && !d->sess->acts[d->next].pipelined);
	send_bytes(d, a->b, a->len, last);
}

/* A moment for a lax server to answer data octets before the real end of
 * the data follows them: twice the server's reply time as fz_pace
 * estimates it (a lax server reads the whole data first, and a reply that
 * misses the hold is an extra reply, not smuggling; a hold is rare and
 * short), the hold between these. */
#define FZ_HOLD_MS 50
#define FZ_HOLD_MIN_MS 4
#define FZ_HOLD_FACTOR 2

/* 1 if act d->next, written on its own, must wait the hold first: command
 * bytes with a bare CR, LF or NUL went before it, in which a lax server
 * may have read more commands than the model (aiosmtpd and Exim end a
 * line at a bare LF), and their replies may come just after the ones the
 * model owes.  Without the wait they came after the next act and were
 * taken for its replies, and the finding's scenario put them there: `run`
 * then met them before that act, unasked (27 of 577 findings on aiosmtpd
 * failed so at an earlier step).  Now they come first, and end the
 * session as extra replies, or as the malformed reply they may be. */
static int
must_settle(const struct drv *d)
{
	return fz_frame_split(&d->fr) && fz_frame_owed(&d->fr) == 0 &&
	    !d->sess->acts[d->next].pipelined;
}

/* 1 if act d->next must wait: it starts with the real end of the message
 * data, and the data before that end holds a line a lax server may take
 * for the end or for a command (fz_frame_data_end).  An act with data
 * before such an end is cut there first (fz_sess_split), so the finding's
 * scenario sends the data and the end in two steps too. */
static int
must_hold(struct drv *d)
{
	if (d->hold_done == d->next + 1)
		return 0;
	if (must_settle(d))
		return 1;
	if (!fz_frame_in_data(&d->fr))
		return 0;
	/* A session in which the client broke a duty is judged by crash,
	 * sanitizer and malformed only (fz_oracle.c), never as smuggling:
	 * the hold could show nothing. */
	if (fz_frame_dirty(&d->fr))
		return 0;
	const struct fz_act *a = &d->sess->acts[d->next];
	int odd;
	size_t at = fz_frame_data_end(&d->fr, a->b, a->len, &odd);
	if (at >= a->len || !odd)
		return 0;
	if (at == 0)
		return 1;
	if (fz_sess_split(d->sess, d->next, at) == 0) {
		struct fz_obs *o = d->obs;
		o->tls_act = xrealloc(o->tls_act, (d->sess->n + 1) * sizeof(int));
		memmove(&o->tls_act[d->next + 1], &o->tls_act[d->next],
		    (o->n_acts - d->next) * sizeof(int));
		o->tls_act[d->next + 1] = 0;
		o->n_acts = d->sess->n;
	}
	return 0;
}

static void
hold_over(struct loop *loop, void *arg)
{
	(void)loop;
	struct drv *d = arg;
	d->hold_timer = 0;
	d->holding = 0;
	d->hold_done = d->next + 1;
	fz_frame_settled(&d->fr);
	drv_pump(d);
}

/* The hold runs from when the bytes before the act held have drained. */
static void
hold_start(struct drv *d)
{
	if (d->hold_timer || d->state != DRV_RUN)
		return;
	int64_t ms = FZ_HOLD_FACTOR *
	    fz_pace_wait_ms(d->env.pace, FZ_HOLD_MIN_MS / FZ_HOLD_FACTOR, FZ_HOLD_MS / FZ_HOLD_FACTOR);
	d->hold_timer = loop_timer(d->env.loop, util_now_ms() + ms, hold_over, d);
}

/* ---- replies ------------------------------------------------------------- */

/* PIPELINING and CHUNKING in an EHLO 250 (lines past the first). */
static void
ehlo_caps(struct drv *d, const struct reply *r)
{
	int pipe = 0, chunk = 0;
	for (size_t i = 1; i < r->n_lines && i < r->lines_cap; i++) {
		const struct reply_line *l = &r->lines[i];
		if (l->len >= 10 && strncasecmp(l->text, "PIPELINING", 10) == 0 &&
		    (l->len == 10 || l->text[10] == ' '))
			pipe = 1;
		if (l->len >= 8 && strncasecmp(l->text, "CHUNKING", 8) == 0 &&
		    (l->len == 8 || l->text[8] == ' '))
			chunk = 1;
	}
	fz_frame_caps(&d->fr, pipe, chunk);
}

/* One reply taken; 0 to go on, -1 when the session ended. */
static int
take(struct drv *d, const struct reply *r)
{
	if (fz_frame_next_verb(&d->fr) == FZ_V_EHLO && r->code == 250)
		ehlo_caps(d, r);
	else if (fz_frame_next_verb(&d->fr) == FZ_V_HELO && r->code == 250)
		fz_frame_caps(&d->fr, 0, 0); /* HELO: no extensions (RFC 5321 4.1.1.1) */
	enum fz_verb v;
	enum fz_match m = fz_frame_reply(&d->fr, r->code, &v);
	rec_code(d, r->code, v);
	/* The time to answer bytes (not the greeting: a connection's, or an
	 * exec: target's start-up) for the timed waits; one sample a wait,
	 * the rest of a burst came with it. */
	if (m == FZ_MATCH_OK && v != FZ_V_GREETING && d->wait == W_REPLY && d->reply_t0_us &&
	    d->env.pace) {
		fz_pace_sample(d->env.pace, util_now_us() - d->reply_t0_us);
		d->reply_t0_us = 0;
	}
	d->took = 1;
	if (r->code >= 400 && r->code != 421)
		d->obs->n_errors++;
	if (v == FZ_V_QUIT && m == FZ_MATCH_OK && fz_frame_last_bare(&d->fr) && !d->obs->quit_code) {
		d->obs->quit_code = r->code;
		d->obs->quit_index = d->obs->n_codes - 1;
	}
	switch (m) {
	case FZ_MATCH_OK:
	case FZ_MATCH_EARLY:
		return 0;
	case FZ_MATCH_EXTRA:
		drv_finish(d, FZ_END_EXTRA, "reply %d with no command awaiting one", r->code);
		return -1;
	case FZ_MATCH_DATA:
		drv_finish(d, FZ_END_DATA, "reply %d while the message data was still being sent",
		    r->code);
		return -1;
	case FZ_MATCH_CLOSED:
		drv_finish(d, FZ_END_LATE, "reply %d after the server announced the close", r->code);
		return -1;
	}
	return 0;
}

/* A STARTTLS act written alone, the newest, with no reply owed before it:
 * the 220 means hand shake now.  (Behind commands still unanswered, the
 * replies cannot be told apart in a finding's scenario: its starttls step
 * would take the first of them for its own.) */
static int
tls_act_alone(const struct drv *d)
{
	if (d->next == 0 || !d->next_alone)
		return 0;
	const struct fz_act *a = &d->sess->acts[d->next - 1];
	return a->len == 10 && strncasecmp(a->b, "STARTTLS\r\n", 10) == 0 && !d->tls_up &&
	    !(d->env.target->tls);
}

/* A 220 to a STARTTLS that was not the newest act written alone: the
 * session ends there (a handshake would start behind pipelined bytes the
 * server may read as TLS), whether the close came with it or not. */
static int
tls_ends_session(const struct drv *d)
{
	return fz_frame_tls_due(&d->fr) && !tls_act_alone(d);
}

/* n bytes came behind a 220 to STARTTLS, before the handshake began (their
 * first ones kept already: drv_keep_first).  Behind pipelined commands
 * (tls_ends_session) they are forgotten (RFC 3207 4.2): the server may
 * have answered those, and the session ends there.  Behind a STARTTLS
 * alone they are where the server's TLS must start: `run`'s handshake
 * reads them and fails (TX-10), and so does this one, judged by its first
 * bytes (fz_oracle.h).  0 to go on, -1 when the session ended. */
static int
behind_220(struct drv *d, size_t n)
{
	if (n == 0 || tls_ends_session(d))
		return 0;
	d->obs->starttls_hs = 1;
	drv_tls_fail(d, "no TLS handshake");
	return -1;
}

/* Parse what came; 0 to go on, -1 when the session ended. */
static int
parse(struct drv *d)
{
	struct reply_line lines[64];
	struct reply_opts opts = {
		.max_line = d->env.max_reply_line ? d->env.max_reply_line : REPLY_DEFAULT_MAX_LINE,
		.max_lines = d->env.max_reply_lines ? d->env.max_reply_lines : 1000,
		.flags = REPLY_OPT_TEXT_CONTROL,
	};
	while (d->in.len) {
		struct reply r = { .lines = lines, .lines_cap = 64 };
		struct reply_error err;
		ssize_t n = reply_parse(d->in.data, d->in.len, &opts, &r, &err);
		if (n == REPLY_INCOMPLETE)
			return 0;
		if (n == REPLY_VIOLATION) {
			d->obs->violation = (int)err.kind;
			drv_finish(d, FZ_END_MALFORMED, "%s (line %zu of the reply, byte %zu)",
			    reply_violation_str(err.kind), err.line, err.offset);
			return -1;
		}
		int rc = take(d, &r);
		buf_consume(&d->in, (size_t)n);
		if (rc)
			return -1;
		if (fz_frame_tls_due(&d->fr)) {
			/* What is behind a 220 to STARTTLS is no reply. */
			size_t behind = d->in.len;
			drv_keep_first(d, d->in.data, behind);
			buf_reset(&d->in);
			return behind_220(d, behind);
		}
	}
	return 0;
}

/* ---- the flow ------------------------------------------------------------ */

static void try_connect(struct drv *d);

/* The connection to the current address failed (why): on to the next
 * resolved one (localhost: ::1, then 127.0.0.1), as the engine's sessions
 * do, or the end. */
static void
connect_next(struct drv *d, const char *why)
{
	util_strlcpy(d->conn_why, why, sizeof(d->conn_why));
	if (d->fd >= 0) {
		loop_unwatch(d->env.loop, d->fd);
		close(d->fd);
		d->fd = -1;
	}
	if (!d->addr_more) {
		drv_finish(d, FZ_END_ERROR, "%s", d->conn_why);
		return;
	}
	d->addr_idx++;
	try_connect(d);
}

static void
on_timer(struct loop *loop, void *arg)
{
	(void)loop;
	struct drv *d = arg;
	d->timer = 0;
	switch (d->wait) {
	case W_CONNECT: {
		char why[300];
		snprintf(why, sizeof(why), "no connection within %.1f s", d->env.timeout);
		connect_next(d, why);
		return;
	}
	case W_HANDSHAKE: {
		char why[100];
		snprintf(why, sizeof(why), "the TLS handshake did not end within %.1f s",
		    d->env.timeout);
		drv_tls_fail(d, why);
		return;
	}
	case W_WRITE:
		drv_finish(d, FZ_END_TIMEOUT, "the server read nothing for %.1f s (%zu bytes unsent, "
		    "%zu replies owed)", d->env.timeout, d->out.len, fz_frame_owed(&d->fr));
		return;
	case W_REPLY:
		drv_finish(d, FZ_END_TIMEOUT, "no reply within %g s (%zu owed)",
		    (double)d->wait_ms / 1000.0, fz_frame_owed(&d->fr));
		return;
	case W_CLOSE:
		drv_finish(d, FZ_END_NOCLOSE, "no close within %g s after %s", (double)d->wait_ms / 1000.0,
		    d->obs->quit_code == 221 ? "221 to QUIT" : "421");
		return;
	case W_NONE:
		return;
	}
}

/* Once the client broke a duty, the model cannot say what the server owes,
 * and a wait that runs out proves nothing: such sessions wait only as long
 * as the server takes to answer (fz_pace), between these. */
#define FZ_DIRTY_WAIT_MS 250
#define FZ_DIRTY_MIN_MS 2

/* What the session waits for now. */
static enum drv_wait
waiting_for(const struct drv *d)
{
	switch (d->state) {
	case DRV_CONNECT:
		return W_CONNECT;
	case DRV_HANDSHAKE:
		return W_HANDSHAKE;
	case DRV_RUN:
		if (d->out.len)
			return W_WRITE;
		if (fz_frame_owed(&d->fr))
			return W_REPLY;
		if (fz_frame_closed(&d->fr))
			return W_CLOSE;
		return W_NONE;
	case DRV_REAP:
	case DRV_DONE:
		return W_NONE;
	}
	return W_NONE;
}

/* Set the deadline for what the session waits for.  A wait that goes on
 * keeps its deadline: bytes that arrive do not move it (a server that
 * trickles a reply byte by byte runs out of time like a silent one).  It
 * starts again only when the queued bytes moved (W_WRITE), a reply was
 * taken (W_REPLY: the next one owed has its own time) or the wait changed
 * (the bytes owing a reply have drained, the close is due, ...). */
void
drv_arm(struct drv *d)
{
	enum drv_wait w = waiting_for(d);
	int fresh = w != d->wait || (w == W_WRITE && d->progress) || (w == W_REPLY && d->took);
	d->progress = d->took = 0;
	if (!fresh && (d->timer || w == W_NONE))
		return;
	if (d->timer)
		loop_timer_cancel(d->env.loop, d->timer);
	d->timer = 0;
	d->wait = w;
	d->reply_t0_us = w == W_REPLY ? util_now_us() : 0;
	if (w == W_NONE)
		return;
	int64_t ms = (int64_t)(d->env.timeout * 1000);
	int64_t dirty_ms = fz_pace_wait_ms(d->env.pace, FZ_DIRTY_MIN_MS, FZ_DIRTY_WAIT_MS);
	if (fz_frame_dirty(&d->fr) && ms > dirty_ms && (w == W_REPLY || w == W_CLOSE))
		ms = dirty_ms;
	d->wait_ms = ms;
	d->timer = loop_timer(d->env.loop, util_now_ms() + ms, on_timer, d);
}

/* Write what may be written, then wait for what is owed. */
void
drv_pump(struct drv *d)
{
	if (d->state != DRV_RUN)
		return;
	if (tls_ends_session(d)) {
		drv_finish(d, FZ_END_DONE, NULL);
		return;
	}
	if (fz_frame_tls_due(&d->fr)) {
		drv_flush_out(d);
		drv_start_tls(d);
		return;
	}
	while (!d->holding && d->next < d->sess->n && !fz_frame_closed(&d->fr) &&
	    (fz_frame_owed(&d->fr) == 0 || d->sess->acts[d->next].pipelined)) {
		if (must_hold(d))
			d->holding = 1;
		else
			write_act(d);
	}
	drv_flush_out(d);
	if (d->state != DRV_RUN)
		return;
	if (!d->holding && fz_frame_owed(&d->fr) == 0 && !fz_frame_closed(&d->fr) &&
	    d->next >= d->sess->n) {
		drv_finish(d, FZ_END_DONE, NULL);
		return;
	}
	drv_arm(d);
}

static void
on_eof(struct drv *d)
{
	/* The bytes behind that 220 were forgotten (behind_220). */
	if (tls_ends_session(d)) {
		drv_finish(d, FZ_END_DONE, NULL);
		return;
	}
	/* A close after the 220 to STARTTLS, during the handshake or with
	 * the 220 (before it began), is judged as `run` judges it
	 * (fz_oracle.h): a close without an alert breaks TM-03, bytes that
	 * are no TLS TX-10.  A death behind it is still a crash. */
	int due = fz_frame_tls_due(&d->fr) && !d->tls;
	if (d->state == DRV_HANDSHAKE || due) {
		if (due)
			d->obs->starttls_hs = 1;
		d->obs->tls_closed = 1;
		d->obs->tls_narrowed = d->env.tls_narrowed;
		drv_tls_fail(d, "the server closed the connection during the TLS handshake");
		return;
	}
	if (d->in.len) {
		drv_finish(d, FZ_END_MALFORMED, "the connection closed inside a reply");
		return;
	}
	if (fz_frame_closed(&d->fr))
		drv_finish(d, FZ_END_DONE, NULL);
	else
		drv_finish(d, FZ_END_CLOSED, "the server closed the connection (%zu replies owed)",
		    fz_frame_owed(&d->fr));
}

/* The server closed (its FIN, or its TLS close_notify): what came before
 * is taken first. */
static void
peer_closed(struct drv *d)
{
	if (parse(d) == 0)
		on_eof(d);
}

/* Bytes read from the wire: through TLS when it is there. 0, or -1. */
static int
received(struct drv *d, const char *b, size_t n)
{
	drv_keep_first(d, b, n);
	if (!d->tls) {
		if (fz_frame_tls_due(&d->fr)) /* read after the 220, before TLS */
			return behind_220(d, n);
		buf_append(&d->in, b, n);
		return 0;
	}
	tls_feed(d->tls, b, n);
	if (d->state == DRV_HANDSHAKE) {
		drv_handshake(d);
		if (d->state != DRV_RUN)
			return d->state == DRV_HANDSHAKE ? 0 : -1;
	}
	char why[256];
	int rc = tls_recv(d->tls, &d->in, why, sizeof(why));
	if (rc < 0) {
		drv_finish(d, FZ_END_TLS, "TLS: %s", why);
		return -1;
	}
	if (rc == 1) {
		/* close_notify: the server's close, as `run` takes it (an
		 * asyncio server then waits 30 s for the client's before its
		 * FIN: no `no-close`), after what came before it. */
		peer_closed(d);
		return -1;
	}
	return 0;
}

static void
read_in(struct drv *d, int revents)
{
	char tmp[65536];
	for (;;) {
		ssize_t n = read(d->fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			peer_closed(d);
			return;
		}
		if (received(d, tmp, (size_t)n) != 0)
			return;
		if (d->in.len > FZ_IN_MAX && (d->state != DRV_RUN || parse(d) != 0))
			return;
		if (d->in.len > FZ_IN_MAX) {
			drv_finish(d, FZ_END_MALFORMED, "over %d bytes with no complete reply", FZ_IN_MAX);
			return;
		}
		/* A short read emptied the socket, and poll() saw no close
		 * behind the bytes: the read that would say EAGAIN (half of
		 * all the campaign's reads) is skipped.  poll() is level-
		 * triggered, so what comes later is seen; a close that came
		 * with the bytes is still read before anything more is sent. */
		if ((size_t)n < sizeof(tmp) && !(revents & (POLLRDHUP | POLLHUP | POLLERR)))
			break;
	}
	if (d->state == DRV_RUN && parse(d) == 0)
		drv_pump(d);
}

static void
connected(struct drv *d)
{
	loop_watch(d->env.loop, d->fd, POLLIN | POLLRDHUP, on_io, d);
	if (d->env.target->tls) {
		d->tls = tls_conn_new(d->env.tls_ctx, 0,
		    d->env.target->kind == TP_SMTP ? d->env.target->host : NULL);
		d->state = DRV_HANDSHAKE;
		drv_handshake(d);
		return;
	}
	d->state = DRV_RUN;
	drv_pump(d);
}

static void
try_connect(struct drv *d)
{
	char why[256];
	d->addr_more = 0;
	d->fd = tp_connect(d->env.target, d->addr_idx, &d->addr_more, why, sizeof(why));
	if (d->fd < 0) {
		connect_next(d, why);
		return;
	}
	/* Everything queued goes out in one send(), so Nagle's algorithm
	 * only delays: the first command after the TLS handshake (a second
	 * small write behind the Finished, which the server does not answer)
	 * waited for the ACK the server delays, 40 ms on Linux: most of a
	 * STARTTLS session's time. */
	int one = 1;
	setsockopt(d->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	d->state = DRV_CONNECT;
	loop_watch(d->env.loop, d->fd, POLLOUT, on_io, d);
	d->wait = W_NONE; /* each address has its own time */
	drv_arm(d);
}

static void
on_io(struct loop *loop, int fd, int revents, void *arg)
{
	(void)loop;
	struct drv *d = arg;
	if (fd == d->errfd) {
		drain_stderr(d);
		return;
	}
	if (d->state == DRV_CONNECT) {
		char why[256];
		if (tp_connect_result(d->fd, why, sizeof(why)) != 0) {
			connect_next(d, why);
			return;
		}
		connected(d);
		return;
	}
	if (revents & POLLOUT) {
		drv_flush_out(d);
		if (d->state == DRV_REAP)
			return;
		if (d->state == DRV_RUN)
			drv_arm(d);
	}
	if (revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR))
		read_in(d, revents);
}

void
fz_drive_start(const struct fz_env *env, struct fz_sess *sess, fz_done_fn done, void *arg)
{
	struct drv *d = xmalloc(sizeof(*d));
	memset(d, 0, sizeof(*d));
	d->env = *env;
	d->sess = sess;
	d->done = done;
	d->arg = arg;
	d->fd = d->errfd = -1;
	d->cov_slot = -1;
	d->t0 = util_now_ms();
	set_join(d);
	d->obs = xmalloc(sizeof(*d->obs));
	memset(d->obs, 0, sizeof(*d->obs));
	d->obs->n_acts = sess->n;
	d->obs->tls_act = xmalloc((sess->n + 1) * sizeof(int));
	memset(d->obs->tls_act, 0, (sess->n + 1) * sizeof(int));
	buf_init(&d->in);
	buf_init(&d->out);
	fz_errlog_init(&d->errlog);
	fz_frame_init(&d->fr);
	if (env->target->kind == TP_EXEC) {
		char why[256];
		if (env->cov && (d->cov_slot = fz_cov_take(env->cov)) >= 0)
			fz_cov_env(env->cov, d->cov_slot);
		d->fd = tp_spawn_stderr(env->target, &d->pid, &d->errfd, why, sizeof(why));
		if (d->cov_slot >= 0)
			fz_cov_env(env->cov, -1);
		if (d->fd < 0) {
			drv_finish(d, FZ_END_ERROR, "%s", why);
			return;
		}
		d->pgid = d->pid;
		if (d->errfd >= 0)
			loop_watch(env->loop, d->errfd, POLLIN, on_io, d);
		connected(d);
		return;
	}
	try_connect(d);
}

void
fz_obs_free(struct fz_obs *o)
{
	if (!o)
		return;
	free(o->got);
	free(o->tls_act);
	free(o->stderr_text);
	free(o);
}
