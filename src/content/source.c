/*
 * Content sources (see source.h): the (blob, path) pairs of a push, a range
 * of commits or the staged index, and the files under a directory.
 *
 * Trust: commits, trees and paths are pushed content.  A push's listing
 * checks settings.limits as it goes and stops at the first one exceeded, so
 * a push past them costs no more than the limits allow before it is
 * rejected; the tree comparisons run on several threads (one repository
 * handle each) and are claimed in commit order, so what is listed does not
 * depend on which thread finished first.  Nothing here reads a blob.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content/source.h"
#include "evidence/trailers.h"
#include "git/repo.h"
#include "git/treediff.h"
#include "util/common.h"

/* ---- src -------------------------------------------------------------------------- */

int gate_source_add(gate_source *src, const git_oid *blob, char *path, const git_oid *commit,
		       size_t ref)
{
	gate_source_item *j;
	if (src->on_disk) {
		gate_free(path);
		return gate_error_set(GATE_EINVAL, "a source of files on disk holds no blobs");
	}
	if (gate_grow(&src->items, &src->cap, src->count + 1, sizeof(*j)) < 0) {
		gate_free(path);
		return GATE_ENOMEM;
	}
	j = &src->items[src->count];
	memset(j, 0, sizeof(*j));
	j->blob = *blob;
	j->path = path;
	if (commit) {
		j->commit = *commit;
		j->has_commit = 1;
	}
	j->ref_index = ref;
	src->count++;
	if (gate_oidmap_get(&src->claimed, blob, NULL))
		return 0; /* the blob's first item stays its claim */
	return gate_oidmap_put(&src->claimed, blob, src->count - 1);
}

/* An item seen by blob: sorting these needs no access to the list. */
typedef struct {
	const git_oid *blob;
	const char *path;
	size_t i;
} item_key;

/* By blob, then path, then index (the oldest first). */
static int by_blob_path(const void *a, const void *b)
{
	const item_key *x = a, *y = b;
	int c = git_oid_cmp(x->blob, y->blob);
	if (!c)
		c = strcmp(x->path, y->path);
	return c ? c : x->i < y->i ? -1 : (x->i > y->i);
}

/* SRC as keys sorted with CMP: a new array of SRC->count, or NULL. */
static item_key *sorted_keys(const gate_source *src, int (*cmp)(const void *, const void *))
{
	item_key *k = gate_calloc(src->count ? src->count : 1, sizeof(*k));
	size_t i;
	if (!k)
		return NULL;
	for (i = 0; i < src->count; i++) {
		k[i].blob = &src->items[i].blob;
		k[i].path = src->items[i].path;
		k[i].i = i;
	}
	qsort(k, src->count, sizeof(*k), cmp);
	return k;
}

int gate_source_dedupe(gate_source *src)
{
	item_key *k;
	unsigned char *drop;
	size_t i, out = 0;
	int rc = 0;

	if (src->count < 2)
		return 0;
	k = sorted_keys(src, by_blob_path);
	drop = gate_calloc(src->count, 1);
	if (!k || !drop) {
		gate_free(k);
		gate_free(drop);
		return gate_error_oom();
	}
	/* the same bytes at the same path again: the oldest commit that brought them stands */
	for (i = 1; i < src->count; i++)
		if (git_oid_equal(k[i].blob, k[i - 1].blob) && !strcmp(k[i].path, k[i - 1].path))
			drop[k[i].i] = 1;
	gate_free(k);
	for (i = 0; i < src->count; i++) {
		if (drop[i]) {
			gate_free(src->items[i].path);
			continue;
		}
		src->items[out++] = src->items[i];
	}
	src->count = out;
	gate_free(drop);
	gate_oidmap_dispose(&src->claimed);
	for (i = 0; i < src->count && rc == 0; i++)
		if (!gate_oidmap_get(&src->claimed, &src->items[i].blob, NULL))
			rc = gate_oidmap_put(&src->claimed, &src->items[i].blob, i);
	return rc;
}

void gate_source_dispose(gate_source *src)
{
	size_t i;
	for (i = 0; i < src->count; i++)
		gate_free(src->items[i].path);
	gate_free(src->items);
	gate_oidmap_dispose(&src->claimed);
	memset(src, 0, sizeof(*src));
}

typedef struct {
	git_oid id;
	git_time_t time;
	size_t ref;
	size_t seen; /* discovery order from the tips: children before parents */
} commit_ref;

/* Oldest first; within one second, parents before the children that found them. */
static int by_time(const void *a, const void *b)
{
	const commit_ref *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seen > y->seen ? -1 : (x->seen < y->seen);
}

unsigned gate_source_threads(void)
{
	const char *env = getenv("GATEHOUSE_THREADS");
	long cores = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
	return cores < 1 ? 1 : cores > 8 ? 8 : (unsigned)cores;
}

/* A blob a commit introduces, before it is claimed. */
typedef struct {
	git_oid blob;
	char *path;
} found;

typedef struct {
	found *items;
	size_t n, cap;
} found_list;

/* One thread listing what a share of the commits introduce. */
typedef struct {
	const commit_ref *commits;
	size_t n;
	atomic_size_t *next;
	found_list *out;  /* one list per commit */
	const gate_newobjs *newobjs; /* NULL: every blob is a candidate */
	git_repository *repo;        /* borrowed (thread 0) or owned */
	int own_repo;                /* this thread's index: 0 borrows the caller's */
	gate_oidmap trees; /* new trees walked into (quarantine) */
	gate_treecache *cache;
	found_list *cur;
	const gate_limits *lim;    /* NULL: none checked */
	atomic_int *hit_taken;     /* the first thread past a limit reports it */
	atomic_size_t *push_paths; /* (commit, path) pairs listed so far, all threads */
	int oom;                   /* a new tree could not be remembered */
	gate_source_hit *hit;
	const git_oid *commit;     /* the commit being listed */
	size_t ref, paths;         /* its update; paths it changed so far */
	int rc;
	char err[512];
} lister;

/* Walk callbacks return this to stop at a limit (positive: not an error). */
#define LIMIT_STOP 1

/*
 * Records that the commit being listed exceeds limit WHICH (the first thread
 * to get here wins) and returns LIMIT_STOP.  FMT describes what exceeded it.
 */
static int limit_hit(lister *l, int which, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int limit_hit(lister *l, int which, const char *fmt, ...)
{
	char hex[11];
	va_list ap;
	int expected = 0;

	if (atomic_compare_exchange_strong(l->hit_taken, &expected, 1)) {
		gate_buf b = GATE_BUF_INIT;
		char raw[400];
		size_t n;
		va_start(ap, fmt);
		vsnprintf(raw, sizeof(raw), fmt, ap);
		va_end(ap);
		git_oid_tostr(hex, sizeof(hex), l->commit);
		gate_buf_printf(&b, "commit %s: ", hex);
		gate_buf_put_escaped(&b, raw, strlen(raw));
		gate_buf_printf(&b, "; settings.limits.%s allows %u %s", gate_limit_defs[which].key,
				l->lim->value[which], gate_limit_defs[which].what);
		l->hit->which = which;
		l->hit->ref_index = l->ref;
		n = b.oom ? 0 : b.len;
		snprintf(l->hit->detail, sizeof(l->hit->detail), "%.*s", (int)n, b.oom ? "" : b.ptr);
		gate_buf_dispose(&b);
	}
	return LIMIT_STOP;
}

/*
 * The limits on one path a commit changes (ADDED: it is on the new side).
 * Every changed (commit, path) pair counts toward paths_per_push, which
 * bounds the product of commits and paths that each limit bounds alone.
 */
static int check_path(lister *l, const char *path, int added)
{
	const unsigned *v = l->lim->value;
	size_t len = strlen(path), depth = 0, i;

	if (atomic_fetch_add(l->push_paths, 1) >= v[GATE_LIMIT_PATHS_PER_PUSH])
		return limit_hit(l, GATE_LIMIT_PATHS_PER_PUSH,
				 "the push changes more than %u (commit, path) pairs in all",
				 v[GATE_LIMIT_PATHS_PER_PUSH]);
	if (!added)
		return 0;
	if (++l->paths > v[GATE_LIMIT_PATHS_PER_COMMIT])
		return limit_hit(l, GATE_LIMIT_PATHS_PER_COMMIT, "changes more than %u paths",
				 v[GATE_LIMIT_PATHS_PER_COMMIT]);
	for (i = 0; i < len; i++)
		depth += path[i] == '/';
	if (depth > v[GATE_LIMIT_TREE_DEPTH])
		return limit_hit(l, GATE_LIMIT_TREE_DEPTH, "path '%.60s...' is %zu directories deep",
				 path, depth);
	if (len > v[GATE_LIMIT_PATH_BYTES])
		return limit_hit(l, GATE_LIMIT_PATH_BYTES, "path '%.60s...' is %zu bytes long", path,
				 len);
	return 0;
}

/* The limits on one commit's header and message. */
static int check_commit(lister *l, const git_commit *c)
{
	const unsigned *v = l->lim->value;
	const char *msg = git_commit_message(c);
	size_t len = msg ? strlen(msg) : 0;
	gate_trailers t = GATE_TRAILERS_INIT;
	int rc;

	if (git_commit_parentcount(c) > v[GATE_LIMIT_PARENTS])
		return limit_hit(l, GATE_LIMIT_PARENTS, "has %u parents", git_commit_parentcount(c));
	if (len > v[GATE_LIMIT_MESSAGE_BYTES])
		return limit_hit(l, GATE_LIMIT_MESSAGE_BYTES, "its message is %zu bytes long", len);
	if ((rc = gate_trailers_parse(&t, msg ? msg : "")) < 0)
		return rc;
	rc = t.total > v[GATE_LIMIT_TRAILERS]
		     ? limit_hit(l, GATE_LIMIT_TRAILERS, "its message has %zu trailers", t.total)
		     : 0;
	gate_trailers_dispose(&t);
	return rc;
}

static int on_entry(const char *path, const git_tree_entry *o, const git_tree_entry *n, void *payload)
{
	lister *l = payload;
	found_list *f = l->cur;
	int rc;
	(void)o;
	if (l->lim && (rc = check_path(l, path, n != NULL)) != 0)
		return rc;
	/*
	 * Every path the commit adds or changes, whatever its blob: a blob
	 * already on the server (a revert, a copy, a rename) is judged again
	 * under its new path, since allow_paths, fingerprints and the content
	 * policies all depend on where the bytes are.
	 */
	if (!n || git_tree_entry_type(n) != GIT_OBJECT_BLOB ||
	    git_tree_entry_filemode(n) == GIT_FILEMODE_COMMIT)
		return 0;
	if (gate_grow(&f->items, &f->cap, f->n + 1, sizeof(*f->items)) < 0)
		return GATE_ENOMEM;
	f->items[f->n].blob = *git_tree_entry_id(n);
	if (!(f->items[f->n].path = gate_strdup(path)))
		return GATE_ENOMEM;
	f->n++;
	return 0;
}

/*
 * Every changed subtree is walked, new or not: a directory renamed to a
 * path a policy covers keeps its old tree id.  New trees are remembered, so
 * the leftovers of the quarantine need no type lookup.
 */
static int descend_new(const git_oid *tree, void *payload)
{
	lister *l = payload;
	if (l->newobjs && l->newobjs->source == GATE_NEW_FROM_QUARANTINE &&
	    gate_newobjs_is_new(l->newobjs, tree, GIT_OBJECT_TREE) &&
	    gate_oidmap_put(&l->trees, tree, 1) < 0)
		l->oom = 1;
	return 1;
}

/* Lists into L->cur the blobs commit ID introduces against its first parent. */
static int commit_found(lister *l, const git_oid *id)
{
	git_commit *c = NULL, *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	int rc;

	if ((rc = git_commit_lookup(&c, l->repo, id)) < 0 ||
	    (rc = gate_treecache_lookup(&tree, l->cache, l->repo, git_commit_tree_id(c))) < 0) {
		rc = gate_error_from_git(rc, "reading a pushed commit");
		goto out;
	}
	l->commit = id;
	l->paths = 0;
	if (l->lim && (rc = check_commit(l, c)) != 0)
		goto out;
	if (git_commit_parentcount(c) > 0) {
		if (git_commit_parent(&parent, c, 0) == 0)
			gate_treecache_lookup(&ptree, l->cache, l->repo, git_commit_tree_id(parent));
		git_error_clear();
	}
	rc = gate_treediff_cached(l->repo, ptree, tree, on_entry, descend_new, l, l->cache);
	if (rc == 0 && l->oom)
		rc = gate_error_oom();
out:
	git_tree_free(ptree);
	git_commit_free(parent);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

#define LIST_RUN 32

static void *list_work(void *arg)
{
	lister *l = arg;
	int rc = 0;

	if ((l->own_repo && (rc = gate_repo_open_reader(&l->repo, l->repo)) < 0) ||
	    (rc = gate_treecache_new(&l->cache)) < 0)
		goto out;
	for (;;) {
		/* runs of consecutive commits, whose trees the cache carries over */
		size_t i = atomic_fetch_add(l->next, LIST_RUN), end = i + LIST_RUN;
		if (i >= l->n)
			break;
		for (; i < end && i < l->n; i++) {
			gate_treecache_next(l->cache);
			l->cur = &l->out[i];
			l->ref = l->commits[i].ref;
			if ((rc = commit_found(l, &l->commits[i].id)) != 0) {
				atomic_store(l->next, l->n); /* stop the other threads too */
				if (rc == LIMIT_STOP)
					rc = 0; /* the push is rejected: nothing more to list */
				goto out;
			}
		}
	}
out:
	gate_treecache_free(l->cache);
	if (rc < 0)
		snprintf(l->err, sizeof(l->err), "%s", gate_error_last());
	l->rc = rc;
	if (l->own_repo)
		git_repository_free(l->repo);
	return NULL;
}

static void found_dispose(found_list *f)
{
	size_t i;
	for (i = 0; i < f->n; i++)
		gate_free(f->items[i].path);
	gate_free(f->items);
	memset(f, 0, sizeof(*f));
}

/*
 * Adds to SRC the blobs COMMITS (oldest first) introduce, each against its
 * first parent: the tree comparisons run on several threads, each with its
 * own repository handle, and their results are claimed in commit order, so a
 * blob is attributed to the oldest commit that brought it.  TREES, when not
 * NULL, receives every new tree walked into.
 */
static int list_commits(gate_source *src, git_repository *repo, const commit_ref *commits,
		      size_t n, const gate_newobjs *newobjs, gate_oidmap *trees,
		      const gate_limits *lim)
{
	unsigned threads = n < 32 ? 1 : gate_source_threads();
	atomic_size_t next = 0;
	atomic_int hit_taken = 0;
	atomic_size_t push_paths = 0;
	found_list *out;
	lister *ls;
	pthread_t *tids;
	size_t i, j, started = 0;
	int rc = 0;

	if (!n)
		return 0;
	out = gate_calloc(n, sizeof(*out));
	ls = gate_calloc(threads, sizeof(*ls));
	tids = gate_calloc(threads, sizeof(*tids));
	if (!out || !ls || !tids) {
		rc = GATE_ENOMEM;
		goto done;
	}
	for (i = 0; i < threads; i++) {
		ls[i].commits = commits;
		ls[i].n = n;
		ls[i].next = &next;
		ls[i].out = out;
		ls[i].newobjs = newobjs;
		ls[i].lim = lim;
		ls[i].hit_taken = &hit_taken;
		ls[i].push_paths = &push_paths;
		ls[i].hit = &src->hit;
		ls[i].repo = repo;
		ls[i].own_repo = (int)i; /* libgit2: one repository handle per thread */
	}
	for (i = 1; i < threads; i++) {
		if (pthread_create(&tids[i], NULL, list_work, &ls[i]) != 0)
			break;
		started = i;
	}
	list_work(&ls[0]);
	for (i = 1; i <= started; i++)
		pthread_join(tids[i], NULL);
	for (i = 0; i < threads && rc == 0; i++)
		if (ls[i].rc < 0)
			rc = gate_error_set(ls[i].rc, "%s", ls[i].err);
	if (src->hit.which >= 0)
		goto done; /* to be rejected whole: nothing to claim */
	/* claimed in commit order: the oldest commit that brought a blob names it */
	for (i = 0; i < n && rc == 0; i++)
		for (j = 0; j < out[i].n && rc == 0; j++) {
			found *f = &out[i].items[j];
			rc = gate_source_add(src, &f->blob, f->path, &commits[i].id, commits[i].ref);
			f->path = NULL; /* taken over */
		}
	if (rc == 0)
		rc = gate_source_dedupe(src);
	for (i = 0; trees && i < threads && rc == 0; i++)
		for (j = 0; j < ls[i].trees.cap && rc == 0; j++)
			if (ls[i].trees.used[j])
				rc = gate_oidmap_put(trees, &ls[i].trees.keys[j], 1);
done:
	for (i = 0; out && i < n; i++)
		found_dispose(&out[i]);
	for (i = 0; ls && i < threads; i++)
		gate_oidmap_dispose(&ls[i].trees);
	gate_free(out);
	gate_free(ls);
	gate_free(tids);
	return rc;
}

/*
 * The quarantine's objects no commit comparison met (a blob only under a
 * tag, an object no ref reaches): their type is read now, and the blobs
 * among them are listed without a path.
 */
static int list_leftovers(gate_source *src, git_repository *repo, const gate_newobjs *newobjs,
			 const gate_oidmap *trees, size_t ref)
{
	const gate_oidmap *t = &newobjs->types;
	git_odb *odb = NULL;
	size_t i, size;
	git_object_t type;
	int rc;

	if ((rc = git_repository_odb(&odb, repo)) < 0)
		return gate_error_from_git(rc, "opening the object store");
	for (i = 0; i < t->cap && rc == 0; i++) {
		if (!t->used[i] || t->vals[i] != GATE_NEW_UNTYPED ||
		    gate_oidmap_get(&src->claimed, &t->keys[i], NULL) ||
		    gate_oidmap_get(trees, &t->keys[i], NULL))
			continue;
		if ((rc = git_odb_read_header(&size, &type, odb, &t->keys[i])) < 0)
			rc = gate_error_from_git(rc, "reading a pushed object");
		else if (type == GIT_OBJECT_BLOB) {
			char *none = gate_strdup("");
			rc = none ? gate_source_add(src, &t->keys[i], none, NULL, ref) : GATE_ENOMEM;
		}
	}
	git_odb_free(odb);
	return rc;
}

typedef struct {
	const gate_newobjs *newobjs;
	gate_oidmap visited;
	commit_ref *commits;
	size_t n, cap;
} collect_ctx;

static int new_unvisited(const git_oid *id, void *payload)
{
	collect_ctx *c = payload;
	return gate_newobjs_has_commit(c->newobjs, id) && !gate_oidmap_get(&c->visited, id, NULL);
}

static int collect_commit(git_commit *commit, size_t ref, void *payload)
{
	collect_ctx *c = payload;
	commit_ref *r;
	if (gate_oidmap_put(&c->visited, git_commit_id(commit), ref) < 0 ||
	    gate_grow(&c->commits, &c->cap, c->n + 1, sizeof(*c->commits)) < 0)
		return GATE_ENOMEM;
	r = &c->commits[c->n];
	r->id = *git_commit_id(commit);
	r->time = git_commit_time(commit);
	r->ref = ref;
	r->seen = c->n++;
	return 0;
}

int gate_source_push(gate_source *src, git_repository *repo, const gate_push *push,
			   const gate_newobjs *newobjs, const gate_limits *limits)
{
	gate_oidmap trees = GATE_OIDMAP_INIT;
	collect_ctx c;
	commit_ref *commits;
	size_t n, k, first_ref = 0;
	int rc, have_first = 0;

	for (k = 0; k < push->count && !have_first; k++)
		if (push->items[k].kind != GATE_UPD_DELETE) {
			first_ref = k;
			have_first = 1;
		}
	memset(&c, 0, sizeof(c));
	c.newobjs = newobjs;
	rc = gate_newobjs_walk(repo, push, new_unvisited, collect_commit, &c);
	commits = c.commits;
	n = c.n;
	/* oldest first, so a blob is attributed to the commit that introduced it */
	if (rc == 0 && n)
		qsort(commits, n, sizeof(*commits), by_time);
	if (rc == 0)
		rc = list_commits(src, repo, commits, n, newobjs, &trees, limits);
	if (rc == 0 && src->hit.which < 0 && newobjs->source == GATE_NEW_FROM_QUARANTINE &&
	    have_first)
		rc = list_leftovers(src, repo, newobjs, &trees, first_ref);
	gate_oidmap_dispose(&c.visited);
	gate_oidmap_dispose(&trees);
	gate_free(commits);
	return rc;
}

/* ---- blobs and trees a ref names directly --------------------------------------- */

typedef struct {
	gate_source *src;
	const gate_limits *limits;
	const char *ref;
	size_t ref_index, paths;
	int rc;
} direct_ctx;

/* Sets SRC->hit for limit WHICH, found in the tree REF names. */
static void direct_hit(direct_ctx *c, int which, const char *what)
{
	gate_buf b = GATE_BUF_INIT;
	gate_buf_puts(&b, "the tree ");
	gate_buf_put_escaped(&b, c->ref, strlen(c->ref));
	gate_buf_printf(&b, " names %s", what);
	c->src->hit.which = which;
	c->src->hit.ref_index = c->ref_index;
	snprintf(c->src->hit.detail, sizeof(c->src->hit.detail), "%s",
		 b.oom ? "a tree past a limit" : gate_buf_cstr(&b));
	gate_buf_dispose(&b);
}

static int direct_each(const char *root, const git_tree_entry *e, void *payload)
{
	direct_ctx *c = payload;
	const char *name = git_tree_entry_name(e);
	size_t depth = 0;
	const char *p;
	char what[160];
	gate_buf path = GATE_BUF_INIT;

	for (p = root; *p; p++)
		depth += *p == '/';
	if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		if (c->limits && depth + 1 > c->limits->value[GATE_LIMIT_TREE_DEPTH]) {
			snprintf(what, sizeof(what), "directories nested deeper than %u (settings.limits.tree_depth)",
				 c->limits->value[GATE_LIMIT_TREE_DEPTH]);
			direct_hit(c, GATE_LIMIT_TREE_DEPTH, what);
			return -1;
		}
		return 0;
	}
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0; /* a submodule's commit lives elsewhere */
	if (c->limits && ++c->paths > c->limits->value[GATE_LIMIT_PATHS_PER_COMMIT]) {
		snprintf(what, sizeof(what), "more than %u paths (settings.limits.paths_per_commit)",
			 c->limits->value[GATE_LIMIT_PATHS_PER_COMMIT]);
		direct_hit(c, GATE_LIMIT_PATHS_PER_COMMIT, what);
		return -1;
	}
	gate_buf_printf(&path, "%s%s", root, name);
	if (path.oom) {
		c->rc = GATE_ENOMEM;
		return -1;
	}
	if ((c->rc = gate_source_add(c->src, git_tree_entry_id(e), gate_buf_detach(&path), NULL,
					c->ref_index)) < 0)
		return -1;
	return 0;
}

int gate_source_direct(gate_source *src, git_repository *repo, const gate_push *push,
			     const gate_newobjs *newobjs, const gate_limits *limits)
{
	size_t k;
	int rc = 0;

	if (newobjs->source == GATE_NEW_FROM_QUARANTINE)
		return 0; /* the quarantine listing holds every new blob, named or not */
	for (k = 0; rc == 0 && k < push->count && src->hit.which < 0; k++) {
		const gate_update *u = &push->items[k];
		git_object *obj = NULL, *target = NULL;
		if (u->kind == GATE_UPD_DELETE)
			continue;
		if ((rc = git_object_lookup(&obj, repo, &u->new_id, GIT_OBJECT_ANY)) < 0) {
			rc = gate_error_from_git(rc, u->ref);
			break;
		}
		/* through any chain of annotated tags to what they finally name */
		rc = git_object_type(obj) == GIT_OBJECT_TAG ? git_tag_peel(&target, (git_tag *)obj)
							    : git_object_dup(&target, obj);
		if (rc < 0) {
			rc = gate_error_from_git(rc, u->ref);
		} else if (git_object_type(target) == GIT_OBJECT_BLOB) {
			char *path = gate_strdup("");
			rc = path ? gate_source_add(src, git_object_id(target), path, NULL, k)
				  : GATE_ENOMEM;
		} else if (git_object_type(target) == GIT_OBJECT_TREE) {
			direct_ctx c;
			memset(&c, 0, sizeof(c));
			c.src = src;
			c.limits = limits;
			c.ref = u->ref;
			c.ref_index = k;
			rc = git_tree_walk((git_tree *)target, GIT_TREEWALK_PRE, direct_each, &c);
			if (c.rc < 0)
				rc = c.rc;
			else if (rc < 0 && src->hit.which >= 0)
				rc = 0; /* stopped at a limit: the hit says which */
			else if (rc < 0)
				rc = gate_error_from_git(rc, u->ref);
			git_error_clear();
		}
		git_object_free(target);
		git_object_free(obj);
	}
	return rc;
}

int gate_source_range(gate_source *src, git_repository *repo, const char *revspec)
{
	git_revwalk *walk = NULL;
	commit_ref *commits = NULL;
	size_t n = 0, cap = 0;
	git_oid id;
	int rc;

	if ((rc = git_revwalk_new(&walk, repo)) < 0)
		return gate_error_from_git(rc, "starting a revision walk");
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	if (strstr(revspec, ".."))
		rc = git_revwalk_push_range(walk, revspec);
	else {
		git_object *obj = NULL;
		rc = git_revparse_single(&obj, repo, revspec);
		if (rc == 0)
			rc = git_revwalk_push(walk, git_object_id(obj));
		git_object_free(obj);
	}
	if (rc < 0) {
		rc = gate_error_from_git(rc, revspec);
		goto out;
	}
	while ((rc = git_revwalk_next(&id, walk)) == 0) {
		if (gate_grow(&commits, &cap, n + 1, sizeof(*commits)) < 0) {
			rc = GATE_ENOMEM;
			goto out;
		}
		memset(&commits[n], 0, sizeof(*commits));
		commits[n++].id = id;
	}
	if (rc != GIT_ITEROVER) {
		rc = gate_error_from_git(rc, "walking the range");
		goto out;
	}
	rc = list_commits(src, repo, commits, n, NULL, NULL, NULL);
out:
	gate_free(commits);
	git_revwalk_free(walk);
	return rc;
}

/* ---- the staged index ------------------------------------------------------------ */

int gate_source_index(gate_source *src, git_repository *repo)
{
	git_index *idx = NULL;
	git_object *head = NULL;
	git_tree *tree = NULL;
	size_t i, n;
	int rc;

	if ((rc = git_repository_index(&idx, repo)) < 0)
		return gate_error_from_git(rc, "reading the index");
	if (git_revparse_single(&head, repo, "HEAD^{tree}") == 0)
		tree = (git_tree *)head;
	git_error_clear();
	n = git_index_entrycount(idx);
	for (i = 0; i < n && rc == 0; i++) {
		const git_index_entry *e = git_index_get_byindex(idx, i);
		git_tree_entry *te = NULL;
		char *path;
		if (!e || e->mode == GIT_FILEMODE_COMMIT || git_index_entry_stage(e) != 0)
			continue;
		if (tree && git_tree_entry_bypath(&te, tree, e->path) == 0 &&
		    git_oid_equal(git_tree_entry_id(te), &e->id)) {
			git_tree_entry_free(te);
			continue;
		}
		git_tree_entry_free(te);
		git_error_clear();
		path = gate_strdup(e->path);
		rc = path ? gate_source_add(src, &e->id, path, NULL, 0) : GATE_ENOMEM;
	}
	git_object_free(head);
	git_index_free(idx);
	return rc;
}

/* ---- files on disk ---------------------------------------------------------------- */

/* Appends the file PATH (taken over) to SRC. */
static int add_file(gate_source *src, char *path)
{
	gate_source_item *it;
	if (!path || gate_grow(&src->items, &src->cap, src->count + 1, sizeof(*it)) < 0) {
		gate_free(path);
		return GATE_ENOMEM;
	}
	it = &src->items[src->count++];
	memset(it, 0, sizeof(*it));
	it->path = path;
	return 0;
}

/*
 * Lists the regular files under directory PATH into SRC, ".git" left out.
 * The directory entries' types spare a stat per file; symlinks are not
 * followed (their targets are not content here).
 */
static int list_dir(gate_source *src, const char *path, int depth)
{
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (depth > 256)
		return gate_error_set(GATE_ELIMIT, "%s: directories nested too deep", path);
	if (!(d = opendir(path)))
		return gate_error_set(GATE_EIO, "%s: %s", path, strerror(errno));
	while (rc == 0 && (e = readdir(d))) {
		gate_buf child = GATE_BUF_INIT;
		unsigned char type = e->d_type;
		struct stat sb;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".git"))
			continue;
		gate_buf_printf(&child, "%s/%s", path, e->d_name);
		if (child.oom) {
			rc = GATE_ENOMEM;
		} else if (type == DT_UNKNOWN && lstat(child.ptr, &sb) < 0) {
			rc = gate_error_set(GATE_ENOTFOUND, "%s: %s", child.ptr, strerror(errno));
		} else {
			if (type == DT_UNKNOWN) /* file systems that do not say */
				type = S_ISDIR(sb.st_mode) ? DT_DIR : S_ISREG(sb.st_mode) ? DT_REG : DT_LNK;
			if (type == DT_DIR)
				rc = list_dir(src, child.ptr, depth + 1);
			else if (type == DT_REG)
				rc = add_file(src, gate_buf_detach(&child));
		}
		gate_buf_dispose(&child);
	}
	closedir(d);
	return rc;
}

int gate_source_files(gate_source *src, const char *path)
{
	struct stat sb;

	if (src->count && !src->on_disk)
		return gate_error_set(GATE_EINVAL, "%s: a source of blobs holds no files on disk", path);
	src->on_disk = 1;
	if (lstat(path, &sb) < 0)
		return gate_error_set(GATE_ENOTFOUND, "%s: %s", path, strerror(errno));
	if (S_ISDIR(sb.st_mode))
		return list_dir(src, path, 0);
	return S_ISREG(sb.st_mode) ? add_file(src, gate_strdup(path)) : 0;
}

const char *gate_source_path(const gate_source *src, size_t i)
{
	const char *p = src->items[i].path;
	return src->on_disk && !strncmp(p, "./", 2) ? p + 2 : p; /* shown without a leading "./" */
}
