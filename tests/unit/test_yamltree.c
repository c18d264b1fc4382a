/*
 * Specification of the YAML front end (src/yamltree.h): the matrix refuses
 * aliases; pushed manifests resolve them (a shared node) with the size the
 * document would have written out in full bounded, so a YAML bomb is
 * reported as too large to read whole (GATE_ELIMIT), never cut silently.
 */
#include <criterion/criterion.h>
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
