/*
 * The evidence phase: for a protected ref update, the judged commits and
 * the tag it names are gathered (git/commits.c) and judged by the ref-level
 * checks (evidence/evidence.c).
 */
#include <string.h>

#include "engine/runstate.h"
#include "evidence/commits.h"
#include "engine/checks.h"
#include "evidence/evidence.h"

/* reachable_from: is TARGET on REF as it stands (before the push)? 1, 0, or <0. */
static int reachable_from(git_repository *repo, const char *ref, const git_oid *target)
{
	git_object *obj = NULL, *c = NULL;
	git_oid tip;
	int rc = git_reference_name_to_id(&tip, repo, ref);

	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		return 0;
	}
	if (rc < 0)
		return gate_error_from_git(rc, ref);
	if (git_object_lookup(&obj, repo, &tip, GIT_OBJECT_ANY) < 0 ||
	    git_object_peel(&c, obj, GIT_OBJECT_COMMIT) < 0) {
		git_object_free(obj);
		git_error_clear();
		return 0;
	}
	if (git_oid_equal(git_object_id(c), target))
		rc = 1;
	else
		rc = git_graph_descendant_of(repo, git_object_id(c), target);
	git_object_free(c);
	git_object_free(obj);
	return rc < 0 ? gate_error_from_git(rc, "checking reachable_from") : rc;
}

/* The evidence a protected ref update carries (commits.c gathers, evidence.c judges). */
int gate_run_evidence(run_state *st, gate_decision *d)
{
	const gate_update *u = d->update;
	const gate_refrule *r = d->rule;
	gate_commit_list commits = GATE_COMMIT_LIST_INIT;
	gate_commit_facts target;
	gate_tag_facts tag;
	gate_evidence_party parties[3];
	gate_evidence_ctx ctx;
	git_object *obj = NULL, *peeled = NULL;
	int have_target = 0, have_tag = 0, rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.m = st->m;
	ctx.rule = r;
	ctx.u = u;
	ctx.matrix_path = st->matrix_file ? NULL : st->matrix_path;
	ctx.reachable = -1;
	rc = gate_commits_judged(&commits, st->repo, u, st->m, r,
				 st->matrix_file ? NULL : st->trusted_ref, r->signed_commits);
	if (rc < 0)
		return rc;
	ctx.commits = &commits;
	/* who tags, signs the tag and pushes vouches for none of it */
	ctx.parties = parties;
	if ((rc = git_object_lookup(&obj, st->repo, &u->new_id, GIT_OBJECT_ANY)) < 0) {
		rc = gate_error_from_git(rc, u->ref);
		goto out;
	}
	if (git_object_type(obj) == GIT_OBJECT_TAG) {
		if ((rc = gate_tag_facts_load(&tag, (git_tag *)obj, st->m)) < 0) {
			gate_tag_facts_dispose(&tag);
			goto out;
		}
		have_tag = 1;
		ctx.tag_trailers = &tag.trailers;
		parties[ctx.n_parties].person = tag.tagger;
		parties[ctx.n_parties++].why = "the tagger";
		parties[ctx.n_parties].person = tag.signer;
		parties[ctx.n_parties++].why = "signed the tag";
	}
	parties[ctx.n_parties].person = st->person;
	parties[ctx.n_parties++].why = "the pusher";
	if (r->approvals.set || r->reachable_from) {
		if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) == 0) {
			if ((rc = gate_commit_facts_load(&target, st->repo, git_object_id(peeled), st->m, 0,
							 0)) < 0) {
				gate_commit_facts_dispose(&target);
				goto out;
			}
			have_target = 1;
			ctx.target = &target;
		} else {
			git_error_clear();
		}
		if (r->reachable_from) {
			ctx.reachable = have_target ? reachable_from(st->repo, r->reachable_from, &target.id) : 0;
			if (ctx.reachable < 0) {
				rc = ctx.reachable;
				goto out;
			}
		}
	}
	rc = gate_checks_run_ref(d, &ctx);
out:
	if (have_target)
		gate_commit_facts_dispose(&target);
	if (have_tag)
		gate_tag_facts_dispose(&tag);
	git_object_free(peeled);
	git_object_free(obj);
	gate_commit_list_dispose(&commits);
	return rc;
}
