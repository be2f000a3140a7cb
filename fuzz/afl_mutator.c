/*
 * afl_mutator.c - an AFL++ custom mutator (AFL++ docs/custom_mutators.md)
 * with the session mutations of `smtp-harness fuzz` (src/fz_mutate.h), for
 * afl-fuzz driving a server that speaks SMTP on stdin: `exim -bs`,
 * `sendmail -bs`, `smtp-harness serve --stdio` built with afl-clang-fast.
 *
 * An AFL++ test case is the raw byte stream the client writes.  Each call
 * cuts it into acts (src/fz_raw.h: a command line, a message, a BDAT
 * command with its chunk), applies fz_mutate() with the other queue entry
 * AFL++ hands over (add_buf) as the source of splices, and joins the acts
 * again, within max_size.  The words the mutations use (sender, recipient,
 * AUTH PLAIN) are the test case's own, else SMTPH_AFL_SENDER,
 * SMTPH_AFL_RECIPIENT, SMTPH_AFL_AUTH_PLAIN, else fz_mutate's defaults.
 *
 *   make fuzz-afl-mutator   ->  build/fuzz/afl/libsmtph-mutator.so
 *   AFL_CUSTOM_MUTATOR_LIBRARY=$PWD/build/fuzz/afl/libsmtph-mutator.so \
 *   AFL_CUSTOM_MUTATOR_ONLY=1 afl-fuzz -i corpus/afl_session -o OUT -- CMD
 *
 * Queue entries it made are named "...,smtph-sess" (afl_custom_describe).
 * Built as position-independent code with only afl_custom_* exported
 * (fuzz/afl_mutator.map), so none of the library's names meet afl-fuzz's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fz_mutate.h"
#include "fz_raw.h"
#include "fz_sess.h"
#include "util.h"

#define WORD_MAX 512
#define RETRIES 4 /* mutations that gave the input back are tried again */

struct afl_mut {
	struct fz_rng rng;
	struct buf out; /* the last mutant, handed to AFL++ */
	char word[3][WORD_MAX];
	const char *env[3];
	unsigned long long calls;
};

/* AFL++'s afl_state_t is opaque here: the mutator needs none of it. */
void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
    uint8_t *add_buf, size_t add_buf_size, size_t max_size);
const char *afl_custom_describe(void *data, size_t max_description_len);
void afl_custom_deinit(void *data);

void *
afl_custom_init(void *afl, unsigned int seed)
{
	(void)afl;
	struct afl_mut *m = xcalloc(1, sizeof(*m));
	fz_rng_seed(&m->rng, ((uint64_t)seed << 32) ^ 0x534d5450u);
	buf_init(&m->out);
	buf_append(&m->out, "", 0); /* out.data is never NULL: AFL++ checks */
	m->env[0] = getenv("SMTPH_AFL_SENDER");
	m->env[1] = getenv("SMTPH_AFL_RECIPIENT");
	m->env[2] = getenv("SMTPH_AFL_AUTH_PLAIN");
	return m;
}

/* The session's own word, else the environment's, else NULL (a default). */
static const char *
word(struct afl_mut *m, const struct fz_sess *s, int which)
{
	if (fz_raw_word(s, which, m->word[which], WORD_MAX))
		return m->word[which];
	return m->env[which] && *m->env[which] ? m->env[which] : NULL;
}

size_t
afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
    uint8_t *add_buf, size_t add_buf_size, size_t max_size)
{
	struct afl_mut *m = data;
	struct fz_sess other;
	const struct fz_sess *others[1] = { &other };
	size_t n_others = add_buf && add_buf_size ? 1 : 0;
	if (n_others)
		fz_raw_to_sess((const char *)add_buf, add_buf_size, &other);
	m->calls++;
	for (int k = 0; k < RETRIES; k++) {
		struct fz_sess s;
		fz_raw_to_sess((const char *)buf, buf_size, &s);
		struct fz_words w = { word(m, &s, 0), word(m, &s, 1), NULL, word(m, &s, 2) };
		fz_mutate(&m->rng, &s, others, n_others, &w);
		buf_reset(&m->out);
		fz_raw_to_bytes(&s, &m->out, max_size);
		fz_sess_free(&s);
		if (m->out.len && (m->out.len != buf_size || memcmp(m->out.data, buf, buf_size)))
			break;
	}
	if (n_others)
		fz_sess_free(&other);
	*out_buf = (uint8_t *)m->out.data;
	return m->out.len;
}

const char *
afl_custom_describe(void *data, size_t max_description_len)
{
	(void)data;
	return max_description_len > 10 ? "smtph-sess" : "";
}

void
afl_custom_deinit(void *data)
{
	struct afl_mut *m = data;
	buf_free(&m->out);
	free(m);
}
