/*
 * failfast.c - the decisions of failfast.h: pure, no I/O.
 */
#include "failfast.h"

#include <stdio.h>
#include <string.h>

#include "syntax.h"

enum ff_wait
ff_observe(struct ff *f, const struct ff_outcome *o)
{
	if (f->dead != FF_NONE || !o->judged)
		return FF_NONE;
	const char *rule = o->rule ? o->rule : "";
	const char *verb = o->timeout == FF_STEP_REPLY && o->verb ? o->verb : "";
	if (o->timeout == FF_NONE || (o->timeout == FF_STEP_REPLY && !*verb)) {
		/* A result judged otherwise: the server ends its waits. */
		f->last = FF_NONE;
		f->streak = 0;
		return FF_NONE;
	}
	if (o->timeout == f->last && strcmp(rule, f->rule) == 0 &&
	    strncmp(verb, f->verb, sizeof(f->verb) - 1) == 0)
		f->streak++;
	else {
		f->last = o->timeout;
		snprintf(f->rule, sizeof(f->rule), "%s", rule);
		snprintf(f->verb, sizeof(f->verb), "%s", verb);
		f->streak = 1;
	}
	if (f->streak < FF_STREAK)
		return FF_NONE;
	f->dead = o->timeout;
	return f->dead;
}

static const char *
session_wait_text(enum ff_wait w)
{
	switch (w) {
	case FF_NONE:
	case FF_STEP_REPLY:
		break;
	case FF_OPENING:
		return "the server does not complete the opening (no greeting, or no end to its "
		    "reply to EHLO/HELO) within --timeout";
	case FF_QUIT_REPLY:
		return "the server does not answer QUIT within --timeout (RFC 5321 4.1.1.10: 221, "
		    "then the close)";
	case FF_QUIT_CLOSE:
		return "the server does not close the connection after its 221 to QUIT within "
		    "--timeout (RFC 5321 4.1.1.10)";
	case FF_CLOSE_AFTER_421:
		return "the server does not close the connection after its 421 within --timeout "
		    "(RFC 5321 3.8)";
	}
	return "";
}

const char *
ff_describe(enum ff_wait w, const char *verb, char *buf, size_t len)
{
	if (w == FF_STEP_REPLY)
		snprintf(buf, len, "the server sends no reply within --timeout once %s is the last "
		    "command sent (RFC 5321 4.2: every command gets a reply)", verb && *verb ? verb : "(none)");
	else
		snprintf(buf, len, "%s", session_wait_text(w));
	return buf;
}

int
ff_retry_after_421(unsigned *jobs, unsigned started_at, size_t open)
{
	if (open == 0 || open >= started_at)
		return 0;
	if (open < *jobs)
		*jobs = (unsigned)open; /* the ones it took; this one was too many */
	return 1;
}

void
ff_write_verb(const char *data, size_t len, char *out, size_t outlen)
{
	struct syn_command c;
	if (outlen == 0)
		return;
	out[0] = '\0';
	if (len < 2 || data[len - 2] != '\r' || data[len - 1] != '\n' ||
	    memchr(data, '\n', len - 1) != NULL)
		return;
	if (len == 3 && data[0] == '.') {
		snprintf(out, outlen, ".");
		return;
	}
	if (syn_split_command(data, len - 2, &c) == NULL && c.verb != SYN_UNKNOWN)
		snprintf(out, outlen, "%s", syn_verb_name(c.verb));
}
