/*
 * The push model: one gate_update per ref a push changes, parsed strictly
 * from the hook protocol (`OLD NEW REF` lines on pre-receive's stdin, or the
 * update hook's three arguments) and classified against the repository.
 */
#ifndef GATE_PUSH_H
#define GATE_PUSH_H

#include <git2.h>

typedef enum {
	GATE_UPD_CREATE,
	GATE_UPD_DELETE,
	GATE_UPD_FAST_FORWARD,
	GATE_UPD_FORCE /* non-fast-forward, or a tag moved to another object */
} gate_update_kind;

typedef struct {
	char *ref;
	git_oid old_id, new_id;
	gate_update_kind kind;
	int is_tag;             /* under refs/tags/ */
	int annotated;          /* NEW is an annotated tag object */
	git_object_t new_type;  /* type of NEW (GIT_OBJECT_INVALID for a delete) */
	int noop;               /* a delete of a ref that does not exist: nothing changes */
} gate_update;

typedef struct {
	gate_update *items;
	size_t count, cap;
} gate_push;

#define GATE_PUSH_INIT { NULL, 0, 0 }

/* Longest ref name accepted, and most ref updates in one push by default. */
#define GATE_REF_MAX 4096
#define GATE_PUSH_MAX_REFS 100000

/* "create", "delete", "fast-forward" or "force". */
const char *gate_update_kind_name(gate_update_kind k);

/*
 * Parses OLD, NEW (hex object ids of the repository's length) and REF (a
 * valid ref name) into a new update appended to PUSH.  GATE_EINVAL with a
 * precise message on anything else.
 */
int gate_push_add(gate_push *push, const char *old_hex, const char *new_hex, const char *ref);

/*
 * Reads pre-receive's stdin: lines "OLD SP NEW SP REF LF", nothing else.
 * At most MAX_REFS lines.
 */
int gate_push_read(gate_push *push, FILE *in, size_t max_refs);

/*
 * Sets kind, is_tag, annotated and new_type of U from the objects in REPO.
 * Fails (GATE_EGIT) only when NEW cannot be read; an OLD that cannot be read
 * makes the update count as a force push, the stricter reading.
 *
 * Two zero ids are how git asks to delete a ref the pusher believes absent
 * (git push origin :refs/heads/gone).  receive-pack then deletes the ref
 * whatever it points to, so when REF exists in REPO the update becomes a
 * delete of its current value (judged like any delete); when it does not,
 * U->noop is set: the no-op git makes it.  A caller that cannot look (the
 * clone in pre-push) sets U->noop itself first.
 */
int gate_update_classify(gate_update *u, git_repository *repo);

/*
 * The commit U's new id names, tags peeled: 1 and *OUT, or 0 for a delete,
 * a tag of a tree or blob, or an object that cannot be read (no commit to
 * judge; the caller's other checks see the missing object).
 */
int gate_update_commit(git_oid *out, git_repository *repo, const gate_update *u);

void gate_push_dispose(gate_push *push);

#endif
