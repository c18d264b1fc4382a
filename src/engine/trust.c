/*
 * The matrix that judges the push: read from the trusted ref as it stood
 * before the push (or from gatehouse.matrixFile), and the matrix a push to
 * the trusted ref would leave behind, which must load, name only external
 * policies the server defines and keep every expectation.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/runstate.h"
#include "git/pushrec.h"
#include "git/repo.h"
#include "engine/expect.h"
#include "engine/mdiff.h"
#include "content/policies.h"

/*
 * The command the server defines for the external policy matrix M names:
 * *ARGV (NULL when M names none).  When the server defines no such policy,
 * or not usably, *WHY is a new message for matrix.invalid and 0 is
 * returned; other errors are returned.  Checked only where the external
 * policy runs (not in pre-push, which runs none and cannot see the
 * server's config).
 */
static int external_resolve(run_state *st, const gate_matrix *m, char ***argv, char **why)
{
	const char *name = m->policies.external_use;
	gate_buf b = GATE_BUF_INIT;
	int rc;

	*argv = NULL;
	*why = NULL;
	if (!name || st->opts->no_secrets)
		return 0;
	rc = gate_policies_external_argv(argv, st->repo, name);
	if (rc != GATE_ENOTFOUND && rc != GATE_ECONFIG)
		return rc;
	if (rc == GATE_ENOTFOUND)
		gate_buf_printf(&b, "policies.external.use names '%s', a policy this server does not "
				    "define: its admin defines it with git config "
				    "gatehouse.externalPolicy.%s.command '/usr/local/bin/opa eval ...' "
				    "(an absolute path, then arguments split on blanks)", name, name);
	else
		gate_buf_printf(&b, "policies.external.use names '%s', whose command on this server is "
				    "unusable: %s", name, gate_error_last());
	gate_error_clear();
	*why = b.oom ? NULL : gate_buf_detach(&b);
	gate_buf_dispose(&b);
	return *why ? 0 : GATE_ENOMEM;
}

/*
 * The trusted matrix names an external policy the server does not define:
 * every update is rejected as matrix.invalid (fail closed, whatever
 * on_error says: the matrix asks for a check nobody can run).
 */
int gate_run_external_defined(run_state *st)
{
	const gate_policies_cfg *p = &st->m->policies;
	char *why = NULL;
	size_t i;
	int rc;

	if ((rc = external_resolve(st, st->m, &st->ext_argv, &why)) < 0 || !why)
		return rc;
	for (i = 0; rc == 0 && i < st->n_ds; i++)
		rc = gate_decision_reject(&st->ds[i], "matrix.invalid", p->external_use_loc.line,
					  p->external_use_loc.col, gate_matrix_label(st->m), why,
					  "every policy the matrix names defined in the server's git config",
					  "ask the server's admin to define it (the git config line above), or "
					  "have the matrix owners remove policies.external");
	gate_free(why);
	return rc;
}

/* Loads the matrix a push to the trusted ref would leave behind. */
static int check_pushed_matrix(run_state *st, const gate_update *u, gate_matrix **valid)
{
	gate_diags diags = GATE_DIAGS_INIT;
	gate_buf label = GATE_BUF_INIT;
	char *data = NULL;
	size_t len;
	int rc;

	*valid = NULL;
	rc = gate_repo_read_file_at(&data, &len, st->repo, &u->new_id, st->matrix_path,
				    GATE_MATRIX_MAX_BYTES);
	if (rc == GATE_ENOTFOUND) {
		st->pushed = GATE_PUSHED_MATRIX_MISSING;
		gate_error_clear();
		return 0;
	}
	if (rc == GATE_EMATRIX) {
		st->pushed = GATE_PUSHED_MATRIX_INVALID;
		st->pushed_error = gate_strdup(gate_error_last());
		return st->pushed_error ? 0 : gate_run_fail(st, GATE_ENOMEM);
	}
	if (rc < 0)
		return gate_run_fail(st, rc);
	gate_buf_printf(&label, "%s:%s", u->ref, st->matrix_path);
	if (label.oom) {
		gate_free(data);
		return gate_run_fail(st, GATE_ENOMEM);
	}
	rc = gate_matrix_load_buffer(valid, gate_buf_cstr(&label), data, len, &diags);
	gate_free(data);
	gate_buf_dispose(&label);
	if (rc == GATE_EMATRIX) {
		gate_buf e = GATE_BUF_INIT;
		size_t i;
		st->pushed = GATE_PUSHED_MATRIX_INVALID;
		for (i = 0; i < diags.count && i < 5; i++)
			gate_buf_printf(&e, "%s%s", i ? "; " : "", diags.items[i].text);
		if (diags.count > 5)
			gate_buf_printf(&e, "; and %zu more", diags.count - 5);
		st->pushed_error = e.oom ? NULL : gate_buf_detach(&e);
		gate_buf_dispose(&e);
		gate_diags_dispose(&diags);
		return st->pushed_error ? 0 : gate_run_fail(st, GATE_ENOMEM);
	}
	gate_diags_dispose(&diags);
	if (rc < 0)
		return gate_run_fail(st, rc);
	{
		/* a name the server does not define would leave a matrix nobody can run */
		char **argv = NULL, *why = NULL;
		rc = external_resolve(st, *valid, &argv, &why);
		gate_policies_free_argv(argv);
		if (rc < 0 || why) {
			gate_matrix_free(*valid);
			*valid = NULL;
			if (rc < 0)
				return gate_run_fail(st, rc);
			st->pushed = GATE_PUSHED_MATRIX_INVALID;
			st->pushed_error = why;
			return 0;
		}
	}
	/*
	 * The privilege-boundary expectations must hold in what is pushed: the
	 * pushed matrix's own, and the trusted matrix's too, so a push cannot
	 * delete an expectation and break it at once (drop it in one reviewed
	 * change, change the permission in the next).
	 */
	if ((*valid)->n_expectations || (st->m && st->m->n_expectations)) {
		gate_expect_result *res = NULL;
		size_t failed = 0, f, i, shown = 0, pass;
		gate_buf e = GATE_BUF_INIT;
		for (pass = 0; pass < 2; pass++) {
			const gate_matrix *from = pass ? st->m : *valid;
			size_t n = from ? from->n_expectations : 0;
			if (!n)
				continue;
			if ((rc = gate_expectations_run_on(&res, &f, from->expectations, n, *valid,
							   st->trusted_ref)) < 0) {
				gate_buf_dispose(&e);
				gate_matrix_free(*valid);
				*valid = NULL;
				return gate_run_fail(st, rc);
			}
			failed += f;
			for (i = 0; i < n && shown < 5; i++)
				if (res[i].allowed != res[i].e->allow)
					gate_buf_printf(&e, "%sexpectation at line %d%s fails: %s would be %s "
							    "to %s %s (%s)",
							shown++ ? "; " : "", res[i].e->loc.line,
							pass ? " of the trusted matrix" : "", res[i].e->user,
							res[i].allowed ? "allowed" : "denied",
							gate_expect_action_name(res[i].e->action), res[i].e->ref,
							res[i].why);
			gate_expect_results_free(res, n);
			res = NULL;
		}
		if (failed) {
			gate_buf_printf(&e, " (%zu failing in all; keep the trusted matrix's expectations, or "
					    "remove one in a change of its own first)", failed);
			gate_matrix_free(*valid);
			*valid = NULL;
			st->pushed = GATE_PUSHED_MATRIX_INVALID;
			st->pushed_error = e.oom ? NULL : gate_buf_detach(&e);
			gate_buf_dispose(&e);
			return st->pushed_error ? 0 : gate_run_fail(st, GATE_ENOMEM);
		}
		gate_buf_dispose(&e);
	}
	st->pushed = GATE_PUSHED_MATRIX_OK;
	return 0;
}

/*
 * The trusted ref's tip as it stood before the push: as it stands for
 * pre-receive, from the push's record for the update hook (see pushrec.h).
 * 0, 1 when it did not exist, or a negative code with the last error set.
 * *CREATED: it did not, and an earlier ref of this push created it (the
 * update hook's view of a bootstrap push).
 */
int gate_run_trusted_tip(run_state *st, git_oid *out, int *created)
{
	gate_pushrec rec;
	int rc;

	*created = 0;
	if (!st->update_hook) {
		rc = git_reference_name_to_id(out, st->repo, st->trusted_ref);
		if (rc == GIT_ENOTFOUND) {
			git_error_clear();
			return 1;
		}
		return rc < 0 ? gate_error_from_git(rc, st->trusted_ref) : 0;
	}
	if ((rc = gate_pushrec_trusted(&rec, st->repo, st->repo_path, st->trusted_ref)) < 0)
		return rc;
	*out = rec.id;
	*created = rec.created;
	return rec.existed || rec.created ? 0 : 1;
}

int gate_run_load_matrix(run_state *st)
{
	gate_diags diags = GATE_DIAGS_INIT;
	gate_buf label = GATE_BUF_INIT;
	git_oid trusted;
	char *data = NULL;
	size_t len, i;
	int rc, created;

	if (st->matrix_file) {
		char *path = gate_run_path(st, st->matrix_file);
		if (!path)
			return gate_run_fail(st, GATE_ENOMEM);
		rc = gate_matrix_load_file(&st->m, path, &diags);
		if (rc < 0)
			gate_run_fail_diags(st, rc, path, &diags);
		gate_free(path);
		gate_diags_dispose(&diags);
		return rc;
	}

	rc = gate_run_trusted_tip(st, &trusted, &created);
	if (rc == 0) {
		/* created by an earlier ref of this push: that ref's matrix judges it all */
		st->bootstrap = created;
		rc = gate_repo_read_file_at(&data, &len, st->repo, &trusted, st->matrix_path,
					    GATE_MATRIX_MAX_BYTES);
		if (rc == GATE_ENOTFOUND) {
			gate_error_clear();
			st->unprotected = 1;
		} else if (rc < 0) {
			return gate_run_fail(st, rc);
		} else {
			gate_buf_printf(&label, "%s:%s", st->trusted_ref, st->matrix_path);
			rc = label.oom ? GATE_ENOMEM
				       : gate_matrix_load_buffer(&st->m, gate_buf_cstr(&label), data,
								 len, &diags);
			st->matrix_text = data; /* kept for the external policy's input */
			st->matrix_len = len;
			if (rc < 0)
				gate_run_fail_diags(st, rc, gate_buf_cstr(&label), &diags);
			gate_buf_dispose(&label);
			gate_diags_dispose(&diags);
			if (rc < 0)
				return rc;
			git_oid_tostr(st->matrix_commit, sizeof(st->matrix_commit), &trusted);
			st->has_matrix_commit = 1;
		}
	} else if (rc == 1) {
		st->unprotected = 1;
	} else {
		return gate_run_fail(st, rc);
	}

	/* A push to the trusted ref must leave a valid matrix behind. */
	for (i = 0; i < st->push.count; i++) {
		const gate_update *u = &st->push.items[i];
		gate_matrix *pushed = NULL;
		if (strcmp(u->ref, st->trusted_ref) || u->kind == GATE_UPD_DELETE)
			continue;
		if ((rc = check_pushed_matrix(st, u, &pushed)) < 0)
			return rc;
		if (pushed && !st->m) {
			/* bootstrap: the first valid matrix judges the push that brings it */
			st->m = pushed;
			st->bootstrap = 1;
			st->unprotected = 0;
			git_oid_tostr(st->matrix_commit, sizeof(st->matrix_commit), &u->new_id);
			st->has_matrix_commit = 1;
		} else {
			/* reviewers and the pusher see what the change grants and revokes */
			if (pushed && st->m && !st->matrix_diff) {
				gate_buf b = GATE_BUF_INIT;
				size_t changes = 0;
				if (gate_matrix_diff(&b, st->m, pushed, &changes) == 0 && changes)
					st->matrix_diff = gate_buf_detach(&b);
				gate_buf_dispose(&b);
			}
			gate_matrix_free(pushed);
		}
	}
	return 0;
}
