/* catalogue.c - read the requirement catalogue's Markdown table rows. */
#include "catalogue.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "util.h"

/* Files larger than this are not a catalogue (the real one is ~40 KiB). */
#define CAT_MAX_FILE (4u << 20)

static const struct {
	const char *mark;
	unsigned flag;
} cat_marks[] = {
	{ "[oracle]", CAT_ORACLE }, { "[cfg", CAT_CFG }, { "[profile", CAT_PROFILE },
	{ "[unsure", CAT_UNSURE }, { "[lenient", CAT_LENIENT },
};

static char *
cat_trim_dup(const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	return xstrndup(p, n);
}

/* One line "| id | c1 | c2 ... |": split on '|' (a "\|" inside a cell, as
 * Markdown escapes it, is not a separator). */
static void
cat_line(struct cat *c, const char *p, size_t n, int line, size_t *added)
{
	if (n < 2 || p[0] != '|')
		return;
	char *cells[CAT_MAX_CELLS + 1] = { 0 };
	size_t nc = 0, start = 1;
	for (size_t i = 1; i < n && nc < CAT_MAX_CELLS + 1; i++) {
		if (p[i] == '|' && p[i - 1] != '\\') {
			cells[nc++] = cat_trim_dup(p + start, i - start);
			start = i + 1;
		}
	}
	if (nc < 2 || !scn_ref_is_catalogue_id(cells[0]) || strlen(cells[0]) > 15 ||
	    cat_find(c, cells[0])) {
		for (size_t i = 0; i < nc; i++)
			free(cells[i]);
		return;
	}
	struct cat_row r = { .id = cells[0], .line = line };
	for (size_t i = 1; i < nc; i++) {
		r.cells[i - 1] = cells[i];
		for (size_t k = 0; k < sizeof(cat_marks) / sizeof(cat_marks[0]); k++)
			if (strstr(cells[i], cat_marks[k].mark))
				r.flags |= cat_marks[k].flag;
	}
	c->rows = xrealloc(c->rows, (c->n + 1) * sizeof(*c->rows));
	c->rows[c->n++] = r;
	(*added)++;
}

size_t
cat_parse(struct cat *c, const char *data, size_t len)
{
	size_t added = 0, pos = 0;
	int line = 1;
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		cat_line(c, data + pos, end - pos, line, &added);
		pos = end + 1;
		line++;
	}
	return added;
}

int
cat_load(struct cat *c, const char *path, char *errbuf, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	char *data = xmalloc(CAT_MAX_FILE);
	size_t len = fread(data, 1, CAT_MAX_FILE, f);
	int err = ferror(f), big = !err && len == CAT_MAX_FILE && fgetc(f) != EOF;
	fclose(f);
	if (err || big) {
		snprintf(errbuf, errlen, "%s: %s", path, err ? "read error" : "file too large for a catalogue");
		free(data);
		return -1;
	}
	size_t n = cat_parse(c, data, len);
	free(data);
	if (n == 0) {
		snprintf(errbuf, errlen, "%s: no catalogue rows (| ID | ... |) found", path);
		return -1;
	}
	return 0;
}

const struct cat_row *
cat_find(const struct cat *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->rows[i].id, id) == 0)
			return &c->rows[i];
	return NULL;
}

void
cat_free(struct cat *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->rows[i].id);
		for (size_t k = 0; k < CAT_MAX_CELLS; k++)
			free(c->rows[i].cells[k]);
	}
	free(c->rows);
	c->rows = NULL;
	c->n = 0;
}

/* The section headings of docs/catalogue.md, shortened where they carry a
 * remark ("all rows [unsure]"). */
static const struct cat_area cat_area_table[] = {
	{ "GR", 1, "Connection and greeting" },
	{ "RF", 2, "Reply format" },
	{ "TM", 3, "Session termination, QUIT, 421" },
	{ "EH", 4, "EHLO / HELO" },
	{ "CM", 5, "Command syntax and robustness" },
	{ "TX", 6, "Mail transaction sequencing and basic commands" },
	{ "AD", 7, "Addresses and paths" },
	{ "DT", 8, "DATA, end-of-data, transparency" },
	{ "LM", 9, "Size limits" },
	{ "TO", 10, "Timeouts" },
	{ "SZ", 11, "SIZE (RFC 1870)" },
	{ "PL", 12, "PIPELINING (RFC 2920)" },
	{ "8B", 13, "8BITMIME (RFC 6152)" },
	{ "PA", 14, "MAIL/RCPT parameter errors" },
	{ "TLS", 15, "STARTTLS (RFC 3207)" },
	{ "ES", 16, "Enhanced status codes (RFC 2034, RFC 3463)" },
	{ "AU", 17, "AUTH (RFC 4954)" },
	{ "CH", 18, "CHUNKING / BINARYMIME (RFC 3030)" },
	{ "U8", 19, "SMTPUTF8 (RFC 6531)" },
	{ "DS", 20, "DSN (RFC 3461)" },
	{ "CL", 21, "Harness (client-side) obligations" },
};

const struct cat_area *
cat_areas(size_t *n)
{
	*n = sizeof(cat_area_table) / sizeof(cat_area_table[0]);
	return cat_area_table;
}

const struct cat_area *
cat_area_of(const char *id)
{
	const char *dash = id ? strrchr(id, '-') : NULL;
	if (dash == NULL)
		return NULL;
	size_t len = (size_t)(dash - id);
	for (size_t i = 0; i < sizeof(cat_area_table) / sizeof(cat_area_table[0]); i++)
		if (strlen(cat_area_table[i].prefix) == len &&
		    strncmp(cat_area_table[i].prefix, id, len) == 0)
			return &cat_area_table[i];
	return NULL;
}
