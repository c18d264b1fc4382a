/*
 * Evidence checks on protected refs: Reviewed-by from enough distinct
 * people in the right roles, required scan-status trailers, SSH signatures
 * by known keys, path owners' and pipeline owners' reviews, Approved-by on a
 * tagged commit, and reachable_from.  Pure: the facts are gathered by
 * commits.c; this module only judges them.
 */
#ifndef GATE_EVIDENCE_H
#define GATE_EVIDENCE_H

#include "commits.h"
#include "decide.h"

typedef struct {
	const gate_matrix *m;
	const gate_refrule *rule;
	const gate_update *u;
	const char *matrix_path;            /* the matrix file: its changes are pipeline changes */
	const gate_commit_list *commits;    /* judged commits */
	const gate_commit_facts *target;    /* the commit a tag / ref names (approvals), or NULL */
	const gate_trailers *tag_trailers;  /* trailers of an annotated tag's message, or NULL */
	int reachable;                      /* reachable_from: -1 not checked, 0 no, 1 yes */
} gate_evidence_ctx;

/* Adds a reason to D for every requirement CTX's facts do not meet. */
int gate_evidence_check(gate_decision *d, const gate_evidence_ctx *ctx);

/*
 * Whether PATH is a pipeline path: built in (.gatehouse/ignore included),
 * matrix-added, the matrix itself, or policy data M names
 * (policies.dependencies.osv).  M is the trusted matrix: a push cannot
 * move its own data out of review.
 */
int gate_evidence_is_pipeline_path(const gate_matrix *m, const char *matrix_path, const char *path);

#endif
