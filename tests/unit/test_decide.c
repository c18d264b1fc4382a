/*
 * Specification of the ref decision table (src/decide.h) and of the report
 * the pusher reads (src/report.h).  Decisions are pure: a matrix from an
 * inline YAML string and hand-built gate_update values, no git involved.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "engine/decide.h"
#include "output/report.h"

#define LABEL "m.yml"

static const char matrix_yaml[] =
	"version: 1\n"                                 /*  1 */
	"people:\n"                                    /*  2 */
	"  alice: { emails: [alice@example.com] }\n"   /*  3 */
	"  bob: { emails: [bob@example.com] }\n"       /*  4 */
	"  erin: { emails: [erin@example.com] }\n"     /*  5 */
	"roles:\n"                                     /*  6 */
	"  developers: [alice, bob]\n"                 /*  7 */
	"  release: [erin]\n"                          /*  8 */
	"responsibilities:\n"                          /*  9 */
	"  write_code: developers\n"                   /* 10 */
	"  review_code: developers\n"                  /* 11 */
	"  configure_pipeline: release\n"              /* 12 */
	"  resolve_vulnerabilities: developers\n"      /* 13 */
	"  approve_deployment: release\n"              /* 14 */
	"refs:\n"                                      /* 15 */
	"  - pattern: refs/heads/main\n"               /* 16 */
	"    push: [release]\n"                        /* 17 */
	"    delete: false\n"                          /* 18 */
	"  - pattern: refs/heads/release/*\n"          /* 19 */
	"    push: [release]\n"                        /* 20 */
	"    delete: [release]\n"                      /* 21 */
	"    force_push: [release]\n"                  /* 22 */
	"  - pattern: refs/heads/ffonly\n"             /* 23 */
	"    push: [developers]\n"                     /* 24 */
	"    force_push: [release]\n"                  /* 25 */
	"  - pattern: refs/heads/locked\n"             /* 26 */
	"    push: false\n"                            /* 27 */
	"  - pattern: refs/heads/trusted\n"            /* 28 */
	"    delete: true\n"                           /* 29 */
	"  - pattern: refs/tags/v*\n"                  /* 30 */
	"    push: [release]\n"                        /* 31 */
	"    delete: false\n"                          /* 32 */
	"    force_push: false\n"                      /* 33 */
	"  - pattern: refs/heads/team/**\n"            /* 34 */
	"    create: [developers]\n";                  /* 35 */

enum { ALICE, BOB, ERIN };
#define NOBODY (-1L) /* a pusher who is not a person in the matrix */

static gate_matrix *m;

static void load_matrix(void)
{
	gate_diags d = GATE_DIAGS_INIT;
	int rc = gate_matrix_load_buffer(&m, LABEL, matrix_yaml, sizeof(matrix_yaml) - 1, &d);
	cr_assert_eq(rc, 0, "test matrix must load: %s", gate_error_last());
	gate_diags_dispose(&d);
}

static void free_matrix(void)
{
	gate_matrix_free(m);
	m = NULL;
}

TestSuite(decide, .init = load_matrix, .fini = free_matrix);

static const char *const logins[] = { "alice", "bob", "erin" };

static gate_decide_ctx ctx_for(long person)
{
	gate_decide_ctx c;
	memset(&c, 0, sizeof(c));
	c.m = m;
	c.person = person;
	c.login = person >= 0 ? logins[person] : "mallory";
	c.matrix_path = "matrix/responsibility.yml";
	return c;
}

/* An update as the hook would hand it over, filled by hand. */
static gate_update upd(const char *ref, gate_update_kind kind)
{
	gate_update u;
	memset(&u, 0, sizeof(u));
	u.ref = (char *)ref;
	u.kind = kind;
	u.is_tag = !strncmp(ref, "refs/tags/", 10);
	u.new_type = kind == GATE_UPD_DELETE ? GIT_OBJECT_INVALID : GIT_OBJECT_COMMIT;
	return u;
}

#define CREATE GATE_UPD_CREATE
#define DELETE GATE_UPD_DELETE
#define FF GATE_UPD_FAST_FORWARD
#define FORCE GATE_UPD_FORCE

/* One row of the decision table: at most two reasons expected. */
typedef struct {
	long person;
	const char *ref;
	gate_update_kind kind;
	gate_verdict verdict;
	int rule; /* index of the rule that applies, -1 for none */
	struct {
		const char *check;
		int line, col;
	} reasons[2];
} row;

static void check_rows(const row *rows, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const row *r = &rows[i];
		gate_decide_ctx ctx = ctx_for(r->person);
		gate_update u = upd(r->ref, r->kind);
		gate_decision d;
		size_t want = 0;
		const char *who = r->person >= 0 ? logins[r->person] : "(unknown)";

		while (want < 2 && r->reasons[want].check)
			want++;
		cr_assert_eq(gate_decide(&d, &ctx, &u), 0);
		cr_expect_eq(d.verdict, r->verdict, "row %zu: %s %s %s: verdict", i, who,
			     gate_update_kind_name(r->kind), r->ref);
		cr_expect_eq(d.update, &u);
		if (r->rule < 0)
			cr_expect_null(d.rule, "row %zu: no rule should apply", i);
		else
			cr_expect_eq(d.rule, &m->refs[r->rule], "row %zu: rule", i);
		cr_expect_eq(d.n_reasons, want, "row %zu: %s %s %s: %zu reasons, expected %zu", i,
			     who, gate_update_kind_name(r->kind), r->ref, d.n_reasons, want);
		for (j = 0; j < want && j < d.n_reasons; j++) {
			cr_expect_str_eq(d.reasons[j].check, r->reasons[j].check, "row %zu reason %zu",
					 i, j);
			cr_expect_eq(d.reasons[j].line, r->reasons[j].line, "row %zu reason %zu line", i,
				     j);
			cr_expect_eq(d.reasons[j].col, r->reasons[j].col, "row %zu reason %zu col", i,
				     j);
			cr_expect_str_eq(d.reasons[j].subject, r->ref);
		}
		gate_decision_dispose(&d);
	}
}

/* ---- the decision table ------------------------------------------------------------- */

Test(decide, push_is_allowed_only_for_the_listed_roles)
{
	static const row rows[] = {
		{ ERIN, "refs/heads/main", FF, GATE_ACCEPT, 0, { { 0 } } },
		{ ALICE, "refs/heads/main", FF, GATE_REJECT, 0, { { "ref.push", 17, 11 } } },
		{ BOB, "refs/heads/main", FF, GATE_REJECT, 0, { { "ref.push", 17, 11 } } },
		{ ALICE, "refs/heads/ffonly", FF, GATE_ACCEPT, 2, { { 0 } } },
		{ ERIN, "refs/heads/ffonly", FF, GATE_REJECT, 2, { { "ref.push", 24, 11 } } },
		{ ERIN, "refs/heads/release/1.0", FF, GATE_ACCEPT, 1, { { 0 } } },
		{ BOB, "refs/heads/release/1.0", FF, GATE_REJECT, 1, { { "ref.push", 20, 11 } } },
	};
	check_rows(rows, GATE_ARRAY_SIZE(rows));
}

Test(decide, push_false_denies_everyone)
{
	static const row rows[] = {
		{ ERIN, "refs/heads/locked", FF, GATE_REJECT, 3, { { "ref.push", 27, 11 } } },
		{ ALICE, "refs/heads/locked", FF, GATE_REJECT, 3, { { "ref.push", 27, 11 } } },
		/* create falls back to push: false */
		{ ERIN, "refs/heads/locked", CREATE, GATE_REJECT, 3, { { "ref.create", 27, 11 } } },
	};
	check_rows(rows, GATE_ARRAY_SIZE(rows));
}

Test(decide, absent_push_means_anyone)
{
	static const row rows[] = {
		{ ERIN, "refs/heads/team/x", FF, GATE_ACCEPT, 6, { { 0 } } },
		{ ALICE, "refs/heads/trusted", FF, GATE_ACCEPT, 4, { { 0 } } },
		{ NOBODY, "refs/heads/team/x", FF, GATE_ACCEPT, 6, { { 0 } } },
	};
	check_rows(rows, GATE_ARRAY_SIZE(rows));
}

Test(decide, create_falls_back_to_push_when_absent)
{
	static const row rows[] = {
		{ ERIN, "refs/heads/main", CREATE, GATE_ACCEPT, 0, { { 0 } } },
		/* located at the push: key that decided */
		{ ALICE, "refs/heads/main", CREATE, GATE_REJECT, 0, { { "ref.create", 17, 11 } } },
		{ ALICE, "refs/heads/ffonly", CREATE, GATE_ACCEPT, 2, { { 0 } } },
		{ ERIN, "refs/heads/trusted", CREATE, GATE_ACCEPT, 4, { { 0 } } },
	};
	check_rows(rows, GATE_ARRAY_SIZE(rows));
}

Test(decide, explicit_create_overrides_push)
{
	static const row rows[] = {
		{ ALICE, "refs/heads/team/x", CREATE, GATE_ACCEPT, 6, { { 0 } } },
		{ ERIN, "refs/heads/team/x", CREATE, GATE_REJECT, 6, { { "ref.create", 35, 13 } } },
		{ NOBODY, "refs/heads/team/x", CREATE, GATE_REJECT, 6, { { "ref.create", 35, 13 } } },
	};
	check_rows(rows, GATE_ARRAY_SIZE(rows));
}

Test(decide, delete_is_denied_when_absent_or_false_and_allowed_for_listed_roles)
{
	static const row rows[] = {
		/* delete: false */
		{ ERIN, "refs/heads/main", DELETE, GATE_REJECT, 0, { { "ref.delete", 18, 13 } } },
		/* delete absent: nobody, located at the rule */
		{ ERIN, "refs/heads/ffonly", DELETE, GATE_REJECT, 2, { { "ref.delete", 23, 5 } } },
		{ ALICE, "refs/heads/ffonly", DELETE, GATE_REJECT, 2, { { "ref.delete", 23, 5 } } },
		{ ALICE, "refs/heads/team/x", DELETE, GATE_REJECT, 6, { { "ref.delete", 34, 5 } } },
		/* delete: [release] */
		{ ERIN, "refs/heads/release/1.0", DELETE, GATE_ACCEPT, 1, { { 0 } } },
		{ ALICE, "refs/heads/release/1.0", DELETE, GATE_REJECT, 1, { { "ref.delete", 21, 13 } } },
		/* delete: true */
		{ ALICE, "refs/heads/trusted", DELETE, GATE_ACCEPT, 4, { { 0 } } },
	};
	check_rows(rows, GATE_ARRAY_SIZE(rows));
}

Test(decide, force_push_is_denied_when_absent_and_also_requires_push)
{
	static const row rows[] = {
		/* force_push absent: nobody, even for those who may push */
		{ ERIN, "refs/heads/main", FORCE, GATE_REJECT, 0, { { "ref.force_push", 16, 5 } } },
		{ ERIN, "refs/heads/team/x", FORCE, GATE_REJECT, 6, { { "ref.force_push", 34, 5 } } },
		/* neither push nor force_push: both reasons */
		{ ALICE, "refs/heads/main", FORCE, GATE_REJECT, 0,
		  { { "ref.push", 17, 11 }, { "ref.force_push", 16, 5 } } },
		/* force_push granted, push not: still refused */
		{ ERIN, "refs/heads/ffonly", FORCE, GATE_REJECT, 2, { { "ref.push", 24, 11 } } },
		/* push granted, force_push not */
		{ ALICE, "refs/heads/ffonly", FORCE, GATE_REJECT, 2, { { "ref.force_push", 25, 17 } } },
		/* both granted */
		{ ERIN, "refs/heads/release/2.0", FORCE, GATE_ACCEPT, 1, { { 0 } } },
		{ BOB, "refs/heads/release/2.0", FORCE, GATE_REJECT, 1,
		  { { "ref.push", 20, 11 }, { "ref.force_push", 22, 17 } } },
	};
	check_rows(rows, GATE_ARRAY_SIZE(rows));
}

Test(decide, tags_follow_their_rule)
{
	static const row rows[] = {
		{ ERIN, "refs/tags/v1.0", CREATE, GATE_ACCEPT, 5, { { 0 } } },
		{ ALICE, "refs/tags/v1.0", CREATE, GATE_REJECT, 5, { { "ref.create", 31, 11 } } },
		/* a moved tag is classified as a force push */
		{ ERIN, "refs/tags/v1.0", FORCE, GATE_REJECT, 5, { { "ref.force_push", 33, 17 } } },
		{ ERIN, "refs/tags/v1.0", DELETE, GATE_REJECT, 5, { { "ref.delete", 32, 13 } } },
		/* a tag no rule names */
		{ ALICE, "refs/tags/nightly", CREATE, GATE_ACCEPT, -1, { { 0 } } },
		{ ALICE, "refs/tags/nightly", FORCE, GATE_ACCEPT, -1, { { 0 } } },
	};
	check_rows(rows, GATE_ARRAY_SIZE(rows));
}

Test(decide, refs_no_rule_matches_are_open_to_people_in_the_matrix_only)
{
	static const row rows[] = {
		{ ALICE, "refs/heads/feature", CREATE, GATE_ACCEPT, -1, { { 0 } } },
		{ ALICE, "refs/heads/feature", FORCE, GATE_ACCEPT, -1, { { 0 } } },
		{ ALICE, "refs/heads/feature", DELETE, GATE_ACCEPT, -1, { { 0 } } },
		{ ALICE, "refs/heads/mainline", FF, GATE_ACCEPT, -1, { { 0 } } },
		{ ALICE, "refs/foo/bar", CREATE, GATE_ACCEPT, -1, { { 0 } } },
		{ NOBODY, "refs/heads/feature", FORCE, GATE_REJECT, -1, { { "ref.unruled", 0, 0 } } },
		{ NOBODY, "refs/foo/bar", CREATE, GATE_REJECT, -1, { { "ref.unruled", 0, 0 } } },
		{ NOBODY, "refs/tags/nightly", CREATE, GATE_REJECT, -1, { { "ref.unruled", 0, 0 } } },
	};
	check_rows(rows, GATE_ARRAY_SIZE(rows));
}

Test(decide, replace_and_notes_refs_need_a_rule_of_their_own)
{
	static const row rows[] = {
		/* without a rule written for them: nobody, people in the matrix included */
		{ ERIN, "refs/replace/0123456789012345678901234567890123456789", CREATE, GATE_REJECT, -1,
		  { { "ref.replace", 0, 0 } } },
		{ NOBODY, "refs/replace/0123456789012345678901234567890123456789", CREATE, GATE_REJECT,
		  -1, { { "ref.replace", 0, 0 } } },
		{ ALICE, "refs/notes/commits", FF, GATE_REJECT, -1, { { "ref.notes", 0, 0 } } },
		{ NOBODY, "refs/notes/commits", DELETE, GATE_REJECT, -1, { { "ref.notes", 0, 0 } } },
	};
	check_rows(rows, GATE_ARRAY_SIZE(rows));
}

Test(decide, unknown_pusher_is_denied_on_a_protected_ref)
{
	static const row rows[] = {
		{ NOBODY, "refs/heads/main", FF, GATE_REJECT, 0, { { "ref.push", 17, 11 } } },
		{ NOBODY, "refs/heads/main", CREATE, GATE_REJECT, 0, { { "ref.create", 17, 11 } } },
		{ NOBODY, "refs/heads/release/1", DELETE, GATE_REJECT, 1, { { "ref.delete", 21, 13 } } },
	};
	check_rows(rows, GATE_ARRAY_SIZE(rows));
}

/* ---- what a reason says ----------------------------------------------------------------- */

static gate_decision decide1(long person, const char *ref, gate_update_kind kind, gate_update *u)
{
	gate_decide_ctx ctx = ctx_for(person);
	gate_decision d;

	*u = upd(ref, kind);
	cr_assert_eq(gate_decide(&d, &ctx, u), 0);
	return d;
}

static void expect_has(const char *text, const char *needle)
{
	cr_expect_not_null(strstr(text, needle), "'%s' should contain '%s'", text, needle);
}

Test(decide, unknown_pusher_reason_says_they_are_not_in_the_matrix)
{
	gate_update u;
	gate_decision d = decide1(NOBODY, "refs/heads/main", FF, &u);

	cr_assert_eq(d.n_reasons, 1);
	expect_has(d.reasons[0].found, "'mallory'");
	expect_has(d.reasons[0].found, "not a person in the matrix");
	expect_has(d.reasons[0].found, "refs/heads/main");
	expect_has(d.reasons[0].missing, "push needs role release (erin)");
	expect_has(d.reasons[0].fix, "add your login under people:");
	expect_has(d.reasons[0].fix, "release (erin)"); /* who owns configure_pipeline */
	gate_decision_dispose(&d);
}

Test(decide, denied_member_reason_names_their_roles_and_who_may)
{
	gate_update u;
	gate_decision d = decide1(ALICE, "refs/heads/main", FF, &u);

	cr_assert_eq(d.n_reasons, 1);
	expect_has(d.reasons[0].found, "alice (roles: developers) wants to push to refs/heads/main");
	expect_has(d.reasons[0].missing, "push needs role release (erin)");
	expect_has(d.reasons[0].fix, "ask a member of release (erin)");
	gate_decision_dispose(&d);
}

Test(decide, nobody_reason_says_the_key_was_absent)
{
	gate_update u;
	gate_decision d = decide1(ERIN, "refs/heads/ffonly", DELETE, &u);

	cr_assert_eq(d.n_reasons, 1);
	expect_has(d.reasons[0].missing, "delete is allowed for nobody on refs matching refs/heads/ffonly");
	expect_has(d.reasons[0].missing, "(key absent: nobody)");
	gate_decision_dispose(&d);

	d = decide1(ERIN, "refs/heads/main", DELETE, &u);
	cr_assert_eq(d.n_reasons, 1);
	expect_has(d.reasons[0].missing, "delete is allowed for nobody");
	cr_expect_null(strstr(d.reasons[0].missing, "key absent"), "delete: false is explicit");
	gate_decision_dispose(&d);
}

Test(decide, force_push_reason_suggests_rebasing)
{
	gate_update u;
	gate_decision d = decide1(ALICE, "refs/heads/ffonly", FORCE, &u);

	cr_assert_eq(d.n_reasons, 1);
	expect_has(d.reasons[0].fix, "rebase or merge onto the current refs/heads/ffonly");
	expect_has(d.reasons[0].fix, "without --force");
	gate_decision_dispose(&d);

	d = decide1(ERIN, "refs/tags/v1", FORCE, &u);
	cr_assert_eq(d.n_reasons, 1);
	expect_has(d.reasons[0].fix, "make a new tag instead");
	gate_decision_dispose(&d);
}

/* ---- built-in rules for the trusted ref ------------------------------------------------- */

Test(decide, deleting_the_trusted_ref_is_refused_even_when_delete_is_allowed)
{
	gate_decide_ctx ctx = ctx_for(ALICE);
	gate_update u = upd("refs/heads/trusted", DELETE); /* its rule says delete: true */
	gate_decision d;

	ctx.trusted_ref = "refs/heads/trusted";
	cr_assert_eq(gate_decide(&d, &ctx, &u), 0);
	cr_expect_eq(d.verdict, GATE_REJECT);
	cr_assert_eq(d.n_reasons, 1);
	cr_expect_str_eq(d.reasons[0].check, "matrix.trusted_delete");
	cr_expect_eq(d.reasons[0].line, 0, "a built-in check has no matrix location");
	gate_decision_dispose(&d);
}

Test(decide, deleting_the_trusted_ref_reports_the_builtin_first)
{
	gate_decide_ctx ctx = ctx_for(ERIN);
	gate_update u = upd("refs/heads/main", DELETE);
	gate_decision d;

	ctx.trusted_ref = "refs/heads/main";
	cr_assert_eq(gate_decide(&d, &ctx, &u), 0);
	cr_expect_eq(d.verdict, GATE_REJECT);
	cr_assert_eq(d.n_reasons, 2);
	cr_expect_str_eq(d.reasons[0].check, "matrix.trusted_delete");
	cr_expect_str_eq(d.reasons[1].check, "ref.delete");
	gate_decision_dispose(&d);
}

Test(decide, pushed_matrix_missing_or_invalid_is_refused_on_the_trusted_ref)
{
	static const struct {
		gate_pushed_matrix pm;
		gate_verdict verdict;
		const char *check;
		const char *found;
	} cases[] = {
		{ GATE_PUSHED_MATRIX_OK, GATE_ACCEPT, NULL, NULL },
		{ GATE_PUSHED_MATRIX_NA, GATE_ACCEPT, NULL, NULL },
		{ GATE_PUSHED_MATRIX_MISSING, GATE_REJECT, "matrix.missing",
		  "holds no matrix/responsibility.yml" },
		{ GATE_PUSHED_MATRIX_INVALID, GATE_REJECT, "matrix.invalid",
		  "does not load: m.yml:3:1: error: broken" },
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		gate_decide_ctx ctx = ctx_for(ERIN); /* erin may push main */
		gate_update u = upd("refs/heads/main", FF);
		gate_decision d;

		ctx.trusted_ref = "refs/heads/main";
		ctx.pushed_matrix = cases[i].pm;
		ctx.pushed_matrix_error = "m.yml:3:1: error: broken";
		cr_assert_eq(gate_decide(&d, &ctx, &u), 0);
		cr_expect_eq(d.verdict, cases[i].verdict, "case %zu", i);
		if (cases[i].check) {
			cr_assert_eq(d.n_reasons, 1, "case %zu", i);
			cr_expect_str_eq(d.reasons[0].check, cases[i].check);
			cr_expect_eq(d.reasons[0].line, 0);
			expect_has(d.reasons[0].found, cases[i].found);
		} else {
			cr_expect_eq(d.n_reasons, 0, "case %zu", i);
		}
		gate_decision_dispose(&d);
	}
}

Test(decide, pushed_matrix_state_only_matters_on_the_trusted_ref)
{
	gate_decide_ctx ctx = ctx_for(ALICE);
	gate_update u = upd("refs/heads/feature", FF);
	gate_decision d;

	ctx.trusted_ref = "refs/heads/main";
	ctx.pushed_matrix = GATE_PUSHED_MATRIX_INVALID;
	cr_assert_eq(gate_decide(&d, &ctx, &u), 0);
	cr_expect_eq(d.verdict, GATE_ACCEPT);
	cr_expect_eq(d.n_reasons, 0);
	gate_decision_dispose(&d);

	/* a ref that merely starts like the trusted one is not it */
	u = upd("refs/heads/main2", DELETE);
	cr_assert_eq(gate_decide(&d, &ctx, &u), 0);
	cr_expect_eq(d.verdict, GATE_ACCEPT);
	gate_decision_dispose(&d);
}

Test(decide, without_a_matrix_only_the_builtins_apply)
{
	static const struct {
		const char *ref;
		gate_update_kind kind;
		gate_pushed_matrix pm;
		const char *check; /* NULL: accepted */
	} cases[] = {
		{ "refs/heads/main", FORCE, GATE_PUSHED_MATRIX_OK, NULL },
		{ "refs/heads/main", FF, GATE_PUSHED_MATRIX_OK, NULL },
		{ "refs/heads/locked", FF, GATE_PUSHED_MATRIX_NA, NULL },
		{ "refs/heads/other", DELETE, GATE_PUSHED_MATRIX_NA, NULL },
		{ "refs/tags/v1", FORCE, GATE_PUSHED_MATRIX_NA, NULL },
		{ "refs/heads/main", DELETE, GATE_PUSHED_MATRIX_NA, "matrix.trusted_delete" },
		{ "refs/heads/main", CREATE, GATE_PUSHED_MATRIX_MISSING, "matrix.missing" },
		{ "refs/heads/main", FF, GATE_PUSHED_MATRIX_INVALID, "matrix.invalid" },
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		gate_decide_ctx ctx;
		gate_update u = upd(cases[i].ref, cases[i].kind);
		gate_decision d;

		memset(&ctx, 0, sizeof(ctx));
		ctx.m = NULL;
		ctx.person = -1;
		ctx.login = "anyone";
		ctx.trusted_ref = "refs/heads/main";
		ctx.matrix_path = "matrix/responsibility.yml";
		ctx.pushed_matrix = cases[i].pm;
		cr_assert_eq(gate_decide(&d, &ctx, &u), 0);
		cr_expect_null(d.rule);
		if (cases[i].check) {
			cr_expect_eq(d.verdict, GATE_REJECT, "case %zu", i);
			cr_assert_eq(d.n_reasons, 1, "case %zu", i);
			cr_expect_str_eq(d.reasons[0].check, cases[i].check);
		} else {
			cr_expect_eq(d.verdict, GATE_ACCEPT, "case %zu", i);
			cr_expect_eq(d.n_reasons, 0, "case %zu", i);
		}
		gate_decision_dispose(&d);
	}
}

Test(decide, reject_records_copies_and_marks_the_decision)
{
	gate_decision d;
	char subject[] = "refs/heads/x";

	memset(&d, 0, sizeof(d));
	cr_assert_eq(gate_decision_reject(&d, "internal.error", 0, 0, subject, "f", NULL, "x"), 0);
	subject[0] = 'X';
	cr_expect_eq(d.verdict, GATE_REJECT);
	cr_assert_eq(d.n_reasons, 1);
	cr_expect_str_eq(d.reasons[0].subject, "refs/heads/x");
	cr_expect_str_eq(d.reasons[0].missing, "");
	gate_decision_dispose(&d);
	cr_expect_eq(d.n_reasons, 0);
	cr_expect_null(d.reasons);
}

/* ---- the report --------------------------------------------------------------------------- */

static char *report(const gate_decision *ds, size_t n, const gate_report_info *info)
{
	gate_buf b = GATE_BUF_INIT;
	cr_assert_eq(gate_report_format(&b, ds, n, info), 0);
	return gate_buf_detach(&b);
}

static gate_report_info info_for(void)
{
	gate_report_info info;
	memset(&info, 0, sizeof(info));
	info.matrix_label = LABEL;
	info.trusted_ref = "refs/heads/main";
	return info;
}

Test(decide, report_of_a_rejection_names_check_need_rule_and_fix)
{
	gate_update u;
	gate_decision d = decide1(ALICE, "refs/heads/main", FF, &u);
	gate_report_info info = info_for();
	char *text;

	info.matrix_commit = "0123456789abcdef0123";
	text = report(&d, 1, &info);
	expect_has(text, "gatehouse: push rejected: 1 of 1 ref update broke the responsibility matrix");
	expect_has(text, "refs/heads/main: REJECTED (fast-forward)");
	expect_has(text, "[ref.push] alice (roles: developers) wants to push to refs/heads/main");
	expect_has(text, "needs: push needs role release (erin)");
	expect_has(text, "rule:  " LABEL ":17:11\n");
	expect_has(text, "fix:   ask a member of release (erin)");
	expect_has(text, "matrix: " LABEL " @ 0123456789ab\n");
	gate_free(text);
	gate_decision_dispose(&d);
}

Test(decide, report_marks_builtin_checks_and_dry_runs)
{
	gate_decide_ctx ctx = ctx_for(ERIN);
	gate_update u = upd("refs/heads/trusted", DELETE);
	gate_report_info info = info_for();
	gate_decision d;
	char *text;

	ctx.trusted_ref = "refs/heads/trusted";
	cr_assert_eq(gate_decide(&d, &ctx, &u), 0);
	info.dry_run = 1;
	text = report(&d, 1, &info);
	expect_has(text, "push would be rejected");
	expect_has(text, "[matrix.trusted_delete]");
	expect_has(text, "rule:  built in (cannot be turned off)");
	gate_free(text);
	gate_decision_dispose(&d);
}

Test(decide, report_of_a_mixed_push_says_nothing_was_updated)
{
	gate_update u1, u2;
	gate_decision ds[2];
	gate_report_info info = info_for();
	char *text;

	ds[0] = decide1(ALICE, "refs/heads/feature", FF, &u1);
	ds[1] = decide1(ALICE, "refs/heads/main", FF, &u2);
	text = report(ds, 2, &info);
	expect_has(text, "1 of 2 ref updates broke");
	expect_has(text, "refs/heads/feature: ok (fast-forward) - not updated either");
	expect_has(text, "refs/heads/main: REJECTED");
	gate_free(text);
	gate_decision_dispose(&ds[0]);
	gate_decision_dispose(&ds[1]);
}

Test(decide, report_of_an_acceptance_is_one_line)
{
	gate_update u;
	gate_decision d = decide1(ERIN, "refs/heads/main", FF, &u);
	gate_report_info info = info_for();
	char *text = report(&d, 1, &info);

	expect_has(text, "gatehouse: accepted 1 ref update (refs/heads/main, fast-forward)\n");
	cr_expect_null(strstr(text, "REJECTED"));
	gate_free(text);
	gate_decision_dispose(&d);
}

Test(decide, report_of_an_internal_error_fails_closed)
{
	gate_update u;
	gate_decision d = decide1(ERIN, "refs/heads/main", FF, &u);
	gate_report_info info = info_for();
	char *text;

	info.error = "cannot read the matrix";
	text = report(&d, 1, &info);
	expect_has(text, "push rejected: gatehouse could not check it safely");
	expect_has(text, "error: cannot read the matrix");
	cr_expect_null(strstr(text, "accepted"));
	gate_free(text);

	info.error_allowed = 1;
	text = report(&d, 1, &info);
	expect_has(text, "WARNING: checks did not run: cannot read the matrix");
	expect_has(text, "settings.on_error: allow");
	gate_free(text);
	gate_decision_dispose(&d);
}

Test(decide, report_notes_an_unprotected_repository)
{
	gate_update u;
	gate_decision d = decide1(ERIN, "refs/heads/main", FF, &u);
	gate_report_info info = info_for();
	char *text;

	info.unprotected = 1;
	info.matrix_label = NULL;
	text = report(&d, 1, &info);
	expect_has(text, "no responsibility matrix on the trusted ref (refs/heads/main) yet");
	gate_free(text);
	gate_decision_dispose(&d);
}

static void expect_no_raw_control(const char *text)
{
	size_t i;
	for (i = 0; text[i]; i++) {
		unsigned char c = (unsigned char)text[i];
		cr_expect(c >= 0x20 || c == '\n', "raw byte 0x%02x at %zu in:\n%s", c, i, text);
		cr_expect_neq(c, 0x7f, "raw DEL at %zu", i);
	}
}

Test(decide, report_escapes_control_characters_from_the_push)
{
	static const struct {
		const char *ref;
		gate_update_kind kind;
	} cases[] = {
		{ "refs/heads/team/\x1b[31mred", CREATE }, /* ref.create, unknown pusher */
		{ "refs/heads/team/\x1b[31mred", FORCE },  /* ref.force_push */
		{ "refs/heads/\x1b[31mred", FF },          /* accepted: no rule */
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		gate_decide_ctx ctx = ctx_for(NOBODY);
		gate_update u = upd(cases[i].ref, cases[i].kind);
		gate_report_info info = info_for();
		gate_decision d;
		char *text;

		ctx.login = "ev\x1b]0;pwned\x07il";
		cr_assert_eq(gate_decide(&d, &ctx, &u), 0);
		text = report(&d, 1, &info);
		cr_log_info("case %zu:\n%s", i, text);
		expect_no_raw_control(text);
		expect_has(text, "\\x1b[31mred");
		if (d.verdict == GATE_REJECT)
			expect_has(text, "'ev\\x1b]0;pwned\\x07il'");
		gate_free(text);
		gate_decision_dispose(&d);
	}
}

/* ---- gate_report_emit ---------------------------------------------------------------------- */

static char *emit(const char *text, const char *prefix)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	gate_sink sink = gate_sink_file(fp);

	cr_assert_not_null(fp);
	cr_assert_eq(gate_report_emit(&sink, text, prefix), 0);
	fclose(fp);
	return out;
}

Test(decide, emit_prefixes_every_line_and_ends_with_a_newline)
{
	char *out = emit("one\ntwo\nthree", "gatehouse| ");
	cr_expect_str_eq(out, "gatehouse| one\ngatehouse| two\ngatehouse| three\n");
	free(out);
	out = emit("a\n\nb\n", NULL);
	cr_expect_str_eq(out, "a\n\nb\n");
	free(out);
	out = emit("", "x");
	cr_expect_str_eq(out, "");
	free(out);
}

/*
 * Regression (found by this test, fixed): check_trusted() pastes ctx->pushed_matrix_error into the reason's
 * found text with snprintf, unescaped, and put_reason() prints found as is.
 * The error is a diagnostic of a pushed (hostile) matrix, and some of those
 * carry raw bytes from the YAML (see test_matrix.c,
 * diagnostics_never_carry_raw_control_characters), so a pushed matrix with a
 * duplicate key "x\e[2J" clears the terminal of whoever reads the report.
 * See the report.
 */
Test(decide, report_escapes_a_pushed_matrix_error)
{
	static const char hostile[] = "version: 1\n\"x\\e[2J\": 1\n\"x\\e[2J\": 2\n";
	gate_matrix *pm = NULL;
	gate_diags diags = GATE_DIAGS_INIT;
	gate_decide_ctx ctx = ctx_for(ERIN);
	gate_update u = upd("refs/heads/main", FF);
	gate_report_info info = info_for();
	gate_decision d;
	char *text;

	cr_assert_eq(gate_matrix_load_buffer(&pm, "refs/heads/main:m.yml", hostile,
					     sizeof(hostile) - 1, &diags),
		     GATE_EMATRIX);
	cr_assert_geq(diags.count, 1);
	ctx.trusted_ref = "refs/heads/main";
	ctx.pushed_matrix = GATE_PUSHED_MATRIX_INVALID;
	ctx.pushed_matrix_error = diags.items[0].text;
	cr_assert_eq(gate_decide(&d, &ctx, &u), 0);
	text = report(&d, 1, &info);
	expect_has(text, "[matrix.invalid]");
	expect_no_raw_control(text);
	gate_free(text);
	gate_decision_dispose(&d);
	gate_diags_dispose(&diags);
}

/* Break glass lifts evidence and secrets only: never permissions, limits or errors. */
Test(decide, only_evidence_and_secret_checks_are_overridable)
{
	static const char *const lifted[] = { "review.min", "trailer.required", "signature.missing",
					       "approval.min", "secret.github-pat",
					       "ref.reachable_from", "policy.container.privileged",
					       "policy.dependency.deny", "policy.deploy_ref", NULL };
	static const char *const kept[] = { "ref.push", "ref.force_push", "matrix.invalid",
					    "limit.refs", "limit.tree_depth", "limit.trailers",
					    "internal.error", "override.refused", NULL };
	size_t i;
	for (i = 0; lifted[i]; i++)
		cr_expect(gate_check_overridable(lifted[i]), "%s should be overridable", lifted[i]);
	for (i = 0; kept[i]; i++)
		cr_expect(!gate_check_overridable(kept[i]), "%s must not be overridable", kept[i]);
}
