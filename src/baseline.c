/*
 * baseline.c - --baseline files: the YAML list of entries {id, reason,
 * transcript} and the older plain list of ids (baseline.h has the format).
 *
 * The YAML form is read with libyaml's event API, as the loader reads
 * scenarios:
 *
 *   baseline   := sequence of entry            (an empty file is no entry)
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
#include <yaml.h>

#include "report_util.h"
#include "util.h"

struct bl_parser {
	yaml_parser_t p;
	yaml_event_t ev;
	const char *name;
	struct buf *err;
	int nerr;
	int broken; /* a libyaml error: no more events can be read */
};

static void
bl_err(struct bl_parser *ps, const yaml_mark_t *m, const char *fmt, const char *arg)
{
	buf_printf(ps->err, "%s:%zu:%zu: error: ", ps->name,
	    (size_t)m->line + 1, (size_t)m->column + 1);
	buf_printf(ps->err, fmt, arg ? arg : "");
	buf_puts(ps->err, "\n");
	ps->nerr++;
}

/* Next event into ps->ev (the previous one deleted); 0, or -1 when libyaml
 * reports an error (recorded once). */
static int
bl_next(struct bl_parser *ps)
{
	yaml_event_delete(&ps->ev);
	if (ps->broken)
		return -1;
	if (!yaml_parser_parse(&ps->p, &ps->ev)) {
		yaml_mark_t m = ps->p.problem_mark;

		bl_err(ps, &m, "YAML: %s", ps->p.problem ? ps->p.problem : "syntax error");
		ps->broken = 1;
		memset(&ps->ev, 0, sizeof(ps->ev));
		return -1;
	}
	if (ps->ev.type == YAML_ALIAS_EVENT ||
	    ((ps->ev.type == YAML_SCALAR_EVENT) && ps->ev.data.scalar.anchor) ||
	    ((ps->ev.type == YAML_SEQUENCE_START_EVENT) && ps->ev.data.sequence_start.anchor) ||
	    ((ps->ev.type == YAML_MAPPING_START_EVENT) && ps->ev.data.mapping_start.anchor)) {
		bl_err(ps, &ps->ev.start_mark, "anchors and aliases are not allowed in a baseline%s", NULL);
		ps->broken = 1;
		return -1;
	}
	return 0;
}

/* Skip the node whose first event is in ps->ev (a scalar or a whole
 * collection); ps->ev is then its last event. */
static int
bl_skip(struct bl_parser *ps)
{
	int depth = 0;

	do {
		switch (ps->ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (depth > 0 && bl_next(ps) != 0)
			return -1;
	} while (depth > 0);
	return 0;
}

/* The scalar in ps->ev as a fresh string, or NULL (error recorded) when it
 * is not a non-empty scalar; a collection is skipped. */
static char *
bl_string(struct bl_parser *ps, const char *key)
{
	if (ps->ev.type != YAML_SCALAR_EVENT) {
		bl_err(ps, &ps->ev.start_mark, "'%s' must be a string", key);
		bl_skip(ps);
		return NULL;
	}
	if (ps->ev.data.scalar.length == 0) {
		bl_err(ps, &ps->ev.start_mark, "'%s' must not be empty", key);
		return NULL;
	}
	return xstrndup((const char *)ps->ev.data.scalar.value, ps->ev.data.scalar.length);
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

/* transcript: a sequence of non-empty strings; ps->ev is its first event. */
static void
bl_transcript(struct bl_parser *ps, struct bl_entry *e)
{
	yaml_mark_t start = ps->ev.start_mark;

	if (ps->ev.type != YAML_SEQUENCE_START_EVENT) {
		bl_err(ps, &start, "'transcript' must be a list of lines%s", NULL);
		bl_skip(ps);
		return;
	}
	while (bl_next(ps) == 0 && ps->ev.type != YAML_SEQUENCE_END_EVENT) {
		char *s = bl_string(ps, "transcript");

		if (s == NULL)
			continue;
		e->transcript = xrealloc(e->transcript,
		    (e->n_transcript + 1) * sizeof(*e->transcript));
		e->transcript[e->n_transcript++] = s;
	}
	if (!ps->broken && e->n_transcript == 0)
		bl_err(ps, &start, "'transcript' needs at least one line that shows the deviation%s", NULL);
}

/* One entry; ps->ev is its first event.  Returns 0 with *e filled, or -1
 * (errors recorded, e freed). */
static int
bl_entry(struct bl_parser *ps, struct bl_entry *e)
{
	yaml_mark_t start = ps->ev.start_mark;
	int before = ps->nerr, seen_tr = 0;

	memset(e, 0, sizeof(*e));
	e->line = (int)start.line + 1;
	if (ps->ev.type != YAML_MAPPING_START_EVENT) {
		bl_err(ps, &start, "an entry is a mapping with id, reason and transcript%s", NULL);
		bl_skip(ps);
		return -1;
	}
	while (bl_next(ps) == 0 && ps->ev.type != YAML_MAPPING_END_EVENT) {
		char *key;
		yaml_mark_t km = ps->ev.start_mark;

		if (ps->ev.type != YAML_SCALAR_EVENT) {
			bl_err(ps, &km, "keys must be strings%s", NULL);
			if (bl_skip(ps) != 0 || bl_next(ps) != 0 || bl_skip(ps) != 0)
				break;
			continue;
		}
		key = xstrndup((const char *)ps->ev.data.scalar.value, ps->ev.data.scalar.length);
		if (bl_next(ps) != 0) {
			free(key);
			break;
		}
		if (strcmp(key, "id") == 0 && e->id == NULL) {
			e->id = bl_string(ps, "id");
		} else if (strcmp(key, "reason") == 0 && e->reason == NULL) {
			e->reason = bl_string(ps, "reason");
		} else if (strcmp(key, "transcript") == 0 && !seen_tr) {
			seen_tr = 1;
			bl_transcript(ps, e);
		} else if (strcmp(key, "id") == 0 || strcmp(key, "reason") == 0 ||
		    strcmp(key, "transcript") == 0) {
			bl_err(ps, &km, "'%s' given twice", key);
			bl_skip(ps);
		} else {
			bl_err(ps, &km, "unknown key '%s' (an entry has id, reason and transcript)", key);
			bl_skip(ps);
		}
		free(key);
	}
	if (!ps->broken) {
		if (e->id == NULL)
			bl_err(ps, &start, "entry without 'id'%s", NULL);
		if (e->reason == NULL)
			bl_err(ps, &start, "entry without 'reason' (why the server deviates)%s", NULL);
		if (!seen_tr)
			bl_err(ps, &start, "entry without 'transcript' (the lines that show the deviation)%s", NULL);
	}
	if (ps->nerr != before) {
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
bl_parse_yaml(struct bl_parser *ps, struct bl_baseline *out)
{
	int docs = 0;

	while (bl_next(ps) == 0 && ps->ev.type != YAML_STREAM_END_EVENT) {
		if (ps->ev.type == YAML_STREAM_START_EVENT ||
		    ps->ev.type == YAML_DOCUMENT_END_EVENT)
			continue;
		if (ps->ev.type == YAML_DOCUMENT_START_EVENT) {
			if (docs++ > 0) {
				bl_err(ps, &ps->ev.start_mark, "one YAML document only%s", NULL);
				return;
			}
			continue;
		}
		if (ps->ev.type == YAML_SCALAR_EVENT && ps->ev.data.scalar.length == 0)
			continue; /* an empty document: no entries */
		if (ps->ev.type != YAML_SEQUENCE_START_EVENT) {
			bl_err(ps, &ps->ev.start_mark, "a baseline is a list of entries%s", NULL);
			bl_skip(ps);
			continue;
		}
		while (bl_next(ps) == 0 && ps->ev.type != YAML_SEQUENCE_END_EVENT) {
			struct bl_entry e;
			yaml_mark_t m = ps->ev.start_mark;

			if (bl_entry(ps, &e) != 0)
				continue;
			if (bl_find(out, e.id) != NULL) {
				bl_err(ps, &m, "id '%s' is listed twice", e.id);
				bl_entry_free(&e);
				continue;
			}
			bl_push(out, &e);
		}
	}
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
	memset(out, 0, sizeof(*out));
	if (memchr(data, '\0', len) != NULL) {
		buf_printf(err, "%s:1:1: error: a baseline is text (it holds a NUL byte)\n", name);
		return -1;
	}
	if (bl_is_yaml(data, len)) {
		struct bl_parser ps = { .name = name, .err = err };

		if (!yaml_parser_initialize(&ps.p)) {
			buf_printf(err, "%s:1:1: error: out of memory\n", name);
			return -1;
		}
		yaml_parser_set_input_string(&ps.p, (const unsigned char *)data, len);
		bl_parse_yaml(&ps, out);
		yaml_event_delete(&ps.ev);
		yaml_parser_delete(&ps.p);
		if (ps.nerr > 0) {
			bl_free(out);
			return -1;
		}
	} else {
		bl_parse_plain(data, len, out);
	}
	out->ids = xcalloc(out->n + 1, sizeof(*out->ids));
	for (size_t i = 0; i < out->n; i++)
		out->ids[i] = out->e[i].id;
	return 0;
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
