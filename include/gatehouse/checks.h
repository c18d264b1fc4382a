/*
 * The table of checks: every id a reason can carry (ref.push, review.min,
 * secret.<rule>, policy.container.privileged, ...), with what it needs, the
 * matrix key that configures it, whether a break-glass override may lift
 * it, its severity, a one-line doc and the README anchor that documents it.
 * `gatehouse checks` prints it; the pusher's message, SARIF, `gatehouse
 * explain` and the README's table of checks read it.
 */
#ifndef GATEHOUSE_CHECKS_H
#define GATEHOUSE_CHECKS_H

#include <stddef.h>

typedef enum {
	GATE_FAMILY_REF = 0,  /* who may change which ref, and how it is named */
	GATE_FAMILY_MATRIX,   /* the trusted ref and the matrix it carries */
	GATE_FAMILY_EVIDENCE, /* reviews, trailers, signatures, approvals */
	GATE_FAMILY_SECRET,   /* secrets in anything pushed */
	GATE_FAMILY_POLICY,   /* content, deployment and external policies */
	GATE_FAMILY_LIMIT,    /* settings.limits on one push */
	GATE_FAMILY_OVERRIDE, /* break glass */
	GATE_FAMILY_INTERNAL  /* gatehouse could not check (fail closed) */
} gate_check_family;

typedef enum { GATE_SEVERITY_ERROR = 0, GATE_SEVERITY_WARNING } gate_check_severity;

typedef struct {
	const char *id;       /* "ref.push"; a family of ids ends in ".*" ("secret.*") */
	gate_check_family family;
	const char *needs;    /* what the check asks for, in words */
	const char *key;      /* the matrix key that configures it ("refs[].push"), or NULL: built in */
	int overridable;      /* a break-glass override may lift it */
	gate_check_severity severity;
	const char *doc;      /* one line: when it fires */
	const char *anchor;   /* the README section that documents it ("evidence-on-protected-refs") */
} gate_check_info;

/* The number of rows, and row I (0 <= I < gate_checks_count()).  Static. */
size_t gate_checks_count(void);
const gate_check_info *gate_check_at(size_t i);

/*
 * The row for check ID: the row with that exact id, else the family row
 * ("secret.*") whose prefix ID starts with.  NULL for an id no row covers.
 */
const gate_check_info *gate_check_lookup(const char *id);

/* The row that declares ref-rule option NAME (its key is "refs[].NAME"), or NULL. */
const gate_check_info *gate_check_rule_option(const char *name);

/* "ref", "matrix", "evidence", ... */
const char *gate_check_family_name(gate_check_family f);

#endif
