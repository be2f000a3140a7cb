/*
 * fuzz_ehlo.c - the EHLO capability parser (src/ehlo.h) on whatever the
 * reply parser accepts: the input is a server's reply to EHLO.  Checks
 * that every stored keyword and parameter is a NUL-terminated copy of its
 * line, that a reply without a reason keeps every line, that ehlo_find()
 * finds each stored keyword in any case, and that ehlo_size() agrees with
 * a plain decimal reading of the SIZE parameter.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "ehlo.h"
#include "fuzz.h"

#define LINES_CAP 128

static struct ehlo_caps caps;

static void
check_size(void)
{
	const struct ehlo_cap *c = ehlo_find(&caps, "size");
	uint64_t limit = 1, v = 0;
	int rc = ehlo_size(&caps, &limit), ok = 1;

	if (!c) {
		FUZZ_CHECK(rc == 0 && limit == 0, "no SIZE, yet %d", rc);
		return;
	}
	for (const char *p = c->params; *p; p++) {
		if (!isdigit((unsigned char)*p) || v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) {
			ok = 0;
			break;
		}
		v = v * 10 + (uint64_t)(*p - '0');
	}
	FUZZ_CHECK(rc == (ok ? 1 : -1), "SIZE '%s' gave %d", c->params, rc);
	if (ok)
		FUZZ_CHECK(limit == v, "SIZE '%s' read as %llu", c->params,
		    (unsigned long long)limit);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply_line lines[LINES_CAP];
	struct reply r = { .lines = lines, .lines_cap = LINES_CAP };
	ssize_t n = reply_parse((const char *)data, size, NULL, &r, NULL);
	size_t i;

	if (n <= 0 || r.n_lines > LINES_CAP) {
		/* Lines not all stored must be refused, not half read. */
		if (n > 0) {
			FUZZ_CHECK(ehlo_parse(&r, &caps) != NULL, "unstored lines accepted");
			FUZZ_CHECK(caps.n == 0, "caps from unstored lines");
		}
		return 0;
	}
	const char *why = ehlo_parse(&r, &caps);

	FUZZ_CHECK(r.code == 250 || why != NULL, "a %d reply accepted", r.code);
	FUZZ_CHECK(caps.n <= EHLO_MAX_CAPS && caps.n + 1 <= r.n_lines,
	    "%zu caps from %zu lines", caps.n, r.n_lines);
	FUZZ_CHECK(memchr(caps.domain, '\0', sizeof(caps.domain)) != NULL, "domain not terminated");
	if (caps.domain[0])
		FUZZ_CHECK(strncmp(caps.domain, lines[0].text, strlen(caps.domain)) == 0,
		    "domain is not the first word");
	if (why == NULL)
		FUZZ_CHECK(caps.n == r.n_lines - 1, "%zu caps from %zu lines without a reason",
		    caps.n, r.n_lines);
	for (i = 0; i < caps.n; i++) {
		const struct ehlo_cap *c = &caps.cap[i];
		size_t kl = strnlen(c->keyword, sizeof(c->keyword));
		size_t pl = strnlen(c->params, sizeof(c->params));

		FUZZ_CHECK(kl > 0 && kl < sizeof(c->keyword), "keyword length %zu", kl);
		FUZZ_CHECK(pl < sizeof(c->params), "params not terminated");
		const struct ehlo_cap *f = ehlo_find(&caps, c->keyword);
		FUZZ_CHECK(f != NULL && strcasecmp(f->keyword, c->keyword) == 0,
		    "'%s' not found", c->keyword);
		if (why == NULL) {
			/* Round trip: keyword [SP params] is the line. */
			const struct reply_line *l = &lines[i + 1];
			FUZZ_CHECK(l->len == kl + (pl ? pl + 1 : 0) &&
			    memcmp(l->text, c->keyword, kl) == 0 &&
			    (pl == 0 || (l->text[kl] == ' ' &&
			    memcmp(l->text + kl + 1, c->params, pl) == 0)),
			    "line %zu is not keyword SP params", i + 1);
		}
	}
	check_size();
	(void)ehlo_has_auth_mech(&caps, "PLAIN");
	(void)ehlo_has_auth_mech(&caps, "");
	return 0;
}
