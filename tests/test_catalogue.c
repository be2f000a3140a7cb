/* test_catalogue.c - the catalogue reader: table rows, flags, bounds. */
#include "catalogue.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *text;
	size_t rows;          /* rows found */
	const char *id;       /* first row's id, cells and flags (if rows) */
	const char *cell0, *cell1, *cell3;
	unsigned flags;
	int line;
} cases[] = {
	{ "", 0, NULL, NULL, NULL, NULL, 0, 0 },
	{ "| id | RFC | level |\n|---|---|---|\n", 0, NULL, NULL, NULL, NULL, 0, 0 },
	{ "| TM-01 | 5321 §3.8 | MUST | QUIT gets 221 | `C:QUIT` → `221` |\n", 1,
	  "TM-01", "5321 §3.8", "MUST", "`C:QUIT` → `221`", 0, 1 },
	{ "text\n\n| 8B-03 | 6152 §3 | — [unsure on code] | x | `a \\| b` [lenient] |\r\n", 1,
	  "8B-03", "6152 §3", "— [unsure on code]", "`a \\| b` [lenient]", CAT_UNSURE | CAT_LENIENT, 3 },
	{ "| TLS-08 | 3207 §4 | SHOULD | y | [cfg][profile submission] z |", 1,
	  "TLS-08", "3207 §4", "SHOULD", "[cfg][profile submission] z", CAT_CFG | CAT_PROFILE, 1 },
	{ "| DT-05 | 5321 §4.4 | MUST | w | [oracle] v |\n| DT-05 | again | x |\n| CM-02 | a | b |\n", 2,
	  "DT-05", "5321 §4.4", "MUST", "[oracle] v", CAT_ORACLE, 1 },
	/* Not ids: lower case, no letters, no dash, a lone cell. */
	{ "| tm-01 | a |\n| 12-01 | a |\n| TM01 | a |\n| TM-01 |\n|", 0, NULL, NULL, NULL, NULL, 0, 0 },
	/* A row cut short (no closing bar): the cells before it count. */
	{ "| GR-01 | 5321 §3.1 | SHOULD", 1, "GR-01", "5321 §3.1", NULL, NULL, 0, 1 },
};

static void
test_rows(void)
{
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct tu_guard g;
		size_t len = strlen(cases[i].text);
		const char *p = tu_guarded(&g, cases[i].text, len);
		struct cat c = { 0 };
		size_t n = cat_parse(&c, p, len);
		CU_ASSERT_EQUAL(n, cases[i].rows);
		CU_ASSERT_EQUAL(c.n, cases[i].rows);
		if (n != cases[i].rows)
			fprintf(stderr, "\ncase %zu: %zu rows\n", i, n);
		if (n && cases[i].id) {
			const struct cat_row *r = cat_find(&c, cases[i].id);
			CU_ASSERT_PTR_EQUAL(r, &c.rows[0]);
			CU_ASSERT_STRING_EQUAL(c.rows[0].cells[0], cases[i].cell0);
			if (cases[i].cell1) {
				CU_ASSERT_STRING_EQUAL(c.rows[0].cells[1], cases[i].cell1);
			} else {
				CU_ASSERT_PTR_NULL(c.rows[0].cells[1]);
			}
			if (cases[i].cell3)
				CU_ASSERT_STRING_EQUAL(c.rows[0].cells[3], cases[i].cell3);
			CU_ASSERT_EQUAL(c.rows[0].flags, cases[i].flags);
			CU_ASSERT_EQUAL(c.rows[0].line, cases[i].line);
		}
		CU_ASSERT_PTR_NULL(cat_find(&c, "XX-99"));
		cat_free(&c);
		tu_unguard(&g);
	}
}

/* The project's own catalogue: every id of its tables, once. */
static void
test_project_catalogue(void)
{
	struct cat c = { 0 };
	char err[256];
	CU_ASSERT_EQUAL_FATAL(cat_load(&c, "docs/catalogue.md", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.n, 191); /* the count the catalogue states */
	CU_ASSERT_PTR_NOT_NULL(cat_find(&c, "8B-06"));
	CU_ASSERT_PTR_NOT_NULL(cat_find(&c, "CL-11"));
	const struct cat_row *r = cat_find(&c, "DT-05");
	CU_ASSERT(r && (r->flags & CAT_ORACLE));
	cat_free(&c);
	CU_ASSERT_EQUAL(cat_load(&c, "docs/no-such-file.md", err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "cannot open") != NULL);
	CU_ASSERT_EQUAL(cat_load(&c, "Makefile", err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "no catalogue rows") != NULL);
}

/* The area table against docs/catalogue.md: each numbered section's
 * heading begins with its area's number and title, every id row under it
 * has that area's prefix, and every row has an area. */
static void
test_areas(void)
{
	size_t na;
	const struct cat_area *a = cat_areas(&na);
	CU_ASSERT_EQUAL(na, 21);
	CU_ASSERT_PTR_EQUAL(cat_area_of("TLS-07"), &a[14]);
	CU_ASSERT_PTR_EQUAL(cat_area_of("8B-06"), &a[12]);
	CU_ASSERT_PTR_NULL(cat_area_of("T-01"));
	CU_ASSERT_PTR_NULL(cat_area_of("TX"));
	CU_ASSERT_PTR_NULL(cat_area_of(NULL));

	FILE *f = fopen("docs/catalogue.md", "r");
	CU_ASSERT_FATAL(f != NULL);
	char line[4096];
	const struct cat_area *cur = NULL;
	size_t headings = 0, rows = 0, bad = 0;
	while (fgets(line, sizeof(line), f)) {
		int num;
		if (sscanf(line, "## %d. ", &num) == 1) {
			cur = NULL;
			for (size_t i = 0; i < na; i++)
				if (a[i].number == num)
					cur = &a[i];
			char want[256];
			snprintf(want, sizeof(want), "## %d. %s", num, cur ? cur->title : "?");
			if (!cur || strncmp(line, want, strlen(want)) != 0) {
				fprintf(stderr, "\narea table: %s does not begin the heading %s", want, line);
				bad++;
			}
			headings++;
			continue;
		}
		if (strncmp(line, "## ", 3) == 0)
			cur = NULL; /* the unnumbered sections after the tables */
		struct cat c = { 0 };
		if (cat_parse(&c, line, strlen(line)) == 1) {
			const struct cat_area *ar = cat_area_of(c.rows[0].id);
			if (ar == NULL || ar != cur) {
				fprintf(stderr, "\narea table: %s is under section %d", c.rows[0].id,
				    cur ? cur->number : 0);
				bad++;
			}
			rows++;
		}
		cat_free(&c);
	}
	fclose(f);
	CU_ASSERT_EQUAL(headings, na);
	CU_ASSERT_EQUAL(rows, 191);
	CU_ASSERT_EQUAL(bad, 0);
}

int
main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite s = CU_add_suite("catalogue", NULL, NULL);
	CU_add_test(s, "table rows", test_rows);
	CU_add_test(s, "the project's catalogue", test_project_catalogue);
	CU_add_test(s, "the catalogue's areas", test_areas);
	return tu_run();
}
