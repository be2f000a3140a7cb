/*
 * loader_int.h - what the loader's files share (private to loader*.c): the node tree libyaml's events are folded into, the
 * parsing context, and the typed getters.  Every getter reports its own
 * error as FILE:LINE:COL and returns 0/NULL on failure.
 */
#ifndef SMTPH_LOADER_INT_H
#define SMTPH_LOADER_INT_H

#include <regex.h>
#include <stddef.h>

#include "loader.h"
#include "scenario.h"

#define LD_MAX_DEPTH 32         /* nesting of YAML nodes */
#define LD_MAX_SECONDS 3600.0   /* the longest wait a file may ask for */

enum node_type { NODE_SCALAR, NODE_SEQ, NODE_MAP };

struct node {
	enum node_type type;
	int line, col;     /* 1-based */
	char *val;         /* scalar bytes (NUL-terminated copy) */
	size_t len;
	int plain;         /* plain (unquoted) scalar */
	int double_quoted;
	struct node **kids; /* sequence items; mapping: key, value, key, value... */
	size_t n, cap;
};

struct ctx {
	const char *file;
	struct load_diag *diag;
	size_t errors_before;
	const char *doc; /* NULL: a scenario or profile; else what other file
	                  * this is, for messages (load_yaml: "a baseline") */
};

/* What the step grammar (loader.c) learns for the checks after it
 * (loader_lint.c): the scenario so far and every capture with its step. */
struct capdef {
	char *name;   /* the capture's (owned by its scn_capture) */
	size_t step;
};

struct loadstate {
	struct ctx *c;
	struct scn *s;
	struct capdef *caps;
	size_t ncaps;
};

#define ERR(c, nd, ...) load_diag_add((c)->diag, (c)->file, (nd)->line, (nd)->col, __VA_ARGS__)

/* Free a node and everything below it (NULL is fine). */
void ld_node_free(struct node *n);
/* Parse one YAML document into a tree (errors into c->diag); NULL if none. */
struct node *ld_parse_doc(struct ctx *c, const char *data, size_t len);
/* "a string", "a list", "a mapping". */
const char *ld_type_name(const struct node *n);
/* 1 if n has type t, else an error naming what was wanted and 0. */
int ld_want(struct ctx *c, const struct node *n, enum node_type t, const char *what);
/* A heap copy of a scalar (nonempty: refuse ""), or NULL after an error. */
char *ld_get_str(struct ctx *c, const struct node *n, const char *what, int nonempty);
int ld_get_uint(struct ctx *c, const struct node *n, const char *what, unsigned lo,
    unsigned hi, unsigned *out);
int ld_get_seconds(struct ctx *c, const struct node *n, const char *what, double *out);
int ld_get_bool(struct ctx *c, const struct node *n, const char *what, int *out);
/* A string or a list of strings, appended to *out. */
int ld_get_strv(struct ctx *c, const struct node *n, const char *what, char ***out, size_t *nout);
/* Every key of map is in allowed (NULL: any string key); else errors, 0. */
int ld_check_keys(struct ctx *c, const struct node *map, const char *const *allowed,
    const char *what);
/* The value of key in map, or NULL. */
const struct node *ld_lookup(const struct node *map, const char *key);

/* ---- loader_expect.c --------------------------------------------------- */

/* One code pattern: 200..599 or "Dxx"-style ("5xx", "25x"). */
int ld_parse_code(struct ctx *c, const struct node *n, struct scn_code *out);
/* A code or a list of codes into a new array *out. */
int ld_parse_code_list(struct ctx *c, const struct node *n, struct scn_code **out, size_t *nout);
/* The codes of an expectation (e->codes). */
int ld_parse_codes(struct ctx *c, const struct node *n, struct scn_expect *e);
/* Every pattern of sub[] is covered by one of e's codes (what: "prefer"). */
int ld_check_subset(struct ctx *c, const struct node *n, const struct scn_expect *e,
    const struct scn_code *sub, size_t nsub, const char *what);
/* prefer: a strict subset of the codes, else an error. */
int ld_check_prefer(struct ctx *c, const struct node *n, const struct scn_expect *e);
/* Compile n's POSIX ERE into *re (refusing ones regcomp() would blow up on). */
int ld_compile_re(struct ctx *c, const struct node *n, regex_t *re);
/* The same with regcomp() flags of the caller's (REG_EXTENDED | ...). */
int ld_compile_re_flags(struct ctx *c, const struct node *n, regex_t *re, int flags);
/* 1 if v is "present" or an enhanced status code pattern ("5.1.1", "5.x.x"). */
int ld_valid_enhanced(const char *v);

/* ---- loader_delivered.c ----------------------------------------------- */

/* delivered: a mapping {count, message, mail_from, rcpt_to, mail_params,
 * rcpt_params, body, header_has, header_lacks, header_first, headers}
 * into a new st->dlv.  0 after an error. */
int ld_parse_delivered(struct ctx *c, const struct node *n, struct scn_step *st);

/* ---- loader_rules.c --------------------------------------------------- */

/* 1 if r is "RFC <number>[ <section>]" or a catalogue id ("TM-01"). */
int ld_valid_ref(const char *r);
/* The `rules:` list into s->rules (errors into c->diag). */
void ld_parse_rules(struct ctx *c, const struct node *n, struct scn *s);
/* After the steps: every rule is named by a step and listed in refs, and
 * the level is the strongest keyword a quote carries. */
void ld_check_rules(struct ctx *c, const struct node *root, const struct scn *s);

/* ---- loader_lint.c ---------------------------------------------------- */

/* id, title, description, level and refs: who the scenario is. */
void ld_parse_identity(struct ctx *c, const struct node *root, struct scn *s);
/* requires: extensions, extension_params, vars, oracle. */
void ld_parse_requires(struct ctx *c, const struct node *v, struct scn *s);
/* After the steps (s->steps, from the list node steps): only delivered
 * steps follow the session's end; a delivered step needs an oracle. */
void ld_check_session_end(struct ctx *c, const struct node *steps, struct scn *s);
/* After the steps: every ${name} a step's text uses is defined before it
 * (vars, requires.vars, derived, a capture of an earlier step). */
void ld_check_step_vars(struct loadstate *ls, const struct node *steps);
/* The values of vars are literal: none refers to another variable. */
void ld_check_var_values(struct ctx *c, const struct node *root, const struct scn *s);

#endif
