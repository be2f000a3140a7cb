/* suite.c - loading and selecting the scenarios a subcommand works on. */
#include "suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datadir.h"
#include "loader.h"
#include "util.h"

void
suite_free(struct suite *su)
{
	for (size_t i = 0; i < su->n; i++)
		scn_free(su->s[i]);
	free(su->s);
	su->s = NULL;
	su->n = 0;
}

int
suite_load(const struct opt_list *paths, struct suite *su)
{
	struct load_diag d;
	load_diag_init(&d);
	char **files = NULL;
	size_t nfiles = 0;
	char *def[] = { (char *)datadir_scenarios() };
	if (paths->n)
		load_collect_paths(paths->v, paths->n, &files, &nfiles, &d);
	else
		load_collect_paths(def, 1, &files, &nfiles, &d);
	for (size_t i = 0; i < nfiles; i++) {
		struct scn *s = load_scenario_file(files[i], &d);
		if (!s)
			continue;
		su->s = xrealloc(su->s, (su->n + 1) * sizeof(*su->s));
		su->s[su->n++] = s;
		load_check_ids(su->s, su->n, su->n - 1, &d);
	}
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	if (nfiles == 0 && d.n_errors == 0)
		load_diag_add(&d, paths->n ? paths->v[0] : def[0], 1, 1, "no scenario files (*.yaml) found");
	int rc = d.n_errors ? -1 : 0;
	if (d.n_errors)
		fputs(d.text.data, stderr);
	load_diag_free(&d);
	return rc;
}

int
suite_selected(const struct scn *s, const struct opt_list *tags, const struct opt_list *skip,
    const struct opt_list *levels)
{
	if (tags->n) {
		int any = 0;
		for (size_t i = 0; i < tags->n; i++)
			any |= scn_has_tag(s, tags->v[i]) || strcmp(s->id, tags->v[i]) == 0;
		if (!any)
			return 0;
	}
	for (size_t i = 0; i < skip->n; i++)
		if (scn_has_tag(s, skip->v[i]))
			return 0;
	if (levels->n && !opt_list_has(levels, scn_level_name(s->level)))
		return 0;
	return 1;
}
