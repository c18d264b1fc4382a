/*
 * Loading secret rules (see secret_rules.h).
 *
 * Trust: built-in rules ship with gatehouse; matrix rules come from the
 * trusted ref.  Both are validated the same way, because a rule that one
 * engine accepts and the other rejects would make the fast path and the
 * confirmation path disagree, silently.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#ifdef GATE_HAVE_HS
#include <hs/hs.h>
#endif

#include "content/secret_rules.h"


typedef struct {
	gate_arena *arena;
	gate_rules_diag_fn diag;
	void *ctx;
	int problems;
	int oom;
	int trusted; /* built-in: regexes were validated by the test suite */
} rl;

static void problem(rl *r, const gate_ynode *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(rl *r, const gate_ynode *at, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->problems++;
	r->diag(r->ctx, at->line, at->col, msg);
}

static const char *scalar(rl *r, const gate_ynode *n, const char *what)
{
	if (n->kind != GATE_Y_SCALAR || n->len == 0 || memchr(n->str, '\0', n->len)) {
		problem(r, n, "%s must be a non-empty string", what);
		return NULL;
	}
	return n->str;
}

/* A string or list of strings into an arena array. */
static const char **strings(rl *r, const gate_ynode *n, const char *what, size_t *count)
{
	size_t i, k = n->kind == GATE_Y_SEQ ? n->n : 1;
	const char **arr = gate_arena_alloc(r->arena, (k + 1) * sizeof(char *));

	*count = 0;
	if (!arr) {
		r->oom = 1;
		return NULL;
	}
	if (n->kind == GATE_Y_SCALAR) {
		if ((arr[0] = scalar(r, n, what)))
			*count = 1;
		return arr;
	}
	if (n->kind != GATE_Y_SEQ) {
		problem(r, n, "%s must be a list of strings", what);
		return arr;
	}
	for (i = 0; i < n->n; i++)
		if ((arr[*count] = scalar(r, n->items[i], what)))
			(*count)++;
	return arr;
}

/* Compiles RE with PCRE2 to check it; returns its capture count or -1. */
static int check_pcre2(rl *r, const gate_ynode *at, const char *re, const char *what)
{
	int errcode;
	PCRE2_SIZE off;
	uint32_t captures = 0;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &errcode, &off, NULL);

	if (!code) {
		PCRE2_UCHAR msg[200];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		problem(r, at, "%s does not compile in PCRE2 at offset %zu: %s", what, (size_t)off,
			(const char *)msg);
		return -1;
	}
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &captures);
	pcre2_code_free(code);
	return (int)captures;
}

static int check_hs(rl *r, const gate_ynode *at, const char *re, const char *what)
{
#ifdef GATE_HAVE_HS
	hs_expr_info_t *info = NULL;
	hs_compile_error_t *err = NULL;
	if (hs_expression_info(re, 0, &info, &err) != HS_SUCCESS) {
		problem(r, at, "%s cannot run in Vectorscan/Hyperscan: %s (no lookarounds, "
			       "backreferences or atomic groups)", what, err ? err->message : "?");
		hs_free_compile_error(err);
		return -1;
	}
	if (info && info->min_width == 0)
		problem(r, at, "%s can match the empty string", what);
	free(info);
#else
	(void)r;
	(void)at;
	(void)re;
	(void)what;
#endif
	return 0;
}

static int valid_rule_id(const char *s, size_t len)
{
	size_t i;
	if (!len || len > 64)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/*
 * Capture groups of a regex without compiling it: '(' not escaped, not in a
 * class, not followed by '?'.  Used for built-in rules, which the test suite
 * compiles in both engines (and checks this count against PCRE2's), so a
 * push does not pay for compiling every rule twice just to validate it.
 */
int gate_rules_count_groups(const char *re)
{
	int n = 0, in_class = 0;
	for (; *re; re++) {
		if (*re == '\\' && re[1]) {
			re++;
			continue;
		}
		if (in_class) {
			if (*re == ']')
				in_class = 0;
			continue;
		}
		if (*re == '[') {
			in_class = 1;
			if (re[1] == '^')
				re++;
			if (re[1] == ']')
				re++;
			continue;
		}
		if (*re == '(' && re[1] != '?')
			n++;
	}
	return n;
}

static void load_rule(rl *r, gate_secret_rule *rule, const gate_ynode *n, int with_examples)
{
	static const char *const keys[] = { "id", "description", "regex", "secret_group", "keywords",
					    "entropy", "allow", "examples", NULL };
	const gate_ynode *v;
	size_t i, k;
	int captures = -1;

	rule->line = n->line;
	rule->col = n->col;
	if (n->kind != GATE_Y_MAP) {
		problem(r, n, "a secret rule must be a mapping");
		return;
	}
	for (i = 0; i + 1 < n->n; i += 2) {
		const gate_ynode *key = n->items[i];
		int known = 0;
		for (k = 0; keys[k]; k++)
			known |= key->len == strlen(keys[k]) && !memcmp(key->str, keys[k], key->len);
		if (!known || (!with_examples && gate_yaml_is(key, "examples")))
			problem(r, key, "unknown key '%.*s' in a secret rule (expected id, description, "
					"regex, secret_group, keywords, entropy, allow%s)",
				(int)(key->len > 60 ? 60 : key->len), key->str,
				with_examples ? ", examples" : "");
	}
	if (!(v = gate_yaml_get(n, "id")) || !scalar(r, v, "id"))
		problem(r, n, "a secret rule needs an id");
	else if (!valid_rule_id(v->str, v->len))
		problem(r, v, "rule id '%.*s' must be 1-64 of a-z, 0-9 and '-'",
			(int)(v->len > 64 ? 64 : v->len), v->str);
	else
		rule->id = v->str;
	if ((v = gate_yaml_get(n, "description")))
		rule->description = scalar(r, v, "description");
	if (!(v = gate_yaml_get(n, "regex")) || !scalar(r, v, "regex")) {
		problem(r, n, "secret rule %s needs a regex", rule->id ? rule->id : "?");
	} else if (r->trusted) {
		captures = gate_rules_count_groups(v->str);
		rule->regex = v->str;
	} else {
		captures = check_pcre2(r, v, v->str, "regex");
		if (captures >= 0 && check_hs(r, v, v->str, "regex") == 0)
			rule->regex = v->str;
	}
	rule->secret_group = captures > 0 ? 1 : 0;
	if ((v = gate_yaml_get(n, "secret_group"))) {
		char *end = NULL;
		long g = v->kind == GATE_Y_SCALAR ? strtol(v->str, &end, 10) : -1;
		if (!end || *end || g < 0 || (captures >= 0 && g > captures))
			problem(r, v, "secret_group must be 0 (whole match) or a capture group of the regex "
				      "(it has %d)", captures < 0 ? 0 : captures);
		else
			rule->secret_group = (int)g;
	}
	if (!(v = gate_yaml_get(n, "keywords"))) {
		problem(r, n, "secret rule %s needs keywords (lower-case words its matches contain)",
			rule->id ? rule->id : "?");
	} else {
		rule->keywords = strings(r, v, "keywords", &rule->n_keywords);
		for (i = 0; i < rule->n_keywords; i++)
			for (k = 0; rule->keywords[i][k]; k++)
				if (rule->keywords[i][k] >= 'A' && rule->keywords[i][k] <= 'Z') {
					problem(r, v, "keyword '%s' must be lower-case", rule->keywords[i]);
					break;
				}
		if (!rule->n_keywords)
			problem(r, v, "keywords must not be empty");
	}
	if ((v = gate_yaml_get(n, "entropy"))) {
		char *end = NULL;
		double e = v->kind == GATE_Y_SCALAR ? strtod(v->str, &end) : -1;
		if (!end || *end || !(e > 0 && e <= 8))
			problem(r, v, "entropy must be a number of bits per character, above 0 and at most 8");
		else
			rule->entropy = e;
	}
	if ((v = gate_yaml_get(n, "allow"))) {
		rule->allow = strings(r, v, "allow", &rule->n_allow);
		for (i = 0; i < rule->n_allow && !r->trusted; i++)
			if (check_pcre2(r, v, rule->allow[i], "allow regex") < 0)
				rule->allow[i] = "(?!)";
	}
	if (with_examples) {
		const gate_ynode *ex = gate_yaml_get(n, "examples"), *p = NULL, *q = NULL;
		if (ex && ex->kind == GATE_Y_MAP) {
			p = gate_yaml_get(ex, "positive");
			q = gate_yaml_get(ex, "negative");
		}
		if (p)
			rule->positive = strings(r, p, "positive examples", &rule->n_positive);
		if (q)
			rule->negative = strings(r, q, "negative examples", &rule->n_negative);
		if (!rule->n_positive || !rule->n_negative)
			problem(r, ex ? ex : n, "rule %s needs at least one positive and one negative "
						"example", rule->id ? rule->id : "?");
	}
}

int gate_rules_from_node(gate_secret_rule **out, size_t *n, gate_arena *arena,
			 const gate_ynode *seq, int with_examples, gate_rules_diag_fn diag, void *ctx)
{
	rl r;
	size_t i, j;
	gate_secret_rule *rules;

	memset(&r, 0, sizeof(r));
	r.arena = arena;
	r.diag = diag;
	r.ctx = ctx;
	r.trusted = with_examples;
	*out = NULL;
	*n = 0;
	if (seq->kind != GATE_Y_SEQ) {
		problem(&r, seq, "rules must be a list");
		return r.problems;
	}
	rules = gate_arena_alloc(arena, (seq->n + 1) * sizeof(*rules));
	if (!rules)
		return gate_error_oom();
	for (i = 0; i < seq->n; i++) {
		load_rule(&r, &rules[i], seq->items[i], with_examples);
		rules[i].builtin = with_examples;
		for (j = 0; rules[i].id && j < i; j++)
			if (rules[j].id && !strcmp(rules[i].id, rules[j].id))
				problem(&r, seq->items[i], "duplicate secret rule id '%s' (first at line %d)",
					rules[i].id, rules[j].line);
	}
	if (r.oom)
		return gate_error_oom();
	*out = rules;
	*n = seq->n;
	return r.problems;
}

/* ---- built-in rules --------------------------------------------------------- */

/*
 * Compiled from rules/secrets.yml at build time by tools/genrules (with the
 * loader above), so no push pays for parsing YAML to get its built-in rules.
 */
extern const gate_secret_rule gate_builtin_rule_table[];
extern const size_t gate_builtin_rule_count;

int gate_rules_builtin(const gate_secret_rule **out, size_t *n)
{
	*out = gate_builtin_rule_table;
	*n = gate_builtin_rule_count;
	return 0;
}
