/*
 * Findings of content policies (see policy.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/common.h"
#include "content/policy.h"

int gate_policy_findings_add(gate_policy_findings *f, gate_policy_action action, const char *check,
			     const char *path, int line, const char *fix, const char *found_fmt, ...)
{
	gate_policy_finding *x;
	gate_buf found = GATE_BUF_INIT;
	va_list ap;

	if (f->count >= GATE_POLICY_FINDINGS_MAX) {
		f->dropped++;
		return 0;
	}
	if (gate_grow(&f->items, &f->cap, f->count + 1, sizeof(*f->items)) < 0)
		return GATE_ENOMEM;
	va_start(ap, found_fmt);
	gate_buf_vprintf(&found, found_fmt, ap);
	va_end(ap);
	x = &f->items[f->count];
	memset(x, 0, sizeof(*x));
	x->action = action;
	x->line = line;
	x->check = gate_strdup(check);
	x->path = gate_strdup(path ? path : "");
	x->fix = gate_strdup(fix ? fix : "");
	x->found = found.oom ? NULL : gate_buf_detach(&found);
	gate_buf_dispose(&found);
	if (!x->check || !x->path || !x->fix || !x->found) {
		gate_free(x->check);
		gate_free(x->path);
		gate_free(x->fix);
		gate_free(x->found);
		return GATE_ENOMEM;
	}
	f->count++;
	return 0;
}

void gate_policy_findings_dispose(gate_policy_findings *f)
{
	size_t i;
	for (i = 0; i < f->count; i++) {
		gate_free(f->items[i].check);
		gate_free(f->items[i].path);
		gate_free(f->items[i].found);
		gate_free(f->items[i].fix);
	}
	gate_free(f->items);
	memset(f, 0, sizeof(*f));
}
