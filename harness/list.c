/*
 * list.c - the subcommands that read scenarios without running them: lint
 * (do they load?), list (ids, levels, refs) and list --coverage (which
 * catalogue ids the suite covers, and why the rest are not).
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "catalogue.h"
#include "datadir.h"
#include "harness.h"
#include "options.h"
#include "suite.h"

int
cmd_lint(int argc, char **argv)
{
	struct opt_values v = { 0 };
	int rc = opt_parse(OPT_LINT, argc, argv, &v);
	if (rc == 0 && v.paths.n == 0)
		rc = cmd_usage_error("lint needs at least one PATH");
	if (rc != 0) {
		opt_values_free(&v);
		return rc;
	}
	struct suite su = { 0 };
	rc = suite_load(&v.paths, &su);
	if (rc == 0)
		printf("%zu scenario%s, no errors\n", su.n, su.n == 1 ? "" : "s");
	suite_free(&su);
	opt_values_free(&v);
	return rc == 0 ? EXIT_PASS : EXIT_USAGE;
}

/* Print a cell cut to width w (catalogue cells can be long). */
static void
print_cell(const char *s, int w)
{
	int shown = 0;
	size_t i = 0;
	for (; s && s[i]; i++) {
		if (((unsigned char)s[i] & 0xC0) == 0x80)
			continue; /* a UTF-8 continuation byte: no column of its own */
		if (shown == w - 1 && s[i + 1]) {
			size_t rest = i + 1;
			while (s[rest] && ((unsigned char)s[rest] & 0xC0) == 0x80)
				rest++;
			if (s[rest]) {
				printf("%.*s~", (int)i, s);
				return;
			}
		}
		shown++;
	}
	printf("%s%*s", s ? s : "", w - shown, "");
}

/* Ids cited by a scenario or named in the gaps file that the catalogue
 * lacks, each printed; returns how many. */
static size_t
coverage_unknown(const struct suite *su, const struct cat *cat, const struct cat *gaps,
    const char *catalogue, const char *gaps_file)
{
	size_t unknown = 0;
	for (size_t i = 0; i < su->n; i++)
		for (size_t k = 0; k < su->s[i]->n_refs; k++) {
			const char *r = su->s[i]->refs[k];
			if (scn_ref_is_catalogue_id(r) && !cat_find(cat, r)) {
				fprintf(stderr, "%s: error: scenario %s cites %s, which is not in %s\n",
				    su->s[i]->file, su->s[i]->id, r, catalogue);
				unknown++;
			}
		}
	for (size_t g = 0; g < gaps->n; g++)
		if (!cat_find(cat, gaps->rows[g].id)) {
			fprintf(stderr, "%s:%d: error: %s is not in %s\n", gaps_file, gaps->rows[g].line,
			    gaps->rows[g].id, catalogue);
			unknown++;
		}
	return unknown;
}

/* One catalogue row: id, level, flags, and the scenarios citing it or why
 * none does.  Returns 1 if covered; *explained counts reasons given. */
static int
coverage_row(const struct suite *su, const struct opt_list *tags, const struct cat_row *row,
    const struct cat *gaps, size_t *explained)
{
	static const char *const fl[] = { "oracle", "cfg", "profile", "unsure", "lenient" };
	struct opt_list none = { 0 };
	struct buf who;
	buf_init(&who);
	for (size_t s = 0; s < su->n; s++) {
		if (!suite_selected(su->s[s], tags, &none, &none))
			continue;
		for (size_t k = 0; k < su->s[s]->n_refs; k++)
			if (strcmp(su->s[s]->refs[k], row->id) == 0) {
				buf_printf(&who, "%s%s", who.len ? ", " : "", su->s[s]->id);
				break;
			}
	}
	char flags[64] = "";
	for (size_t f = 0; f < 5; f++)
		if (row->flags & (1u << f))
			snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "%s%s",
			    flags[0] ? "," : "", fl[f]);
	printf("%-7s ", row->id);
	print_cell(row->cells[1], 14);
	printf(" %-10s ", flags[0] ? flags : "-");
	int covered = who.len > 0;
	if (covered) {
		printf("%s\n", who.data);
	} else {
		const struct cat_row *gap = cat_find(gaps, row->id);
		*explained += gap != NULL;
		printf("NOT COVERED%s%s\n", gap ? ": " : "", gap && gap->cells[0] ? gap->cells[0] : "");
	}
	buf_free(&who);
	return covered;
}

/* list --coverage: every catalogue id, the scenarios that cite it, and for
 * the rest the reason from the gaps file. */
static int
list_coverage(const struct suite *su, const struct opt_values *v)
{
	struct cat cat = { 0 }, gaps = { 0 };
	char err[512];
	int rc = EXIT_USAGE;
	if (cat_load(&cat, v->catalogue, err, sizeof(err)) != 0) {
		fprintf(stderr, "smtp-harness: %s\n", err);
		return EXIT_USAGE;
	}
	if (cat_load(&gaps, v->gaps, err, sizeof(err)) != 0 && v->gaps_given) {
		fprintf(stderr, "smtp-harness: %s\n", err);
		goto out;
	}
	if (coverage_unknown(su, &cat, &gaps, v->catalogue, v->gaps))
		goto out;
	size_t covered = 0, explained = 0;
	printf("%-7s %-14s %-10s %s\n", "ID", "LEVEL", "FLAGS", "SCENARIOS (or why none)");
	for (size_t i = 0; i < cat.n; i++)
		covered += (size_t)coverage_row(su, &v->tags, &cat.rows[i], &gaps, &explained);
	printf("catalogue: %zu ids (%s)\ncovered:   %zu ids\nuncovered: %zu ids, %zu of them with a reason (%s)\n",
	    cat.n, v->catalogue, covered, cat.n - covered, explained, v->gaps);
	rc = EXIT_PASS;
out:
	cat_free(&cat);
	cat_free(&gaps);
	return rc;
}

/* Plain list: id, level and title, refs under them, then the counts. */
static void
list_scenarios(const struct suite *su, const struct opt_list *tags)
{
	struct opt_list none = { 0 };
	size_t shown = 0, per[3] = { 0 };
	for (size_t i = 0; i < su->n; i++) {
		const struct scn *s = su->s[i];
		if (!suite_selected(s, tags, &none, &none))
			continue;
		struct buf refs;
		buf_init(&refs);
		for (size_t k = 0; k < s->n_refs; k++)
			buf_printf(&refs, "%s%s", k ? ", " : "", s->refs[k]);
		printf("%-44s %-6s %s\n%-44s        [%s]\n", s->id, scn_level_name(s->level), s->title,
		    "", refs.data ? refs.data : "");
		buf_free(&refs);
		shown++;
		if (s->level <= SCN_MAY)
			per[s->level]++;
	}
	printf("%zu scenario%s (%zu must, %zu should, %zu may)\n", shown, shown == 1 ? "" : "s",
	    per[SCN_MUST], per[SCN_SHOULD], per[SCN_MAY]);
}

int
cmd_list(int argc, char **argv)
{
	char cat[4096], gaps[4096];
	struct opt_values v = {
		.catalogue = datadir_file("docs/catalogue.md", "catalogue.md", cat, sizeof(cat)),
		.gaps = datadir_file("docs/catalogue-gaps.md", "catalogue-gaps.md", gaps, sizeof(gaps)),
	};
	struct suite su = { 0 };
	int rc = opt_parse(OPT_LIST, argc, argv, &v);
	if (rc == 0 && suite_load(&v.paths, &su) != 0)
		rc = EXIT_USAGE;
	if (rc == 0 && v.coverage)
		rc = list_coverage(&su, &v);
	else if (rc == 0)
		list_scenarios(&su, &v.tags);
	suite_free(&su);
	opt_values_free(&v);
	return rc;
}
