/*
 * Specification of content sources (src/content/source.h): a source keeps
 * the same bytes at two paths as two items and the same bytes at one path
 * as one (the oldest commit stands); a source of files on disk lists the
 * regular files under a directory, ".git" and symlinks left out, shows them
 * without a leading "./", and holds no blobs.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content/source.h"
#include "util/common.h"

#define C1 "0102030405060708090a0b0c0d0e0f1011121314"
#define B1 "a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4"

/* ---- items: (blob, path) --------------------------------------------------------- */

static void add(gate_source *s, const char *blob, const char *p, size_t ref)
{
	git_oid id;
	cr_assert_eq(git_oid_fromstr(&id, blob), 0);
	cr_assert_eq(gate_source_add(s, &id, strdup(p), NULL, ref), 0);
}

Test(source, keeps_the_same_bytes_at_two_paths_and_drops_a_repeat_at_one)
{
	gate_source s = GATE_SOURCE_INIT;
	size_t first = 99;
	git_oid b;

	add(&s, B1, "aaa.txt", 0);
	add(&s, B1, "deploy/pod.yaml", 1);
	add(&s, C1, "aaa.txt", 2);
	add(&s, B1, "aaa.txt", 3); /* a later commit, the same bytes at the same path */
	cr_assert_eq(gate_source_dedupe(&s), 0);
	cr_assert_eq(s.count, 3);
	cr_expect_str_eq(s.items[0].path, "aaa.txt");
	cr_expect_eq(s.items[0].ref_index, 0, "the oldest stands");
	cr_expect_str_eq(s.items[1].path, "deploy/pod.yaml");
	cr_expect_eq(s.items[2].ref_index, 2);
	cr_assert_eq(git_oid_fromstr(&b, B1), 0);
	cr_expect(gate_oidmap_get(&s.claimed, &b, &first));
	cr_expect_eq(first, 0, "a blob's claim is its first item");
	gate_source_dispose(&s);
}

/* ---- files on disk --------------------------------------------------------------- */

static char dir[] = "/tmp/gate-source-XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	cr_assert_not_null(f = fopen(path, "w"), "%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

static void sub(const char *rel)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	cr_assert_eq(mkdir(path, 0700), 0, "%s: %s", path, strerror(errno));
}

static int has(const gate_source *s, const char *shown)
{
	size_t i;
	for (i = 0; i < s->count; i++)
		if (!strcmp(gate_source_path(s, i), shown))
			return 1;
	return 0;
}

Test(source, files_under_a_directory_are_its_regular_files_without_git_or_symlinks)
{
	gate_source s = GATE_SOURCE_INIT;
	char cwd[512], target[300];
	git_oid b;

	cr_assert_not_null(mkdtemp(dir));
	sub("sub");
	sub(".git");
	put("a.txt", "a");
	put("sub/b.env", "b");
	put(".git/config", "c");
	snprintf(target, sizeof(target), "%s/a.txt", dir);
	cr_assert_eq(symlink(target, strcat(strcpy(cwd, dir), "/link")), 0);
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(chdir(dir), 0);
	cr_assert_eq(gate_source_files(&s, "."), 0, "%s", gate_error_last());
	cr_expect_eq(s.count, 2);
	cr_expect(s.on_disk);
	cr_expect(has(&s, "a.txt"), "shown without ./");
	cr_expect(has(&s, "sub/b.env"));
	cr_assert_eq(git_oid_fromstr(&b, B1), 0);
	cr_expect_eq(gate_source_add(&s, &b, strdup("x"), NULL, 0), GATE_EINVAL, "no blobs in it");
	cr_expect_eq(gate_source_files(&s, "missing"), GATE_ENOTFOUND);
	cr_assert_eq(chdir(cwd), 0);
	gate_source_dispose(&s);
	for (const char *const *p = (const char *const[]){ "link", ".git/config", "sub/b.env", "a.txt",
							  ".git", "sub", "", NULL };
	     *p; p++) {
		snprintf(target, sizeof(target), "%s/%s", dir, *p);
		remove(target);
	}
}

Test(source, a_source_of_blobs_takes_no_files)
{
	gate_source s = GATE_SOURCE_INIT;
	add(&s, B1, "a.txt", 0);
	cr_expect_eq(gate_source_files(&s, "/"), GATE_EINVAL);
	gate_source_dispose(&s);
}
