/*
 * The table of checks, engine side (see gatehouse/checks.h for the rows'
 * public half): besides what each check is, a ref-level check's row holds
 * the function that runs it, when it runs (once per judged commit, or once
 * per ref update), and the refs[] option it declares, which the matrix
 * loader then accepts and validates for it.  Adding a check is a row in
 * checks.c, its function and its test (docs/ARCHITECTURE.md).
 */
#ifndef GATE_CHECKS_H
#define GATE_CHECKS_H

#include "evidence/evidence.h"
#include "gatehouse/checks.h"

typedef enum {
	GATE_SCOPE_NONE = 0, /* run elsewhere (decision table, content driver, a phase) */
	GATE_SCOPE_COMMIT,   /* once per judged commit of a protected ref update */
	GATE_SCOPE_UPDATE    /* once per protected ref update */
} gate_check_scope;

/* How the matrix loader reads a refs[] option a check declares. */
typedef enum {
	GATE_OPT_NONE = 0,
	GATE_OPT_REGEX /* a PCRE2 regular expression, compiled at load to validate it */
} gate_opt_kind;

typedef struct {
	gate_check_info info;
	gate_check_scope scope;
	gate_ref_check_fn *run; /* GATE_SCOPE_COMMIT / _UPDATE rows */
	gate_opt_kind opt;      /* info.key is "refs[].NAME", an option of a ref rule */
} gate_check_def;

/* Row I of the table (0 <= I < gate_checks_count()).  Static. */
const gate_check_def *gate_check_def_at(size_t i);

/*
 * The ref-level checks on one protected ref update: every per-commit row on
 * each judged commit in turn, then every per-update row, in table order.
 * 0, or GATE_ENOMEM.
 */
int gate_checks_run_ref(gate_decision *d, const gate_evidence_ctx *ctx);

#endif
