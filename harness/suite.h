/*
 * suite.h - the scenarios named on the command line: loaded, checked for
 * duplicate ids, and selected by tags and levels (run, lint, list).
 */
#ifndef SMTPH_SUITE_H
#define SMTPH_SUITE_H

#include "options.h"
#include "scenario.h"

struct suite {
	struct scn **s; /* owned, in file order */
	size_t n;
};

/* Load every scenario under paths (none: datadir_scenarios()), all errors printed as
 * FILE:LINE:COL: error: ...  Returns 0, or -1 when any file has errors.
 * Free *su with suite_free() either way. */
int suite_load(const struct opt_list *paths, struct suite *su);
void suite_free(struct suite *su);

/* 1 if s is selected: it has one of tags (or its id is one; no tags: any),
 * none of skip, and one of levels (none: any). */
int suite_selected(const struct scn *s, const struct opt_list *tags,
    const struct opt_list *skip, const struct opt_list *levels);

#endif
