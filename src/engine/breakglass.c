/*
 * Break glass: the override a member of settings.override_role asks for
 * with a push option, the ledger of findings it let onto a ref, and the
 * same findings raised again on every other ref their commit reaches.
 */
#include <stdio.h>
#include <string.h>

#include "engine/runstate.h"
#include "engine/overrides.h"
#include "output/audit.h"

/* Whether commit C is TIP or one of its ancestors: 1, 0, or a negative error. */
static int reaches(git_repository *repo, const git_oid *tip, const git_oid *c)
{
	int rc;
	if (git_oid_equal(tip, c))
		return 1;
	rc = git_graph_descendant_of(repo, tip, c);
	return rc < 0 ? gate_error_from_git(rc, "checking where an overridden finding landed") : rc;
}

/* Re-raises ledger record R on decision D (index I): it landed on a ref it was not given for. */
static int reraise(run_state *st, gate_decision *d, size_t i, const gate_override_rec *r)
{
	gate_secret_finding *f;
	gate_buf check = GATE_BUF_INIT, subject = GATE_BUF_INIT, found = GATE_BUF_INIT;
	char hex[11];
	int rc;

	if (gate_grow(&st->secrets.items, &st->secrets.cap, st->secrets.count + 1, sizeof(*f)) < 0)
		return GATE_ENOMEM;
	f = &st->secrets.items[st->secrets.count];
	memset(f, 0, sizeof(*f));
	f->rule_id = gate_strdup(r->rule);
	f->path = gate_strdup(r->path);
	if (!f->rule_id || !f->path) {
		gate_free(f->rule_id);
		gate_free(f->path);
		return gate_error_oom();
	}
	st->secrets.count++;
	f->commit = r->commit;
	f->blob = r->blob;
	f->ref_index = i;
	f->line = 0;
	snprintf(f->redacted, sizeof(f->redacted), "%s", r->redacted);
	snprintf(f->fingerprint, sizeof(f->fingerprint), "%s", r->fingerprint);
	git_oid_tostr(hex, sizeof(hex), &r->commit);
	gate_buf_printf(&check, "secret.%s", r->rule);
	gate_buf_put_escaped(&subject, *r->path ? r->path : "(no path)",
			     strlen(*r->path ? r->path : "(no path)"));
	gate_buf_put_escaped(&found, gate_buf_cstr(&subject), subject.len);
	gate_buf_printf(&found, ": %s %s in commit %s, let onto ", r->rule, r->redacted, hex);
	gate_buf_put_escaped(&found, r->ref, strlen(r->ref));
	gate_buf_printf(&found, " by %s's break-glass override (", r->by);
	gate_buf_put_escaped(&found, r->reason, strlen(r->reason));
	gate_buf_puts(&found, "); an override covers only the ref it was given for");
	rc = (check.oom || subject.oom || found.oom)
		     ? gate_error_oom()
		     : gate_decision_reject(d, gate_buf_cstr(&check), 0, 0, gate_buf_cstr(&subject),
					    gate_buf_cstr(&found),
					    "no secret in anything pushed, in any commit",
					    "keep that commit off this ref (rebase it out) and rotate the "
					    "secret; or, for an incident, break glass for this ref too: git "
					    "push -o gatehouse.override=\"INC-…: why\"");
	gate_buf_dispose(&check);
	gate_buf_dispose(&subject);
	gate_buf_dispose(&found);
	return rc;
}

/*
 * The break-glass ledger: a finding an override let onto one ref is judged
 * again on every other ref its commit reaches with this push (a
 * fast-forward or a new branch brings no new commit to scan).
 */
int gate_run_ledger(run_state *st)
{
	gate_buf path = GATE_BUF_INIT;
	size_t i, k;
	int rc;

	gate_buf_printf(&path, "%s/%s", st->repo_path, GATE_OVERRIDES_FILE);
	rc = path.oom ? GATE_ENOMEM : gate_overrides_load(&st->ledger, gate_buf_cstr(&path));
	gate_buf_dispose(&path);
	for (i = 0; rc == 0 && st->ledger.count && i < st->n_ds; i++) {
		const gate_update *u = st->ds[i].update;
		git_oid tip, old;
		int has_old;
		if (u->kind == GATE_UPD_DELETE || !gate_update_commit(&tip, st->repo, u))
			continue;
		has_old = u->kind != GATE_UPD_CREATE && !git_oid_is_zero(&u->old_id);
		if (has_old) {
			gate_update o = *u;
			o.new_id = u->old_id;
			has_old = gate_update_commit(&old, st->repo, &o);
		}
		for (k = 0; rc == 0 && k < st->ledger.count; k++) {
			const gate_override_rec *r = &st->ledger.items[k];
			int in_new, in_old = 0;
			if (!strcmp(r->ref, u->ref) || git_oid_is_zero(&r->commit))
				continue;
			if ((in_new = reaches(st->repo, &tip, &r->commit)) <= 0) {
				rc = in_new;
				continue;
			}
			if (has_old && (in_old = reaches(st->repo, &old, &r->commit)) < 0)
				rc = in_old;
			else if (!in_old)
				rc = reraise(st, &st->ds[i], i, r);
		}
	}
	return rc;
}

/*
 * After an applied override: the secret findings it let onto each accepted
 * ref, for the ledger and the audit record.
 */
int gate_run_grant_overrides(run_state *st)
{
	char now[40];
	size_t i;
	int rc = 0;

	gate_audit_now(now, sizeof(now));
	for (i = 0; rc == 0 && i < st->secrets.count; i++) {
		const gate_secret_finding *f = &st->secrets.items[i];
		const gate_decision *d;
		if (f->ref_index >= st->n_ds)
			continue;
		d = &st->ds[f->ref_index];
		if (d->verdict != GATE_ACCEPT || !d->overridden || !strstr(d->overridden, "secret."))
			continue;
		rc = gate_overrides_add(&st->granted, d->update->ref, f, &f->blob, st->id.login,
					st->override_reason, now);
	}
	if (rc == 0 && st->granted.count) {
		gate_buf path = GATE_BUF_INIT;
		gate_buf_printf(&path, "%s/%s", st->repo_path, GATE_OVERRIDES_FILE);
		rc = path.oom ? GATE_ENOMEM : gate_overrides_append(gate_buf_cstr(&path), &st->granted);
		gate_buf_dispose(&path);
	}
	return rc;
}

/* git push -o gatehouse.override="INC-1234: reason": break glass, or say why not. */
int gate_run_override(run_state *st)
{
	const gate_matrix *m = st->m;
	const char *why = NULL;
	char msg[600];
	size_t i;
	int rc;

	if (!st->override_requested)
		return 0;
	if (!m || m->settings.override_role < 0)
		why = "the matrix names no settings.override_role, so nobody may break glass here";
	else if (!gate_matrix_in_role(m, st->person, (size_t)m->settings.override_role))
		why = "only members of the override role may break glass";
	else if (!st->override_reason)
		why = "an override needs a reason: -o gatehouse.override=\"INC-1234: what and why\"";
	if (why) {
		snprintf(msg, sizeof(msg), "break-glass override requested by %s and refused: %s",
			 st->id.login, why);
		for (i = 0; i < st->n_ds; i++)
			if ((rc = gate_decision_reject(&st->ds[i], "override.refused",
						       m ? m->settings.override_loc.line : 0,
						       m ? m->settings.override_loc.col : 0, st->ds[i].update->ref,
						       msg, "membership of the override role and a reason",
						       "push without -o gatehouse.override, or ask a member of the "
						       "override role to push it")) < 0)
				return rc;
		return 0;
	}
	/* evidence and secrets of protected refs only; never permissions */
	for (i = 0; i < st->n_ds; i++)
		if (st->ds[i].rule && (rc = gate_decision_override(&st->ds[i])) < 0)
			return rc;
	st->override_applied = 1;
	return 0;
}
