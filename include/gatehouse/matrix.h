/*
 * The responsibility matrix: loading and validating `responsibility.yml`.
 *
 * A matrix is immutable once loaded.  Validation is strict: unknown keys,
 * unknown people or roles, unassigned duties, invalid globs, duplicate keys
 * and YAML aliases are all errors, each reported with file, line and column,
 * because a typo must never silently disable a rule.
 */
#ifndef GATEHOUSE_MATRIX_H
#define GATEHOUSE_MATRIX_H

#include <stddef.h>

#include "gatehouse/sink.h"

typedef struct gate_matrix gate_matrix;

/* One validation problem, formatted as "LABEL:LINE:COL: error: MESSAGE". */
typedef struct {
	int line, col;
	char *text;
} gate_diag;

typedef struct {
	gate_diag *items;
	size_t count, cap;
} gate_diags;

#define GATE_DIAGS_INIT { NULL, 0, 0 }

/* Largest matrix accepted, in bytes (a matrix is a small file). */
#define GATE_MATRIX_MAX_BYTES (16u * 1024 * 1024)

/*
 * Loads and validates a matrix from DATA (LEN bytes); LABEL names it in
 * messages (a path, or "REF:PATH" when read from git).  On success *OUT
 * holds a matrix the caller frees with gate_matrix_free().  On failure
 * returns GATE_EMATRIX (or GATE_ENOMEM), *OUT is NULL, every problem found is
 * appended to DIAGS when DIAGS is not NULL, and the last error holds the
 * first one.
 */
int gate_matrix_load_buffer(gate_matrix **out, const char *label, const char *data,
			    size_t len, gate_diags *diags);

/* Same, reading the file at PATH (refusing symlinks and oversize files). */
int gate_matrix_load_file(gate_matrix **out, const char *path, gate_diags *diags);

void gate_matrix_free(gate_matrix *m);

/* The label the matrix was loaded under.  Borrowed. */
const char *gate_matrix_label(const gate_matrix *m);

/*
 * Appends to OUT what in M is valid but likely not what its author meant,
 * as "LABEL:LINE:COL: warning: MESSAGE": a tag rule whose last segment holds
 * a '*' (refs/tags/v*), which does not cover refs/tags/v1/x.  0, or
 * GATE_ENOMEM.
 */
int gate_matrix_warnings(const gate_matrix *m, gate_diags *out);

/* Frees the diagnostics' texts and resets the list. */
void gate_diags_dispose(gate_diags *d);

/*
 * Loads a matrix from SPEC: a file, or REV:PATH read from the repository of
 * the current directory (e.g. "origin/main:matrix/responsibility.yml").
 */
int gate_matrix_load_spec(gate_matrix **out, const char *spec, gate_diags *diags);

/*
 * `gatehouse matrix diff`: writes to OUT what changing OLD into NEW_M grants
 * and revokes, one line per change, in words; *CHANGES counts them.
 */
int gate_matrix_diff_print(const gate_matrix *old, const gate_matrix *new_m, const gate_sink *out,
			   size_t *changes);

/*
 * `gatehouse matrix test`: evaluates M's expectations with the hooks'
 * decision code, for a repository whose trusted ref is TRUSTED_REF, and
 * writes the pass/fail table to OUT (NULL: nowhere).  *FAILED counts the
 * expectations that do not hold; *TOTAL all of them.  0, or GATE_ENOMEM.
 */
int gate_matrix_test(const gate_matrix *m, const char *trusted_ref, const gate_sink *out,
		     size_t *failed, size_t *total);

#endif
