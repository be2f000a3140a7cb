/*
 * testutil.h - helpers shared by the CUnit suites (header-only).
 *
 * tu_guarded(): copy bytes so they end exactly at a PROT_NONE page, as
 * picohttpparser's tests do: any read past the length crashes at once.
 */
#ifndef SMTPH_TESTUTIL_H
#define SMTPH_TESTUTIL_H

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct tu_guard {
	char *map;
	size_t maplen;
	char *data;
};

/* Place data[0..len) right before an inaccessible page.  Release with
 * tu_unguard(). */
static inline char *
tu_guarded(struct tu_guard *g, const void *data, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (len + page - 1) / page + 1;
	g->maplen = pages * page;
	g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED) {
		perror("mmap");
		abort();
	}
	if (mprotect(g->map + (pages - 1) * page, page, PROT_NONE) != 0) {
		perror("mprotect");
		abort();
	}
	g->data = g->map + (pages - 1) * page - len;
	if (len)
		memcpy(g->data, data, len);
	return g->data;
}

static inline void
tu_unguard(struct tu_guard *g)
{
	munmap(g->map, g->maplen);
}

/* Run the registered CUnit suites; exit status 0 only if all passed. */
static inline int
tu_run(void)
{
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures();
	unsigned tests_failed = CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return (failed || tests_failed) ? 1 : 0;
}

#endif
