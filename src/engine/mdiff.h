/*
 * What a matrix change grants and revokes (see mdiff.c).
 */
#ifndef GATE_MDIFF_H
#define GATE_MDIFF_H

#include "util/common.h"
#include "matrix/model.h"
#include "content/policy.h"

/*
 * Appends to OUT one indented line per change from OLD to NEW_M, in words:
 * people and role membership, duty owners, every gain or loss of push /
 * create / delete / force_push on every ref pattern either names, evidence
 * on ref rules, and the settings that change what a push must carry.
 * *CHANGES counts the lines.  0, or GATE_ENOMEM.
 */
int gate_matrix_diff(gate_buf *out, const gate_matrix *old, const gate_matrix *new_m,
		     size_t *changes);

#endif
