/*
 * Policies on pushed content (matrix `policies:`): the findings every
 * content policy produces, and the checks' actions.
 *
 * A content policy takes bytes and a path (it does not know whether they
 * came from a pushed blob, the index or a file on disk) and appends
 * findings.  Each finding carries its check id (policy.container.privileged,
 * policy.dependency.deny, ...), the path and line it was found at, what was
 * found and how to fix it.  Everything in a finding that came from the
 * content is escaped for a terminal by whoever prints it, not here.
 */
#ifndef GATE_POLICY_H
#define GATE_POLICY_H

#include <stddef.h>

/* What a check does when it fires (matrix: reject | warn | off; absent = off). */
typedef enum { GATE_POLICY_OFF = 0, GATE_POLICY_WARN, GATE_POLICY_REJECT } gate_policy_action;

typedef struct {
	char *check;   /* "policy.container.privileged" */
	char *path;    /* the file, as given */
	int line;      /* 1-based; 0 when the file as a whole */
	char *found;   /* "container 'web' of Deployment 'api' runs privileged" */
	char *fix;     /* "remove securityContext.privileged or set it to false" */
	gate_policy_action action;
	size_t origin;  /* the caller's tag (e.g. the job that brought the file); 0 from checkers */
} gate_policy_finding;

typedef struct {
	gate_policy_finding *items;
	size_t count, cap;
	size_t dropped; /* findings past GATE_POLICY_FINDINGS_MAX, not kept */
} gate_policy_findings;

#define GATE_POLICY_FINDINGS_INIT { NULL, 0, 0, 0 }

/*
 * Most findings kept for one push; more are counted in `dropped`, and a
 * caller that sees `dropped` rejects (policy.findings.incomplete): a finding
 * that was not kept could be a rejecting one.
 */
#define GATE_POLICY_FINDINGS_MAX 1000

/*
 * Appends a finding (copies every string; FOUND is printf-formatted).
 * Past GATE_POLICY_FINDINGS_MAX findings it keeps nothing, counts it in
 * `dropped` and returns 0.  0, or GATE_ENOMEM.
 */
int gate_policy_findings_add(gate_policy_findings *f, gate_policy_action action, const char *check,
			     const char *path, int line, const char *fix, const char *found_fmt, ...)
	__attribute__((format(printf, 7, 8)));

void gate_policy_findings_dispose(gate_policy_findings *f);

#endif
