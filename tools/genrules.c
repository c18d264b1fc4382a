/*
 * Build-time tool: compiles rules/secrets.yml into a C table
 * (build/gen/builtin_rules.c), so a hook never parses YAML for its built-in
 * rules: loading them costs nothing at push time.  It validates the file with
 * the same loader the matrix uses and fails the build on any problem.
 *
 * usage: genrules rules/secrets.yml > builtin_rules.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "content/secret_rules.h"
#include "util/yamltree.h"

/* secret_rules.c refers to these; the tool itself never needs them. */
const gate_secret_rule gate_builtin_rule_table[1];
const size_t gate_builtin_rule_count = 0;

static int problems;

static void on_diag(void *ctx, int line, int col, const char *msg)
{
	fprintf(stderr, "%s:%d:%d: error: %s\n", (const char *)ctx, line, col, msg);
	problems++;
}

/* A C string literal for S: every byte outside plain printable ASCII, and
 * '?', '"' and '\\', as an octal escape, so no trigraph or escape survives. */
static void lit(const char *s)
{
	if (!s) {
		fputs("NULL", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\' || c == '?')
			printf("\\%03o", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void list(const char *name, size_t i, const char *const *arr, size_t n)
{
	size_t k;
	if (!n)
		return;
	printf("static const char *const %s_%zu[] = { ", name, i);
	for (k = 0; k < n; k++) {
		lit(arr[k]);
		fputs(", ", stdout);
	}
	puts("NULL };");
}

int main(int argc, char **argv)
{
	gate_arena arena = { 0 };
	gate_ynode **docs;
	size_t ndocs, n, i;
	gate_yerror yerr;
	gate_yopts opts = GATE_YOPTS_INIT;
	gate_secret_rule *rules;
	const gate_ynode *seq;
	char *data;
	size_t len;

	if (argc != 2) {
		fprintf(stderr, "usage: genrules RULES.yml\n");
		return 2;
	}
	if (gate_read_file(&data, &len, argv[1], 16u << 20) < 0) {
		fprintf(stderr, "genrules: %s\n", gate_error_last());
		return 1;
	}
	if (gate_yaml_parse(&docs, &ndocs, &arena, data, len, &opts, &yerr) < 0 || ndocs != 1 ||
	    docs[0]->kind != GATE_Y_MAP || !(seq = gate_yaml_get(docs[0], "rules"))) {
		fprintf(stderr, "%s:%d:%d: error: %s\n", argv[1], yerr.line, yerr.col,
			yerr.msg[0] ? yerr.msg : "expected a mapping with rules:");
		return 1;
	}
	if (gate_rules_from_node(&rules, &n, &arena, seq, 1, on_diag, argv[1]) != 0 || problems)
		return 1;

	printf("/* generated from %s by tools/genrules: do not edit */\n", argv[1]);
	puts("#include <stddef.h>\n#include \"content/secret_rules.h\"\n");
	for (i = 0; i < n; i++) {
		list("kw", i, rules[i].keywords, rules[i].n_keywords);
		list("allow", i, rules[i].allow, rules[i].n_allow);
		list("pos", i, rules[i].positive, rules[i].n_positive);
		list("neg", i, rules[i].negative, rules[i].n_negative);
	}
	puts("\nconst gate_secret_rule gate_builtin_rule_table[] = {");
	for (i = 0; i < n; i++) {
		const gate_secret_rule *r = &rules[i];
		fputs("\t{ ", stdout);
		lit(r->id);
		fputs(", ", stdout);
		lit(r->description);
		fputs(", ", stdout);
		lit(r->regex);
		printf(", %d, ", r->secret_group);
		if (r->n_keywords)
			printf("(const char **)kw_%zu, %zu, ", i, r->n_keywords);
		else
			fputs("NULL, 0, ", stdout);
		printf("%.17g, ", r->entropy);
		if (r->n_allow)
			printf("(const char **)allow_%zu, %zu, ", i, r->n_allow);
		else
			fputs("NULL, 0, ", stdout);
		printf("(const char **)pos_%zu, %zu, (const char **)neg_%zu, %zu, %d, %d, 1 },\n", i,
		       r->n_positive, i, r->n_negative, r->line, r->col);
	}
	puts("};");
	printf("const size_t gate_builtin_rule_count = %zu;\n", n);
	gate_arena_dispose(&arena);
	free(data);
	return 0;
}
