/*
 * loader.h - YAML scenario files and target profiles into the model of
 * scenario.h, with libyaml's event API.
 *
 * Every problem found is collected (not only the first) as one line
 * "FILE:LINE:COL: error: message" with 1-based numbers.
 */
#ifndef SMTPH_LOADER_H
#define SMTPH_LOADER_H

#include <stddef.h>

#include "buf.h"
#include "scenario.h"

struct load_diag {
	struct buf text;  /* the error lines, each ending in '\n' */
	size_t n_errors;
};

void load_diag_init(struct load_diag *d);
void load_diag_free(struct load_diag *d);
void load_diag_add(struct load_diag *d, const char *file, int line, int col,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Files bigger than this are refused: scenarios are small (a fuzz
 * finding's is kept under it: FZ_MAX_SESS_YAML). */
#define LOAD_MAX_FILE (1024 * 1024)

/* Load one scenario from a file.  Returns the scenario (caller frees with
 * scn_free()) or NULL when it has errors, all of them added to diag. */
struct scn *load_scenario_file(const char *path, struct load_diag *diag);

/* The same from memory; name is used in messages and as scn->file. */
struct scn *load_scenario_mem(const char *name, const char *data, size_t len,
    struct load_diag *diag);

/* Ids name scenarios in baselines, reports and --tags, so they must be
 * unique in a suite.  Each scenario of scns[first..n) whose id an earlier
 * one of scns[0..n) already has is added to diag as "FILE:LINE:COL: error:
 * duplicate scenario id 'ID' (also in FILE)" at the later one.  Returns how
 * many.  (A loader adding files one by one calls it with first = n - 1, so
 * the messages come in file order.) */
size_t load_check_ids(struct scn *const *scns, size_t n, size_t first,
    struct load_diag *diag);

/* A target profile: a mapping with one key, `vars`, mapping names to
 * strings.  Appends to *vars and *n (caller frees names and values).  Returns 0,
 * or -1 with errors in diag. */
int load_profile_file(const char *path, struct scn_var **vars, size_t *n,
    struct load_diag *diag);

/* Expand PATH arguments: a file is taken as is, a folder means every *.yaml
 * below it, sorted.  Appends heap strings to *out (caller frees).  Returns 0,
 * or -1 with errors in diag (a path that does not exist). */
int load_collect_paths(char *const *paths, size_t n, char ***out, size_t *nout,
    struct load_diag *diag);

/*
 * The YAML node tree the loader builds, for other files read as YAML
 * (baseline.c), so that they share its rules (no anchors or aliases;
 * one document; nesting at most 32 deep) and its error format.  Nodes
 * carry the 1-based line and column of their first character.
 */
struct load_node; /* opaque */

enum load_node_type { LOAD_NODE_SCALAR, LOAD_NODE_SEQ, LOAD_NODE_MAP };

/* Parse data[0..len) (one YAML document; name is for messages, what names
 * the kind of file in them, e.g. "a baseline").  Returns the root (free it
 * with load_node_free()), or NULL: with errors added to diag, or without
 * any when the stream holds no document at all. */
struct load_node *load_yaml(const char *name, const char *data, size_t len,
    const char *what, struct load_diag *diag);
void load_node_free(struct load_node *n);

enum load_node_type load_node_type(const struct load_node *n);
int load_node_line(const struct load_node *n);
int load_node_col(const struct load_node *n);
/* A scalar's bytes (NUL-terminated; *len, if not NULL, counts them, as they
 * may hold a NUL), or NULL for a list or a mapping.  Valid as long as n. */
const char *load_node_str(const struct load_node *n, size_t *len);
/* A list's items; a mapping's keys and values, alternating (key 0, value 0,
 * key 1, ...).  0 for a scalar.  Kids are valid as long as n. */
size_t load_node_count(const struct load_node *n);
const struct load_node *load_node_kid(const struct load_node *n, size_t i);

#endif
