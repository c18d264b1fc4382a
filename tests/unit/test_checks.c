/*
 * The table of checks (engine/checks.c): every row well formed, ids unique,
 * lookups by exact id and by family, the override column as the break-glass
 * rules say, and the refs[] options rows declare as the matrix loader
 * reads them (name_pattern: accepted, validated, kept with its location).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "engine/checks.h"
#include "engine/decide.h"
#include "matrix/model.h"
#include "util/common.h"

Test(checks, every_row_is_complete_and_its_id_unique)
{
	size_t i, j, n = gate_checks_count();

	cr_assert_gt(n, 40);
	for (i = 0; i < n; i++) {
		const gate_check_def *c = gate_check_def_at(i);
		const char *id = c->info.id;
		cr_assert_not_null(id);
		cr_expect_not_null(strchr(id, '.'), "%s: ids are family.name", id);
		cr_expect(c->info.needs && *c->info.needs, "%s: no needs text", id);
		cr_expect(c->info.doc && *c->info.doc, "%s: no doc line", id);
		cr_expect(c->info.anchor && *c->info.anchor, "%s: no README anchor", id);
		cr_expect_str_neq(gate_check_family_name(c->info.family), "unknown", "%s", id);
		cr_expect_eq(c->scope != GATE_SCOPE_NONE, c->run != NULL,
			     "%s: a scope needs a function and a function a scope", id);
		if (c->opt != GATE_OPT_NONE)
			cr_expect(c->info.key && !strncmp(c->info.key, "refs[].", 7),
				  "%s: an option is a refs[] key", id);
		for (j = 0; j < i; j++)
			cr_expect_str_neq(gate_check_def_at(j)->info.id, id, "%s twice", id);
	}
	cr_expect_null(gate_check_def_at(n));
	cr_expect_null(gate_check_at(n));
}

Test(checks, lookup_finds_exact_ids_then_families)
{
	const gate_check_info *c = gate_check_lookup("ref.push");
	cr_assert_not_null(c);
	cr_expect_str_eq(c->id, "ref.push");
	c = gate_check_lookup("secret.aws-access-key");
	cr_assert_not_null(c);
	cr_expect_str_eq(c->id, "secret.*");
	c = gate_check_lookup("secret.incomplete");
	cr_assert_not_null(c);
	cr_expect_str_eq(c->id, "secret.incomplete", "an exact row wins over its family");
	cr_expect_null(gate_check_lookup("secret."), "a family needs a name after its prefix");
	cr_expect_null(gate_check_lookup("ref.pusher"));
	cr_expect_null(gate_check_lookup("policy.container.new_thing"));
	cr_expect_null(gate_check_lookup(""));
	cr_expect_null(gate_check_lookup(NULL));
}

/* The break-glass rules, as the README states them, hold for every row. */
Test(checks, override_lifts_evidence_secrets_and_policies_only)
{
	static const char *const liftable[] = { "review.", "trailer.", "signature.", "approval.",
						"secret.", "ref.reachable_from", "policy.", NULL };
	size_t i, k;

	for (i = 0; i < gate_checks_count(); i++) {
		const gate_check_info *c = gate_check_at(i);
		int want = 0;
		for (k = 0; liftable[k]; k++)
			want |= !strncmp(c->id, liftable[k], strlen(liftable[k]));
		cr_expect_eq(c->overridable, want, "%s: overridable %d", c->id, c->overridable);
		if (!strchr(c->id, '*'))
			cr_expect_eq(gate_check_overridable(c->id), want, "%s", c->id);
	}
	cr_expect(gate_check_overridable("secret.github-pat"));
	cr_expect_not(gate_check_overridable("ref.name_pattern"));
	cr_expect_not(gate_check_overridable("limit.refs"));
	cr_expect_not(gate_check_overridable("policy.unknown_thing"), "unknown ids are never lifted");
}

Test(checks, a_limit_row_for_every_limit)
{
	char id[64];
	size_t k;
	for (k = 0; k < GATE_LIMITS; k++) {
		snprintf(id, sizeof(id), "limit.%s", gate_limit_defs[k].key);
		cr_expect_not_null(gate_check_lookup(id), "%s has no row", id);
	}
}

Test(checks, a_row_for_every_container_check)
{
	char id[64];
	size_t k;
	for (k = 0; k < GATE_CCHKS; k++) {
		snprintf(id, sizeof(id), "policy.container.%s", gate_container_check_names[k]);
		cr_expect_not_null(gate_check_lookup(id), "%s has no row", id);
	}
}

#define M_HEAD                                                  \
	"version: 1\n"                                /* 1 */  \
	"people:\n"                                   /* 2 */  \
	"  alice: { emails: [alice@example.com] }\n"  /* 3 */  \
	"roles:\n"                                    /* 4 */  \
	"  developers: [alice]\n"                     /* 5 */  \
	"responsibilities:\n"                         /* 6 */  \
	"  write_code: developers\n"                  /* 7 */  \
	"  review_code: developers\n"                 /* 8 */  \
	"  configure_pipeline: developers\n"          /* 9 */  \
	"  resolve_vulnerabilities: developers\n"     /* 10 */ \
	"  approve_deployment: developers\n"          /* 11 */ \
	"refs:\n"                                     /* 12 */

static gate_matrix *load(const char *yaml, gate_diags *d, int *rc)
{
	gate_matrix *m = NULL;
	*rc = gate_matrix_load_buffer(&m, "m.yml", yaml, strlen(yaml), d);
	return m;
}

Test(checks, name_pattern_is_a_rule_option_kept_with_its_location)
{
	gate_diags d = GATE_DIAGS_INIT;
	int rc;
	gate_matrix *m = load(M_HEAD "  - pattern: refs/heads/**\n"
				     "    push: developers\n"
				     "    name_pattern: '^refs/heads/(main|feature/[a-z0-9-]+)$'\n"
				     "  - pattern: refs/tags/**\n",
			      &d, &rc);
	const gate_ruleopt *o;

	cr_assert_eq(rc, 0, "%s", d.count ? d.items[0].text : gate_error_last());
	o = gate_refrule_opt(&m->refs[0], "name_pattern");
	cr_assert_not_null(o);
	cr_expect_str_eq(o->value, "^refs/heads/(main|feature/[a-z0-9-]+)$");
	cr_expect_eq(o->loc.line, 15);
	cr_expect_eq(o->loc.col, 19);
	cr_expect_null(gate_refrule_opt(&m->refs[1], "name_pattern"), "only where it is set");
	gate_matrix_free(m);
	gate_diags_dispose(&d);
}

/* YAML must be refused, its first diagnostic at LINE:COL (0: anywhere) holding NEEDLE. */
static void expect_refused(const char *yaml, int line, int col, const char *needle)
{
	gate_diags d = GATE_DIAGS_INIT;
	int rc;
	gate_matrix *m = load(yaml, &d, &rc);

	cr_expect_eq(rc, GATE_EMATRIX);
	cr_expect_null(m);
	cr_assert_geq(d.count, 1);
	if (line) {
		cr_expect_eq(d.count, 1, "one mistake, one diagnostic");
		cr_expect_eq(d.items[0].line, line);
		cr_expect_eq(d.items[0].col, col);
	}
	cr_expect_not_null(strstr(d.items[0].text, needle), "%s", d.items[0].text);
	gate_diags_dispose(&d);
}

Test(checks, a_name_pattern_that_does_not_compile_names_line_and_column)
{
	expect_refused(M_HEAD "  - pattern: refs/heads/**\n"
			      "    name_pattern: 'feature/(unclosed'\n",
		       14, 19, "name_pattern 'feature/(unclosed' is not a valid regular expression");
}

Test(checks, a_misspelt_option_is_still_an_unknown_key)
{
	expect_refused(M_HEAD "  - pattern: refs/heads/**\n"
			      "    name_patern: '^refs/heads/'\n",
		       0, 0, "did you mean 'name_pattern'");
}
