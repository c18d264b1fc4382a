/*
 * The content-check driver (see check.h): one parallel reader over a
 * source, each blob read once, its bytes handed to every check that applies
 * at each of its paths.
 *
 * Trust: the bytes are pushed or committed content, read under the largest
 * bound an applying check sets (a blob's size comes from its header before
 * anything is loaded).  Threads take the items in turn, each with its own
 * repository handle (libgit2 wants one per thread) and its own state per
 * check; what they find is put back in source order afterwards, so the
 * results do not depend on which thread finished first.  Memory stays
 * bounded by one blob per thread and, for findings, by twice the cap.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content/check.h"
#include "git/repo.h"
#include "util/common.h"

/* Most checks in one run. */
#define GATE_CONTENT_MAX_CHECKS 32

/* What every thread shares: the checks, the source grouped by blob, the next group. */
typedef struct {
	const gate_content_check *checks;
	size_t n_checks;
	const gate_source *src;
	git_repository *repo;
	const gate_content_opts *opts;
	size_t *order;  /* item indices, grouped by blob (files: one group each) */
	size_t *start;  /* group G: order[start[G]] .. order[start[G + 1] - 1] */
	size_t groups;
	atomic_size_t next;
	unsigned long long bytes; /* read by every thread, once they are joined */
} run_ctx;

typedef struct {
	run_ctx *r;
	unsigned thread;
	git_repository *repo; /* the caller's (thread 0) or a reader of its own */
	git_odb *odb;
	void **states;        /* one per check, from its open */
	unsigned char *want;  /* the current group's paths x checks: the check applies */
	size_t cap_want;
	gate_policy_findings kept, scratch;
	unsigned long long bytes;
	double next_progress;
	int rc;
	char err[512];
} worker;

/* One group's bytes. */
typedef struct {
	const char *data; /* NULL: not read */
	size_t len;       /* their length, or the size of what was not read */
	int too_large;    /* over every applying check's bound */
	void *hold;       /* the object or buffer to release */
} blob_bytes;

/* ---- findings in source order -------------------------------------------------------- */

static void finding_free(gate_policy_finding *f)
{
	gate_free(f->check);
	gate_free(f->path);
	gate_free(f->found);
	gate_free(f->fix);
}

typedef struct {
	size_t origin, pos;
} finding_key;

static int by_origin(const void *a, const void *b)
{
	const finding_key *x = a, *y = b;
	if (x->origin != y->origin)
		return x->origin < y->origin ? -1 : 1;
	return x->pos < y->pos ? -1 : (x->pos > y->pos);
}

/*
 * Sorts F by origin, keeping the order found within one origin (one item's
 * findings all come from one thread, in order), and keeps the first KEEP:
 * the rest are freed and counted in F->dropped.  0 or GATE_ENOMEM.
 */
static int order_findings(gate_policy_findings *f, size_t keep)
{
	finding_key *k;
	gate_policy_finding *sorted;
	size_t i;

	if (f->count < 2 && f->count <= keep)
		return 0;
	k = gate_calloc(f->count, sizeof(*k));
	sorted = gate_calloc(f->count, sizeof(*sorted));
	if (!k || !sorted) {
		gate_free(k);
		gate_free(sorted);
		return gate_error_oom();
	}
	for (i = 0; i < f->count; i++) {
		k[i].origin = f->items[i].origin;
		k[i].pos = i;
	}
	qsort(k, f->count, sizeof(*k), by_origin);
	for (i = 0; i < f->count; i++)
		sorted[i] = f->items[k[i].pos];
	for (i = keep; i < f->count; i++) {
		finding_free(&sorted[i]);
		f->dropped++;
	}
	gate_free(k);
	gate_free(f->items);
	f->items = sorted;
	f->cap = f->count;
	if (f->count > keep)
		f->count = keep;
	return 0;
}

/* Moves FROM's findings to the end of TO, tagged with *ORIGIN (NULL: as they are). */
static int move_findings(gate_policy_findings *to, gate_policy_findings *from, const size_t *origin)
{
	size_t i;
	if (from->count &&
	    gate_grow(&to->items, &to->cap, to->count + from->count, sizeof(*to->items)) < 0)
		return gate_error_oom();
	for (i = 0; i < from->count; i++) {
		to->items[to->count] = from->items[i];
		if (origin)
			to->items[to->count].origin = *origin;
		to->count++;
	}
	to->dropped += from->dropped;
	from->count = from->dropped = 0;
	/* a thread keeps at most twice the cap: the first ones in source order are what counts */
	return to->count > 2 * GATE_POLICY_FINDINGS_MAX ? order_findings(to, GATE_POLICY_FINDINGS_MAX)
							: 0;
}

/* ---- reading ------------------------------------------------------------------------ */

static size_t group_size(const run_ctx *r, size_t g)
{
	return r->start[g + 1] - r->start[g];
}

static const gate_source_item *group_item(const run_ctx *r, size_t g, size_t k, size_t *index)
{
	*index = r->order[r->start[g] + k];
	return &r->src->items[*index];
}

/* Reads group G's bytes under MAX: a blob (its header first), or a file on disk. */
static int read_group(worker *w, size_t g, size_t max, blob_bytes *b)
{
	size_t index, size;
	const gate_source_item *it = group_item(w->r, g, 0, &index);
	git_odb_object *obj;
	git_object_t type;
	char *data;
	int rc;

	memset(b, 0, sizeof(*b));
	if (w->r->src->on_disk) {
		rc = gate_read_regular(&data, &size, it->path, max);
		if (rc == GATE_ENOTFOUND) {
			gate_error_clear(); /* removed since the walk listed it: nothing to read */
			return 0;
		}
		if (rc == GATE_READ_NOT_REGULAR)
			return 0; /* a symlink or a device now: not content */
		if (rc == GATE_READ_TOO_LARGE) {
			b->too_large = 1;
			b->len = size;
			return 0;
		}
		if (rc < 0)
			return rc;
		b->data = b->hold = data;
		b->len = size;
		return 0;
	}
	/* the size first: a blob over every bound is never loaded */
	if ((rc = git_odb_read_header(&size, &type, w->odb, &it->blob)) < 0)
		return gate_error_from_git(rc, "reading a pushed blob");
	if (size > max) {
		b->too_large = 1;
		b->len = size;
		return 0;
	}
	if ((rc = git_odb_read(&obj, w->odb, &it->blob)) < 0)
		return gate_error_from_git(rc, "reading a pushed blob");
	b->data = git_odb_object_data(obj);
	b->len = git_odb_object_size(obj);
	b->hold = obj;
	return 0;
}

static void release(const run_ctx *r, blob_bytes *b)
{
	if (!b->hold)
		return;
	if (r->src->on_disk)
		gate_free(b->hold);
	else
		git_odb_object_free(b->hold);
}

/* ---- one group ------------------------------------------------------------------------ */

/*
 * Marks in W->want which checks apply at each of group G's N paths, and sets
 * *MAX to the largest bound among them.  How many (path, check) pairs apply
 * (none: the bytes are never read), or GATE_ENOMEM.
 */
static long wanted(worker *w, size_t g, size_t n, size_t *max)
{
	const run_ctx *r = w->r;
	size_t k, c, index;
	long count = 0;

	*max = 0;
	if (gate_grow(&w->want, &w->cap_want, n * r->n_checks + 1, 1) < 0)
		return gate_error_oom();
	for (k = 0; k < n; k++) {
		const char *path;
		group_item(r, g, k, &index);
		path = gate_source_path(r->src, index);
		for (c = 0; c < r->n_checks; c++) {
			unsigned char *want = &w->want[k * r->n_checks + c];
			*want = r->checks[c].applies(r->checks[c].cfg, path) == 1;
			if (!*want)
				continue;
			count++;
			if (r->checks[c].max_bytes > *max)
				*max = r->checks[c].max_bytes;
		}
	}
	return count;
}

/* Reads group G once and hands its bytes to every check that applies, path by path. */
static int run_group(worker *w, size_t g)
{
	const run_ctx *r = w->r;
	size_t n = group_size(r, g), max, k, c;
	unsigned char fresh[GATE_CONTENT_MAX_CHECKS];
	blob_bytes b;
	long want = wanted(w, g, n, &max);
	int rc;

	if (want <= 0)
		return (int)want;
	if ((rc = read_group(w, g, max, &b)) < 0)
		return rc;
	w->bytes += b.data ? b.len : 0;
	memset(fresh, 1, sizeof(fresh));
	for (k = 0; rc == 0 && k < n; k++) {
		gate_content_item it;
		memset(&it, 0, sizeof(it));
		it.item = group_item(r, g, k, &it.index);
		it.path = gate_source_path(r->src, it.index);
		if (r->src->on_disk)
			it.item = NULL;
		for (c = 0; rc == 0 && c < r->n_checks; c++) {
			const gate_content_check *ch = &r->checks[c];
			if (!w->want[k * r->n_checks + c])
				continue;
			it.too_large = b.too_large || (b.data && b.len > ch->max_bytes);
			it.data = it.too_large ? NULL : b.data;
			it.len = b.len;
			it.fresh = fresh[c];
			fresh[c] = 0;
			rc = ch->check(ch->cfg, w->states[c], &it, &w->scratch);
			if (rc == 0)
				rc = move_findings(&w->kept, &w->scratch, &it.index);
		}
	}
	release(r, &b);
	return rc;
}

/* ---- threads --------------------------------------------------------------------------- */

static int worker_open(worker *w)
{
	const run_ctx *r = w->r;
	size_t c;
	int rc;

	if (!(w->states = gate_calloc(r->n_checks ? r->n_checks : 1, sizeof(*w->states))))
		return gate_error_oom();
	if (!r->src->on_disk) {
		w->repo = r->repo;
		/* libgit2: one repository handle per thread */
		if (w->thread && (rc = gate_repo_open_reader(&w->repo, r->repo)) < 0) {
			w->repo = NULL;
			return rc;
		}
		if ((rc = git_repository_odb(&w->odb, w->repo)) < 0)
			return gate_error_from_git(rc, "opening the object store");
	}
	for (c = 0; c < r->n_checks; c++)
		if (r->checks[c].open && (rc = r->checks[c].open(r->checks[c].cfg, &w->states[c])) < 0)
			return rc;
	return 0;
}

static void *work(void *arg)
{
	worker *w = arg;
	run_ctx *r = w->r;
	const gate_content_opts *o = r->opts;
	int rc = worker_open(w);

	while (rc == 0) {
		size_t g = atomic_fetch_add(&r->next, 1);
		if (g >= r->groups)
			break;
		if (o->deadline > 0 && gate_now_ms() > o->deadline) {
			rc = gate_error_set(GATE_ELIMIT, "time budget of %u ms (settings.time_budget_ms) "
							 "exceeded while scanning for secrets: %zu of %zu "
							 "blobs done", o->budget_ms, g, r->groups);
			break;
		}
		rc = run_group(w, g);
		if (rc == 0 && o->progress && w->thread == 0 && gate_now_ms() >= w->next_progress) {
			w->next_progress = gate_now_ms() + 200;
			o->progress(g, r->groups, w->bytes, o->progress_payload);
		}
	}
	if (rc < 0) {
		atomic_store(&r->next, r->groups); /* stop the other threads too */
		snprintf(w->err, sizeof(w->err), "%s", gate_error_last());
	}
	w->rc = rc;
	git_odb_free(w->odb);
	if (w->thread && w->repo)
		git_repository_free(w->repo);
	w->odb = NULL;
	w->repo = NULL;
	return NULL;
}

/*
 * After the threads: their errors (the first thread's first), each check's
 * close in thread order, and their findings into OUT in source order.
 */
static int join_workers(gate_policy_findings *out, run_ctx *r, worker *ws, unsigned threads)
{
	gate_policy_findings all = GATE_POLICY_FINDINGS_INIT;
	size_t c, keep;
	unsigned i;
	int rc = 0, crc;

	for (i = 0; i < threads; i++) {
		if (ws[i].rc < 0 && rc == 0)
			rc = gate_error_set(ws[i].rc, "%s", ws[i].err);
		r->bytes += ws[i].bytes;
		for (c = 0; ws[i].states && c < r->n_checks; c++)
			if (ws[i].states[c] && r->checks[c].close &&
			    (crc = r->checks[c].close(r->checks[c].cfg, ws[i].states[c])) < 0 && rc == 0)
				rc = crc;
		if ((crc = move_findings(&all, &ws[i].kept, NULL)) < 0 && rc == 0)
			rc = crc;
		gate_free(ws[i].states);
		gate_free(ws[i].want);
		gate_policy_findings_dispose(&ws[i].kept);
		gate_policy_findings_dispose(&ws[i].scratch);
	}
	keep = !out ? 0 : out->count < GATE_POLICY_FINDINGS_MAX ? GATE_POLICY_FINDINGS_MAX - out->count : 0;
	if ((crc = order_findings(&all, keep)) < 0 && rc == 0)
		rc = crc;
	if (out && rc == 0 && (crc = move_findings(out, &all, NULL)) < 0)
		rc = crc;
	gate_policy_findings_dispose(&all);
	return rc;
}

/* ---- the run --------------------------------------------------------------------------- */

typedef struct {
	const git_oid *blob;
	size_t i;
} blob_key;

/* By blob, then index (the oldest first). */
static int by_blob(const void *a, const void *b)
{
	const blob_key *x = a, *y = b;
	int c = git_oid_cmp(x->blob, y->blob);
	return c ? c : x->i < y->i ? -1 : (x->i > y->i);
}

/*
 * Groups R's source into items to read: one a blob, with every item (path)
 * it is at, or one a file on disk.  0 or GATE_ENOMEM.
 */
static int group(run_ctx *r)
{
	const gate_source *src = r->src;
	blob_key *k = NULL;
	size_t i;

	r->order = gate_calloc(src->count ? src->count : 1, sizeof(*r->order));
	r->start = gate_calloc(src->count + 1, sizeof(*r->start));
	if (!r->order || !r->start || (!src->on_disk && !(k = gate_calloc(src->count ? src->count : 1,
									     sizeof(*k)))))
		return gate_error_oom();
	for (i = 0; i < src->count; i++) {
		r->order[i] = i;
		if (k) {
			k[i].blob = &src->items[i].blob;
			k[i].i = i;
		}
	}
	if (k)
		qsort(k, src->count, sizeof(*k), by_blob);
	for (i = 0; i < src->count; i++) {
		if (k)
			r->order[i] = k[i].i;
		if (!k || !i || !git_oid_equal(k[i].blob, k[i - 1].blob))
			r->start[r->groups++] = i;
	}
	r->start[r->groups] = src->count;
	gate_free(k);
	return 0;
}

/* Runs R's groups on THREADS threads, the first the caller's, and joins them into OUT. */
static int run_threads(gate_policy_findings *out, run_ctx *r, unsigned threads)
{
	worker *ws = gate_calloc(threads, sizeof(*ws));
	pthread_t *tids = gate_calloc(threads, sizeof(*tids));
	unsigned i, started = 0;
	int rc;

	if (!ws || !tids) {
		gate_free(ws);
		gate_free(tids);
		return gate_error_oom();
	}
	for (i = 0; i < threads; i++) {
		ws[i].r = r;
		ws[i].thread = i;
	}
	for (i = 1; i < threads; i++) {
		if (pthread_create(&tids[i], NULL, work, &ws[i]) != 0)
			break;
		started = i;
	}
	work(&ws[0]);
	for (i = 1; i <= started; i++)
		pthread_join(tids[i], NULL);
	rc = join_workers(out, r, ws, started + 1);
	gate_free(ws);
	gate_free(tids);
	return rc;
}

int gate_content_run(gate_policy_findings *out, const gate_content_check *checks, size_t n,
		     const gate_source *src, git_repository *repo, const gate_content_opts *opts)
{
	gate_content_opts none = GATE_CONTENT_OPTS_INIT;
	run_ctx r;
	unsigned threads;
	size_t c, begun = 0;
	int rc = 0, erc;

	if (n > GATE_CONTENT_MAX_CHECKS)
		return gate_error_set(GATE_EINVAL, "%zu content checks: at most %d run at once", n,
				      GATE_CONTENT_MAX_CHECKS);
	memset(&r, 0, sizeof(r));
	r.checks = checks;
	r.n_checks = n;
	r.src = src;
	r.repo = repo;
	r.opts = opts ? opts : &none;
	atomic_init(&r.next, 0);
	if (!n || !src->count)
		return 0;
	for (c = 0; c < n && rc == 0; c++) {
		if (checks[c].begin && (rc = checks[c].begin(checks[c].cfg, src, repo)) < 0)
			break;
		begun = c + 1;
	}
	if (rc == 0)
		rc = group(&r);
	if (rc == 0) {
		threads = r.opts->threads ? r.opts->threads : gate_source_threads();
		rc = run_threads(out, &r, r.groups < 16 ? 1 : threads); /* few: one thread */
	}
	if (r.opts->progress)
		r.opts->progress(src->count, src->count, r.bytes, r.opts->progress_payload);
	for (c = 0; c < begun; c++)
		if (checks[c].end && (erc = checks[c].end(checks[c].cfg, src, repo)) < 0 && rc == 0)
			rc = erc;
	gate_free(r.order);
	gate_free(r.start);
	return rc;
}
