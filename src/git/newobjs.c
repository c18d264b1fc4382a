/*
 * Listing the objects a push adds (see newobjs.h).
 *
 * Quarantine: git's receive-pack writes the pushed objects into a temporary
 * object directory and tells hooks where it is.  An odb opened on that
 * directory alone enumerates exactly the pushed objects; the main object
 * store is consulted to drop any the repository already had (a thin pack
 * completed with local bases, say).
 */
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "git/newobjs.h"
#include "git/repo.h"

typedef struct {
	gate_newobjs *out;
	git_odb *main; /* NULL: the repository had no object before the push */
	int rc;
} q_ctx;

/*
 * Whether the repository has any ref.  Without one, nothing it holds is
 * reachable, so every pushed object counts as new and the per-object lookups
 * in the existing store can be skipped (the first push of a whole history).
 * Reading one ref is cheap at any size; enumerating a store of 200,000
 * commits to learn whether it is empty was not (libgit2 builds the pack's
 * whole id list first).
 */
static int has_refs(git_repository *repo)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	int any = 1; /* when in doubt, check every object */

	if (git_reference_iterator_new(&it, repo) == 0) {
		any = git_reference_next(&ref, it) == 0;
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	git_error_clear();
	return any;
}

static int q_each(const git_oid *id, void *payload)
{
	q_ctx *c = payload;

	/* no refresh on a miss: in a new repository every object misses */
	if (c->main && git_odb_exists_ext(c->main, id, GIT_ODB_LOOKUP_NO_REFRESH))
		return 0;
	/*
	 * The type stays unknown for now: reading the header of a deltified
	 * object inflates it, which over a whole history costs as much as
	 * scanning.  Commits are typed by the walk below; trees and blobs by
	 * whoever meets them.
	 */
	c->out->n_objects++;
	if (gate_oidmap_put(&c->out->types, id, GATE_NEW_UNTYPED) < 0) {
		c->rc = GATE_ENOMEM;
		return -1;
	}
	return 0;
}

int gate_newobjs_walk(git_repository *repo, const gate_push *push, gate_commit_want want,
		      gate_commit_visit visit, void *payload)
{
	git_oid *stack = NULL;
	size_t sn = 0, scap = 0, k;
	int rc = 0;

	for (k = 0; k < push->count && rc == 0; k++) {
		git_oid tip;
		if (!gate_update_commit(&tip, repo, &push->items[k]))
			continue;
		if (gate_grow(&stack, &scap, sn + 1, sizeof(*stack)) < 0)
			rc = GATE_ENOMEM;
		else
			stack[sn++] = tip;
		while (rc == 0 && sn) {
			git_oid id = stack[--sn];
			git_commit *c = NULL;
			unsigned int p;
			if (!want(&id, payload))
				continue;
			if ((rc = git_commit_lookup(&c, repo, &id)) < 0) {
				rc = gate_error_from_git(rc, "reading a pushed commit");
				break;
			}
			rc = visit(c, k, payload);
			for (p = 0; p < git_commit_parentcount(c) && rc == 0; p++) {
				if (gate_grow(&stack, &scap, sn + 1, sizeof(*stack)) < 0)
					rc = GATE_ENOMEM;
				else
					stack[sn++] = *git_commit_parent_id(c, p);
			}
			git_commit_free(c);
		}
	}
	gate_free(stack);
	return rc;
}

/* Quarantine objects not typed yet: commits are found by the walk. */
static int untyped(const git_oid *id, void *payload)
{
	const gate_newobjs *out = payload;
	size_t t;
	return gate_oidmap_get(&out->types, id, &t) && t == GATE_NEW_UNTYPED;
}

static int type_commit(git_commit *c, size_t ref, void *payload)
{
	gate_newobjs *out = payload;
	(void)ref;
	out->n_commits++;
	return gate_oidmap_put(&out->types, git_commit_id(c), GIT_OBJECT_COMMIT);
}

static int from_quarantine(gate_newobjs *out, git_repository *repo, const gate_push *push,
			   const char *qpath)
{
	git_odb *quarantine = NULL;
	q_ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.out = out;
	out->source = GATE_NEW_FROM_QUARANTINE;
	if ((rc = gate_repo_open_main_store(&c.main, repo)) < 0)
		goto done;
	if (!has_refs(repo)) {
		/* the first push into a new repository: nothing to check against */
		git_odb_free(c.main);
		c.main = NULL;
	}
	rc = git_odb_open(&quarantine, qpath);
	if (rc < 0) {
		rc = gate_error_from_git(rc, "opening the push quarantine");
		goto done;
	}
	rc = git_odb_foreach(quarantine, q_each, &c);
	if (c.rc < 0)
		rc = c.rc;
	else if (rc < 0)
		rc = gate_error_from_git(rc, "listing the push quarantine");
	/* the new objects reachable as history from the pushed tips are its commits */
	if (rc == 0)
		rc = gate_newobjs_walk(repo, push, untyped, type_commit, out);
done:
	git_odb_free(quarantine);
	git_odb_free(c.main);
	return rc;
}

/* HIDE_PREFIX: hide the refs under it; NULL: every branch and tag. */
static int from_walk(gate_newobjs *out, git_repository *repo, const gate_push *push,
		     const char *hide_prefix)
{
	git_revwalk *walk = NULL;
	git_oid id;
	size_t i;
	int rc, pushed = 0;

	out->source = GATE_NEW_FROM_WALK;
	rc = git_revwalk_new(&walk, repo);
	if (rc < 0)
		return gate_error_from_git(rc, "starting a revision walk");
	for (i = 0; i < push->count; i++) {
		const gate_update *u = &push->items[i];
		if (u->kind == GATE_UPD_DELETE)
			continue;
		/* a tag of a tree or blob has no history to walk */
		if (git_revwalk_push(walk, &u->new_id) < 0) {
			git_error_clear();
			continue;
		}
		pushed = 1;
	}
	if (!pushed)
		goto done;
	if ((rc = gate_repo_hide_refs_under(walk, repo, hide_prefix)) < 0)
		goto done;
	while ((rc = git_revwalk_next(&id, walk)) == 0) {
		out->n_commits++;
		if (gate_oidmap_put(&out->types, &id, GIT_OBJECT_COMMIT) < 0) {
			rc = GATE_ENOMEM;
			goto done;
		}
		out->n_objects++;
	}
	if (rc != GIT_ITEROVER) {
		rc = gate_error_from_git(rc, "walking new commits");
		goto done;
	}
	rc = 0;
done:
	git_revwalk_free(walk);
	return rc < 0 ? rc : 0;
}

int gate_newobjs_collect(gate_newobjs *out, git_repository *repo, const gate_push *push)
{
	const char *q = getenv("GIT_QUARANTINE_PATH");
	memset(out, 0, sizeof(*out));
	if (q && *q)
		return from_quarantine(out, repo, push, q);
	return from_walk(out, repo, push, NULL);
}

int gate_newobjs_collect_local(gate_newobjs *out, git_repository *repo, const gate_push *push,
			       const char *remote_prefix)
{
	memset(out, 0, sizeof(*out));
	return from_walk(out, repo, push, remote_prefix);
}

int gate_newobjs_has_commit(const gate_newobjs *n, const git_oid *id)
{
	size_t t;
	return gate_oidmap_get(&n->types, id, &t) && t == GIT_OBJECT_COMMIT;
}

int gate_newobjs_is_new(const gate_newobjs *n, const git_oid *id, git_object_t type)
{
	if (n->source == GATE_NEW_FROM_WALK && type != GIT_OBJECT_COMMIT)
		return 1;
	return gate_oidmap_get(&n->types, id, NULL);
}

void gate_newobjs_dispose(gate_newobjs *n)
{
	gate_oidmap_dispose(&n->types);
	memset(n, 0, sizeof(*n));
}
