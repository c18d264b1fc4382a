/*
 * `gatehouse explain`: what one person may do on one ref and what evidence
 * a push there needs, derived from the matrix with the same decision code
 * the hooks use.
 */
#ifndef GATE_EXPLAIN_H
#define GATE_EXPLAIN_H

#include "matrix/model.h"

/*
 * Appends the explanation to OUT.  MATRIX_PATH is the matrix's path in the
 * repository (NULL when it comes from a file); TRUSTED_REF the ref holding
 * it (NULL likewise).
 */
int gate_explain(gate_buf *out, const gate_matrix *m, const char *login, const char *ref,
		 const char *matrix_path, const char *trusted_ref);

#endif
