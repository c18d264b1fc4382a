/*
 * The first phase: each ref update against the decision table (who may
 * push, create, delete, force-push; the trusted ref's guards), and
 * settings.limits on the push as a whole.
 */
#include <stdio.h>
#include <string.h>

#include "engine/runstate.h"

int gate_run_decide_refs(run_state *st)
{
	gate_decide_ctx ctx;
	size_t i;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.m = st->m;
	ctx.login = st->id.login;
	ctx.person = st->m ? gate_matrix_person_by_login(st->m, st->id.login) : -1;
	if (ctx.person < 0 && st->m && st->opts->user_email) {
		ctx.person = gate_matrix_person_by_email(st->m, st->opts->user_email);
		if (ctx.person >= 0)
			ctx.login = st->m->people[ctx.person].logins[0];
	}
	st->person = ctx.person;
	ctx.trusted_ref = st->matrix_file ? NULL : st->trusted_ref;
	ctx.matrix_path = st->matrix_path;
	ctx.pushed_matrix = st->pushed;
	ctx.pushed_matrix_error = st->pushed_error;
	for (i = 0; i < st->push.count; i++) {
		rc = gate_decide(&st->ds[i], &ctx, &st->push.items[i]);
		if (rc < 0)
			return gate_run_fail(st, rc);
	}
	return 0;
}

/*
 * Rejects every update of the push for exceeding limit WHICH (DETAIL says
 * how): a push past a limit is not judged further, so it costs no more work.
 */
int gate_run_reject_limit(run_state *st, int which, const char *detail)
{
	const gate_limits *lim = gate_run_limits(st);
	char check[64], fix[200];
	size_t i;
	int rc;

	snprintf(check, sizeof(check), "limit.%s", gate_limit_defs[which].key);
	snprintf(fix, sizeof(fix),
		 "bring the push within the limit (split it, or rewrite the commit), or ask the "
		 "matrix owners to raise settings.limits.%s", gate_limit_defs[which].key);
	for (i = 0; i < st->n_ds; i++)
		if ((rc = gate_decision_reject(&st->ds[i], check, lim->loc[which].line,
					       lim->loc[which].col, st->ds[i].update->ref, detail,
					       "a push within settings.limits", fix)) < 0)
			return rc;
	st->over_limit = 1;
	return 0;
}

/* settings.limits on the push as a whole: its ref updates and new commits. */
int gate_run_push_limits(run_state *st)
{
	const gate_limits *lim = gate_run_limits(st);
	char detail[200];

	if (st->push.count > lim->value[GATE_LIMIT_REFS]) {
		snprintf(detail, sizeof(detail), "the push updates %zu refs; settings.limits.refs allows %u",
			 st->push.count, lim->value[GATE_LIMIT_REFS]);
		return gate_run_reject_limit(st, GATE_LIMIT_REFS, detail);
	}
	if (st->newobjs.n_commits > lim->value[GATE_LIMIT_COMMITS]) {
		snprintf(detail, sizeof(detail),
			 "the push brings %zu new commits; settings.limits.commits allows %u",
			 st->newobjs.n_commits, lim->value[GATE_LIMIT_COMMITS]);
		return gate_run_reject_limit(st, GATE_LIMIT_COMMITS, detail);
	}
	return 0;
}
