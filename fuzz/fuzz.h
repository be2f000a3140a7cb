/*
 * fuzz.h - what every fuzz target shares: the libFuzzer entry point (also
 * called by the AFL++ driver afl_main.c and the plain replayer
 * replay_main.c) and a check that aborts, so a broken property is a crash
 * in every build, sanitizers or not.
 */
#ifndef SMTPH_FUZZ_H
#define SMTPH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* For a target's own checking code: no coverage instrumentation there (its
 * edges say nothing about the code under test, and under libFuzzer every
 * size_t comparison in its loops is a call).  Clang only. */
#if defined(__clang__) && __clang_major__ >= 13
#define FUZZ_UNTRACED __attribute__((no_sanitize("coverage")))
#else
#define FUZZ_UNTRACED
#endif

/* ASan's manual poisoning, where it is built in (a no-op elsewhere). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(FUZZ_ASAN)
#define FUZZ_ASAN 1
#endif
#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#define FUZZ_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define FUZZ_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define FUZZ_POISON(p, n) ((void)(p), (void)(n))
#define FUZZ_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define FUZZ_WINDOW_MAX 16384

/* A copy of data[0..len) in a static buffer whose bytes before and after
 * it are poisoned: under ASan a read outside the copy is reported as an
 * exact-size heap copy's would be, without a malloc (ASan's filled,
 * quarantined allocations were a tenth of a parser target's time).  Past
 * FUZZ_WINDOW_MAX (an AFL++ or replayed input; libFuzzer's max_len is
 * below it) the copy is such a heap copy.  Valid until the next call. */
static inline char *
fuzz_window(const void *data, size_t len)
{
	enum { FRONT = 64 };
	static _Alignas(64) char win[FRONT + FUZZ_WINDOW_MAX];
	static char *big;
	free(big);
	big = NULL;
	if (len > FUZZ_WINDOW_MAX) {
		big = malloc(len);
		if (!big)
			abort();
		return memcpy(big, data, len);
	}
	FUZZ_POISON(win, sizeof(win));
	FUZZ_UNPOISON(win + FRONT, len);
	memcpy(win + FRONT, data, len);
	return win + FRONT;
}

#define FUZZ_CHECK(cond, ...) do {                                        \
		if (!(cond)) {                                            \
			fprintf(stderr, "%s:%d: property broken: %s: ",   \
			    __FILE__, __LINE__, #cond);                   \
			fprintf(stderr, __VA_ARGS__);                     \
			fputc('\n', stderr);                              \
			abort();                                          \
		}                                                         \
	} while (0)

#endif
