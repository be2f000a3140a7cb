/*
 * catalogue.h - the requirement catalogue (docs/catalogue.md): the rows of
 * its Markdown tables whose first cell is an id such as "TM-01" or
 * "TLS-07".  `list --coverage` matches them against the scenarios' refs.
 * The same reader takes any Markdown file of such rows (the coverage gaps
 * in docs/catalogue-gaps.md: id, then why no scenario covers it).
 *
 * A struct cat owns every string it points to; cat_free() releases them.
 */
#ifndef SMTPH_CATALOGUE_H
#define SMTPH_CATALOGUE_H

#include <stddef.h>

/* Flags the catalogue writes into a row as [oracle], [cfg], ... */
enum cat_flag {
	CAT_ORACLE = 1 << 0,  /* needs a delivery oracle */
	CAT_CFG = 1 << 1,     /* needs the target configured a particular way */
	CAT_PROFILE = 1 << 2, /* depends on the server's role */
	CAT_UNSURE = 1 << 3,  /* the catalogue's reading of the RFC is unsure */
	CAT_LENIENT = 1 << 4, /* real servers deviate on purpose: warn, never fail */
};

#define CAT_MAX_CELLS 6

struct cat_row {
	char *id;                     /* first cell, e.g. "TM-01" */
	char *cells[CAT_MAX_CELLS];   /* the cells after the id, trimmed; NULL past the last */
	unsigned flags;               /* enum cat_flag, from any cell */
	int line;                     /* 1-based line in the file */
};

struct cat {
	struct cat_row *rows;
	size_t n;
};

/* Parse Markdown text data[0..len) (not NUL-terminated; any bytes) and append
 * each table row whose first cell is a catalogue id.  Other lines are
 * ignored; a later row with an id already seen is skipped.  Returns the
 * number of rows added. */
size_t cat_parse(struct cat *c, const char *data, size_t len);

/* Read and parse the file at path.  Returns 0, or -1 with errbuf filled
 * (file missing or unreadable, or holding no rows). */
int cat_load(struct cat *c, const char *path, char *errbuf, size_t errlen);

/* The row with this id (exact), or NULL. */
const struct cat_row *cat_find(const struct cat *c, const char *id);

void cat_free(struct cat *c);

/* The catalogue's areas, its numbered sections ("## 8. DATA, end-of-data,
 * transparency"), each with the id prefix of its rows ("DT").  Reports
 * group scenarios and deviations by them.  A static table, in the
 * catalogue's order; test_catalogue.c checks it against docs/catalogue.md. */
struct cat_area {
	const char *prefix; /* "DT" */
	int number;         /* the section's number, 8 */
	const char *title;  /* "DATA, end-of-data, transparency" */
};

/* The table; *n its length. */
const struct cat_area *cat_areas(size_t *n);

/* The area of catalogue id `id` ("DT-02": the prefix before its last '-'),
 * or NULL for an id of no area (or NULL). */
const struct cat_area *cat_area_of(const char *id);

#endif
