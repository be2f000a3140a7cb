/*
 * loader_yaml.c - the loader's YAML layer: libyaml's events folded into a
 * small tree of nodes, each carrying the start mark of its event (0-based in
 * libyaml, printed 1-based); the typed getters the grammar (loader.c) uses;
 * the diagnostics list; and the node tree's public face (loader.h) for other
 * files read as YAML (baseline.c).  Anchors, aliases and tags are refused:
 * scenarios are plain data, and an alias bomb must not exhaust memory.
 */
#include "loader_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util.h"

void
load_diag_init(struct load_diag *d)
{
	buf_init(&d->text);
	d->n_errors = 0;
}

void
load_diag_free(struct load_diag *d)
{
	buf_free(&d->text);
	d->n_errors = 0;
}

void
load_diag_add(struct load_diag *d, const char *file, int line, int col,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_printf(&d->text, "%s:%d:%d: error: ", file, line, col);
	/* One line per error: a control byte quoted from the file (an id
	 * given as a block scalar holds a newline) is shown escaped. */
	for (const char *m = msg; *m; m++) {
		unsigned char ch = (unsigned char)*m;
		if (ch == '\n')
			buf_append(&d->text, "\\n", 2);
		else if (ch < 0x20 || ch == 0x7f)
			buf_printf(&d->text, "\\x%02x", ch);
		else
			buf_append(&d->text, m, 1);
	}
	buf_append(&d->text, "\n", 1);
	d->n_errors++;
}

/* ---- the node tree ---------------------------------------------------- */

void
ld_node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		ld_node_free(n->kids[i]);
	free(n->kids);
	free(n);	/* a scalar's val lives in the same block */
}

/* Kids grow by doubling, scalars are one block with their value: the
 * loader runs on every input of fuzz_engine and fuzz_loader, where each
 * allocation costs ASan a stack trace. */
static void
node_add(struct node *parent, struct node *kid)
{
	if (parent->n == parent->cap) {
		parent->cap = parent->cap ? parent->cap * 2 : 4;
		parent->kids = xrealloc(parent->kids, parent->cap * sizeof(*parent->kids));
	}
	parent->kids[parent->n++] = kid;
}

/* A node with room for a scalar of len bytes (and its NUL) after it. */
static struct node *
node_new(const yaml_event_t *ev, size_t len)
{
	struct node *n = xmalloc(sizeof(*n) + len + 1);
	memset(n, 0, sizeof(*n));
	n->line = (int)ev->start_mark.line + 1;
	n->col = (int)ev->start_mark.column + 1;
	return n;
}


static void
yaml_err(struct ctx *c, yaml_parser_t *p)
{
	const yaml_mark_t *m = p->problem_mark.line || p->problem_mark.column ?
	    &p->problem_mark : &p->context_mark;
	load_diag_add(c->diag, c->file, (int)m->line + 1, (int)m->column + 1,
	    "YAML: %s%s%s", p->problem ? p->problem : "syntax error",
	    p->context ? " " : "", p->context ? p->context : "");
}

/* Build the node for event ev (already taken from the parser). */
static struct node *
build(struct ctx *c, yaml_parser_t *p, yaml_event_t *ev, int depth)
{
	struct node *n = node_new(ev, ev->type == YAML_SCALAR_EVENT ? ev->data.scalar.length : 0);
	if (depth > LD_MAX_DEPTH) {
		ERR(c, n, "nesting deeper than %d levels", LD_MAX_DEPTH);
		ld_node_free(n);
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		/* Other files (c->doc) may tag a scalar, as they always could. */
		if (ev->data.scalar.anchor || (!c->doc && ev->data.scalar.tag &&
		    !ev->data.scalar.plain_implicit && !ev->data.scalar.quoted_implicit)) {
			if (c->doc)
				ERR(c, n, "anchors and aliases are not allowed in %s", c->doc);
			else
				ERR(c, n, "anchors and tags are not supported in scenarios");
			ld_node_free(n);
			return NULL;
		}
		n->type = NODE_SCALAR;
		n->len = ev->data.scalar.length;
		n->val = (char *)(n + 1);
		memcpy(n->val, ev->data.scalar.value, n->len);
		n->val[n->len] = '\0';
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->double_quoted = ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		return n;
	case YAML_ALIAS_EVENT:
		if (c->doc)
			ERR(c, n, "anchors and aliases are not allowed in %s", c->doc);
		else
			ERR(c, n, "aliases are not supported in scenarios");
		ld_node_free(n);
		return NULL;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		int seq = ev->type == YAML_SEQUENCE_START_EVENT;
		if (seq ? ev->data.sequence_start.anchor != NULL : ev->data.mapping_start.anchor != NULL) {
			if (c->doc)
				ERR(c, n, "anchors and aliases are not allowed in %s", c->doc);
			else
				ERR(c, n, "anchors are not supported in scenarios");
			ld_node_free(n);
			return NULL;
		}
		n->type = seq ? NODE_SEQ : NODE_MAP;
		for (;;) {
			yaml_event_t kid;
			if (!yaml_parser_parse(p, &kid)) {
				yaml_err(c, p);
				ld_node_free(n);
				return NULL;
			}
			if (kid.type == YAML_SEQUENCE_END_EVENT || kid.type == YAML_MAPPING_END_EVENT) {
				yaml_event_delete(&kid);
				return n;
			}
			struct node *k = build(c, p, &kid, depth + 1);
			yaml_event_delete(&kid);
			if (!k) {
				ld_node_free(n);
				return NULL;
			}
			node_add(n, k);
		}
	}
	default:
		ERR(c, n, "unexpected YAML event");
		ld_node_free(n);
		return NULL;
	}
}

/* Parse a whole stream holding exactly one document. */
struct node *
ld_parse_doc(struct ctx *c, const char *data, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct node *root = NULL;
	int docs = 0;

	if (!yaml_parser_initialize(&p)) {
		load_diag_add(c->diag, c->file, 1, 1, "cannot initialise the YAML parser");
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			yaml_err(c, &p);
			ld_node_free(root);
			root = NULL;
			break;
		}
		yaml_event_type_t t = ev.type;
		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			load_diag_add(c->diag, c->file, (int)ev.start_mark.line + 1,
			    (int)ev.start_mark.column + 1, "%s", c->doc ? "one YAML document only" :
			    "one scenario per file: a second YAML document starts here");
			yaml_event_delete(&ev);
			ld_node_free(root);
			root = NULL;
			break;
		}
		if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT ||
		    t == YAML_MAPPING_START_EVENT || t == YAML_ALIAS_EVENT) {
			root = build(c, &p, &ev, 0);
			yaml_event_delete(&ev);
			if (!root)
				break;
			continue;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (c->doc)
		; /* an empty document: the caller decides what it means */
	else if (!root && docs == 0 && c->diag->n_errors == c->errors_before)
		load_diag_add(c->diag, c->file, 1, 1, "empty file: expected a scenario mapping");
	else if (!root && c->diag->n_errors == c->errors_before)
		load_diag_add(c->diag, c->file, 1, 1, "empty document: expected a scenario mapping");
	return root;
}

/* ---- typed access ----------------------------------------------------- */

const char *
ld_type_name(const struct node *n)
{
	switch (n->type) {
	case NODE_SCALAR: return "a scalar";
	case NODE_SEQ: return "a list";
	case NODE_MAP: return "a mapping";
	}
	return "?";
}

int
ld_want(struct ctx *c, const struct node *n, enum node_type t, const char *what)
{
	if (n->type == t)
		return 1;
	ERR(c, n, "%s must be %s, not %s", what,
	    t == NODE_SCALAR ? "a scalar" : t == NODE_SEQ ? "a list" : "a mapping",
	    ld_type_name(n));
	return 0;
}

char *
ld_get_str(struct ctx *c, const struct node *n, const char *what, int nonempty)
{
	if (!ld_want(c, n, NODE_SCALAR, what))
		return NULL;
	if (nonempty && n->len == 0) {
		ERR(c, n, "%s must not be empty", what);
		return NULL;
	}
	if (memchr(n->val, '\0', n->len)) {
		ERR(c, n, "%s must not contain NUL", what);
		return NULL;
	}
	return xstrdup(n->val);
}

int
ld_get_uint(struct ctx *c, const struct node *n, const char *what, unsigned lo,
    unsigned hi, unsigned *out)
{
	if (!ld_want(c, n, NODE_SCALAR, what))
		return 0;
	unsigned long v = 0;
	size_t i = 0;
	for (; i < n->len && n->val[i] >= '0' && n->val[i] <= '9' && v <= hi; i++)
		v = v * 10 + (unsigned long)(n->val[i] - '0');
	if (n->len == 0 || i != n->len || v < lo || v > hi) {
		ERR(c, n, "%s must be an integer from %u to %u, not '%s'", what, lo, hi, n->val);
		return 0;
	}
	*out = (unsigned)v;
	return 1;
}

int
ld_get_seconds(struct ctx *c, const struct node *n, const char *what, double *out)
{
	if (!ld_want(c, n, NODE_SCALAR, what))
		return 0;
	char *end = NULL;
	errno = 0;
	double v = n->len ? strtod(n->val, &end) : -1;
	if (n->len == 0 || errno || *end || !(v >= 0 && v <= LD_MAX_SECONDS)) {
		ERR(c, n, "%s must be a number of seconds from 0 to %.0f, not '%s'",
		    what, LD_MAX_SECONDS, n->val);
		return 0;
	}
	*out = v;
	return 1;
}

int
ld_get_bool(struct ctx *c, const struct node *n, const char *what, int *out)
{
	if (!ld_want(c, n, NODE_SCALAR, what))
		return 0;
	if (n->plain && strcmp(n->val, "true") == 0)
		*out = 1;
	else if (n->plain && strcmp(n->val, "false") == 0)
		*out = 0;
	else {
		ERR(c, n, "%s must be true or false, not '%s'", what, n->val);
		return 0;
	}
	return 1;
}

/* A list of non-empty strings (a single scalar is taken as a list of one). */
int
ld_get_strv(struct ctx *c, const struct node *n, const char *what, char ***out, size_t *nout)
{
	if (n->type == NODE_MAP) {
		ERR(c, n, "%s must be a list of strings, not a mapping", what);
		return 0;
	}
	const struct node *const *items = (const struct node *const *)&n;
	size_t count = 1;
	if (n->type == NODE_SEQ) {
		items = (const struct node *const *)n->kids;
		count = n->n;
	}
	int ok = 1;
	for (size_t i = 0; i < count; i++) {
		char *s = ld_get_str(c, items[i], what, 1);
		if (!s) {
			ok = 0;
			continue;
		}
		*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
		(*out)[(*nout)++] = s;
	}
	return ok;
}

/* Check that a mapping's keys are scalars, unique, and among allowed. */
int
ld_check_keys(struct ctx *c, const struct node *map, const char *const *allowed, const char *what)
{
	int ok = 1;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct node *k = map->kids[i];
		if (k->type != NODE_SCALAR) {
			ERR(c, k, "%s keys must be scalars", what);
			ok = 0;
			continue;
		}
		int known = allowed == NULL;
		for (size_t a = 0; allowed && allowed[a]; a++)
			if (strcmp(allowed[a], k->val) == 0)
				known = 1;
		if (!known) {
			struct buf b;
			buf_init(&b);
			for (size_t a = 0; allowed[a]; a++)
				buf_printf(&b, "%s%s", a ? ", " : "", allowed[a]);
			ERR(c, k, "unknown key '%s' in %s (expected one of: %s)", k->val, what, b.data);
			buf_free(&b);
			ok = 0;
		}
		for (size_t j = 0; j < i; j += 2)
			if (map->kids[j]->type == NODE_SCALAR && strcmp(map->kids[j]->val, k->val) == 0) {
				ERR(c, k, "duplicate key '%s' (first at line %d)", k->val, map->kids[j]->line);
				ok = 0;
			}
	}
	return ok;
}

const struct node *
ld_lookup(const struct node *map, const char *key)
{
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->kids[i]->type == NODE_SCALAR && strcmp(map->kids[i]->val, key) == 0)
			return map->kids[i + 1];
	return NULL;
}

/* ---- the node tree for other readers (loader.h) ----------------------- */

/* struct load_node is the public name of struct node: the same object. */
static const struct node *
pub_node(const struct load_node *n)
{
	return (const struct node *)(const void *)n;
}

struct load_node *
load_yaml(const char *name, const char *data, size_t len, const char *what,
    struct load_diag *diag)
{
	struct ctx c = { name, diag, diag->n_errors, what };
	return (struct load_node *)(void *)ld_parse_doc(&c, data, len);
}

void
load_node_free(struct load_node *n)
{
	ld_node_free((struct node *)(void *)n);
}

enum load_node_type
load_node_type(const struct load_node *n)
{
	switch (pub_node(n)->type) {
	case NODE_SCALAR: return LOAD_NODE_SCALAR;
	case NODE_SEQ: return LOAD_NODE_SEQ;
	case NODE_MAP: return LOAD_NODE_MAP;
	}
	return LOAD_NODE_SCALAR;
}

int
load_node_line(const struct load_node *n)
{
	return pub_node(n)->line;
}

int
load_node_col(const struct load_node *n)
{
	return pub_node(n)->col;
}

const char *
load_node_str(const struct load_node *n, size_t *len)
{
	const struct node *nd = pub_node(n);
	if (nd->type != NODE_SCALAR)
		return NULL;
	if (len)
		*len = nd->len;
	return nd->val;
}

size_t
load_node_count(const struct load_node *n)
{
	return pub_node(n)->n;
}

const struct load_node *
load_node_kid(const struct load_node *n, size_t i)
{
	return (const struct load_node *)(const void *)pub_node(n)->kids[i];
}
