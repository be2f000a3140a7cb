/*
 * replay_main.c - main() for the plain build of a fuzz target: runs
 * LLVMFuzzerTestOneInput once per file, for every file named and every
 * regular file below every folder named (sorted, dot files skipped), or on
 * standard input without arguments.  The regression run of `make test`
 * uses it, so it needs no fuzzer runtime; a broken property aborts.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static size_t n_inputs;

static int
replay_stream(FILE *f, const char *name)
{
	size_t cap = 4096, len = 0, r;
	unsigned char *data = malloc(cap);

	if (!data)
		abort();
	while ((r = fread(data + len, 1, cap - len, f)) > 0) {
		len += r;
		if (len == cap) {
			cap *= 2;
			data = realloc(data, cap);
			if (!data)
				abort();
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", name);
		free(data);
		return -1;
	}
	/* An exact-size copy, so ASan sees a read past the input. */
	unsigned char *exact = malloc(len ? len : 1);
	if (!exact)
		abort();
	memcpy(exact, data, len);
	free(data);
	if (getenv("REPLAY_VERBOSE"))
		fprintf(stderr, "replay: %s (%zu bytes)\n", name, len);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	n_inputs++;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
replay_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		char **names = NULL;
		size_t n = 0, i;
		int rc = 0;

		if (!d) {
			fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
			return -1;
		}
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			names = realloc(names, (n + 1) * sizeof(*names));
			size_t l = strlen(path) + strlen(e->d_name) + 2;
			if (!names || !(names[n] = malloc(l)))
				abort();
			snprintf(names[n], l, "%s/%s", path, e->d_name);
			n++;
		}
		closedir(d);
		qsort(names, n, sizeof(*names), by_name);
		for (i = 0; i < n; i++) {
			if (replay_path(names[i]) != 0)
				rc = -1;
			free(names[i]);
		}
		free(names);
		return rc;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	int rc = replay_stream(f, path);
	fclose(f);
	return rc;
}

int
main(int argc, char **argv)
{
	int rc = 0, i;

	if (argc < 2)
		rc = replay_stream(stdin, "<stdin>");
	for (i = 1; i < argc; i++)
		if (replay_path(argv[i]) != 0)
			rc = 1;
	fprintf(stderr, "replay: %s: %zu inputs, no property broken\n", argv[0], n_inputs);
	return rc ? 1 : 0;
}
