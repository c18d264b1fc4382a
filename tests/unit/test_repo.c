/*
 * The extra handles on a repository's objects (src/repo.h) share the pack
 * files of the handle gate_repo_open gives: libgit2 keys its pack
 * structures by the path string, and a second spelling of the same
 * directory ("repo.git//objects", "repo.git/./objects") maps the pack and
 * its index again and gives it a delta-base cache of its own.  Checked by
 * counting the pack's mappings in /proc/self/maps after a read through
 * every handle, in a plain repository and under a push quarantine laid out
 * as git lays it out (GIT_OBJECT_DIRECTORY for the pushed objects,
 * GIT_ALTERNATE_OBJECT_DIRECTORIES naming the repository's own store).
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/common.h"
#include "git/repo.h"

static char dir[] = "/tmp/gate-repo-XXXXXX";
static char old_blob[GIT_OID_HEXSZ + 1], new_blob[GIT_OID_HEXSZ + 1];
static char old_pack[128], new_pack[128]; /* "pack-<id>.pack" */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Runs CMD with sh in DIR; its first line of output into OUT (NULL: none wanted). */
static void sh(char *out, size_t len, const char *cmd)
{
	char full[2048];
	FILE *p;
	snprintf(full, sizeof(full), "cd '%s' && %s", dir, cmd);
	p = popen(full, "r");
	cr_assert_not_null(p, "popen: %s", strerror(errno));
	if (out) {
		cr_assert_not_null(fgets(out, (int)len, p), "no output from: %s", cmd);
		out[strcspn(out, "\n")] = '\0';
	}
	cr_assert_eq(pclose(p), 0, "failed: %s", cmd);
}

/*
 * r.git holds OLD_BLOB in a pack of its own; r.git/objects/q (a push
 * quarantine) holds NEW_BLOB in another.
 */
static void setup(void)
{
	static const char *const inherited[] = { "GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR",
						 "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
						 "GIT_QUARANTINE_PATH", "GIT_INDEX_FILE" };
	size_t i;
	/* run from a hook, the suite would inherit a repository of its own */
	for (i = 0; i < sizeof(inherited) / sizeof(*inherited); i++)
		unsetenv(inherited[i]);
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	git_libgit2_init();
	sh(NULL, 0, "git init -q --bare r.git && mkdir -p r.git/objects/q/pack");
	sh(old_blob, sizeof(old_blob), "echo old | git --git-dir=r.git hash-object -w --stdin");
	sh(NULL, 0, "git --git-dir=r.git rev-list --all >/dev/null; "
		    "git --git-dir=r.git cat-file --batch-all-objects --batch-check='%(objectname)' | "
		    "git --git-dir=r.git pack-objects -q r.git/objects/pack/pack >/dev/null && "
		    "git --git-dir=r.git prune-packed");
	sh(new_blob, sizeof(new_blob),
	   "echo new | GIT_OBJECT_DIRECTORY=r.git/objects/q git --git-dir=r.git hash-object -w --stdin");
	sh(NULL, 0, "GIT_OBJECT_DIRECTORY=r.git/objects/q git --git-dir=r.git cat-file --batch-all-objects "
		    "--batch-check='%(objectname)' | GIT_OBJECT_DIRECTORY=r.git/objects/q git --git-dir=r.git "
		    "pack-objects -q r.git/objects/q/pack/pack >/dev/null && "
		    "GIT_OBJECT_DIRECTORY=r.git/objects/q git --git-dir=r.git prune-packed");
	sh(old_pack, sizeof(old_pack), "cd r.git/objects/pack && ls *.pack");
	sh(new_pack, sizeof(new_pack), "cd r.git/objects/q/pack && ls *.pack");
}

static void teardown(void)
{
	git_libgit2_shutdown();
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(repo, .init = setup, .fini = teardown);

/* How many times the file named NAME (under the test's directory) is mapped into this process. */
static int mappings(const char *name)
{
	char line[4096];
	size_t n = strlen(name);
	int count = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\n");
		line[len] = '\0';
		count += len > n && line[len - n - 1] == '/' && !strcmp(line + len - n, name) &&
			 strstr(line, dir) != NULL;
	}
	fclose(f);
	return count;
}

static void read_blob(git_odb *odb, const char *hex)
{
	git_oid id;
	git_odb_object *obj = NULL;
	cr_assert_eq(git_oid_fromstr(&id, hex), 0);
	cr_assert_eq(git_odb_read(&obj, odb, &id), 0, "reading %s: %s", hex,
		     git_error_last() ? git_error_last()->message : "?");
	git_odb_object_free(obj);
}

/*
 * Reads each blob of BLOBS (N) through the main handle, two readers and the
 * main store, then expects each of the N packs PACKS mapped once.
 */
static void read_everywhere(const char *const *blobs, const char *const *packs, size_t n)
{
	git_repository *repo = NULL, *r[2] = { NULL, NULL };
	git_odb *odb = NULL, *store = NULL;
	size_t i, k;

	cr_assert_eq(gate_repo_open(&repo), 0, "%s", gate_error_last());
	cr_assert_eq(git_repository_odb(&odb, repo), 0);
	for (i = 0; i < n; i++)
		read_blob(odb, blobs[i]);
	git_odb_free(odb);
	for (k = 0; k < 2; k++) {
		cr_assert_eq(gate_repo_open_reader(&r[k], repo), 0, "%s", gate_error_last());
		cr_assert_eq(git_repository_odb(&odb, r[k]), 0);
		for (i = 0; i < n; i++)
			read_blob(odb, blobs[i]);
		git_odb_free(odb);
	}
	cr_assert_eq(gate_repo_open_main_store(&store, repo), 0, "%s", gate_error_last());
	read_blob(store, old_blob);
	{
		/* the store is what was there before the push: never the quarantine */
		git_oid id;
		cr_assert_eq(git_oid_fromstr(&id, new_blob), 0);
		cr_expect_eq(git_odb_exists(store, &id), 0, "the main store sees the pushed blob");
	}
	for (i = 0; i < n; i++)
		cr_expect_eq(mappings(packs[i]), 1, "%s is mapped %d times", packs[i], mappings(packs[i]));
	git_odb_free(store);
	git_repository_free(r[1]);
	git_repository_free(r[0]);
	git_repository_free(repo);
}

Test(repo, readers_share_the_packs_of_a_plain_repository)
{
	const char *blobs[] = { old_blob }, *packs[] = { old_pack };
	char gitdir[256];
	snprintf(gitdir, sizeof(gitdir), "%s/r.git", dir);
	setenv("GIT_DIR", gitdir, 1);
	read_everywhere(blobs, packs, 1);
}

Test(repo, readers_share_the_packs_under_a_push_quarantine)
{
	const char *blobs[] = { old_blob, new_blob }, *packs[] = { old_pack, new_pack };
	char gitdir[256], q[256], alt[256];
	/* as git receive-pack sets them: the store spelled with "/./" */
	snprintf(gitdir, sizeof(gitdir), "%s/r.git", dir);
	snprintf(q, sizeof(q), "%s/r.git/./objects/q", dir);
	snprintf(alt, sizeof(alt), "%s/r.git/./objects", dir);
	setenv("GIT_DIR", gitdir, 1);
	setenv("GIT_QUARANTINE_PATH", q, 1);
	setenv("GIT_OBJECT_DIRECTORY", q, 1);
	setenv("GIT_ALTERNATE_OBJECT_DIRECTORIES", alt, 1);
	read_everywhere(blobs, packs, 2);
}
