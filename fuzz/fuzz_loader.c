/*
 * fuzz_loader.c - the YAML scenario loader (src/loader.h) on arbitrary
 * bytes, with the file loader's size limit (LOAD_MAX_FILE; bigger input is
 * what load_scenario_file() refuses before parsing).  Checks the loader's
 * contract: a scenario comes back exactly when no error was added, every
 * error is one "NAME:LINE:COL: error: ..." line, and a loaded scenario has
 * the required fields within the documented limits (loader.c: repeat
 * 1..100000, seconds 0..3600).
 */
#include <string.h>

#include "fuzz.h"
#include "loader.h"

#define NAME "fuzz.yaml"

static void
check_diag(const struct load_diag *d)
{
	size_t lines = 0;

	if (d->text.len == 0) {
		FUZZ_CHECK(d->n_errors == 0, "%zu errors without text", d->n_errors);
		return;
	}
	const char *p = d->text.data, *end = p + d->text.len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		FUZZ_CHECK(nl != NULL, "diagnostic without a final newline");
		FUZZ_CHECK((size_t)(nl - p) > sizeof(NAME) && memcmp(p, NAME ":", sizeof(NAME)) == 0,
		    "diagnostic '%.*s' does not start with the file name", (int)(nl - p), p);
		unsigned line = 0, col = 0;
		int used = 0;
		FUZZ_CHECK(sscanf(p + sizeof(NAME), "%u:%u: error: %n", &line, &col, &used) == 2 &&
		    used > 0 && line >= 1 && col >= 1,
		    "diagnostic '%.*s' is not FILE:LINE:COL: error:", (int)(nl - p), p);
		p = nl + 1;
		lines++;
	}
	/* A message may hold a quoted newline only if it says so; one error
	 * per line is the contract. */
	FUZZ_CHECK(lines == d->n_errors, "%zu diagnostic lines for %zu errors", lines, d->n_errors);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct load_diag diag;

	if (size > LOAD_MAX_FILE)
		return 0;
	load_diag_init(&diag);
	struct scn *s = load_scenario_mem(NAME, (const char *)data, size, &diag);
	FUZZ_CHECK((s == NULL) == (diag.n_errors > 0), "scenario %p with %zu errors",
	    (void *)s, diag.n_errors);
	check_diag(&diag);
	if (s) {
		FUZZ_CHECK(s->id && s->id[0] && s->title && s->n_refs >= 1 && s->n_steps >= 1,
		    "a required field is missing");
		FUZZ_CHECK(s->timeout >= 0 && s->timeout <= 3600, "timeout %g", s->timeout);
		for (size_t i = 0; i < s->n_steps; i++) {
			const struct scn_step *st = &s->steps[i];
			FUZZ_CHECK(st->repeat >= 1 && st->repeat <= 100000, "repeat %u", st->repeat);
			FUZZ_CHECK(st->seconds >= 0 && st->seconds <= 3600, "seconds %g", st->seconds);
			FUZZ_CHECK(st->line >= 1 && st->col >= 1, "step at %d:%d", st->line, st->col);
			FUZZ_CHECK(scn_step_kind_name(st->kind) != NULL, "step kind %d", (int)st->kind);
		}
	}
	scn_free(s);
	load_diag_free(&diag);
	return 0;
}
