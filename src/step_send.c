/*
 * step_send.c - what the steps that write put on the wire, and the runner
 * of the send-like steps (send, send_raw, pipeline, data).  Each kind has
 * its renderer: the step's text with its ${variables} expanded (escapes
 * decoded where the kind takes them) and the line ends it needs.  The
 * starttls step's write is rendered here too (step_starttls.c).
 */
#include "step_int.h"

#include <string.h>
#include <strings.h>

#include "template.h"
#include "util.h"

/* ---- renderers ---------------------------------------------------------- */

/* Append the step's bytes to out; *ehlo says whether the last command line
 * is EHLO.  NULL, or why the text cannot be expanded. */
typedef const char *(*render_fn)(struct ses *s, const struct scn_step *st, struct buf *out,
    int *ehlo);

static const char *
render_send(struct ses *s, const struct scn_step *st, struct buf *out, int *ehlo)
{
	size_t pos = 0;
	const char *why = tmpl_expand(st->text, st->text_len, 0, ses_var, s, out, &pos);
	buf_puts(out, "\r\n");
	*ehlo = out->len >= 5 && util_ieq(out->data, 4, "EHLO") &&
	    (out->data[4] == ' ' || out->data[4] == '\r');
	return why;
}

static const char *
render_raw(struct ses *s, const struct scn_step *st, struct buf *out, int *ehlo)
{
	size_t pos = 0;
	*ehlo = 0;
	return tmpl_expand(st->text, st->text_len, 1, ses_var, s, out, &pos);
}

static const char *
render_pipeline(struct ses *s, const struct scn_step *st, struct buf *out, int *ehlo)
{
	size_t pos = 0;
	const char *why = NULL;
	for (size_t i = 0; i < st->n_lines && !why; i++) {
		why = tmpl_expand(st->lines[i], strlen(st->lines[i]), 0, ses_var, s, out, &pos);
		buf_puts(out, "\r\n");
	}
	*ehlo = st->n_lines && strncasecmp(st->lines[st->n_lines - 1], "EHLO", 4) == 0;
	return why;
}

/* RFC 5321 4.5.2: dot-stuff; every line ends in CRLF; the last repeat ends
 * the data with CRLF.CRLF. */
static const char *
render_data(struct ses *s, const struct scn_step *st, struct buf *out, int *ehlo)
{
	size_t pos = 0;
	struct buf body;
	buf_init(&body);
	const char *why = tmpl_expand(st->text, st->text_len, 0, ses_var, s, &body, &pos);
	tmpl_data_lines(out, body.data, body.len);
	buf_free(&body);
	if (!why && s->rep + 1 == st->repeat)
		buf_puts(out, ".\r\n");
	*ehlo = 0;
	return why;
}

/* STARTTLS, then the injected bytes (escapes decoded) in the same write:
 * the CVE-2011-0411 probe. */
static const char *
render_starttls(struct ses *s, const struct scn_step *st, struct buf *out, int *ehlo)
{
	size_t pos = 0;
	*ehlo = 0;
	buf_puts(out, "STARTTLS\r\n");
	return st->text ? tmpl_expand(st->text, st->text_len, 1, ses_var, s, out, &pos) : NULL;
}

/* What each step kind that writes puts on the wire. */
static const render_fn renders[] = {
	[SCN_STEP_SEND] = render_send,
	[SCN_STEP_SEND_RAW] = render_raw,
	[SCN_STEP_PIPELINE] = render_pipeline,
	[SCN_STEP_DATA] = render_data,
	[SCN_STEP_STARTTLS] = render_starttls,
};

/* ---- writing ------------------------------------------------------------ */

int
stp_send_step(struct ses *s, const struct scn_step *st)
{
	struct buf bytes;
	int ehlo = 0;
	buf_init(&bytes);
	const char *why = renders[st->kind](s, st, &bytes, &ehlo);
	if (why) {
		buf_free(&bytes);
		ses_fail(s, RES_ERROR, NULL, NULL, "cannot expand the step's text: %s", why);
		return 0;
	}
	s->last_sent_ehlo = ehlo;
	ses_send(s, bytes.data ? bytes.data : "", bytes.len);
	buf_free(&bytes);
	return 1;
}

/* The server closed before a step could send: 1 if it did (the session
 * has ended). */
int
stp_closed_before_send(struct ses *s)
{
	if (!s->eof)
		return 0;
	if (stp_ended_by_server(s, "closed the connection"))
		return 1;
	s->charge = stp_close_rule(s);
	s->charge_session = 1;
	ses_fail(s, RES_FAIL, NULL, "(connection closed)",
	    "the server closed the connection before this step could send");
	return 1;
}

/* The runner of the send-like steps: the step's bytes, rendered by its
 * kind's row of renders[]; the server must not have spoken or closed. */
int
stp_run_send(struct ses *s, const struct ses_op *op)
{
	if (stp_unsolicited(s) || stp_closed_before_send(s))
		return 0;
	if (!stp_send_step(s, op->st))
		return 0;
	stp_next_op(s, 0);
	return 1;
}
