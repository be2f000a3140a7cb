/*
 * afl_mutator_check.c - the AFL++ custom mutator (fuzz/afl_mutator.c) as
 * afl-fuzz sees it: dlopen() the library, find its entry points, and call
 * afl_custom_fuzz() on each seed given (and a few hard inputs) as afl-fuzz
 * does, with and without a splice source and under small max_size values.
 * Checks: an output buffer every time, never past max_size, almost every
 * mutant differs from its input, most keep the shape of an SMTP session
 * (lines ending in LF), the same seed gives the same mutants, and the
 * description names the mutator.  Run by tests/afl-mutator.sh.
 *
 *   afl_mutator_check LIB.so FILE...
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void *(*init_fn)(void *afl, unsigned int seed);
typedef size_t (*fuzz_fn)(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
    uint8_t *add_buf, size_t add_buf_size, size_t max_size);
typedef const char *(*describe_fn)(void *data, size_t max_len);
typedef void (*deinit_fn)(void *data);

#define ROUNDS 400
#define MAX_INPUTS 64

static init_fn m_init;
static fuzz_fn m_fuzz;
static describe_fn m_describe;
static deinit_fn m_deinit;
static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "afl_mutator_check: " __VA_ARGS__); \
		fputc('\n', stderr); \
		failures++; \
	} \
} while (0)

struct input {
	const char *name;
	uint8_t *b;
	size_t n;
};

static int
read_file(const char *path, struct input *in)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	in->b = malloc(1 << 20);
	in->n = fread(in->b, 1, 1 << 20, f);
	in->name = path;
	fclose(f);
	return 0;
}

/* Lines all ending in LF (the last may be cut). */
static int
session_shaped(const uint8_t *b, size_t n)
{
	size_t lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += b[i] == '\n';
	return lines >= 1 && n && b[n - 1] == '\n';
}

/* Run ROUNDS mutations of in (splicing with other when given); return a
 * checksum of the mutants for the determinism check. */
static uint64_t
run(void *m, const struct input *in, const struct input *other, size_t max_size)
{
	uint64_t sum = 1469598103934665603ULL;
	size_t changed = 0, shaped = 0, shaped_in = session_shaped(in->b, in->n);
	int rounds = in->n > 65536 ? ROUNDS / 20 : ROUNDS;
	for (int r = 0; r < rounds; r++) {
		uint8_t *out = NULL;
		size_t n = m_fuzz(m, in->b, in->n, &out, other ? other->b : NULL,
		    other ? other->n : 0, max_size);
		CHECK(out != NULL, "%s: no output buffer", in->name);
		if (!out)
			return 0;
		CHECK(n <= max_size, "%s: %zu bytes past max_size %zu", in->name, n, max_size);
		changed += n != in->n || memcmp(out, in->b, n) != 0;
		shaped += session_shaped(out, n);
		for (size_t i = 0; i < n; i++)
			sum = (sum ^ out[i]) * 1099511628211ULL;
		sum = (sum ^ n) * 1099511628211ULL;
	}
	/* With room to grow (a mutant cut back to max_size can be the input). */
	if (max_size >= in->n + 4096)
		CHECK(changed * 10 >= (size_t)rounds * 9,
		    "%s: only %zu of %d mutants differ from the input", in->name, changed, rounds);
	/* Most mutations keep lines whole; havoc, truncation and max_size cut some. */
	if (shaped_in && max_size >= in->n + 4096)
		CHECK(shaped * 2 >= (size_t)rounds, "%s: only %zu of %d mutants are lines ending in LF",
		    in->name, shaped, rounds);
	return sum;
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: afl_mutator_check LIB.so FILE...\n");
		return 2;
	}
	void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "afl_mutator_check: %s\n", dlerror());
		return 1;
	}
	m_init = (init_fn)dlsym(lib, "afl_custom_init");
	m_fuzz = (fuzz_fn)dlsym(lib, "afl_custom_fuzz");
	m_describe = (describe_fn)dlsym(lib, "afl_custom_describe");
	m_deinit = (deinit_fn)dlsym(lib, "afl_custom_deinit");
	if (!m_init || !m_fuzz || !m_describe || !m_deinit) {
		fprintf(stderr, "afl_mutator_check: an afl_custom_* entry point is missing\n");
		return 1;
	}
	CHECK(dlsym(lib, "fz_mutate") == NULL && dlsym(lib, "buf_init") == NULL,
	    "the library exports more than afl_custom_*");

	static struct input in[MAX_INPUTS];
	size_t n = 0;
	for (int i = 2; i < argc && n < MAX_INPUTS - 4; i++)
		if (read_file(argv[i], &in[n]) == 0)
			n++;
	/* Hard inputs: no line end, bare CR, NULs, one line of 1 MiB, a BDAT
	 * that claims more than there is, a message never ended. */
	static const char *const hard[] = {
		"EHLO", "EHLO x\rMAIL FROM:<a@b>\r", "\0\0\0\r\n\0",
		"EHLO x\r\nBDAT 99999999999999999999999 LAST\r\nab", "DATA\r\nno end\r\n",
	};
	for (size_t i = 0; i < sizeof(hard) / sizeof(hard[0]); i++) {
		in[n].name = "hard input";
		in[n].n = i == 2 ? 6 : strlen(hard[i]);
		in[n].b = malloc(in[n].n);
		memcpy(in[n].b, hard[i], in[n].n);
		n++;
	}
	in[n].name = "1 MiB line";
	in[n].n = 1 << 20;
	in[n].b = malloc(in[n].n);
	memset(in[n].b, 'x', in[n].n);
	n++;

	void *m = m_init(NULL, 42);
	const char *d = m_describe(m, 200);
	CHECK(d && strcmp(d, "smtph-sess") == 0, "afl_custom_describe gave '%s'", d ? d : "(null)");
	uint64_t first = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t s = run(m, &in[i], NULL, 1 << 20);
		s ^= run(m, &in[i], &in[(i + 1) % n], 1 << 20);
		run(m, &in[i], &in[(i + 3) % n], 64);
		run(m, &in[i], NULL, 1);
		if (i == 0)
			first = s;
	}
	m_deinit(m);
	/* The same seed gives the same mutants (a campaign can be run again). */
	m = m_init(NULL, 42);
	uint64_t again = run(m, &in[0], NULL, 1 << 20) ^ run(m, &in[0], &in[1 % n], 1 << 20);
	CHECK(again == first, "the same seed gave other mutants");
	m_deinit(m);

	for (size_t i = 0; i < n; i++)
		free(in[i].b);
	dlclose(lib);
	if (failures)
		return 1;
	printf("afl mutator: %zu inputs x %d mutations x 4, outputs within max_size, deterministic\n",
	    n, ROUNDS);
	return 0;
}
