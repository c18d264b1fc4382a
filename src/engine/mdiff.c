/*
 * `gatehouse matrix diff`: what a matrix change grants and revokes, in words
 * ("erin gains force_push on refs/heads/main"), for reviewers and for the
 * pusher of a matrix change.
 *
 * Permissions are compared by asking the decision code of each matrix the
 * same questions: for every ref pattern either matrix names (the pattern
 * itself stands for the refs it matches), every person either matrix knows
 * (and someone outside both), and every action, may they?  A difference is a
 * gain or a loss.  Evidence, membership, duties, and the settings that
 * change what a push must carry are compared field by field.
 */
#include <stdarg.h>
#include <string.h>

#include <stdio.h>
#include <sys/stat.h>

#include "engine/decide.h"
#include "engine/mdiff.h"
#include "git/repo.h"

static const struct {
	gate_update_kind kind;
	const char *name;
} actions[] = { { GATE_UPD_FAST_FORWARD, "push" }, { GATE_UPD_CREATE, "create" },
		{ GATE_UPD_DELETE, "delete" }, { GATE_UPD_FORCE, "force_push" } };

/* May person ID (a login, or NULL for an outsider) do ACTION on REF under M? */
static int may(const gate_matrix *m, const char *id, const char *ref, gate_update_kind action)
{
	const gate_refrule *r = NULL;
	gate_decide_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.m = m;
	ctx.person = id ? gate_matrix_person_by_login(m, id) : -1;
	ctx.login = id ? id : "(someone outside the matrix)";
	if (ctx.person < 0 && id)
		ctx.person = gate_matrix_person_by_id(m, id);
	if (gate_matrix_rule_for_ref(&r, m, ref) < 0)
		return 0;
	if (!r) /* no rule: the people in the matrix, except under refs/replace/ and refs/notes/ */
		return !gate_ref_explicit_prefix(ref) && ctx.person >= 0;
	return gate_decide_permits(&ctx, r, action);
}

static const gate_refrule *rule_by_pattern(const gate_matrix *m, const char *pattern)
{
	size_t i;
	for (i = 0; i < m->n_refs; i++)
		if (!strcmp(m->refs[i].pattern, pattern))
			return &m->refs[i];
	return NULL;
}

static void line(gate_buf *out, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void line(gate_buf *out, size_t *n, const char *fmt, ...)
{
	va_list ap;
	gate_buf_puts(out, "  ");
	va_start(ap, fmt);
	gate_buf_vprintf(out, fmt, ap);
	va_end(ap);
	gate_buf_puts(out, "\n");
	(*n)++;
}

/* The roles of a duty or an evidence requirement, as "a, b" (or "nobody"). */
static void role_list(gate_buf *b, const gate_matrix *m, const size_t *roles, size_t n)
{
	size_t i;
	if (!n)
		gate_buf_puts(b, "nobody");
	for (i = 0; i < n; i++)
		gate_buf_printf(b, "%s%s", i ? ", " : "", m->roles[roles[i]].id);
}

static void membership(gate_buf *out, size_t *n, const gate_matrix *a, const gate_matrix *b)
{
	size_t i, j;
	for (i = 0; i < b->n_people; i++)
		if (gate_matrix_person_by_id(a, b->people[i].id) < 0)
			line(out, n, "%s joins the matrix", b->people[i].id);
	for (i = 0; i < a->n_people; i++)
		if (gate_matrix_person_by_id(b, a->people[i].id) < 0)
			line(out, n, "%s leaves the matrix", a->people[i].id);
	for (i = 0; i < b->n_roles; i++) {
		long ra = gate_matrix_role_by_id(a, b->roles[i].id);
		if (ra < 0) {
			line(out, n, "new role %s", b->roles[i].id);
			continue;
		}
		for (j = 0; j < b->n_people; j++) {
			long pa = gate_matrix_person_by_id(a, b->people[j].id);
			int now = gate_matrix_in_role(b, (long)j, i);
			int before = pa >= 0 && gate_matrix_in_role(a, pa, (size_t)ra);
			if (now && !before)
				line(out, n, "%s joins role %s", b->people[j].id, b->roles[i].id);
			else if (!now && before)
				line(out, n, "%s leaves role %s", b->people[j].id, b->roles[i].id);
		}
		for (j = 0; j < a->n_people; j++)
			if (gate_matrix_person_by_id(b, a->people[j].id) < 0 && gate_matrix_in_role(a, (long)j, (size_t)ra))
				line(out, n, "%s leaves role %s", a->people[j].id, b->roles[i].id);
	}
	for (i = 0; i < a->n_roles; i++)
		if (gate_matrix_role_by_id(b, a->roles[i].id) < 0)
			line(out, n, "role %s is removed", a->roles[i].id);
	for (i = 0; i < b->n_duties; i++) {
		const gate_duty *d = &b->duties[i], *o = gate_matrix_duty(a, d->id);
		gate_buf was = GATE_BUF_INIT, now = GATE_BUF_INIT;
		role_list(&now, b, d->roles, d->n_roles);
		if (o)
			role_list(&was, a, o->roles, o->n_roles);
		if (!o)
			line(out, n, "new duty %s, owned by %s", d->id, gate_buf_cstr(&now));
		else if (strcmp(gate_buf_cstr(&was), gate_buf_cstr(&now)))
			line(out, n, "duty %s: owned by %s (was %s)", d->id, gate_buf_cstr(&now),
			     gate_buf_cstr(&was));
		gate_buf_dispose(&was);
		gate_buf_dispose(&now);
	}
}

/* Gains and losses of every person on every pattern either matrix names. */
static void permissions(gate_buf *out, size_t *n, const gate_matrix *a, const gate_matrix *b)
{
	const gate_matrix *ms[2] = { a, b };
	size_t side, i, k, p;

	for (side = 0; side < 2; side++)
		for (i = 0; i < ms[side]->n_refs; i++) {
			const char *ref = ms[side]->refs[i].pattern;
			if (side == 1 && rule_by_pattern(a, ref))
				continue; /* asked already */
			for (k = 0; k < GATE_ARRAY_SIZE(actions); k++) {
				/* everyone either matrix knows, then an outsider */
				for (p = 0; p <= a->n_people + b->n_people; p++) {
					const char *id = p < a->n_people ? a->people[p].id
							 : p < a->n_people + b->n_people
								 ? b->people[p - a->n_people].id
								 : NULL;
					int before, after;
					if (id && p >= a->n_people && gate_matrix_person_by_id(a, id) >= 0)
						continue; /* asked already, as one of a's */
					before = may(a, id, ref, actions[k].kind);
					after = may(b, id, ref, actions[k].kind);
					if (before != after)
						line(out, n, "%s %s %s on %s", id ? id : "anyone outside the matrix",
						     after ? "gains" : "loses", actions[k].name, ref);
				}
			}
		}
}


/* The options checks declare (name_pattern, ...): set, changed or dropped, O before R. */
static void rule_opts_diff(gate_buf *out, size_t *n, const gate_refrule *o, const gate_refrule *r)
{
	size_t k;
	for (k = 0; k < r->n_opts; k++) {
		const gate_ruleopt *was = gate_refrule_opt(o, r->opts[k].name);
		if (!was || strcmp(was->value, r->opts[k].value))
			line(out, n, "%s: %s %s (was %s)", r->pattern, r->opts[k].name, r->opts[k].value,
			     was ? was->value : "none");
	}
	for (k = 0; k < o->n_opts; k++)
		if (!gate_refrule_opt(r, o->opts[k].name))
			line(out, n, "%s: %s none (was %s)", r->pattern, o->opts[k].name, o->opts[k].value);
}

static void evidence(gate_buf *out, size_t *n, const gate_matrix *a, const gate_matrix *b)
{
	size_t i;
	for (i = 0; i < b->n_refs; i++) {
		const gate_refrule *r = &b->refs[i], *o = rule_by_pattern(a, r->pattern);
		if (!o) {
			line(out, n, "new rule for %s", r->pattern);
			continue;
		}
		if (o->reviews.min != r->reviews.min || o->reviews.set != r->reviews.set)
			line(out, n, "%s: reviews needed %u (was %u)", r->pattern, r->reviews.set ? r->reviews.min : 0,
			     o->reviews.set ? o->reviews.min : 0);
		if (o->approvals.min != r->approvals.min || o->approvals.set != r->approvals.set)
			line(out, n, "%s: approvals needed %u (was %u)", r->pattern,
			     r->approvals.set ? r->approvals.min : 0, o->approvals.set ? o->approvals.min : 0);
		if (o->signed_commits != r->signed_commits)
			line(out, n, "%s: signed commits %s", r->pattern,
			     r->signed_commits ? "now required" : "no longer required");
		if (o->n_trailers != r->n_trailers)
			line(out, n, "%s: required trailers %zu (was %zu)", r->pattern, r->n_trailers,
			     o->n_trailers);
		if ((o->reachable_from == NULL) != (r->reachable_from == NULL) ||
		    (o->reachable_from && strcmp(o->reachable_from, r->reachable_from)))
			line(out, n, "%s: reachable_from %s (was %s)", r->pattern,
			     r->reachable_from ? r->reachable_from : "none",
			     o->reachable_from ? o->reachable_from : "none");
		rule_opts_diff(out, n, o, r);
	}
	for (i = 0; i < a->n_refs; i++)
		if (!rule_by_pattern(b, a->refs[i].pattern))
			line(out, n, "the rule for %s is removed (refs it matched are unprotected unless "
				     "another rule covers them)", a->refs[i].pattern);
}

static const char *action_word(int a)
{
	return a == GATE_POLICY_REJECT ? "reject" : a == GATE_POLICY_WARN ? "warn" : "off";
}

/* Whether two deploy_refs entries take commits from the same refs. */
static int same_from(const gate_deploy_src *x, const gate_deploy_src *y)
{
	size_t i;
	if (!x->from || !y->from)
		return x->from == y->from;
	if (x->n_from != y->n_from)
		return 0;
	for (i = 0; i < x->n_from; i++)
		if (strcmp(x->from[i], y->from[i]))
			return 0;
	return 1;
}

static void describe_from(gate_buf *b, const gate_deploy_src *src)
{
	size_t i;
	if (!src->from) {
		gate_buf_puts(b, "any ref whose rule demands evidence");
		return;
	}
	for (i = 0; i < src->n_from; i++)
		gate_buf_printf(b, "%s%s", i ? ", " : "", src->from[i]);
}

static void settings(gate_buf *out, size_t *n, const gate_matrix *a, const gate_matrix *b)
{
	const gate_policies_cfg *pa = &a->policies, *pb = &b->policies;
	size_t k;
	if (a->secrets.disabled != b->secrets.disabled)
		line(out, n, "secret scanning %s", b->secrets.disabled ? "switched OFF" : "switched on");
	if (a->secrets.n_disable != b->secrets.n_disable)
		line(out, n, "secret rules switched off: %zu (was %zu)", b->secrets.n_disable,
		     a->secrets.n_disable);
	if (a->secrets.n_allow_paths != b->secrets.n_allow_paths ||
	    a->secrets.n_allow_regexes != b->secrets.n_allow_regexes)
		line(out, n, "secret allowlists: %zu paths, %zu regexes (were %zu, %zu)",
		     b->secrets.n_allow_paths, b->secrets.n_allow_regexes, a->secrets.n_allow_paths,
		     a->secrets.n_allow_regexes);
	for (k = 0; k < GATE_CCHKS; k++)
		if (pa->action[k] != pb->action[k])
			line(out, n, "policies.containers.%s: %s (was %s)", gate_container_check_names[k],
			     action_word(pb->action[k]), action_word(pa->action[k]));
	if (pa->n_deny != pb->n_deny || pa->allow_only != pb->allow_only)
		line(out, n, "policies.dependencies: %zu deny entries, allow_only %s (were %zu, %s)",
		     pb->n_deny, pb->allow_only ? "true" : "false", pa->n_deny,
		     pa->allow_only ? "true" : "false");
	if (pa->n_deploy_refs != pb->n_deploy_refs)
		line(out, n, "policies.deploy_refs: %zu patterns (was %zu)", pb->n_deploy_refs,
		     pa->n_deploy_refs);
	for (k = 0; k < pb->n_deploy_refs; k++) {
		size_t j;
		for (j = 0; j < pa->n_deploy_refs; j++)
			if (!strcmp(pa->deploy_refs[j], pb->deploy_refs[k]) &&
			    !same_from(&pa->deploy_src[j], &pb->deploy_src[k])) {
				gate_buf was = GATE_BUF_INIT, now = GATE_BUF_INIT;
				describe_from(&was, &pa->deploy_src[j]);
				describe_from(&now, &pb->deploy_src[k]);
				line(out, n, "policies.deploy_refs %s: takes commits from %s (was %s)",
				     pb->deploy_refs[k], gate_buf_cstr(&now), gate_buf_cstr(&was));
				gate_buf_dispose(&was);
				gate_buf_dispose(&now);
			}
	}
	if ((pa->external_use == NULL) != (pb->external_use == NULL))
		line(out, n, "policies.external %s", pb->external_use ? "added" : "REMOVED");
	else if (pa->external_use && strcmp(pa->external_use, pb->external_use))
		line(out, n, "policies.external.use: %s (was %s)", pb->external_use, pa->external_use);
	if (a->settings.on_error_allow != b->settings.on_error_allow)
		line(out, n, "settings.on_error: %s (was %s)", b->settings.on_error_allow ? "ALLOW" : "reject",
		     a->settings.on_error_allow ? "allow" : "reject");
	if ((a->settings.override_role < 0) != (b->settings.override_role < 0) ||
	    (a->settings.override_role >= 0 && b->settings.override_role >= 0 &&
	     strcmp(a->roles[a->settings.override_role].id, b->roles[b->settings.override_role].id)))
		line(out, n, "settings.override_role: %s (was %s)",
		     b->settings.override_role >= 0 ? b->roles[b->settings.override_role].id : "none",
		     a->settings.override_role >= 0 ? a->roles[a->settings.override_role].id : "none");
	for (k = 0; k < GATE_LIMITS; k++)
		if (a->settings.limits.value[k] != b->settings.limits.value[k])
			line(out, n, "settings.limits.%s: %u (was %u)", gate_limit_defs[k].key,
			     b->settings.limits.value[k], a->settings.limits.value[k]);
	if (a->n_expectations != b->n_expectations)
		line(out, n, "expectations: %zu (was %zu)", b->n_expectations, a->n_expectations);
}

int gate_matrix_diff(gate_buf *out, const gate_matrix *old, const gate_matrix *new_m,
		     size_t *changes)
{
	*changes = 0;
	membership(out, changes, old, new_m);
	permissions(out, changes, old, new_m);
	evidence(out, changes, old, new_m);
	settings(out, changes, old, new_m);
	return out->oom ? GATE_ENOMEM : 0;
}

int gate_matrix_diff_print(const gate_matrix *old, const gate_matrix *new_m, const gate_sink *out,
			   size_t *changes)
{
	gate_buf b = GATE_BUF_INIT;
	int rc = gate_matrix_diff(&b, old, new_m, changes);
	if (rc == 0)
		gate_sink_puts(out, *changes ? gate_buf_cstr(&b)
					     : "  no change to people, roles, duties, permissions, "
					       "evidence or settings\n");
	gate_buf_dispose(&b);
	return rc;
}

int gate_matrix_load_spec(gate_matrix **out, const char *spec, gate_diags *diags)
{
	git_repository *repo = NULL;
	git_object *obj = NULL;
	struct stat st;
	int rc;

	*out = NULL;
	if (stat(spec, &st) == 0 || !strchr(spec, ':'))
		return gate_matrix_load_file(out, spec, diags);
	git_libgit2_init();
	if ((rc = gate_repo_open(&repo)) < 0)
		goto done;
	if ((rc = git_revparse_single(&obj, repo, spec)) < 0 || git_object_type(obj) != GIT_OBJECT_BLOB) {
		rc = rc < 0 ? gate_error_from_git(rc, spec)
			    : gate_error_set(GATE_ENOTFOUND, "%s is not a file", spec);
		goto done;
	}
	if (git_blob_rawsize((git_blob *)obj) > GATE_MATRIX_MAX_BYTES) {
		rc = gate_error_set(GATE_EMATRIX, "%s: over the limit of %u bytes", spec,
				    GATE_MATRIX_MAX_BYTES);
		goto done;
	}
	rc = gate_matrix_load_buffer(out, spec, git_blob_rawcontent((git_blob *)obj),
				     (size_t)git_blob_rawsize((git_blob *)obj), diags);
done:
	git_object_free(obj);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}
