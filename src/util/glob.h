/*
 * Glob patterns for ref names and paths: `*` and `?` stay inside one path
 * segment, `**` as a whole segment spans zero or more segments, `[abc]`,
 * `[a-z]` and `[!x]` are classes, `\` escapes the next character.
 */
#ifndef GATE_GLOB_H
#define GATE_GLOB_H

#include <stddef.h>

/*
 * Checks that PATTERN is well formed.  Returns 0, or GATE_EINVAL with a
 * message in ERR (ERRLEN bytes) naming what is wrong.
 */
int gate_glob_check(const char *pattern, char *err, size_t errlen);

/*
 * Whether STR matches PATTERN (1) or not (0); -1 when memory ran out (the
 * caller must fail closed, never read it as "no match").  PATTERN must have passed
 * gate_glob_check().  Runs in O(segments(pattern) x segments(str) x
 * segment length): no input makes it backtrack exponentially.
 */
int gate_glob_match(const char *pattern, const char *str);

/* Whether PATTERN has no wildcard at all (matches exactly one string). */
int gate_glob_is_literal(const char *pattern);

#endif
