/*
 * Specification of the content-check driver (src/content/check.h): a blob
 * is handed to a check at every path it is at (`fresh` on the first only, so
 * a check may keep what does not depend on the path), a check that does not
 * apply at a path is not asked there, a blob over one check's bound comes to
 * that check alone as too large, and findings come back in source order
 * whatever the threads, at most GATE_POLICY_FINDINGS_MAX, the rest counted.
 *
 * Blobs are written with libgit2 into a bare repository under a mkdtemp
 * directory; the test checks append one finding per call, whose text says
 * what they were handed.
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content/check.h"
#include "util/common.h"
#include "tmprepo.h"

static char repo_dir[] = "/tmp/gate-check-XXXXXX";
static git_repository *repo;

static void repo_up(void)
{
	tmprepo_up(repo_dir, &repo);
}

static void repo_down(void)
{
	tmprepo_down(repo_dir, &repo);
}

TestSuite(check, .init = repo_up, .fini = repo_down);

/* Adds CONTENT at PATH to S, as update REF brought it. */
static void add(gate_source *s, const char *path, const char *content, size_t ref)
{
	git_oid id;
	cr_assert_eq(git_blob_create_from_buffer(&id, repo, content, strlen(content)), 0);
	cr_assert_eq(gate_source_add(s, &id, strdup(path), NULL, ref), 0);
}

/* Applies where the path ends in its cfg (a suffix; "" everywhere). */
static int applies_suffix(const void *cfg, const char *path)
{
	size_t n = strlen(path), m = strlen(cfg);
	return n >= m && !strcmp(path + n - m, cfg);
}

/* One finding per call: "<path> <bytes or too-large size> fresh|again". */
static int echo(void *cfg, void *state, const gate_content_item *it, gate_policy_findings *out)
{
	(void)state;
	if (it->too_large)
		return gate_policy_findings_add(out, GATE_POLICY_REJECT, cfg, it->path, 0, "",
						"%s too large (%zu) %s", it->path, it->len,
						it->fresh ? "fresh" : "again");
	return gate_policy_findings_add(out, GATE_POLICY_REJECT, cfg, it->path, 0, "", "%s %.*s %s",
					it->path, (int)it->len, it->data,
					it->fresh ? "fresh" : "again");
}

static gate_content_check echo_check(const char *suffix, size_t max)
{
	gate_content_check c;
	memset(&c, 0, sizeof(c));
	c.family = "test";
	c.cfg = (void *)suffix;
	c.max_bytes = max;
	c.applies = applies_suffix;
	c.check = echo;
	return c;
}

Test(check, a_blob_is_handed_over_at_each_path_and_fresh_at_the_first_only)
{
	gate_source s = GATE_SOURCE_INIT;
	gate_policy_findings out = GATE_POLICY_FINDINGS_INIT;
	gate_content_check c = echo_check(".yml", 1000);

	add(&s, "a.yml", "same", 0);
	add(&s, "b.txt", "same", 0);   /* the check does not apply here */
	add(&s, "c.yml", "same", 1);
	add(&s, "d.txt", "other", 1);  /* nor here: never read */
	cr_assert_eq(gate_content_run(&out, &c, 1, &s, repo, NULL), 0, "%s", gate_error_last());
	cr_assert_eq(out.count, 2);
	cr_expect_str_eq(out.items[0].found, "a.yml same fresh");
	cr_expect_eq(out.items[0].origin, 0);
	cr_expect_str_eq(out.items[1].found, "c.yml same again");
	cr_expect_eq(out.items[1].origin, 2);
	gate_policy_findings_dispose(&out);
	gate_source_dispose(&s);
}

Test(check, a_blob_over_a_checks_bound_comes_to_that_check_alone_as_too_large)
{
	gate_source s = GATE_SOURCE_INIT;
	gate_policy_findings out = GATE_POLICY_FINDINGS_INIT;
	gate_content_check c[2] = { echo_check("", 4), echo_check("", 100) };

	add(&s, "big.txt", "0123456789", 0);
	cr_assert_eq(gate_content_run(&out, c, 2, &s, repo, NULL), 0, "%s", gate_error_last());
	cr_assert_eq(out.count, 2);
	cr_expect_str_eq(out.items[0].found, "big.txt too large (10) fresh", "checks in the order given");
	cr_expect_str_eq(out.items[1].found, "big.txt 0123456789 fresh");
	gate_policy_findings_dispose(&out);
	gate_source_dispose(&s);
}

Test(check, findings_come_in_source_order_whatever_the_threads)
{
	gate_source s = GATE_SOURCE_INIT;
	gate_policy_findings out = GATE_POLICY_FINDINGS_INIT;
	gate_content_check c = echo_check("", 1000);
	gate_content_opts o = GATE_CONTENT_OPTS_INIT;
	char path[32], text[32];
	size_t i;

	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "f%03zu", i);
		snprintf(text, sizeof(text), "blob %zu", (i * 7919) % 150); /* some blobs at two paths */
		add(&s, path, text, 0);
	}
	o.threads = 4;
	cr_assert_eq(gate_content_run(&out, &c, 1, &s, repo, &o), 0, "%s", gate_error_last());
	cr_assert_eq(out.count, 200);
	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "f%03zu", i);
		cr_expect_eq(out.items[i].origin, i);
		cr_expect_str_eq(out.items[i].path, path);
	}
	gate_policy_findings_dispose(&out);
	gate_source_dispose(&s);
}

/* Three findings per call. */
static int thrice(void *cfg, void *state, const gate_content_item *it, gate_policy_findings *out)
{
	int k, rc = 0;
	for (k = 0; k < 3 && rc == 0; k++)
		rc = echo(cfg, state, it, out);
	return rc;
}

Test(check, findings_past_the_cap_are_counted_and_the_first_in_source_order_kept)
{
	gate_source s = GATE_SOURCE_INIT;
	gate_policy_findings out = GATE_POLICY_FINDINGS_INIT;
	gate_content_check c = echo_check("", 1000);
	gate_content_opts o = GATE_CONTENT_OPTS_INIT;
	char path[32], text[32];
	size_t i;

	c.check = thrice;
	for (i = 0; i < 900; i++) {
		snprintf(path, sizeof(path), "f%03zu", i);
		snprintf(text, sizeof(text), "blob %zu", i);
		add(&s, path, text, 0);
	}
	for (o.threads = 1; o.threads <= 3; o.threads += 2) { /* one thread trims as it goes */
		cr_assert_eq(gate_content_run(&out, &c, 1, &s, repo, &o), 0, "%s", gate_error_last());
		cr_assert_eq(out.count, GATE_POLICY_FINDINGS_MAX);
		cr_expect_eq(out.dropped, 2700 - GATE_POLICY_FINDINGS_MAX);
		for (i = 0; i < GATE_POLICY_FINDINGS_MAX; i++)
			cr_expect_eq(out.items[i].origin, i / 3);
		cr_expect_str_eq(out.items[4].found, "f001 blob 1 fresh");
		gate_policy_findings_dispose(&out);
	}
	gate_policy_findings_dispose(&out);
	gate_source_dispose(&s);
}
