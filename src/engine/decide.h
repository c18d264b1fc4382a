/*
 * Decisions: for one ref update, the verdict and the reasons behind it.
 *
 * Every check has a stable id (ref.push, ref.create, ref.delete,
 * ref.force_push, ref.replace, ref.notes, ref.unruled, matrix.missing,
 * matrix.invalid, matrix.trusted_delete, internal.error, internal.watchdog)
 * and produces reasons of one shape: id, matrix location, subject, what was
 * found, what is missing, how to fix it.  The pusher's
 * message and the audit record are both built from these structures.
 */
#ifndef GATE_DECIDE_H
#define GATE_DECIDE_H

#include "matrix/model.h"
#include "git/push.h"

typedef struct {
	char *check;        /* stable id (ref.push, secret.<rule>, ...) */
	int line, col;      /* matrix location; 0 when the check is built in */
	char *subject;      /* the ref (or commit, path) the reason is about */
	char *found;        /* what gatehouse saw */
	char *missing;      /* what the rule asks for that is not there */
	char *fix;          /* how to get accepted */
} gate_reason;

typedef enum { GATE_ACCEPT = 0, GATE_REJECT = 1 } gate_verdict;

typedef struct {
	const gate_update *update; /* borrowed */
	const gate_refrule *rule;  /* the rule that applied, or NULL */
	gate_verdict verdict;
	gate_reason *reasons;
	size_t n_reasons, cap_reasons;
	size_t n_suppressed;       /* reasons beyond GATE_REASONS_MAX, counted only */
	size_t n_suppressed_hard;  /* ... of which a break-glass override cannot lift */
	char *overridden;          /* checks a break-glass override lifted ("a,b"), or NULL */
	gate_reason *warnings;     /* policy checks set to warn: shown and audited, not rejecting */
	size_t n_warnings, cap_warnings;
} gate_decision;

/*
 * Whether a break-glass override may lift CHECK: its row's overridable
 * column in the table of checks (engine/checks.c): evidence, secrets and
 * policies, never permissions (ref.push ...), the trusted ref's guards,
 * limits or internal errors; never an id the table does not know.
 */
int gate_check_overridable(const char *check);

/*
 * Lifts every overridable reason of D, recording their ids in D->overridden,
 * and re-decides D.  0 or GATE_ENOMEM.
 */
int gate_decision_override(gate_decision *d);

/* Most reasons kept per decision; the rest are counted in n_suppressed. */
#define GATE_REASONS_MAX 50

/* The matrix a push to the trusted ref would leave behind. */
typedef enum {
	GATE_PUSHED_MATRIX_NA = 0,  /* not a push to the trusted ref */
	GATE_PUSHED_MATRIX_OK,
	GATE_PUSHED_MATRIX_MISSING,
	GATE_PUSHED_MATRIX_INVALID
} gate_pushed_matrix;

typedef struct {
	const gate_matrix *m;     /* NULL: no matrix yet (unprotected) */
	const char *login;        /* the pusher, as identified */
	long person;              /* index in m->people, or -1 */
	const char *trusted_ref;  /* e.g. refs/heads/main */
	const char *matrix_path;  /* path of the matrix inside the repo */
	gate_pushed_matrix pushed_matrix; /* for an update of trusted_ref */
	const char *pushed_matrix_error;  /* first validation error, if invalid */
} gate_decide_ctx;

/*
 * Decides U under CTX into D (which the caller disposes).  Returns 0, or
 * GATE_ENOMEM; a failure never yields an accepting decision.
 */
int gate_decide(gate_decision *d, const gate_decide_ctx *ctx, const gate_update *u);

/*
 * Whether the pusher in CTX may make an update of KIND under rule R
 * (a force push needs both push and force_push).
 */
int gate_decide_permits(const gate_decide_ctx *ctx, const gate_refrule *r, gate_update_kind kind);

/* Appends a reason to D and marks it rejected.  Strings are copied. */
int gate_decision_reject(gate_decision *d, const char *check, int line, int col,
			 const char *subject, const char *found, const char *missing,
			 const char *fix);

/*
 * Adds a warning to D (a check the matrix set to warn): shown to the pusher
 * and audited, the verdict unchanged.  At most GATE_REASONS_MAX are kept.
 * 0, or GATE_ENOMEM.
 */
int gate_decision_warn(gate_decision *d, const char *check, int line, int col,
		       const char *subject, const char *found, const char *fix);

void gate_decision_dispose(gate_decision *d);

#endif
