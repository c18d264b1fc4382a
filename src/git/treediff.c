/*
 * Tree comparison (see treediff.h).
 *
 * Both trees are sorted in git's order, so one merge pass pairs entries by
 * name.  Paths are built in one buffer that grows and shrinks with depth.
 * Trust: pushed trees can be deep and wide; depth is bounded, and width
 * costs only a linear pass.
 */
#include <string.h>

#include "util/common.h"
#include "util/oidmap.h"
#include "git/treediff.h"

struct gate_treecache {
	gate_oidmap map[2]; /* tree id -> index in trees[] of the same generation */
	git_tree **trees[2];
	size_t n[2], cap[2];
	int cur;
};

int gate_treecache_new(gate_treecache **out)
{
	*out = gate_calloc(1, sizeof(**out));
	return *out ? 0 : GATE_ENOMEM;
}

static void generation_release(gate_treecache *c, int g)
{
	size_t i;
	for (i = 0; i < c->n[g]; i++)
		git_tree_free(c->trees[g][i]);
	c->n[g] = 0;
	gate_oidmap_dispose(&c->map[g]);
}

void gate_treecache_next(gate_treecache *c)
{
	if (!c)
		return;
	c->cur = !c->cur;
	generation_release(c, c->cur);
}

/* Keeps T (one reference of its own) in the current generation; best effort. */
static void keep(gate_treecache *c, git_tree *t)
{
	int g = c->cur;
	git_object *copy;
	if (c->n[g] >= GATE_TREECACHE_MAX ||
	    gate_grow(&c->trees[g], &c->cap[g], c->n[g] + 1, sizeof(*c->trees[g])) < 0 ||
	    git_object_dup(&copy, (git_object *)t) < 0)
		return;
	if (gate_oidmap_put(&c->map[g], git_tree_id(t), c->n[g]) < 0) {
		git_object_free(copy);
		return;
	}
	c->trees[g][c->n[g]++] = (git_tree *)copy;
}

int gate_treecache_lookup(git_tree **out, gate_treecache *c, git_repository *repo,
			  const git_oid *id)
{
	size_t i;
	int rc;
	if (c) {
		if (gate_oidmap_get(&c->map[c->cur], id, &i))
			return git_object_dup((git_object **)out, (git_object *)c->trees[c->cur][i]);
		if (gate_oidmap_get(&c->map[!c->cur], id, &i)) {
			/* reused: moves up to the current generation */
			keep(c, c->trees[!c->cur][i]);
			return git_object_dup((git_object **)out, (git_object *)c->trees[!c->cur][i]);
		}
	}
	if ((rc = git_tree_lookup(out, repo, id)) < 0)
		return rc;
	if (c)
		keep(c, *out);
	return 0;
}

void gate_treecache_free(gate_treecache *c)
{
	int g;
	if (!c)
		return;
	for (g = 0; g < 2; g++) {
		generation_release(c, g);
		gate_free(c->trees[g]);
	}
	gate_free(c);
}

typedef struct {
	git_repository *repo;
	gate_treecache *cache;
	gate_treediff_cb cb;
	gate_treediff_descend descend;
	void *payload;
	gate_buf path;
	int depth;
} walk_t;

static int walk(walk_t *w, const git_tree *a, const git_tree *b);

/* git orders tree entries by name, with directories compared as "name/". */
static int entry_cmp(const git_tree_entry *x, const git_tree_entry *y)
{
	const char *a = git_tree_entry_name(x), *b = git_tree_entry_name(y);
	size_t la = strlen(a), lb = strlen(b), n = la < lb ? la : lb;
	int c = memcmp(a, b, n);
	unsigned char ca, cb;
	if (c)
		return c;
	ca = la > n ? (unsigned char)a[n] : (git_tree_entry_type(x) == GIT_OBJECT_TREE ? '/' : 0);
	cb = lb > n ? (unsigned char)b[n] : (git_tree_entry_type(y) == GIT_OBJECT_TREE ? '/' : 0);
	return ca - cb;
}

static int is_tree(const git_tree_entry *e)
{
	return e && git_tree_entry_type(e) == GIT_OBJECT_TREE;
}

static int lookup_tree(git_tree **out, walk_t *w, const git_tree_entry *e)
{
	int rc;
	*out = NULL;
	if (!is_tree(e))
		return 0;
	rc = gate_treecache_lookup(out, w->cache, w->repo, git_tree_entry_id(e));
	if (rc < 0)
		return gate_error_from_git(rc, gate_buf_cstr(&w->path));
	return 0;
}

/* One pair of entries with the same name (either may be NULL). */
static int visit(walk_t *w, const git_tree_entry *x, const git_tree_entry *y)
{
	const char *name = git_tree_entry_name(x ? x : y);
	size_t saved = w->path.len;
	int rc = 0;

	if (x && y && git_oid_equal(git_tree_entry_id(x), git_tree_entry_id(y)) &&
	    git_tree_entry_filemode(x) == git_tree_entry_filemode(y))
		return 0;
	if (saved)
		gate_buf_puts(&w->path, "/");
	gate_buf_puts(&w->path, name);
	if (w->path.oom)
		return GATE_ENOMEM;

	if (is_tree(y) && w->descend && !w->descend(git_tree_entry_id(y), w->payload) &&
	    !is_tree(x)) {
		/* the new subtree is not worth walking; a file it replaced still changed */
		if (x)
			rc = w->cb(gate_buf_cstr(&w->path), x, NULL, w->payload);
	} else if (is_tree(y) && w->descend && !w->descend(git_tree_entry_id(y), w->payload)) {
		rc = 0;
	} else if (is_tree(x) || is_tree(y)) {
		git_tree *tx = NULL, *ty = NULL;
		if ((rc = lookup_tree(&tx, w, x)) == 0 && (rc = lookup_tree(&ty, w, y)) == 0) {
			/* a file replaced by a directory (or back) also changes the file path */
			if (x && !is_tree(x))
				rc = w->cb(gate_buf_cstr(&w->path), x, NULL, w->payload);
			if (rc == 0 && y && !is_tree(y))
				rc = w->cb(gate_buf_cstr(&w->path), NULL, y, w->payload);
			if (rc == 0) {
				if (++w->depth > GATE_TREEDIFF_MAX_DEPTH)
					rc = gate_error_set(GATE_ELIMIT, "directories nested deeper than %d",
							    GATE_TREEDIFF_MAX_DEPTH);
				else
					rc = walk(w, tx, ty);
				w->depth--;
			}
		}
		git_tree_free(tx);
		git_tree_free(ty);
	} else {
		rc = w->cb(gate_buf_cstr(&w->path), x, y, w->payload);
	}
	w->path.len = saved;
	w->path.ptr[saved] = '\0';
	return rc;
}

static int walk(walk_t *w, const git_tree *a, const git_tree *b)
{
	size_t i = 0, j = 0, na = a ? git_tree_entrycount(a) : 0, nb = b ? git_tree_entrycount(b) : 0;
	int rc = 0;

	while (rc == 0 && (i < na || j < nb)) {
		const git_tree_entry *x = i < na ? git_tree_entry_byindex(a, i) : NULL;
		const git_tree_entry *y = j < nb ? git_tree_entry_byindex(b, j) : NULL;
		int c;
		if (x && y) {
			/* same name, different kind (file vs dir) sort apart; pair by name */
			if (!strcmp(git_tree_entry_name(x), git_tree_entry_name(y)))
				c = 0;
			else
				c = entry_cmp(x, y);
		} else {
			c = x ? -1 : 1;
		}
		if (c == 0) {
			rc = visit(w, x, y);
			i++;
			j++;
		} else if (c < 0) {
			rc = visit(w, x, NULL);
			i++;
		} else {
			rc = visit(w, NULL, y);
			j++;
		}
	}
	return rc;
}

int gate_treediff(git_repository *repo, const git_tree *old, const git_tree *new_tree,
		  gate_treediff_cb cb, void *payload)
{
	return gate_treediff_ex(repo, old, new_tree, cb, NULL, payload);
}

int gate_treediff_ex(git_repository *repo, const git_tree *old, const git_tree *new_tree,
		     gate_treediff_cb cb, gate_treediff_descend descend, void *payload)
{
	return gate_treediff_cached(repo, old, new_tree, cb, descend, payload, NULL);
}

int gate_treediff_cached(git_repository *repo, const git_tree *old, const git_tree *new_tree,
			 gate_treediff_cb cb, gate_treediff_descend descend, void *payload,
			 gate_treecache *cache)
{
	walk_t w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.repo = repo;
	w.cache = cache;
	w.cb = cb;
	w.descend = descend;
	w.payload = payload;
	if (gate_buf_grow(&w.path, 256) < 0)
		return GATE_ENOMEM;
	w.path.ptr[0] = '\0';
	rc = walk(&w, old, new_tree);
	gate_buf_dispose(&w.path);
	return rc;
}
