/*
 * loader.c - scenario files and profiles, read with libyaml's event API.
 *
 * The events are first folded into a small tree of nodes, each carrying the
 * start mark of its event (0-based in libyaml, printed 1-based), and the
 * tree is then checked against the grammar below, collecting every error.
 * Anchors, aliases and tags are refused: scenarios are plain data, and an
 * alias bomb must not be able to exhaust memory.
 *
 *   scenario  := mapping { id, title, level, refs, steps  (required)
 *                          description, tags, requires, opening, timeout, vars }
 *   requires  := mapping { extensions: [KEYWORD...], vars: [NAME...] }
 *   step      := mapping with exactly one action and its modifiers:
 *                send: LINE | send_raw: BYTES | pipeline: [LINE...] |
 *                data: BODY | expect: EXPECT | expect_close: true|SECONDS |
 *                expect_open: SECONDS | wait: SECONDS |
 *                starttls: true | mapping { expect: EXPECT, inject: BYTES } ;
 *                repeat: N
 *   EXPECT    := CODE | [CODE...] | mapping { code, text, enhanced,
 *                ehlo_has, ehlo_lacks, single_line, capture }
 *   CODE      := 200..599 | "Dxx"-style pattern
 *   capture   := mapping { NAME: { ehlo: KEYWORD } | { regex: ERE } }
 */
#include "loader.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "abnf.h"
#include "template.h"
#include "util.h"
#include "vars.h"

#define MAX_DEPTH 32
#define MAX_REPEAT 100000
#define MAX_SECONDS 3600.0

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

enum node_type { NODE_SCALAR, NODE_SEQ, NODE_MAP };

struct node {
	enum node_type type;
	int line, col;     /* 1-based */
	char *val;         /* scalar bytes (NUL-terminated copy) */
	size_t len;
	int plain;         /* plain (unquoted) scalar */
	int double_quoted;
	struct node **kids; /* sequence items; mapping: key, value, key, value... */
	size_t n;
};

static void
node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->val);
	free(n);
}

static void
node_add(struct node *parent, struct node *kid)
{
	parent->kids = xrealloc(parent->kids, (parent->n + 1) * sizeof(*parent->kids));
	parent->kids[parent->n++] = kid;
}

struct ctx {
	const char *file;
	struct load_diag *diag;
	size_t errors_before;
};

#define ERR(c, nd, ...) load_diag_add((c)->diag, (c)->file, (nd)->line, (nd)->col, __VA_ARGS__)

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
	struct node *n = xcalloc(1, sizeof(*n));
	n->line = (int)ev->start_mark.line + 1;
	n->col = (int)ev->start_mark.column + 1;
	if (depth > MAX_DEPTH) {
		ERR(c, n, "nesting deeper than %d levels", MAX_DEPTH);
		node_free(n);
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.anchor || (ev->data.scalar.tag &&
		    !ev->data.scalar.plain_implicit && !ev->data.scalar.quoted_implicit)) {
			ERR(c, n, "anchors and tags are not supported in scenarios");
			node_free(n);
			return NULL;
		}
		n->type = NODE_SCALAR;
		n->len = ev->data.scalar.length;
		n->val = xstrndup((const char *)ev->data.scalar.value, n->len);
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->double_quoted = ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		return n;
	case YAML_ALIAS_EVENT:
		ERR(c, n, "aliases are not supported in scenarios");
		node_free(n);
		return NULL;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		int seq = ev->type == YAML_SEQUENCE_START_EVENT;
		if (seq ? ev->data.sequence_start.anchor != NULL : ev->data.mapping_start.anchor != NULL) {
			ERR(c, n, "anchors are not supported in scenarios");
			node_free(n);
			return NULL;
		}
		n->type = seq ? NODE_SEQ : NODE_MAP;
		for (;;) {
			yaml_event_t kid;
			if (!yaml_parser_parse(p, &kid)) {
				yaml_err(c, p);
				node_free(n);
				return NULL;
			}
			if (kid.type == YAML_SEQUENCE_END_EVENT || kid.type == YAML_MAPPING_END_EVENT) {
				yaml_event_delete(&kid);
				return n;
			}
			struct node *k = build(c, p, &kid, depth + 1);
			yaml_event_delete(&kid);
			if (!k) {
				node_free(n);
				return NULL;
			}
			node_add(n, k);
		}
	}
	default:
		ERR(c, n, "unexpected YAML event");
		node_free(n);
		return NULL;
	}
}

/* Parse a whole stream holding exactly one document. */
static struct node *
parse_doc(struct ctx *c, const char *data, size_t len)
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
			node_free(root);
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
			    (int)ev.start_mark.column + 1, "one scenario per file: a second YAML document starts here");
			yaml_event_delete(&ev);
			node_free(root);
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
	if (!root && docs == 0 && c->diag->n_errors == c->errors_before)
		load_diag_add(c->diag, c->file, 1, 1, "empty file: expected a scenario mapping");
	else if (!root && c->diag->n_errors == c->errors_before)
		load_diag_add(c->diag, c->file, 1, 1, "empty document: expected a scenario mapping");
	return root;
}

/* ---- typed access ----------------------------------------------------- */

static const char *
type_name(const struct node *n)
{
	switch (n->type) {
	case NODE_SCALAR: return "a scalar";
	case NODE_SEQ: return "a list";
	case NODE_MAP: return "a mapping";
	}
	return "?";
}

static int
want(struct ctx *c, const struct node *n, enum node_type t, const char *what)
{
	if (n->type == t)
		return 1;
	ERR(c, n, "%s must be %s, not %s", what,
	    t == NODE_SCALAR ? "a scalar" : t == NODE_SEQ ? "a list" : "a mapping",
	    type_name(n));
	return 0;
}

static char *
get_str(struct ctx *c, const struct node *n, const char *what, int nonempty)
{
	if (!want(c, n, NODE_SCALAR, what))
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

static int
get_uint(struct ctx *c, const struct node *n, const char *what, unsigned lo,
    unsigned hi, unsigned *out)
{
	if (!want(c, n, NODE_SCALAR, what))
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

static int
get_seconds(struct ctx *c, const struct node *n, const char *what, double *out)
{
	if (!want(c, n, NODE_SCALAR, what))
		return 0;
	char *end = NULL;
	errno = 0;
	double v = n->len ? strtod(n->val, &end) : -1;
	if (n->len == 0 || errno || *end || !(v >= 0 && v <= MAX_SECONDS)) {
		ERR(c, n, "%s must be a number of seconds from 0 to %.0f, not '%s'",
		    what, MAX_SECONDS, n->val);
		return 0;
	}
	*out = v;
	return 1;
}

static int
get_bool(struct ctx *c, const struct node *n, const char *what, int *out)
{
	if (!want(c, n, NODE_SCALAR, what))
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
static int
get_strv(struct ctx *c, const struct node *n, const char *what, char ***out, size_t *nout)
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
		char *s = get_str(c, items[i], what, 1);
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
static int
check_keys(struct ctx *c, const struct node *map, const char *const *allowed, const char *what)
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

static const struct node *
lookup(const struct node *map, const char *key)
{
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->kids[i]->type == NODE_SCALAR && strcmp(map->kids[i]->val, key) == 0)
			return map->kids[i + 1];
	return NULL;
}

/* ---- expectations ----------------------------------------------------- */

static int
parse_code(struct ctx *c, const struct node *n, struct scn_code *out)
{
	if (!want(c, n, NODE_SCALAR, "a reply code"))
		return 0;
	const char *v = n->val;
	int ok = n->len == 3;
	for (int i = 0; ok && i < 3; i++)
		ok = (v[i] >= '0' && v[i] <= '9') || (v[i] == 'x' && n->len == 3);
	if (ok)
		ok = v[0] == 'x' || (v[0] >= '2' && v[0] <= '5');
	if (ok)
		ok = v[1] == 'x' || (v[1] >= '0' && v[1] <= '5');
	if (!ok) {
		ERR(c, n, "bad reply code '%s': expected 200-559 or a pattern such as '5xx' or '25x'", v);
		return 0;
	}
	memcpy(out->pat, v, 3);
	out->pat[3] = '\0';
	return 1;
}

static int
parse_code_list(struct ctx *c, const struct node *n, struct scn_code **out, size_t *nout)
{
	const struct node *const *items = (const struct node *const *)&n;
	size_t count = 1;
	if (n->type == NODE_SEQ) {
		items = (const struct node *const *)n->kids;
		count = n->n;
		if (count == 0) {
			ERR(c, n, "an empty list of codes matches nothing");
			return 0;
		}
	} else if (n->type == NODE_MAP) {
		ERR(c, n, "code must be a reply code or a list of codes, not a mapping");
		return 0;
	}
	int ok = 1;
	*out = xcalloc(count, sizeof(**out));
	for (size_t i = 0; i < count; i++) {
		if (parse_code(c, items[i], &(*out)[*nout]))
			(*nout)++;
		else
			ok = 0;
	}
	return ok;
}

/* glibc's regcomp() copies the tree under "x+" once and under "x{m,n}"
 * about max(m, n) times, so stacked or nested repetitions ("a++++...",
 * "((a{99}){99}){99}") grow exponentially: some sixty '+' exhaust any
 * memory (found by fuzz_loader; POSIX leaves adjacent duplication symbols
 * undefined anyway).  re_too_big() estimates the size of that tree from
 * the source, so such an expression is refused before regcomp() sees it. */
#define RE_MAX_NODES 10000.0
#define RE_MAX_GROUPS 64

/* Reads digits at *q (capped, so no overflow) and moves past them. */
static double
re_number(const char **q)
{
	double v = 0;
	for (; abnf_digit((unsigned char)**q); (*q)++)
		if (v <= RE_MAX_NODES)
			v = v * 10 + (**q - '0');
	return v;
}

static int
re_too_big(const char *p)
{
	/* Per open group: the size of what is complete, and of the last
	 * atom, which a following repetition multiplies. */
	double sum[RE_MAX_GROUPS + 1], last[RE_MAX_GROUPS + 1], atom;
	int d = 0;

	sum[0] = last[0] = 0;
	for (;;) {
		if (sum[d] + last[d] > RE_MAX_NODES)
			return 1;
		if (*p == '\0')
			return 0;
		atom = 1;
		if (*p == '(') {
			if (d == RE_MAX_GROUPS)
				return 1;
			p++;
			d++;
			sum[d] = last[d] = 0;
			continue;
		} else if (*p == '|') {
			sum[d] += last[d];
			last[d] = 0;
			p++;
			continue;
		} else if (*p == '*' || *p == '?') {
			p++;
			continue;
		} else if (*p == '+') {
			last[d] *= 2;
			p++;
			continue;
		} else if (*p == '{' && abnf_digit((unsigned char)p[1])) {
			const char *q = p + 1;
			double m = re_number(&q), n = m;
			if (*q == ',') {
				q++;
				n = abnf_digit((unsigned char)*q) ? re_number(&q) : m + 1;
			}
			if (*q == '}') {
				last[d] *= (m > n ? m : n) + 1;
				p = q + 1;
				continue;
			}
			p++; /* not an interval: a literal '{' */
		} else if (*p == ')' && d > 0) {
			atom = sum[d] + last[d] + 1;
			d--;
			p++;
		} else if (*p == '\\' && p[1] != '\0') {
			p += 2;
		} else if (*p == '[') {
			/* A bracket expression: a first ']' is literal, and
			 * [:class:], [.coll.], [=equiv=] may hold a ']'. */
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p != '\0' && *p != ']') {
				if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
					const char *e = p + 2;
					while (*e != '\0' && !(e[0] == p[1] && e[1] == ']'))
						e++;
					p = *e != '\0' ? e + 2 : p + 1;
				} else
					p++;
			}
			if (*p != '\0')
				p++;
		} else
			p++;
		sum[d] += last[d];
		last[d] = atom;
	}
}

static int
parse_codes(struct ctx *c, const struct node *n, struct scn_expect *e)
{
	return parse_code_list(c, n, &e->codes, &e->n_codes);
}

/* 1 if every code that pattern p matches is also matched by pattern q. */
static int
code_covers(const struct scn_code *q, const struct scn_code *p)
{
	for (int i = 0; i < 3; i++)
		if (q->pat[i] != 'x' && q->pat[i] != p->pat[i])
			return 0;
	return 1;
}

/* Every code of sub[0..n) is among the accepted codes. */
static int
check_subset(struct ctx *c, const struct node *n, const struct scn_expect *e,
    const struct scn_code *sub, size_t nsub, const char *what)
{
	if (e->n_codes == 0) {
		ERR(c, n, "%s needs code: the codes accepted", what);
		return 0;
	}
	for (size_t i = 0; i < nsub; i++) {
		size_t k = 0;
		while (k < e->n_codes && !code_covers(&e->codes[k], &sub[i]))
			k++;
		if (k == e->n_codes) {
			ERR(c, n, "%s code %s is not among the accepted codes", what, sub[i].pat);
			return 0;
		}
	}
	return 1;
}

/* prefer: a subset of code, and not all of it (else it could never warn). */
static int
check_prefer(struct ctx *c, const struct node *n, const struct scn_expect *e)
{
	if (e->n_codes == 0) {
		ERR(c, n, "prefer needs code: the codes accepted, of which prefer are the recommended ones");
		return 0;
	}
	for (size_t i = 0; i < e->n_prefer; i++) {
		size_t k = 0;
		while (k < e->n_codes && !code_covers(&e->codes[k], &e->prefer[i]))
			k++;
		if (k == e->n_codes) {
			ERR(c, n, "preferred code %s is not among the accepted codes", e->prefer[i].pat);
			return 0;
		}
	}
	for (size_t k = 0; k < e->n_codes; k++) {
		size_t i = 0;
		while (i < e->n_prefer && !code_covers(&e->prefer[i], &e->codes[k]))
			i++;
		if (i == e->n_prefer)
			return 1;
	}
	ERR(c, n, "prefer names every accepted code: it can never warn");
	return 0;
}

static int
compile_re(struct ctx *c, const struct node *n, regex_t *re)
{
	if (re_too_big(n->val)) {
		ERR(c, n, "regular expression '%s' too complex (repetitions would "
		    "expand it beyond %.0f nodes)", n->val, RE_MAX_NODES);
		return 0;
	}
	int rc = regcomp(re, n->val, REG_EXTENDED);
	if (rc != 0) {
		char msg[256];
		regerror(rc, re, msg, sizeof(msg));
		regfree(re);
		ERR(c, n, "bad regular expression '%s': %s", n->val, msg);
		return 0;
	}
	return 1;
}

static int
valid_enhanced(const char *v)
{
	if (strcmp(v, "present") == 0)
		return 1;
	/* class . subject . detail, each digits or 'x' */
	int part = 0;
	const char *p = v;
	while (part < 3) {
		if (*p == 'x')
			p++;
		else {
			const char *s = p;
			while (*p >= '0' && *p <= '9' && p - s < 3)
				p++;
			if (p == s || (p - s > 1 && *s == '0'))
				return 0;
			if (part == 0 && !(p - s == 1 && (*s == '2' || *s == '4' || *s == '5')))
				return 0;
		}
		part++;
		if (part < 3 && *p++ != '.')
			return 0;
	}
	return *p == '\0';
}

struct capdef {
	char *name;
	size_t step;
};

struct loadstate {
	struct ctx *c;
	struct scn *s;
	struct capdef *caps;
	size_t ncaps;
};

static int
parse_capture(struct loadstate *ls, const struct node *n, struct scn_expect *e, size_t step)
{
	struct ctx *c = ls->c;
	if (!want(c, n, NODE_MAP, "capture"))
		return 0;
	if (!check_keys(c, n, NULL, "capture"))
		return 0;
	int ok = 1;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const struct node *k = n->kids[i], *v = n->kids[i + 1];
		if (!tmpl_valid_name(k->val, k->len)) {
			ERR(c, k, "bad capture name '%s': use letters, digits and '_'", k->val);
			ok = 0;
			continue;
		}
		static const char *const ckeys[] = { "ehlo", "regex", NULL };
		if (!want(c, v, NODE_MAP, "a capture") || !check_keys(c, v, ckeys, "capture") ) {
			ok = 0;
			continue;
		}
		if (v->n != 2) {
			ERR(c, v, "a capture needs exactly one of 'ehlo' or 'regex'");
			ok = 0;
			continue;
		}
		const struct node *how = v->kids[0], *arg = v->kids[1];
		char *src = get_str(c, arg, how->val, 1);
		if (!src) {
			ok = 0;
			continue;
		}
		struct scn_capture cap = { 0 };
		cap.kind = strcmp(how->val, "ehlo") == 0 ? SCN_CAPTURE_EHLO : SCN_CAPTURE_REGEX;
		if (cap.kind == SCN_CAPTURE_REGEX && !compile_re(c, arg, &cap.re)) {
			free(src);
			ok = 0;
			continue;
		}
		cap.source = src;
		cap.name = xstrdup(k->val);
		e->captures = xrealloc(e->captures, (e->n_captures + 1) * sizeof(*e->captures));
		e->captures[e->n_captures++] = cap;
		ls->caps = xrealloc(ls->caps, (ls->ncaps + 1) * sizeof(*ls->caps));
		ls->caps[ls->ncaps].name = cap.name;
		ls->caps[ls->ncaps++].step = step;
	}
	return ok;
}

static int
parse_expect_keys(struct loadstate *ls, const struct node *n, struct scn_expect *e, size_t step,
    int extra)
{
	struct ctx *c = ls->c;
	if (n->type != NODE_MAP)
		return parse_codes(c, n, e);
	static const char *const keys[] = { "code", "prefer", "stop_if", "text", "enhanced", "ehlo_has",
		"ehlo_lacks", "ehlo_valid", "single_line", "capture", NULL };
	static const char *const extra_keys[] = { "code", "text", "enhanced", "single_line",
		"within", "warn", NULL };
	int ok = check_keys(c, n, extra ? extra_keys : keys, extra ? "expect_extra" : "expect");
	const struct node *v;
	if ((v = lookup(n, "code")) && !parse_codes(c, v, e))
		ok = 0;
	if ((v = lookup(n, "prefer")) &&
	    (!parse_code_list(c, v, &e->prefer, &e->n_prefer) || (ok && !check_prefer(c, v, e))))
		ok = 0;
	if ((v = lookup(n, "stop_if")) &&
	    (!parse_code_list(c, v, &e->stop, &e->n_stop) || (ok && !check_subset(c, v, e, e->stop,
	    e->n_stop, "stop_if"))))
		ok = 0;
	if ((v = lookup(n, "text"))) {
		if ((e->text = get_str(c, v, "text", 1)) && !compile_re(c, v, &e->text_re)) {
			free(e->text);
			e->text = NULL;
			ok = 0;
		} else if (!e->text)
			ok = 0;
	}
	if ((v = lookup(n, "enhanced"))) {
		e->enhanced = get_str(c, v, "enhanced", 1);
		if (e->enhanced && !valid_enhanced(e->enhanced)) {
			ERR(c, v, "bad enhanced status '%s': expected e.g. 5.1.1, 5.x.x or present", e->enhanced);
			free(e->enhanced);
			e->enhanced = NULL;
		}
		if (!e->enhanced)
			ok = 0;
	}
	if ((v = lookup(n, "ehlo_has")) && !get_strv(c, v, "ehlo_has", &e->ehlo_has, &e->n_ehlo_has))
		ok = 0;
	if ((v = lookup(n, "ehlo_lacks")) && !get_strv(c, v, "ehlo_lacks", &e->ehlo_lacks, &e->n_ehlo_lacks))
		ok = 0;
	if ((v = lookup(n, "single_line")) && !get_bool(c, v, "single_line", &e->single_line))
		ok = 0;
	if ((v = lookup(n, "ehlo_valid")) && !get_bool(c, v, "ehlo_valid", &e->ehlo_valid))
		ok = 0;
	if ((v = lookup(n, "capture")) && !parse_capture(ls, v, e, step))
		ok = 0;
	return ok;
}

static int
parse_expect(struct loadstate *ls, const struct node *n, struct scn_expect *e, size_t step)
{
	return parse_expect_keys(ls, n, e, step, 0);
}

/* expect_extra: {code, text, enhanced, single_line, within: SECONDS, warn: TEXT};
 * code and warn are required. */
static int
parse_expect_extra(struct loadstate *ls, const struct node *n, struct scn_step *st, size_t step)
{
	struct ctx *c = ls->c;
	if (!want(c, n, NODE_MAP, "expect_extra"))
		return 0;
	int ok = parse_expect_keys(ls, n, &st->expect, step, 1);
	const struct node *v;
	if (!lookup(n, "code")) {
		ERR(c, n, "expect_extra needs code: the codes of the tolerated reply");
		ok = 0;
	}
	if (!(v = lookup(n, "warn"))) {
		ERR(c, n, "expect_extra needs warn: the deviation to report when the reply comes");
		ok = 0;
	} else if (!(st->text = get_str(c, v, "warn", 1)))
		ok = 0;
	else
		st->text_len = strlen(st->text);
	st->seconds = 0.5;
	if ((v = lookup(n, "within")) && !get_seconds(c, v, "within", &st->seconds))
		ok = 0;
	return ok;
}

/* ---- steps ------------------------------------------------------------ */

/* In the order of enum scn_step_kind. */
static const char *const step_actions[] = { "send", "send_raw", "pipeline", "data",
	"expect", "expect_close", "expect_open", "wait", "expect_extra", "starttls", NULL };

/* starttls: true, or a mapping with the reply to expect (default 220) and
 * bytes injected after "STARTTLS\r\n" in the same write (escapes as in
 * send_raw: the CVE-2011-0411 probe). */
static int
parse_starttls(struct loadstate *ls, const struct node *value, struct scn_step *st, size_t idx)
{
	struct ctx *c = ls->c;
	int ok = 1;
	if (value->type == NODE_MAP) {
		static const char *const tkeys[] = { "expect", "inject", NULL };
		if (!check_keys(c, value, tkeys, "starttls"))
			return 0;
		const struct node *v;
		if ((v = lookup(value, "expect")) && !parse_expect(ls, v, &st->expect, idx))
			ok = 0;
		if ((v = lookup(value, "inject"))) {
			if (!want(c, v, NODE_SCALAR, "inject"))
				return 0;
			if (v->double_quoted) {
				ERR(c, v, "inject must be single-quoted or plain: the harness decodes the escapes itself");
				return 0;
			}
			st->text = xstrndup(v->val, v->len);
			st->text_len = v->len;
		}
	} else {
		int b = 0;
		if (!get_bool(c, value, "starttls", &b) || !b) {
			ERR(c, value, "starttls takes true or a mapping {expect, inject}");
			return 0;
		}
	}
	if (st->expect.n_codes == 0) {
		st->expect.codes = xcalloc(1, sizeof(*st->expect.codes));
		memcpy(st->expect.codes[0].pat, "220", 4);
		st->expect.n_codes = 1;
	}
	return ok;
}

/* ---- rules ------------------------------------------------------------ */

static int valid_ref(const char *r);

/* 1 if the quote carries an RFC 2119 keyword of the given strength (any
 * case: RFC 1870, 2034 and 6152 write "must" and "should" in lower case). */
static int
quote_has(const char *q, int should)
{
	static const char *const strong[] = { "must", "shall", "required", NULL };
	static const char *const weak[] = { "should", "recommended", NULL };
	const char *const *w = should ? weak : strong;
	for (; *w; w++)
		for (const char *p = strcasestr(q, *w); p; p = strcasestr(p + 1, *w)) {
			size_t n = strlen(*w);
			int before = p == q || !isalpha((unsigned char)p[-1]);
			if (before && !isalpha((unsigned char)p[n]))
				return 1;
		}
	return 0;
}

static int
parse_rule(struct ctx *c, const struct node *n, struct scn_rule *r)
{
	static const char *const keys[] = { "id", "ref", "quote", NULL };
	if (!want(c, n, NODE_MAP, "a rule") || !check_keys(c, n, keys, "rule"))
		return 0;
	const struct node *v;
	int ok = 1;
	if (!(v = lookup(n, "id")) || !(r->id = get_str(c, v, "rule id", 1)))
		ok = v ? 0 : (ERR(c, n, "a rule needs an id (a catalogue id such as TX-05)"), 0);
	else if (!scn_ref_is_catalogue_id(r->id))
		ok = (ERR(c, v, "rule id '%s' is not a catalogue id such as 'TX-05'", r->id), 0);
	if (!(v = lookup(n, "ref")) || !(r->ref = get_str(c, v, "rule ref", 1)))
		ok = v ? 0 : (ERR(c, n, "a rule needs a ref (the RFC section, 'RFC 5321 3.3')"), 0);
	else if (strncmp(r->ref, "RFC ", 4) != 0 || !valid_ref(r->ref))
		ok = (ERR(c, v, "rule ref '%s' is not an RFC section such as 'RFC 5321 3.3'", r->ref), 0);
	if (!(v = lookup(n, "quote")) || !(r->quote = get_str(c, v, "rule quote", 1)))
		ok = v ? 0 : (ERR(c, n, "a rule needs a quote (the RFC's words, with MUST or SHOULD)"), 0);
	else if (!quote_has(r->quote, 0) && !quote_has(r->quote, 1))
		ok = (ERR(c, v, "the quote of rule '%s' has no MUST, SHOULD, SHALL or REQUIRED: "
		    "only a broken requirement may fail a server", r->id ? r->id : "?"), 0);
	return ok;
}

static void
parse_rules(struct ctx *c, const struct node *n, struct scn *s)
{
	if (!want(c, n, NODE_SEQ, "rules"))
		return;
	s->rules = xcalloc(n->n ? n->n : 1, sizeof(*s->rules));
	for (size_t i = 0; i < n->n; i++) {
		parse_rule(c, n->kids[i], &s->rules[s->n_rules]);
		for (size_t j = 0; j < s->n_rules && s->rules[s->n_rules].id; j++)
			if (s->rules[j].id && strcmp(s->rules[j].id, s->rules[s->n_rules].id) == 0)
				ERR(c, n->kids[i], "rule '%s' is listed twice", s->rules[j].id);
		s->n_rules++;
	}
	if (n->n == 0)
		ERR(c, n, "rules needs at least one rule");
}

/* After the steps: every rule is enforced somewhere, is listed in refs, and
 * the level is the strongest keyword a quote carries. */
static void
check_rules(struct ctx *c, const struct node *root, const struct scn *s)
{
	const struct node *where = lookup(root, "rules");
	int strong = 0, weak = 0;
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct scn_rule *r = &s->rules[i];
		const struct node *rn = where && where->type == NODE_SEQ && i < where->n ? where->kids[i] : root;
		if (!r->id || !r->quote)
			continue;
		size_t k = 0;
		while (k < s->n_steps && s->steps[k].rule != r)
			k++;
		if (k == s->n_steps)
			ERR(c, rn, "rule '%s' is named by no step (put 'rule: %s' on the step that enforces it)",
			    r->id, r->id);
		k = 0;
		while (k < s->n_refs && strcmp(s->refs[k], r->id) != 0)
			k++;
		if (k == s->n_refs)
			ERR(c, rn, "rule '%s' is not listed in refs", r->id);
		strong |= quote_has(r->quote, 0);
		weak |= quote_has(r->quote, 1);
	}
	if (s->n_rules == 0)
		return;
	if (s->level == SCN_MAY)
		ERR(c, lookup(root, "level"), "level may: a scenario with rules fails a server only "
		    "on a MUST or SHOULD (level must or should)");
	else if (s->level == SCN_MUST && !strong)
		ERR(c, lookup(root, "level"), "level must, but no rule's quote says MUST, SHALL or REQUIRED");
	else if (s->level == SCN_SHOULD && !weak)
		ERR(c, lookup(root, "level"), "level should, but no rule's quote says SHOULD or RECOMMENDED");
}

static int
parse_step_rule(struct loadstate *ls, const struct node *n, struct scn_step *st)
{
	struct ctx *c = ls->c;
	if (st->kind != SCN_STEP_EXPECT && st->kind != SCN_STEP_EXPECT_CLOSE &&
	    st->kind != SCN_STEP_EXPECT_OPEN && st->kind != SCN_STEP_STARTTLS) {
		ERR(c, n, "'rule' applies to expect, expect_close, expect_open and starttls only");
		return 0;
	}
	if (!want(c, n, NODE_SCALAR, "rule"))
		return 0;
	for (size_t i = 0; i < ls->s->n_rules; i++)
		if (ls->s->rules[i].id && strcmp(ls->s->rules[i].id, n->val) == 0) {
			st->rule = &ls->s->rules[i];
			return 1;
		}
	ERR(c, n, "rule '%s' is not one of the scenario's rules", n->val);
	return 0;
}

static int
parse_step(struct loadstate *ls, const struct node *n, struct scn_step *st, size_t idx)
{
	struct ctx *c = ls->c;
	st->line = n->line;
	st->col = n->col;
	st->repeat = 1;
	if (!want(c, n, NODE_MAP, "a step"))
		return 0;
	static const char *const keys[] = { "send", "send_raw", "pipeline", "data",
		"expect", "expect_close", "expect_open", "wait", "expect_extra", "starttls", "repeat",
		"rule", NULL };
	if (!check_keys(c, n, keys, "step"))
		return 0;
	const struct node *action = NULL, *value = NULL;
	for (size_t i = 0; i + 1 < n->n; i += 2)
		for (size_t a = 0; step_actions[a]; a++)
			if (strcmp(n->kids[i]->val, step_actions[a]) == 0) {
				if (action) {
					ERR(c, n->kids[i], "a step has one action: '%s' and '%s' both given",
					    action->val, n->kids[i]->val);
					return 0;
				}
				action = n->kids[i];
				value = n->kids[i + 1];
				st->kind = (enum scn_step_kind)a;
			}
	if (!action) {
		ERR(c, n, "a step needs an action: send, send_raw, pipeline, data, expect, expect_close, expect_open, wait, expect_extra or starttls");
		return 0;
	}
	int ok = 1;
	const struct node *rep = lookup(n, "repeat");
	if (rep) {
		if (st->kind != SCN_STEP_SEND && st->kind != SCN_STEP_SEND_RAW &&
		    st->kind != SCN_STEP_DATA && st->kind != SCN_STEP_EXPECT) {
			ERR(c, rep, "'repeat' applies to send, send_raw, data and expect only");
			ok = 0;
		} else if (!get_uint(c, rep, "repeat", 1, MAX_REPEAT, &st->repeat))
			ok = 0;
	}
	const struct node *rn = lookup(n, "rule");
	if (rn && !parse_step_rule(ls, rn, st))
		ok = 0;
	switch (st->kind) {
	case SCN_STEP_SEND:
	case SCN_STEP_DATA:
		if (!want(c, value, NODE_SCALAR, action->val))
			return 0;
		st->text = xstrndup(value->val, value->len);
		st->text_len = value->len;
		if (st->kind == SCN_STEP_SEND && memchr(value->val, '\n', value->len)) {
			ERR(c, value, "send takes one command line; use send_raw for line breaks or pipeline for several commands");
			ok = 0;
		}
		break;
	case SCN_STEP_SEND_RAW:
		if (!want(c, value, NODE_SCALAR, action->val))
			return 0;
		if (value->double_quoted) {
			ERR(c, value, "send_raw must be single-quoted or plain: the harness decodes the escapes itself");
			return 0;
		}
		st->text = xstrndup(value->val, value->len);
		st->text_len = value->len;
		break;
	case SCN_STEP_PIPELINE:
		if (!want(c, value, NODE_SEQ, "pipeline"))
			return 0;
		if (value->n < 1) {
			ERR(c, value, "pipeline needs at least one command");
			return 0;
		}
		if (!get_strv(c, value, "a pipelined command", &st->lines, &st->n_lines))
			ok = 0;
		break;
	case SCN_STEP_EXPECT:
		if (!parse_expect(ls, value, &st->expect, idx))
			ok = 0;
		break;
	case SCN_STEP_EXPECT_EXTRA:
		if (!parse_expect_extra(ls, value, st, idx))
			ok = 0;
		break;
	case SCN_STEP_EXPECT_CLOSE: {
		int b;
		if (value->type == NODE_SCALAR && value->plain &&
		    (strcmp(value->val, "true") == 0 || strcmp(value->val, "false") == 0)) {
			if (!get_bool(c, value, "expect_close", &b) || !b) {
				ERR(c, value, "expect_close takes true or a number of seconds");
				ok = 0;
			}
		} else if (!get_seconds(c, value, "expect_close", &st->seconds))
			ok = 0;
		break;
	}
	case SCN_STEP_EXPECT_OPEN:
	case SCN_STEP_WAIT:
		if (!get_seconds(c, value, action->val, &st->seconds))
			ok = 0;
		break;
	case SCN_STEP_STARTTLS:
		if (!parse_starttls(ls, value, st, idx))
			ok = 0;
		break;
	}
	return ok;
}

/* ---- variables -------------------------------------------------------- */

struct varcheck {
	struct loadstate *ls;
	size_t step;
};

/* A starttls step after step `from` and before step `to`: the engine
 * forgets captures at the handshake (RFC 3207 4.2). */
static int
starttls_between(const struct scn *s, size_t from, size_t to)
{
	for (size_t k = from + 1; k < to && k < s->n_steps; k++)
		if (s->steps[k].kind == SCN_STEP_STARTTLS)
			return 1;
	return 0;
}

static const char *
known_var(void *arg, const char *name, size_t len)
{
	struct varcheck *vc = arg;
	const struct scn *s = vc->ls->s;
	struct vars_scope scope = { .scn = s };
	if (vars_lookup(&scope, name, len))
		return "";
	for (size_t i = 0; i < s->n_requires_vars; i++)
		if (strlen(s->requires_vars[i]) == len && memcmp(s->requires_vars[i], name, len) == 0)
			return "";
	if (vars_derivable(name, len, s->requires_vars, s->n_requires_vars))
		return "";
	for (size_t i = 0; i < vc->ls->ncaps; i++)
		if (vc->ls->caps[i].step < vc->step && strlen(vc->ls->caps[i].name) == len &&
		    memcmp(vc->ls->caps[i].name, name, len) == 0 &&
		    !starttls_between(vc->ls->s, vc->ls->caps[i].step, vc->step))
			return "";
	return NULL;
}

static int
check_text(struct loadstate *ls, const struct node *where, const char *text,
    size_t len, int escapes, size_t step)
{
	struct varcheck vc = { ls, step };
	size_t pos = 0;
	const char *why = tmpl_expand(text, len, escapes, known_var, &vc, NULL, &pos);
	if (!why)
		return 1;
	if (strcmp(why, "undefined variable") == 0) {
		const char *end = memchr(text + pos, '}', len - pos);
		int nlen = end ? (int)(end - text - pos - 2) : 0;
		ERR(ls->c, where, "undefined variable ${%.*s}: define it in vars, requires.vars or an earlier capture",
		    nlen, text + pos + 2);
	} else
		ERR(ls->c, where, "%s (at offset %zu of the text)", why, pos);
	return 0;
}

static int
parse_vars(struct ctx *c, const struct node *n, struct scn_var **vars, size_t *nvars)
{
	if (!want(c, n, NODE_MAP, "vars") || !check_keys(c, n, NULL, "vars"))
		return 0;
	int ok = 1;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const struct node *k = n->kids[i], *v = n->kids[i + 1];
		if (!tmpl_valid_name(k->val, k->len)) {
			ERR(c, k, "bad variable name '%s': use letters, digits and '_'", k->val);
			ok = 0;
			continue;
		}
		char *val = get_str(c, v, "a variable's value", 0);
		if (!val) {
			ok = 0;
			continue;
		}
		*vars = xrealloc(*vars, (*nvars + 1) * sizeof(**vars));
		(*vars)[*nvars].name = xstrdup(k->val);
		(*vars)[(*nvars)++].value = val;
	}
	return ok;
}

/* ---- the scenario ----------------------------------------------------- */

#define LOAD_MAX_ID 128

static int
valid_id(const char *id)
{
	if (!((*id >= 'a' && *id <= 'z') || (*id >= '0' && *id <= '9')) || strlen(id) > LOAD_MAX_ID)
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

static int
valid_ref(const char *r)
{
	if (scn_ref_is_catalogue_id(r))
		return 1;
	/* "RFC <number>" optionally followed by " <section>" */
	if (strncmp(r, "RFC ", 4) != 0)
		return 0;
	const char *p = r + 4;
	const char *d = p;
	while (*p >= '0' && *p <= '9')
		p++;
	if (p == d)
		return 0;
	if (*p == '\0')
		return 1;
	if (*p++ != ' ' || !*p)
		return 0;
	for (; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.' || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= 'a' && *p <= 'z') || *p == '(' || *p == ')'))
			return 0;
	return 1;
}

static struct scn *
build_scenario(struct ctx *c, const struct node *root)
{
	if (!want(c, root, NODE_MAP, "a scenario"))
		return NULL;
	static const char *const keys[] = { "id", "title", "description", "level", "refs",
		"tags", "requires", "opening", "timeout", "vars", "rules", "steps", NULL };
	struct scn *s = xcalloc(1, sizeof(*s));
	struct loadstate ls = { c, s, NULL, 0 };
	s->file = xstrdup(c->file);
	s->line = root->line;
	s->col = root->col;
	s->opening = SCN_OPEN_EHLO;
	check_keys(c, root, keys, "scenario");

	const struct node *v;
	static const char *const required[] = { "id", "title", "level", "refs", "steps", NULL };
	for (size_t i = 0; required[i]; i++)
		if (!lookup(root, required[i]))
			ERR(c, root, "missing required key '%s'", required[i]);

	if ((v = lookup(root, "id")) && (s->id = get_str(c, v, "id", 1)) && !valid_id(s->id))
		ERR(c, v, "bad id '%.64s%s': use lower-case letters, digits, '-', '_' and '.', at most %d",
		    s->id, strlen(s->id) > 64 ? "..." : "", LOAD_MAX_ID);
	if ((v = lookup(root, "title")))
		s->title = get_str(c, v, "title", 1);
	if ((v = lookup(root, "description")))
		s->description = get_str(c, v, "description", 0);
	if ((v = lookup(root, "level")) && want(c, v, NODE_SCALAR, "level")) {
		if (strcmp(v->val, "must") == 0)
			s->level = SCN_MUST;
		else if (strcmp(v->val, "should") == 0)
			s->level = SCN_SHOULD;
		else if (strcmp(v->val, "may") == 0)
			s->level = SCN_MAY;
		else
			ERR(c, v, "level must be must, should or may, not '%s'", v->val);
	}
	if ((v = lookup(root, "refs"))) {
		size_t before = s->n_refs;
		if (get_strv(c, v, "refs", &s->refs, &s->n_refs)) {
			for (size_t i = before; i < s->n_refs; i++)
				if (!valid_ref(s->refs[i]))
					ERR(c, v->type == NODE_SEQ ? v->kids[i] : v,
					    "bad ref '%s': expected 'RFC 5321 4.1.1.10' or a catalogue id such as 'TM-01'",
					    s->refs[i]);
			if (s->n_refs == 0)
				ERR(c, v, "refs needs at least one RFC section or catalogue id");
		}
	}
	if ((v = lookup(root, "tags")))
		get_strv(c, v, "tags", &s->tags, &s->n_tags);
	if ((v = lookup(root, "requires")) && want(c, v, NODE_MAP, "requires")) {
		static const char *const rkeys[] = { "extensions", "extension_params", "vars", NULL };
		check_keys(c, v, rkeys, "requires");
		const struct node *r;
		if ((r = lookup(v, "extension_params")) && want(c, r, NODE_MAP, "requires.extension_params") &&
		    check_keys(c, r, NULL, "requires.extension_params")) {
			s->requires_params = xcalloc(r->n / 2 + 1, sizeof(*s->requires_params));
			for (size_t i = 0; i + 1 < r->n; i += 2) {
				const struct node *k = r->kids[i], *re = r->kids[i + 1];
				if (!want(c, re, NODE_SCALAR, "an extension parameter pattern") ||
				    !compile_re(c, re, &s->requires_params[s->n_requires_params].re))
					continue;
				s->requires_params[s->n_requires_params].keyword = xstrdup(k->val);
				s->requires_params[s->n_requires_params++].source = xstrdup(re->val);
			}
		}
		if ((r = lookup(v, "extensions")))
			get_strv(c, r, "requires.extensions", &s->requires_ext, &s->n_requires_ext);
		if ((r = lookup(v, "vars"))) {
			get_strv(c, r, "requires.vars", &s->requires_vars, &s->n_requires_vars);
			for (size_t i = 0; i < s->n_requires_vars; i++)
				if (!tmpl_valid_name(s->requires_vars[i], strlen(s->requires_vars[i])))
					ERR(c, r, "bad variable name '%s'", s->requires_vars[i]);
		}
	}
	if ((v = lookup(root, "opening")) && want(c, v, NODE_SCALAR, "opening")) {
		static const char *const names[] = { "none", "greeting", "helo", "ehlo" };
		int found = 0;
		for (int i = 0; i < 4; i++)
			if (strcmp(v->val, names[i]) == 0) {
				s->opening = (enum scn_opening)i;
				found = 1;
			}
		if (!found)
			ERR(c, v, "opening must be none, greeting, helo or ehlo, not '%s'", v->val);
	}
	if ((v = lookup(root, "timeout")) && get_seconds(c, v, "timeout", &s->timeout) && s->timeout <= 0)
		ERR(c, v, "timeout must be more than 0 seconds");
	if ((v = lookup(root, "vars")))
		parse_vars(c, v, &s->vars, &s->n_vars);
	if ((v = lookup(root, "rules")))
		parse_rules(c, v, s);
	if ((v = lookup(root, "steps")) && want(c, v, NODE_SEQ, "steps")) {
		if (v->n == 0)
			ERR(c, v, "steps needs at least one step");
		s->steps = xcalloc(v->n ? v->n : 1, sizeof(*s->steps));
		for (size_t i = 0; i < v->n; i++) {
			parse_step(&ls, v->kids[i], &s->steps[s->n_steps], i);
			s->n_steps++;
		}
		/* variables: checked once everything that defines them is known */
		for (size_t i = 0; i < s->n_steps; i++) {
			struct scn_step *st = &s->steps[i];
			const struct node *sn = v->kids[i];
			const struct node *where = sn->type == NODE_MAP && sn->n >= 2 ? sn->kids[1] : sn;
			if (st->text)
				check_text(&ls, where, st->text, st->text_len,
				    st->kind == SCN_STEP_SEND_RAW || st->kind == SCN_STEP_STARTTLS, i);
			for (size_t l = 0; l < st->n_lines; l++)
				check_text(&ls, where, st->lines[l], strlen(st->lines[l]), 0, i);
		}
	}
	check_rules(c, root, s);
	for (size_t i = 0; i < s->n_vars; i++)
		if (strstr(s->vars[i].value, "${"))
			ERR(c, root, "the value of variable '%s' refers to another variable: values are literal",
			    s->vars[i].name);
	free(ls.caps);
	return s;
}

struct scn *
load_scenario_mem(const char *name, const char *data, size_t len, struct load_diag *diag)
{
	struct ctx c = { name, diag, diag->n_errors };
	struct node *root = parse_doc(&c, data, len);
	if (!root)
		return NULL;
	struct scn *s = build_scenario(&c, root);
	node_free(root);
	if (diag->n_errors != c.errors_before) {
		scn_free(s);
		return NULL;
	}
	return s;
}

static char *
read_file(const char *path, size_t *len, struct load_diag *diag)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		load_diag_add(diag, path, 1, 1, "cannot open: %s", strerror(errno));
		return NULL;
	}
	struct buf b;
	buf_init(&b);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_append(&b, chunk, n);
		if (b.len > LOAD_MAX_FILE) {
			load_diag_add(diag, path, 1, 1, "file larger than %d bytes", LOAD_MAX_FILE);
			fclose(f);
			buf_free(&b);
			return NULL;
		}
	}
	if (ferror(f)) {
		load_diag_add(diag, path, 1, 1, "read error: %s", strerror(errno));
		fclose(f);
		buf_free(&b);
		return NULL;
	}
	fclose(f);
	return buf_steal(&b, len);
}

struct scn *
load_scenario_file(const char *path, struct load_diag *diag)
{
	size_t len;
	char *data = read_file(path, &len, diag);
	if (!data)
		return NULL;
	struct scn *s = load_scenario_mem(path, data, len, diag);
	free(data);
	return s;
}

int
load_profile_file(const char *path, struct scn_var **vars, size_t *n, struct load_diag *diag)
{
	size_t len;
	char *data = read_file(path, &len, diag);
	if (!data)
		return -1;
	struct ctx c = { path, diag, diag->n_errors };
	struct node *root = parse_doc(&c, data, len);
	free(data);
	if (!root)
		return -1;
	static const char *const keys[] = { "vars", NULL };
	if (want(&c, root, NODE_MAP, "a profile") && check_keys(&c, root, keys, "profile")) {
		const struct node *v = lookup(root, "vars");
		if (!v)
			ERR(&c, root, "a profile needs 'vars'");
		else
			parse_vars(&c, v, vars, n);
	}
	node_free(root);
	return diag->n_errors == c.errors_before ? 0 : -1;
}

/* ---- paths ------------------------------------------------------------ */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
walk(const char *dir, char ***out, size_t *nout, int depth)
{
	if (depth > 16)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *p = xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			walk(p, out, nout, depth + 1);
			free(p);
		} else if (strlen(e->d_name) > 5 &&
		    strcmp(e->d_name + strlen(e->d_name) - 5, ".yaml") == 0) {
			*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
			(*out)[(*nout)++] = p;
		} else
			free(p);
	}
	closedir(d);
}

int
load_collect_paths(char *const *paths, size_t n, char ***out, size_t *nout, struct load_diag *diag)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) != 0) {
			load_diag_add(diag, paths[i], 1, 1, "cannot read: %s", strerror(errno));
			rc = -1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			size_t first = *nout;
			walk(paths[i], out, nout, 0);
			qsort(*out + first, *nout - first, sizeof(**out), cmp_str);
		} else {
			*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
			(*out)[(*nout)++] = xstrdup(paths[i]);
		}
	}
	return rc;
}
