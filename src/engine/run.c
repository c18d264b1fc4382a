/*
 * The hook driver (see gatehouse/run.h): one pass from raw hook input to
 * verdict, audit record and message.  It only sequences the phases; each
 * phase lives in a file of its own (engine/runstate.h lists them).
 *
 * Order matters for the trust model.  The matrix is read from the trusted
 * ref *before* any decision, through the ref as it stands while the hook
 * runs (pre-receive: before the push moves anything), never from the pushed
 * commits, except to bootstrap a repository whose trusted ref has no matrix
 * yet.  The audit record is written before the verdict is announced, and a
 * failure anywhere becomes a rejection unless settings.on_error says allow.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/runstate.h"
#include "engine/watchdog.h"
#include "git/newobjs.h"
#include "output/report.h"
#include "content/redact.h"
#include "engine/overrides.h"
#include "content/policies.h"

/* Records the current last error as the run's error (first one wins). */
int gate_run_fail(run_state *st, int rc)
{
	/* a bound the push reached (not the time budget) is no internal error: on_error cannot allow it */
	if (rc == GATE_ELIMIT && !(st->deadline > 0 && gate_now_ms() > st->deadline))
		st->cap_reached = 1;
	if (!st->failed)
		gate_buf_puts(&st->error, *gate_error_last() ? gate_error_last() : gate_strerror(rc));
	st->failed = 1; /* set even when the text above ran out of memory: never fail open */
	return rc;
}

/* The run's error text, with a fallback that needs no memory. */
const char *gate_run_error_text(const run_state *st)
{
	return st->error.len ? gate_buf_cstr(&st->error) : "out of memory";
}

int gate_run_fail_diags(run_state *st, int rc, const char *what, const gate_diags *diags)
{
	size_t i;
	if (st->failed)
		return rc;
	if (!diags->count)
		return gate_run_fail(st, rc);
	st->failed = 1;
	gate_buf_printf(&st->error, "%s does not load:", what);
	for (i = 0; i < diags->count; i++)
		gate_buf_printf(&st->error, "\n    %s", diags->items[i].text);
	return rc;
}

/* An absolute path, or PATH relative to the repository directory. */
char *gate_run_path(run_state *st, const char *path)
{
	gate_buf b = GATE_BUF_INIT;
	if (path[0] != '/')
		gate_buf_printf(&b, "%s/", st->repo_path);
	gate_buf_puts(&b, path);
	return b.oom ? NULL : gate_buf_detach(&b);
}

/* The limits in force: the matrix's, or the defaults without one. */
const gate_limits *gate_run_limits(run_state *st)
{
	if (st->m)
		return &st->m->settings.limits;
	gate_limits_default(&st->default_limits);
	return &st->default_limits;
}

/* Fails the run when the time budget is spent (on_error then decides). */
int gate_run_check_budget(run_state *st, const char *stage)
{
	if (st->deadline > 0 && gate_now_ms() > st->deadline)
		return gate_run_fail(st, gate_error_set(GATE_ELIMIT, "time budget of %u ms (settings.time_budget_ms) "
							    "exceeded %s", st->budget_ms, stage));
	return 0;
}

static int evaluate(run_state *st)
{
	double t;
	size_t i;
	int rc;

	if ((rc = gate_run_prepare(st)) < 0)
		return rc;
	for (i = 0; i < st->push.count; i++)
		if ((rc = gate_update_classify(&st->push.items[i], st->repo)) < 0)
			return gate_run_fail(st, rc);
	t = gate_now_ms();
	rc = st->remote_prefix ? gate_newobjs_collect_local(&st->newobjs, st->repo, &st->push,
							     st->remote_prefix)
			       : gate_newobjs_collect(&st->newobjs, st->repo, &st->push);
	if (rc < 0)
		return gate_run_fail(st, rc);
	st->have_newobjs = 1;
	st->phase_ms[GATE_PHASE_OBJECTS] = gate_now_ms() - t;
	t = gate_now_ms();
	rc = gate_run_load_matrix(st);
	st->phase_ms[GATE_PHASE_MATRIX] = gate_now_ms() - t;
	if (rc < 0)
		return rc;
	st->budget_ms = st->m ? st->m->settings.time_budget_ms : 0;
	if (!st->budget_ms && getenv("GITHUB_REPO_NAME"))
		st->budget_ms = 4500; /* GitHub Enterprise Server kills hooks after 5 s */
	if (st->budget_ms) {
		st->deadline = st->t0 + st->budget_ms;
		if (!st->opts->dry_run)
			gate_watchdog_arm(2 * st->budget_ms / 1000 + 10);
	}
	if ((rc = gate_run_decide_refs(st)) < 0)
		return rc;
	if (st->m && st->m->policies.external_use && (rc = gate_run_external_defined(st)) < 0)
		return gate_run_fail(st, rc);
	if ((rc = gate_run_push_limits(st)) < 0)
		return gate_run_fail(st, rc);
	if (st->over_limit)
		return 0;
	/*
	 * Permissions first, and only they, for a push some update of which is
	 * refused on them: pre-receive then rejects the whole push (and update
	 * judges one ref), so evidence, secrets and policies would cost time
	 * without changing the verdict.  A push by someone with no rights costs
	 * no more than reading its refs.
	 */
	for (i = 0; i < st->n_ds; i++)
		if (st->ds[i].verdict == GATE_REJECT)
			st->refused = 1;
	if (st->refused)
		return 0;
	/*
	 * Evidence from the next push on: a bootstrap push is judged for ref
	 * permissions only, since the history it brings predates the rules.
	 */
	t = gate_now_ms();
	if (st->m && !st->bootstrap)
		for (i = 0; i < st->n_ds; i++) {
			if (st->ds[i].rule && st->ds[i].update->kind != GATE_UPD_DELETE &&
			    (rc = gate_run_evidence(st, &st->ds[i])) < 0)
				return gate_run_fail(st, rc);
			if ((rc = gate_run_check_budget(st, "while judging evidence")) < 0)
				return rc;
		}
	st->phase_ms[GATE_PHASE_EVIDENCE] = gate_now_ms() - t;
	if (st->m && !st->bootstrap && st->m->policies.n_deploy_refs &&
	    (rc = gate_run_deploy_refs(st)) < 0)
		return gate_run_fail(st, rc);
	/*
	 * secrets on every ref, protected or not, with or without a matrix;
	 * with no_secrets (pre-push) the listing and content policies still run
	 */
	if ((rc = gate_run_content(st)) < 0 || (rc = gate_run_check_budget(st, "after scanning for secrets")) < 0)
		return rc;
	if (!st->opts->no_secrets && !st->over_limit && (rc = gate_run_ledger(st)) < 0)
		return gate_run_fail(st, rc);
	if (st->m && !st->bootstrap && !st->over_limit && st->m->policies.external_use && st->local &&
	    (rc = gate_run_external_not_run(st)) < 0)
		return gate_run_fail(st, rc);
	if (st->m && !st->bootstrap && !st->over_limit && st->ext_argv && !st->local &&
	    ((rc = gate_run_external(st)) < 0 || (rc = gate_run_check_budget(st, "after the external policy")) < 0))
		return rc < 0 && !st->failed ? gate_run_fail(st, rc) : rc;
	if ((rc = gate_run_override(st)) < 0)
		return gate_run_fail(st, rc);
	return 0;
}

/* After an internal error: every update carries it as its reason. */
static int decide_error(run_state *st, int allowed)
{
	size_t i;
	int rc = 0;

	/* verdicts first: a reason that cannot be recorded must not leave a decision half-built */
	for (i = 0; i < st->n_ds; i++) {
		gate_decision *d = &st->ds[i];
		gate_decision_dispose(d);
		d->update = &st->push.items[i];
		d->verdict = allowed ? GATE_ACCEPT : GATE_REJECT;
	}
	for (i = 0; i < st->n_ds && !allowed; i++)
		if (gate_decision_reject(&st->ds[i], "internal.error", 0, 0, st->ds[i].update->ref,
					 gate_run_error_text(st), "a complete check of the push",
					 "push again; if it fails again, show this message to the "
					 "server's admins") < 0)
			rc = GATE_ENOMEM;
	return rc;
}

/* Replaces OUT's text by the same with every secret of R redacted. */
static int redact_buf(gate_buf *out, gate_redactions *r)
{
	gate_buf b = GATE_BUF_INIT;
	if (gate_redact_put(&b, r, gate_buf_cstr(out), out->len) < 0) {
		gate_buf_dispose(&b);
		return GATE_ENOMEM;
	}
	gate_buf_dispose(out);
	*out = b;
	return 0;
}

static const char *line_prefix(void)
{
	/* GitLab shows hook output in its UI only behind this prefix */
	const char *gl = getenv("GL_ID");
	return gl && *gl ? "GL-HOOK-ERR: " : NULL;
}

/* Decides, audits and reports ST->push.  Returns the exit status. */
int gate_run_push(run_state *st)
{
	gate_report_info info;
	gate_buf out = GATE_BUF_INIT;
	size_t i;
	int allowed = 0, status = GATE_EXIT_OK, rc;

	st->n_ds = st->push.count;
	st->ds = gate_calloc(st->n_ds ? st->n_ds : 1, sizeof(*st->ds));
	if (!st->ds)
		gate_run_fail(st, GATE_ENOMEM);
	else if (!st->failed)
		evaluate(st);

	/* the ledger first: an override that cannot be recorded is not applied */
	if (!st->failed && st->override_applied && !st->opts->dry_run && st->repo_path &&
	    (rc = gate_run_grant_overrides(st)) < 0)
		gate_run_fail(st, rc);
	if (st->failed) {
		allowed = st->m && st->m->settings.on_error_allow && !st->cap_reached;
		if (st->ds && decide_error(st, allowed) < 0)
			allowed = 0;
	}
	if (!st->opts->dry_run && st->repo_path && st->audit_path && st->ds) {
		gate_watchdog_forget(); /* the run's own record goes out now */
		rc = gate_run_audit(st, allowed);
		if (rc < 0) {
			int was_ok = !st->failed;
			gate_run_fail(st, rc);
			if (was_ok) {
				allowed = st->m && st->m->settings.on_error_allow && !st->cap_reached;
				decide_error(st, allowed);
			}
		}
	}
	if (!st->ds || (st->failed && !allowed)) {
		status = GATE_EXIT_REJECTED;
	} else {
		for (i = 0; i < st->n_ds; i++)
			if (st->ds[i].verdict == GATE_REJECT)
				status = GATE_EXIT_REJECTED;
	}

	memset(&info, 0, sizeof(info));
	info.matrix_label = st->m ? gate_matrix_label(st->m) : NULL;
	info.matrix_commit = st->has_matrix_commit ? st->matrix_commit : NULL;
	info.bootstrap = st->bootstrap;
	info.unprotected = st->unprotected && !st->m;
	info.trusted_ref = st->trusted_ref;
	info.error = st->failed ? gate_run_error_text(st) : NULL;
	info.error_allowed = allowed;
	info.dry_run = st->opts->dry_run;
	if (st->secrets_ran)
		info.secrets = &st->secrets;
	info.matrix_diff = st->matrix_diff;
	if (st->override_applied) {
		info.override_by = st->id.login;
		info.override_reason = st->override_reason;
	}
	rc = gate_report_format(&out, st->ds, st->ds ? st->n_ds : 0, &info);
	if (rc == 0 && !st->names_scanned)
		gate_run_redact_scan(st, gate_buf_cstr(&out), out.len);
	if (rc == 0 && st->redact.n)
		rc = redact_buf(&out, &st->redact); /* never a secret whole, even to its pusher */
	if (rc < 0 || gate_report_emit(st->opts->out, gate_buf_cstr(&out), line_prefix()) < 0) {
		/* cannot even say why: still reject */
		gate_sink_puts(st->opts->out, "gatehouse: push rejected (out of memory while reporting)\n");
		status = GATE_EXIT_REJECTED;
	}
	gate_buf_dispose(&out);
	return status;
}

void gate_run_state_init(run_state *st, const gate_run_opts *opts)
{
	size_t k;
	memset(st, 0, sizeof(*st));
	st->opts = opts;
	st->t0 = gate_now_ms();
	for (k = 0; k < GATE_PHASES; k++)
		st->phase_ms[k] = -1;
	st->jobs.hit.which = -1;
	git_libgit2_init();
	/*
	 * git verified every pushed object's hash as the pack arrived (and every
	 * older object when it did); hashing each blob again on read would cost
	 * more than scanning it.  libgit2's object cache is off: walking a long
	 * history it cost more time than it saved (evicting) and held 100 MB of
	 * trees; the tree walks keep what they reuse (gate_treecache).
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
}

void gate_run_state_dispose(run_state *st)
{
	size_t i;
	if (st->ds)
		for (i = 0; i < st->n_ds; i++)
			gate_decision_dispose(&st->ds[i]);
	gate_free(st->ds);
	gate_push_dispose(&st->push);
	gate_newobjs_dispose(&st->newobjs);
	gate_secret_report_dispose(&st->secrets);
	gate_redactions_dispose(&st->redact);
	gate_secrets_free(st->late_sec);
	gate_matrix_free(st->m);
	gate_free(st->pushed_error);
	gate_free(st->matrix_text);
	gate_free(st->matrix_diff);
	gate_source_dispose(&st->jobs);
	gate_override_ledger_dispose(&st->ledger);
	gate_override_ledger_dispose(&st->granted);
	gate_policies_free_argv(st->ext_argv);
	gate_free(st->override_reason);
	gate_free(st->repo_path);
	gate_free(st->trusted_ref);
	gate_free(st->matrix_path);
	gate_free(st->matrix_file);
	gate_free(st->audit_path);
	gate_buf_dispose(&st->error);
	git_repository_free(st->repo);
	git_libgit2_shutdown();
}
