/*
 * loader_rules.c - a scenario's rules (docs/scenarios.md "Rules"): each a
 * catalogue id, an RFC section and the RFC's words with their MUST or
 * SHOULD; and the lint that ties them to the steps, refs and level.
 */
#include "loader_int.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util.h"

int
ld_valid_ref(const char *r)
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

static int
parse_rule(struct ctx *c, const struct node *n, struct scn_rule *r)
{
	static const char *const keys[] = { "id", "ref", "quote", NULL };
	if (!ld_want(c, n, NODE_MAP, "a rule") || !ld_check_keys(c, n, keys, "rule"))
		return 0;
	const struct node *v;
	int ok = 1;
	if (!(v = ld_lookup(n, "id")) || !(r->id = ld_get_str(c, v, "rule id", 1)))
		ok = v ? 0 : (ERR(c, n, "a rule needs an id (a catalogue id such as TX-05)"), 0);
	else if (!scn_ref_is_catalogue_id(r->id))
		ok = (ERR(c, v, "rule id '%s' is not a catalogue id such as 'TX-05'", r->id), 0);
	if (!(v = ld_lookup(n, "ref")) || !(r->ref = ld_get_str(c, v, "rule ref", 1)))
		ok = v ? 0 : (ERR(c, n, "a rule needs a ref (the RFC section, 'RFC 5321 3.3')"), 0);
	else if (strncmp(r->ref, "RFC ", 4) != 0 || !ld_valid_ref(r->ref))
		ok = (ERR(c, v, "rule ref '%s' is not an RFC section such as 'RFC 5321 3.3'", r->ref), 0);
	if (!(v = ld_lookup(n, "quote")) || !(r->quote = ld_get_str(c, v, "rule quote", 1)))
		ok = v ? 0 : (ERR(c, n, "a rule needs a quote (the RFC's words, with MUST or SHOULD)"), 0);
	else if (!scn_quote_has(r->quote, 0) && !scn_quote_has(r->quote, 1))
		ok = (ERR(c, v, "the quote of rule '%s' has no MUST, SHOULD, SHALL or REQUIRED: "
		    "only a broken requirement may fail a server", r->id ? r->id : "?"), 0);
	return ok;
}

void
ld_parse_rules(struct ctx *c, const struct node *n, struct scn *s)
{
	if (!ld_want(c, n, NODE_SEQ, "rules"))
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

void
ld_check_rules(struct ctx *c, const struct node *root, const struct scn *s)
{
	const struct node *where = ld_lookup(root, "rules");
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
		strong |= scn_quote_has(r->quote, 0);
		weak |= scn_quote_has(r->quote, 1);
	}
	const struct node *lv = ld_lookup(root, "level");
	if (s->n_rules == 0 || !lv)
		return; /* a missing level is reported already */
	if (s->level == SCN_MAY)
		ERR(c, lv, "level may: a scenario with rules fails a server only "
		    "on a MUST or SHOULD (level must or should)");
	else if (s->level == SCN_MUST && !strong)
		ERR(c, lv, "level must, but no rule's quote says MUST, SHALL or REQUIRED");
	else if (s->level == SCN_SHOULD && !weak)
		ERR(c, lv, "level should, but no rule's quote says SHOULD or RECOMMENDED");
}

