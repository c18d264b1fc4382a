/*
 * What a push brings that the repository did not have.
 *
 * Under pre-receive the answer is the quarantine directory git receives
 * objects into (GIT_QUARANTINE_PATH): listing it costs in proportion to the
 * push, whatever the number of refs or the length of history.  Without a
 * quarantine (the update hook, old git) it falls back to a revision walk from
 * the pushed tips that hides every existing branch and tag one by one.
 */
#ifndef GATE_NEWOBJS_H
#define GATE_NEWOBJS_H

#include <git2.h>

#include "util/oidmap.h"
#include "git/push.h"

typedef enum { GATE_NEW_FROM_QUARANTINE, GATE_NEW_FROM_WALK } gate_newobjs_source;

typedef struct {
	gate_newobjs_source source;
	size_t n_commits;  /* new commits */
	size_t n_objects;  /* all new objects (quarantine); commits only (walk) */
	/*
	 * quarantine: every new object -> GIT_OBJECT_COMMIT for the commits
	 * reachable from the pushed tips, GATE_NEW_UNTYPED for the rest (trees,
	 * blobs, tags: telling them apart costs a read each); walk: the commits.
	 */
	gate_oidmap types;
} gate_newobjs;

#define GATE_NEW_UNTYPED 0
#define GATE_NEWOBJS_INIT { GATE_NEW_FROM_WALK, 0, 0, GATE_OIDMAP_INIT }

/*
 * Whether ID is known new: under quarantine, whether the push brought it
 * (TYPE is not checked);
 * from a walk (which lists only commits), 1 for every non-commit, since
 * which trees and blobs are new cannot be told cheaply.
 */
int gate_newobjs_is_new(const gate_newobjs *n, const git_oid *id, git_object_t type);

/*
 * Fills OUT for the updates of PUSH.  Uses the quarantine named by
 * GIT_QUARANTINE_PATH when set, else the walk.
 */
int gate_newobjs_collect(gate_newobjs *out, git_repository *repo, const gate_push *push);

/*
 * The walk for a developer's clone (pre-push): hides only the refs under
 * REMOTE_PREFIX ("refs/remotes/origin/"), what the clone knows the remote
 * has, since its own branches are what it is about to push.
 */
int gate_newobjs_collect_local(gate_newobjs *out, git_repository *repo, const gate_push *push,
			       const char *remote_prefix);

/*
 * Walks the history the updates of PUSH bring, depth first from each tip
 * (deletions have none): every commit WANT(ID, PAYLOAD) says 1 for is read
 * and handed to VISIT(COMMIT, REF, PAYLOAD), REF the index of the update
 * whose tip reached it first, and the walk goes on into its parents; WANT
 * must say 0 for a commit already visited.  A negative return from VISIT
 * stops the walk and is returned.
 */
typedef int (*gate_commit_want)(const git_oid *id, void *payload);
typedef int (*gate_commit_visit)(git_commit *commit, size_t ref, void *payload);
int gate_newobjs_walk(git_repository *repo, const gate_push *push, gate_commit_want want,
		      gate_commit_visit visit, void *payload);

/* Whether ID is one of the new commits. */
int gate_newobjs_has_commit(const gate_newobjs *n, const git_oid *id);

void gate_newobjs_dispose(gate_newobjs *n);

#endif
