/*
 * afl_main.c - main() for the AFL++ build of a fuzz target: persistent mode
 * with the shared-memory test case buffer (AFL++'s
 * docs/fuzzing_in_depth.md), so one process runs many inputs and no input
 * goes through a file.  Only compiled with afl-clang-fast / afl-clang-lto,
 * which define the __AFL_* macros.  With file arguments it replays them
 * once each (for afl-tmin -f and hand checks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

__AFL_FUZZ_INIT();

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	static unsigned char data[1 << 20];
	size_t len;

	if (!f) {
		perror(path);
		return 1;
	}
	len = fread(data, 1, sizeof(data), f);
	fclose(f);
	unsigned char *exact = malloc(len ? len : 1);
	if (!exact)
		abort();
	memcpy(exact, data, len);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc > 1) {
		int rc = 0;
		for (int i = 1; i < argc; i++)
			rc |= run_file(argv[i]);
		return rc;
	}
#ifdef __AFL_HAVE_MANUAL_CONTROL
	__AFL_INIT();
#endif
	unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(100000)) {
		size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
		/* An exact-size copy, so ASan sees a read past the input. */
		unsigned char *exact = malloc(len ? len : 1);
		if (!exact)
			abort();
		memcpy(exact, buf, len);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}
