/*
 * Parsing and classifying ref updates.
 *
 * The input comes from git itself (receive-pack), but it carries ref names a
 * pusher chose, so it is parsed strictly: exact hex lengths, single spaces,
 * valid ref names, a bounded line length and count.  Anything unexpected is
 * an error, and an error rejects the push.
 */
#include <string.h>

#include "util/common.h"
#include "git/push.h"

const char *gate_update_kind_name(gate_update_kind k)
{
	switch (k) {
	case GATE_UPD_CREATE: return "create";
	case GATE_UPD_DELETE: return "delete";
	case GATE_UPD_FAST_FORWARD: return "fast-forward";
	default: return "force";
	}
}

static int parse_oid(git_oid *out, const char *hex, const char *what)
{
	size_t i, len = strlen(hex);
	if (len != GIT_OID_HEXSZ)
		return gate_error_set(GATE_EINVAL, "%s object id has %zu characters, expected %d",
				      what, len, GIT_OID_HEXSZ);
	for (i = 0; i < len; i++) {
		char c = hex[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return gate_error_set(GATE_EINVAL, "%s object id is not lower-case hex", what);
	}
	if (git_oid_fromstr(out, hex) < 0)
		return gate_error_set(GATE_EINVAL, "%s object id is malformed", what);
	return 0;
}

int gate_push_add(gate_push *push, const char *old_hex, const char *new_hex, const char *ref)
{
	gate_update u;
	size_t i;
	int valid = 0;

	memset(&u, 0, sizeof(u));
	if (parse_oid(&u.old_id, old_hex, "old") < 0 || parse_oid(&u.new_id, new_hex, "new") < 0)
		return GATE_EINVAL;
	if (strlen(ref) > GATE_REF_MAX)
		return gate_error_set(GATE_ELIMIT, "ref name longer than %d bytes", GATE_REF_MAX);
	for (i = 0; ref[i]; i++)
		if ((unsigned char)ref[i] < 0x20 || ref[i] == 0x7F)
			return gate_error_set(GATE_EINVAL, "ref name holds a control character");
	if (strncmp(ref, "refs/", 5) || git_reference_name_is_valid(&valid, ref) < 0 || !valid)
		return gate_error_set(GATE_EINVAL, "'%.200s' is not a valid ref name", ref);
	u.ref = gate_strdup(ref);
	if (!u.ref)
		return GATE_ENOMEM;
	u.is_tag = !strncmp(ref, "refs/tags/", 10);
	u.new_type = GIT_OBJECT_INVALID;
	u.kind = git_oid_is_zero(&u.new_id)   ? GATE_UPD_DELETE
		 : git_oid_is_zero(&u.old_id) ? GATE_UPD_CREATE
					       : GATE_UPD_FAST_FORWARD;
	if (gate_grow(&push->items, &push->cap, push->count + 1, sizeof(u)) < 0) {
		gate_free(u.ref);
		return GATE_ENOMEM;
	}
	push->items[push->count++] = u;
	return 0;
}

int gate_push_read(gate_push *push, FILE *in, size_t max_refs)
{
	char line[2 * GIT_OID_HEXSZ + GATE_REF_MAX + 8];
	size_t lineno = 0;

	while (fgets(line, sizeof(line), in)) {
		size_t len = strlen(line);
		char *sp1, *sp2;

		lineno++;
		if (len == 0 || line[len - 1] != '\n')
			return gate_error_set(GATE_EINVAL, "hook input line %zu is too long or unterminated",
					      lineno);
		line[--len] = '\0';
		if (memchr(line, '\r', len))
			return gate_error_set(GATE_EINVAL, "hook input line %zu holds a carriage return",
					      lineno);
		if (push->count >= max_refs)
			return gate_error_set(GATE_ELIMIT,
					      "push updates more than %zu refs (settings.limits)", max_refs);
		sp1 = strchr(line, ' ');
		sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		if (!sp1 || !sp2 || strchr(sp2 + 1, ' '))
			return gate_error_set(GATE_EINVAL,
					      "hook input line %zu is not 'OLD NEW REF'", lineno);
		*sp1 = *sp2 = '\0';
		if (gate_push_add(push, line, sp1 + 1, sp2 + 1) < 0) {
			char msg[600];
			snprintf(msg, sizeof(msg), "%s", gate_error_last());
			return gate_error_set(GATE_EINVAL, "hook input line %zu: %s", lineno, msg);
		}
	}
	if (ferror(in))
		return gate_error_set(GATE_EIO, "reading hook input failed");
	return 0;
}

int gate_update_classify(gate_update *u, git_repository *repo)
{
	git_object *newobj = NULL, *oldobj = NULL, *newc = NULL, *oldc = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	if (u->kind == GATE_UPD_DELETE) {
		if (!git_oid_is_zero(&u->old_id) || u->noop)
			return 0;
		rc = git_reference_name_to_id(&u->old_id, repo, u->ref);
		if (rc == GIT_ENOTFOUND) {
			git_error_clear();
			u->noop = 1;
			return 0;
		}
		return rc < 0 ? gate_error_from_git(rc, u->ref) : 0;
	}
	rc = git_object_lookup(&newobj, repo, &u->new_id, GIT_OBJECT_ANY);
	if (rc < 0) {
		git_oid_tostr(hex, sizeof(hex), &u->new_id);
		return gate_error_from_git(rc, hex);
	}
	u->new_type = git_object_type(newobj);
	u->annotated = u->new_type == GIT_OBJECT_TAG;
	if (u->kind == GATE_UPD_CREATE)
		goto out;
	if (u->is_tag) {
		/* A tag names one thing for good: moving it rewrites what it names. */
		u->kind = GATE_UPD_FORCE;
		goto out;
	}
	u->kind = GATE_UPD_FORCE;
	if (git_object_lookup(&oldobj, repo, &u->old_id, GIT_OBJECT_ANY) < 0 ||
	    git_object_peel(&oldc, oldobj, GIT_OBJECT_COMMIT) < 0 ||
	    git_object_peel(&newc, newobj, GIT_OBJECT_COMMIT) < 0) {
		git_error_clear();
		goto out;
	}
	if (git_oid_equal(git_object_id(oldc), git_object_id(newc))) {
		u->kind = GATE_UPD_FAST_FORWARD;
	} else {
		rc = git_graph_descendant_of(repo, git_object_id(newc), git_object_id(oldc));
		if (rc < 0) {
			rc = gate_error_from_git(rc, "checking fast-forward");
			goto fail;
		}
		if (rc == 1)
			u->kind = GATE_UPD_FAST_FORWARD;
	}
out:
	rc = 0;
fail:
	git_object_free(newc);
	git_object_free(oldc);
	git_object_free(oldobj);
	git_object_free(newobj);
	return rc;
}

void gate_push_dispose(gate_push *push)
{
	size_t i;
	for (i = 0; i < push->count; i++)
		gate_free(push->items[i].ref);
	gate_free(push->items);
	push->items = NULL;
	push->count = push->cap = 0;
}

int gate_update_commit(git_oid *out, git_repository *repo, const gate_update *u)
{
	git_object *obj = NULL, *peeled = NULL;
	int found = 0;

	if (u->kind != GATE_UPD_DELETE && git_object_lookup(&obj, repo, &u->new_id, GIT_OBJECT_ANY) == 0 &&
	    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) == 0) {
		*out = *git_object_id(peeled);
		found = 1;
	}
	git_error_clear();
	git_object_free(peeled);
	git_object_free(obj);
	return found;
}
