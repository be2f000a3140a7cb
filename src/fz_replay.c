/*
 * fz_replay.c - the replay command of a finding (fz_replay.h).
 */
#include "fz_replay.h"

#include <string.h>

#include "fz_campaign.h"

/* Bytes a POSIX shell takes literally in an unquoted word. */
static int
plain_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c && strchr("%+,-./:=@_", c));
}

static int
printable(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* s as printf(1)'s format, in single quotes: % as %%, \ as \\, a quote
 * and what is not printable ASCII as \ooo. */
static void
printf_word(struct buf *b, const char *s)
{
	buf_puts(b, "\"$(printf '");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == '%' || *p == '\\')
			buf_printf(b, "%c%c", *p, *p);
		else if (printable(*p) && *p != '\'')
			buf_append(b, p, 1);
		else
			buf_printf(b, "\\%03o", *p);
	buf_puts(b, "')\"");
}

void
fz_shell_word(struct buf *b, const char *s)
{
	size_t n = strlen(s), plain = 0, shown = 0;
	for (size_t i = 0; i < n; i++) {
		plain += plain_byte((unsigned char)s[i]);
		shown += printable((unsigned char)s[i]);
	}
	if (n && plain == n) {
		buf_puts(b, s);
		return;
	}
	if (shown < n) {
		printf_word(b, s);
		return;
	}
	buf_puts(b, "'");
	for (const char *p = s; *p; p++)
		if (*p == '\'')
			buf_puts(b, "'\\''");
		else
			buf_append(b, p, 1);
	buf_puts(b, "'");
}

/* " NAME VALUE", VALUE as a word; nothing when val is NULL. */
static void
option(struct buf *b, const char *name, const char *val)
{
	if (!val)
		return;
	buf_printf(b, " %s ", name);
	fz_shell_word(b, val);
}

static void
tls_options(struct buf *b, const struct tls_opts *t)
{
	if (!t)
		return;
	if (t->verify)
		buf_puts(b, " --tls-verify");
	option(b, "--tls-ca", t->ca_file);
	option(b, "--tls-servername", t->servername);
	option(b, "--tls-min", tls_version_name(t->min_version));
	option(b, "--tls-max", tls_version_name(t->max_version));
	option(b, "--tls-cert", t->cert_file);
	option(b, "--tls-key", t->key_file);
}

void
fz_replay_cmd(struct buf *b, const struct fz_opts *o, const char *file)
{
	buf_puts(b, "smtp-harness run");
	option(b, "--target", o->target->url);
	option(b, "--profile", o->profile);
	for (size_t i = o->n_profile_vars; i < o->n_vars; i++) {
		struct buf kv;
		buf_init(&kv);
		buf_printf(&kv, "%s=%s", o->vars[i].name, o->vars[i].value);
		option(b, "--var", kv.data);
		buf_free(&kv);
	}
	if (o->timeout > 0)
		buf_printf(b, " --timeout %g", o->timeout);
	if (o->max_reply_line)
		buf_printf(b, " --max-reply-line %zu", o->max_reply_line);
	if (o->max_reply_lines)
		buf_printf(b, " --max-reply-lines %zu", o->max_reply_lines);
	tls_options(b, o->tls);
	buf_puts(b, " ");
	if (file)
		fz_shell_word(b, file);
	else
		buf_puts(b, "FILE");
}
