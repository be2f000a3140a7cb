/*
 * fz_drive_tls.c - a fuzz session's STARTTLS handshake (fz_drive_int.h):
 * its start, its end, and what the server sent instead of TLS.
 */
#include "fz_drive_int.h"

#include <stdio.h>
#include <string.h>

#include "result.h"
#include "tls.h"

/* The first bytes the server sends after its 220 to STARTTLS, behind the
 * 220 (before the handshake: behind_220) or where the handshake reads
 * them: `run` judges a failed handshake by them (fz_oracle_tls_first),
 * and they go in the detail.  A few bytes: only the first one decides. */
void
drv_keep_first(struct drv *d, const char *b, size_t n)
{
	struct fz_obs *o = d->obs;
	if (!fz_frame_tls_due(&d->fr))
		return;
	size_t room = FZ_TLS_FIRST - o->tls_first_n;
	if (n > room)
		n = room;
	memcpy(o->tls_first + o->tls_first_n, b, n);
	o->tls_first_n += n;
}

/* The handshake failed (why): the session ends, and after a 220 to
 * STARTTLS its detail shows what the server sent first, rendered as `run`
 * renders what came instead of a handshake. */
void
drv_tls_fail(struct drv *d, const char *why)
{
	const struct fz_obs *o = d->obs;
	if (!o->starttls_hs) {
		drv_finish(d, FZ_END_TLS, "%s", why);
		return;
	}
	if (!o->tls_first_n) {
		drv_finish(d, FZ_END_TLS, "%s; after its 220 to STARTTLS the server sent nothing", why);
		return;
	}
	struct buf first;
	buf_init(&first);
	res_render(&first, (const char *)o->tls_first, o->tls_first_n);
	drv_finish(d, FZ_END_TLS, "%s; after its 220 to STARTTLS the server sent \"%s\"%s", why,
	    first.data, o->tls_first_n == FZ_TLS_FIRST ? "..." : "");
	buf_free(&first);
}

void
drv_handshake(struct drv *d)
{
	char why[256], what[300];
	enum tls_hs hs = tls_handshake(d->tls, why, sizeof(why));
	tls_drain(d->tls, &d->out);
	drv_flush_out(d);
	if (hs == TLS_HS_FAILED) {
		snprintf(what, sizeof(what), "TLS handshake: %s", why);
		drv_tls_fail(d, what);
		return;
	}
	if (hs == TLS_HS_MORE) {
		d->state = DRV_HANDSHAKE;
		drv_arm(d);
		return;
	}
	d->tls_up = 1;
	d->obs->starttls_hs = 0;
	d->obs->tls_made++;
	d->obs->tls_resumed += (unsigned)tls_conn_resumed(d->tls);
	d->state = DRV_RUN;
	if (d->next > 0)
		d->obs->tls_act[d->next - 1] = 1;
	fz_frame_tls_done(&d->fr);
	drv_pump(d);
}

void
drv_start_tls(struct drv *d)
{
	d->obs->starttls_hs = 1;
	d->tls = tls_conn_new(d->env.tls_ctx, 0,
	    d->env.target->kind == TP_SMTP ? d->env.target->host : NULL);
	drv_handshake(d);
}

