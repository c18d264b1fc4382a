/*
 * Content sources: the (path, bytes) pairs the content checks read, and
 * where they come from.
 *
 * A source is one list of items, each a blob at a path (with the commit
 * and the update that brought it), or a file on disk.  It is listed from a
 * push's new commits (with settings.limits enforced while listing), from a
 * range of commits, from the staged index or from files and directories;
 * every consumer (the content checks, the secret scan over paths, the
 * external policy's input) reads the same list, so a blob is read once and
 * judged at every path it is at.  Listing reads trees and commits, never
 * the blobs themselves.
 */
#ifndef GATE_SOURCE_H
#define GATE_SOURCE_H

#include <git2.h>

#include "matrix/model.h"
#include "git/newobjs.h"
#include "git/push.h"
#include "util/oidmap.h"

/* One blob at one path, and the commit it came in with (or one file on disk). */
typedef struct {
	git_oid blob;     /* zero for a file on disk */
	char *path;       /* the repository path ("" under no path), or the file's path on disk */
	git_oid commit;
	int has_commit;
	size_t ref_index; /* the update that brought it (pushes); 0 elsewhere */
} gate_source_item;

/* A push past one of settings.limits, found while listing its blobs. */
typedef struct {
	int which;        /* GATE_LIMIT_*, or -1: none */
	size_t ref_index; /* the update that brought it */
	char detail[512]; /* what exceeded it, escaped for a terminal */
} gate_source_hit;

typedef struct {
	gate_source_item *items;
	size_t count, cap;
	gate_oidmap claimed; /* blob -> the index of its first item */
	gate_source_hit hit; /* which = -1 when every limit held */
	int on_disk;         /* the items are files on disk (gate_source_files), not blobs */
} gate_source;

#define GATE_SOURCE_INIT { NULL, 0, 0, GATE_OIDMAP_INIT, { -1, 0, "" }, 0 }

/*
 * Lists the (blob, path) pairs a push's new commits add or change, each with
 * the oldest commit that brought it (commits walked oldest first, each
 * against its first parent, into every changed subtree), then the blobs of
 * the quarantine no commit names, without a path.  With LIMITS (may be
 * NULL), checks every new commit (parents, message, trailers) and every path
 * it changes against them: at the first one exceeded, listing stops,
 * SRC->hit says what, and 0 is returned (the push is to be rejected, not
 * read).  Otherwise 0 or a negative error.
 */
int gate_source_push(gate_source *src, git_repository *repo, const gate_push *push,
		     const gate_newobjs *newobjs, const gate_limits *limits);

/*
 * Adds the blobs a ref of PUSH names directly, not through a commit: a
 * (lightweight or annotated) tag of a blob, or of a tree (every blob under
 * it, with its path).  Only without a quarantine (the update hook, pre-push):
 * under pre-receive the quarantine listing already holds them.  A tree past
 * LIMITS (paths_per_commit, tree_depth; may be NULL) stops the listing with
 * SRC->hit set, as gate_source_push does.
 */
int gate_source_direct(gate_source *src, git_repository *repo, const gate_push *push,
		       const gate_newobjs *newobjs, const gate_limits *limits);

/* Lists the (blob, path) pairs the commits of REVSPEC ("A..B" or one revision) add or change. */
int gate_source_range(gate_source *src, git_repository *repo, const char *revspec);

/*
 * Lists the staged index against HEAD: every (blob, path) the next commit
 * would add or change (submodules and unmerged entries left out).
 */
int gate_source_index(gate_source *src, git_repository *repo);

/*
 * Adds the regular files at PATH: PATH itself, or every regular file under
 * the directory PATH (".git" left out, symlinks not followed: their targets
 * are not content here), in the order the walk finds them.  The source
 * becomes one of files on disk; it must not hold blobs (GATE_EINVAL).
 * GATE_ENOTFOUND or GATE_EIO with a message naming the path.
 */
int gate_source_files(gate_source *src, const char *path);

/*
 * The path item I is judged and shown at: its repository path, or for a
 * file on disk its path without a leading "./".
 */
const char *gate_source_path(const gate_source *src, size_t i);

/*
 * Adds BLOB at PATH.  Takes over PATH (allocated) in any case: it is freed
 * on error.  COMMIT may be NULL.  0 or GATE_ENOMEM.
 */
int gate_source_add(gate_source *src, const git_oid *blob, char *path, const git_oid *commit,
		    size_t ref);

/*
 * Keeps one item per (blob, path): the first added (the oldest commit).  The
 * order of the others is kept.  0, or GATE_ENOMEM.
 */
int gate_source_dedupe(gate_source *src);

void gate_source_dispose(gate_source *src);

/* The threads a parallel stage uses: GATEHOUSE_THREADS, else the cores (1 to 8). */
unsigned gate_source_threads(void);

#endif
