/* datadir.c - the lookup order of datadir.h: checkout first, then DATADIR. */
#include "datadir.h"

#include <stdio.h>
#include <sys/stat.h>

#ifdef SMTPH_DATADIR
static const char *const DATADIR = SMTPH_DATADIR;
#else
static const char *const DATADIR = NULL;
#endif

const char *
datadir_root(void)
{
	return DATADIR;
}

static int
is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *
datadir_scenarios(void)
{
	static char installed[4096];
	if (!DATADIR || is_dir("scenarios"))
		return "scenarios/";
	snprintf(installed, sizeof(installed), "%s/scenarios/", DATADIR);
	return installed;
}

const char *
datadir_file(const char *local, const char *installed, char *buf, size_t size)
{
	struct stat st;
	if (!DATADIR || stat(local, &st) == 0)
		return local;
	snprintf(buf, size, "%s/%s", DATADIR, installed);
	return buf;
}
