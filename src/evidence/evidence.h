/*
 * Evidence checks on protected refs: Reviewed-by from enough distinct
 * people in the right roles, required scan-status trailers, SSH signatures
 * by known keys, path owners' and pipeline owners' reviews, Approved-by on a
 * tagged commit, and reachable_from.  Pure: the facts are gathered by
 * commits.c; this module only judges them.
 */
#ifndef GATE_EVIDENCE_H
#define GATE_EVIDENCE_H

#include "evidence/commits.h"
#include "engine/decide.h"

/*
 * Someone who made or pushes what is judged, beyond a commit's own author,
 * committer and signer: their Reviewed-by and Approved-by never count.
 */
typedef struct {
	long person;     /* index into m->people; -1: nobody in the matrix */
	const char *why; /* "the pusher", "the tagger", "signed the tag" */
} gate_evidence_party;

typedef struct {
	const gate_matrix *m;
	const gate_refrule *rule;
	const gate_update *u;
	const char *matrix_path;            /* the matrix file: its changes are pipeline changes */
	const gate_commit_list *commits;    /* judged commits */
	const gate_commit_facts *target;    /* the commit a tag / ref names (approvals), or NULL */
	const gate_trailers *tag_trailers;  /* trailers of an annotated tag's message, or NULL */
	int reachable;                      /* reachable_from: -1 not checked, 0 no, 1 yes */
	const gate_evidence_party *parties; /* the pusher, an annotated tag's tagger and signer */
	size_t n_parties;
} gate_evidence_ctx;

/*
 * A ref-level check: appends to D a reason for every requirement CTX does
 * not meet.  C is the judged commit (GATE_SCOPE_COMMIT), NULL per update.
 * A check the rule does not ask for returns 0 at once.  0, or GATE_ENOMEM.
 * Declare one as `gate_ref_check_fn name;` above its definition and in
 * engine/checks.c: the compiler then holds both to this type.
 */
typedef int gate_ref_check_fn(gate_decision *d, const gate_evidence_ctx *ctx,
			      const gate_commit_facts *c);

/*
 * The evidence checks are rows of the table of checks (engine/checks.c),
 * which runs them on a protected ref update (gate_checks_run_ref).
 */

/*
 * Whether commits judged under rule HELD meet every per-commit demand of
 * rule WANTED, and HELD asks for approvals at least as WANTED does: as many
 * reviews (or more) from people WANTED accepts, the same trailers with
 * values WANTED accepts, signatures when WANTED wants them.  Path owners and
 * pipeline reviews apply under every rule alike.  1 or 0.  A creation hides
 * the refs whose rules cover its own (see gate_commits_judged).
 */
int gate_evidence_rule_covers(const gate_matrix *m, const gate_refrule *held,
			      const gate_refrule *wanted);

/* Whether rule R asks for evidence: reviews, trailers, signatures or approvals. */
int gate_evidence_rule_demands(const gate_refrule *r);

/*
 * Whether PATH is a pipeline path: built in (.gatehouse/ignore included),
 * matrix-added, the matrix itself, or policy data M names
 * (policies.dependencies.osv).  M is the trusted matrix: a push cannot
 * move its own data out of review.
 */
int gate_evidence_is_pipeline_path(const gate_matrix *m, const char *matrix_path, const char *path);

#endif
