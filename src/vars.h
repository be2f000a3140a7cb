/*
 * vars.h - the one home of scenario variables (${name} in step texts):
 * the defaults, the values derived from others, the merge of the run's
 * sources, and the one lookup order every user shares (the loader's "is
 * this variable known" check, the engine's template expansion, the
 * requires.vars skip check).
 *
 * Lookup order, first hit wins (vars_lookup):
 *   1. captures of the running session, the latest first;
 *   2. the run's variables, the latest entry first (vars_merge builds them:
 *      the target's own, then the profile, then --var, then the derived);
 *   3. the scenario's own vars:
 *   4. the defaults (vars_defaults).
 */
#ifndef SMTPH_VARS_H
#define SMTPH_VARS_H

#include <stddef.h>

#include "scenario.h"

/* The variables every scenario may use, with defaults that suit `builtin`:
 * names and addresses, never a policy (no rejected_recipient, no role_*). */
extern const struct scn_var vars_defaults[];
extern const size_t vars_n_defaults;

/* Variables computed from others, so that profiles give credentials in clear:
 * auth_plain = base64("\0" auth_user "\0" auth_password) (RFC 4616),
 * auth_user_b64, auth_password_b64 (AUTH LOGIN).  A scenario may use one when
 * its requires.vars names the sources. */
struct vars_derived {
	const char *name;
	const char *sources[2]; /* NULL-padded */
};
extern const struct vars_derived vars_derived[];
extern const size_t vars_n_derived;

/* The variable each session sets for itself: a token unique to the session
 * (and to the run), that the messages it sends carry so the delivery oracle
 * can tell them apart (oracle.h).  Letters and digits, fixed length, so no
 * token is a prefix of another. */
#define VARS_TOKEN "token"
/* 1 if name[0..len) is a variable the session sets (VARS_TOKEN). */
int vars_is_session(const char *name, size_t len);

/* Where vars_lookup() looks; any part may be empty (NULL, 0). */
struct vars_scope {
	const struct scn_var *caps;  /* tier 1: captures, later entries win */
	size_t n_caps;
	const struct scn_var *run;   /* tier 2: the run's variables, later entries win */
	size_t n_run;
	const struct scn *scn;       /* tier 3: its vars; may be NULL */
};

/* The value of name[0..len) in the scope (a struct vars_scope *), or NULL.
 * Has the shape of tmpl_lookup_fn (template.h).  The value belongs to the
 * scope's arrays or to vars_defaults. */
const char *vars_lookup(void *scope, const char *name, size_t len);
/* The first of the scope's scenario's requires.vars with no value (unset
 * or empty), or NULL: what `run` skips a scenario for, and the fuzzer a
 * seed. */
const char *vars_first_unset(struct vars_scope *scope);

/* 1 if derived variable name[0..len) can be computed from the variables
 * named in have[0..n) (a scenario's requires.vars), else 0. */
int vars_derivable(const char *name, size_t len, char *const *have, size_t n);

/* Append to *vars (later entries win) each derived variable whose sources
 * are set there and which is not itself set.  Values are heap copies. */
void vars_derive(struct scn_var **vars, size_t *n);

/*
 * The run's variables: target[0..nt) (a target's own, e.g. the builtin's
 * account; copied), then user[0..nu) (the profile then --var; copied), then
 * the derived ones.  Returns a heap array of heap strings (*n entries; free
 * with vars_free()), NULL when empty.
 */
struct scn_var *vars_merge(const struct scn_var *target, size_t nt,
    const struct scn_var *user, size_t nu, size_t *n);

/* Put front[0..nf) before (*vars)[0..*n): later entries win, so *vars keeps
 * precedence (the profile then --var).  Takes over front and its strings. */
void vars_prepend(struct scn_var **vars, size_t *n, struct scn_var *front, size_t nf);

/* Free vars[0..n) and their strings. */
void vars_free(struct scn_var *vars, size_t n);

#endif
