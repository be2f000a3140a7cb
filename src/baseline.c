/*
 * baseline.c - --baseline files: the YAML list of entries {id, reason,
 * transcript} and the older plain list of ids (baseline.h has the format).
 *
 * The YAML form is read through the loader's node tree (load_yaml), so it
 * follows the loader's rules and reports errors its way:
 *
 *   baseline   := sequence of entry            (an empty document is no entry)
 *   entry      := mapping { id: STRING, reason: STRING,
 *                           transcript: sequence of STRING (at least one) }
 *
 * Anchors and aliases are refused (plain data, and no alias bomb), as are
 * unknown keys, empty strings and an id given twice.
 */
#include "baseline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "report_util.h"
#include "util.h"

#define BL_ERR(d, name, n, ...) \
	load_diag_add((d), (name), load_node_line(n), load_node_col(n), __VA_ARGS__)

/* The node as a fresh string, or NULL (error added) when it is not a
 * non-empty scalar. */
static char *
bl_string(struct load_diag *d, const char *name, const struct load_node *n, const char *key)
{
	size_t len;
	const char *s = load_node_str(n, &len);
	if (s == NULL) {
		BL_ERR(d, name, n, "'%s' must be a string", key);
		return NULL;
	}
	if (len == 0) {
		BL_ERR(d, name, n, "'%s' must not be empty", key);
		return NULL;
	}
	return xstrndup(s, len);
}

static void
bl_entry_free(struct bl_entry *e)
{
	free(e->id);
	free(e->reason);
	for (size_t i = 0; i < e->n_transcript; i++)
		free(e->transcript[i]);
	free(e->transcript);
	memset(e, 0, sizeof(*e));
}

/* transcript: a sequence of non-empty strings. */
static void
bl_transcript(struct load_diag *d, const char *name, const struct load_node *n, struct bl_entry *e)
{
	if (load_node_type(n) != LOAD_NODE_SEQ) {
		BL_ERR(d, name, n, "'transcript' must be a list of lines");
		return;
	}
	for (size_t i = 0; i < load_node_count(n); i++) {
		char *s = bl_string(d, name, load_node_kid(n, i), "transcript");

		if (s == NULL)
			continue;
		e->transcript = xrealloc(e->transcript,
		    (e->n_transcript + 1) * sizeof(*e->transcript));
		e->transcript[e->n_transcript++] = s;
	}
	if (e->n_transcript == 0)
		BL_ERR(d, name, n, "'transcript' needs at least one line that shows the deviation");
}

/* One key of an entry and its value. */
static void
bl_field(struct load_diag *d, const char *name, const struct load_node *k,
    const struct load_node *v, struct bl_entry *e, int *seen_tr)
{
	const char *key = load_node_str(k, NULL);

	if (key == NULL)
		BL_ERR(d, name, k, "keys must be strings");
	else if (strcmp(key, "id") == 0 && e->id == NULL)
		e->id = bl_string(d, name, v, "id");
	else if (strcmp(key, "reason") == 0 && e->reason == NULL)
		e->reason = bl_string(d, name, v, "reason");
	else if (strcmp(key, "transcript") == 0 && !*seen_tr) {
		*seen_tr = 1;
		bl_transcript(d, name, v, e);
	} else if (strcmp(key, "id") == 0 || strcmp(key, "reason") == 0 ||
	    strcmp(key, "transcript") == 0)
		BL_ERR(d, name, k, "'%s' given twice", key);
	else
		BL_ERR(d, name, k, "unknown key '%s' (an entry has id, reason and transcript)", key);
}

/* One entry.  Returns 0 with *e filled, or -1 (errors added, e freed). */
static int
bl_entry(struct load_diag *d, const char *name, const struct load_node *n, struct bl_entry *e)
{
	size_t before = d->n_errors;
	int seen_tr = 0;

	memset(e, 0, sizeof(*e));
	e->line = load_node_line(n);
	if (load_node_type(n) != LOAD_NODE_MAP) {
		BL_ERR(d, name, n, "an entry is a mapping with id, reason and transcript");
		return -1;
	}
	for (size_t i = 0; i + 1 < load_node_count(n); i += 2)
		bl_field(d, name, load_node_kid(n, i), load_node_kid(n, i + 1), e, &seen_tr);
	if (e->id == NULL)
		BL_ERR(d, name, n, "entry without 'id'");
	if (e->reason == NULL)
		BL_ERR(d, name, n, "entry without 'reason' (why the server deviates)");
	if (!seen_tr)
		BL_ERR(d, name, n, "entry without 'transcript' (the lines that show the deviation)");
	if (d->n_errors != before) {
		bl_entry_free(e);
		return -1;
	}
	return 0;
}

static void
bl_push(struct bl_baseline *b, const struct bl_entry *e)
{
	b->e = xrealloc(b->e, (b->n + 1) * sizeof(*b->e));
	b->e[b->n++] = *e;
}

static void
bl_parse_yaml(struct load_diag *d, const char *name, const char *data, size_t len,
    struct bl_baseline *out)
{
	struct load_node *root = load_yaml(name, data, len, "a baseline", d);
	size_t rlen = 0;

	if (root == NULL)
		return;
	if (load_node_str(root, &rlen) != NULL && rlen == 0) {
		load_node_free(root);
		return; /* an empty document: no entries */
	}
	if (load_node_type(root) != LOAD_NODE_SEQ) {
		BL_ERR(d, name, root, "a baseline is a list of entries");
		load_node_free(root);
		return;
	}
	for (size_t i = 0; i < load_node_count(root); i++) {
		const struct load_node *n = load_node_kid(root, i);
		struct bl_entry e;

		if (bl_entry(d, name, n, &e) != 0)
			continue;
		if (bl_find(out, e.id) != NULL) {
			BL_ERR(d, name, n, "id '%s' is listed twice", e.id);
			bl_entry_free(&e);
			continue;
		}
		bl_push(out, &e);
	}
	load_node_free(root);
}

/* The plain list: one id a line, '#' to the end of the line a comment. */
static void
bl_parse_plain(const char *data, size_t len, struct bl_baseline *out)
{
	size_t i = 0;
	int line = 0;

	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - data) : len, a = i, z;

		line++;
		while (a < end && (data[a] == ' ' || data[a] == '\t'))
			a++;
		z = a;
		while (z < end && data[z] != ' ' && data[z] != '\t' &&
		    data[z] != '\r' && data[z] != '#')
			z++;
		if (z > a && data[a] != '#' && bl_find_n(out, data + a, z - a) == NULL) {
			struct bl_entry e = { .id = xstrndup(data + a, z - a), .line = line };

			bl_push(out, &e);
		}
		i = end + 1;
	}
}

/* Does the first line that is neither blank nor a comment start with '-'? */
static int
bl_is_yaml(const char *data, size_t len)
{
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - data) : len, a = i;

		while (a < end && (data[a] == ' ' || data[a] == '\t' || data[a] == '\r'))
			a++;
		if (a < end && data[a] != '#')
			return data[a] == '-';
		i = end + 1;
	}
	return 0;
}

int
bl_parse(const char *name, const char *data, size_t len,
    struct bl_baseline *out, struct buf *err)
{
	struct load_diag d;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	load_diag_init(&d);
	if (memchr(data, '\0', len) != NULL)
		load_diag_add(&d, name, 1, 1, "a baseline is text (it holds a NUL byte)");
	else if (bl_is_yaml(data, len))
		bl_parse_yaml(&d, name, data, len, out);
	else
		bl_parse_plain(data, len, out);
	if (d.n_errors > 0) {
		buf_append(err, d.text.data, d.text.len);
		bl_free(out);
		rc = -1;
	} else {
		out->ids = xcalloc(out->n + 1, sizeof(*out->ids));
		for (size_t i = 0; i < out->n; i++)
			out->ids[i] = out->e[i].id;
	}
	load_diag_free(&d);
	return rc;
}

int
bl_load(const char *path, struct bl_baseline *out, struct buf *err)
{
	struct buf data;
	char chunk[8192];
	size_t n;
	FILE *f;
	int rc;

	memset(out, 0, sizeof(*out));
	f = fopen(path, "r");
	if (f == NULL) {
		buf_printf(err, "%s:1:1: error: cannot open baseline: %s\n", path, strerror(errno));
		return -1;
	}
	buf_init(&data);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&data, chunk, n);
	if (ferror(f)) {
		buf_printf(err, "%s:1:1: error: cannot read baseline: %s\n", path, strerror(errno));
		fclose(f);
		buf_free(&data);
		return -1;
	}
	fclose(f);
	rc = bl_parse(path, data.data ? data.data : "", data.len, out, err);
	buf_free(&data);
	return rc;
}

const struct bl_entry *
bl_find_n(const struct bl_baseline *b, const char *id, size_t len)
{
	for (size_t i = 0; i < b->n; i++)
		if (strlen(b->e[i].id) == len && memcmp(b->e[i].id, id, len) == 0)
			return &b->e[i];
	return NULL;
}

const struct bl_entry *
bl_find(const struct bl_baseline *b, const char *id)
{
	return bl_find_n(b, id, strlen(id));
}

const struct bl_entry *
bl_mark(const struct bl_baseline *b, struct res_result *r)
{
	const struct bl_entry *e = r->scn ? bl_find(b, r->scn->id) : NULL;
	if (e == NULL || r->tr.n == 0)
		return e;
	if (r->status == RES_FAIL || r->status == RES_ERROR)
		r->status = RES_XFAIL;
	else if (r->status == RES_PASS)
		r->status = RES_XPASS;
	return e;
}

size_t
bl_check_transcript(const struct bl_entry *e, struct res_result *r)
{
	struct rep_lines tl;
	size_t missing = 0;

	if (e->n_transcript == 0)
		return 0;
	rep_transcript_lines(&tl, &r->tr, 0);
	for (size_t i = 0; i < e->n_transcript; i++) {
		size_t k;

		for (k = 0; k < tl.n; k++)
			if (strstr(tl.line[k], e->transcript[i]) != NULL)
				break;
		if (k == tl.n) {
			res_warn(r, "baseline transcript line not seen in this run "
			    "(has the deviation changed?): %s", e->transcript[i]);
			missing++;
		}
	}
	rep_lines_free(&tl);
	return missing;
}

void
bl_free(struct bl_baseline *b)
{
	for (size_t i = 0; i < b->n; i++)
		bl_entry_free(&b->e[i]);
	free(b->e);
	free(b->ids);
	memset(b, 0, sizeof(*b));
}
