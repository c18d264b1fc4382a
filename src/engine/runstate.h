/*
 * The hook driver's shared state and its phases (internal to src/engine).
 *
 * One run_state lives for one hook run.  The driver (run.c) sequences the
 * phases; each phase reads what earlier ones left in the state and appends
 * reasons to the decisions (st->ds, one per ref update).  Every phase
 * function returns 0 or a negative code; a phase that fails records the
 * error with gate_run_fail, and the driver rejects the push (fail closed)
 * unless settings.on_error allows.
 *
 *   setup.c           who pushes, push options, repository, config
 *   trust.c           the matrix from the trusted ref; the pushed matrix
 *   phase_refs.c      the decision table per update; settings.limits
 *   phase_evidence.c  reviews, trailers, signatures, approvals (protected refs)
 *   phase_content.c   secrets and content policies over the pushed files
 *   phase_policy.c    deploy refs, the external policy
 *   breakglass.c      the override and its ledger
 *   record.c          audit records, late redaction
 *   entry.c           the hooks' and commands' entry points
 */
#ifndef GATE_RUNSTATE_H
#define GATE_RUNSTATE_H

#include <stdio.h>

#include "content/policies.h"
#include "content/redact.h"
#include "content/secrets.h"
#include "content/source.h"
#include "engine/decide.h"
#include "engine/identity.h"
#include "engine/overrides.h"
#include "gatehouse/gatehouse.h"
#include "git/newobjs.h"
#include "git/push.h"
#include "output/audit.h"
#include "util/common.h"

#define DEFAULT_MATRIX_PATH "matrix/responsibility.yml"

typedef struct {
	const gate_run_opts *opts;
	double t0;
	git_repository *repo;
	char *repo_path;
	gate_identity id;
	char *trusted_ref, *matrix_path, *matrix_file, *audit_path;
	gate_matrix *m;
	char *pushed_error;
	gate_newobjs newobjs;
	gate_redactions redact;     /* secrets in ref names, paths, messages: never printed whole */
	gate_secret_report secrets;
	gate_secrets *late_sec;     /* for a push decided before that (see redact_scan) */
	long person;                /* the pusher in the matrix, or -1 */
	char *override_reason;      /* push option gatehouse.override=REASON */
	double deadline;            /* monotonic ms; 0: no time budget */
	gate_buf error; /* the internal error that decided the push, if any */
	gate_push push;
	gate_decision *ds;
	size_t n_ds;
	double phase_ms[GATE_PHASES]; /* -1: the stage did not run */
	gate_limits default_limits;   /* in force without a matrix */
	gate_source jobs;             /* the new files (kept for the external policy) */
	char *matrix_text;            /* the trusted matrix's YAML (external policy input) */
	char *matrix_diff;            /* what a pushed matrix change grants and revokes */
	size_t matrix_len;
	gate_override_ledger ledger;  /* findings earlier overrides let onto other refs */
	gate_override_ledger granted; /* findings this push's override lets onto its refs */
	char **ext_argv;              /* the server's command for policies.external.use */
	const char *remote_prefix;    /* pre-push: "refs/remotes/REMOTE/", what the remote has */
	gate_pushed_matrix pushed;
	int audit_default;
	int has_matrix_commit, bootstrap, unprotected;
	int have_newobjs;
	int secrets_ran;
	int names_scanned;          /* ref names, paths and messages went through the scanner */
	int override_requested, override_applied;
	unsigned budget_ms;
	int failed; /* an internal error decided the run, even if its text could not be kept */
	int cap_reached; /* the error was a bound the push reached (GATE_ELIMIT, not the time budget) */
	int over_limit;               /* rejected whole for settings.limits */
	int update_hook;              /* one ref of a push, after earlier refs moved */
	int local;                    /* pre-push: a developer's clone, not the server */
	int refused;                  /* some update is refused on permissions: the push fails */
	char matrix_commit[GIT_OID_HEXSZ + 1];
	char secrets_engine[96];
} run_state;

/* Records the current last error as the run's error (first one wins). */

/* The driver (run.c) */
int gate_run_fail(run_state *st, int rc);
const char *gate_run_error_text(const run_state *st);
int gate_run_fail_diags(run_state *st, int rc, const char *what, const gate_diags *diags);
char *gate_run_path(run_state *st, const char *path);
const gate_limits *gate_run_limits(run_state *st);
int gate_run_check_budget(run_state *st, const char *stage);
int gate_run_push(run_state *st);
void gate_run_state_init(run_state *st, const gate_run_opts *opts);
void gate_run_state_dispose(run_state *st);

/* setup.c */
int gate_run_prepare(run_state *st);

/* trust.c */
int gate_run_external_defined(run_state *st);
int gate_run_trusted_tip(run_state *st, git_oid *out, int *created);
int gate_run_load_matrix(run_state *st);

/* phase_refs.c */
int gate_run_decide_refs(run_state *st);
int gate_run_reject_limit(run_state *st, int which, const char *detail);
int gate_run_push_limits(run_state *st);

/* phase_evidence.c */
int gate_run_evidence(run_state *st, gate_decision *d);

/* phase_content.c */
int gate_run_open_secrets(run_state *st, gate_secrets **out);
int gate_run_content(run_state *st);

/* phase_policy.c */
int gate_run_deploy_refs(run_state *st);
int gate_run_external(run_state *st);
int gate_run_external_not_run(run_state *st);

/* breakglass.c */
int gate_run_ledger(run_state *st);
int gate_run_grant_overrides(run_state *st);
int gate_run_override(run_state *st);

/* record.c */
void gate_run_redact_scan(run_state *st, const char *text, size_t len);
int gate_run_audit(run_state *st, int allowed);

#endif
