/*
 * bench-readblobs: the floor for scanning a push's blobs.  Reads every blob
 * once with libgit2 on one thread (git_odb_read) and prints
 *
 *     blobs N bytes B seconds S
 *
 * usage: bench-readblobs [--all] [--no-verify] REPO
 *
 *   blob ids come on stdin, one per line (only the first 40 hex digits of a
 *   line count; shorter lines are skipped); with --all, every blob in REPO's
 *   object store instead.  --no-verify turns off libgit2's strict hash
 *   verification of each object read (on by default, as in the hooks), which
 *   is what git cat-file does.
 *
 * Only the reading loop is timed (not the id parsing, not opening the
 * repository), so it is what any scanner of these blobs must at least spend.
 * Part of `make bench`; not installed.
 */
#define _POSIX_C_SOURCE 200809L
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
	git_oid *ids;
	size_t n, cap;
} oid_list;

static int push_oid(oid_list *l, const git_oid *id)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 4096;
		git_oid *p = realloc(l->ids, cap * sizeof(*p));
		if (!p)
			return -1;
		l->ids = p;
		l->cap = cap;
	}
	git_oid_cpy(&l->ids[l->n++], id);
	return 0;
}

typedef struct {
	git_odb *odb;
	oid_list *list;
} all_ctx;

static int each_object(const git_oid *id, void *payload)
{
	all_ctx *c = payload;
	size_t size;
	git_object_t type;
	if (git_odb_read_header(&size, &type, c->odb, id) < 0)
		return -1;
	return type == GIT_OBJECT_BLOB ? push_oid(c->list, id) : 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what)
{
	const git_error *e = git_error_last();
	fprintf(stderr, "bench-readblobs: %s: %s\n", what, e && e->message ? e->message : "failed");
	return 2;
}

int main(int argc, char **argv)
{
	git_repository *repo = NULL;
	git_odb *odb = NULL;
	oid_list list = { NULL, 0, 0 };
	unsigned long long bytes = 0;
	int all = 0, verify = 1, a;
	const char *path = NULL;
	char line[256];
	size_t i;
	double t0, t1;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--all"))
			all = 1;
		else if (!strcmp(argv[a], "--no-verify"))
			verify = 0;
		else if (!path && argv[a][0] != '-')
			path = argv[a];
		else {
			path = NULL; /* unknown option or a second REPO */
			break;
		}
	}
	if (!path) {
		fprintf(stderr, "usage: bench-readblobs [--all] [--no-verify] REPO   (blob ids on stdin without --all)\n");
		return 2;
	}
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, verify);
	if (git_repository_open_bare(&repo, path) < 0 && git_repository_open(&repo, path) < 0)
		return die(path);
	if (git_repository_odb(&odb, repo) < 0)
		return die("opening the object store");
	if (all) {
		all_ctx c = { odb, &list };
		if (git_odb_foreach(odb, each_object, &c) < 0)
			return die("listing objects");
	} else {
		while (fgets(line, sizeof(line), stdin)) {
			git_oid id;
			if (strlen(line) < GIT_OID_HEXSZ)
				continue;
			if (git_oid_fromstrn(&id, line, GIT_OID_HEXSZ) < 0)
				return die("parsing a blob id");
			if (push_oid(&list, &id) < 0) {
				fprintf(stderr, "bench-readblobs: out of memory\n");
				return 2;
			}
		}
	}

	t0 = now();
	for (i = 0; i < list.n; i++) {
		git_odb_object *obj;
		if (git_odb_read(&obj, odb, &list.ids[i]) < 0)
			return die("reading a blob");
		bytes += git_odb_object_size(obj);
		git_odb_object_free(obj);
	}
	t1 = now();

	printf("blobs %zu bytes %llu seconds %.6f\n", list.n, bytes, t1 - t0);
	free(list.ids);
	git_odb_free(odb);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return 0;
}
