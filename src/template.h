/*
 * template.h - expansion of ${name} variables and, for raw byte steps, the
 * backslash escapes \r \n \t \0 \xHH \\ (docs/scenarios.md).  One scanner
 * serves both the loader (which validates and checks that every variable is
 * defined) and the engine (which produces the bytes to send), so the two can
 * never disagree.  Substituted values are copied verbatim: escapes inside a
 * variable's value are not interpreted.
 */
#ifndef SMTPH_TEMPLATE_H
#define SMTPH_TEMPLATE_H

#include <stddef.h>

#include "buf.h"

/* Value of variable name[0..len), or NULL when it is not defined. */
typedef const char *(*tmpl_lookup_fn)(void *arg, const char *name, size_t len);

/*
 * Expand s[0..len) into out (appended; out may be NULL to only validate).
 * escapes: also decode backslash escapes.  lookup may be NULL: variables are
 * then only checked for syntax.  Returns NULL on success, or a static reason
 * with *errpos set to the offset of the offending byte in s.
 */
const char *tmpl_expand(const char *s, size_t len, int escapes,
    tmpl_lookup_fn lookup, void *arg, struct buf *out, size_t *errpos);

/* Append body[0..len) to out as DATA sends it (RFC 5321 4.5.2): every line
 * (ended by LF or CRLF; a final LF ends the last one) ends in CRLF, and a
 * line that starts with '.' gets a second one.  The end of data is the
 * caller's. */
void tmpl_data_lines(struct buf *out, const char *body, size_t len);

/* 1 if name[0..len) is a valid variable name: [A-Za-z_][A-Za-z0-9_]*. */
int tmpl_valid_name(const char *name, size_t len);

#endif
