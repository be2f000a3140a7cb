/* report.c - the table of report formats: their names (parsing, messages)
 * and the writer each dispatches to. */
#include "report.h"

#include <string.h>

/* One row per format, in enum rep_format order. */
static const struct {
	const char *name;
	int (*write)(FILE *f, const struct rep_run *run, int color);
} rep_writers[] = {
	[REP_TEXT] = { "text", rep_write_text },
	[REP_JSON] = { "json", rep_write_json },
	[REP_JUNIT] = { "junit", rep_write_junit },
	[REP_TAP] = { "tap", rep_write_tap },
	[REP_HTML] = { "html", rep_write_html },
};

#define REP_N_WRITERS (sizeof(rep_writers) / sizeof(rep_writers[0]))

int
rep_format_parse(const char *name, enum rep_format *out)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < REP_N_WRITERS; i++)
		if (strcmp(name, rep_writers[i].name) == 0) {
			*out = (enum rep_format)i;
			return 0;
		}
	return -1;
}

const char *
rep_format_name(enum rep_format f)
{
	return (size_t)f < REP_N_WRITERS ? rep_writers[f].name : "?";
}

void
rep_format_names(struct buf *out)
{
	for (size_t i = 0; i < REP_N_WRITERS; i++)
		buf_printf(out, "%s%s", i ? ", " : "", rep_writers[i].name);
}

int
rep_write(FILE *f, enum rep_format fmt, const struct rep_run *run, int color)
{
	int rc = (size_t)fmt < REP_N_WRITERS ? rep_writers[fmt].write(f, run, color) : -1;

	if (fflush(f) != 0 || ferror(f))
		rc = -1;
	return rc;
}
