/*
 * ehlo.h - the EHLO reply as a capability list (RFC 5321 4.1.1.1, 2.2.2).
 * Keywords compare case-insensitively.  The caps structure owns copies of the
 * keywords and parameters (it must outlive the receive buffer), in fixed-size
 * storage: no allocation.
 */
#ifndef SMTPH_EHLO_H
#define SMTPH_EHLO_H

#include <stddef.h>
#include <stdint.h>

#include "reply.h"

#define EHLO_MAX_CAPS 64
#define EHLO_MAX_KEYWORD 64
#define EHLO_MAX_PARAMS 512
#define EHLO_MAX_DOMAIN 256

struct ehlo_cap {
	char keyword[EHLO_MAX_KEYWORD]; /* as sent */
	char params[EHLO_MAX_PARAMS];   /* the rest of the line after one SP, as sent */
};

struct ehlo_caps {
	char domain[EHLO_MAX_DOMAIN]; /* first word of the first line */
	size_t n;
	struct ehlo_cap cap[EHLO_MAX_CAPS];
};

/*
 * Fill caps from a parsed 250 reply to EHLO (all lines must be stored in the
 * reply, i.e. n_lines <= lines_cap).  Returns NULL on success or a static
 * reason string for an ehlo-ok-rsp grammar violation (bad keyword syntax,
 * a keyword or parameter too long for this structure, more than EHLO_MAX_CAPS
 * lines, a reply that is not 250).  caps holds what was parsed either way.
 */
const char *ehlo_parse(const struct reply *r, struct ehlo_caps *caps);

/* dst = src, copying only what ehlo_parse() set (the domain and the n
 * capabilities in use): the whole structure is 37 KB, a reply a few
 * hundred bytes. */
void ehlo_copy(struct ehlo_caps *dst, const struct ehlo_caps *src);

/* The capability with this keyword (any case), or NULL. */
const struct ehlo_cap *ehlo_find(const struct ehlo_caps *caps, const char *keyword);

/* SIZE (RFC 1870): 0 if not advertised; 1 with *limit set (0 = no fixed
 * limit, also for a bare "SIZE"); -1 if the parameter is not a decimal number
 * that fits in 64 bits. */
int ehlo_size(const struct ehlo_caps *caps, uint64_t *limit);

/* 1 if AUTH (RFC 4954 3) lists mechanism mech (any case), else 0. */
int ehlo_has_auth_mech(const struct ehlo_caps *caps, const char *mech);

#endif
