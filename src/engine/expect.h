/*
 * Privilege-boundary expectations (matrix `expectations:`), evaluated with
 * the same decision code the hooks use: `gatehouse matrix test`, `matrix
 * validate`, and every push that changes the matrix on the trusted ref.
 */
#ifndef GATE_EXPECT_H
#define GATE_EXPECT_H

#include "util/common.h"
#include "matrix/model.h"

typedef struct {
	const gate_expectation *e; /* borrowed from the matrix */
	int allowed;               /* what the decision code says */
	char *why;                 /* "ref.force_push (refs/heads/main, line 22)", "no rule covers it" */
} gate_expect_result;

/*
 * Evaluates every expectation of M, as pushes to a repository whose trusted
 * ref is TRUSTED_REF (it can never be deleted).  *OUT is a new array of
 * M->n_expectations results (free with gate_expect_results_free); *FAILED
 * counts the ones that do not hold.  0, or GATE_ENOMEM.
 */
int gate_expectations_run(gate_expect_result **out, size_t *failed, const gate_matrix *m,
			  const char *trusted_ref);

/*
 * Same for the N expectations ES (of another matrix: the trusted one, when a
 * push changes it) evaluated against M.  Each result borrows its
 * expectation from ES.
 */
int gate_expectations_run_on(gate_expect_result **out, size_t *failed, const gate_expectation *es,
			     size_t n, const gate_matrix *m, const char *trusted_ref);

void gate_expect_results_free(gate_expect_result *r, size_t n);

/* The pass/fail table of R (N results) for M, as `matrix test` prints it. */
int gate_expectations_format(gate_buf *out, const gate_matrix *m, const gate_expect_result *r,
			     size_t n);

/* "push", "create", "delete" or "force_push" for an expectation's action. */
const char *gate_expect_action_name(int action);

#endif
