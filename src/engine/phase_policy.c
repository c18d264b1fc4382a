/*
 * Policies on refs and on the push as a whole: policies.deploy_refs and the
 * external policy (policies.external), which the server runs and pre-push
 * only announces.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/runstate.h"
#include "content/policies.h"
#include "content/policy_input.h"

/*
 * policies.deploy_refs: a deploy ref takes only commits a ref with evidence
 * requirements already holds, or, for an entry with `from`, a ref it names.
 */
int gate_run_deploy_refs(run_state *st)
{
	const gate_policies_cfg *p = &st->m->policies;
	size_t i, k;
	int rc = 0;

	for (i = 0; rc == 0 && i < st->n_ds; i++) {
		gate_decision *d = &st->ds[i];
		const gate_update *u = d->update;
		gate_buf sources = GATE_BUF_INIT, found = GATE_BUF_INIT, needs = GATE_BUF_INIT;
		const gate_deploy_src *src;
		git_oid tip = u->new_id;
		gate_loc loc = p->deploy_refs_loc;
		char hex[11];
		long entry;
		int ok = 0;
		if (u->kind == GATE_UPD_DELETE || (entry = gate_policies_deploy_entry(st->m, u->ref)) < 0)
			continue;
		src = p->deploy_src ? &p->deploy_src[entry] : NULL;
		if (src)
			loc = src->loc;
		if (gate_update_commit(&tip, st->repo, u))
			rc = gate_policies_deploy_source(&ok, &sources, st->m, st->repo, u->ref, &tip);
		git_oid_tostr(hex, sizeof(hex), &tip);
		if (rc == 0 && !ok) {
			if (src && src->from) {
				gate_buf_printf(&found, "commit %s is on no ref matching from: ", hex);
				gate_buf_puts(&needs, "a commit already on a ref matching ");
				for (k = 0; k < src->n_from; k++) {
					gate_buf_printf(&found, "%s%s", k ? ", " : "", src->from[k]);
					gate_buf_printf(&needs, "%s%s", k ? " or " : "", src->from[k]);
				}
			} else {
				gate_buf_printf(&found, "commit %s is on no ref with evidence requirements", hex);
				gate_buf_puts(&needs, "a commit that already passed the checks of a ref whose rule "
						      "asks for reviews, trailers, signatures or approvals");
			}
			gate_buf_printf(&found, " (looked at: %s)",
					sources.len ? gate_buf_cstr(&sources) : "none: no ref qualifies");
			rc = found.oom || needs.oom
				     ? gate_error_oom()
				     : gate_decision_reject(
					       d, "policy.deploy_ref", loc.line, loc.col, u->ref,
					       gate_buf_cstr(&found), gate_buf_cstr(&needs),
					       "merge the change into a protected branch (e.g. main) through its "
					       "review first, then deploy that commit");
		}
		gate_buf_dispose(&sources);
		gate_buf_dispose(&found);
		gate_buf_dispose(&needs);
	}
	return rc;
}

/* policies.external: the command's deny messages reject every update. */
int gate_run_external(run_state *st)
{
	const gate_policies_cfg *p = &st->m->policies;
	gate_policy_input in;
	json_t *doc = NULL;
	gate_policy_input_cuts cuts;
	char *text = NULL, **msgs = NULL;
	size_t n = 0, i, k;
	int rc;

	memset(&in, 0, sizeof(in));
	in.repository = st->repo_path;
	in.login = st->id.login;
	in.person = st->person;
	in.m = st->m;
	in.matrix_text = st->matrix_text;
	in.matrix_len = st->matrix_len;
	in.ds = st->ds;
	in.n_ds = st->n_ds;
	in.newobjs = &st->newobjs;
	in.jobs = &st->jobs;
	if ((rc = gate_policy_input_build(&doc, &cuts, st->repo, &in)) < 0) {
		gate_policy_input_cuts_dispose(&cuts);
		return rc;
	}
	/* a manifest the policy could not be shown whole is not accepted */
	for (i = 0; rc == 0 && i < cuts.n; i++) {
		const gate_source_item *j = &st->jobs.items[cuts.jobs[i]];
		gate_buf subject = GATE_BUF_INIT, found = GATE_BUF_INIT;
		if (j->ref_index >= st->n_ds)
			continue;
		gate_buf_put_escaped(&subject, j->path, strlen(j->path));
		gate_buf_put_escaped(&found, j->path, strlen(j->path));
		gate_buf_printf(&found, ": its YAML aliases expand past %u bytes written out in full, so "
					"the external policy could not be given it whole",
				GATE_INPUT_MAX_EXPANDED);
		rc = subject.oom || found.oom
			     ? gate_error_oom()
			     : gate_decision_reject(&st->ds[j->ref_index], "policy.external.incomplete",
						    p->external_loc.line, p->external_loc.col,
						    gate_buf_cstr(&subject), gate_buf_cstr(&found),
						    "every manifest given to policies.external whole",
						    "write the repeated values out instead of nesting aliases, "
						    "or split the file");
		gate_buf_dispose(&subject);
		gate_buf_dispose(&found);
	}
	/* nor a push the policy was shown only part of */
	for (k = 0; rc == 0 && cuts.cut && k < st->n_ds; k++)
		rc = gate_decision_reject(&st->ds[k], "policy.external.incomplete", p->external_loc.line,
					  p->external_loc.col, st->ds[k].update->ref, cuts.cut,
					  "the whole push given to policies.external",
					  "no setting raises it: push in smaller parts (fewer commits, fewer "
					  "or smaller manifests per push)");
	gate_policy_input_cuts_dispose(&cuts);
	if (rc < 0) {
		json_decref(doc);
		return rc;
	}
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!text)
		return gate_error_oom();
	rc = gate_policies_external(&msgs, &n, (const char *const *)st->ext_argv, p->external_timeout_ms,
				    text, strlen(text));
	free(text); /* jansson's allocator */
	for (i = 0; rc == 0 && i < n; i++)
		for (k = 0; rc == 0 && k < st->n_ds; k++)
			rc = gate_decision_reject(&st->ds[k], "policy.external", p->external_loc.line,
						  p->external_loc.col, st->ds[k].update->ref, msgs[i],
						  "nothing policies.external denies",
						  "see the message: it comes from the team's external policy");
	gate_policies_free_msgs(msgs, n);
	return rc;
}

/*
 * pre-push never runs the external policy's command: on a developer's
 * machine it would be a program brought by whoever last changed the matrix.
 * It says so on every update instead of passing in silence; the server runs
 * it on push.
 */
int gate_run_external_not_run(run_state *st)
{
	const gate_policies_cfg *p = &st->m->policies;
	size_t k;
	int rc = 0;

	for (k = 0; rc == 0 && k < st->n_ds; k++)
		rc = gate_decision_warn(&st->ds[k], "policy.external.not_run", p->external_loc.line,
					p->external_loc.col, st->ds[k].update->ref,
					"policies.external was not run on this machine (pre-push runs no "
					"command named by the matrix); the server runs it when you push",
					"nothing to do here; the server's verdict includes it");
	return rc;
}
