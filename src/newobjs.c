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

#include "common.h"
#include "newobjs.h"
#include "repo.h"

typedef struct {
	gate_newobjs *out;
	git_odb *main;
	git_odb *quarantine;
	int rc;
} q_ctx;

static int add_commit(gate_newobjs *out, const git_oid *id)
{
	out->n_commits++;
	return gate_oidmap_put(&out->types, id, GIT_OBJECT_COMMIT);
}

static int q_each(const git_oid *id, void *payload)
{
	q_ctx *c = payload;
	size_t size;
	git_object_t type;
	int rc;

	/* no refresh on a miss: in a new repository every object misses */
	if (git_odb_exists_ext(c->main, id, GIT_ODB_LOOKUP_NO_REFRESH))
		return 0;
	rc = git_odb_read_header(&size, &type, c->quarantine, id);
	if (rc < 0) {
		c->rc = gate_error_from_git(rc, "reading a pushed object");
		return -1;
	}
	c->out->n_objects++;
	if (type == GIT_OBJECT_BLOB)
		c->out->n_blobs++;
	if ((type == GIT_OBJECT_COMMIT ? add_commit(c->out, id)
				       : gate_oidmap_put(&c->out->types, id, (size_t)type)) < 0) {
		c->rc = GATE_ENOMEM;
		return -1;
	}
	return 0;
}

static int from_quarantine(gate_newobjs *out, git_repository *repo, const char *qpath)
{
	gate_buf main_path = GATE_BUF_INIT;
	q_ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.out = out;
	out->source = GATE_NEW_FROM_QUARANTINE;
	if (gate_buf_printf(&main_path, "%s/objects", git_repository_commondir(repo)) < 0)
		return GATE_ENOMEM;
	rc = git_odb_open(&c.main, gate_buf_cstr(&main_path));
	if (rc < 0) {
		rc = gate_error_from_git(rc, "opening the object store");
		goto done;
	}
	rc = git_odb_open(&c.quarantine, qpath);
	if (rc < 0) {
		rc = gate_error_from_git(rc, "opening the push quarantine");
		goto done;
	}
	rc = git_odb_foreach(c.quarantine, q_each, &c);
	if (c.rc < 0)
		rc = c.rc;
	else if (rc < 0)
		rc = gate_error_from_git(rc, "listing the push quarantine");
done:
	git_odb_free(c.quarantine);
	git_odb_free(c.main);
	gate_buf_dispose(&main_path);
	return rc;
}

static int from_walk(gate_newobjs *out, git_repository *repo, const gate_push *push)
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
	if ((rc = gate_repo_hide_refs(walk, repo)) < 0)
		goto done;
	while ((rc = git_revwalk_next(&id, walk)) == 0) {
		if (add_commit(out, &id) < 0) {
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
		return from_quarantine(out, repo, q);
	return from_walk(out, repo, push);
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
