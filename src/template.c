/* template.c - ${var} expansion and raw-byte escapes. */
#include "template.h"

#include <string.h>

#include "abnf.h"

int
tmpl_valid_name(const char *name, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return 0;
	}
	return 1;
}

const char *
tmpl_expand(const char *s, size_t len, int escapes, tmpl_lookup_fn lookup,
    void *arg, struct buf *out, size_t *errpos)
{
	size_t i = 0;
	while (i < len) {
		char c = s[i];
		if (c == '$' && i + 1 < len && s[i + 1] == '{') {
			const char *end = memchr(s + i + 2, '}', len - i - 2);
			if (!end) {
				*errpos = i;
				return "unterminated ${ (missing '}')";
			}
			const char *name = s + i + 2;
			size_t nlen = (size_t)(end - name);
			if (!tmpl_valid_name(name, nlen)) {
				*errpos = i;
				return "bad variable name in ${...}";
			}
			if (lookup) {
				const char *v = lookup(arg, name, nlen);
				if (!v) {
					*errpos = i;
					return "undefined variable";
				}
				if (out)
					buf_puts(out, v);
			}
			i = (size_t)(end - s) + 1;
			continue;
		}
		if (escapes && c == '\\') {
			if (i + 1 >= len) {
				*errpos = i;
				return "backslash at end of text";
			}
			char e = s[i + 1], b;
			size_t used = 2;
			switch (e) {
			case 'r': b = '\r'; break;
			case 'n': b = '\n'; break;
			case 't': b = '\t'; break;
			case '0': b = '\0'; break;
			case '\\': b = '\\'; break;
			case '$': b = '$'; break;
			case 'x': {
				int h = i + 2 < len ? abnf_hexval((unsigned char)s[i + 2]) : -1;
				int l = i + 3 < len ? abnf_hexval((unsigned char)s[i + 3]) : -1;
				if (h < 0 || l < 0) {
					*errpos = i;
					return "\\x needs two hex digits";
				}
				b = (char)(h * 16 + l);
				used = 4;
				break;
			}
			default:
				*errpos = i;
				return "unknown escape (use \\r \\n \\t \\0 \\xHH \\\\ \\$)";
			}
			if (out)
				buf_append(out, &b, 1);
			i += used;
			continue;
		}
		if (out)
			buf_append(out, &c, 1);
		i++;
	}
	return NULL;
}

void
tmpl_data_lines(struct buf *out, const char *body, size_t len)
{
	const char *p = body ? body : "", *end = p + len;
	if (len && end[-1] == '\n')
		end--;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = (size_t)((nl ? nl : end) - p);
		if (ll && p[ll - 1] == '\r')
			ll--;
		if (ll && p[0] == '.')
			buf_puts(out, ".");
		buf_append(out, p, ll);
		buf_puts(out, "\r\n");
		p = nl ? nl + 1 : end;
	}
}
