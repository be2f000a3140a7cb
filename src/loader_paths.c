/*
 * loader_paths.c - the scenario files a PATH names: a file itself, a folder
 * every *.yaml below it (hidden entries skipped), sorted by name.
 */
#include "loader.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
walk(const char *dir, char ***out, size_t *nout, int depth)
{
	if (depth > 16)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *p = xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			walk(p, out, nout, depth + 1);
			free(p);
		} else if (strlen(e->d_name) > 5 &&
		    strcmp(e->d_name + strlen(e->d_name) - 5, ".yaml") == 0) {
			*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
			(*out)[(*nout)++] = p;
		} else
			free(p);
	}
	closedir(d);
}

int
load_collect_paths(char *const *paths, size_t n, char ***out, size_t *nout, struct load_diag *diag)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) != 0) {
			load_diag_add(diag, paths[i], 1, 1, "cannot read: %s", strerror(errno));
			rc = -1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			size_t first = *nout;
			walk(paths[i], out, nout, 0);
			qsort(*out + first, *nout - first, sizeof(**out), cmp_str);
		} else {
			*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
			(*out)[(*nout)++] = xstrdup(paths[i]);
		}
	}
	return rc;
}
