/*
 * Specification of the YAML front end (src/util/yamltree.h): the matrix
 * refuses aliases; pushed manifests resolve them (a shared node) with the
 * size the document would have written out in full bounded, so a YAML bomb
 * is reported as too large to read whole (GATE_ELIMIT), never cut silently.
 * A stream can be read one document at a time (gate_yaml_each), with every
 * key kept for readers that judge every value, and a bound that stops the
 * parser is told apart from a malformed input.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "util/common.h"
#include "util/yamltree.h"

static int parse(const char *text, int aliases, size_t max_weight, gate_ynode ***docs, size_t *n,
		 gate_arena *arena, gate_yerror *err)
{
	gate_yopts o = GATE_YOPTS_INIT;
	o.allow_multi = 1;
	o.aliases = aliases;
	o.max_weight = max_weight;
	memset(arena, 0, sizeof(*arena));
	return gate_yaml_parse(docs, n, arena, text, strlen(text), &o, err);
}

Test(yamltree, aliases_are_refused_unless_asked_for)
{
	gate_arena a;
	gate_ynode **d;
	size_t n;
	gate_yerror e;
	cr_expect_eq(parse("x: &a {p: true}\ny: *a\n", 0, 0, &d, &n, &a, &e), GATE_EMATRIX);
	cr_expect(strstr(e.msg, "is not allowed"), "%s", e.msg);
	gate_arena_dispose(&a);
}

Test(yamltree, an_alias_resolves_to_its_anchor)
{
	gate_arena a;
	gate_ynode **d;
	size_t n;
	gate_yerror e;
	const gate_ynode *y;
	cr_assert_eq(parse("x: &a {privileged: true}\ny: *a\n", 1, 0, &d, &n, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 1);
	y = gate_yaml_get(d[0], "y");
	cr_assert_not_null(y);
	cr_assert_eq(y->kind, GATE_Y_MAP);
	cr_expect(gate_yaml_is(gate_yaml_get(y, "privileged"), "true"));
	/* the map, two keys of 2, and {privileged: true} (1 + 11 + 5) twice */
	cr_expect_eq(d[0]->weight, 1 + 2 * (2 + 17), "the alias weighs what it names");
	gate_arena_dispose(&a);
}

Test(yamltree, an_unknown_or_self_referencing_alias_is_an_error)
{
	gate_arena a;
	gate_ynode **d;
	size_t n;
	gate_yerror e;
	cr_expect_eq(parse("x: *nope\n", 1, 0, &d, &n, &a, &e), GATE_EMATRIX);
	cr_expect(strstr(e.msg, "names no anchor"), "%s", e.msg);
	gate_arena_dispose(&a);
	cr_expect_eq(parse("x: &a [1, *a]\n", 1, 0, &d, &n, &a, &e), GATE_EMATRIX, "no cycles");
	gate_arena_dispose(&a);
}

Test(yamltree, a_billion_laughs_reaches_the_bound_and_says_so)
{
	static const char bomb[] =
		"a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
		"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
		"h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
		"i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	gate_arena a;
	gate_ynode **d;
	size_t n;
	gate_yerror e;
	double t0 = gate_now_ms();
	cr_expect_eq(parse(bomb, 1, 1024 * 1024, &d, &n, &a, &e), GATE_ELIMIT);
	cr_expect(strstr(e.msg, "cannot be read whole"), "%s", e.msg);
	cr_expect_lt(gate_now_ms() - t0, 1000);
	gate_arena_dispose(&a);
}

Test(yamltree, aliases_count_toward_the_nesting_bound)
{
	gate_arena a;
	gate_ynode **d;
	size_t n;
	gate_yerror e;
	gate_buf b = GATE_BUF_INIT;
	int i;
	/* 40 levels, aliased under 40 more: 80 > 64 */
	gate_buf_puts(&b, "x: &deep ");
	for (i = 0; i < 40; i++)
		gate_buf_puts(&b, "[");
	for (i = 0; i < 40; i++)
		gate_buf_puts(&b, "]");
	gate_buf_puts(&b, "\ny: ");
	for (i = 0; i < 40; i++)
		gate_buf_puts(&b, "[");
	gate_buf_puts(&b, "*deep");
	for (i = 0; i < 40; i++)
		gate_buf_puts(&b, "]");
	gate_buf_puts(&b, "\n");
	cr_assert(!b.oom);
	cr_expect_eq(parse(gate_buf_cstr(&b), 1, 0, &d, &n, &a, &e), GATE_EMATRIX);
	cr_expect(strstr(e.msg, "nesting deeper"), "%s", e.msg);
	gate_arena_dispose(&a);
	gate_buf_dispose(&b);
}

Test(yamltree, an_anchor_belongs_to_its_document)
{
	gate_arena a;
	gate_ynode **d;
	size_t n;
	gate_yerror e;
	cr_expect_eq(parse("x: &a 1\n---\ny: *a\n", 1, 0, &d, &n, &a, &e), GATE_EMATRIX);
	cr_expect(strstr(e.msg, "names no anchor"), "%s", e.msg);
	cr_expect_eq(e.limit, GATE_YLIMIT_NONE, "malformed, not a bound");
	gate_arena_dispose(&a);
}

Test(yamltree, duplicate_and_collection_keys_are_refused_unless_every_key_is_asked_for)
{
	static const char *const texts[] = { "a: 1\nb: 2\na: 3\n", "? [k]\n: v\n" };
	gate_yopts o = GATE_YOPTS_INIT;
	gate_arena a;
	gate_ynode **d;
	size_t n, i;
	gate_yerror e;

	for (i = 0; i < GATE_ARRAY_SIZE(texts); i++) {
		memset(&a, 0, sizeof(a));
		o.all_keys = 0;
		cr_expect_eq(gate_yaml_parse(&d, &n, &a, texts[i], strlen(texts[i]), &o, &e), GATE_EMATRIX,
			     "text %zu", i);
		gate_arena_dispose(&a);
		o.all_keys = 1;
		cr_expect_eq(gate_yaml_parse(&d, &n, &a, texts[i], strlen(texts[i]), &o, &e), 0, "%s", e.msg);
		gate_arena_dispose(&a);
	}
	memset(&a, 0, sizeof(a));
	cr_assert_eq(gate_yaml_parse(&d, &n, &a, texts[0], strlen(texts[0]), &o, &e), 0);
	cr_expect_eq(d[0]->n, 6, "both values of a are kept");
	cr_expect_str_eq(gate_yaml_get(d[0], "a")->str, "1", "a lookup finds the first");
	gate_arena_dispose(&a);
}

typedef struct {
	size_t docs, stop_after;
	int lines[8];
	int pruned[8];
} seen;

static int see(void *arg, const gate_ydoc *doc)
{
	seen *s = arg;
	if (s->docs < 8) {
		s->lines[s->docs] = doc->root->line;
		s->pruned[s->docs] = doc->pruned;
	}
	s->docs++;
	return s->stop_after && s->docs >= s->stop_after ? 7 : 0;
}

Test(yamltree, a_stream_is_handed_over_one_document_at_a_time)
{
	static const char text[] = "a: 1\n---\nb: *x\n---\nc: &x 2\nd: *x\n";
	gate_yopts o = GATE_YOPTS_INIT;
	gate_yerror e;
	seen s;

	o.allow_multi = 1;
	o.aliases = 1;
	memset(&s, 0, sizeof(s));
	cr_expect_eq(gate_yaml_each(text, strlen(text), &o, see, &s, &e), GATE_EMATRIX);
	cr_expect_eq(s.docs, 1, "the document before the error was handed over");
	cr_expect_eq(e.line, 3);
	memset(&s, 0, sizeof(s));
	cr_expect_eq(gate_yaml_each(text + 9, strlen(text + 9), &o, see, &s, &e), GATE_EMATRIX);
	memset(&s, 0, sizeof(s));
	cr_expect_eq(gate_yaml_each(text + 18, strlen(text + 18), &o, see, &s, &e), 0, "%s", e.msg);
	cr_expect_eq(s.docs, 1);
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	cr_expect_eq(gate_yaml_each("1\n---\n2\n---\n3\n", 14, &o, see, &s, &e), 7, "the reader's stop");
	cr_expect_eq(s.docs, 2);
	cr_expect_eq(s.lines[1], 3);
}

Test(yamltree, collections_past_the_build_depth_are_read_but_not_built)
{
	static const char text[] = "a: {b: {c: &deep [1, 2]}}\nd: *deep\ne: [x]\n";
	gate_yopts o = GATE_YOPTS_INIT;
	gate_arena a;
	gate_ynode **d;
	const gate_ynode *x;
	size_t n;
	gate_yerror e;

	o.aliases = 1;
	o.build_depth = 2;
	memset(&a, 0, sizeof(a));
	cr_assert_eq(gate_yaml_parse(&d, &n, &a, text, strlen(text), &o, &e), 0, "%s", e.msg);
	x = gate_yaml_get(gate_yaml_get(d[0], "a"), "b");
	cr_assert_not_null(x);
	cr_expect_eq(x->kind, GATE_Y_NONE, "the third level is not built");
	cr_expect_eq(x->line, 1);
	cr_expect_eq(gate_yaml_get(d[0], "d"), x, "an alias into it reads as it");
	cr_expect_eq(gate_yaml_get(d[0], "e")->kind, GATE_Y_SEQ);
	gate_arena_dispose(&a);
}

Test(yamltree, the_bound_that_stopped_the_parser_is_named)
{
	static const struct {
		const char *text;
		size_t max_nodes, max_docs;
		int max_depth;
		int rc;
		gate_ylimit limit;
	} cases[] = {
		{ "[1, 2, 3, 4]\n", 4, 0, 0, GATE_EMATRIX, GATE_YLIMIT_NODES },
		{ "[[[[1]]]]\n", 0, 0, 3, GATE_EMATRIX, GATE_YLIMIT_DEPTH },
		{ "1\n---\n2\n---\n3\n", 0, 2, 0, GATE_ELIMIT, GATE_YLIMIT_DOCS },
		{ "[1, 2\n", 0, 0, 0, GATE_EMATRIX, GATE_YLIMIT_NONE },
		{ "[1, 2, 3]\n---\n[[[4]]]\n", 0, 0, 3, 0, GATE_YLIMIT_NONE },
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		gate_yopts o = GATE_YOPTS_INIT;
		gate_yerror e;
		seen s;
		memset(&s, 0, sizeof(s));
		o.allow_multi = 1;
		o.max_nodes = cases[i].max_nodes;
		o.max_docs = cases[i].max_docs;
		o.max_depth = cases[i].max_depth;
		cr_expect_eq(gate_yaml_each(cases[i].text, strlen(cases[i].text), &o, see, &s, &e),
			     cases[i].rc, "case %zu: %s", i, e.msg);
		cr_expect_eq(e.limit, cases[i].limit, "case %zu", i);
	}
}

Test(yamltree, a_pruned_document_says_so)
{
	static const char text[] = "[[[1]]]\n---\n[1]\n";
	gate_yopts o = GATE_YOPTS_INIT;
	gate_yerror e;
	seen s;
	memset(&s, 0, sizeof(s));
	o.allow_multi = 1;
	o.build_depth = 2;
	cr_assert_eq(gate_yaml_each(text, strlen(text), &o, see, &s, &e), 0, "%s", e.msg);
	cr_expect_eq(s.docs, 2);
	cr_expect_eq(s.pruned[0], 1);
	cr_expect_eq(s.pruned[1], 0);
}

Test(yamltree, with_no_weight_bound_a_billion_laughs_is_shared_not_expanded)
{
	gate_buf b = GATE_BUF_INIT;
	gate_arena a;
	gate_ynode **d;
	size_t n;
	gate_yerror e;
	gate_yopts o = GATE_YOPTS_INIT;
	int i, j;

	/* 30 levels of ten: 10^30 written out, past any size_t */
	gate_buf_puts(&b, "- &l0 [lol]\n");
	for (i = 1; i < 30; i++) {
		gate_buf_printf(&b, "- &l%d [", i);
		for (j = 0; j < 10; j++)
			gate_buf_printf(&b, "%s*l%d", j ? ", " : "", i - 1);
		gate_buf_puts(&b, "]\n");
	}
	cr_assert(!b.oom);
	o.aliases = 1;
	o.max_weight = SIZE_MAX;
	memset(&a, 0, sizeof(a));
	cr_expect_eq(gate_yaml_parse(&d, &n, &a, b.ptr, b.len, &o, &e), 0, "%s", e.msg);
	cr_expect_eq(d[0]->weight, SIZE_MAX, "the weight saturates");
	gate_arena_dispose(&a);
	gate_buf_dispose(&b);
}
