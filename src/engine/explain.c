/*
 * Explaining the matrix for one person and one ref (see explain.h).
 */
#include <string.h>

#include "engine/decide.h"
#include "evidence/evidence.h"
#include "engine/explain.h"
#include "gatehouse/checks.h"

static void perm_text(gate_buf *b, const gate_matrix *m, const char *key, const gate_perm *p,
		      const char *absent)
{
	gate_buf_printf(b, "%s: ", key);
	switch (p->kind) {
	case GATE_PERM_DEFAULT: gate_buf_printf(b, "absent, so %s", absent); break;
	case GATE_PERM_NOBODY: gate_buf_puts(b, "false (nobody)"); break;
	case GATE_PERM_ANYONE: gate_buf_puts(b, "true (anyone)"); break;
	case GATE_PERM_ROLES: gate_matrix_describe_roles(b, m, p->roles, p->n_roles, 6); break;
	}
	gate_buf_printf(b, ", line %d", p->loc.line);
}

static void may_line(gate_buf *b, const gate_decide_ctx *ctx, const gate_refrule *r,
		     gate_update_kind kind, const char *what, const char *key, const gate_perm *p,
		     const char *absent)
{
	gate_buf_printf(b, "    %-11s %-4s (", what, gate_decide_permits(ctx, r, kind) ? "yes" : "no");
	perm_text(b, ctx->m, key, p, absent);
	gate_buf_puts(b, ")\n");
}

/* The options checks declare on rule R, in the words of their rows of the table. */
static void rule_opts(gate_buf *out, const gate_refrule *r)
{
	size_t k;
	for (k = 0; k < r->n_opts; k++) {
		const gate_ruleopt *o = &r->opts[k];
		const gate_check_info *c = gate_check_rule_option(o->name);
		gate_buf_printf(out, "  %s: %s (line %d): needs %s, or %s rejects\n", o->name, o->value,
				o->loc.line, c ? c->needs : "what it sets", c ? c->id : o->name);
	}
}

int gate_explain(gate_buf *out, const gate_matrix *m, const char *login, const char *ref,
		 const char *matrix_path, const char *trusted_ref)
{
	gate_decide_ctx ctx;
	const gate_refrule *r;
	size_t i, j, shown = 0;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.m = m;
	ctx.login = login;
	ctx.person = gate_matrix_person_by_login(m, login);
	if ((rc = gate_matrix_rule_for_ref(&r, m, ref)) < 0)
		return rc;

	gate_buf_puts(out, "gatehouse explain: ");
	gate_buf_put_escaped(out, login, strlen(login));
	gate_buf_puts(out, " on ");
	gate_buf_put_escaped(out, ref, strlen(ref));
	gate_buf_printf(out, "\n  matrix: %s\n", gate_matrix_label(m));
	if (ctx.person < 0) {
		gate_buf_puts(out, "  '");
		gate_buf_put_escaped(out, login, strlen(login));
		gate_buf_puts(out, "' is not a person in the matrix (no login matches), so holds no role\n");
	} else {
		const gate_person *p = &m->people[ctx.person];
		gate_buf_printf(out, "  %s%s%s%s, roles: ", p->id, p->name ? " (" : "",
				p->name ? p->name : "", p->name ? ")" : "");
		for (i = 0; i < m->n_roles; i++)
			if (gate_matrix_in_role(m, ctx.person, i))
				gate_buf_printf(out, "%s%s", shown++ ? ", " : "", m->roles[i].id);
		gate_buf_printf(out, "%s; %zu signing key%s\n", shown ? "" : "none", p->n_keys,
				p->n_keys == 1 ? "" : "s");
	}
	if (trusted_ref && !strcmp(ref, trusted_ref))
		gate_buf_puts(out, "  this is the trusted ref: it must always carry a valid matrix and "
				   "can never be deleted by a push\n");
	if (!r && gate_ref_explicit_prefix(ref)) {
		gate_buf_printf(out, "  no rule for %s** matches this ref: nobody may change it (built "
				     "in: a catch-all does not count; such refs need a rule of their own)\n",
				gate_ref_explicit_prefix(ref));
		return out->oom ? GATE_ENOMEM : 0;
	}
	if (!r) {
		gate_buf_puts(out, "  no rule matches this ref: the people in the matrix may create, push, "
				   "force-push and delete it, and its commits are not judged; anyone else "
				   "is refused (ref.unruled)\n");
		return out->oom ? GATE_ENOMEM : 0;
	}
	gate_buf_printf(out, "  rule: %s (line %d)\n  may:\n", r->pattern, r->loc.line);
	may_line(out, &ctx, r, GATE_UPD_CREATE, "create", "create", &r->create, "same as push");
	may_line(out, &ctx, r, GATE_UPD_FAST_FORWARD, "push", "push", &r->push, "anyone");
	may_line(out, &ctx, r, GATE_UPD_FORCE, "force-push", "force_push", &r->force_push, "nobody");
	may_line(out, &ctx, r, GATE_UPD_DELETE, "delete", "delete", &r->del, "nobody");
	rule_opts(out, r);

	gate_buf_puts(out, "  every commit pushed there (first parents since the old tip; for a creation, "
			   "those on no ref demanding as much) needs:\n");
	if (r->reviews.set) {
		gate_buf_printf(out, "    - %u Reviewed-by from distinct people other than the author, "
				     "committer, signer and pusher in ",
				r->reviews.min);
		gate_matrix_describe_roles(out, m, r->reviews.roles, r->reviews.n_roles, 6);
		gate_buf_printf(out, "%s (line %d)\n", r->reviews.from_duty ? " (owners of review_code)" : "",
				r->reviews.loc.line);
	}
	for (i = 0; i < r->n_trailers; i++) {
		gate_buf_printf(out, "    - a trailer %s: ", r->trailers[i].name);
		for (j = 0; j < r->trailers[i].n_values; j++)
			gate_buf_printf(out, "%s%s", j ? " or " : "", r->trailers[i].values[j]);
		gate_buf_printf(out, " (line %d)\n", r->trailers[i].loc.line);
	}
	if (r->signed_commits)
		gate_buf_printf(out, "    - an SSH signature by a key listed under keys: of a person in the "
				     "matrix (line %d)\n", r->signed_loc.line);
	for (i = 0; i < m->n_paths; i++) {
		gate_buf_printf(out, "    - if it touches %s: a Reviewed-by from ", m->paths[i].pattern);
		gate_matrix_describe_roles(out, m, m->paths[i].owners, m->paths[i].n_owners, 6);
		gate_buf_printf(out, " (line %d)\n", m->paths[i].loc.line);
	}
	{
		const gate_duty *d = gate_matrix_duty(m, GATE_DUTY_CONFIGURE_PIPELINE);
		gate_buf_puts(out, "    - if it changes the pipeline (");
		for (i = 0; gate_builtin_pipeline_paths[i]; i++)
			gate_buf_printf(out, "%s%s", i ? ", " : "", gate_builtin_pipeline_paths[i]);
		for (i = 0; i < m->n_pipeline_paths; i++)
			gate_buf_printf(out, ", %s", m->pipeline_paths[i]);
		if (matrix_path)
			gate_buf_printf(out, ", %s", matrix_path);
		gate_buf_puts(out, "): a Reviewed-by from ");
		if (d)
			gate_matrix_describe_roles(out, m, d->roles, d->n_roles, 6);
		gate_buf_puts(out, " (owners of configure_pipeline; built in)\n");
	}
	if (r->approvals.set || r->reachable_from) {
		gate_buf_puts(out, "  the commit it names needs:\n");
		if (r->approvals.set) {
			gate_buf_printf(out, "    - %u Approved-by (in the commit or an annotated tag's "
					     "message) from distinct people other than the author, committer, "
				     "tagger, signers and pusher in ",
					r->approvals.min);
			gate_matrix_describe_roles(out, m, r->approvals.roles, r->approvals.n_roles, 6);
			gate_buf_printf(out, " (line %d)\n", r->approvals.loc.line);
		}
		if (r->reachable_from)
			gate_buf_printf(out, "    - to be reachable from %s as it stood before the push "
					     "(line %d)\n", r->reachable_from, r->reachable_loc.line);
	}
	return out->oom ? GATE_ENOMEM : 0;
}
