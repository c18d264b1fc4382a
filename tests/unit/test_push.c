/*
 * Specification of the push model (src/push.h): strict parsing of the hook
 * protocol (`OLD NEW REF` lines), and classification of each update against a
 * real repository built with libgit2 in a temporary directory.
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
#include "git/push.h"

#define ZERO "0000000000000000000000000000000000000000"
#define OID_A "1111111111111111111111111111111111111111"
#define OID_B "abcdef0123456789abcdef0123456789abcdef01"

static void libgit2_up(void) { git_libgit2_init(); }
static void libgit2_down(void) { git_libgit2_shutdown(); }

TestSuite(push, .init = libgit2_up, .fini = libgit2_down);

/* ---- gate_push_add ---------------------------------------------------------- */

Test(push, add_parses_ids_ref_and_kind)
{
	gate_push p = GATE_PUSH_INIT;
	char hex[GIT_OID_HEXSZ + 1];

	cr_assert_eq(gate_push_add(&p, OID_A, OID_B, "refs/heads/main"), 0, "%s",
		     gate_error_last());
	cr_assert_eq(p.count, 1);
	cr_expect_str_eq(p.items[0].ref, "refs/heads/main");
	cr_expect_str_eq(git_oid_tostr(hex, sizeof(hex), &p.items[0].old_id), OID_A);
	cr_expect_str_eq(git_oid_tostr(hex, sizeof(hex), &p.items[0].new_id), OID_B);
	/* until classified, an update between two ids reads as a fast-forward */
	cr_expect_eq(p.items[0].kind, GATE_UPD_FAST_FORWARD);
	cr_expect_eq(p.items[0].is_tag, 0);
	cr_expect_eq(p.items[0].annotated, 0);
	cr_expect_eq(p.items[0].new_type, GIT_OBJECT_INVALID);
	gate_push_dispose(&p);
	cr_expect_eq(p.count, 0);
	cr_expect_null(p.items);
}

Test(push, zero_old_id_is_a_create_and_zero_new_id_a_delete)
{
	gate_push p = GATE_PUSH_INIT;

	cr_assert_eq(gate_push_add(&p, ZERO, OID_A, "refs/heads/new"), 0);
	cr_assert_eq(gate_push_add(&p, OID_A, ZERO, "refs/heads/old"), 0);
	cr_assert_eq(p.count, 2);
	cr_expect_eq(p.items[0].kind, GATE_UPD_CREATE);
	cr_expect_eq(p.items[1].kind, GATE_UPD_DELETE);
	gate_push_dispose(&p);
}

Test(push, both_ids_zero_is_a_delete_of_a_ref_believed_absent)
{
	gate_push p = GATE_PUSH_INIT;

	/* git push origin :refs/heads/gone sends it; classify decides whether it is a no-op */
	cr_assert_eq(gate_push_add(&p, ZERO, ZERO, "refs/heads/gone"), 0);
	cr_assert_eq(p.count, 1);
	cr_expect_eq(p.items[0].kind, GATE_UPD_DELETE);
	cr_expect_eq(p.items[0].noop, 0, "only classify, which sees the repository, may call it a no-op");
	gate_push_dispose(&p);
}

Test(push, tags_are_recognised_by_their_namespace)
{
	static const struct {
		const char *ref;
		int is_tag;
	} cases[] = {
		{ "refs/tags/v1.0", 1 },
		{ "refs/tags/release/2024", 1 },
		{ "refs/heads/tags/v1", 0 },
		{ "refs/heads/main", 0 },
		{ "refs/tagsx/v1", 0 },
		{ "refs/notes/commits", 0 },
	};
	gate_push p = GATE_PUSH_INIT;
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		cr_assert_eq(gate_push_add(&p, ZERO, OID_A, cases[i].ref), 0, "%s", cases[i].ref);
		cr_expect_eq(p.items[i].is_tag, cases[i].is_tag, "%s", cases[i].ref);
	}
	gate_push_dispose(&p);
}

Test(push, malformed_object_ids_are_refused)
{
	static const struct {
		const char *old_hex, *new_hex, *why;
	} cases[] = {
		{ "ABCDEF0123456789abcdef0123456789abcdef01", OID_A, "upper-case hex" },
		{ OID_A, "ABCDEF0123456789ABCDEF0123456789ABCDEF01", "upper-case new" },
		{ "111111111111111111111111111111111111111", OID_A, "39 characters" },
		{ "11111111111111111111111111111111111111111", OID_A, "41 characters" },
		{ OID_A, "", "empty" },
		{ "g111111111111111111111111111111111111111", OID_A, "not hex" },
		{ " 111111111111111111111111111111111111111", OID_A, "leading space" },
		{ "1111111111111111111111111111111111111111111111111111111111111111", OID_A,
		  "sha256 length" },
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		gate_push p = GATE_PUSH_INIT;
		cr_expect_eq(gate_push_add(&p, cases[i].old_hex, cases[i].new_hex, "refs/heads/main"),
			     GATE_EINVAL, "%s accepted", cases[i].why);
		cr_expect_eq(p.count, 0, "%s", cases[i].why);
		gate_push_dispose(&p);
	}
}

Test(push, invalid_ref_names_are_refused)
{
	static const char *const bad[] = {
		"refs/heads/a..b", "refs/heads/x.lock", "heads/main", "main", "HEAD",
		"refs/heads/a b", "refs/heads/a~1", "refs/heads/a^", "refs/heads/a:b",
		"refs/heads/a\\b", "refs/heads/", "refs/heads//x", "refs/heads/.hidden",
		"refs/heads/x/", "refs/heads/a@{1}", "refs/heads/a?", "refs/heads/a*",
		"refs/heads/[x", "refs/heads/\x1b[31m", "refs/heads/a\x01b", "",
		"refs/heads/x.", "/refs/heads/x",
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(bad); i++) {
		gate_push p = GATE_PUSH_INIT;
		cr_expect_eq(gate_push_add(&p, ZERO, OID_A, bad[i]), GATE_EINVAL, "'%s' accepted",
			     bad[i]);
		cr_expect_eq(p.count, 0);
		gate_push_dispose(&p);
	}
}

/*
 * Regression (found by this test, fixed): git's check_refname_format() refuses DEL (0x7F) like every other
 * control byte, but libgit2's git_reference_name_is_valid(), which
 * gate_push_add() relies on, accepts it, so gatehouse judges a ref name git
 * itself would call invalid.  See the report.
 */
Test(push, ref_name_with_del_is_refused)
{
	gate_push p = GATE_PUSH_INIT;

	cr_expect_eq(gate_push_add(&p, ZERO, OID_A, "refs/heads/a\x7f" "b"), GATE_EINVAL);
	cr_expect_eq(p.count, 0);
	gate_push_dispose(&p);
}

Test(push, ref_name_longer_than_the_limit_is_refused_as_a_reached_bound)
{
	gate_push p = GATE_PUSH_INIT;
	char *ref = malloc(GATE_REF_MAX + 2);

	cr_assert_not_null(ref);
	memcpy(ref, "refs/heads/", 11);
	memset(ref + 11, 'a', GATE_REF_MAX + 1 - 11);
	ref[GATE_REF_MAX + 1] = '\0'; /* one byte over */
	/* GATE_ELIMIT: a bound the push reached, which on_error: allow never lets through */
	cr_expect_eq(gate_push_add(&p, ZERO, OID_A, ref), GATE_ELIMIT);
	cr_expect_eq(p.count, 0);
	gate_push_dispose(&p);
	free(ref);
}

Test(push, kind_names)
{
	cr_expect_str_eq(gate_update_kind_name(GATE_UPD_CREATE), "create");
	cr_expect_str_eq(gate_update_kind_name(GATE_UPD_DELETE), "delete");
	cr_expect_str_eq(gate_update_kind_name(GATE_UPD_FAST_FORWARD), "fast-forward");
	cr_expect_str_eq(gate_update_kind_name(GATE_UPD_FORCE), "force");
}

/* ---- gate_push_read ------------------------------------------------------------ */

/* Runs gate_push_read over TEXT (LEN bytes) with MAX refs into P. */
static int read_text(gate_push *p, const char *text, size_t len, size_t max)
{
	FILE *fp;
	int rc;

	fp = fmemopen((void *)text, len, "r");
	cr_assert_not_null(fp, "fmemopen: %s", strerror(errno));
	rc = gate_push_read(p, fp, max);
	fclose(fp);
	return rc;
}

#define READ(p, lit, max) read_text((p), (lit), sizeof(lit) - 1, (max))

Test(push, read_parses_every_line_in_order)
{
	gate_push p = GATE_PUSH_INIT;

	cr_assert_eq(READ(&p,
			  ZERO " " OID_A " refs/heads/new\n"
			  OID_A " " OID_B " refs/heads/main\n"
			  OID_B " " ZERO " refs/tags/old\n",
			  100),
		     0, "%s", gate_error_last());
	cr_assert_eq(p.count, 3);
	cr_expect_str_eq(p.items[0].ref, "refs/heads/new");
	cr_expect_eq(p.items[0].kind, GATE_UPD_CREATE);
	cr_expect_str_eq(p.items[1].ref, "refs/heads/main");
	cr_expect_eq(p.items[1].kind, GATE_UPD_FAST_FORWARD);
	cr_expect_str_eq(p.items[2].ref, "refs/tags/old");
	cr_expect_eq(p.items[2].kind, GATE_UPD_DELETE);
	cr_expect_eq(p.items[2].is_tag, 1);
	gate_push_dispose(&p);
}

Test(push, read_of_empty_input_is_an_empty_push)
{
	gate_push p = GATE_PUSH_INIT;
	cr_expect_eq(read_text(&p, "", 0, 100), 0);
	cr_expect_eq(p.count, 0);
	gate_push_dispose(&p);
}

Test(push, read_refuses_malformed_lines)
{
	static const struct {
		const char *why;
		const char *text;
	} cases[] = {
		{ "no trailing newline", ZERO " " OID_A " refs/heads/new" },
		{ "no newline on the last line",
		  ZERO " " OID_A " refs/heads/a\n" ZERO " " OID_A " refs/heads/b" },
		{ "two spaces between ids", ZERO "  " OID_A " refs/heads/new\n" },
		{ "two spaces before ref", ZERO " " OID_A "  refs/heads/new\n" },
		{ "trailing space", ZERO " " OID_A " refs/heads/new \n" },
		{ "leading space", " " ZERO " " OID_A " refs/heads/new\n" },
		{ "tab separator", ZERO "\t" OID_A " refs/heads/new\n" },
		{ "carriage return", ZERO " " OID_A " refs/heads/new\r\n" },
		{ "carriage return inside", ZERO " " OID_A " refs/heads/n\rew\n" },
		{ "blank line", "\n" },
		{ "only two fields", ZERO " " OID_A "\n" },
		{ "four fields", ZERO " " OID_A " refs/heads/a refs/heads/b\n" },
		{ "invalid ref", ZERO " " OID_A " refs/heads/a..b\n" },
		{ "upper-case hex", ZERO " ABCDEF0123456789ABCDEF0123456789ABCDEF01 refs/heads/x\n" },
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		gate_push p = GATE_PUSH_INIT;
		cr_expect_eq(read_text(&p, cases[i].text, strlen(cases[i].text), 100), GATE_EINVAL,
			     "%s accepted", cases[i].why);
		gate_push_dispose(&p);
	}
}

Test(push, read_names_the_line_that_failed)
{
	gate_push p = GATE_PUSH_INIT;

	cr_expect_eq(READ(&p,
			  ZERO " " OID_A " refs/heads/a\n"
			  ZERO " " OID_A " refs/heads/b\n"
			  ZERO " " OID_A " refs/heads/c..d\n",
			  100),
		     GATE_EINVAL);
	cr_expect(strstr(gate_error_last(), "line 3") != NULL, "%s", gate_error_last());
	gate_push_dispose(&p);
}

Test(push, read_refuses_an_overlong_line)
{
	gate_push p = GATE_PUSH_INIT;
	gate_buf b = GATE_BUF_INIT;
	size_t i;

	gate_buf_puts(&b, ZERO " " OID_A " refs/heads/");
	for (i = 0; i < GATE_REF_MAX + 100; i++)
		gate_buf_puts(&b, "a");
	gate_buf_puts(&b, "\n");
	cr_expect_eq(read_text(&p, b.ptr, b.len, 100), GATE_EINVAL);
	cr_expect_eq(p.count, 0);
	gate_push_dispose(&p);
	gate_buf_dispose(&b);
}

Test(push, read_stops_at_max_refs)
{
	gate_push p = GATE_PUSH_INIT;
	const char text[] = ZERO " " OID_A " refs/heads/a\n"
			    ZERO " " OID_A " refs/heads/b\n"
			    ZERO " " OID_A " refs/heads/c\n";

	cr_expect_eq(READ(&p, text, 2), GATE_ELIMIT);
	cr_expect(p.count <= 2);
	gate_push_dispose(&p);

	cr_expect_eq(READ(&p, text, 3), 0, "exactly max_refs lines are fine");
	cr_expect_eq(p.count, 3);
	gate_push_dispose(&p);
}

/* ---- classification against a real repository ----------------------------------- */

static char repo_dir[] = "/tmp/gate-push-XXXXXX";
static git_repository *repo;
static git_signature *sig;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void repo_up(void)
{
	cr_assert_not_null(mkdtemp(repo_dir), "mkdtemp: %s", strerror(errno));
	cr_assert_eq(git_repository_init(&repo, repo_dir, 1), 0);
	cr_assert_eq(git_signature_new(&sig, "Test", "test@example.com", 1700000000, 0), 0);
}

static void repo_down(void)
{
	git_signature_free(sig);
	git_repository_free(repo);
	nftw(repo_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A commit holding one file with CONTENT, on PARENT (NULL for a root). */
static git_oid commit(const git_oid *parent, const char *content)
{
	git_oid blob, tree_id, id;
	git_treebuilder *tb;
	git_tree *tree;
	git_commit *pc = NULL;

	cr_assert_eq(git_blob_create_from_buffer(&blob, repo, content, strlen(content)), 0);
	cr_assert_eq(git_treebuilder_new(&tb, repo, NULL), 0);
	cr_assert_eq(git_treebuilder_insert(NULL, tb, "file", &blob, GIT_FILEMODE_BLOB), 0);
	cr_assert_eq(git_treebuilder_write(&tree_id, tb), 0);
	git_treebuilder_free(tb);
	cr_assert_eq(git_tree_lookup(&tree, repo, &tree_id), 0);
	if (parent)
		cr_assert_eq(git_commit_lookup(&pc, repo, parent), 0);
	cr_assert_eq(git_commit_create_v(&id, repo, NULL, sig, sig, NULL, content, tree,
					 parent ? 1 : 0, pc),
		     0);
	git_commit_free(pc);
	git_tree_free(tree);
	return id;
}

/* An annotated tag object (no ref) named NAME pointing at TARGET. */
static git_oid annotated_tag(const char *name, const git_oid *target)
{
	git_object *obj;
	git_oid id;

	cr_assert_eq(git_object_lookup(&obj, repo, target, GIT_OBJECT_ANY), 0);
	cr_assert_eq(git_tag_annotation_create(&id, repo, name, obj, sig, "release"), 0);
	git_object_free(obj);
	return id;
}

/* Parses and classifies one update OLD -> NEW of REF into *U (a copy). */
static int classify(gate_update *u, const git_oid *old_id, const git_oid *new_id,
		    const char *ref)
{
	char old_hex[GIT_OID_HEXSZ + 1], new_hex[GIT_OID_HEXSZ + 1];
	gate_push p = GATE_PUSH_INIT;
	int rc;

	if (old_id)
		git_oid_tostr(old_hex, sizeof(old_hex), old_id);
	else
		memcpy(old_hex, ZERO, sizeof(old_hex));
	if (new_id)
		git_oid_tostr(new_hex, sizeof(new_hex), new_id);
	else
		memcpy(new_hex, ZERO, sizeof(new_hex));
	cr_assert_eq(gate_push_add(&p, old_hex, new_hex, ref), 0, "%s", gate_error_last());
	rc = gate_update_classify(&p.items[0], repo);
	*u = p.items[0];
	u->ref = NULL; /* freed with the push */
	gate_push_dispose(&p);
	return rc;
}

Test(push, descendant_is_a_fast_forward, .init = repo_up, .fini = repo_down)
{
	git_oid c1 = commit(NULL, "one"), c2 = commit(&c1, "two"), c3 = commit(&c2, "three");
	gate_update u;

	cr_assert_eq(classify(&u, &c1, &c2, "refs/heads/main"), 0, "%s", gate_error_last());
	cr_expect_eq(u.kind, GATE_UPD_FAST_FORWARD);
	cr_expect_eq(u.new_type, GIT_OBJECT_COMMIT);
	cr_expect_eq(u.annotated, 0);
	cr_assert_eq(classify(&u, &c1, &c3, "refs/heads/main"), 0);
	cr_expect_eq(u.kind, GATE_UPD_FAST_FORWARD, "two commits ahead is still a fast-forward");
}

Test(push, rewinding_a_branch_is_a_force_push, .init = repo_up, .fini = repo_down)
{
	git_oid c1 = commit(NULL, "one"), c2 = commit(&c1, "two");
	gate_update u;

	cr_assert_eq(classify(&u, &c2, &c1, "refs/heads/main"), 0);
	cr_expect_eq(u.kind, GATE_UPD_FORCE);
}

Test(push, diverged_history_is_a_force_push, .init = repo_up, .fini = repo_down)
{
	git_oid base = commit(NULL, "base");
	git_oid ours = commit(&base, "ours"), theirs = commit(&base, "theirs");
	git_oid unrelated = commit(NULL, "unrelated root");
	gate_update u;

	cr_assert_eq(classify(&u, &ours, &theirs, "refs/heads/main"), 0);
	cr_expect_eq(u.kind, GATE_UPD_FORCE);
	cr_assert_eq(classify(&u, &ours, &unrelated, "refs/heads/main"), 0);
	cr_expect_eq(u.kind, GATE_UPD_FORCE, "an unrelated history replaces the branch");
}

Test(push, moving_a_tag_is_a_force_push_even_forward, .init = repo_up, .fini = repo_down)
{
	git_oid c1 = commit(NULL, "one"), c2 = commit(&c1, "two");
	gate_update u;

	cr_assert_eq(classify(&u, &c1, &c2, "refs/tags/v1"), 0);
	cr_expect_eq(u.is_tag, 1);
	cr_expect_eq(u.kind, GATE_UPD_FORCE);
}

Test(push, creating_an_annotated_tag_is_detected, .init = repo_up, .fini = repo_down)
{
	git_oid c1 = commit(NULL, "one");
	git_oid tag = annotated_tag("v1", &c1);
	gate_update u;

	cr_assert_eq(classify(&u, NULL, &tag, "refs/tags/v1"), 0);
	cr_expect_eq(u.kind, GATE_UPD_CREATE);
	cr_expect_eq(u.is_tag, 1);
	cr_expect_eq(u.annotated, 1);
	cr_expect_eq(u.new_type, GIT_OBJECT_TAG);

	cr_assert_eq(classify(&u, NULL, &c1, "refs/tags/v1-light"), 0);
	cr_expect_eq(u.kind, GATE_UPD_CREATE);
	cr_expect_eq(u.annotated, 0, "a lightweight tag is not annotated");
	cr_expect_eq(u.new_type, GIT_OBJECT_COMMIT);
}

Test(push, creating_a_branch_stays_a_create, .init = repo_up, .fini = repo_down)
{
	git_oid c1 = commit(NULL, "one");
	gate_update u;

	cr_assert_eq(classify(&u, NULL, &c1, "refs/heads/feature"), 0);
	cr_expect_eq(u.kind, GATE_UPD_CREATE);
	cr_expect_eq(u.new_type, GIT_OBJECT_COMMIT);
}

Test(push, old_object_missing_counts_as_a_force_push, .init = repo_up, .fini = repo_down)
{
	git_oid c1 = commit(NULL, "one"), missing;
	gate_update u;

	cr_assert_eq(git_oid_fromstr(&missing, OID_B), 0);
	cr_assert_eq(classify(&u, &missing, &c1, "refs/heads/main"), 0, "%s", gate_error_last());
	cr_expect_eq(u.kind, GATE_UPD_FORCE);
}

Test(push, old_object_not_a_commit_counts_as_a_force_push, .init = repo_up, .fini = repo_down)
{
	git_oid c1 = commit(NULL, "one"), blob;
	gate_update u;

	cr_assert_eq(git_blob_create_from_buffer(&blob, repo, "x", 1), 0);
	cr_assert_eq(classify(&u, &blob, &c1, "refs/heads/main"), 0);
	cr_expect_eq(u.kind, GATE_UPD_FORCE);
}

Test(push, new_object_missing_is_an_error, .init = repo_up, .fini = repo_down)
{
	git_oid c1 = commit(NULL, "one"), missing;
	gate_update u;

	cr_assert_eq(git_oid_fromstr(&missing, OID_B), 0);
	cr_expect_lt(classify(&u, &c1, &missing, "refs/heads/main"), 0);
	cr_expect_lt(classify(&u, NULL, &missing, "refs/heads/new"), 0);
}

Test(push, delete_needs_no_objects, .init = repo_up, .fini = repo_down)
{
	git_oid missing;
	gate_update u;

	cr_assert_eq(git_oid_fromstr(&missing, OID_B), 0);
	cr_assert_eq(classify(&u, &missing, NULL, "refs/heads/gone"), 0);
	cr_expect_eq(u.kind, GATE_UPD_DELETE);
	cr_expect_eq(u.new_type, GIT_OBJECT_INVALID);
}

Test(push, branch_moved_to_a_tag_of_a_descendant_is_a_fast_forward, .init = repo_up,
     .fini = repo_down)
{
	git_oid c1 = commit(NULL, "one"), c2 = commit(&c1, "two");
	git_oid tag = annotated_tag("v2", &c2);
	gate_update u;

	cr_assert_eq(classify(&u, &c1, &tag, "refs/heads/main"), 0);
	cr_expect_eq(u.kind, GATE_UPD_FAST_FORWARD);
	cr_expect_eq(u.annotated, 1);
}
