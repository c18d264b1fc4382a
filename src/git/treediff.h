/*
 * Changed paths between two trees, found by walking both and skipping every
 * subtree whose id did not change (far cheaper than libgit2's diff, which
 * compares more than gatehouse needs).
 */
#ifndef GATE_TREEDIFF_H
#define GATE_TREEDIFF_H

#include <git2.h>

/*
 * Called for each path whose entry differs (added, removed, modified, mode
 * changed); OLD or NEW is NULL for an addition or removal.  A non-zero
 * return stops the walk and is returned.
 */
typedef int (*gate_treediff_cb)(const char *path, const git_tree_entry *old,
				const git_tree_entry *new_entry, void *payload);

/* Deepest directory nesting followed before the walk fails with GATE_ELIMIT. */
#define GATE_TREEDIFF_MAX_DEPTH 8192

/* Walks OLD (may be NULL: the empty tree) against NEW. */
int gate_treediff(git_repository *repo, const git_tree *old, const git_tree *new_tree,
		  gate_treediff_cb cb, void *payload);

/*
 * Whether to descend into the changed subtree NEW_TREE_ID (on the new side);
 * 0 skips it and every path under it.
 */
typedef int (*gate_treediff_descend)(const git_oid *new_tree_id, void *payload);

/* Same, with DESCEND (may be NULL) pruning subtrees. */
int gate_treediff_ex(git_repository *repo, const git_tree *old, const git_tree *new_tree,
		     gate_treediff_cb cb, gate_treediff_descend descend, void *payload);

/*
 * Trees kept from one comparison to the next.  Walking a history commit by
 * commit reads each tree twice: as the new side of one commit and as the old
 * side of its child.  The cache keeps the trees of the last two generations
 * (a generation: one comparison) and releases older ones, so its memory is
 * bounded by what two comparisons walk (and by GATE_TREECACHE_MAX trees).
 * One cache per thread; libgit2's own object cache is slower at this.
 */
typedef struct gate_treecache gate_treecache;

#define GATE_TREECACHE_MAX 8192

int gate_treecache_new(gate_treecache **out);

/* Starts a new generation, releasing the trees the previous one did not reuse. */
void gate_treecache_next(gate_treecache *c);

/* git_tree_lookup through C (may be NULL); free *OUT with git_tree_free. */
int gate_treecache_lookup(git_tree **out, gate_treecache *c, git_repository *repo,
			  const git_oid *id);

void gate_treecache_free(gate_treecache *c);

/* gate_treediff_ex reading subtrees through CACHE (may be NULL). */
int gate_treediff_cached(git_repository *repo, const git_tree *old, const git_tree *new_tree,
			 gate_treediff_cb cb, gate_treediff_descend descend, void *payload,
			 gate_treecache *cache);

#endif
