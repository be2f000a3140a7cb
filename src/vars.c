/*
 * vars.c - defaults, derived values, merge and lookup of scenario
 * variables (vars.h has the lookup order).
 */
#include "vars.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Names and addresses only: nothing here states a policy of the target
 * (which recipients it refuses, its role, its credentials).  Those come from
 * the target itself (builtin.c) or from the profile; the probe checks that
 * sender and recipient are accepted (engine.c). */
const struct scn_var vars_defaults[] = {
	{ "client_domain", "client.example" },
	{ "sender", "sender@client.example" },
	{ "recipient", "user@example.com" },
	{ "local_domain", "example.com" },
};
const size_t vars_n_defaults = sizeof(vars_defaults) / sizeof(vars_defaults[0]);

const struct vars_derived vars_derived[] = {
	{ "auth_plain", { "auth_user", "auth_password" } },
	{ "auth_user_b64", { "auth_user", NULL } },
	{ "auth_password_b64", { "auth_password", NULL } },
};
const size_t vars_n_derived = sizeof(vars_derived) / sizeof(vars_derived[0]);

static int
name_is(const char *have, const char *name, size_t len)
{
	return strlen(have) == len && memcmp(have, name, len) == 0;
}

int
vars_is_session(const char *name, size_t len)
{
	return name_is(VARS_TOKEN, name, len);
}

/* The latest entry of v[0..n) named name[0..len), or NULL. */
static const char *
find_last(const struct scn_var *v, size_t n, const char *name, size_t len)
{
	for (size_t i = n; i-- > 0;)
		if (name_is(v[i].name, name, len))
			return v[i].value;
	return NULL;
}

const char *
vars_lookup(void *scope, const char *name, size_t len)
{
	const struct vars_scope *sc = scope;
	const char *v = find_last(sc->caps, sc->n_caps, name, len);
	if (!v)
		v = find_last(sc->run, sc->n_run, name, len);
	if (!v && sc->scn)
		v = find_last(sc->scn->vars, sc->scn->n_vars, name, len);
	for (size_t i = 0; !v && i < vars_n_defaults; i++)
		if (name_is(vars_defaults[i].name, name, len))
			v = vars_defaults[i].value;
	return v;
}

int
vars_derivable(const char *name, size_t len, char *const *have, size_t n)
{
	for (size_t d = 0; d < vars_n_derived; d++) {
		const struct vars_derived *dv = &vars_derived[d];
		if (!name_is(dv->name, name, len))
			continue;
		size_t got = 0, want = dv->sources[1] ? 2 : 1;
		for (size_t k = 0; k < want; k++)
			for (size_t i = 0; i < n; i++)
				if (strcmp(have[i], dv->sources[k]) == 0) {
					got++;
					break;
				}
		if (got == want)
			return 1;
	}
	return 0;
}

static const char *
var_in(const struct scn_var *v, size_t n, const char *name)
{
	return find_last(v, n, name, strlen(name));
}

void
vars_derive(struct scn_var **vars, size_t *n)
{
	for (size_t d = 0; d < vars_n_derived; d++) {
		const struct vars_derived *dv = &vars_derived[d];
		const char *a = var_in(*vars, *n, dv->sources[0]);
		const char *b = dv->sources[1] ? var_in(*vars, *n, dv->sources[1]) : NULL;
		if (!a || (dv->sources[1] && !b) || var_in(*vars, *n, dv->name))
			continue;
		char *val;
		if (b) {
			size_t la = strlen(a), lb = strlen(b);
			char *raw = xmalloc(la + lb + 2);
			raw[0] = '\0';
			memcpy(raw + 1, a, la);
			raw[la + 1] = '\0';
			memcpy(raw + la + 2, b, lb);
			val = util_base64(raw, la + lb + 2);
			free(raw);
		} else
			val = util_base64(a, strlen(a));
		*vars = xrealloc(*vars, (*n + 1) * sizeof(**vars));
		(*vars)[*n].name = xstrdup(dv->name);
		(*vars)[(*n)++].value = val;
	}
}

static void
copy_in(struct scn_var *to, const struct scn_var *from, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		to[i].name = xstrdup(from[i].name);
		to[i].value = xstrdup(from[i].value);
	}
}

struct scn_var *
vars_merge(const struct scn_var *target, size_t nt, const struct scn_var *user, size_t nu,
    size_t *n)
{
	struct scn_var *v = NULL;
	*n = nt + nu;
	if (*n) {
		v = xmalloc(*n * sizeof(*v));
		copy_in(v, target, nt);
		copy_in(v + nt, user, nu);
	}
	vars_derive(&v, n);
	return v;
}

void
vars_prepend(struct scn_var **vars, size_t *n, struct scn_var *front, size_t nf)
{
	front = xrealloc(front, (nf + *n + 1) * sizeof(*front));
	if (*n)
		memcpy(front + nf, *vars, *n * sizeof(**vars));
	free(*vars);
	*vars = front;
	*n += nf;
}

void
vars_free(struct scn_var *vars, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(vars[i].name);
		free(vars[i].value);
	}
	free(vars);
}

const char *
vars_first_unset(struct vars_scope *scope)
{
	const struct scn *sc = scope->scn;
	for (size_t i = 0; sc && i < sc->n_requires_vars; i++) {
		const char *v = vars_lookup(scope, sc->requires_vars[i], strlen(sc->requires_vars[i]));
		if (!v || !*v)
			return sc->requires_vars[i];
	}
	return NULL;
}
