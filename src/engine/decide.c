/*
 * The decision table for ref updates (see decide.h).
 *
 * Pure: it reads the matrix, the classified update and facts the caller
 * gathered, and touches no repository, so every row of the table is unit
 * tested without git.  Defaults, as documented in the README: push absent
 * means anyone, create absent means the same as push, delete and force_push
 * absent mean nobody (a rule exists to protect a ref).
 */
#include <string.h>

#include "engine/decide.h"
#include "gatehouse/checks.h"

/*
 * Appends a reason to the list *RS (*N used, *CAP allocated): strings
 * copied, NULL ones as "".  0, or GATE_ENOMEM (the reason may be half
 * filled, and counted so it is freed).
 */
static int add_reason(gate_reason **rs, size_t *n, size_t *cap, const char *check, int line,
		      int col, const char *subject, const char *found, const char *missing,
		      const char *fix)
{
	gate_reason *r;

	if (gate_grow(rs, cap, *n + 1, sizeof(*r)) < 0)
		return GATE_ENOMEM;
	r = &(*rs)[*n];
	memset(r, 0, sizeof(*r));
	r->check = gate_strdup(check);
	r->line = line;
	r->col = col;
	r->subject = gate_strdup(subject ? subject : "");
	r->found = gate_strdup(found ? found : "");
	r->missing = gate_strdup(missing ? missing : "");
	r->fix = gate_strdup(fix ? fix : "");
	(*n)++;
	if (!r->check || !r->subject || !r->found || !r->missing || !r->fix)
		return gate_error_oom();
	return 0;
}

int gate_decision_reject(gate_decision *d, const char *check, int line, int col,
			 const char *subject, const char *found, const char *missing,
			 const char *fix)
{
	d->verdict = GATE_REJECT; /* even if recording the reason fails */
	if (d->n_reasons >= GATE_REASONS_MAX) {
		d->n_suppressed++;
		if (!gate_check_overridable(check))
			d->n_suppressed_hard++;
		return 0;
	}
	return add_reason(&d->reasons, &d->n_reasons, &d->cap_reasons, check, line, col, subject,
			  found, missing, fix);
}

int gate_check_overridable(const char *check)
{
	const gate_check_info *c = gate_check_lookup(check);
	return c && c->overridable; /* an id the table does not know: never lifted */
}

/* Whether ID is one of the comma-separated LIST. */
static int in_list(const char *list, const char *id)
{
	size_t n = strlen(id);
	while (*list) {
		size_t len = strcspn(list, ",");
		if (len == n && !strncmp(list, id, n))
			return 1;
		list += len + (list[len] ? 1 : 0);
	}
	return 0;
}

int gate_decision_override(gate_decision *d)
{
	gate_buf ids = GATE_BUF_INIT;
	size_t i, kept = 0;

	for (i = 0; i < d->n_reasons; i++) {
		gate_reason *r = &d->reasons[i];
		if (!gate_check_overridable(r->check)) {
			d->reasons[kept++] = *r;
			continue;
		}
		if (!in_list(gate_buf_cstr(&ids), r->check))
			gate_buf_printf(&ids, "%s%s", ids.len ? "," : "", r->check);
		gate_free(r->check);
		gate_free(r->subject);
		gate_free(r->found);
		gate_free(r->missing);
		gate_free(r->fix);
	}
	d->n_reasons = kept;
	d->n_suppressed = d->n_suppressed_hard;
	if (ids.oom)
		return gate_error_oom();
	if (ids.len)
		d->overridden = gate_buf_detach(&ids);
	gate_buf_dispose(&ids);
	d->verdict = d->n_reasons || d->n_suppressed ? GATE_REJECT : GATE_ACCEPT;
	return 0;
}

int gate_decision_warn(gate_decision *d, const char *check, int line, int col,
		       const char *subject, const char *found, const char *fix)
{
	if (d->n_warnings >= GATE_REASONS_MAX)
		return 0;
	return add_reason(&d->warnings, &d->n_warnings, &d->cap_warnings, check, line, col, subject,
			  found, "", fix);
}

static void reasons_free(gate_reason *rs, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		gate_free(rs[i].check);
		gate_free(rs[i].subject);
		gate_free(rs[i].found);
		gate_free(rs[i].missing);
		gate_free(rs[i].fix);
	}
	gate_free(rs);
}

void gate_decision_dispose(gate_decision *d)
{
	reasons_free(d->reasons, d->n_reasons);
	reasons_free(d->warnings, d->n_warnings);
	gate_free(d->overridden);
	memset(d, 0, sizeof(*d));
}

static void describe_pusher(gate_buf *b, const gate_decide_ctx *ctx)
{
	size_t i, shown = 0;
	if (ctx->person < 0) {
		gate_buf_puts(b, "unknown pusher '");
		gate_buf_put_escaped(b, ctx->login ? ctx->login : "", ctx->login ? strlen(ctx->login) : 0);
		gate_buf_puts(b, "' (not a person in the matrix, so no roles)");
		return;
	}
	gate_buf_printf(b, "%s (roles: ", ctx->m->people[ctx->person].id);
	for (i = 0; i < ctx->m->n_roles; i++)
		if (gate_matrix_in_role(ctx->m, ctx->person, i))
			gate_buf_printf(b, "%s%s", shown++ ? ", " : "", ctx->m->roles[i].id);
	gate_buf_puts(b, shown ? ")" : "none)");
}

/* Roles owning configure_pipeline: who to ask about changing a rule. */
static void matrix_owners(gate_buf *b, const gate_matrix *m)
{
	const gate_duty *d = gate_matrix_duty(m, GATE_DUTY_CONFIGURE_PIPELINE);
	if (d)
		gate_matrix_describe_roles(b, m, d->roles, d->n_roles, 4);
	else
		gate_buf_puts(b, "the matrix owners");
}

typedef enum { PERM_YES, PERM_NO } perm_answer;

/* Evaluates PERM, with DEF standing in for an absent key. */
static perm_answer perm_eval(const gate_decide_ctx *ctx, const gate_perm *p, gate_perm_kind def,
			     const gate_perm *fallback)
{
	size_t i;
	gate_perm_kind k = p->kind;

	if (k == GATE_PERM_DEFAULT) {
		if (fallback)
			return perm_eval(ctx, fallback, def, NULL);
		k = def;
	}
	switch (k) {
	case GATE_PERM_ANYONE:
		return PERM_YES;
	case GATE_PERM_ROLES:
		for (i = 0; i < p->n_roles; i++)
			if (gate_matrix_in_role(ctx->m, ctx->person, p->roles[i]))
				return PERM_YES;
		return PERM_NO;
	default:
		return PERM_NO;
	}
}

/* The permission that actually decides (following create -> push). */
static const gate_perm *effective(const gate_perm *p, const gate_perm *fallback)
{
	return p->kind == GATE_PERM_DEFAULT && fallback ? fallback : p;
}

typedef struct {
	const char *check;    /* ref.push ... */
	const char *key;      /* matrix key */
	const char *doing;    /* "push to", "create", ... */
	gate_perm_kind def;
} action;

static const action act_push = { "ref.push", "push", "push to", GATE_PERM_ANYONE };
static const action act_create = { "ref.create", "create", "create", GATE_PERM_ANYONE };
static const action act_delete = { "ref.delete", "delete", "delete", GATE_PERM_NOBODY };
static const action act_force = { "ref.force_push", "force_push", "force-push", GATE_PERM_NOBODY };

static int deny(gate_decision *d, const gate_decide_ctx *ctx, const gate_update *u,
		const action *a, const gate_perm *perm)
{
	gate_buf found = GATE_BUF_INIT, missing = GATE_BUF_INIT, fix = GATE_BUF_INIT;
	const gate_refrule *r = d->rule;
	int rc;

	describe_pusher(&found, ctx);
	gate_buf_printf(&found, " wants to %s ", a->doing);
	gate_buf_put_escaped(&found, u->ref, strlen(u->ref));

	if (perm->kind == GATE_PERM_ROLES) {
		gate_buf_printf(&missing, "%s needs role ", a->key);
		gate_matrix_describe_roles(&missing, ctx->m, perm->roles, perm->n_roles, 4);
	} else {
		gate_buf_printf(&missing, "%s is allowed for nobody on refs matching %s%s", a->key,
				r->pattern, perm->kind == GATE_PERM_DEFAULT ? " (key absent: nobody)" : "");
	}

	if (ctx->person < 0 && ctx->login) {
		gate_buf_printf(&fix, "if you should have access, ask ");
		matrix_owners(&fix, ctx->m);
		gate_buf_puts(&fix, " to add your login under people: in the matrix");
	} else if (a->check == act_force.check) {
		gate_buf_puts(&fix, "fetch, then rebase or merge onto the current ");
		gate_buf_put_escaped(&fix, u->ref, strlen(u->ref));
		gate_buf_puts(&fix, " and push without --force");
		if (u->is_tag)
			gate_buf_puts(&fix, "; a released tag stays put: make a new tag instead");
	} else if (perm->kind == GATE_PERM_ROLES) {
		gate_buf_puts(&fix, "ask a member of ");
		gate_matrix_describe_roles(&fix, ctx->m, perm->roles, perm->n_roles, 4);
		gate_buf_printf(&fix, " to %s it, or push to a branch of your own", a->doing);
	} else {
		gate_buf_puts(&fix, "no one may do this; if it is needed, ask ");
		matrix_owners(&fix, ctx->m);
		gate_buf_puts(&fix, " to change the rule");
	}
	rc = gate_decision_reject(d, a->check, perm->loc.line, perm->loc.col, u->ref,
				  gate_buf_cstr(&found), gate_buf_cstr(&missing), gate_buf_cstr(&fix));
	if (found.oom || missing.oom || fix.oom)
		rc = GATE_ENOMEM;
	gate_buf_dispose(&found);
	gate_buf_dispose(&missing);
	gate_buf_dispose(&fix);
	return rc;
}

/* Built-in rules for the trusted ref: it must always carry a valid matrix. */
static int check_trusted(gate_decision *d, const gate_decide_ctx *ctx, const gate_update *u)
{
	char msg[1024];

	if (!ctx->trusted_ref || strcmp(u->ref, ctx->trusted_ref))
		return 0;
	if (u->kind == GATE_UPD_DELETE)
		return gate_decision_reject(
			d, "matrix.trusted_delete", 0, 0, u->ref,
			"this push deletes the trusted ref, which holds the responsibility matrix",
			"the trusted ref can never be deleted by a push: without it the next push "
			"would write its own rules",
			"keep the branch; a server admin can point gatehouse.trustedRef elsewhere first");
	switch (ctx->pushed_matrix) {
	case GATE_PUSHED_MATRIX_MISSING:
		snprintf(msg, sizeof(msg), "the pushed %s holds no %s", u->ref, ctx->matrix_path);
		return gate_decision_reject(
			d, "matrix.missing", 0, 0, u->ref, msg,
			"the trusted ref must always carry a valid responsibility matrix",
			"add the matrix file (see matrix/examples/) or restore it, and check it with "
			"'gatehouse matrix validate'");
	case GATE_PUSHED_MATRIX_INVALID:
		snprintf(msg, sizeof(msg), "the pushed matrix does not load: %s",
			 ctx->pushed_matrix_error ? ctx->pushed_matrix_error : "invalid");
		return gate_decision_reject(
			d, "matrix.invalid", 0, 0, u->ref, msg,
			"the trusted ref must always carry a valid responsibility matrix",
			"run 'gatehouse matrix validate' on the file, fix every error and push again");
	default:
		return 0;
	}
}

static const char *doing(gate_update_kind k)
{
	switch (k) {
	case GATE_UPD_CREATE: return act_create.doing;
	case GATE_UPD_DELETE: return act_delete.doing;
	case GATE_UPD_FAST_FORWARD: return act_push.doing;
	default: return act_force.doing;
	}
}

/*
 * Built-in rules for a ref no rule covers (always on).  refs/replace/ and
 * refs/notes/ need a rule written for them (a catch-all does not count):
 * a replace ref rewrites what git archive, clones and mirrors show of any
 * commit, notes annotate every commit for whoever fetches them.  Any other
 * ref is open to the people in the matrix only.
 */
static int decide_unruled(gate_decision *d, const gate_decide_ctx *ctx, const gate_update *u)
{
	const char *prefix = gate_ref_explicit_prefix(u->ref);
	const char *check, *what;
	gate_buf found = GATE_BUF_INIT, missing = GATE_BUF_INIT, fix = GATE_BUF_INIT;
	int rc;

	if (!prefix && ctx->person >= 0)
		return 0;
	describe_pusher(&found, ctx);
	gate_buf_printf(&found, " wants to %s ", doing(u->kind));
	gate_buf_put_escaped(&found, u->ref, strlen(u->ref));
	if (prefix) {
		int replace = !strcmp(prefix, "refs/replace/");
		check = replace ? "ref.replace" : "ref.notes";
		what = replace ? "a replace ref changes what git archive, clones and mirrors show of "
				 "the commit it names"
			       : "notes are shown with the commits they annotate to everyone who "
				 "fetches them";
		gate_buf_printf(&missing, "%s** needs a rule of its own: a rule whose pattern starts "
				"with %s (a catch-all such as refs/** does not count)", prefix, prefix);
		gate_buf_printf(&fix, "%s; if this one is needed, ask ", what);
		matrix_owners(&fix, ctx->m);
		gate_buf_printf(&fix, " to add a rule for %s** naming who may push there", prefix);
	} else {
		check = "ref.unruled";
		gate_buf_puts(&missing, "no rule covers ");
		gate_buf_put_escaped(&missing, u->ref, strlen(u->ref));
		gate_buf_puts(&missing, ", so only people in the matrix may change it");
		gate_buf_puts(&fix, "if you should have access, ask ");
		matrix_owners(&fix, ctx->m);
		gate_buf_puts(&fix, " to add your login under people: in the matrix");
	}
	rc = found.oom || missing.oom || fix.oom
		     ? gate_error_oom()
		     : gate_decision_reject(d, check, 0, 0, u->ref, gate_buf_cstr(&found),
					    gate_buf_cstr(&missing), gate_buf_cstr(&fix));
	gate_buf_dispose(&found);
	gate_buf_dispose(&missing);
	gate_buf_dispose(&fix);
	return rc;
}

int gate_decide_permits(const gate_decide_ctx *ctx, const gate_refrule *r, gate_update_kind kind)
{
	switch (kind) {
	case GATE_UPD_CREATE:
		return perm_eval(ctx, &r->create, act_create.def, &r->push) == PERM_YES;
	case GATE_UPD_DELETE:
		return perm_eval(ctx, &r->del, act_delete.def, NULL) == PERM_YES;
	case GATE_UPD_FAST_FORWARD:
		return perm_eval(ctx, &r->push, act_push.def, NULL) == PERM_YES;
	default:
		return perm_eval(ctx, &r->push, act_push.def, NULL) == PERM_YES &&
		       perm_eval(ctx, &r->force_push, act_force.def, NULL) == PERM_YES;
	}
}

int gate_decide(gate_decision *d, const gate_decide_ctx *ctx, const gate_update *u)
{
	const gate_refrule *r;
	int rc;

	memset(d, 0, sizeof(*d));
	d->update = u;
	d->verdict = GATE_ACCEPT;

	if (u->noop)
		return 0; /* a delete of a ref that does not exist changes nothing */
	if ((rc = check_trusted(d, ctx, u)) < 0)
		return rc;
	if (!ctx->m)
		return 0;
	if ((rc = gate_matrix_rule_for_ref(&r, ctx->m, u->ref)) < 0) {
		d->verdict = GATE_REJECT;
		return rc;
	}
	d->rule = r;
	if (!r)
		return decide_unruled(d, ctx, u);

	switch (u->kind) {
	case GATE_UPD_CREATE:
		if (perm_eval(ctx, &r->create, act_create.def, &r->push) == PERM_NO)
			rc = deny(d, ctx, u, &act_create, effective(&r->create, &r->push));
		break;
	case GATE_UPD_DELETE:
		if (perm_eval(ctx, &r->del, act_delete.def, NULL) == PERM_NO)
			rc = deny(d, ctx, u, &act_delete, &r->del);
		break;
	case GATE_UPD_FAST_FORWARD:
		if (perm_eval(ctx, &r->push, act_push.def, NULL) == PERM_NO)
			rc = deny(d, ctx, u, &act_push, &r->push);
		break;
	case GATE_UPD_FORCE:
		/* a force push is still a push: both permissions are needed */
		if (perm_eval(ctx, &r->push, act_push.def, NULL) == PERM_NO)
			rc = deny(d, ctx, u, &act_push, &r->push);
		if (rc == 0 && perm_eval(ctx, &r->force_push, act_force.def, NULL) == PERM_NO)
			rc = deny(d, ctx, u, &act_force, &r->force_push);
		break;
	}
	return rc;
}
