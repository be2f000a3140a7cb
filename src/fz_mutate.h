/*
 * fz_mutate.h - session-level mutations (fz_sess.h): acts dropped,
 * repeated, swapped and spliced from other sessions; verbs and their case;
 * addresses (quoting, routes, literals, lengths around RFC 5321 4.5.3.1);
 * ESMTP parameters and their values; lines padded around every length
 * limit; bare CR, LF, NUL and 8-bit octets; message bodies with every
 * end-of-data variant the public smuggling scanners try; BDAT chunks whose
 * size lies; STARTTLS and AUTH anywhere; pipelined bursts; and a byte-level
 * havoc stage with a dictionary of SMTP keywords; words of the other seeds
 * (the scenarios as a dictionary) in place of or beside the session's.
 *
 * Deterministic for a given generator state, so a campaign can be run again.
 */
#ifndef SMTPH_FZ_MUTATE_H
#define SMTPH_FZ_MUTATE_H

#include <stddef.h>
#include <stdint.h>

#include "fz_sess.h"

struct fz_rng {
	uint64_t s;
};

/* xorshift64*; a zero seed is replaced. */
void fz_rng_seed(struct fz_rng *r, uint64_t seed);
uint64_t fz_rand(struct fz_rng *r);
/* Uniform in [0, n) (n > 0). */
size_t fz_below(struct fz_rng *r, size_t n);

/* The session's own words the mutations use (NULL: a default). */
struct fz_words {
	const char *sender, *recipient, *client_domain, *auth_plain;
};

/* Apply 1 to 4 mutations to s; `others` (may be empty) feed the splices.
 * s stays within FZ_MAX_ACTS acts of at most FZ_MAX_ACT bytes. */
void fz_mutate(struct fz_rng *r, struct fz_sess *s, const struct fz_sess *const *others,
    size_t n_others, const struct fz_words *w);

/* The number of mutation operators, and one by index (for tests: each
 * returns 1 when it changed s). */
size_t fz_mutators(void);
const char *fz_mutator_name(size_t i);
int fz_mutate_one(struct fz_rng *r, size_t i, struct fz_sess *s,
    const struct fz_sess *const *others, size_t n_others, const struct fz_words *w);

#endif
