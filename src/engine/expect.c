/*
 * Privilege-boundary expectations (see expect.h).
 *
 * Each expectation becomes the ref update it describes and goes through
 * gate_decide, the hooks' own decision table, so a passing expectation means
 * exactly that the hook would decide that way (permissions only: evidence
 * and secrets depend on the commits pushed, which an expectation has none of).
 */
#include <stdio.h>
#include <string.h>

#include "engine/decide.h"
#include "engine/expect.h"

const char *gate_expect_action_name(int action)
{
	switch (action) {
	case GATE_UPD_CREATE: return "create";
	case GATE_UPD_DELETE: return "delete";
	case GATE_UPD_FORCE: return "force_push";
	default: return "push";
	}
}

int gate_expectations_run(gate_expect_result **out, size_t *failed, const gate_matrix *m,
			  const char *trusted_ref)
{
	return gate_expectations_run_on(out, failed, m->expectations, m->n_expectations, m, trusted_ref);
}

int gate_expectations_run_on(gate_expect_result **out, size_t *failed, const gate_expectation *es,
			     size_t n, const gate_matrix *m, const char *trusted_ref)
{
	size_t i;
	*failed = 0;
	*out = gate_calloc(n ? n : 1, sizeof(**out));
	if (!*out)
		return GATE_ENOMEM;
	for (i = 0; i < n; i++) {
		const gate_expectation *e = &es[i];
		gate_expect_result *r = &(*out)[i];
		gate_decide_ctx ctx;
		gate_decision d;
		gate_update u;
		gate_buf why = GATE_BUF_INIT;
		int rc;

		memset(&ctx, 0, sizeof(ctx));
		memset(&u, 0, sizeof(u));
		ctx.m = m;
		ctx.login = e->user;
		ctx.person = gate_matrix_person_by_login(m, e->user);
		ctx.trusted_ref = trusted_ref;
		ctx.matrix_path = "matrix/responsibility.yml";
		ctx.pushed_matrix = GATE_PUSHED_MATRIX_OK; /* the push keeps a valid matrix */
		u.ref = (char *)e->ref;
		u.kind = (gate_update_kind)e->action;
		u.is_tag = !strncmp(e->ref, "refs/tags/", 10);
		u.new_type = e->action == GATE_UPD_DELETE ? GIT_OBJECT_INVALID : GIT_OBJECT_COMMIT;
		if ((rc = gate_decide(&d, &ctx, &u)) < 0) {
			gate_decision_dispose(&d);
			gate_expect_results_free(*out, i);
			*out = NULL;
			return rc;
		}
		r->e = e;
		r->allowed = d.verdict == GATE_ACCEPT;
		if (d.n_reasons)
			gate_buf_printf(&why, "%s", d.reasons[0].check);
		else if (d.rule)
			gate_buf_puts(&why, "allowed");
		else
			gate_buf_puts(&why, "no rule covers it: people in the matrix may");
		if (d.rule)
			gate_buf_printf(&why, " (rule %s, line %d)", d.rule->pattern, d.rule->loc.line);
		gate_decision_dispose(&d);
		if (why.oom || !(r->why = gate_buf_detach(&why))) {
			gate_buf_dispose(&why);
			gate_expect_results_free(*out, i + 1);
			*out = NULL;
			return GATE_ENOMEM;
		}
		gate_buf_dispose(&why);
		if (r->allowed != e->allow)
			(*failed)++;
	}
	return 0;
}

void gate_expect_results_free(gate_expect_result *r, size_t n)
{
	size_t i;
	for (i = 0; r && i < n; i++)
		gate_free(r[i].why);
	gate_free(r);
}

int gate_expectations_format(gate_buf *out, const gate_matrix *m, const gate_expect_result *r,
			     size_t n)
{
	size_t i, failed = 0, wu = 4, wr = 3;
	for (i = 0; i < n; i++) {
		size_t lu = strlen(r[i].e->user), lr = strlen(r[i].e->ref);
		wu = lu > wu ? (lu > 24 ? 24 : lu) : wu;
		wr = lr > wr ? (lr > 40 ? 40 : lr) : wr;
	}
	gate_buf_printf(out, "       %-5s %-*s %-10s %-*s %-6s %-6s %s\n", "line", (int)wu, "user", "action",
			(int)wr, "ref", "expect", "got", "because");
	for (i = 0; i < n; i++) {
		const gate_expectation *e = r[i].e;
		int ok = r[i].allowed == e->allow;
		failed += !ok;
		gate_buf_printf(out, "  %s %-5d %-*s %-10s %-*s %-6s %-6s ", ok ? "PASS" : "FAIL", e->loc.line,
				(int)wu, e->user, gate_expect_action_name(e->action), (int)wr, e->ref,
				e->allow ? "allow" : "deny", r[i].allowed ? "allow" : "deny");
		gate_buf_put_escaped(out, r[i].why, strlen(r[i].why));
		gate_buf_puts(out, "\n");
	}
	gate_buf_printf(out, "%s: %zu expectation%s, %zu passed, %zu failed\n", m->label, n,
			n == 1 ? "" : "s", n - failed, failed);
	return out->oom ? GATE_ENOMEM : 0;
}

int gate_matrix_test(const gate_matrix *m, const char *trusted_ref, const gate_sink *out,
		     size_t *failed, size_t *total)
{
	gate_expect_result *r = NULL;
	gate_buf b = GATE_BUF_INIT;
	int rc;

	*total = m->n_expectations;
	if ((rc = gate_expectations_run(&r, failed, m, trusted_ref)) < 0)
		return rc;
	rc = gate_expectations_format(&b, m, r, m->n_expectations);
	if (rc == 0)
		gate_sink_puts(out, gate_buf_cstr(&b));
	gate_buf_dispose(&b);
	gate_expect_results_free(r, m->n_expectations);
	return rc;
}
