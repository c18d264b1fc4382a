/*
 * Dependency policies: what lock files and manifests declare, deny and allow
 * rules with version ranges, and OSV advisories turned into rules (deps.h).
 *
 * Trust: every lock file is pushed content.  Nothing here assumes its bytes
 * are NUL-terminated, valid UTF-8 or well formed: the size and the number of
 * dependencies per file are bounded, nothing recurses on the input's nesting
 * beyond a small fixed depth, and a JSON or YAML file that does not parse
 * yields no dependency (the package manager would refuse it too).  JSON goes
 * through jansson; YAML through the project's YAML front end (yamltree.h),
 * which bounds nodes, nesting and documents and builds only the levels read
 * here; the line-oriented formats are read by the small parsers below,
 * which skip what they do not understand line by line.
 *
 * The OSV document is configured by an administrator, so it is trusted to be
 * what it claims, but still validated: a document that is not OSV is an error
 * with a message, never a silently empty deny list.
 *
 * Memory: every allocation of ours goes through the gate_* wrappers; jansson
 * and libyaml allocate with malloc, and their running out of memory is
 * reported as GATE_ENOMEM too.  A failed call leaves the caller's lists as
 * they were.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "content/deps.h"
#include "util/yamltree.h"

#define YAML_MAX_DEPTH 64   /* pnpm-lock.yaml is 4 levels deep; deeper is not a lock file */
#define PNPM_MAX_NODES 1000000 /* one document, two levels built: 5 per entry at the cap */
#define NPM_V1_MAX_DEPTH 64 /* nested "dependencies" of a lockfileVersion 1 file */
#define NPM_LINE_LOOKAHEAD 16
#define OSV_MAX_EVENTS 1024 /* events of one range (real advisories have a handful) */

#define UC(c) ((unsigned char)(c))

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_alnum(int c) { return is_digit(c) || is_alpha(c); }
static int is_blank(int c) { return c == ' ' || c == '\t'; }
static int is_space(int c) { return is_blank(c) || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
static int to_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int pep503_sep(int c) { return c == '-' || c == '_' || c == '.'; }

/* ---- slices ------------------------------------------------------------------------- */

/* A borrowed run of bytes, not NUL-terminated. */
typedef struct {
	const char *p;
	size_t n;
} slice;

static slice sl(const char *p, size_t n)
{
	slice s;
	s.p = p;
	s.n = n;
	return s;
}

static slice sl_trim(slice s)
{
	while (s.n && is_space(UC(s.p[0])))
		s.p++, s.n--;
	while (s.n && is_space(UC(s.p[s.n - 1])))
		s.n--;
	return s;
}

static int sl_eq(slice s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && !memcmp(s.p, lit, n);
}

static int sl_starts(slice s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n >= n && !memcmp(s.p, lit, n);
}

/* Strips one pair of matching quotes around S. */
static slice sl_unquote(slice s)
{
	if (s.n >= 2 && (s.p[0] == '"' || s.p[0] == '\'') && s.p[s.n - 1] == s.p[0])
		return sl(s.p + 1, s.n - 2);
	return s;
}

/* Index of the first '@' after position 0 (a scope's '@'), or S.n. */
static size_t npm_at(slice s)
{
	size_t i;
	for (i = 1; i < s.n; i++)
		if (s.p[i] == '@')
			return i;
	return s.n;
}

/* Lines of DATA: each without its "\n" or "\r\n", numbered from 1. */
typedef struct {
	const char *p, *end;
	int line;
} line_iter;

static void lines_init(line_iter *it, const char *data, size_t len)
{
	it->p = data;
	it->end = data + len;
	it->line = 0;
	/* a UTF-8 byte order mark is not part of the first line */
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		it->p += 3;
}

static int lines_next(line_iter *it, slice *out)
{
	const char *nl;
	if (it->p >= it->end)
		return 0;
	nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	out->p = it->p;
	out->n = (size_t)((nl ? nl : it->end) - it->p);
	if (out->n && out->p[out->n - 1] == '\r')
		out->n--;
	it->p = nl ? nl + 1 : it->end;
	it->line++;
	return 1;
}

/* ---- versions ----------------------------------------------------------------------- */

static const char *ver_start(const char *s)
{
	if ((*s == 'v' || *s == 'V') && is_digit(UC(s[1])))
		return s + 1;
	return s;
}

/* Whether S reads as a version rules can order (a digit first, after an optional "v"). */
static int ver_comparable(const char *s) { return is_digit(UC(*ver_start(s))); }

/* Compares two runs of decimal digits by value, however long. */
static int num_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int c;
	while (al && *a == '0')
		a++, al--;
	while (bl && *b == '0')
		b++, bl--;
	if (al != bl)
		return al < bl ? -1 : 1;
	c = al ? memcmp(a, b, al) : 0;
	return (c > 0) - (c < 0);
}

static int all_digits(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!is_digit(UC(s[i])))
			return 0;
	return n > 0;
}

/* A version cut into epoch ("N!", PyPI only), release ("1.2.3") and the rest before "+". */
typedef struct {
	const char *epoch, *rel, *rest;
	size_t epoch_len, rel_len, rest_len;
} vparts;

static void ver_split(vparts *v, const char *s, int pep440)
{
	const char *p;

	s = ver_start(s);
	v->epoch = s;
	v->epoch_len = 0;
	if (pep440) {
		for (p = s; is_digit(UC(*p)); p++)
			;
		if (*p == '!' && p > s) {
			v->epoch_len = (size_t)(p - s);
			s = p + 1;
		}
	}
	v->rel = p = s;
	while (is_digit(UC(*p))) {
		while (is_digit(UC(*p)))
			p++;
		if (*p == '.' && is_digit(UC(p[1])))
			p++;
		else
			break;
	}
	v->rel_len = (size_t)(p - s);
	v->rest = p;
	while (*p && *p != '+')
		p++;
	v->rest_len = (size_t)(p - v->rest);
}

/* Release parts compared numerically one by one; a missing part is 0 (1.2 == 1.2.0). */
static int rel_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i = 0, j = 0;
	int c;
	while (i < al || j < bl) {
		size_t i0 = i, j0 = j;
		while (i < al && a[i] != '.')
			i++;
		while (j < bl && b[j] != '.')
			j++;
		if ((c = num_cmp(a + i0, i - i0, b + j0, j - j0)))
			return c;
		if (i < al)
			i++;
		if (j < bl)
			j++;
	}
	return 0;
}

/* Semver pre-release identifiers: numeric ones by value and below alphanumeric ones. */
static int ident_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int an = all_digits(a, al), bn = all_digits(b, bl), c;
	if (an && bn)
		return num_cmp(a, al, b, bl);
	if (an != bn)
		return an ? -1 : 1;
	c = memcmp(a, b, al < bl ? al : bl);
	if (c)
		return (c > 0) - (c < 0);
	return (al > bl) - (al < bl);
}

/* What follows the release, semver style: nothing (a release) sorts after any pre-release. */
static int pre_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i = 0, j = 0;
	int more_a, more_b, c;

	if (!al || !bl)
		return (al == 0) - (bl == 0);
	if (*a == '-' || *a == '.')
		a++, al--;
	if (*b == '-' || *b == '.')
		b++, bl--;
	more_a = al > 0;
	more_b = bl > 0;
	while (more_a && more_b) {
		size_t i0 = i, j0 = j;
		while (i < al && a[i] != '.')
			i++;
		while (j < bl && b[j] != '.')
			j++;
		if ((c = ident_cmp(a + i0, i - i0, b + j0, j - j0)))
			return c;
		more_a = i < al;
		more_b = j < bl;
		i++;
		j++;
	}
	return more_a - more_b;
}

/* PEP 440 suffix phases: 1.0.dev1 < 1.0a1 < 1.0b1 < 1.0rc1 < 1.0 < 1.0.post1. */
enum { PEP_OTHER = -5, PEP_DEV = -4, PEP_A = -3, PEP_B = -2, PEP_RC = -1, PEP_NONE = 0, PEP_POST = 1 };

typedef struct {
	int phase;
	const char *word, *num;
	size_t wl, nl;
} pep_seg;

static int word_is(const char *w, size_t n, const char *lit)
{
	size_t i;
	if (strlen(lit) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (to_lower(UC(w[i])) != lit[i])
			return 0;
	return 1;
}

static int pep_phase(const char *w, size_t n)
{
	if (word_is(w, n, "dev"))
		return PEP_DEV;
	if (word_is(w, n, "a") || word_is(w, n, "alpha"))
		return PEP_A;
	if (word_is(w, n, "b") || word_is(w, n, "beta"))
		return PEP_B;
	if (word_is(w, n, "c") || word_is(w, n, "rc") || word_is(w, n, "pre") ||
	    word_is(w, n, "preview"))
		return PEP_RC;
	if (word_is(w, n, "post") || word_is(w, n, "rev") || word_is(w, n, "r"))
		return PEP_POST;
	return PEP_OTHER;
}

/* The next suffix segment ("rc1", ".post2", "-1" = post 1) of [*PP, END); 0 at the end. */
static int pep_next(const char **pp, const char *end, pep_seg *g)
{
	const char *p = *pp;
	for (;;) {
		int dash = 0;
		while (p < end && (*p == '.' || *p == '-' || *p == '_')) {
			dash |= *p == '-';
			p++;
		}
		if (p >= end) {
			*pp = p;
			return 0;
		}
		g->word = p;
		while (p < end && is_alpha(UC(*p)))
			p++;
		g->wl = (size_t)(p - g->word);
		/* "rc.1", "post-2": the number may follow a separator */
		if (g->wl && p + 1 < end && (*p == '.' || *p == '-' || *p == '_') && is_digit(UC(p[1])))
			p++;
		g->num = p;
		while (p < end && is_digit(UC(*p)))
			p++;
		g->nl = (size_t)(p - g->num);
		if (!g->wl && !g->nl) {
			p++; /* a byte that is neither: skip it, always making progress */
			continue;
		}
		g->phase = g->wl ? pep_phase(g->word, g->wl) : dash ? PEP_POST : PEP_NONE;
		*pp = p;
		return 1;
	}
}

static int pep_rest_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	const char *pa = a, *pb = b;
	for (;;) {
		pep_seg x, y;
		int hx = pep_next(&pa, a + al, &x), hy = pep_next(&pb, b + bl, &y), c;
		size_t i;
		if (!hx && !hy)
			return 0;
		if (!hx)
			memset(&x, 0, sizeof(x));
		if (!hy)
			memset(&y, 0, sizeof(y));
		if (x.phase != y.phase)
			return x.phase < y.phase ? -1 : 1;
		if (x.phase == PEP_OTHER) {
			for (i = 0; i < x.wl && i < y.wl; i++)
				if ((c = to_lower(UC(x.word[i])) - to_lower(UC(y.word[i]))))
					return c < 0 ? -1 : 1;
			if (x.wl != y.wl)
				return x.wl < y.wl ? -1 : 1;
		}
		if ((c = num_cmp(x.num, x.nl, y.num, y.nl)))
			return c;
	}
}

int gate_dep_version_cmp(gate_ecosystem eco, const char *a, const char *b)
{
	int pep = eco == GATE_ECO_PYPI, c;
	vparts x, y;

	ver_split(&x, a, pep);
	ver_split(&y, b, pep);
	if ((c = num_cmp(x.epoch, x.epoch_len, y.epoch, y.epoch_len)) ||
	    (c = rel_cmp(x.rel, x.rel_len, y.rel, y.rel_len)))
		return c;
	return pep ? pep_rest_cmp(x.rest, x.rest_len, y.rest, y.rest_len)
		   : pre_cmp(x.rest, x.rest_len, y.rest, y.rest_len);
}

/*
 * A against "the lowest version of B's release" (below all its pre-releases): the
 * upper bound of ^1.2.3 is that of 2, so 2.0.0-rc.1 is outside it.
 */
static int ver_cmp_lowest(gate_ecosystem eco, const char *a, const char *b)
{
	int pep = eco == GATE_ECO_PYPI, c;
	vparts x, y;

	ver_split(&x, a, pep);
	ver_split(&y, b, pep);
	if ((c = num_cmp(x.epoch, x.epoch_len, y.epoch, y.epoch_len)) ||
	    (c = rel_cmp(x.rel, x.rel_len, y.rel, y.rel_len)))
		return c;
	return 1;
}

/* ---- names -------------------------------------------------------------------------- */

/* PEP 503: lower-case, and every run of "-", "_" and "." is one "-". */
static char *pep503_dup(const char *s, size_t n)
{
	char *out = gate_malloc(n + 1), *o = out;
	size_t i = 0;
	if (!out)
		return NULL;
	while (i < n) {
		if (pep503_sep(UC(s[i]))) {
			while (i < n && pep503_sep(UC(s[i])))
				i++;
			*o++ = '-';
		} else {
			*o++ = (char)to_lower(UC(s[i++]));
		}
	}
	*o = '\0';
	return out;
}

/* crates.io treats names case-insensitively and "-" and "_" as the same. */
static int cargo_char(int c) { return c == '_' ? '-' : to_lower(c); }

/* The form a rule keeps its name in, for the ecosystem's comparison. */
static char *name_key(gate_ecosystem eco, const char *s, size_t n)
{
	char *p;
	size_t i;
	if (eco == GATE_ECO_PYPI)
		return pep503_dup(s, n);
	if (!(p = gate_strndup(s, n)))
		return NULL;
	if (eco == GATE_ECO_CARGO)
		for (i = 0; i < n; i++)
			p[i] = (char)cargo_char(UC(p[i]));
	return p;
}

/* Whether KEY (a rule's name, in its compared form) names the package S. */
static int name_matches(gate_ecosystem eco, const char *key, const char *s)
{
	switch (eco) {
	case GATE_ECO_PYPI:
		while (*s) {
			if (pep503_sep(UC(*s))) {
				while (pep503_sep(UC(*s)))
					s++;
				if (*key++ != '-')
					return 0;
			} else if (*key++ != to_lower(UC(*s++))) {
				return 0;
			}
		}
		return *key == '\0';
	case GATE_ECO_CARGO:
		while (*s)
			if (*key++ != cargo_char(UC(*s++)))
				return 0;
		return *key == '\0';
	case GATE_ECO_NPM:
	case GATE_ECO_GO:
		break;
	}
	return !strcmp(key, s);
}

/* ---- the dependency list ------------------------------------------------------------ */

/* Where one file's parser appends: a failure rolls back to START. */
typedef struct {
	gate_deps *out;
	size_t start;
	gate_ecosystem eco;
	int full; /* GATE_DEPS_MAX_PER_FILE reached: the rest of the file is ignored */
} sink;

static int sink_add(sink *s, slice name, slice ver, int line)
{
	gate_dep *d;

	if (!name.n || s->full)
		return 0;
	if (s->out->count - s->start >= GATE_DEPS_MAX_PER_FILE) {
		s->full = 1;
		if (!s->out->cut)
			s->out->cut = "more than 200000 entries";
		return 0;
	}
	if (gate_grow(&s->out->items, &s->out->cap, s->out->count + 1, sizeof(*s->out->items)) < 0)
		return GATE_ENOMEM;
	d = &s->out->items[s->out->count];
	d->eco = s->eco;
	d->line = line;
	d->name = s->eco == GATE_ECO_PYPI ? pep503_dup(name.p, name.n) : gate_strndup(name.p, name.n);
	d->version = gate_strndup(ver.n ? ver.p : "", ver.n);
	if (!d->name || !d->version) {
		gate_free(d->name);
		gate_free(d->version);
		return GATE_ENOMEM;
	}
	s->out->count++;
	return 0;
}

static void deps_truncate(gate_deps *d, size_t count)
{
	while (d->count > count) {
		d->count--;
		gate_free(d->items[d->count].name);
		gate_free(d->items[d->count].version);
	}
}

/* ---- package-lock.json -------------------------------------------------------------- */

/* A "node_modules/..." object key in the text, for line numbers. */
typedef struct {
	const char *p;
	size_t n;
	int line;
} npm_key;

/*
 * Every string in DATA that starts with "node_modules/" and is an object key, in
 * order, with its line.  jansson keeps object members in document order, so the
 * keys it hands out can be matched against these in one forward pass.
 */
static int npm_key_lines(npm_key **out, size_t *count, const char *data, size_t len)
{
	static const char prefix[] = "node_modules/";
	size_t i = 0, cap = 0, n = 0;
	npm_key *keys = NULL;
	int line = 1;

	while (i < len) {
		size_t start, end, k;
		if (data[i] == '\n')
			line++;
		if (data[i] != '"') {
			i++;
			continue;
		}
		start = ++i;
		while (i < len && data[i] != '"' && data[i] != '\n')
			i += data[i] == '\\' && i + 1 < len && data[i + 1] != '\n' ? 2 : 1;
		if (i >= len || data[i] != '"')
			continue; /* not JSON; jansson accepted it, so this does not happen */
		end = i++;
		for (k = i; k < len && is_space(UC(data[k])) && data[k] != '\n'; k++)
			;
		if (k >= len || data[k] != ':' || end - start < sizeof(prefix) - 1 ||
		    memcmp(data + start, prefix, sizeof(prefix) - 1))
			continue;
		if (n >= (size_t)GATE_DEPS_MAX_PER_FILE * 2)
			break;
		if (gate_grow(&keys, &cap, n + 1, sizeof(*keys)) < 0) {
			gate_free(keys);
			return GATE_ENOMEM;
		}
		keys[n].p = data + start;
		keys[n].n = end - start;
		keys[n].line = line;
		n++;
	}
	*out = keys;
	*count = n;
	return 0;
}

static slice json_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (json_is_string(v))
		return sl(json_string_value(v), json_string_length(v));
	return sl("", 0);
}

/* lockfileVersion 2 and 3: "packages" keyed by install path. */
static int npm_packages(sink *s, json_t *packages, const char *data, size_t len)
{
	static const char nm[] = "node_modules/";
	npm_key *keys = NULL;
	size_t nkeys = 0, cursor = 0;
	void *it;
	int rc;

	if ((rc = npm_key_lines(&keys, &nkeys, data, len)) < 0)
		return rc;
	for (it = json_object_iter(packages); it && !s->full;
	     it = json_object_iter_next(packages, it)) {
		const char *key = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it), i, t;
		json_t *e = json_object_iter_value(it);
		slice name, ver;
		int line = 0;

		if (klen < sizeof(nm) - 1 || memcmp(key, nm, sizeof(nm) - 1))
			continue; /* the root project ("") and workspace folders */
		for (t = 0; t < NPM_LINE_LOOKAHEAD && cursor + t < nkeys; t++)
			if (keys[cursor + t].n == klen && !memcmp(keys[cursor + t].p, key, klen)) {
				line = keys[cursor + t].line;
				cursor += t + 1;
				break;
			}
		if (!json_is_object(e) || json_is_true(json_object_get(e, "link")))
			continue; /* a link to a workspace folder, not a package */
		/* the last "node_modules/" segment names it, unless it is an alias */
		name = sl(key, klen);
		for (i = 0; i + sizeof(nm) - 1 <= klen; i++)
			if (!memcmp(key + i, nm, sizeof(nm) - 1))
				name = sl(key + i + sizeof(nm) - 1, klen - i - (sizeof(nm) - 1));
		if (json_str(e, "name").n)
			name = json_str(e, "name");
		ver = json_str(e, "version");
		if ((rc = sink_add(s, name, ver, line)) < 0)
			break;
	}
	gate_free(keys);
	return rc;
}

/* lockfileVersion 1: a tree of "dependencies"; aliases read "npm:real@1.2.3". */
static int npm_v1(sink *s, json_t *deps, int depth)
{
	const char *key;
	json_t *e;
	int rc = 0;

	if (depth > NPM_V1_MAX_DEPTH) {
		if (!s->out->cut && json_object_size(deps))
			s->out->cut = "\"dependencies\" nested deeper than 64 levels";
		return 0;
	}
	json_object_foreach(deps, key, e) {
		slice name = sl(key, strlen(key)), ver;
		json_t *sub;
		if (s->full || !json_is_object(e))
			continue;
		ver = json_str(e, "version");
		if (sl_starts(ver, "npm:")) {
			slice real = sl(ver.p + 4, ver.n - 4);
			size_t at = npm_at(real);
			if (at < real.n) {
				name = sl(real.p, at);
				ver = sl(real.p + at + 1, real.n - at - 1);
			}
		}
		if ((rc = sink_add(s, name, ver, 0)) < 0)
			return rc;
		sub = json_object_get(e, "dependencies");
		if (json_is_object(sub) && (rc = npm_v1(s, sub, depth + 1)) < 0)
			return rc;
	}
	return 0;
}

static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
	size_t k, need;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4;
	else
		return 0;
	if (n < need)
		return 0;
	for (k = 1; k < need; k++)
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return need;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;
	for (i = 0; i < 4; i++) {
		int c = UC(p[i]);
		v <<= 4;
		if (is_digit(c))
			v |= (unsigned)(c - '0');
		else if ((c | 32) >= 'a' && (c | 32) <= 'f')
			v |= (unsigned)((c | 32) - 'a' + 10);
		else
			return 0;
	}
	*out = v;
	return 1;
}

/*
 * What npm reads but jansson refuses: invalid UTF-8 (node decodes it as U+FFFD)
 * and lone surrogate escapes.  Rewritten in a copy, byte for byte so offsets and
 * lines do not move, so a pushed lock file cannot hide its packages behind them.
 * *OUT is NULL when there was nothing to rewrite.
 */
static int npm_sanitize(char **out, const char *data, size_t len)
{
	char *copy = NULL;
	size_t i = 0;

	*out = NULL;
	while (i < len) {
		const unsigned char *u = (const unsigned char *)data + i;
		unsigned hi, lo;
		size_t k;
		if (u[0] == '\\' && i + 1 < len) {
			if (data[i + 1] == 'u' && i + 6 <= len && hex4(data + i + 2, &hi) &&
			    hi >= 0xd800 && hi <= 0xdfff) {
				if (hi < 0xdc00 && i + 12 <= len && data[i + 6] == '\\' &&
				    data[i + 7] == 'u' && hex4(data + i + 8, &lo) && lo >= 0xdc00 &&
				    lo <= 0xdfff) {
					i += 12;
					continue;
				}
				if (!copy && !(copy = gate_strndup(data, len)))
					return GATE_ENOMEM;
				copy[i + 2] = copy[i + 3] = copy[i + 4] = 'f'; /* \ufffd, in place */
				copy[i + 5] = 'd';
				i += 6;
				continue;
			}
			i += 2;
			continue;
		}
		if ((k = utf8_valid_len(u, len - i))) {
			i += k;
			continue;
		}
		if (!copy && !(copy = gate_strndup(data, len)))
			return GATE_ENOMEM;
		copy[i++] = '?';
	}
	*out = copy;
	return 0;
}

static int parse_npm_lock(sink *s, const char *data, size_t len)
{
	const size_t flags = JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL;
	json_error_t err;
	json_t *root, *v;
	char *fixed = NULL;
	int rc = 0;

	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) /* node strips a BOM */
		data += 3, len -= 3;
	root = json_loadb(data, len, flags, &err);
	if (!root && json_error_code(&err) != json_error_out_of_memory) {
		if ((rc = npm_sanitize(&fixed, data, len)) < 0)
			return rc;
		if (fixed) {
			data = fixed;
			root = json_loadb(data, len, flags, &err);
		}
	}
	if (!root) {
		gate_free(fixed);
		/* 1: does not parse (counted by the caller as unreadable) */
		return json_error_code(&err) == json_error_out_of_memory ? gate_error_oom() : 1;
	}
	if (json_is_object(v = json_object_get(root, "packages")))
		rc = npm_packages(s, v, data, len);
	else if (json_is_object(v = json_object_get(root, "dependencies")))
		rc = npm_v1(s, v, 0);
	json_decref(root);
	gate_free(fixed);
	return rc;
}

/* ---- yarn.lock (classic v1 and berry) ----------------------------------------------- */

typedef struct {
	int have, line;
	slice spec, version, resolution;
} yarn_entry;

static int yarn_flush(sink *s, yarn_entry *e)
{
	slice name, ver = sl_unquote(sl_trim(e->version)), res = sl_unquote(sl_trim(e->resolution));
	size_t at;

	if (!e->have)
		return 0;
	e->have = 0;
	if (res.n) {
		/* berry: "name@npm:1.2.3"; workspaces are the project itself */
		at = npm_at(res);
		if (at < res.n && sl_starts(sl(res.p + at + 1, res.n - at - 1), "workspace:"))
			return 0;
		return sink_add(s, sl(res.p, at), ver, e->line);
	}
	at = npm_at(e->spec);
	name = sl(e->spec.p, at);
	if (at < e->spec.n && sl_starts(sl(e->spec.p + at + 1, e->spec.n - at - 1), "npm:")) {
		/* an alias, "es@npm:event-stream@3.3.6": the package is the real one */
		slice real = sl(e->spec.p + at + 5, e->spec.n - at - 5);
		size_t at2 = npm_at(real);
		if (at2 < real.n)
			name = sl(real.p, at2);
	}
	return sink_add(s, name, ver, e->line);
}

/* The first of a header's specs: "a@^1", "a@^1.1": or "a@npm:^1, a@npm:^1.1": */
static slice yarn_first_spec(slice h)
{
	size_t i;
	h = sl_trim(h);
	if (h.n && h.p[0] == '"') {
		for (i = 1; i < h.n && h.p[i] != '"'; i++)
			;
		h = sl(h.p + 1, i - 1);
	}
	for (i = 0; i < h.n && h.p[i] != ','; i++)
		;
	return sl_unquote(sl_trim(sl(h.p, i)));
}

static int parse_yarn(sink *s, const char *data, size_t len)
{
	yarn_entry e;
	line_iter it;
	slice l;
	int rc;

	memset(&e, 0, sizeof(e));
	lines_init(&it, data, len);
	while (lines_next(&it, &l) && !s->full) {
		size_t ind = 0;
		slice body;
		if (!l.n || l.p[0] == '#')
			continue;
		if (!is_blank(UC(l.p[0]))) {
			if ((rc = yarn_flush(s, &e)) < 0)
				return rc;
			l = sl_trim(l);
			if (!l.n || l.p[l.n - 1] != ':')
				continue;
			e.spec = yarn_first_spec(sl(l.p, l.n - 1));
			e.have = e.spec.n && !sl_eq(e.spec, "__metadata");
			e.line = it.line;
			e.version = e.resolution = sl("", 0);
			continue;
		}
		while (ind < l.n && l.p[ind] == ' ')
			ind++;
		if (!e.have || ind != 2)
			continue;
		body = sl(l.p + ind, l.n - ind);
		if (sl_starts(body, "version ") || sl_starts(body, "version:"))
			e.version = sl(body.p + 8, body.n - 8);
		else if (sl_starts(body, "resolution:"))
			e.resolution = sl(body.p + 11, body.n - 11);
	}
	return yarn_flush(s, &e);
}

/* ---- pnpm-lock.yaml ----------------------------------------------------------------- */

/*
 * One key of "packages": "/lodash@4.17.21" (v6), "lodash@4.17.21" (v9),
 * "/@babel/core@7.22.5(supports-color@8.1.1)" (peers in parentheses),
 * "/lodash/4.17.21" and "/react-dom/18.2.0_react@18.2.0" (v5).
 */
static int pnpm_key(sink *s, slice k, int line)
{
	size_t i, scope = 0, at, slash;

	if (k.n && k.p[0] == '/')
		k.p++, k.n--;
	for (i = 0; i < k.n; i++)
		if (k.p[i] == '(') {
			k.n = i;
			break;
		}
	if (k.n && k.p[0] == '@') {
		for (scope = 1; scope < k.n && k.p[scope] != '/'; scope++)
			;
		scope++;
	}
	for (at = scope; at < k.n && k.p[at] != '@' && k.p[at] != '/'; at++)
		;
	if (at >= k.n || at == 0)
		return 0;
	if (k.p[at] == '@')
		return sink_add(s, sl(k.p, at), sl(k.p + at + 1, k.n - at - 1), line);
	slash = at;
	for (i = slash + 1; i < k.n && k.p[i] != '_'; i++)
		;
	return sink_add(s, sl(k.p, slash), sl(k.p + slash + 1, i - slash - 1), line);
}

/* The keys of every "packages" entry of one document's top-level mapping; 1 stops (full). */
static int pnpm_doc(void *arg, const gate_ydoc *doc)
{
	sink *s = arg;
	const gate_ynode *root = doc->root;
	size_t i, j;
	int rc;

	if (root->kind != GATE_Y_MAP)
		return 0;
	for (i = 0; i + 1 < root->n; i += 2) {
		const gate_ynode *k = root->items[i], *pkgs = root->items[i + 1];
		if (k->kind != GATE_Y_SCALAR || !sl_eq(sl(k->str, k->len), "packages") ||
		    pkgs->kind != GATE_Y_MAP)
			continue;
		for (j = 0; j + 1 < pkgs->n; j += 2) {
			const gate_ynode *pk = pkgs->items[j];
			if (pk->kind == GATE_Y_SCALAR &&
			    (rc = pnpm_key(s, sl(pk->str, pk->len), pk->line)) < 0)
				return rc;
			if (s->full)
				return 1;
		}
	}
	return 0;
}

/*
 * The keys of the top-level "packages" mapping of every document (pnpm 9 may
 * write two), read through the YAML front end as pnpm reads them: aliases
 * resolved, every key kept (a duplicate is a package too).  Only the first
 * two levels are built (a package's own entry is never read), so memory
 * follows the number of packages; a document with more nodes than
 * PNPM_MAX_NODES is not read whole, which makes the file incomplete.
 */
static int parse_pnpm(sink *s, const char *data, size_t len)
{
	gate_yopts o = GATE_YOPTS_INIT;
	gate_yerror err;
	int rc;

	o.allow_multi = 1;
	o.aliases = 1;
	o.max_weight = SIZE_MAX; /* nothing walks what an alias names: no expansion to bound */
	o.all_keys = 1;
	o.max_depth = YAML_MAX_DEPTH;
	o.build_depth = 2;
	o.max_nodes = PNPM_MAX_NODES;
	rc = gate_yaml_each(data, len, &o, pnpm_doc, s, &err);
	if (rc == GATE_ENOMEM)
		return rc;
	if (rc < 0 && err.limit == GATE_YLIMIT_NODES) {
		if (!s->out->cut)
			s->out->cut = "a pnpm-lock.yaml document with more than 1000000 YAML nodes";
		return 0;
	}
	return rc < 0 ? 1 : 0; /* 1: stopped at GATE_DEPS_MAX_PER_FILE entries */
}

/* ---- requirements*.txt -------------------------------------------------------------- */

/* One requirement, "name[extras] ==1.0 ; marker": "" when it pins no single version. */
static int req_line(sink *s, slice l, int line)
{
	size_t i = 0, n0;
	slice name, spec, ver = sl("", 0);

	l = sl_trim(l);
	if (!l.n || l.p[0] == '-' || !is_alnum(UC(l.p[0])))
		return 0; /* options (-r, -c, -e, --hash), paths, blank */
	while (i < l.n && (is_alnum(UC(l.p[i])) || pep503_sep(UC(l.p[i]))))
		i++;
	name = sl(l.p, i);
	if (i < l.n && !strchr(" \t[(=<>!~;@,", l.p[i]))
		return 0; /* a URL or a path ("git+https://", "pkg/dir") */
	while (i < l.n && is_blank(UC(l.p[i])))
		i++;
	if (i < l.n && l.p[i] == '[') {
		while (i < l.n && l.p[i] != ']')
			i++;
		if (i >= l.n)
			return 0;
		i++;
	}
	while (i < l.n && (is_blank(UC(l.p[i])) || l.p[i] == '('))
		i++;
	if (i < l.n && l.p[i] == '@') /* "name @ https://...": a URL, no version */
		return sink_add(s, name, ver, line);
	/* the specifiers end at the marker, an option ("--hash=...") or ")" */
	for (n0 = i; i < l.n && l.p[i] != ';' && l.p[i] != ')'; i++)
		if (l.p[i] == '-' && i > n0 && is_blank(UC(l.p[i - 1])) && i + 1 < l.n &&
		    l.p[i + 1] == '-')
			break;
	spec = sl(l.p + n0, i - n0);
	while (spec.n) {
		size_t k = 0;
		slice clause;
		while (k < spec.n && spec.p[k] != ',')
			k++;
		clause = sl_trim(sl(spec.p, k));
		spec = k < spec.n ? sl(spec.p + k + 1, spec.n - k - 1) : sl("", 0);
		if (sl_starts(clause, "==="))
			clause = sl_trim(sl(clause.p + 3, clause.n - 3));
		else if (sl_starts(clause, "=="))
			clause = sl_trim(sl(clause.p + 2, clause.n - 2));
		else
			continue;
		if (clause.n && !memchr(clause.p, '*', clause.n) && !memchr(clause.p, ' ', clause.n) &&
		    !memchr(clause.p, '\t', clause.n))
			ver = clause;
	}
	return sink_add(s, name, ver, line);
}

/* pip's reading: a trailing "\" joins lines, "#" after a blank starts a comment. */
static int parse_requirements(sink *s, const char *data, size_t len)
{
	gate_buf b = GATE_BUF_INIT;
	line_iter it;
	slice l;
	int rc = 0, first = 0;

	lines_init(&it, data, len);
	while (rc == 0 && !s->full && lines_next(&it, &l)) {
		slice t = sl_trim(l);
		size_t i;
		int more;
		if (t.n && t.p[0] == '#') {
			/* a comment ends a continued line */
			if (b.len)
				rc = req_line(s, sl(b.ptr, b.len), first);
			gate_buf_clear(&b);
			continue;
		}
		for (i = 0; i < l.n; i++)
			if (l.p[i] == '#' && (i == 0 || is_blank(UC(l.p[i - 1])))) {
				l.n = i;
				break;
			}
		more = l.n && l.p[l.n - 1] == '\\';
		if (!b.len)
			first = it.line;
		if (gate_buf_put(&b, l.p, more ? l.n - 1 : l.n) < 0) {
			rc = GATE_ENOMEM;
			break;
		}
		if (more)
			continue;
		rc = req_line(s, sl(b.ptr, b.len), first);
		gate_buf_clear(&b);
	}
	if (rc == 0 && b.len)
		rc = req_line(s, sl(b.ptr, b.len), first);
	gate_buf_dispose(&b);
	return rc;
}

/* ---- poetry.lock and Cargo.lock: [[package]] tables of a TOML file ------------------ */

typedef struct {
	const char *p;
	size_t len, i;
	int line;
} toml_cur;

static void toml_to_eol(toml_cur *c)
{
	while (c->i < c->len && c->p[c->i] != '\n')
		c->i++;
}

/* Skips a string at the cursor (basic, literal, or their multi-line forms). */
static void toml_skip_string(toml_cur *c)
{
	char q = c->p[c->i];
	if (c->i + 2 < c->len && c->p[c->i + 1] == q && c->p[c->i + 2] == q) {
		c->i += 3;
		while (c->i < c->len) {
			if (c->p[c->i] == '\\' && q == '"' && c->i + 1 < c->len) {
				c->line += c->p[c->i + 1] == '\n';
				c->i += 2;
				continue;
			}
			if (c->p[c->i] == '\n')
				c->line++;
			if (c->i + 2 < c->len && c->p[c->i] == q && c->p[c->i + 1] == q &&
			    c->p[c->i + 2] == q) {
				c->i += 3;
				while (c->i < c->len && c->p[c->i] == q) /* """a""""" */
					c->i++;
				return;
			}
			c->i++;
		}
		return;
	}
	c->i++;
	while (c->i < c->len && c->p[c->i] != '\n') {
		if (c->p[c->i] == '\\' && q == '"' && c->i + 1 < c->len && c->p[c->i + 1] != '\n') {
			c->i += 2;
			continue;
		}
		if (c->p[c->i++] == q)
			return;
	}
}

/* Skips a value: arrays and inline tables may span lines; strings may hold brackets. */
static void toml_skip_value(toml_cur *c)
{
	size_t depth = 0;
	while (c->i < c->len) {
		char ch = c->p[c->i];
		if (ch == '"' || ch == '\'') {
			toml_skip_string(c);
			continue;
		}
		if (ch == '#') {
			toml_to_eol(c);
			continue;
		}
		if (ch == '\n') {
			if (!depth)
				return;
			c->line++;
		} else if (ch == '[' || ch == '{') {
			depth++;
		} else if ((ch == ']' || ch == '}') && depth) {
			depth--;
		}
		c->i++;
	}
}

/* A one-line string value at the cursor ("x" or 'x'), or an empty slice. */
static slice toml_simple_string(toml_cur *c)
{
	char q;
	size_t start, k;
	if (c->i >= c->len || (c->p[c->i] != '"' && c->p[c->i] != '\''))
		return sl("", 0);
	q = c->p[c->i];
	if (c->i + 1 < c->len && c->p[c->i + 1] == q)
		return sl("", 0); /* "" or a multi-line string */
	start = k = c->i + 1;
	while (k < c->len && c->p[k] != q && c->p[k] != '\n')
		k++;
	if (k >= c->len || c->p[k] != q)
		return sl("", 0);
	return sl(c->p + start, k - start);
}

/* Whether header line H is [[package]] (blanks and quotes allowed: [[ "package" ]]). */
static int toml_is_package_header(slice h)
{
	size_t i = 2;
	slice k;
	if (h.n < 2 || h.p[0] != '[' || h.p[1] != '[')
		return 0;
	while (i < h.n && is_blank(UC(h.p[i])))
		i++;
	k.p = h.p + i;
	while (i < h.n && h.p[i] != ']' && !is_blank(UC(h.p[i])))
		i++;
	k.n = (size_t)(h.p + i - k.p);
	while (i < h.n && is_blank(UC(h.p[i])))
		i++;
	return i + 1 < h.n && h.p[i] == ']' && h.p[i + 1] == ']' && sl_eq(sl_unquote(k), "package");
}

static int parse_toml_packages(sink *s, const char *data, size_t len)
{
	toml_cur c;
	slice name = sl("", 0), ver = sl("", 0);
	int in_pkg = 0, name_line = 0, rc;

	c.p = data;
	c.len = len;
	c.i = len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3) ? 3 : 0;
	c.line = 1;
	while (c.i < c.len && !s->full) {
		char ch = c.p[c.i];
		size_t k0;
		slice key;
		if (ch == '\n') {
			c.line++;
			c.i++;
			continue;
		}
		if (is_space(UC(ch))) {
			c.i++;
			continue;
		}
		if (ch == '#') {
			toml_to_eol(&c);
			continue;
		}
		if (ch == '[') {
			/* a table header: [[package]] starts a package, anything else ends its keys */
			k0 = c.i;
			toml_to_eol(&c);
			if (in_pkg || name.n) {
				if ((rc = sink_add(s, name, ver, name_line)) < 0)
					return rc;
				name = ver = sl("", 0);
			}
			in_pkg = toml_is_package_header(sl(c.p + k0, c.i - k0));
			continue;
		}
		/* key = value */
		k0 = c.i;
		if (ch == '"' || ch == '\'') {
			toml_skip_string(&c);
			key = sl_unquote(sl(c.p + k0, c.i - k0));
		} else {
			while (c.i < c.len && (is_alnum(UC(c.p[c.i])) || c.p[c.i] == '-' ||
					       c.p[c.i] == '_' || c.p[c.i] == '.'))
				c.i++;
			key = sl(c.p + k0, c.i - k0);
		}
		while (c.i < c.len && is_blank(UC(c.p[c.i])))
			c.i++;
		if (!key.n || c.i >= c.len || c.p[c.i] != '=') {
			toml_to_eol(&c); /* not TOML: skip the line */
			continue;
		}
		c.i++;
		while (c.i < c.len && is_blank(UC(c.p[c.i])))
			c.i++;
		if (in_pkg && sl_eq(key, "name")) {
			name = toml_simple_string(&c);
			name_line = c.line;
		} else if (in_pkg && sl_eq(key, "version")) {
			ver = toml_simple_string(&c);
		}
		toml_skip_value(&c);
	}
	if (in_pkg || name.n)
		return sink_add(s, name, ver, name_line);
	return 0;
}

/* ---- go.sum and go.mod -------------------------------------------------------------- */

/* Splits L into blank-separated fields (at most MAX); returns how many. */
static size_t fields(slice l, slice *f, size_t max)
{
	size_t n = 0, i = 0;
	while (n < max) {
		size_t k;
		while (i < l.n && is_space(UC(l.p[i])))
			i++;
		if (i >= l.n)
			break;
		k = i;
		if (l.p[i] == '"' || l.p[i] == '`') {
			char q = l.p[i++];
			while (i < l.n && l.p[i] != q)
				i += l.p[i] == '\\' && q == '"' && i + 1 < l.n ? 2 : 1;
			f[n++] = sl_unquote(sl(l.p + k, (i < l.n ? i + 1 : l.n) - k));
			i++;
			continue;
		}
		while (i < l.n && !is_space(UC(l.p[i])))
			i++;
		f[n++] = sl(l.p + k, i - k);
	}
	return n;
}

/* "module v1.2.3 h1:..." and "module v1.2.3/go.mod h1:...", each module@version once. */
static int parse_go_sum(sink *s, const char *data, size_t len)
{
	line_iter it;
	slice l, f[3];
	int rc;

	lines_init(&it, data, len);
	while (!s->full && lines_next(&it, &l)) {
		const gate_dep *last;
		if (fields(l, f, 3) < 3)
			continue;
		if (f[1].n >= 7 && !memcmp(f[1].p + f[1].n - 7, "/go.mod", 7))
			f[1].n -= 7;
		if (!f[1].n)
			continue;
		last = s->out->count > s->start ? &s->out->items[s->out->count - 1] : NULL;
		if (last && strlen(last->name) == f[0].n && !memcmp(last->name, f[0].p, f[0].n) &&
		    strlen(last->version) == f[1].n && !memcmp(last->version, f[1].p, f[1].n))
			continue;
		if ((rc = sink_add(s, f[0], f[1], it.line)) < 0)
			return rc;
	}
	return 0;
}

/* "path version" of a require; "old [v] => new v" of a replace (the new one is fetched). */
static int go_mod_directive(sink *s, int replace, slice *f, size_t n, int line)
{
	size_t k;
	if (!replace)
		return n >= 2 ? sink_add(s, f[0], f[1], line) : 0;
	for (k = 0; k < n && !sl_eq(f[k], "=>"); k++)
		;
	if (k + 2 >= n)
		return 0; /* no "=>", or a replacement without a version (a directory) */
	if (f[k + 1].n && (f[k + 1].p[0] == '.' || f[k + 1].p[0] == '/'))
		return 0; /* a local directory */
	return sink_add(s, f[k + 1], f[k + 2], line);
}

static int parse_go_mod(sink *s, const char *data, size_t len)
{
	enum { NONE, REQUIRE, REPLACE, OTHER } block = NONE;
	line_iter it;
	slice l, f[8];
	int rc;

	lines_init(&it, data, len);
	while (!s->full && lines_next(&it, &l)) {
		size_t i, n;
		for (i = 0; i + 1 < l.n; i++)
			if (l.p[i] == '/' && l.p[i + 1] == '/') {
				l.n = i; /* "// indirect" and other comments */
				break;
			}
		if (!(n = fields(l, f, GATE_ARRAY_SIZE(f))))
			continue;
		if (block != NONE) {
			if (sl_eq(f[0], ")")) {
				block = NONE;
				continue;
			}
			if (block != OTHER &&
			    (rc = go_mod_directive(s, block == REPLACE, f, n, it.line)) < 0)
				return rc;
			continue;
		}
		if (n >= 2 && sl_eq(f[1], "(")) {
			block = sl_eq(f[0], "require") ? REQUIRE : sl_eq(f[0], "replace") ? REPLACE : OTHER;
			continue;
		}
		if (sl_eq(f[0], "require") || sl_eq(f[0], "replace"))
			if ((rc = go_mod_directive(s, sl_eq(f[0], "replace"), f + 1, n - 1, it.line)) < 0)
				return rc;
	}
	return 0;
}

/* ---- which file is which ------------------------------------------------------------ */

typedef enum {
	LOCK_NONE,
	LOCK_NPM,
	LOCK_YARN,
	LOCK_PNPM,
	LOCK_REQUIREMENTS,
	LOCK_POETRY,
	LOCK_CARGO,
	LOCK_GO_SUM,
	LOCK_GO_MOD
} lock_kind;

static lock_kind lock_kind_of(const char *path)
{
	const char *base;
	size_t n;
	if (!path)
		return LOCK_NONE;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	n = strlen(base);
	if (!strcmp(base, "package-lock.json") || !strcmp(base, "npm-shrinkwrap.json"))
		return LOCK_NPM;
	if (!strcmp(base, "yarn.lock"))
		return LOCK_YARN;
	if (!strcmp(base, "pnpm-lock.yaml"))
		return LOCK_PNPM;
	if (!strncmp(base, "requirements", 12) && n >= 16 && !strcmp(base + n - 4, ".txt"))
		return LOCK_REQUIREMENTS;
	if (!strcmp(base, "poetry.lock"))
		return LOCK_POETRY;
	if (!strcmp(base, "Cargo.lock"))
		return LOCK_CARGO;
	if (!strcmp(base, "go.sum"))
		return LOCK_GO_SUM;
	if (!strcmp(base, "go.mod"))
		return LOCK_GO_MOD;
	return LOCK_NONE;
}

int gate_deps_is_lockfile(const char *path) { return lock_kind_of(path) != LOCK_NONE; }

int gate_deps_parse(gate_deps *out, const char *path, const char *data, size_t len)
{
	lock_kind kind = lock_kind_of(path);
	sink s;
	int rc = 0;

	if (kind == LOCK_NONE || !data)
		return 0;
	if (len > GATE_DEPS_MAX_FILE) {
		if (!out->cut)
			out->cut = "larger than 64 MiB";
		return 0;
	}
	s.out = out;
	s.start = out->count;
	s.full = 0;
	switch (kind) {
	case LOCK_NPM:
	case LOCK_YARN:
	case LOCK_PNPM:
		s.eco = GATE_ECO_NPM;
		break;
	case LOCK_REQUIREMENTS:
	case LOCK_POETRY:
		s.eco = GATE_ECO_PYPI;
		break;
	case LOCK_CARGO:
		s.eco = GATE_ECO_CARGO;
		break;
	case LOCK_GO_SUM:
	case LOCK_GO_MOD:
	case LOCK_NONE:
		s.eco = GATE_ECO_GO;
		break;
	}
	switch (kind) {
	case LOCK_NPM: rc = parse_npm_lock(&s, data, len); break;
	case LOCK_YARN: rc = parse_yarn(&s, data, len); break;
	case LOCK_PNPM: rc = parse_pnpm(&s, data, len); break;
	case LOCK_REQUIREMENTS: rc = parse_requirements(&s, data, len); break;
	case LOCK_POETRY:
	case LOCK_CARGO: rc = parse_toml_packages(&s, data, len); break;
	case LOCK_GO_SUM: rc = parse_go_sum(&s, data, len); break;
	case LOCK_GO_MOD: rc = parse_go_mod(&s, data, len); break;
	case LOCK_NONE: break;
	}
	if (rc != 0) {
		/* out of memory, or (rc > 0) a file that does not parse: nothing from it */
		deps_truncate(out, s.start);
		if (rc > 0)
			out->unreadable++;
		return rc < 0 ? rc : 0;
	}
	return 0;
}

void gate_deps_dispose(gate_deps *d)
{
	deps_truncate(d, 0);
	gate_free(d->items);
	memset(d, 0, sizeof(*d));
}

/* ---- rules -------------------------------------------------------------------------- */

enum { OP_EQ, OP_NE, OP_GT, OP_GE, OP_LT, OP_LE };

typedef struct {
	unsigned char op;
	unsigned char lowest; /* VER stands for the lowest version of its release */
	unsigned char first;  /* starts an alternative ("||") */
	const char *ver;      /* in the rule's buf */
} dep_cmp;

struct gate_dep_rule {
	gate_ecosystem eco;
	int any;      /* no range, or a "*" alternative */
	char *spec;   /* as written */
	char *name;   /* compared form: PEP 503 for pypi, lower case with "-" for cargo */
	char *buf;    /* the versions the comparators point into */
	size_t buf_cap, buf_len;
	dep_cmp *cmps;
	size_t n, cap;
};

static const struct {
	const char *name;
	gate_ecosystem eco;
} ecos[] = {
	{ "npm", GATE_ECO_NPM }, { "pypi", GATE_ECO_PYPI }, { "cargo", GATE_ECO_CARGO },
	{ "go", GATE_ECO_GO },
};

static const char *eco_name(gate_ecosystem eco)
{
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(ecos); i++)
		if (ecos[i].eco == eco)
			return ecos[i].name;
	return "?";
}

void gate_dep_rule_free(gate_dep_rule *r)
{
	if (!r)
		return;
	gate_free(r->spec);
	gate_free(r->name);
	gate_free(r->buf);
	gate_free(r->cmps);
	gate_free(r);
}

const char *gate_dep_rule_spec(const gate_dep_rule *r) { return r ? r->spec : ""; }

/* Copies S into the rule's buffer, NUL-terminated; NULL when it does not fit (a bug). */
static char *rule_store(gate_dep_rule *r, const char *s, size_t n)
{
	char *p;
	if (n + 1 > r->buf_cap - r->buf_len)
		return NULL;
	p = r->buf + r->buf_len;
	memcpy(p, s, n);
	p[n] = '\0';
	r->buf_len += n + 1;
	return p;
}

static int rule_push(gate_dep_rule *r, int op, const char *ver, int lowest, int *first)
{
	dep_cmp *c;
	if (!ver)
		return gate_error_set(GATE_ERROR, "dependency rule: internal buffer too small");
	if (gate_grow(&r->cmps, &r->cap, r->n + 1, sizeof(*r->cmps)) < 0)
		return GATE_ENOMEM;
	c = &r->cmps[r->n++];
	c->op = (unsigned char)op;
	c->ver = ver;
	c->lowest = (unsigned char)lowest;
	c->first = (unsigned char)*first;
	*first = 0;
	return 0;
}

/*
 * Stores the release parts 0..K of VER (missing ones are 0) with part K plus one:
 * the upper bound of ^, ~, ~= and wildcards.
 */
static const char *rule_store_bump(gate_dep_rule *r, const char *ver, size_t k)
{
	vparts v;
	size_t part = 0, i = 0, start, room;
	char *p, *q;

	ver_split(&v, ver, r->eco == GATE_ECO_PYPI);
	room = v.rel_len + 2 * k + 3;
	if (room > r->buf_cap - r->buf_len)
		return NULL;
	p = q = r->buf + r->buf_len;
	for (part = 0; part <= k; part++) {
		if (part)
			*q++ = '.';
		start = i;
		while (i < v.rel_len && v.rel[i] != '.')
			i++;
		if (i > start) {
			memcpy(q, v.rel + start, i - start);
			q += i - start;
		} else {
			*q++ = '0';
		}
		if (i < v.rel_len)
			i++;
	}
	/* increment the last part's digits, carrying */
	{
		char *d = q - 1, *lo = q;
		while (lo > p && lo[-1] != '.')
			lo--;
		while (d >= lo && *d == '9')
			*d-- = '0';
		if (d >= lo) {
			(*d)++;
		} else {
			memmove(lo + 1, lo, (size_t)(q - lo));
			*lo = '1';
			q++;
		}
	}
	*q++ = '\0';
	r->buf_len += (size_t)(q - p);
	return p;
}

/* The number of release parts of VER and the index of its first non-zero one. */
static size_t rel_parts(const gate_dep_rule *r, const char *ver, size_t *first_nonzero)
{
	vparts v;
	size_t i, parts = 0, nz = (size_t)-1;
	int zero = 1;
	ver_split(&v, ver, r->eco == GATE_ECO_PYPI);
	for (i = 0; i <= v.rel_len; i++) {
		if (i == v.rel_len || v.rel[i] == '.') {
			if (!zero && nz == (size_t)-1)
				nz = parts;
			parts++;
			zero = 1;
		} else if (v.rel[i] != '0') {
			zero = 0;
		}
	}
	*first_nonzero = nz;
	return parts;
}

static int ver_token_ok(slice v)
{
	size_t i;
	char tmp[2] = { 0, 0 };
	if (!v.n)
		return 0;
	i = (v.p[0] == 'v' || v.p[0] == 'V') ? 1 : 0;
	if (i >= v.n || !is_digit(UC(v.p[i])))
		return 0;
	for (; i < v.n; i++) {
		tmp[0] = v.p[i];
		if (!is_alnum(UC(v.p[i])) && !strpbrk(tmp, ".+-_!"))
			return 0;
	}
	return 1;
}

/* One comparator of an alternative: "[op]version", op one of = == === != > >= < <= ^ ~ ~=. */
static int rule_comparator(gate_dep_rule *r, slice op, slice v, int *first)
{
	static const char *const ops[] = { "=", "==", "===", "!=", ">", ">=", "<", "<=",
					   "^", "~", "~=", "" };
	size_t i, nz, parts, wild = 0;
	const char *ver, *up;
	int rc, kind = -1;

	for (i = 0; i < GATE_ARRAY_SIZE(ops); i++)
		if (sl_eq(op, ops[i]))
			kind = (int)i;
	if (kind < 0)
		return gate_error_set(GATE_EINVAL, "unknown operator '%.*s' (=, !=, >, >=, <, <=, ^, ~ "
						   "or ~=)", (int)op.n, op.p);
	/* npm "1.2.x" and PEP 440 "1.2.*": every version of that release prefix */
	while (v.n >= 2 && v.p[v.n - 2] == '.' &&
	       (v.p[v.n - 1] == '*' || v.p[v.n - 1] == 'x' || v.p[v.n - 1] == 'X'))
		v.n -= 2, wild = 1;
	if (!ver_token_ok(v))
		return gate_error_set(GATE_EINVAL, "'%.*s%.*s' is not a version (e.g. 1.2.3)",
				      (int)op.n, op.p, (int)v.n, v.p);
	for (i = 0; i < v.n; i++)
		if (wild && !is_digit(UC(v.p[i])) && v.p[i] != '.' && !(i == 0 && (v.p[0] | 32) == 'v'))
			return gate_error_set(GATE_EINVAL, "a wildcard version takes only numbers "
							   "before it ('%.*s.*')", (int)v.n, v.p);
	if (wild && kind > 2 && kind != 11)
		return gate_error_set(GATE_EINVAL, "a wildcard version ('%.*s.*') goes only with '='",
				      (int)v.n, v.p);
	if (!(ver = rule_store(r, v.p, v.n)))
		return gate_error_set(GATE_ERROR, "dependency rule: internal buffer too small");
	parts = rel_parts(r, ver, &nz);
	if (wild) {
		if ((rc = rule_push(r, OP_GE, ver, 1, first)) < 0)
			return rc;
		return rule_push(r, OP_LT, rule_store_bump(r, ver, parts - 1), 1, first);
	}
	switch (kind) {
	case 0: case 1: case 2: case 11: return rule_push(r, OP_EQ, ver, 0, first);
	case 3: return rule_push(r, OP_NE, ver, 0, first);
	case 4: return rule_push(r, OP_GT, ver, 0, first);
	case 5: return rule_push(r, OP_GE, ver, 0, first);
	case 6: return rule_push(r, OP_LT, ver, 0, first);
	case 7: return rule_push(r, OP_LE, ver, 0, first);
	case 8: /* ^1.2.3 <2, ^0.2.3 <0.3, ^0.0.3 <0.0.4 */
		up = rule_store_bump(r, ver, nz == (size_t)-1 ? parts - 1 : nz);
		break;
	case 9: /* ~1.2.3 <1.3, ~1 <2 */
		up = rule_store_bump(r, ver, parts >= 2 ? 1 : 0);
		break;
	case 10: /* ~=1.4.2 <1.5, ~=1.4 <2 */
		if (parts < 2)
			return gate_error_set(GATE_EINVAL, "'~=%.*s' needs at least two release "
							   "numbers (e.g. ~=1.4)", (int)v.n, v.p);
		up = rule_store_bump(r, ver, parts - 2);
		break;
	default:
		return gate_error_set(GATE_ERROR, "dependency rule: operator %d", kind);
	}
	if ((rc = rule_push(r, OP_GE, ver, 0, first)) < 0)
		return rc;
	return rule_push(r, OP_LT, up, 1, first);
}

/* One alternative: comparators separated by blanks or commas, or "*". */
static int rule_alternative(gate_dep_rule *r, slice a)
{
	size_t i = 0, before = r->n;
	int first = 1, rc;

	a = sl_trim(a);
	if (!a.n)
		return gate_error_set(GATE_EINVAL, "an empty alternative in the version range");
	if (sl_eq(a, "*") || sl_eq(a, "x") || sl_eq(a, "X")) {
		r->any = 1;
		return 0;
	}
	while (i < a.n) {
		size_t o0, v0;
		while (i < a.n && (is_space(UC(a.p[i])) || a.p[i] == ','))
			i++;
		if (i >= a.n)
			break;
		o0 = i;
		while (i < a.n && a.p[i] && strchr("=!<>^~", a.p[i]))
			i++;
		v0 = i;
		while (v0 < a.n && is_blank(UC(a.p[v0])) && v0 > o0)
			v0++;
		for (i = v0; i < a.n && !is_space(UC(a.p[i])) && a.p[i] != ','; i++)
			;
		if (i == v0)
			return gate_error_set(GATE_EINVAL, "'%.*s' is not followed by a version",
					      (int)(v0 - o0), a.p + o0);
		{
			size_t oe = o0;
			while (oe < v0 && !is_blank(UC(a.p[oe])))
				oe++;
			if ((rc = rule_comparator(r, sl(a.p + o0, oe - o0), sl(a.p + v0, i - v0),
						  &first)) < 0)
				return rc;
		}
	}
	if (r->n == before)
		return gate_error_set(GATE_EINVAL, "an empty alternative in the version range");
	return 0;
}

static int rule_range(gate_dep_rule *r, slice range)
{
	int rc;
	for (;;) {
		const char *bar = NULL;
		size_t i;
		for (i = 0; i + 1 < range.n; i++)
			if (range.p[i] == '|' && range.p[i + 1] == '|') {
				bar = range.p + i;
				break;
			}
		if ((rc = rule_alternative(r, sl(range.p, bar ? (size_t)(bar - range.p) : range.n))) < 0)
			return rc;
		if (!bar)
			return 0;
		range = sl(bar + 2, range.n - (size_t)(bar + 2 - range.p));
	}
}

/* A new rule for NAME with RANGE (NULL: any version), written SPEC. */
static int rule_new(gate_dep_rule **out, gate_ecosystem eco, slice name, const slice *range,
		    slice spec)
{
	gate_dep_rule *r;
	int rc;

	*out = NULL;
	if (!(r = gate_calloc(1, sizeof(*r))))
		return GATE_ENOMEM;
	r->eco = eco;
	if (!(r->spec = gate_strndup(spec.p, spec.n)) || !(r->name = name_key(eco, name.p, name.n))) {
		gate_dep_rule_free(r);
		return GATE_ENOMEM;
	}
	if (!range) {
		r->any = 1;
	} else {
		r->buf_cap = range->n * 3 + 16;
		if (!(r->buf = gate_malloc(r->buf_cap))) {
			gate_dep_rule_free(r);
			return GATE_ENOMEM;
		}
		if ((rc = rule_range(r, *range)) < 0) {
			gate_dep_rule_free(r);
			return rc;
		}
	}
	*out = r;
	return 0;
}

static int name_ok(gate_ecosystem eco, slice n)
{
	size_t i, slash = 0;
	if (!n.n)
		return 0;
	for (i = 0; i < n.n; i++) {
		int c = UC(n.p[i]);
		if (c <= ' ' || c >= 0x7f)
			return 0;
		if (c == '@' && !(eco == GATE_ECO_NPM && i == 0))
			return 0;
		if (c == '/')
			slash++;
		if ((eco == GATE_ECO_PYPI || eco == GATE_ECO_CARGO) && !is_alnum(c) && c != '-' &&
		    c != '_' && !(c == '.' && eco == GATE_ECO_PYPI))
			return 0;
	}
	if (eco == GATE_ECO_NPM && n.p[0] == '@' && (slash != 1 || n.p[1] == '/' || n.p[n.n - 1] == '/'))
		return 0;
	return 1;
}

int gate_dep_rule_parse(gate_dep_rule **out, const char *spec)
{
	slice s, name, range;
	const char *colon;
	size_t i, at;
	gate_ecosystem eco = GATE_ECO_NPM;
	int found = 0, has_at;

	*out = NULL;
	if (!spec)
		return gate_error_set(GATE_EINVAL, "empty dependency entry");
	s = sl_trim(sl(spec, strlen(spec)));
	colon = memchr(s.p, ':', s.n);
	if (!colon)
		return gate_error_set(GATE_EINVAL, "expected <ecosystem>:<name>[@<versions>] "
						   "(e.g. npm:event-stream@3.3.6)");
	for (i = 0; i < GATE_ARRAY_SIZE(ecos); i++)
		if ((size_t)(colon - s.p) == strlen(ecos[i].name) &&
		    !gate_strncasecmp(s.p, ecos[i].name, strlen(ecos[i].name))) {
			eco = ecos[i].eco;
			found = 1;
		}
	if (!found)
		return gate_error_set(GATE_EINVAL, "unknown ecosystem '%.*s' (npm, pypi, cargo or go)",
				      (int)(colon - s.p), s.p);
	name = sl_trim(sl(colon + 1, s.n - (size_t)(colon + 1 - s.p)));
	/* the version follows the last '@' that is not a scope's (npm:@scope/name@1.0) */
	for (at = name.n; at > 1 && name.p[at - 1] != '@'; at--)
		;
	at = at > 1 ? at - 1 : name.n;
	has_at = at < name.n;
	range = has_at ? sl_trim(sl(name.p + at + 1, name.n - at - 1)) : sl("", 0);
	name = sl_trim(sl(name.p, at));
	if (!name_ok(eco, name))
		return gate_error_set(GATE_EINVAL, "'%.*s' is not a valid %s package name", (int)name.n,
				      name.p, eco_name(eco));
	if (has_at && !range.n)
		return gate_error_set(GATE_EINVAL, "no versions after '@' (write %s:%.*s for any "
						   "version)", eco_name(eco), (int)name.n, name.p);
	return rule_new(out, eco, name, range.n ? &range : NULL, s);
}

static int cmp_holds(gate_ecosystem eco, const dep_cmp *c, const char *v, int comparable)
{
	int d;
	if (c->op == OP_EQ || c->op == OP_NE) {
		int eq = comparable ? !gate_dep_version_cmp(eco, v, c->ver)
				    : !strcmp(ver_start(v), ver_start(c->ver));
		return c->op == OP_EQ ? eq : !eq;
	}
	if (!comparable)
		return 0;
	d = c->lowest ? ver_cmp_lowest(eco, v, c->ver) : gate_dep_version_cmp(eco, v, c->ver);
	switch (c->op) {
	case OP_GT: return d > 0;
	case OP_GE: return d >= 0;
	case OP_LT: return d < 0;
	case OP_LE: return d <= 0;
	default: return 0;
	}
}

/* Whether version V satisfies R's range (some alternative, all of its comparators). */
static int rule_covers(const gate_dep_rule *r, const char *v)
{
	int comparable = ver_comparable(v);
	size_t i = 0;
	if (r->any)
		return 1;
	if (!*v)
		return 0;
	while (i < r->n) {
		int all = 1;
		do {
			if (all && !cmp_holds(r->eco, &r->cmps[i], v, comparable))
				all = 0;
			i++;
		} while (i < r->n && !r->cmps[i].first);
		if (all)
			return 1;
	}
	return 0;
}

int gate_dep_rule_matches(const gate_dep_rule *r, const gate_dep *d)
{
	if (!r || !d || !d->name || r->eco != d->eco || !name_matches(r->eco, r->name, d->name))
		return 0;
	return rule_covers(r, d->version ? d->version : "");
}

/* ---- OSV ---------------------------------------------------------------------------- */

enum { EV_INTRODUCED, EV_FIXED, EV_LAST_AFFECTED };

typedef struct {
	int kind;
	const char *ver;
} osv_event;

typedef struct {
	gate_dep_rule **items;
	size_t n, cap;
	const char *id;
	size_t index;
} osv_out;

static int osv_bad(const osv_out *o, const char *what)
{
	if (o->id)
		return gate_error_set(GATE_EINVAL, "OSV advisory %s: %s", o->id, what);
	return gate_error_set(GATE_EINVAL, "OSV advisory #%zu: %s", o->index + 1, what);
}

static int osv_event_cmp(gate_ecosystem eco, const osv_event *a, const osv_event *b)
{
	int a0 = a->kind == EV_INTRODUCED && !strcmp(a->ver, "0");
	int b0 = b->kind == EV_INTRODUCED && !strcmp(b->ver, "0");
	if (a0 || b0)
		return b0 - a0;
	return gate_dep_version_cmp(eco, a->ver, b->ver);
}

static int osv_emit(gate_buf *b, const char *from, const char *op, const char *to)
{
	if (b->len)
		gate_buf_puts(b, " || ");
	if (from)
		gate_buf_printf(b, ">=%s", from);
	if (to)
		gate_buf_printf(b, "%s%s%s", from ? " " : "", op, to);
	if (!from && !to)
		gate_buf_puts(b, "*");
	return b->oom ? GATE_ENOMEM : 0;
}

/* A version an OSV range may use: one a rule reads as a single version (no wildcard). */
static int osv_ver_ok(const char *v)
{
	size_t n = strlen(v);
	if (n >= 2 && v[n - 2] == '.' && (v[n - 1] == 'x' || v[n - 1] == 'X'))
		return 0;
	return ver_token_ok(sl(v, n));
}

/* One SEMVER or ECOSYSTEM range: its events, in version order, become intervals in B. */
static int osv_range(gate_buf *b, const osv_out *o, gate_ecosystem eco, const json_t *events)
{
	osv_event *ev;
	size_t n = 0, i, j;
	const char *from = NULL;
	int open = 0, rc = 0, usable = 1;

	if (!json_is_array(events))
		return osv_bad(o, "a range has no \"events\" list");
	if (json_array_size(events) > OSV_MAX_EVENTS)
		return osv_bad(o, "a range has too many events");
	if (!(ev = gate_calloc(json_array_size(events) + 1, sizeof(*ev))))
		return GATE_ENOMEM;
	for (i = 0; i < json_array_size(events); i++) {
		static const char *const kinds[] = { "introduced", "fixed", "last_affected" };
		const json_t *e = json_array_get(events, i), *v = NULL;
		int kind = -1;
		if (!json_is_object(e)) {
			rc = osv_bad(o, "an event is not an object");
			goto out;
		}
		for (j = 0; j < GATE_ARRAY_SIZE(kinds); j++)
			if ((v = json_object_get(e, kinds[j]))) {
				kind = (int)j;
				break;
			}
		if (kind < 0) {
			if (json_object_get(e, "limit"))
				continue; /* limits bound the search for git ranges; not versions */
			rc = osv_bad(o, "an event has none of introduced, fixed, last_affected, limit");
			goto out;
		}
		if (!json_is_string(v)) {
			rc = osv_bad(o, "an event's version is not a string");
			goto out;
		}
		ev[n].kind = kind;
		ev[n].ver = json_string_value(v);
		if (!(kind == EV_INTRODUCED && !strcmp(ev[n].ver, "0")) && !osv_ver_ok(ev[n].ver))
			usable = 0; /* a version this module cannot order: the range is skipped */
		/* insertion sort: stable, and ranges have a handful of events */
		for (j = n; j > 0 && osv_event_cmp(eco, &ev[j - 1], &ev[n]) > 0; j--)
			;
		if (j < n) {
			osv_event t = ev[n];
			memmove(ev + j + 1, ev + j, (n - j) * sizeof(*ev));
			ev[j] = t;
		}
		n++;
	}
	for (i = 0; usable && rc == 0 && i < n; i++) {
		if (ev[i].kind == EV_INTRODUCED) {
			if (!open) {
				open = 1;
				from = strcmp(ev[i].ver, "0") ? ev[i].ver : NULL;
			}
		} else if (open) {
			rc = osv_emit(b, from, ev[i].kind == EV_FIXED ? "<" : "<=", ev[i].ver);
			open = 0;
		}
	}
	if (usable && rc == 0 && open)
		rc = osv_emit(b, from, "", NULL);
out:
	gate_free(ev);
	return rc;
}

static int osv_affected(osv_out *o, const json_t *a)
{
	static const struct {
		const char *osv;
		gate_ecosystem eco;
	} map[] = {
		{ "npm", GATE_ECO_NPM }, { "PyPI", GATE_ECO_PYPI }, { "crates.io", GATE_ECO_CARGO },
		{ "Go", GATE_ECO_GO },
	};
	const json_t *pkg, *ranges, *versions, *rg;
	gate_buf range = GATE_BUF_INIT, spec = GATE_BUF_INIT;
	gate_dep_rule *cover = NULL, *rule = NULL;
	const char *eco_s, *name;
	gate_ecosystem eco = GATE_ECO_NPM;
	size_t i;
	int rc = 0, known = 0;
	slice rs;

	if (!json_is_object(a))
		return osv_bad(o, "an \"affected\" entry is not an object");
	pkg = json_object_get(a, "package");
	if (!pkg)
		return 0;
	if (!json_is_object(pkg) || !json_is_string(json_object_get(pkg, "ecosystem")) ||
	    !json_is_string(json_object_get(pkg, "name")))
		return osv_bad(o, "\"package\" needs \"ecosystem\" and \"name\" strings");
	eco_s = json_string_value(json_object_get(pkg, "ecosystem"));
	name = json_string_value(json_object_get(pkg, "name"));
	for (i = 0; i < GATE_ARRAY_SIZE(map); i++)
		if (!strcmp(eco_s, map[i].osv)) {
			eco = map[i].eco;
			known = 1;
		}
	ranges = json_object_get(a, "ranges");
	versions = json_object_get(a, "versions");
	if (ranges && !json_is_array(ranges))
		return osv_bad(o, "\"ranges\" is not a list");
	if (versions && !json_is_array(versions))
		return osv_bad(o, "\"versions\" is not a list");
	for (i = 0; i < json_array_size(ranges); i++) {
		const json_t *type;
		rg = json_array_get(ranges, i);
		if (!json_is_object(rg) || !json_is_string(type = json_object_get(rg, "type"))) {
			rc = osv_bad(o, "a range needs a \"type\"");
			goto out;
		}
		if (!known || (strcmp(json_string_value(type), "SEMVER") &&
			       strcmp(json_string_value(type), "ECOSYSTEM")))
			continue; /* GIT ranges name commits, not versions */
		if ((rc = osv_range(&range, o, eco, json_object_get(rg, "events"))) < 0)
			goto out;
	}
	for (i = 0; i < json_array_size(versions); i++)
		if (!json_is_string(json_array_get(versions, i))) {
			rc = osv_bad(o, "\"versions\" holds a non-string");
			goto out;
		}
	if (!known || !*name)
		goto out;
	/* listed versions the ranges do not already cover become exact alternatives */
	if (range.len) {
		rs = sl(range.ptr, range.len);
		if ((rc = rule_new(&cover, eco, sl(name, strlen(name)), &rs, rs)) < 0) {
			if (rc == GATE_EINVAL)
				rc = osv_bad(o, "a range this module cannot read");
			goto out;
		}
	}
	for (i = 0; i < json_array_size(versions); i++) {
		const char *v = json_string_value(json_array_get(versions, i));
		if (!osv_ver_ok(v) || (cover && rule_covers(cover, v)))
			continue;
		gate_buf_printf(&range, "%s=%s", range.len ? " || " : "", v);
	}
	if (range.oom) {
		rc = GATE_ENOMEM;
		goto out;
	}
	if (!range.len)
		goto out;
	gate_buf_printf(&spec, "%s:%s@%s (%s)", eco_name(eco), name, range.ptr, o->id);
	if (spec.oom) {
		rc = GATE_ENOMEM;
		goto out;
	}
	rs = sl(range.ptr, range.len);
	if ((rc = rule_new(&rule, eco, sl(name, strlen(name)), &rs, sl(spec.ptr, spec.len))) < 0) {
		if (rc == GATE_EINVAL)
			rc = osv_bad(o, "a range this module cannot read");
		goto out;
	}
	if (gate_grow(&o->items, &o->cap, o->n + 1, sizeof(*o->items)) < 0) {
		gate_dep_rule_free(rule);
		rc = GATE_ENOMEM;
		goto out;
	}
	o->items[o->n++] = rule;
out:
	gate_dep_rule_free(cover);
	gate_buf_dispose(&range);
	gate_buf_dispose(&spec);
	return rc;
}

static int osv_advisory(osv_out *o, const json_t *adv)
{
	const json_t *id, *affected, *withdrawn;
	size_t i;
	int rc;

	o->id = NULL;
	if (!json_is_object(adv))
		return osv_bad(o, "not an object");
	if (!json_is_string(id = json_object_get(adv, "id")) || !*json_string_value(id))
		return osv_bad(o, "no \"id\"");
	o->id = json_string_value(id);
	withdrawn = json_object_get(adv, "withdrawn");
	if (json_is_string(withdrawn) && *json_string_value(withdrawn))
		return 0; /* withdrawn advisories no longer apply */
	affected = json_object_get(adv, "affected");
	if (!affected)
		return 0;
	if (!json_is_array(affected))
		return osv_bad(o, "\"affected\" is not a list");
	for (i = 0; i < json_array_size(affected); i++)
		if ((rc = osv_affected(o, json_array_get(affected, i))) < 0)
			return rc;
	return 0;
}

int gate_osv_load(gate_dep_rule ***rules, size_t *n, const char *json, size_t len)
{
	osv_out o;
	json_error_t err;
	json_t *root, *list;
	gate_dep_rule **grown;
	size_t i;
	int rc = 0;

	if (!rules || !n || (!json && len))
		return gate_error_set(GATE_EINVAL, "OSV: no document");
	memset(&o, 0, sizeof(o));
	root = json_loadb(json ? json : "", len, JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &err);
	if (!root) {
		if (json_error_code(&err) == json_error_out_of_memory)
			return gate_error_oom();
		return gate_error_set(GATE_EINVAL, "OSV: not JSON (line %d: %s)", err.line, err.text);
	}
	list = root;
	if (json_is_object(root) && json_object_get(root, "vulns")) {
		list = json_object_get(root, "vulns");
		if (!json_is_array(list)) {
			rc = gate_error_set(GATE_EINVAL, "OSV: \"vulns\" is not a list");
			goto out;
		}
	} else if (json_is_object(root) && !json_object_get(root, "id")) {
		rc = gate_error_set(GATE_EINVAL, "OSV: expected an advisory (an object with \"id\"), "
						 "a list of them, or {\"vulns\": [...]}");
		goto out;
	}
	if (json_is_array(list)) {
		for (i = 0; rc == 0 && i < json_array_size(list); i++) {
			o.index = i;
			rc = osv_advisory(&o, json_array_get(list, i));
		}
	} else if (json_is_object(list)) {
		rc = osv_advisory(&o, list);
	} else {
		rc = gate_error_set(GATE_EINVAL, "OSV: expected an advisory, a list of them, or "
						 "{\"vulns\": [...]}");
	}
	if (rc == 0 && o.n) {
		if (*n > SIZE_MAX / sizeof(**rules) - o.n ||
		    !(grown = gate_realloc(*rules, (*n + o.n) * sizeof(**rules)))) {
			rc = GATE_ENOMEM;
		} else {
			memcpy(grown + *n, o.items, o.n * sizeof(*o.items));
			*rules = grown;
			*n += o.n;
			o.n = 0;
		}
	}
out:
	for (i = 0; i < o.n; i++)
		gate_dep_rule_free(o.items[i]);
	gate_free(o.items);
	json_decref(root);
	return rc;
}
