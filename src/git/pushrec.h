/*
 * The trusted ref as it stood before the push, for the update hook.
 *
 * git runs `update` once per ref and moves that ref before running it for the
 * next, so a later run would read the matrix an earlier ref of the same push
 * already changed.  The first run of a push records the trusted ref's value
 * in $GIT_DIR/gatehouse/update-push.<pid>.<start> (the receive-pack process
 * running the hooks, and its start time from /proc, so a reused pid cannot
 * alias an old push); later runs of the same push read it.  Records of
 * receive-packs that are gone are removed by the next push.  Anything that
 * cannot be recorded or read is an error: the caller rejects.
 *
 * Correct because git runs every update hook of a push before the ref it
 * judges moves, and a ref only moves after its run accepted it, which needs
 * the record: when no record exists yet, no ref of this push has moved.
 */
#ifndef GATE_PUSHREC_H
#define GATE_PUSHREC_H

#include <git2.h>

typedef struct {
	git_oid id;   /* the trusted ref's value before the push, when EXISTED */
	int existed;  /* the trusted ref existed before the push */
	int created;  /* it did not, and an earlier ref of this push created it */
	int in_push;  /* 0: no receive-pack found above this process (a run by hand) */
} gate_pushrec;

/*
 * Fills OUT for TRUSTED_REF of REPO (whose directory is REPO_PATH), reading
 * or writing the push's record.  Outside a push (no git receive-pack among
 * this process's ancestors) OUT is the ref as it stands and OUT->in_push 0.
 * 0, or a negative code with the last error set.
 */
int gate_pushrec_trusted(gate_pushrec *out, git_repository *repo, const char *repo_path,
			 const char *trusted_ref);

#endif
