/*
 * Specification of the tree comparison (src/treediff.h): exactly the paths
 * whose entries differ between two trees are reported (added, removed,
 * modified, mode changed), a subtree whose id did not change is never
 * opened, a file replaced by a directory (and back) reports both sides, and
 * the callback can stop the walk.
 *
 * Trees are built with libgit2 in a bare repository under a mkdtemp
 * directory; each change is written as "A path" (added), "D path" (removed)
 * or "M path" (changed), one per line, in the order the walk reports them.
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "tmprepo.h"
#include "git/treediff.h"

static char repo_dir[] = "/tmp/gate-treediff-XXXXXX";
static git_repository *repo;

static void repo_up(void)
{
	tmprepo_up(repo_dir, &repo);
}

static void repo_down(void)
{
	tmprepo_down(repo_dir, &repo);
}

TestSuite(treediff, .init = repo_up, .fini = repo_down);

/* ---- building trees --------------------------------------------------------------- */

typedef struct {
	const char *path;
	const char *content;  /* a blob's bytes; for a gitlink, the commit id in hex */
	git_filemode_t mode;  /* 0: GIT_FILEMODE_BLOB */
} file;

#define END { NULL, NULL, 0 }

static git_oid blob_of(const char *content)
{
	git_oid id;
	cr_assert_eq(git_blob_create_from_buffer(&id, repo, content, strlen(content)), 0, "%s",
		     git_error_last() ? git_error_last()->message : "");
	return id;
}

/* The tree holding FILES (up to END), nested directories made as needed. */
static git_tree *tree_of(const file *files)
{
	git_tree_update up[64];
	git_oid id;
	git_tree *t;
	size_t n;

	for (n = 0; files[n].path; n++) {
		cr_assert_lt(n, GATE_ARRAY_SIZE(up));
		memset(&up[n], 0, sizeof(up[n]));
		up[n].action = GIT_TREE_UPDATE_UPSERT;
		up[n].path = files[n].path;
		up[n].filemode = files[n].mode ? files[n].mode : GIT_FILEMODE_BLOB;
		if (up[n].filemode == GIT_FILEMODE_COMMIT)
			cr_assert_eq(git_oid_fromstr(&up[n].id, files[n].content), 0);
		else
			up[n].id = blob_of(files[n].content);
	}
	cr_assert_eq(git_tree_create_updated(&id, repo, NULL, n, up), 0, "%s",
		     git_error_last() ? git_error_last()->message : "");
	cr_assert_eq(git_tree_lookup(&t, repo, &id), 0);
	return t;
}

/* ---- collecting what the walk reports -------------------------------------------- */

typedef struct {
	gate_buf out;
	size_t calls;
	size_t stop_at;  /* return stop_rc from this call (1-based); 0: never */
	int stop_rc;     /* 0: STOP_RC */
	int bad_args;    /* a call with both entries NULL, or one with a NULL path */
} collector;

#define STOP_RC 42

static int collect(const char *path, const git_tree_entry *old, const git_tree_entry *new_entry,
		   void *payload)
{
	collector *c = payload;

	c->calls++;
	if (!path || (!old && !new_entry)) {
		c->bad_args = 1;
		return 0;
	}
	gate_buf_printf(&c->out, "%c %s\n", !old ? 'A' : !new_entry ? 'D' : 'M', path);
	if (c->stop_at && c->calls == c->stop_at)
		return c->stop_rc ? c->stop_rc : STOP_RC;
	return 0;
}

/* Walks OLD against NEW (freeing both) and expects exactly WANT. */
static void expect_diff(git_tree *old, git_tree *new_tree, const char *want)
{
	collector c;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = gate_treediff(repo, old, new_tree, collect, &c);
	cr_expect_eq(rc, 0, "gate_treediff: %d %s", rc, gate_error_last());
	cr_expect_eq(c.bad_args, 0, "the callback got a NULL path or two NULL entries");
	cr_expect_str_eq(gate_buf_cstr(&c.out), want);
	gate_buf_dispose(&c.out);
	git_tree_free(old);
	git_tree_free(new_tree);
}

/* ---- the rules -------------------------------------------------------------------- */

static const file base[] = {
	{ "README", "hello\n", 0 },
	{ "src/main.c", "int main(void) { return 0; }\n", 0 },
	{ "src/util.c", "/* util */\n", 0 },
	{ "run.sh", "#!/bin/sh\n", 0 },
	END,
};

Test(treediff, identical_trees_report_nothing)
{
	expect_diff(tree_of(base), tree_of(base), "");
}

Test(treediff, added_file_is_reported_with_no_old_entry)
{
	static const file after[] = {
		{ "README", "hello\n", 0 },
		{ "src/main.c", "int main(void) { return 0; }\n", 0 },
		{ "src/util.c", "/* util */\n", 0 },
		{ "run.sh", "#!/bin/sh\n", 0 },
		{ "NEWS", "new\n", 0 },
		END,
	};
	expect_diff(tree_of(base), tree_of(after), "A NEWS\n");
}

Test(treediff, removed_file_is_reported_with_no_new_entry)
{
	static const file after[] = {
		{ "src/main.c", "int main(void) { return 0; }\n", 0 },
		{ "src/util.c", "/* util */\n", 0 },
		{ "run.sh", "#!/bin/sh\n", 0 },
		END,
	};
	expect_diff(tree_of(base), tree_of(after), "D README\n");
}

Test(treediff, modified_file_is_reported_with_both_entries)
{
	static const file after[] = {
		{ "README", "hello, world\n", 0 },
		{ "src/main.c", "int main(void) { return 0; }\n", 0 },
		{ "src/util.c", "/* util */\n", 0 },
		{ "run.sh", "#!/bin/sh\n", 0 },
		END,
	};
	expect_diff(tree_of(base), tree_of(after), "M README\n");
}

static int check_mode_change(const char *path, const git_tree_entry *old,
			     const git_tree_entry *new_entry, void *payload)
{
	int *seen = payload;
	cr_expect_str_eq(path, "run.sh");
	cr_assert(old && new_entry);
	cr_expect_eq(git_tree_entry_filemode(old), GIT_FILEMODE_BLOB);
	cr_expect_eq(git_tree_entry_filemode(new_entry), GIT_FILEMODE_BLOB_EXECUTABLE);
	cr_expect(git_oid_equal(git_tree_entry_id(old), git_tree_entry_id(new_entry)),
		  "same content, only the mode changed");
	(*seen)++;
	return 0;
}

Test(treediff, mode_change_alone_is_a_change)
{
	static const file after[] = {
		{ "README", "hello\n", 0 },
		{ "src/main.c", "int main(void) { return 0; }\n", 0 },
		{ "src/util.c", "/* util */\n", 0 },
		{ "run.sh", "#!/bin/sh\n", GIT_FILEMODE_BLOB_EXECUTABLE },
		END,
	};
	git_tree *a = tree_of(base), *b = tree_of(after);
	int seen = 0;

	cr_expect_eq(gate_treediff(repo, a, b, check_mode_change, &seen), 0);
	cr_expect_eq(seen, 1);
	git_tree_free(a);
	git_tree_free(b);
}

Test(treediff, file_becoming_a_symlink_to_the_same_bytes_is_a_change)
{
	static const file before[] = { { "link", "target", 0 }, END };
	static const file after[] = { { "link", "target", GIT_FILEMODE_LINK }, END };
	expect_diff(tree_of(before), tree_of(after), "M link\n");
}

Test(treediff, entries_pass_the_old_and_new_ids)
{
	static const file before[] = { { "f", "one\n", 0 }, END };
	static const file after[] = { { "f", "two\n", 0 }, END };
	git_tree *a = tree_of(before), *b = tree_of(after);
	const git_tree_entry *ea = git_tree_entry_byname(a, "f"),
			     *eb = git_tree_entry_byname(b, "f");
	git_oid one = blob_of("one\n"), two = blob_of("two\n");

	cr_assert(ea && eb);
	cr_expect(git_oid_equal(git_tree_entry_id(ea), &one));
	cr_expect(git_oid_equal(git_tree_entry_id(eb), &two));
	expect_diff(a, b, "M f\n");
}

Test(treediff, several_changes_are_reported_in_tree_order)
{
	static const file after[] = {
		{ "README", "changed\n", 0 },
		{ "src/main.c", "int main(void) { return 1; }\n", 0 },
		{ "src/new.c", "new\n", 0 },
		{ "Makefile", "all:\n", 0 },
		END,
	};
	expect_diff(tree_of(base), tree_of(after),
		    "A Makefile\n"
		    "M README\n"
		    "D run.sh\n"
		    "M src/main.c\n"
		    "A src/new.c\n"
		    "D src/util.c\n");
}

Test(treediff, nested_paths_are_reported_in_full)
{
	static const file before[] = {
		{ "a/b/c.txt", "c\n", 0 },
		{ "a/b/keep.txt", "k\n", 0 },
		{ "a/top.txt", "t\n", 0 },
		END,
	};
	static const file after[] = {
		{ "a/b/c.txt", "c2\n", 0 },
		{ "a/b/keep.txt", "k\n", 0 },
		{ "a/b/d/e/f.txt", "deep\n", 0 },
		{ "a/top.txt", "t\n", 0 },
		END,
	};
	expect_diff(tree_of(before), tree_of(after), "M a/b/c.txt\nA a/b/d/e/f.txt\n");
}

Test(treediff, a_new_directory_reports_every_file_in_it)
{
	static const file after[] = {
		{ "README", "hello\n", 0 },
		{ "src/main.c", "int main(void) { return 0; }\n", 0 },
		{ "src/util.c", "/* util */\n", 0 },
		{ "run.sh", "#!/bin/sh\n", 0 },
		{ "infra/main.tf", "x\n", 0 },
		{ "infra/modules/net/vpc.tf", "y\n", 0 },
		END,
	};
	expect_diff(tree_of(base), tree_of(after), "A infra/main.tf\nA infra/modules/net/vpc.tf\n");
}

Test(treediff, a_removed_directory_reports_every_file_in_it)
{
	static const file after[] = {
		{ "README", "hello\n", 0 },
		{ "run.sh", "#!/bin/sh\n", 0 },
		END,
	};
	expect_diff(tree_of(base), tree_of(after), "D src/main.c\nD src/util.c\n");
}

/* Removes the loose object ID from the repository, so reading it would fail. */
static void delete_object(const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1], path[512];

	git_oid_tostr(hex, sizeof(hex), id);
	snprintf(path, sizeof(path), "%s/objects/%.2s/%s", repo_dir, hex, hex + 2);
	cr_assert_eq(remove(path), 0, "%s: %s", path, strerror(errno));
}

Test(treediff, unchanged_subtree_is_never_opened)
{
	static const file before[] = {
		{ "big/a/1.txt", "1\n", 0 },
		{ "big/a/2.txt", "2\n", 0 },
		{ "big/b/3.txt", "3\n", 0 },
		{ "top.txt", "old\n", 0 },
		END,
	};
	static const file after[] = {
		{ "big/a/1.txt", "1\n", 0 },
		{ "big/a/2.txt", "2\n", 0 },
		{ "big/b/3.txt", "3\n", 0 },
		{ "top.txt", "new\n", 0 },
		END,
	};
	git_tree *a = tree_of(before), *b = tree_of(after);
	const git_tree_entry *big = git_tree_entry_byname(a, "big");
	git_oid big_id, a_id, b_id;
	collector c;

	cr_assert_not_null(big);
	git_oid_cpy(&big_id, git_tree_entry_id(big));
	git_oid_cpy(&a_id, git_tree_id(a));
	git_oid_cpy(&b_id, git_tree_id(b));
	git_tree_free(a);
	git_tree_free(b);
	/* drop "big" from the object store and reopen: opening it would now fail */
	delete_object(&big_id);
	git_repository_free(repo);
	cr_assert_eq(git_repository_open(&repo, repo_dir), 0);
	cr_assert_eq(git_tree_lookup(&a, repo, &a_id), 0);
	cr_assert_eq(git_tree_lookup(&b, repo, &b_id), 0);
	{
		git_tree *probe = NULL;
		cr_assert_neq(git_tree_lookup(&probe, repo, &big_id), 0,
			      "the subtree must be gone for this test to mean anything");
	}

	memset(&c, 0, sizeof(c));
	cr_expect_eq(gate_treediff(repo, a, b, collect, &c), 0, "%s", gate_error_last());
	cr_expect_str_eq(gate_buf_cstr(&c.out), "M top.txt\n");
	gate_buf_dispose(&c.out);
	git_tree_free(a);
	git_tree_free(b);
}

Test(treediff, a_changed_subtree_that_cannot_be_read_is_an_error)
{
	static const file before[] = { { "d/x", "1\n", 0 }, END };
	static const file after[] = { { "d/x", "2\n", 0 }, END };
	git_tree *a = tree_of(before), *b = tree_of(after);
	git_oid d_new, a_id, b_id;
	collector c;
	int rc;

	git_oid_cpy(&d_new, git_tree_entry_id(git_tree_entry_byname(b, "d")));
	git_oid_cpy(&a_id, git_tree_id(a));
	git_oid_cpy(&b_id, git_tree_id(b));
	git_tree_free(a);
	git_tree_free(b);
	delete_object(&d_new);
	git_repository_free(repo);
	cr_assert_eq(git_repository_open(&repo, repo_dir), 0);
	cr_assert_eq(git_tree_lookup(&a, repo, &a_id), 0);
	cr_assert_eq(git_tree_lookup(&b, repo, &b_id), 0);

	memset(&c, 0, sizeof(c));
	rc = gate_treediff(repo, a, b, collect, &c);
	cr_expect(rc == GATE_ENOTFOUND || rc == GATE_EGIT, "a missing tree fails the walk, got %d",
		  rc);
	cr_expect_eq(c.calls, 0, "nothing reported from the unreadable tree");
	gate_buf_dispose(&c.out);
	git_tree_free(a);
	git_tree_free(b);
}

Test(treediff, file_replaced_by_a_directory_of_the_same_name_reports_both)
{
	static const file before[] = { { "a", "file\n", 0 }, END };
	static const file after[] = { { "a/x", "x\n", 0 }, { "a/y/z", "z\n", 0 }, END };
	expect_diff(tree_of(before), tree_of(after), "D a\nA a/x\nA a/y/z\n");
}

Test(treediff, directory_replaced_by_a_file_of_the_same_name_reports_both)
{
	static const file before[] = { { "a/x", "x\n", 0 }, { "a/y/z", "z\n", 0 }, END };
	static const file after[] = { { "a", "file\n", 0 }, END };
	expect_diff(tree_of(before), tree_of(after), "A a\nD a/x\nD a/y/z\n");
}

/*
 * In git's order a directory "a" sorts as "a/", after "a-b" and "a.txt" but
 * before "a0", while a file "a" sorts first: the walk must not lose its place
 * among the neighbours when one "a" turns into the other.
 */
Test(treediff, file_to_directory_among_neighbours_that_sort_between_them)
{
	static const file before[] = {
		{ "a", "file\n", 0 },
		{ "a-b", "1\n", 0 },
		{ "a.txt", "2\n", 0 },
		{ "a0", "3\n", 0 },
		END,
	};
	static const file after[] = {
		{ "a/x", "x\n", 0 },
		{ "a-b", "1\n", 0 },
		{ "a.txt", "2\n", 0 },
		{ "a0", "3\n", 0 },
		END,
	};
	static const file after_changed[] = {
		{ "a/x", "x\n", 0 },
		{ "a-b", "1 changed\n", 0 },
		{ "a.txt", "2\n", 0 },
		{ "a0", "3 changed\n", 0 },
		END,
	};
	expect_diff(tree_of(before), tree_of(after), "D a\nA a/x\n");
	expect_diff(tree_of(after), tree_of(before), "A a\nD a/x\n");
	expect_diff(tree_of(before), tree_of(after_changed), "D a\nM a-b\nA a/x\nM a0\n");
}

Test(treediff, root_commit_reports_every_path)
{
	expect_diff(NULL, tree_of(base), "A README\nA run.sh\nA src/main.c\nA src/util.c\n");
}

Test(treediff, two_empty_trees_report_nothing)
{
	collector c;
	memset(&c, 0, sizeof(c));
	cr_expect_eq(gate_treediff(repo, NULL, NULL, collect, &c), 0);
	cr_expect_eq(c.calls, 0);
}

Test(treediff, gitlink_change_is_reported_and_not_opened)
{
	static const file before[] = {
		{ "vendor/lib", "1111111111111111111111111111111111111111", GIT_FILEMODE_COMMIT },
		END,
	};
	static const file after[] = {
		{ "vendor/lib", "2222222222222222222222222222222222222222", GIT_FILEMODE_COMMIT },
		END,
	};
	expect_diff(tree_of(before), tree_of(after), "M vendor/lib\n");
}

Test(treediff, callback_returning_non_zero_stops_the_walk)
{
	static const file after[] = {
		{ "a1", "1\n", 0 },
		{ "a2", "2\n", 0 },
		{ "a3", "3\n", 0 },
		{ "d/a4", "4\n", 0 },
		END,
	};
	collector c;
	git_tree *t = tree_of(after);
	size_t stop;

	for (stop = 1; stop <= 4; stop++) {
		memset(&c, 0, sizeof(c));
		c.stop_at = stop;
		cr_expect_eq(gate_treediff(repo, NULL, t, collect, &c), STOP_RC,
			     "the callback's value comes back (stop at call %zu)", stop);
		cr_expect_eq(c.calls, stop, "no call after the one that stopped (stop at %zu)",
			     stop);
		gate_buf_dispose(&c.out);
	}
	/* and a walk that is not stopped makes all four calls */
	memset(&c, 0, sizeof(c));
	cr_expect_eq(gate_treediff(repo, NULL, t, collect, &c), 0);
	cr_expect_eq(c.calls, 4);
	gate_buf_dispose(&c.out);
	git_tree_free(t);
}

Test(treediff, negative_callback_value_is_returned_too)
{
	static const file after[] = { { "a", "1\n", 0 }, { "b", "2\n", 0 }, END };
	collector c;
	git_tree *t = tree_of(after);

	memset(&c, 0, sizeof(c));
	c.stop_at = 1;
	c.stop_rc = -7;
	cr_expect_eq(gate_treediff(repo, NULL, t, collect, &c), -7);
	cr_expect_eq(c.calls, 1);
	gate_buf_dispose(&c.out);
	git_tree_free(t);
}

/* ---- hostile trees ------------------------------------------------------------------ */

/* A tree object written as given (ENTRIES in any order), bypassing libgit2's sorting. */
static git_tree *raw_tree(const char *const *names, const git_oid *ids, size_t n)
{
	gate_buf raw = GATE_BUF_INIT;
	git_odb *odb;
	git_oid id;
	git_tree *t;
	size_t i;

	for (i = 0; i < n; i++) {
		gate_buf_printf(&raw, "100644 %s", names[i]);
		gate_buf_put(&raw, "", 1);
		gate_buf_put(&raw, (const char *)ids[i].id, GIT_OID_RAWSZ);
	}
	cr_assert_eq(git_repository_odb(&odb, repo), 0);
	cr_assert_eq(git_odb_write(&id, odb, raw.ptr, raw.len, GIT_OBJECT_TREE), 0);
	git_odb_free(odb);
	gate_buf_dispose(&raw);
	cr_assert_eq(git_tree_lookup(&t, repo, &id), 0, "%s",
		     git_error_last() ? git_error_last()->message : "");
	return t;
}

Test(treediff, out_of_order_entries_still_report_every_changed_path)
{
	static const char *const sorted[] = { "a", "b", "c" };
	static const char *const shuffled[] = { "c", "b", "a" };
	git_oid one = blob_of("1\n"), two = blob_of("2\n");
	git_oid old_ids[3], new_ids[3];
	git_tree *a, *b;
	collector c;

	old_ids[0] = old_ids[1] = old_ids[2] = one;
	new_ids[0] = one; /* c: unchanged */
	new_ids[1] = two; /* b: changed */
	new_ids[2] = one; /* a: unchanged */
	a = raw_tree(sorted, old_ids, 3);
	b = raw_tree(shuffled, new_ids, 3);
	memset(&c, 0, sizeof(c));
	cr_expect_eq(gate_treediff(repo, a, b, collect, &c), 0);
	/* a path may be reported more than once, but a changed one never goes missing */
	cr_expect_not_null(strstr(gate_buf_cstr(&c.out), " b\n"), "got:\n%s",
			   gate_buf_cstr(&c.out));
	gate_buf_dispose(&c.out);
	git_tree_free(a);
	git_tree_free(b);
}

Test(treediff, nesting_deeper_than_the_limit_fails_with_elimit)
{
	git_oid blob = blob_of("deep\n"), id;
	git_treebuilder *tb;
	git_tree *t;
	collector c;
	int depth, rc;

	/* GATE_TREEDIFF_MAX_DEPTH directories are fine... */
	cr_assert_eq(git_treebuilder_new(&tb, repo, NULL), 0);
	cr_assert_eq(git_treebuilder_insert(NULL, tb, "f", &blob, GIT_FILEMODE_BLOB), 0);
	cr_assert_eq(git_treebuilder_write(&id, tb), 0);
	git_treebuilder_free(tb);
	for (depth = 1; depth <= GATE_TREEDIFF_MAX_DEPTH; depth++) {
		cr_assert_eq(git_treebuilder_new(&tb, repo, NULL), 0);
		cr_assert_eq(git_treebuilder_insert(NULL, tb, "d", &id, GIT_FILEMODE_TREE), 0);
		cr_assert_eq(git_treebuilder_write(&id, tb), 0);
		git_treebuilder_free(tb);
	}
	cr_assert_eq(git_tree_lookup(&t, repo, &id), 0);
	memset(&c, 0, sizeof(c));
	rc = gate_treediff(repo, NULL, t, collect, &c);
	cr_expect_eq(rc, 0, "%d directories deep: %s", GATE_TREEDIFF_MAX_DEPTH, gate_error_last());
	cr_expect_eq(c.calls, 1);
	gate_buf_dispose(&c.out);
	git_tree_free(t);

	/* ...one more is not */
	cr_assert_eq(git_treebuilder_new(&tb, repo, NULL), 0);
	cr_assert_eq(git_treebuilder_insert(NULL, tb, "d", &id, GIT_FILEMODE_TREE), 0);
	cr_assert_eq(git_treebuilder_write(&id, tb), 0);
	git_treebuilder_free(tb);
	cr_assert_eq(git_tree_lookup(&t, repo, &id), 0);
	memset(&c, 0, sizeof(c));
	rc = gate_treediff(repo, NULL, t, collect, &c);
	cr_expect_eq(rc, GATE_ELIMIT, "%d directories deep: got %d", GATE_TREEDIFF_MAX_DEPTH + 1,
		     rc);
	cr_expect_eq(c.calls, 0);
	cr_expect_not_null(strstr(gate_error_last(), "deeper"), "%s", gate_error_last());
	gate_buf_dispose(&c.out);
	git_tree_free(t);
}

/* ---- the tree cache a history walk reads through ---------------------------------- */

/* Walking a history through a cache reports exactly what plain walks report. */
Test(treediff, a_cached_history_walk_reports_what_plain_walks_report)
{
	const file v1[] = { { "src/a.c", "a1", 0 }, { "src/lib/b.c", "b1", 0 }, { "doc/x", "x", 0 }, END };
	const file v2[] = { { "src/a.c", "a2", 0 }, { "src/lib/b.c", "b1", 0 }, { "doc/x", "x", 0 }, END };
	const file v3[] = { { "src/a.c", "a2", 0 }, { "src/lib/b.c", "b2", 0 }, { "doc/y", "y", 0 }, END };
	git_tree *t[4] = { NULL, tree_of(v1), tree_of(v2), tree_of(v3) };
	gate_treecache *cache;
	size_t i;

	cr_assert_eq(gate_treecache_new(&cache), 0);
	for (i = 1; i < 4; i++) {
		collector plain, cached;
		memset(&plain, 0, sizeof(plain));
		memset(&cached, 0, sizeof(cached));
		gate_treecache_next(cache);
		cr_assert_eq(gate_treediff(repo, t[i - 1], t[i], collect, &plain), 0);
		cr_assert_eq(gate_treediff_cached(repo, t[i - 1], t[i], collect, NULL, &cached, cache), 0);
		cr_expect_str_eq(gate_buf_cstr(&cached.out), gate_buf_cstr(&plain.out), "step %zu", i);
		gate_buf_dispose(&plain.out);
		gate_buf_dispose(&cached.out);
	}
	gate_treecache_free(cache);
	for (i = 1; i < 4; i++)
		git_tree_free(t[i]);
}

/*
 * A tree read in one generation is handed out again (the same object) in the
 * next, and released once two generations went by without it.
 */
Test(treediff, the_cache_keeps_two_generations_and_releases_older_trees)
{
	const file v[] = { { "a", "1", 0 }, END };
	git_tree *t = tree_of(v), *first, *again, *later;
	git_oid id = *git_tree_id(t);
	gate_treecache *cache;

	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0); /* libgit2's own cache would hide ours */
	cr_assert_eq(gate_treecache_new(&cache), 0);
	cr_assert_eq(gate_treecache_lookup(&first, cache, repo, &id), 0);
	gate_treecache_next(cache);
	cr_assert_eq(gate_treecache_lookup(&again, cache, repo, &id), 0);
	cr_expect_eq(again, first, "the previous generation's tree is reused");
	gate_treecache_next(cache);
	gate_treecache_next(cache);
	cr_assert_eq(gate_treecache_lookup(&later, cache, repo, &id), 0);
	cr_expect_neq(later, first, "a tree two generations old is read afresh");
	cr_expect(git_oid_equal(git_tree_id(later), &id));
	git_tree_free(first);
	git_tree_free(again);
	git_tree_free(later);
	gate_treecache_free(cache);
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 1);
	git_tree_free(t);
}
