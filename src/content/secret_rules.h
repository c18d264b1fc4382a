/*
 * Secret detection rules: the built-in set (rules/secrets.yml, compiled into
 * the binaries) and the matrix's extra rules share one schema and one
 * loader.  Every rule is checked at load time against both engines: it must
 * compile in PCRE2 and in Vectorscan/Hyperscan, so the fast path and the
 * confirmation path agree.
 */
#ifndef GATE_SECRET_RULES_H
#define GATE_SECRET_RULES_H

#include <stddef.h>

#include "util/common.h"
#include "util/yamltree.h"

typedef struct {
	const char *id;          /* [a-z0-9-]+; findings are secret.<id> */
	const char *description;
	const char *regex;
	int secret_group;        /* capture group holding the secret (0: whole match) */
	const char **keywords;   /* lower-case prefilter words */
	size_t n_keywords;
	double entropy;          /* minimum bits per character of the secret; 0: none */
	const char **allow;      /* regexes on the secret that make it a non-finding */
	size_t n_allow;
	const char **positive;   /* examples (built-in rules only) */
	size_t n_positive;
	const char **negative;
	size_t n_negative;
	int line, col;           /* where the rule was written (matrix rules) */
	int builtin;
} gate_secret_rule;

/* Reports a problem found while loading rules; LINE/COL are 1-based. */
typedef void (*gate_rules_diag_fn)(void *ctx, int line, int col, const char *msg);

/* Capture groups in RE, counted without compiling it (see secret_rules.c). */
int gate_rules_count_groups(const char *re);

/*
 * Loads the rule list SEQ (a YAML sequence) into *OUT (N rules allocated in
 * ARENA).  WITH_EXAMPLES marks the built-in set: examples are required, and
 * regexes are not compiled at load (the test suite compiles every one in both
 * engines); matrix rules are compiled in both engines here.
 * Reports problems through DIAG and returns the number of problems, or
 * GATE_ENOMEM.
 */
int gate_rules_from_node(gate_secret_rule **out, size_t *n, gate_arena *arena,
			 const gate_ynode *seq, int with_examples, gate_rules_diag_fn diag,
			 void *ctx);

/* The built-in rule set (a static table generated from rules/secrets.yml). */
int gate_rules_builtin(const gate_secret_rule **out, size_t *n);


#endif
