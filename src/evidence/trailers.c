/*
 * Trailer parsing (see trailers.h).
 *
 * libgit2 1.5's git_message_trailers finds the same blocks, but keeps
 * trailing spaces and '\r', does not unfold continuation lines, and reads an
 * empty value as the start of the next line ("Empty:\nScan: pass" becomes one
 * trailer), so gatehouse implements git's rules itself:
 *
 *  - the message ends at a "---" line (a patch) and trailing blank and
 *    comment lines are ignored;
 *  - the trailer block is the last paragraph, and the first paragraph (the
 *    subject) never is one;
 *  - a line "Token: value" is a trailer when Token is letters, digits and
 *    '-', optionally followed by blanks before the ':';
 *  - a block counts when all its lines are trailers (or continuations), or
 *    at least a quarter are and one of them is git-generated (Signed-off-by,
 *    "(cherry picked from commit ...)"), as git decides.
 *
 * Trust: messages come from the push; sizes are bounded by the caller and
 * at most GATE_TRAILERS_MAX trailers are kept.
 */
#include <string.h>

#include "util/common.h"
#include "evidence/trailers.h"

typedef struct {
	const char *s;
	size_t len;
} line_t;

static int is_blank(const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* Length of the token if LINE starts "Token:" / "Token :"; 0 otherwise. */
static size_t token_len(const char *s, size_t len, size_t *sep)
{
	size_t i = 0, tok;
	while (i < len && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			   (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
		i++;
	tok = i;
	if (tok == 0)
		return 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= len || s[i] != ':')
		return 0;
	*sep = i;
	return tok;
}

static int is_git_generated(const char *s, size_t len)
{
	return (len >= 15 && !strncmp(s, "Signed-off-by: ", 15)) ||
	       (len >= 27 && !strncmp(s, "(cherry picked from commit ", 27));
}

static int add_trailer(gate_trailers *out, const char *key, size_t klen, gate_buf *value)
{
	gate_trailer *t;
	char *v;
	size_t vlen = value->len;

	out->total++;
	if (out->count >= GATE_TRAILERS_MAX)
		return 0;
	/* trim */
	v = value->ptr ? value->ptr : "";
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t' || v[vlen - 1] == '\r'))
		vlen--;
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	if (gate_grow(&out->items, &out->cap, out->count + 1, sizeof(*t)) < 0)
		return GATE_ENOMEM;
	t = &out->items[out->count];
	t->key = gate_strndup(key, klen);
	t->value = gate_strndup(v, vlen);
	if (!t->key || !t->value) {
		gate_free(t->key);
		gate_free(t->value);
		return GATE_ENOMEM;
	}
	out->count++;
	return 0;
}

int gate_trailers_parse(gate_trailers *out, const char *message)
{
	line_t *lines = NULL;
	size_t n = 0, cap = 0, i, start, end, trailers = 0, others = 0;
	const char *p = message;
	int generated = 0, rc = 0;

	/* split into lines, stopping at a patch divider */
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= 3 && !strncmp(p, "---", 3) && (len == 3 || p[3] == ' ' || p[3] == '\t' || p[3] == '\r'))
			break;
		if (gate_grow(&lines, &cap, n + 1, sizeof(*lines)) < 0)
			return GATE_ENOMEM;
		lines[n].s = p;
		lines[n].len = len;
		while (lines[n].len && lines[n].s[lines[n].len - 1] == '\r')
			lines[n].len--;
		n++;
		p += len + (nl ? 1 : 0);
	}
	/* drop trailing blank and comment lines */
	end = n;
	while (end && (is_blank(lines[end - 1].s, lines[end - 1].len) || lines[end - 1].s[0] == '#'))
		end--;
	/* the last paragraph, which must not be the first (the subject) */
	start = end;
	while (start && !is_blank(lines[start - 1].s, lines[start - 1].len))
		start--;
	if (start == 0)
		goto out;
	for (i = 0; i < start; i++)
		if (!is_blank(lines[i].s, lines[i].len))
			break;
	if (i == start)
		goto out; /* only blank lines before the block: it is the subject */

	/*
	 * Counted bottom-up like git's find_trailer_block_start(): indented
	 * lines are continuations only below a trailer; otherwise they count as prose together with the line they continue.
	 */
	{
		size_t cont = 0;
		i = end;
		while (i-- > start) {
			size_t sep;
			if (lines[i].s[0] == '#') {
				others += cont;
				cont = 0;
			} else if (is_git_generated(lines[i].s, lines[i].len)) {
				trailers++;
				generated = 1;
				cont = 0;
			} else if (lines[i].s[0] == ' ' || lines[i].s[0] == '\t') {
				cont++;
			} else if (token_len(lines[i].s, lines[i].len, &sep)) {
				trailers++;
				cont = 0;
			} else {
				others += 1 + cont;
				cont = 0;
			}
		}
		others += cont;
	}
	if (!trailers || (others && !(generated && trailers * 3 >= others)))
		goto out;

	for (i = start; i < end; i++) {
		gate_buf value = GATE_BUF_INIT;
		size_t sep, klen, j;
		if (lines[i].s[0] == '#')
			continue;
		klen = token_len(lines[i].s, lines[i].len, &sep);
		if (!klen)
			continue;
		gate_buf_put(&value, lines[i].s + sep + 1, lines[i].len - sep - 1);
		for (j = i + 1; j < end && (lines[j].s[0] == ' ' || lines[j].s[0] == '\t'); j++) {
			const char *c = lines[j].s;
			size_t cl = lines[j].len;
			while (cl && (*c == ' ' || *c == '\t')) {
				c++;
				cl--;
			}
			/* unfold: drop trailing blanks, one space between parts */
			while (value.len && (value.ptr[value.len - 1] == ' ' || value.ptr[value.len - 1] == '\t'))
				value.len--;
			gate_buf_puts(&value, " ");
			gate_buf_put(&value, c, cl);
		}
		if (value.oom || add_trailer(out, lines[i].s, klen, &value) < 0) {
			gate_buf_dispose(&value);
			rc = gate_error_oom();
			break;
		}
		gate_buf_dispose(&value);
	}
out:
	gate_free(lines);
	return rc;
}

const char *gate_trailers_last(const gate_trailers *t, const char *key)
{
	size_t i = t->count;
	while (i--)
		if (!gate_strcasecmp(t->items[i].key, key))
			return t->items[i].value;
	return NULL;
}

int gate_trailer_email(char *buf, size_t len, const char *value)
{
	const char *lt = strrchr(value, '<'), *gt, *s;
	size_t n;

	if (lt && (gt = strchr(lt, '>'))) {
		s = lt + 1;
		n = (size_t)(gt - s);
	} else {
		s = value;
		n = strlen(value);
		if (strpbrk(value, " \t<>"))
			return GATE_ENOTFOUND;
	}
	while (n && (*s == ' ')) {
		s++;
		n--;
	}
	while (n && s[n - 1] == ' ')
		n--;
	if (!n || n >= len || !memchr(s, '@', n))
		return GATE_ENOTFOUND;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

void gate_trailers_dispose(gate_trailers *t)
{
	size_t i;
	for (i = 0; i < t->count; i++) {
		gate_free(t->items[i].key);
		gate_free(t->items[i].value);
	}
	gate_free(t->items);
	t->items = NULL;
	t->count = t->cap = 0;
}
