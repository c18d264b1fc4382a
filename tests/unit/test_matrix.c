/*
 * Specification of the responsibility matrix loader (gatehouse/matrix.h,
 * src/model.h): what a valid matrix turns into, and that every validation
 * error is reported as "LABEL:LINE:COL: error: MESSAGE" at the place in the
 * file where the problem was written.
 *
 * Matrices are inline YAML; comments on the right give line numbers, so an
 * expected position can be checked by reading the text.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "matrix/model.h"
#include "content/policy.h"

#define LABEL "m.yml"

/* Lines 1-13 of most matrices below: valid people, roles and duties. */
#define PEOPLE                                              \
	"version: 1\n"                                /*  1 */ \
	"people:\n"                                   /*  2 */ \
	"  alice: { emails: [alice@example.com] }\n"  /*  3 */ \
	"  erin: { emails: [erin@example.com] }\n"    /*  4 */
#define ROLES                                               \
	"roles:\n"                                    /*  5 */ \
	"  developers: [alice]\n"                     /*  6 */ \
	"  release: [erin]\n"                         /*  7 */
#define DUTIES                                              \
	"responsibilities:\n"                         /*  8 */ \
	"  write_code: developers\n"                  /*  9 */ \
	"  review_code: developers\n"                 /* 10 */ \
	"  configure_pipeline: release\n"             /* 11 */ \
	"  resolve_vulnerabilities: developers\n"     /* 12 */ \
	"  approve_deployment: release\n"             /* 13 */
#define BASE PEOPLE ROLES DUTIES

/* ---- helpers ------------------------------------------------------------------ */

static int load(gate_matrix **m, gate_diags *d, const char *yaml)
{
	return gate_matrix_load_buffer(m, LABEL, yaml, strlen(yaml), d);
}

static void dump(const gate_diags *d)
{
	size_t i;
	for (i = 0; i < d->count; i++)
		cr_log_error("diag %zu [%d:%d] %s", i, d->items[i].line, d->items[i].col,
			     d->items[i].text);
}

/* Loads YAML, which must be valid; the caller frees the matrix. */
static gate_matrix *load_ok(const char *yaml)
{
	gate_matrix *m = NULL;
	gate_diags d = GATE_DIAGS_INIT;
	int rc = load(&m, &d, yaml);

	if (rc != 0 || d.count)
		dump(&d);
	cr_assert_eq(rc, 0, "matrix should load: %s", gate_error_last());
	cr_assert_eq(d.count, 0);
	cr_assert_not_null(m);
	gate_diags_dispose(&d);
	return m;
}

/*
 * Loads YAML, which must be refused with a diagnostic at LINE:COL whose
 * message contains NEEDLE; COUNT is the number of diagnostics expected
 * (-1: any), so one mistake does not go unnoticed among spurious errors.
 */
static void expect_error_n(const char *yaml, size_t len, int line, int col, const char *needle,
			   int count)
{
	gate_matrix *m = (gate_matrix *)1;
	gate_diags d = GATE_DIAGS_INIT;
	char prefix[64];
	size_t i;
	int rc, found = 0;

	snprintf(prefix, sizeof(prefix), LABEL ":%d:%d: error: ", line, col);
	rc = gate_matrix_load_buffer(&m, LABEL, yaml, len, &d);
	cr_expect_eq(rc, GATE_EMATRIX, "expected the matrix to be refused");
	cr_expect_null(m);
	for (i = 0; i < d.count; i++) {
		const gate_diag *g = &d.items[i];
		if (g->line == line && g->col == col && strstr(g->text, needle) &&
		    !strncmp(g->text, prefix, strlen(prefix)))
			found = 1;
	}
	if (!found || (count >= 0 && d.count != (size_t)count))
		dump(&d);
	cr_expect(found, "no diagnostic '%s...%s'", prefix, needle);
	if (count >= 0)
		cr_expect_eq(d.count, (size_t)count, "expected %d diagnostic(s), got %zu", count,
			     d.count);
	if (d.count)
		cr_expect_str_eq(gate_error_last(), d.items[0].text,
				 "the last error holds the first diagnostic");
	gate_diags_dispose(&d);
}

static void expect_error(const char *yaml, int line, int col, const char *needle)
{
	expect_error_n(yaml, strlen(yaml), line, col, needle, 1);
}

/* ---- a valid matrix --------------------------------------------------------------- */

static const char valid[] =
	"# the team\n"                                          /*  1 */
	"version: 1\n"                                          /*  2 */
	"people:\n"                                             /*  3 */
	"  alice: { emails: [Alice@Example.COM] }\n"            /*  4 */
	"  bob:\n"                                              /*  5 */
	"    name: Bob Builder\n"                               /*  6 */
	"    emails: [bob@example.com, bob@users.example.org]\n" /* 7 */
	"    logins: [bob, bobby]\n"                            /*  8 */
	"  erin: { emails: erin@example.com }\n"                /*  9 */
	"  carol:\n"                                            /* 10 */
	"roles:\n"                                              /* 11 */
	"  developers: [alice, bob]\n"                          /* 12 */
	"  release: erin\n"                                     /* 13 */
	"  security: [carol, alice]\n"                          /* 14 */
	"responsibilities:\n"                                   /* 15 */
	"  write_code: developers\n"                            /* 16 */
	"  review_code: [developers]\n"                         /* 17 */
	"  configure_pipeline: release\n"                       /* 18 */
	"  resolve_vulnerabilities: security\n"                 /* 19 */
	"  approve_deployment: [release, security]\n"          /* 20 */
	"refs:\n"                                               /* 21 */
	"  - pattern: refs/heads/main\n"                        /* 22 */
	"    push: [release]\n"                                 /* 23 */
	"    delete: false\n"                                   /* 24 */
	"    force_push: false\n"                               /* 25 */
	"  - pattern: refs/heads/release/*\n"                   /* 26 */
	"    push: [release, developers]\n"                     /* 27 */
	"    create: [release]\n"                               /* 28 */
	"    delete: [release]\n"                               /* 29 */
	"  - pattern: refs/heads/**\n"                          /* 30 */
	"    push: true\n"                                      /* 31 */
	"    force_push: true\n"                                /* 32 */
	"  - pattern: refs/tags/v*\n"                           /* 33 */
	"    push: [release]\n"                                 /* 34 */
	"settings:\n"                                           /* 35 */
	"  on_error: reject\n";                                 /* 36 */

enum { ALICE, BOB, ERIN, CAROL };
enum { DEVELOPERS, RELEASE, SECURITY };

Test(matrix, valid_matrix_loads_with_everything_in_place)
{
	gate_matrix *m = load_ok(valid);

	cr_expect_str_eq(gate_matrix_label(m), LABEL);
	cr_expect_eq(m->version, 1);
	cr_assert_eq(m->n_people, 4);
	cr_expect_str_eq(m->people[ALICE].id, "alice");
	cr_expect_str_eq(m->people[CAROL].id, "carol");
	cr_expect_eq(m->people[BOB].loc.line, 5);
	cr_expect_eq(m->people[BOB].loc.col, 3);
	cr_expect_str_eq(m->people[BOB].name, "Bob Builder");
	cr_expect_null(m->people[ALICE].name);
	cr_assert_eq(m->n_roles, 3);
	cr_expect_str_eq(m->roles[SECURITY].id, "security");
	cr_assert_eq(m->roles[SECURITY].n_members, 2);
	cr_expect_eq(m->roles[SECURITY].members[0], CAROL);
	cr_expect_eq(m->roles[SECURITY].members[1], ALICE);
	cr_assert_eq(m->roles[RELEASE].n_members, 1, "a single scalar is a one-member role");
	cr_expect_eq(m->roles[RELEASE].members[0], ERIN);
	cr_assert_eq(m->n_duties, 5);
	cr_assert_eq(m->n_refs, 4);
	cr_expect_eq(m->settings.on_error_allow, 0);
	gate_matrix_free(m);
}

Test(matrix, logins_default_to_the_person_id)
{
	gate_matrix *m = load_ok(valid);

	cr_assert_eq(m->people[ALICE].n_logins, 1);
	cr_expect_str_eq(m->people[ALICE].logins[0], "alice");
	cr_assert_eq(m->people[CAROL].n_logins, 1, "a person with no value at all");
	cr_expect_str_eq(m->people[CAROL].logins[0], "carol");
	cr_expect_eq(m->people[CAROL].n_emails, 0);
	/* explicit logins replace the default */
	cr_assert_eq(m->people[BOB].n_logins, 2);
	cr_expect_str_eq(m->people[BOB].logins[0], "bob");
	cr_expect_str_eq(m->people[BOB].logins[1], "bobby");
	gate_matrix_free(m);
}

Test(matrix, emails_are_lower_cased)
{
	gate_matrix *m = load_ok(valid);

	cr_assert_eq(m->people[ALICE].n_emails, 1);
	cr_expect_str_eq(m->people[ALICE].emails[0], "alice@example.com");
	cr_assert_eq(m->people[ERIN].n_emails, 1, "a single scalar is a one-address list");
	cr_expect_str_eq(m->people[ERIN].emails[0], "erin@example.com");
	cr_assert_eq(m->people[BOB].n_emails, 2);
	cr_expect_str_eq(m->people[BOB].emails[1], "bob@users.example.org");
	gate_matrix_free(m);
}

Test(matrix, person_by_login_is_exact)
{
	gate_matrix *m = load_ok(valid);

	cr_expect_eq(gate_matrix_person_by_login(m, "alice"), ALICE);
	cr_expect_eq(gate_matrix_person_by_login(m, "bob"), BOB);
	cr_expect_eq(gate_matrix_person_by_login(m, "bobby"), BOB);
	cr_expect_eq(gate_matrix_person_by_login(m, "carol"), CAROL);
	cr_expect_eq(gate_matrix_person_by_login(m, "mallory"), -1);
	cr_expect_eq(gate_matrix_person_by_login(m, "Alice"), -1, "logins are case-sensitive");
	cr_expect_eq(gate_matrix_person_by_login(m, "alice "), -1);
	cr_expect_eq(gate_matrix_person_by_login(m, ""), -1);
	cr_expect_eq(gate_matrix_person_by_login(m, NULL), -1);
	/* an email address is not a login */
	cr_expect_eq(gate_matrix_person_by_login(m, "alice@example.com"), -1);
	gate_matrix_free(m);
}

Test(matrix, person_by_email_ignores_case)
{
	gate_matrix *m = load_ok(valid);

	cr_expect_eq(gate_matrix_person_by_email(m, "alice@example.com"), ALICE);
	cr_expect_eq(gate_matrix_person_by_email(m, "ALICE@EXAMPLE.COM"), ALICE);
	cr_expect_eq(gate_matrix_person_by_email(m, "Bob@Users.Example.Org"), BOB);
	cr_expect_eq(gate_matrix_person_by_email(m, "erin@example.com"), ERIN);
	cr_expect_eq(gate_matrix_person_by_email(m, "carol@example.com"), -1);
	cr_expect_eq(gate_matrix_person_by_email(m, "alice@example.co"), -1);
	cr_expect_eq(gate_matrix_person_by_email(m, NULL), -1);
	gate_matrix_free(m);
}

Test(matrix, in_role_follows_membership)
{
	static const struct {
		long person;
		size_t role;
		int in;
	} cases[] = {
		{ ALICE, DEVELOPERS, 1 }, { ALICE, SECURITY, 1 }, { ALICE, RELEASE, 0 },
		{ BOB, DEVELOPERS, 1 },   { BOB, SECURITY, 0 },   { ERIN, RELEASE, 1 },
		{ ERIN, DEVELOPERS, 0 },  { CAROL, SECURITY, 1 }, { -1, DEVELOPERS, 0 },
		{ ALICE, 3, 0 },          { ALICE, 1000, 0 },
	};
	gate_matrix *m = load_ok(valid);
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++)
		cr_expect_eq(!!gate_matrix_in_role(m, cases[i].person, cases[i].role), cases[i].in,
			     "person %ld role %zu", cases[i].person, cases[i].role);
	gate_matrix_free(m);
}

Test(matrix, roles_and_duties_are_found_by_id)
{
	gate_matrix *m = load_ok(valid);
	const gate_duty *d;

	cr_expect_eq(gate_matrix_role_by_id(m, "release"), RELEASE);
	cr_expect_eq(gate_matrix_role_by_id(m, "admins"), -1);
	d = gate_matrix_duty(m, "approve_deployment");
	cr_assert_not_null(d);
	cr_assert_eq(d->n_roles, 2);
	cr_expect_eq(d->roles[0], RELEASE);
	cr_expect_eq(d->roles[1], SECURITY);
	cr_expect_eq(d->loc.line, 20);
	cr_expect_eq(d->loc.col, 3);
	d = gate_matrix_duty(m, "review_code");
	cr_assert_not_null(d);
	cr_assert_eq(d->n_roles, 1);
	cr_expect_eq(d->roles[0], DEVELOPERS);
	cr_expect_null(gate_matrix_duty(m, "make_coffee"));
	gate_matrix_free(m);
}

Test(matrix, ref_rules_keep_order_patterns_and_locations)
{
	gate_matrix *m = load_ok(valid);
	const gate_refrule *r = m->refs;

	cr_expect_str_eq(r[0].pattern, "refs/heads/main");
	cr_expect_str_eq(r[1].pattern, "refs/heads/release/*");
	cr_expect_str_eq(r[2].pattern, "refs/heads/**");
	cr_expect_str_eq(r[3].pattern, "refs/tags/v*");
	cr_expect_eq(r[2].index, 2);
	cr_expect_eq(r[0].loc.line, 22);
	cr_expect_eq(r[0].loc.col, 5);
	cr_expect_eq(r[0].push.loc.line, 23);
	cr_expect_eq(r[0].push.loc.col, 11);
	cr_expect_eq(r[0].del.loc.line, 24);
	cr_expect_eq(r[0].del.loc.col, 13);
	cr_expect_eq(r[1].create.loc.line, 28);
	/* an absent key is located at its rule */
	cr_expect_eq(r[0].create.loc.line, 22);
	cr_expect_eq(r[0].create.loc.col, 5);
	gate_matrix_free(m);
}

Test(matrix, permission_values_parse_into_kinds)
{
	gate_matrix *m = load_ok(valid);
	const gate_refrule *r = m->refs;

	/* main: push [release], delete false, force_push false, create absent */
	cr_expect_eq(r[0].push.kind, GATE_PERM_ROLES);
	cr_assert_eq(r[0].push.n_roles, 1);
	cr_expect_eq(r[0].push.roles[0], RELEASE);
	cr_expect_eq(r[0].del.kind, GATE_PERM_NOBODY);
	cr_expect_eq(r[0].force_push.kind, GATE_PERM_NOBODY);
	cr_expect_eq(r[0].create.kind, GATE_PERM_DEFAULT);
	/* release branches: lists of roles, in order */
	cr_expect_eq(r[1].push.kind, GATE_PERM_ROLES);
	cr_assert_eq(r[1].push.n_roles, 2);
	cr_expect_eq(r[1].push.roles[0], RELEASE);
	cr_expect_eq(r[1].push.roles[1], DEVELOPERS);
	cr_expect_eq(r[1].del.kind, GATE_PERM_ROLES);
	cr_expect_eq(r[1].force_push.kind, GATE_PERM_DEFAULT);
	/* **: true */
	cr_expect_eq(r[2].push.kind, GATE_PERM_ANYONE);
	cr_expect_eq(r[2].force_push.kind, GATE_PERM_ANYONE);
	cr_expect_eq(r[2].del.kind, GATE_PERM_DEFAULT);
	gate_matrix_free(m);
}

Test(matrix, delete_true_means_anyone_and_a_scalar_role_is_a_list_of_one)
{
	gate_matrix *m = load_ok(BASE
				 "refs:\n"
				 "  - pattern: refs/heads/scratch/*\n"
				 "    delete: true\n"
				 "    push: developers\n");

	cr_expect_eq(m->refs[0].del.kind, GATE_PERM_ANYONE);
	cr_expect_eq(m->refs[0].push.kind, GATE_PERM_ROLES);
	cr_assert_eq(m->refs[0].push.n_roles, 1);
	cr_expect_eq(m->refs[0].push.roles[0], 0);
	gate_matrix_free(m);
}

Test(matrix, rule_for_ref_takes_the_first_matching_rule)
{
	static const struct {
		const char *ref;
		int rule; /* -1: none */
	} cases[] = {
		{ "refs/heads/main", 0 }, /* the catch-all rule 2 matches too, but later */
		{ "refs/heads/release/1.0", 1 },
		{ "refs/heads/release/1.0/hotfix", 2 },
		{ "refs/heads/feature", 2 },
		{ "refs/heads/a/b/c", 2 },
		{ "refs/tags/v1.0", 3 },
		{ "refs/tags/x1.0", -1 },
		{ "refs/notes/commits", -1 },
	};
	gate_matrix *m = load_ok(valid);
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		const gate_refrule *r = (const gate_refrule *)1;
		cr_assert_eq(gate_matrix_rule_for_ref(&r, m, cases[i].ref), 0);
		if (cases[i].rule < 0)
			cr_expect_null(r, "%s should match no rule", cases[i].ref);
		else
			cr_expect_eq(r, &m->refs[cases[i].rule], "%s should match rule %d",
				     cases[i].ref, cases[i].rule);
	}
	gate_matrix_free(m);
}

Test(matrix, replace_and_notes_refs_match_only_rules_written_for_them)
{
	gate_matrix *m = load_ok(BASE
				 "refs:\n"                        /* 14 */
				 "  - pattern: refs/**\n"         /* 15 */
				 "    push: true\n"               /* 16 */
				 "  - pattern: refs/notes/**\n"   /* 17 */
				 "    push: [developers]\n");     /* 18 */
	const gate_refrule *r = (const gate_refrule *)1;

	cr_assert_eq(gate_matrix_rule_for_ref(&r, m, "refs/heads/x"), 0);
	cr_expect_eq(r, &m->refs[0], "a catch-all covers ordinary refs");
	cr_assert_eq(gate_matrix_rule_for_ref(&r, m, "refs/notes/commits"), 0);
	cr_expect_eq(r, &m->refs[1], "refs/notes/ skips the catch-all for its own rule");
	cr_assert_eq(gate_matrix_rule_for_ref(&r, m, "refs/replace/0123"), 0);
	cr_expect_null(r, "refs/replace/ with no rule of its own matches nothing");
	cr_expect_str_eq(gate_ref_explicit_prefix("refs/replace/x"), "refs/replace/");
	cr_expect_str_eq(gate_ref_explicit_prefix("refs/notes/commits"), "refs/notes/");
	cr_expect_null(gate_ref_explicit_prefix("refs/heads/refs/notes/x"));
	gate_matrix_free(m);
}

Test(matrix, a_tag_rule_with_a_star_in_its_last_segment_is_warned_about)
{
	gate_matrix *m = load_ok(BASE
				 "refs:\n"                           /* 14 */
				 "  - pattern: refs/tags/v*\n"       /* 15 */
				 "  - pattern: refs/tags/rc/**\n"    /* 16 */
				 "  - pattern: refs/heads/team/*\n"); /* 17 */
	gate_diags d = GATE_DIAGS_INIT;

	cr_assert_eq(gate_matrix_warnings(m, &d), 0);
	cr_assert_eq(d.count, 1, "only refs/tags/v*");
	cr_expect_eq(d.items[0].line, 15);
	cr_expect(strstr(d.items[0].text, "m.yml:15:5: warning: refs/tags/v* does not cover tags "
					  "such as refs/tags/v1/x") != NULL, "%s", d.items[0].text);
	cr_expect(strstr(d.items[0].text, "refs/tags/v*/**") != NULL, "%s", d.items[0].text);
	gate_diags_dispose(&d);
	gate_matrix_free(m);
}

Test(matrix, refs_and_settings_are_optional)
{
	gate_matrix *m = load_ok(BASE);
	const gate_refrule *r = (const gate_refrule *)1;

	cr_expect_eq(m->n_refs, 0);
	cr_expect_eq(m->settings.on_error_allow, 0, "on_error defaults to reject");
	cr_assert_eq(gate_matrix_rule_for_ref(&r, m, "refs/heads/main"), 0);
	cr_expect_null(r);
	gate_matrix_free(m);
}

Test(matrix, on_error_allow_is_parsed)
{
	gate_matrix *m = load_ok(BASE
				 "settings:\n"          /* 14 */
				 "  on_error: allow\n"); /* 15 */

	cr_expect_eq(m->settings.on_error_allow, 1);
	cr_expect_eq(m->settings.on_error_loc.line, 15);
	cr_expect_eq(m->settings.on_error_loc.col, 13);
	gate_matrix_free(m);
}

Test(matrix, literal_rule_before_a_glob_that_covers_it_is_fine)
{
	gate_matrix *m = load_ok(BASE
				 "refs:\n"
				 "  - pattern: refs/heads/main\n"
				 "    push: [release]\n"
				 "  - pattern: refs/heads/*\n"
				 "    push: true\n");
	gate_matrix_free(m);
}

Test(matrix, explicit_document_markers_are_fine)
{
	gate_matrix *m = load_ok("---\n" BASE "...\n");
	gate_matrix_free(m);
}

/* ---- the top level ------------------------------------------------------------------ */

#define AFTER_VERSION                                  \
	"people:\n"                                    \
	"  alice: { emails: [alice@example.com] }\n"   \
	"  erin: { emails: [erin@example.com] }\n" ROLES DUTIES

Test(matrix, wrong_version_is_reported_at_the_value)
{
	expect_error("version: 2\n" AFTER_VERSION, 1, 10, "unsupported matrix version '2'");
	expect_error("version: 1.0\n" AFTER_VERSION, 1, 10, "unsupported matrix version '1.0'");
	expect_error("version: [1]\n" AFTER_VERSION, 1, 10, "unsupported matrix version 'a list'");
}

Test(matrix, missing_version_is_reported_at_the_top)
{
	expect_error(AFTER_VERSION, 1, 1, "missing 'version: 1'");
	expect_error("# a comment first\n" AFTER_VERSION, 2, 1, "missing 'version: 1'");
}

Test(matrix, unknown_top_level_key_suggests_the_close_one)
{
	expect_error(BASE
		     "refz:\n"                           /* 14 */
		     "  - pattern: refs/heads/main\n",   /* 15 */
		     14, 1, "unknown key 'refz' in the matrix: did you mean 'refs'?");
	expect_error(BASE "setings: {}\n", 14, 1, "did you mean 'settings'?");
}

Test(matrix, unknown_key_far_from_any_known_one_lists_the_allowed_keys)
{
	gate_matrix *m = NULL;
	gate_diags d = GATE_DIAGS_INIT;

	expect_error(BASE "colour: red\n", 14, 1, "unknown key 'colour' in the matrix (expected one of:");
	cr_assert_eq(load(&m, &d, BASE "colour: red\n"), GATE_EMATRIX);
	cr_assert_eq(d.count, 1);
	cr_expect_null(strstr(d.items[0].text, "did you mean"));
	cr_expect_not_null(strstr(d.items[0].text, "refs"), "the allowed keys are listed");
	gate_diags_dispose(&d);
}

Test(matrix, missing_sections_are_each_reported)
{
	gate_matrix *m = NULL;
	gate_diags d = GATE_DIAGS_INIT;
	const char *want[] = { "missing 'people:'", "missing 'roles:'", "missing 'responsibilities:'" };
	size_t i, j;

	cr_assert_eq(load(&m, &d, "version: 1\n"), GATE_EMATRIX);
	cr_expect_eq(d.count, 3);
	for (i = 0; i < GATE_ARRAY_SIZE(want); i++) {
		int hit = 0;
		for (j = 0; j < d.count; j++)
			hit |= strstr(d.items[j].text, want[i]) != NULL;
		cr_expect(hit, "no diagnostic says %s", want[i]);
	}
	gate_diags_dispose(&d);
}

Test(matrix, the_matrix_must_be_a_mapping)
{
	expect_error("- version: 1\n", 1, 1, "the matrix must be a mapping, found a list");
	expect_error("just words\n", 1, 1, "the matrix must be a mapping, found a scalar");
}

/* ---- people ------------------------------------------------------------------------ */

Test(matrix, unknown_key_in_a_person_suggests_the_close_one)
{
	expect_error("version: 1\n"                         /* 1 */
		     "people:\n"                            /* 2 */
		     "  alice:\n"                           /* 3 */
		     "    emails: [alice@example.com]\n"    /* 4 */
		     "    login: al\n"                      /* 5 */
		     "  erin: { emails: [erin@example.com] }\n" ROLES DUTIES,
		     5, 5, "unknown key 'login' in a person: did you mean 'logins'?");
}

Test(matrix, malformed_email_is_reported_at_the_address)
{
	static const char *const bad[] = {
		"alice", "\"@example.com\"", "\"alice@\"", "a@b@example.com",
		"alice smith@example.com", "\"<alice@example.com>\"", "\"alice@example.com,\"",
		"\"alice;x@example.com\"", "\"a\\tb@example.com\"", "\"\\\"a\\\"@example.com\"",
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(bad); i++) {
		char yaml[1024];
		snprintf(yaml, sizeof(yaml),
			 "version: 1\n"
			 "people:\n"
			 "  alice: { emails: [%s] }\n" /* address at 3:21 */
			 "  erin: { emails: [erin@example.com] }\n" ROLES DUTIES,
			 bad[i]);
		cr_log_info("email case %s", bad[i]);
		expect_error(yaml, 3, 21, "is not an email address");
	}
}

Test(matrix, email_claimed_by_two_people_is_reported_at_the_second)
{
	expect_error("version: 1\n"
		     "people:\n"
		     "  alice: { emails: [alice@example.com] }\n"   /* 3 */
		     "  erin: { emails: [ALICE@example.com] }\n"    /* 4 */
		     ROLES DUTIES,
		     4, 3, "email 'alice@example.com' is claimed by both 'alice' and 'erin'");
}

Test(matrix, login_claimed_by_two_people_is_reported_at_the_second)
{
	/* alice's login is her id by default */
	expect_error("version: 1\n"
		     "people:\n"
		     "  alice: { emails: [alice@example.com] }\n"   /* 3 */
		     "  erin: { logins: [erin, alice] }\n"          /* 4 */
		     ROLES DUTIES,
		     4, 3, "login 'alice' is claimed by both 'alice' and 'erin'");
	expect_error("version: 1\n"
		     "people:\n"
		     "  alice: { logins: [ops] }\n"                 /* 3 */
		     "  erin: { logins: [ops] }\n"                  /* 4 */
		     ROLES DUTIES,
		     4, 3, "login 'ops' is claimed by both 'alice' and 'erin'");
}

Test(matrix, login_with_a_space_is_refused)
{
	expect_error("version: 1\n"
		     "people:\n"
		     "  alice: { logins: [\"al ice\"] }\n"          /* 3 */
		     "  erin:\n" ROLES DUTIES,
		     3, 21, "contains a space or control character");
}

Test(matrix, empty_logins_list_is_refused)
{
	expect_error("version: 1\n"
		     "people:\n"
		     "  alice: { logins: [] }\n"                    /* 3 */
		     "  erin:\n" ROLES DUTIES,
		     3, 20, "logins of 'alice' is empty");
}

Test(matrix, person_id_must_be_an_identifier)
{
	expect_error("version: 1\n"
		     "people:\n"
		     "  alice:\n"
		     "  erin:\n"
		     "  \"bad id\":\n"                              /* 5 */
		     ROLES DUTIES,
		     5, 3, "person id 'bad id' must be");
}

Test(matrix, two_people_with_the_same_id_are_a_duplicate_key)
{
	expect_error("version: 1\n"
		     "people:\n"
		     "  alice: { emails: [alice@example.com] }\n"   /* 3 */
		     "  erin: { emails: [erin@example.com] }\n"
		     "  alice: { emails: [alice2@example.com] }\n"  /* 5 */
		     ROLES DUTIES,
		     5, 3, "duplicate key 'alice' (first at line 3)");
}

Test(matrix, duplicate_key_in_a_large_mapping_is_caught)
{
	/* more than a handful of keys takes the sorting path */
	expect_error("version: 1\n"
		     "people:\n"
		     "  alice:\n"    /* 3 */
		     "  erin:\n"
		     "  p1:\n  p2:\n  p3:\n  p4:\n  p5:\n  p6:\n  p7:\n  p8:\n  p9:\n" /* 5-13 */
		     "  p10:\n"      /* 14 */
		     "  p4:\n"       /* 15 */
		     "  p11:\n" ROLES DUTIES,
		     15, 3, "duplicate key 'p4' (first at line 8)");
}

/* ---- roles ------------------------------------------------------------------------- */

Test(matrix, role_naming_an_unknown_person_is_reported_at_the_name)
{
	expect_error(PEOPLE
		     "roles:\n"
		     "  developers: [alice, mallory]\n"             /* 6 */
		     "  release: [erin]\n" DUTIES,
		     6, 23, "role 'developers' names unknown person 'mallory'");
}

Test(matrix, role_with_no_members_is_refused)
{
	expect_error(PEOPLE
		     "roles:\n"
		     "  developers: []\n"                           /* 6: at the list */
		     "  release: [erin]\n" DUTIES,
		     6, 15, "role 'developers' has no members");
	expect_error(PEOPLE
		     "roles:\n"
		     "  developers:\n"                              /* 6: at the key */
		     "  release: [erin]\n" DUTIES,
		     6, 3, "role 'developers' has no members");
}

Test(matrix, role_listing_a_person_twice_is_refused)
{
	expect_error(PEOPLE
		     "roles:\n"
		     "  developers: [alice, alice]\n"               /* 6 */
		     "  release: [erin]\n" DUTIES,
		     6, 23, "role 'developers' lists 'alice' twice");
}

/* ---- responsibilities ------------------------------------------------------------------ */

Test(matrix, duty_naming_an_unknown_role_is_reported_at_the_name)
{
	expect_error(PEOPLE ROLES
		     "responsibilities:\n"
		     "  write_code: devs\n"                         /* 9 */
		     "  review_code: developers\n"
		     "  configure_pipeline: release\n"
		     "  resolve_vulnerabilities: developers\n"
		     "  approve_deployment: release\n",
		     9, 15, "duty 'write_code' names unknown role 'devs' (roles: developers, release)");
}

Test(matrix, duty_with_no_role_is_refused)
{
	expect_error(PEOPLE ROLES
		     "responsibilities:\n"
		     "  write_code: developers\n"
		     "  review_code:\n"                             /* 10: at the key */
		     "  configure_pipeline: release\n"
		     "  resolve_vulnerabilities: developers\n"
		     "  approve_deployment: release\n",
		     10, 3, "duty 'review_code' has no role");
	expect_error(PEOPLE ROLES
		     "responsibilities:\n"
		     "  write_code: developers\n"
		     "  review_code: []\n"                          /* 10: at the list */
		     "  configure_pipeline: release\n"
		     "  resolve_vulnerabilities: developers\n"
		     "  approve_deployment: release\n",
		     10, 16, "duty 'review_code' has no role");
}

Test(matrix, each_required_duty_missing_is_reported)
{
	static const char *const duties[] = {
		"write_code", "review_code", "configure_pipeline", "resolve_vulnerabilities",
		"approve_deployment",
	};
	static const char *const roles_of[] = {
		"developers", "developers", "release", "developers", "release",
	};
	size_t i, j;

	for (i = 0; i < GATE_ARRAY_SIZE(duties); i++) {
		gate_buf y = GATE_BUF_INIT;
		char needle[128];

		gate_buf_puts(&y, PEOPLE ROLES "responsibilities:\n"); /* lines 1-8 */
		for (j = 0; j < GATE_ARRAY_SIZE(duties); j++)
			if (j != i)
				gate_buf_printf(&y, "  %s: %s\n", duties[j], roles_of[j]);
		snprintf(needle, sizeof(needle), "duty '%s' is not assigned", duties[i]);
		cr_log_info("without %s", duties[i]);
		/* reported at the responsibilities mapping, which starts on line 9 */
		expect_error(gate_buf_cstr(&y), 9, 3, needle);
		gate_buf_dispose(&y);
	}
}

/* ---- ref rules ----------------------------------------------------------------------- */

Test(matrix, typo_in_a_ref_rule_suggests_the_close_key)
{
	expect_error(BASE
		     "refs:\n"
		     "  - pattern: refs/heads/main\n"               /* 15 */
		     "    pussh: [release]\n",                      /* 16 */
		     16, 5, "unknown key 'pussh' in a ref rule: did you mean 'push'?");
	expect_error(BASE
		     "refs:\n"
		     "  - pattern: refs/heads/main\n"
		     "    forcepush: false\n",                      /* 16 */
		     16, 5, "did you mean 'force_push'?");
}

Test(matrix, ref_rule_naming_an_unknown_role_is_reported_at_the_name)
{
	expect_error(BASE
		     "refs:\n"
		     "  - pattern: refs/heads/main\n"
		     "    push: [release, admins]\n",               /* 16 */
		     16, 21, "push of rule 'refs/heads/main' names unknown role 'admins'");
	expect_error(BASE
		     "refs:\n"
		     "  - pattern: refs/heads/main\n"
		     "    delete: admins\n",                        /* 16 */
		     16, 13, "delete of rule 'refs/heads/main' names unknown role 'admins'");
}

Test(matrix, boolean_lookalikes_are_role_names_not_booleans)
{
	/* only plain true/false are booleans: anything else must name a role */
	expect_error(BASE "refs:\n  - pattern: refs/heads/main\n    delete: no\n", 16, 13,
		     "unknown role 'no'");
	expect_error(BASE "refs:\n  - pattern: refs/heads/main\n    delete: \"false\"\n", 16, 13,
		     "unknown role 'false'");
	expect_error(BASE "refs:\n  - pattern: refs/heads/main\n    delete: False\n", 16, 13,
		     "unknown role 'False'");
}

Test(matrix, rule_without_pattern_is_refused)
{
	expect_error(BASE
		     "refs:\n"
		     "  - push: [release]\n",                       /* 15 */
		     15, 5, "ref rule has no pattern");
}

Test(matrix, pattern_must_start_with_refs)
{
	static const char *const bad[] = { "heads/main", "main", "refs/", "ref/heads/x", "/refs/heads/x" };
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(bad); i++) {
		char yaml[1024];
		snprintf(yaml, sizeof(yaml), BASE "refs:\n  - pattern: %s\n", bad[i]);
		cr_log_info("pattern %s", bad[i]);
		expect_error(yaml, 15, 14, "must start with refs/");
	}
}

Test(matrix, invalid_glob_in_a_pattern_is_refused)
{
	static const struct {
		const char *pattern, *reason;
	} bad[] = {
		{ "refs/heads/rel**", "must be a whole path segment" },
		{ "refs/heads/***", "not a wildcard" },
		{ "refs/heads/[abc", "unterminated '['" },
		{ "refs//heads", "empty path segment" },
		{ "\"refs/heads/x\\\\\"", "lone" },
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(bad); i++) {
		char yaml[1024], needle[128];
		snprintf(yaml, sizeof(yaml), BASE "refs:\n  - pattern: %s\n", bad[i].pattern);
		snprintf(needle, sizeof(needle), "invalid glob");
		cr_log_info("pattern %s", bad[i].pattern);
		expect_error(yaml, 15, 14, needle);
		expect_error(yaml, 15, 14, bad[i].reason);
	}
}

Test(matrix, pattern_with_characters_no_ref_holds_is_refused)
{
	expect_error(BASE "refs:\n  - pattern: \"refs/heads/a b\"\n", 15, 14,
		     "contains a character no ref name can hold");
	expect_error(BASE "refs:\n  - pattern: refs/heads/a~1\n", 15, 14,
		     "contains a character no ref name can hold");
}

Test(matrix, two_push_keys_in_one_rule_are_a_duplicate_key)
{
	expect_error(BASE
		     "refs:\n"
		     "  - pattern: refs/heads/main\n"               /* 15 */
		     "    push: [release]\n"                        /* 16 */
		     "    push: true\n",                            /* 17 */
		     17, 5, "duplicate key 'push' (first at line 16)");
}

Test(matrix, duplicate_rule_pattern_is_refused)
{
	expect_error(BASE
		     "refs:\n"
		     "  - pattern: refs/heads/main\n"               /* 15 */
		     "    push: [release]\n"
		     "  - pattern: refs/heads/main\n"               /* 17 */
		     "    push: true\n",
		     17, 5, "duplicate rule for 'refs/heads/main' (first at line 15)");
}

Test(matrix, literal_rule_shadowed_by_an_earlier_glob_is_refused)
{
	expect_error(BASE
		     "refs:\n"
		     "  - pattern: refs/heads/*\n"                  /* 15 */
		     "    push: true\n"
		     "  - pattern: refs/heads/main\n"               /* 17 */
		     "    push: [release]\n",
		     17, 5, "rule 'refs/heads/main' can never apply: 'refs/heads/*' (line 15)");
	expect_error(BASE
		     "refs:\n"
		     "  - pattern: refs/heads/**\n"                 /* 15 */
		     "  - pattern: refs/heads/team/main\n",         /* 16 */
		     16, 5, "can never apply");
}

Test(matrix, empty_list_for_a_permission_is_refused)
{
	expect_error(BASE
		     "refs:\n"
		     "  - pattern: refs/heads/main\n"
		     "    delete: []\n",                            /* 16 */
		     16, 13, "delete is an empty list: write false for nobody");
	expect_error(BASE
		     "refs:\n"
		     "  - pattern: refs/heads/main\n"
		     "    push: []\n",
		     16, 11, "push is an empty list");
}

Test(matrix, permission_without_a_value_is_refused)
{
	expect_error(BASE
		     "refs:\n"
		     "  - pattern: refs/heads/main\n"
		     "    force_push:\n",                           /* 16 */
		     16, 16, "force_push has no value");
}

Test(matrix, refs_must_be_a_list)
{
	expect_error(BASE
		     "refs:\n"
		     "  pattern: refs/heads/main\n",                /* 15 */
		     15, 3, "refs must be a list of rules");
}

/* ---- settings ----------------------------------------------------------------------- */

Test(matrix, on_error_accepts_only_reject_or_allow)
{
	expect_error(BASE
		     "settings:\n"
		     "  on_error: maybe\n",                         /* 15 */
		     15, 13, "on_error must be reject or allow, not 'maybe'");
	expect_error(BASE "settings:\n  on_error: Allow\n", 15, 13, "not 'Allow'");
	expect_error(BASE "settings:\n  on_error: [allow]\n", 15, 13, "not 'a list'");
	expect_error(BASE "settings:\n  on_eror: allow\n", 15, 3, "did you mean 'on_error'?");
}

/* Every limit has its documented default when the matrix sets none. */
Test(matrix, limits_default_when_absent)
{
	gate_matrix *m = load_ok(BASE);
	const unsigned want[GATE_LIMITS] = {
		[GATE_LIMIT_REFS] = 10000,        [GATE_LIMIT_COMMITS] = 100000,
		[GATE_LIMIT_PARENTS] = 100,       [GATE_LIMIT_MESSAGE_BYTES] = 1048576,
		[GATE_LIMIT_TRAILERS] = 1000,     [GATE_LIMIT_PATHS_PER_COMMIT] = 100000,
		[GATE_LIMIT_TREE_DEPTH] = 1024,   [GATE_LIMIT_PATH_BYTES] = 4096,
		[GATE_LIMIT_PATHS_PER_PUSH] = 1000000,
	};
	size_t k;
	for (k = 0; k < GATE_LIMITS; k++) {
		cr_expect_eq(m->settings.limits.value[k], want[k], "%s", gate_limit_defs[k].key);
		cr_expect_eq(m->settings.limits.loc[k].line, 0, "%s", gate_limit_defs[k].key);
	}
	gate_matrix_free(m);
}

Test(matrix, limits_set_in_the_matrix_keep_their_place)
{
	gate_matrix *m = load_ok(BASE
				 "settings:\n"               /* 14 */
				 "  limits:\n"               /* 15 */
				 "    refs: 50\n"            /* 16 */
				 "    tree_depth: 64\n");    /* 17 */
	cr_expect_eq(m->settings.limits.value[GATE_LIMIT_REFS], 50);
	cr_expect_eq(m->settings.limits.loc[GATE_LIMIT_REFS].line, 16);
	cr_expect_eq(m->settings.limits.loc[GATE_LIMIT_REFS].col, 11);
	cr_expect_eq(m->settings.limits.value[GATE_LIMIT_TREE_DEPTH], 64);
	cr_expect_eq(m->settings.limits.loc[GATE_LIMIT_TREE_DEPTH].line, 17);
	cr_expect_eq(m->settings.limits.value[GATE_LIMIT_COMMITS], 100000, "the others keep their default");
	gate_matrix_free(m);
}

Test(matrix, limits_out_of_range_or_unknown_are_errors)
{
	expect_error(BASE "settings:\n  limits:\n    trailers: 5000\n", 16, 15,
		     "settings.limits.trailers must be from 0 to 1000, not 5000");
	expect_error(BASE "settings:\n  limits:\n    refs: many\n", 16, 11,
		     "settings.limits.refs must be a whole number");
	expect_error(BASE "settings:\n  limits:\n    tree_depht: 10\n", 16, 5,
		     "did you mean 'tree_depth'?");
	expect_error(BASE "settings:\n  limits: 10\n", 15, 11, "settings.limits");
}

/* ---- policies ----------------------------------------------------------------------- */

Test(matrix, policies_load_with_their_places)
{
	gate_matrix *m = load_ok(BASE
				 "policies:\n"                                            /* 14 */
				 "  containers:\n"                                        /* 15 */
				 "    privileged: reject\n"                               /* 16 */
				 "    run_as_root: warn\n"                                /* 17 */
				 "    registries: [registry.example.com]\n"               /* 18 */
				 "    paths: [\"deploy/**\"]\n"                          /* 19 */
				 "  dependencies:\n"                                      /* 20 */
				 "    deny: [\"npm:event-stream@3.3.6\", \"pypi:ctx@*\"]\n" /* 21 */
				 "    allow_only: true\n"                                 /* 22 */
				 "    allow: [\"npm:react\"]\n"                           /* 23 */
				 "    osv: security/osv.json\n"                           /* 24 */
				 "  deploy_refs: [\"refs/heads/deploy/*\"]\n"             /* 25 */
				 "  external:\n"                                          /* 26 */
				 "    use: opa\n"                                         /* 27 */
				 "    timeout_ms: 500\n");                                /* 28 */
	const gate_policies_cfg *p = &m->policies;
	cr_expect(p->containers);
	cr_expect_eq(p->action[GATE_CCHK_PRIVILEGED], GATE_POLICY_REJECT);
	cr_expect_eq(p->action_loc[GATE_CCHK_PRIVILEGED].line, 16);
	cr_expect_eq(p->action[GATE_CCHK_RUN_AS_ROOT], GATE_POLICY_WARN);
	cr_expect_eq(p->action[GATE_CCHK_HOST_PATH], GATE_POLICY_OFF, "absent means off");
	cr_assert_eq(p->n_registries, 1);
	cr_expect_str_eq(p->registries[0], "registry.example.com");
	cr_assert_eq(p->n_container_paths, 1);
	cr_expect_eq(p->n_deny, 2);
	cr_expect_eq(p->deny_loc.line, 21);
	cr_expect(p->allow_only);
	cr_expect_eq(p->n_allow, 1);
	cr_expect_str_eq(p->osv, "security/osv.json");
	cr_expect_eq(p->n_deploy_refs, 1);
	cr_assert_not_null(p->external_use);
	cr_expect_str_eq(p->external_use, "opa", "the matrix only names the server's policy");
	cr_expect_eq(p->external_use_loc.line, 27);
	cr_expect_eq(p->external_timeout_ms, 500);
	gate_matrix_free(m);
}

Test(matrix, external_command_in_the_matrix_is_refused_and_points_to_server_config)
{
	expect_error(BASE "policies:\n  external:\n    command: [/bin/sh, -c, \"touch /tmp/x\"]\n", 16, 14,
		     "policies.external.command is no longer read from the matrix");
	expect_error(BASE "policies:\n  external:\n    use: opa\n    command: [opa]\n", 17, 14,
		     "git config gatehouse.externalPolicy.NAME.command");
}

Test(matrix, policies_errors_name_the_place)
{
	expect_error(BASE "policies:\n  containers:\n    privileged: maybe\n", 16, 17,
		     "policies.containers.privileged must be reject, warn or off, not 'maybe'");
	expect_error(BASE "policies:\n  containers:\n    privilegd: reject\n", 16, 5,
		     "did you mean 'privileged'?");
	expect_error(BASE "policies:\n  dependencies:\n    deny: [\"npm:\"]\n", 16, 11,
		     "policies.dependencies.deny: 'npm:'");
	expect_error(BASE "policies:\n  dependencies:\n    deny: [\"rubygems:rails\"]\n", 16, 11,
		     "'rubygems:rails'");
	expect_error(BASE "policies:\n  dependencies:\n    osv: /etc/passwd\n", 16, 10,
		     "must be a path inside the repository");
	expect_error(BASE "policies:\n  deploy_refs: [deploy/*]\n", 15, 17, "must start with refs/");
	expect_error(BASE "policies:\n  external: {timeout_ms: 100}\n", 15, 13, "needs use: NAME");
	expect_error(BASE "policies:\n  external: {use: \"../x\"}\n", 15, 19, "is not a policy name");
	expect_error(BASE "policies:\n  containrs: {}\n", 15, 3, "did you mean 'containers'?");
}

Test(matrix, deploy_refs_take_plain_globs_and_from_entries)
{
	gate_matrix *m = load_ok(BASE
				 "policies:\n"                                                   /* 14 */
				 "  deploy_refs:\n"                                              /* 15 */
				 "    - refs/heads/deploy/*\n"                                   /* 16 */
				 "    - { pattern: \"refs/heads/canary/*\", from: [\"refs/heads/main\", \"refs/tags/v*\"] }\n" /* 17 */
				 "    - pattern: refs/heads/prod\n"                              /* 18 */
				 "      from: refs/heads/staging\n");                            /* 19 */
	const gate_policies_cfg *p = &m->policies;
	cr_assert_eq(p->n_deploy_refs, 3);
	cr_assert_not_null(p->deploy_src);
	cr_expect_str_eq(p->deploy_refs[0], "refs/heads/deploy/*");
	cr_expect_null(p->deploy_src[0].from, "a plain glob: any ref with evidence requirements");
	cr_expect_eq(p->deploy_src[0].loc.line, 16);
	cr_expect_str_eq(p->deploy_refs[1], "refs/heads/canary/*");
	cr_assert_eq(p->deploy_src[1].n_from, 2);
	cr_expect_str_eq(p->deploy_src[1].from[1], "refs/tags/v*");
	cr_expect_eq(p->deploy_src[1].loc.line, 17);
	cr_expect_eq(p->deploy_src[1].loc.col, 7);
	cr_assert_eq(p->deploy_src[2].n_from, 1, "from: one glob as a string");
	cr_expect_str_eq(p->deploy_src[2].from[0], "refs/heads/staging");
	gate_matrix_free(m);
	m = load_ok(BASE "policies:\n  deploy_refs: refs/heads/deploy/*\n");
	cr_expect_eq(m->policies.n_deploy_refs, 1, "one glob alone, as before");
	gate_matrix_free(m);
}

Test(matrix, deploy_refs_bad_shapes_name_the_place)
{
	expect_error(BASE "policies:\n  deploy_refs: {pattern: refs/heads/d}\n", 15, 16,
		     "must be a list of globs or of {pattern, from} entries");
	expect_error(BASE "policies:\n  deploy_refs:\n    - {pattern: refs/heads/d}\n", 16, 7,
		     "needs from:");
	expect_error(BASE "policies:\n  deploy_refs:\n    - {from: [refs/heads/main]}\n", 16, 7,
		     "needs pattern:");
	expect_error(BASE "policies:\n  deploy_refs:\n    - {pattern: refs/heads/d, from: []}\n", 16, 37,
		     "must name at least one ref glob");
	expect_error(BASE "policies:\n  deploy_refs:\n    - {pattern: refs/heads/d, from: {a: b}}\n", 16,
		     37, "must be a glob or a list of globs");
	expect_error(BASE "policies:\n  deploy_refs:\n    - {pattern: refs/heads/d, from: [heads/main]}\n",
		     16, 38, "policies.deploy_refs[].from: 'heads/main' must start with refs/");
	expect_error(BASE "policies:\n  deploy_refs:\n    - {pattern: refs/heads/d, from: [\"refs/[a\"]}\n",
		     16, 38, "invalid policies.deploy_refs[].from glob");
	{
		static const char typo[] =
			BASE "policies:\n  deploy_refs:\n    - {pattern: refs/heads/d, form: [refs/heads/m]}\n";
		expect_error_n(typo, sizeof(typo) - 1, 16, 31, "did you mean 'from'?", 2);
	}
	expect_error(BASE "policies:\n  deploy_refs:\n    - {pattern: [refs/heads/d], from: refs/heads/m}\n",
		     16, 17, "policies.deploy_refs must be a string");
}

/* ---- YAML-level problems ------------------------------------------------------------ */

Test(matrix, yaml_alias_is_refused)
{
	expect_error(PEOPLE
		     "roles:\n"
		     "  developers: &devs [alice]\n"                /* 6 */
		     "  release: *devs\n"                           /* 7 */
		     DUTIES,
		     7, 12, "YAML alias '*devs' is not allowed");
	expect_error(BASE
		     "refs:\n"
		     "  - &rule { pattern: refs/heads/main, push: true }\n"  /* 15 */
		     "  - { <<: *rule, pattern: refs/heads/dev }\n",        /* 16 */
		     16, 11, "YAML alias '*rule' is not allowed");
}

Test(matrix, multiple_documents_are_refused)
{
	expect_error(BASE
		     "---\n"                                        /* 14 */
		     "version: 1\n",
		     14, 1, "only one YAML document is allowed");
}

Test(matrix, yaml_syntax_error_carries_its_position)
{
	expect_error("version: 1\n"
		     "people:\n"
		     "\talice:\n"                                   /* 3: tab indentation */
		     ROLES DUTIES,
		     3, 1, "YAML syntax error");
	expect_error("version: 1: 2\n" AFTER_VERSION, 1, 11, "YAML syntax error");
}

Test(matrix, invalid_utf8_is_refused)
{
	static const char yaml[] = "version: 1\n"
				   "people:\n"
				   "  al\xff" "ice:\n" ROLES DUTIES;
	gate_matrix *m = (gate_matrix *)1;
	gate_diags d = GATE_DIAGS_INIT;

	cr_expect_eq(gate_matrix_load_buffer(&m, LABEL, yaml, sizeof(yaml) - 1, &d), GATE_EMATRIX);
	cr_expect_null(m);
	cr_assert_eq(d.count, 1);
	cr_expect_not_null(strstr(d.items[0].text, "UTF-8"), "%s", d.items[0].text);
	gate_diags_dispose(&d);
}

/*
 * Regression (found by this test, fixed): libyaml reports reader errors (invalid UTF-8, control characters) in
 * parser.problem_offset and leaves problem_mark at zero, so gate_yaml_parse()
 * places them at 1:1 whatever line they are on.  See the report.
 */
Test(matrix, invalid_utf8_is_reported_on_its_line)
{
	static const char yaml[] = "version: 1\n"
				   "people:\n"
				   "  al\xff" "ice:\n" ROLES DUTIES; /* line 3, column 5 */

	expect_error_n(yaml, sizeof(yaml) - 1, 3, 5, "UTF-8", 1);
}

Test(matrix, empty_file_is_refused)
{
	expect_error("", 1, 1, "matrix is empty");
	expect_error("# only a comment\n\n", 1, 1, "matrix is empty");
}

Test(matrix, nul_byte_is_refused)
{
	static const char yaml[] = "version: 1\0\n";
	gate_matrix *m = (gate_matrix *)1;
	gate_diags d = GATE_DIAGS_INIT;

	cr_expect_eq(gate_matrix_load_buffer(&m, LABEL, yaml, sizeof(yaml) - 1, &d), GATE_EMATRIX);
	cr_expect_null(m);
	cr_expect_geq(d.count, 1);
	gate_diags_dispose(&d);
}

Test(matrix, matrix_over_the_size_limit_is_refused)
{
	size_t len = GATE_MATRIX_MAX_BYTES + 1;
	char *big = malloc(len);

	cr_assert_not_null(big);
	memset(big, '#', len);
	big[len - 1] = '\n';
	expect_error_n(big, len, 1, 1, "over the limit", 1);
	free(big);
}

Test(matrix, diagnostics_are_capped_with_a_note)
{
	gate_buf y = GATE_BUF_INIT;
	gate_matrix *m = NULL;
	gate_diags d = GATE_DIAGS_INIT;
	int i;

	gate_buf_puts(&y, BASE);
	for (i = 0; i < 150; i++)
		gate_buf_printf(&y, "unknown%d: 1\n", i);
	cr_assert_eq(load(&m, &d, gate_buf_cstr(&y)), GATE_EMATRIX);
	cr_expect_eq(d.count, 101);
	cr_expect_eq(d.items[99].line, 113);
	cr_expect_not_null(strstr(d.items[100].text, "more errors not shown"));
	cr_expect_eq(d.items[100].line, 0);
	gate_diags_dispose(&d);
	gate_buf_dispose(&y);
}

Test(matrix, every_problem_is_reported_not_just_the_first)
{
	gate_matrix *m = NULL;
	gate_diags d = GATE_DIAGS_INIT;

	cr_assert_eq(load(&m, &d,
			  "version: 3\n"                            /* 1 */
			  "people:\n"
			  "  alice:\n"
			  "roles:\n"
			  "  developers: [alice, zed]\n"            /* 5 */
			  "responsibilities:\n"
			  "  write_code: developers\n"
			  "  review_code: developers\n"
			  "  configure_pipeline: developers\n"
			  "  resolve_vulnerabilities: developers\n"
			  "  approve_deployment: ops\n"             /* 11 */
			  "refs:\n"
			  "  - pattern: heads/main\n"),             /* 13 */
		     GATE_EMATRIX);
	cr_expect_eq(d.count, 4);
	if (d.count == 4) {
		cr_expect_eq(d.items[0].line, 1);
		cr_expect_eq(d.items[1].line, 5);
		cr_expect_eq(d.items[2].line, 11);
		cr_expect_eq(d.items[3].line, 13);
	}
	gate_diags_dispose(&d);
	cr_expect_null(m);
}

Test(matrix, diags_may_be_null)
{
	gate_matrix *m = (gate_matrix *)1;

	cr_expect_eq(gate_matrix_load_buffer(&m, LABEL, "version: 2\n", 11, NULL), GATE_EMATRIX);
	cr_expect_null(m);
	cr_expect_not_null(strstr(gate_error_last(), LABEL ":1:10: error: "), "%s",
			   gate_error_last());
}

/*
 * Regression (found by this test, fixed): several messages paste bytes from the matrix unescaped: yamltree.c's
 * "duplicate key '%.*s'", and matrix.c's "duty '%s' has no role", "role '%s'
 * has no members", "role '%s' lists '%s' twice", "%s lists role '%s' twice",
 * "logins of '%s' is empty" and "email '%s' is claimed by both".  A YAML
 * double-quoted "\e" puts a raw ESC into them, and they reach the pusher's
 * terminal through matrix.invalid.  See the report.
 */
Test(matrix, diagnostics_never_carry_raw_control_characters)
{
	static const char *const hostile[] = {
		/* duplicate key */
		BASE "\"x\\e[2J\": 1\n\"x\\e[2J\": 2\n",
		/* duty with no role, under a name holding ESC */
		PEOPLE ROLES "responsibilities:\n  \"d\\e[31m\": []\n",
		/* role with no members */
		PEOPLE "roles:\n  \"r\\e[31m\":\n",
		/* emails claimed twice */
		"version: 1\npeople:\n  a: { emails: [\"x\\e[31m@example.com\"] }\n"
		"  b: { emails: [\"x\\e[31m@example.com\"] }\n" ROLES DUTIES,
	};
	size_t i, j, k;

	for (i = 0; i < GATE_ARRAY_SIZE(hostile); i++) {
		gate_matrix *m = NULL;
		gate_diags d = GATE_DIAGS_INIT;

		load(&m, &d, hostile[i]);
		gate_matrix_free(m);
		for (j = 0; j < d.count; j++)
			for (k = 0; d.items[j].text[k]; k++) {
				unsigned char c = (unsigned char)d.items[j].text[k];
				cr_expect(c >= 0x20 && c != 0x7f, "case %zu: raw 0x%02x in: %s", i, c,
					  d.items[j].text);
			}
		gate_diags_dispose(&d);
	}
}

/* ---- the project's own matrices --------------------------------------------------------- */

static void expect_file_loads(const char *path)
{
	gate_matrix *m = NULL;
	gate_diags d = GATE_DIAGS_INIT;
	int rc = gate_matrix_load_file(&m, path, &d);

	if (rc)
		dump(&d);
	cr_expect_eq(rc, 0, "%s: %s", path, gate_error_last());
	cr_expect_eq(d.count, 0, "%s", path);
	if (m) {
		cr_expect_str_eq(gate_matrix_label(m), path);
		cr_expect_eq(m->version, 1);
	}
	gate_matrix_free(m);
	gate_diags_dispose(&d);
}

Test(matrix, example_minimal_loads_cleanly)
{
	expect_file_loads("../../matrix/examples/minimal.yml");
}

Test(matrix, every_example_matrix_loads_cleanly)
{
	const char *dir = "../../matrix/examples";
	DIR *dp = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	cr_assert_not_null(dp, "cannot open %s (tests run from tests/unit)", dir);
	while ((e = readdir(dp))) {
		size_t len = strlen(e->d_name);
		char path[512];
		if (len < 5 || strcmp(e->d_name + len - 4, ".yml"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		cr_log_info("loading %s", path);
		expect_file_loads(path);
		n++;
	}
	closedir(dp);
	cr_expect_geq(n, 1, "no example matrices found");
}

Test(matrix, project_responsibility_matrix_loads_cleanly)
{
	expect_file_loads("../../matrix/responsibility.yml");
}

Test(matrix, load_file_reports_a_missing_file)
{
	gate_matrix *m = (gate_matrix *)1;
	cr_expect_eq(gate_matrix_load_file(&m, "../../matrix/no-such-file.yml", NULL), GATE_ENOTFOUND);
	cr_expect_null(m);
}

/* ---- evidence keys: people's SSH keys --------------------------------------------------- */

static void load_ok_free(const char *yaml) { gate_matrix_free(load_ok(yaml)); }

/* Generated once with ssh-keygen -t ed25519 / -t ecdsa; fingerprints from ssh-keygen -lf. */
#define KEY_A_B64 "AAAAC3NzaC1lZDI1NTE5AAAAILhKbpVOyLsTa5hAzZm9EcfS5s11mmsZGWBwVOzEQ2X8"
#define KEY_A "ssh-ed25519 " KEY_A_B64 " alice@laptop"
#define FP_A "SHA256:fnfmKWzA9MlKgJwcIGUKY55Nxrv/TSfu1h1RGRR/vhs"
#define KEY_B \
	"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHziPyP" \
	"RV+erDBm1Y1zILtQyD/nblo4BcwbDcHzYdNzbp3yU3079x4Qgdy7BpUtdV7TedTG3XsXUkPkoXQ578tQ= erin"
#define FP_B "SHA256:vHCG8qd2ia1HPDanxB1NbUNJfre6Oux07zRXhiUfMsw"

Test(matrix, keys_are_parsed_into_each_person)
{
	gate_matrix *m = load_ok("version: 1\n"
				 "people:\n"
				 "  alice:\n"
				 "    emails: [alice@example.com]\n"
				 "    keys:\n"
				 "      - " KEY_A "\n"
				 "  erin:\n"
				 "    emails: [erin@example.com]\n"
				 "    keys: " KEY_B "\n" /* a scalar is a list of one */
				 ROLES DUTIES);
	const gate_sshkey *found;
	const unsigned char *blob;
	size_t len;
	char fp[80];

	cr_assert_eq(m->people[0].n_keys, 1);
	cr_assert_eq(m->people[1].n_keys, 1);
	cr_expect_str_eq(gate_sshkey_type(m->people[0].keys[0]), "ssh-ed25519");
	cr_expect_str_eq(gate_sshkey_type(m->people[1].keys[0]), "ecdsa-sha2-nistp256");
	blob = gate_sshkey_blob(m->people[0].keys[0], &len);
	gate_ssh_fingerprint(fp, sizeof(fp), blob, len);
	cr_expect_str_eq(fp, FP_A);
	cr_expect_eq(gate_matrix_person_by_key(m, blob, len, &found), 0,
		     "alice signs with her key");
	cr_expect_eq(found, m->people[0].keys[0]);
	blob = gate_sshkey_blob(m->people[1].keys[0], &len);
	gate_ssh_fingerprint(fp, sizeof(fp), blob, len);
	cr_expect_str_eq(fp, FP_B);
	cr_expect_eq(gate_matrix_person_by_key(m, blob, len, &found), 1);
	cr_expect_eq(gate_matrix_person_by_key(m, (const unsigned char *)"nope", 4, &found), -1);
	cr_expect_null(found);
	gate_matrix_free(m);
}

Test(matrix, people_without_keys_have_none)
{
	gate_matrix *m = load_ok(BASE);
	cr_expect_eq(m->people[0].n_keys, 0);
	cr_expect_eq(m->people[1].n_keys, 0);
	gate_matrix_free(m);
}

Test(matrix, invalid_key_line_is_reported_at_the_key)
{
	static const struct {
		const char *key, *reason;
	} bad[] = {
		{ "ssh-ed25519 AAAA!!!!", "the key's base64 does not decode" },
		{ "ssh-rsa " KEY_A_B64, "the line says ssh-rsa but the key is ssh-ed25519" },
		{ "ssh-ed25519", "expected 'TYPE BASE64 [COMMENT]'" },
		{ KEY_A_B64, "expected 'TYPE BASE64 [COMMENT]'" },
		/* "ssh-dss" and a 32-byte string */
		{ "ssh-dss AAAAB3NzaC1kc3MAAAAgAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		  "key type 'ssh-dss' is not supported" },
		/* "sk-ssh-ed25519@openssh.com", a 32-byte key and "ssh:" */
		{ "sk-ssh-ed25519@openssh.com "
		  "AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIAEAAAAAAAAAAA"
		  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABHNzaDo=",
		  "key type 'sk-ssh-ed25519@openssh.com' is not supported" },
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(bad); i++) {
		char yaml[2048], needle[256];
		snprintf(yaml, sizeof(yaml),
			 "version: 1\n"
			 "people:\n"
			 "  alice:\n"
			 "    emails: [alice@example.com]\n"
			 "    keys: [\"%s\"]\n" /* 5: the quoted key starts at column 12 */
			 "  erin: { emails: [erin@example.com] }\n" ROLES DUTIES,
			 bad[i].key);
		snprintf(needle, sizeof(needle), "key of 'alice' is not an SSH public key: %s",
			 bad[i].reason);
		cr_log_info("key %s", bad[i].key);
		expect_error(yaml, 5, 12, needle);
	}
}

Test(matrix, same_key_under_two_people_is_refused_at_the_second)
{
	expect_error("version: 1\n"
		     "people:\n"
		     "  alice: { emails: [alice@example.com], keys: [\"" KEY_A "\"] }\n"
		     "  erin: { emails: [erin@example.com], keys: [\"" KEY_B "\"] }\n"
		     "  bob: { emails: [bob@example.com], keys: [\"ssh-ed25519 " KEY_A_B64
		     " other-comment\"] }\n" /* 5 */
		     ROLES DUTIES,
		     5, 3,
		     "key " FP_A " is listed for both 'alice' and 'bob': a key must identify one "
		     "person");
}

Test(matrix, same_key_twice_under_one_person_is_refused)
{
	expect_error("version: 1\n"
		     "people:\n"
		     "  alice:\n"
		     "    emails: [alice@example.com]\n"
		     "    keys: [\"" KEY_A "\", \"" KEY_A "\"]\n"
		     "  erin: { emails: [erin@example.com] }\n" ROLES DUTIES,
		     3, 3, "key " FP_A " is listed for both");
}

/* ---- evidence keys: reviews and approvals ----------------------------------------------- */

/* BASE and a rule for main (lines 14-15); the next line is 16. */
#define MAIN_RULE BASE "refs:\n  - pattern: refs/heads/main\n"

/* A team with two people in each role, for requirements that can be met. */
#define TEAM                                                   \
	"version: 1\n"                                  /*  1 */ \
	"people:\n"                                     /*  2 */ \
	"  alice: { emails: [alice@example.com] }\n"    /*  3 */ \
	"  bob: { emails: [bob@example.com] }\n"        /*  4 */ \
	"  erin: { emails: [erin@example.com] }\n"      /*  5 */ \
	"  fred: { emails: [fred@example.com] }\n"      /*  6 */ \
	"roles:\n"                                      /*  7 */ \
	"  developers: [alice, bob]\n"                  /*  8 */ \
	"  release: [erin, fred]\n"                     /*  9 */ \
	"  security: [bob]\n"                           /* 10 */ \
	"responsibilities:\n"                           /* 11 */ \
	"  write_code: developers\n"                    /* 12 */ \
	"  review_code: developers\n"                   /* 13 */ \
	"  configure_pipeline: release\n"               /* 14 */ \
	"  resolve_vulnerabilities: developers\n"       /* 15 */ \
	"  approve_deployment: release\n"               /* 16 */ \
	"refs:\n"                                       /* 17 */
enum { T_DEVELOPERS, T_RELEASE, T_SECURITY };

Test(matrix, reviews_and_approvals_parse_min_roles_and_location)
{
	gate_matrix *m = load_ok(TEAM
				 "  - pattern: refs/heads/main\n"                          /* 18 */
				 "    reviews: { min: 2, from: [developers, security] }\n" /* 19 */
				 "  - pattern: refs/tags/v*\n"                             /* 20 */
				 "    approvals: { min: 2, from: release }\n"              /* 21 */
				 "  - pattern: refs/heads/dev\n");                         /* 22 */
	const gate_refrule *r = &m->refs[0];

	cr_expect_eq(r->reviews.set, 1);
	cr_expect_eq(r->reviews.min, 2);
	cr_expect_eq(r->reviews.from_duty, 0);
	cr_assert_eq(r->reviews.n_roles, 2);
	cr_expect_eq(r->reviews.roles[0], T_DEVELOPERS);
	cr_expect_eq(r->reviews.roles[1], T_SECURITY);
	cr_expect_eq(r->reviews.loc.line, 19);
	cr_expect_eq(r->reviews.loc.col, 14);
	cr_expect_eq(r->approvals.set, 0, "main has no approvals");
	r = &m->refs[1];
	cr_expect_eq(r->approvals.set, 1);
	cr_expect_eq(r->approvals.min, 2);
	cr_assert_eq(r->approvals.n_roles, 1);
	cr_expect_eq(r->approvals.roles[0], T_RELEASE);
	cr_expect_eq(r->approvals.loc.line, 21);
	cr_expect_eq(r->reviews.set, 0);
	r = &m->refs[2];
	cr_expect_eq(r->reviews.set, 0);
	cr_expect_eq(r->approvals.set, 0);
	cr_expect_eq(r->n_trailers, 0);
	cr_expect_eq(r->signed_commits, 0);
	cr_expect_null(r->reachable_from);
	gate_matrix_free(m);
}

Test(matrix, reviews_shorthand_takes_the_duty_owners)
{
	gate_matrix *m = load_ok(TEAM
				 "  - pattern: refs/heads/main\n"
				 "    reviews: 1\n"                                        /* 19 */
				 "  - pattern: refs/tags/v*\n"
				 "    approvals: { min: 2 }\n");
	const gate_refrule *r = &m->refs[0];

	cr_expect_eq(r->reviews.set, 1);
	cr_expect_eq(r->reviews.min, 1);
	cr_expect_eq(r->reviews.from_duty, 1);
	cr_assert_eq(r->reviews.n_roles, 1, "review_code's roles");
	cr_expect_eq(r->reviews.roles[0], T_DEVELOPERS);
	cr_expect_eq(r->reviews.loc.line, 19);
	cr_expect_eq(r->reviews.loc.col, 14);
	r = &m->refs[1];
	cr_expect_eq(r->approvals.from_duty, 1);
	cr_assert_eq(r->approvals.n_roles, 1, "approve_deployment's roles");
	cr_expect_eq(r->approvals.roles[0], T_RELEASE);
	gate_matrix_free(m);
}

Test(matrix, reviews_min_must_be_a_whole_number_from_1_to_100)
{
	static const struct {
		const char *min, *reason;
	} bad[] = {
		{ "0", "reviews.min must be from 1 to 100, not 0" },
		{ "101", "reviews.min must be from 1 to 100, not 101" },
		{ "two", "reviews.min must be a whole number from 1 to 100, not 'two'" },
		{ "-1", "reviews.min must be a whole number from 1 to 100, not '-1'" },
		{ "1.5", "reviews.min must be a whole number from 1 to 100, not '1.5'" },
		{ "\"1\"", "reviews.min must be a whole number from 1 to 100" },
		{ "[1]", "reviews.min must be a whole number from 1 to 100" },
		{ "9999999999", "reviews.min must be a whole number from 1 to 100" },
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(bad); i++) {
		char yaml[2048];
		cr_log_info("min: %s", bad[i].min);
		/* the long form: the value of min: is at column 21 */
		snprintf(yaml, sizeof(yaml),
			 MAIN_RULE "    reviews: { min: %s, from: [developers] }\n", bad[i].min);
		expect_error(yaml, 16, 21, bad[i].reason);
		/* the shorthand: the value of reviews: is at column 14 */
		snprintf(yaml, sizeof(yaml), MAIN_RULE "    reviews: %s\n", bad[i].min);
		expect_error(yaml, 16, 14, bad[i].reason);
	}
}

Test(matrix, approvals_min_is_checked_the_same_way)
{
	expect_error(MAIN_RULE "    approvals: { min: 0 }\n", 16, 23,
		     "approvals.min must be from 1 to 100, not 0");
	expect_error(MAIN_RULE "    approvals: 101\n", 16, 16,
		     "approvals.min must be from 1 to 100, not 101");
}

Test(matrix, reviews_map_without_min_is_refused)
{
	expect_error(MAIN_RULE "    reviews: { from: [developers] }\n", 16, 14,
		     "reviews needs min: (how many distinct people)");
	expect_error(MAIN_RULE "    approvals: {}\n", 16, 16, "approvals needs min:");
}

Test(matrix, reviews_min_larger_than_the_people_in_its_roles_could_never_be_met)
{
	/* BASE has one developer (alice) and one release person (erin) */
	expect_error(MAIN_RULE "    reviews: { min: 2, from: [developers] }\n", 16, 21,
		     "reviews.min is 2 but only 1 person can give one: "
		     "this rule could never be met");
	expect_error(MAIN_RULE "    reviews: 2\n", 16, 14,
		     "reviews.min is 2 but only 1 person can give one");
	expect_error(MAIN_RULE "    approvals: { min: 3, from: [developers, release] }\n", 16, 23,
		     "approvals.min is 3 but only 2 people can give one");
	expect_error(MAIN_RULE "    approvals: 2\n", 16, 16,
		     "approvals.min is 2 but only 1 person can give one");
}

Test(matrix, reviews_min_counts_a_person_in_two_roles_once)
{
	/* bob is in developers and security: two roles, but only alice and bob */
	expect_error(TEAM
		     "  - pattern: refs/heads/main\n"
		     "    reviews: { min: 3, from: [developers, security] }\n", /* 19 */
		     19, 21, "reviews.min is 3 but only 2 people can give one");
	load_ok_free(TEAM "  - pattern: refs/heads/main\n"
			  "    reviews: { min: 2, from: [developers, security] }\n");
}

Test(matrix, reviews_from_naming_an_unknown_role_is_reported_at_the_name)
{
	expect_error(MAIN_RULE "    reviews: { min: 1, from: [devs] }\n", 16, 31,
		     "reviews.from of rule 'refs/heads/main' names unknown role 'devs' "
		     "(roles: developers, release)");
	expect_error(MAIN_RULE "    approvals: { min: 1, from: [release, admins] }\n", 16, 42,
		     "approvals.from of rule 'refs/heads/main' names unknown role 'admins'");
	expect_error(MAIN_RULE "    reviews: { min: 1, from: [developers, developers] }\n", 16, 43,
		     "lists role 'developers' twice");
}

/*
 * Regression (found by this test, fixed): (src/matrix.c, load_evidence): "from: []" names no role, so nobody can
 * ever give the review, yet the matrix loads: each_str() accepts an empty
 * list silently and the "could never be met" check is skipped because
 * req->n_roles is 0.  Every push to the ref is then rejected with a reason
 * naming no role.  push: [], owners: [] and role member lists all refuse an
 * empty list; from: should too.
 */
Test(matrix, reviews_from_an_empty_list_is_refused)
{
	static const char reviews[] = MAIN_RULE "    reviews: { min: 1, from: [] }\n";
	static const char approvals[] = MAIN_RULE "    approvals: { min: 1, from: [] }\n";

	expect_error_n(reviews, strlen(reviews), 16, 30, "from", -1);
	expect_error_n(approvals, strlen(approvals), 16, 32, "from", -1);
}

Test(matrix, unknown_key_inside_reviews_suggests_the_close_one)
{
	expect_error(MAIN_RULE "    reviews: { min: 1, form: [developers] }\n", 16, 24,
		     "unknown key 'form' in reviews: did you mean 'from'? "
		     "(expected one of: min, from)");
	expect_error(MAIN_RULE "    approvals: { min: 1, minimum: 2 }\n", 16, 26,
		     "unknown key 'minimum' in approvals");
}

Test(matrix, reviews_must_be_a_number_or_a_mapping)
{
	expect_error(MAIN_RULE "    reviews: [developers]\n", 16, 14,
		     "reviews.min must be a whole number from 1 to 100");
}

/* ---- evidence keys: trailers, signed, reachable_from ------------------------------------ */

Test(matrix, trailers_parse_names_values_and_locations)
{
	gate_matrix *m = load_ok(MAIN_RULE
				 "    trailers:\n"                         /* 16 */
				 "      Scan-SAST: [pass]\n"               /* 17 */
				 "      Scan-Deps: [pass, waived]\n"       /* 18 */
				 "      License-Check: ok\n"               /* 19: a list of one */
				 "    signed: true\n"                      /* 20 */
				 "    reachable_from: refs/heads/main\n"); /* 21 */
	const gate_refrule *r = &m->refs[0];

	cr_assert_eq(r->n_trailers, 3);
	cr_expect_str_eq(r->trailers[0].name, "Scan-SAST");
	cr_assert_eq(r->trailers[0].n_values, 1);
	cr_expect_str_eq(r->trailers[0].values[0], "pass");
	cr_expect_eq(r->trailers[0].loc.line, 17);
	cr_expect_eq(r->trailers[0].loc.col, 7);
	cr_expect_str_eq(r->trailers[1].name, "Scan-Deps");
	cr_assert_eq(r->trailers[1].n_values, 2);
	cr_expect_str_eq(r->trailers[1].values[1], "waived");
	cr_expect_eq(r->trailers[1].loc.line, 18);
	cr_assert_eq(r->trailers[2].n_values, 1);
	cr_expect_str_eq(r->trailers[2].values[0], "ok");
	cr_expect_eq(r->signed_commits, 1);
	cr_expect_eq(r->signed_loc.line, 20);
	cr_expect_eq(r->signed_loc.col, 13);
	cr_expect_str_eq(r->reachable_from, "refs/heads/main");
	cr_expect_eq(r->reachable_loc.line, 21);
	cr_expect_eq(r->reachable_loc.col, 21);
	gate_matrix_free(m);
}

Test(matrix, signed_false_is_no_requirement)
{
	gate_matrix *m = load_ok(MAIN_RULE "    signed: false\n");
	cr_expect_eq(m->refs[0].signed_commits, 0);
	gate_matrix_free(m);
}

Test(matrix, trailer_with_an_invalid_name_is_refused_at_the_name)
{
	static const char *const bad[] = { "Scan_SAST", "Scan SAST", "Scan.SAST", "Scan:SAST",
					   "\"\"" };
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(bad); i++) {
		char yaml[2048];
		snprintf(yaml, sizeof(yaml), MAIN_RULE "    trailers:\n      %s: [pass]\n", bad[i]);
		cr_log_info("trailer name %s", bad[i]);
		expect_error(yaml, 17, 7, "must be letters, digits and '-' (like Scan-SAST)");
	}
}

Test(matrix, trailer_with_no_accepted_value_is_refused)
{
	expect_error(MAIN_RULE "    trailers:\n      Scan-SAST: []\n", 17, 18,
		     "trailer 'Scan-SAST' lists no accepted value (e.g. [pass])");
	expect_error(MAIN_RULE "    trailers:\n      Scan-SAST:\n", 17, 7,
		     "trailer 'Scan-SAST' lists no accepted value");
	expect_error(MAIN_RULE "    trailers:\n      Scan-SAST: [pass, \"\"]\n", 17, 25,
		     "accepted trailer values must not be empty");
}

Test(matrix, trailers_must_be_a_mapping)
{
	expect_error(MAIN_RULE "    trailers: [Scan-SAST]\n", 16, 15,
		     "trailers must be a mapping, found a list");
}

Test(matrix, signed_must_be_true_or_false)
{
	static const char *const bad[] = { "maybe", "yes", "1", "[true]" };
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(bad); i++) {
		char yaml[2048];
		snprintf(yaml, sizeof(yaml), MAIN_RULE "    signed: %s\n", bad[i]);
		cr_log_info("signed: %s", bad[i]);
		expect_error(yaml, 16, 13, "signed must be true or false");
	}
}

Test(matrix, reachable_from_must_be_a_full_ref_name)
{
	static const char *const bad[] = { "main", "heads/main", "refs/heads/a..b", "refs/heads/*",
					   "refs/heads/main.lock", "\"refs/heads/a b\"" };
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(bad); i++) {
		char yaml[2048];
		snprintf(yaml, sizeof(yaml), MAIN_RULE "    reachable_from: %s\n", bad[i]);
		cr_log_info("reachable_from: %s", bad[i]);
		expect_error(yaml, 16, 21,
			     "reachable_from must be a full ref name such as refs/heads/main");
	}
	expect_error(MAIN_RULE "    reachable_from: \"\"\n", 16, 21,
		     "reachable_from must not be empty");
	expect_error(MAIN_RULE "    reachable_from: [refs/heads/main]\n", 16, 21,
		     "reachable_from must be a string, found a list");
}

/* ---- evidence keys: paths and pipeline_paths -------------------------------------------- */

Test(matrix, paths_parse_patterns_owners_and_locations)
{
	gate_matrix *m = load_ok(TEAM
				 "  - pattern: refs/heads/main\n"                      /* 18 */
				 "paths:\n"                                            /* 19 */
				 "  - pattern: infra/**\n"                             /* 20 */
				 "    owners: [release]\n"                             /* 21 */
				 "  - { pattern: \"**/*.tf\",\n"                       /* 22 */
				 "      owners: [release, security] }\n"
				 "  - { pattern: Jenkinsfile, owners: developers }\n"  /* 24 */
				 "pipeline_paths: [\"deploy/**\", ops/run.sh]\n");     /* 25 */

	cr_assert_eq(m->n_paths, 3);
	cr_expect_str_eq(m->paths[0].pattern, "infra/**");
	cr_assert_eq(m->paths[0].n_owners, 1);
	cr_expect_eq(m->paths[0].owners[0], T_RELEASE);
	cr_expect_eq(m->paths[0].loc.line, 20);
	cr_expect_eq(m->paths[0].loc.col, 5);
	cr_expect_str_eq(m->paths[1].pattern, "**/*.tf");
	cr_assert_eq(m->paths[1].n_owners, 2);
	cr_expect_eq(m->paths[1].owners[1], T_SECURITY);
	cr_expect_eq(m->paths[1].loc.line, 22);
	cr_assert_eq(m->paths[2].n_owners, 1, "a scalar owner is a list of one");
	cr_expect_eq(m->paths[2].owners[0], T_DEVELOPERS);
	cr_assert_eq(m->n_pipeline_paths, 2);
	cr_expect_str_eq(m->pipeline_paths[0], "deploy/**");
	cr_expect_str_eq(m->pipeline_paths[1], "ops/run.sh");
	cr_expect_eq(m->pipeline_loc.line, 25);
	gate_matrix_free(m);
}

Test(matrix, paths_and_pipeline_paths_are_optional)
{
	gate_matrix *m = load_ok(BASE);
	cr_expect_eq(m->n_paths, 0);
	cr_expect_eq(m->n_pipeline_paths, 0);
	gate_matrix_free(m);
	m = load_ok(BASE "pipeline_paths: deploy/**\n");
	cr_assert_eq(m->n_pipeline_paths, 1, "a scalar is a list of one");
	cr_expect_str_eq(m->pipeline_paths[0], "deploy/**");
	gate_matrix_free(m);
}

Test(matrix, path_rule_without_owners_is_refused)
{
	expect_error(BASE "paths:\n  - pattern: infra/**\n", 15, 5,
		     "path rule 'infra/**' has no owners");
	expect_error(BASE "paths:\n  - { pattern: infra/**, owners: [] }\n", 15, 34,
		     "owners of path 'infra/**' is empty");
	expect_error(BASE "paths:\n  - { pattern: infra/**, owners: [ops] }\n", 15, 35,
		     "owners of path 'infra/**' names unknown role 'ops' "
		     "(roles: developers, release)");
}

Test(matrix, path_rule_without_pattern_is_refused)
{
	expect_error(BASE "paths:\n  - owners: [developers]\n", 15, 5, "path rule has no pattern");
}

Test(matrix, path_pattern_with_a_leading_slash_is_refused)
{
	expect_error(BASE "paths:\n  - { pattern: /infra/**, owners: [developers] }\n", 15, 16,
		     "invalid path pattern '/infra/**': paths are relative to the repository root "
		     "(no leading '/')");
}

Test(matrix, path_pattern_must_be_a_valid_glob)
{
	static const char *const bad[] = { "infra/[ab", "infra//x", "infra/a**" };
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(bad); i++) {
		char yaml[2048];
		snprintf(yaml, sizeof(yaml),
			 BASE "paths:\n  - { pattern: \"%s\", owners: [developers] }\n", bad[i]);
		cr_log_info("path pattern %s", bad[i]);
		expect_error(yaml, 15, 16, "invalid path pattern");
	}
}

Test(matrix, duplicate_path_pattern_is_refused_at_the_second)
{
	expect_error(BASE
		     "paths:\n"
		     "  - { pattern: infra/**, owners: [developers] }\n"  /* 15 */
		     "  - { pattern: src/**, owners: [developers] }\n"
		     "  - { pattern: infra/**, owners: [release] }\n",    /* 17 */
		     17, 16, "duplicate path pattern 'infra/**' (first at line 15)");
}

Test(matrix, unknown_key_in_a_path_rule_suggests_the_close_one)
{
#define OWNER_TYPO BASE "paths:\n  - { pattern: infra/**, owner: [developers] }\n"
	/* the typo, and the rule then has no owners: two diagnostics */
	expect_error_n(OWNER_TYPO, strlen(OWNER_TYPO), 15, 26,
		       "unknown key 'owner' in a path rule: did you mean 'owners'?", 2);
#undef OWNER_TYPO
	expect_error(BASE "paths:\n  - { pattern: infra/**, owners: [developers], why: x }\n",
		     15, 48, "unknown key 'why' in a path rule (expected one of: pattern, owners)");
}

Test(matrix, paths_must_be_a_list)
{
	expect_error(BASE "paths:\n  infra/**: [developers]\n", 15, 3,
		     "paths must be a list of {pattern, owners}, found a mapping");
}

Test(matrix, pipeline_paths_entries_are_validated)
{
	expect_error(BASE "pipeline_paths: [deploy/**, /ops/run.sh]\n", 14, 29,
		     "invalid pipeline path '/ops/run.sh': paths are relative to the repository "
		     "root");
	expect_error(BASE "pipeline_paths: [\"deploy/[x\"]\n", 14, 18,
		     "invalid pipeline path 'deploy/[x'");
	expect_error(BASE "pipeline_paths: [deploy/**, \"\"]\n", 14, 29,
		     "pipeline_paths must not be empty");
	expect_error(BASE "pipeline_paths: [[deploy]]\n", 14, 18,
		     "pipeline_paths must be a string, found a list");
	expect_error(BASE "pipeline_paths: { deploy: x }\n", 14, 17,
		     "pipeline_paths must be a string or a list of strings, found a mapping");
}
