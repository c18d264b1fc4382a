/*
 * Repository access for the hooks: opening the repository as git hands it
 * to a hook, reading gatehouse's git config, and reading the matrix file
 * out of a commit.  Read-only by design: nothing here writes a ref or an
 * object (pre-receive runs while the push's objects are still quarantined).
 */
#ifndef GATE_REPO_H
#define GATE_REPO_H

#include <git2.h>

/*
 * Opens the repository from the hook environment so that quarantined
 * objects are visible: GIT_REPOSITORY_OPEN_FROM_ENV when possible, else
 * (GIT_WORK_TREE or GIT_COMMON_DIR set, which libgit2 1.5 refuses there)
 * GIT_DIR opened directly with GIT_OBJECT_DIRECTORY and
 * GIT_ALTERNATE_OBJECT_DIRECTORIES added as object stores.
 */
int gate_repo_open(git_repository **out);

/*
 * A read-only handle on REPO's objects (the same object directories,
 * quarantine and alternates included) for a worker thread: libgit2 handles
 * are not shared between threads.  Its directories are spelled exactly as
 * REPO's handle spells them: libgit2 then shares one structure per pack file
 * (its mapping, its 16 MiB delta-base cache) between the handles, so readers
 * cost no memory per pack.  Objects only: no refs, no config.
 */
int gate_repo_open_reader(git_repository **out, git_repository *repo);

/*
 * The repository's own object store, without the push's quarantine (what
 * was there before the push), sharing REPO's pack structures.
 */
int gate_repo_open_main_store(git_odb **out, git_repository *repo);

/* gatehouse config value KEY ("gatehouse.trustedRef"), or *OUT = NULL. */
int gate_repo_config(char **out, git_repository *repo, const char *key);

/*
 * The trusted ref: CONFIGURED (a full ref, or a branch name) or the branch
 * HEAD points to.  GATE_ECONFIG when neither names a branch.
 */
int gate_repo_trusted_ref(char **out, git_repository *repo, const char *configured);

/*
 * Reads PATH from the tree of the commit COMMITISH peels to.  GATE_ENOTFOUND
 * when the path does not exist; an error when it is not a regular file or is
 * larger than MAX.  *DATA is NUL-terminated; the caller frees it.
 */
int gate_repo_read_file_at(char **data, size_t *len, git_repository *repo,
			   const git_oid *commitish, const char *path, size_t max);

/*
 * Hides every branch and tag from WALK one ref at a time, so a ref to a
 * missing or non-commit object is skipped instead of failing the walk.
 */
int gate_repo_hide_refs(git_revwalk *walk, git_repository *repo);

/*
 * The same for the refs under PREFIX (e.g. "refs/remotes/origin/"): what a
 * clone knows its remote has, for pre-push.
 */
int gate_repo_hide_refs_under(git_revwalk *walk, git_repository *repo, const char *prefix);

#endif
