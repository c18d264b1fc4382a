/*
 * Glob matching for ref rules and path owners.
 *
 * Matching works segment by segment: a dynamic programme over (pattern
 * segment, string segment) decides where `**` absorbs segments, and each
 * single segment is matched with the classic one-backtrack-point wildcard
 * algorithm.  Both are polynomial, so a hostile ref name or a 5,000-deep path
 * cannot make a rule check take exponential time.
 */
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "util/glob.h"

int gate_glob_check(const char *pattern, char *err, size_t errlen)
{
	const char *p = pattern;
	const char *seg = pattern;

	if (!*pattern) {
		snprintf(err, errlen, "empty pattern");
		return GATE_EINVAL;
	}
	while (*p) {
		if (*p == '\\') {
			if (!p[1]) {
				snprintf(err, errlen, "pattern ends with a lone '\\'");
				return GATE_EINVAL;
			}
			if (p[1] == '/') {
				snprintf(err, errlen, "'\\/' cannot escape a path separator");
				return GATE_EINVAL;
			}
			p += 2;
			continue;
		}
		if (*p == '[') {
			const char *q = p + 1;
			if (*q == '!' || *q == '^')
				q++;
			if (*q == ']')
				q++;
			while (*q && *q != ']' && *q != '/')
				q++;
			if (*q != ']') {
				snprintf(err, errlen, "unterminated '[' at offset %zu", (size_t)(p - pattern));
				return GATE_EINVAL;
			}
			p = q + 1;
			continue;
		}
		if (*p == '*' && p[1] == '*') {
			size_t seglen;
			const char *end = p;
			while (*end == '*')
				end++;
			if (end - p > 2) {
				snprintf(err, errlen, "'%.*s' is not a wildcard: use '*' or '**'",
					 (int)(end - p), p);
				return GATE_EINVAL;
			}
			seglen = strcspn(seg, "/");
			if (p != seg || (*end && *end != '/') || seglen != 2) {
				snprintf(err, errlen,
					 "'**' must be a whole path segment (like a/**/b), "
					 "not part of one; use '*' within a segment");
				return GATE_EINVAL;
			}
			p = end;
			continue;
		}
		if (*p == '/') {
			if (p[1] == '/') {
				snprintf(err, errlen, "empty path segment ('//')");
				return GATE_EINVAL;
			}
			seg = p + 1;
		}
		p++;
	}
	return 0;
}

int gate_glob_is_literal(const char *pattern)
{
	return strpbrk(pattern, "*?[\\") == NULL;
}

/* Matches class at *PP against C; advances *PP past the class. */
static int class_match(const char **pp, unsigned char c)
{
	const char *p = *pp + 1;
	int neg = 0, hit = 0;

	if (*p == '!' || *p == '^') {
		neg = 1;
		p++;
	}
	if (*p == ']') {
		hit |= c == ']';
		p++;
	}
	while (*p && *p != ']') {
		unsigned char lo = (unsigned char)*p, hi = lo;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = (unsigned char)p[2];
			p += 3;
		} else {
			p++;
		}
		if (c >= lo && c <= hi)
			hit = 1;
	}
	*pp = *p ? p + 1 : p;
	return hit != neg;
}

/* One pattern segment P[0..plen) against one string segment S[0..slen). */
static int seg_match(const char *p, size_t plen, const char *s, size_t slen)
{
	const char *pend = p + plen, *send = s + slen;
	const char *star_p = NULL, *star_s = NULL;

	while (s < send) {
		if (p < pend && *p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (p < pend) {
			const char *np = p;
			int ok;
			if (*p == '?') {
				ok = 1;
				np = p + 1;
			} else if (*p == '[') {
				ok = class_match(&np, (unsigned char)*s);
			} else if (*p == '\\' && p + 1 < pend) {
				ok = p[1] == *s;
				np = p + 2;
			} else {
				ok = *p == *s;
				np = p + 1;
			}
			if (ok) {
				p = np;
				s++;
				continue;
			}
		}
		if (!star_p)
			return 0;
		p = star_p;
		s = ++star_s;
	}
	while (p < pend && *p == '*')
		p++;
	return p == pend;
}

typedef struct {
	const char *ptr;
	size_t len;
} seg_t;

static size_t split(const char *s, seg_t *out, size_t max)
{
	size_t n = 0;
	const char *start = s;
	for (;;) {
		if (*s == '/' || !*s) {
			if (out && n < max) {
				out[n].ptr = start;
				out[n].len = (size_t)(s - start);
			}
			n++;
			if (!*s)
				break;
			start = s + 1;
		}
		s++;
	}
	return n;
}

int gate_glob_match(const char *pattern, const char *str)
{
	seg_t pstack[16], sstack[64];
	seg_t *ps = pstack, *ss = sstack;
	unsigned char dstack[1024];
	unsigned char *dp = dstack;
	size_t np = split(pattern, NULL, 0), ns = split(str, NULL, 0);
	size_t i, j, w = ns + 1;
	int result = -1;

	/* Fast path: no '**' means segment counts must agree. */
	if (!strstr(pattern, "**")) {
		const char *p = pattern, *s = str;
		if (np != ns)
			return 0;
		while (1) {
			size_t pl = strcspn(p, "/"), sl = strcspn(s, "/");
			if (!seg_match(p, pl, s, sl))
				return 0;
			if (!p[pl])
				return 1;
			p += pl + 1;
			s += sl + 1;
		}
	}
	if (np > GATE_ARRAY_SIZE(pstack))
		ps = malloc(np * sizeof(*ps));
	if (ns > GATE_ARRAY_SIZE(sstack))
		ss = malloc(ns * sizeof(*ss));
	if ((np + 1) * w > sizeof(dstack))
		dp = malloc((np + 1) * w);
	if (!ps || !ss || !dp) {
		gate_error_oom();
		goto done;
	}
	split(pattern, ps, np);
	split(str, ss, ns);

	/* dp[i][j]: pattern segments i.. match string segments j.. */
	memset(dp, 0, (np + 1) * w);
	dp[np * w + ns] = 1;
	for (i = np; i-- > 0;) {
		int dstar = ps[i].len == 2 && ps[i].ptr[0] == '*' && ps[i].ptr[1] == '*';
		for (j = ns + 1; j-- > 0;) {
			unsigned char v;
			if (dstar)
				v = dp[(i + 1) * w + j] || (j < ns && dp[i * w + j + 1]);
			else
				v = j < ns && dp[(i + 1) * w + j + 1] &&
				    seg_match(ps[i].ptr, ps[i].len, ss[j].ptr, ss[j].len);
			dp[i * w + j] = v;
		}
	}
	result = dp[0];
done:
	if (ps != pstack)
		free(ps);
	if (ss != sstack)
		free(ss);
	if (dp != dstack)
		free(dp);
	return result;
}
