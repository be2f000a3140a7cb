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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* For a target's own checking code: no coverage instrumentation there (its
 * edges say nothing about the code under test, and under libFuzzer every
 * size_t comparison in its loops is a call).  Clang only. */
#if defined(__clang__) && __clang_major__ >= 13
#define FUZZ_UNTRACED __attribute__((no_sanitize("coverage")))
#else
#define FUZZ_UNTRACED
#endif

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
