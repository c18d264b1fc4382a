/*
 * Builds gate_ynode trees from libyaml events.
 *
 * Trust: the input may come from a pushed commit (bootstrap) or from anyone
 * with write access to the trusted branch, so it is treated as hostile:
 * aliases are refused, or resolved by sharing the anchored node with every
 * node's written-out weight and height known, so a billion-laughs document
 * reaches the weight bound (GATE_ELIMIT) after a few events instead of
 * after 10^9 of them; node count and nesting depth (aliases followed) are
 * bounded, duplicate keys are errors (libyaml keeps the last one silently,
 * which would let a second `push:` quietly override the first).
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/yamltree.h"

typedef struct {
	gate_ynode *node;
	gate_ynode **kids;
	size_t n, cap;
	size_t weight;      /* of the kids so far */
	int height;         /* tallest kid so far */
	const char *anchor; /* registered when the collection is complete */
} frame;

/* Anchors by name (with aliases on): a later definition shadows an earlier one. */
typedef struct {
	const char *name;
	gate_ynode *node;
	size_t next; /* index + 1 of the next anchor in the bucket; 0 ends */
} anchor;

typedef struct {
	anchor *items;
	size_t n, cap;
	size_t *bucket; /* nbuckets heads (index + 1) */
	size_t nbuckets;
} anchors;

static size_t anchor_hash(const char *s)
{
	size_t h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static int anchor_put(anchors *a, const char *name, gate_ynode *node)
{
	size_t i, h;
	if (gate_grow(&a->items, &a->cap, a->n + 1, sizeof(*a->items)) < 0)
		return GATE_ENOMEM;
	if (a->n + 1 > a->nbuckets) {
		size_t nb = a->nbuckets ? a->nbuckets * 2 : 64;
		size_t *b = gate_calloc(nb, sizeof(*b));
		if (!b)
			return GATE_ENOMEM;
		for (i = 0; i < a->n; i++) {
			h = anchor_hash(a->items[i].name) & (nb - 1);
			a->items[i].next = b[h];
			b[h] = i + 1;
		}
		gate_free(a->bucket);
		a->bucket = b;
		a->nbuckets = nb;
	}
	h = anchor_hash(name) & (a->nbuckets - 1);
	a->items[a->n].name = name;
	a->items[a->n].node = node;
	a->items[a->n].next = a->bucket[h];
	a->bucket[h] = ++a->n;
	return 0;
}

static gate_ynode *anchor_get(const anchors *a, const char *name)
{
	size_t i;
	if (!a->nbuckets)
		return NULL;
	for (i = a->bucket[anchor_hash(name) & (a->nbuckets - 1)]; i; i = a->items[i - 1].next)
		if (!strcmp(a->items[i - 1].name, name))
			return a->items[i - 1].node;
	return NULL;
}

static int yerr(gate_yerror *e, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int yerr(gate_yerror *e, int line, int col, const char *fmt, ...)
{
	va_list ap;
	e->line = line;
	e->col = col;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return GATE_EMATRIX;
}

typedef struct {
	const gate_ynode *key;
} keyref;

static int keycmp(const void *a, const void *b)
{
	const gate_ynode *x = ((const keyref *)a)->key, *y = ((const keyref *)b)->key;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->str, y->str, n);
	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	/* equal keys: order by position so the later one is reported */
	return x->line != y->line ? x->line - y->line : x->col - y->col;
}

static int check_map_keys(gate_ynode *map, gate_yerror *err)
{
	size_t i, nk = map->n / 2;
	keyref *keys;
	int rc = 0;

	for (i = 0; i < nk; i++) {
		const gate_ynode *k = map->items[2 * i];
		if (k->kind != GATE_Y_SCALAR)
			return yerr(err, k->line, k->col, "mapping keys must be plain strings");
	}
	if (nk < 2)
		return 0;
	if (nk <= 8) {
		size_t j;
		for (i = 0; i < nk; i++)
			for (j = i + 1; j < nk; j++) {
				const gate_ynode *a = map->items[2 * i], *b = map->items[2 * j];
				if (a->len == b->len && !memcmp(a->str, b->str, a->len))
					return yerr(err, b->line, b->col,
						    "duplicate key '%.*s' (first at line %d)",
						    (int)(b->len > 100 ? 100 : b->len), b->str, a->line);
			}
		return 0;
	}
	keys = gate_malloc(nk * sizeof(*keys));
	if (!keys)
		return GATE_ENOMEM;
	for (i = 0; i < nk; i++)
		keys[i].key = map->items[2 * i];
	qsort(keys, nk, sizeof(*keys), keycmp);
	for (i = 1; i < nk; i++) {
		const gate_ynode *a = keys[i - 1].key, *b = keys[i].key;
		if (a->len == b->len && !memcmp(a->str, b->str, a->len)) {
			rc = yerr(err, b->line, b->col, "duplicate key '%.*s' (first at line %d)",
				  (int)(b->len > 100 ? 100 : b->len), b->str, a->line);
			break;
		}
	}
	free(keys);
	return rc;
}

/*
 * Adds NODE to the open collection (or as a document root), with its
 * weight and height: the written-out size is bounded as it grows, so a
 * document of aliases stops at the bound, not at its expanded size.
 */
static int attach(gate_ynode *node, frame *stack, size_t depth, gate_ynode ***docs, size_t *ndocs,
		  size_t *docs_cap, size_t *total, size_t max_weight, size_t max_depth, int line,
		  int col, gate_yerror *err)
{
	if (depth + (size_t)node->height > max_depth)
		return yerr(err, line, col, "nesting deeper than %zu levels", max_depth);
	if (depth) {
		frame *f = &stack[depth - 1];
		if (gate_grow(&f->kids, &f->cap, f->n + 1, sizeof(*f->kids)) < 0)
			return GATE_ENOMEM;
		f->kids[f->n++] = node;
		if (node->weight > max_weight - f->weight)
			goto over;
		f->weight += node->weight;
		if (node->height > f->height)
			f->height = node->height;
		return 0;
	}
	if (gate_grow(docs, docs_cap, *ndocs + 1, sizeof(**docs)) < 0)
		return GATE_ENOMEM;
	(*docs)[(*ndocs)++] = node;
	if (node->weight > max_weight - *total)
		goto over;
	*total += node->weight;
	return 0;
over:
	yerr(err, line, col, "YAML aliases here expand past %zu bytes and nodes written out in full: "
			     "the document cannot be read whole", max_weight);
	return GATE_ELIMIT;
}

int gate_yaml_parse(gate_ynode ***docs_out, size_t *ndocs_out, gate_arena *arena,
		    const char *data, size_t len, const gate_yopts *opts, gate_yerror *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	frame *stack = NULL;
	size_t depth = 0, stack_cap = 0, nodes = 0;
	size_t max_nodes = opts && opts->max_nodes ? opts->max_nodes : 2000000;
	size_t max_depth = opts && opts->max_depth > 0 ? (size_t)opts->max_depth : 64;
	int allow_multi = opts && opts->allow_multi, resolve = opts && opts->aliases;
	/* without aliases the weight is at most the input's size plus its nodes: no bound needed */
	size_t max_weight = !resolve ? (size_t)-1
			    : opts->max_weight ? opts->max_weight : (size_t)16 * 1024 * 1024;
	gate_ynode **docs = NULL;
	size_t ndocs = 0, docs_cap = 0, total = 0;
	anchors anc;
	int rc = 0, done = 0;

	*docs_out = NULL;
	*ndocs_out = 0;
	memset(err, 0, sizeof(*err));
	memset(&anc, 0, sizeof(anc));
	if (!yaml_parser_initialize(&parser))
		return gate_error_oom();
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);

	while (!done && rc == 0) {
		gate_ynode *node = NULL;
		int line, col;

		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR) {
				rc = gate_error_oom();
				break;
			}
			if (parser.error == YAML_READER_ERROR) {
				/* reader errors (bad UTF-8, control bytes) carry an offset, not a mark */
				size_t off = parser.problem_offset < len ? parser.problem_offset : len, i;
				int l = 1, c = 1;
				for (i = 0; i < off; i++) {
					if (data[i] == '\n') {
						l++;
						c = 1;
					} else if (((unsigned char)data[i] & 0xC0) != 0x80) {
						c++;
					}
				}
				rc = yerr(err, l, c, "YAML syntax error: %s",
					  parser.problem ? parser.problem : "unreadable input");
				break;
			}
			rc = yerr(err, (int)parser.problem_mark.line + 1,
				  (int)parser.problem_mark.column + 1, "YAML syntax error: %s%s%s",
				  parser.problem ? parser.problem : "unknown problem",
				  parser.context ? " " : "", parser.context ? parser.context : "");
			break;
		}
		line = (int)ev.start_mark.line + 1;
		col = (int)ev.start_mark.column + 1;

		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (ndocs >= 1 && !allow_multi)
				rc = yerr(err, line, col, "only one YAML document is allowed here");
			break;
		case YAML_ALIAS_EVENT:
			if (!resolve) {
				rc = yerr(err, line, col, "YAML alias '*%s' is not allowed: write the value "
							  "out in full", (const char *)ev.data.alias.anchor);
			} else if (++nodes > max_nodes) {
				rc = yerr(err, line, col, "document has more than %zu nodes", max_nodes);
			} else if (!(node = anchor_get(&anc, (const char *)ev.data.alias.anchor))) {
				rc = yerr(err, line, col, "YAML alias '*%s' names no anchor defined before it",
					  (const char *)ev.data.alias.anchor);
			} else {
				rc = attach(node, stack, depth, &docs, &ndocs, &docs_cap, &total, max_weight,
					    max_depth, line, col, err);
			}
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++nodes > max_nodes) {
				rc = yerr(err, line, col, "document has more than %zu nodes", max_nodes);
				break;
			}
			node = gate_arena_alloc(arena, sizeof(*node));
			if (!node) {
				rc = GATE_ENOMEM;
				break;
			}
			node->line = line;
			node->col = col;
			if (ev.type == YAML_SCALAR_EVENT) {
				node->kind = GATE_Y_SCALAR;
				node->len = ev.data.scalar.length;
				node->str = gate_arena_strndup(arena, (const char *)ev.data.scalar.value,
							       ev.data.scalar.length);
				node->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
					      ev.data.scalar.tag == NULL;
				node->weight = 1 + node->len;
				if (!node->str) {
					rc = GATE_ENOMEM;
					break;
				}
				if (resolve && ev.data.scalar.anchor) {
					const char *name = gate_arena_strdup(arena, (const char *)ev.data.scalar.anchor);
					if (!name || anchor_put(&anc, name, node) < 0) {
						rc = GATE_ENOMEM;
						break;
					}
				}
			} else {
				node->kind = ev.type == YAML_SEQUENCE_START_EVENT ? GATE_Y_SEQ : GATE_Y_MAP;
				if (depth + 1 > max_depth) {
					rc = yerr(err, line, col, "nesting deeper than %zu levels", max_depth);
					break;
				}
			}
			/* attach to parent, or make it a document root (a collection weighs in when complete) */
			if ((rc = attach(node, stack, depth, &docs, &ndocs, &docs_cap, &total, max_weight,
					 max_depth, line, col, err)) < 0)
				break;
			if (node->kind != GATE_Y_SCALAR) {
				const yaml_char_t *a = ev.type == YAML_MAPPING_START_EVENT
							       ? ev.data.mapping_start.anchor
							       : ev.data.sequence_start.anchor;
				if (gate_grow(&stack, &stack_cap, depth + 1, sizeof(*stack)) < 0) {
					rc = GATE_ENOMEM;
					break;
				}
				memset(&stack[depth], 0, sizeof(*stack));
				stack[depth].node = node;
				if (resolve && a && !(stack[depth].anchor = gate_arena_strdup(arena, (const char *)a))) {
					rc = GATE_ENOMEM;
					break;
				}
				depth++;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			frame *f;
			if (!depth) { /* libyaml pairs events; never trust that blindly */
				rc = yerr(err, line, col, "unbalanced YAML collection end");
				break;
			}
			f = &stack[--depth];
			gate_ynode *n = f->node;
			n->n = f->n;
			n->weight = 1 + f->weight;
			n->height = 1 + f->height;
			if (f->n) {
				n->items = gate_arena_alloc(arena, f->n * sizeof(*n->items));
				if (!n->items) {
					rc = GATE_ENOMEM;
				} else {
					memcpy(n->items, f->kids, f->n * sizeof(*n->items));
					if (n->kind == GATE_Y_MAP)
						rc = check_map_keys(n, err);
				}
			}
			free(f->kids);
			f->kids = NULL;
			/* the parent weighs it now that it is complete (attach added 0 and height 0) */
			if (rc == 0 && depth) {
				frame *p = &stack[depth - 1];
				if (n->weight > max_weight - p->weight) {
					yerr(err, line, col, "YAML aliases here expand past %zu bytes and nodes "
							     "written out in full: the document cannot be read whole",
					     max_weight);
					rc = GATE_ELIMIT;
				} else {
					p->weight += n->weight;
					if (n->height > p->height)
						p->height = n->height;
				}
			} else if (rc == 0) {
				if (n->weight > max_weight - total) {
					yerr(err, line, col, "YAML aliases here expand past %zu bytes and nodes "
							     "written out in full: the document cannot be read whole",
					     max_weight);
					rc = GATE_ELIMIT;
				} else {
					total += n->weight;
				}
			}
			/* registered only now, so an alias inside its own anchor finds nothing */
			if (rc == 0 && f->anchor && anchor_put(&anc, f->anchor, n) < 0)
				rc = GATE_ENOMEM;
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	while (depth)
		free(stack[--depth].kids);
	free(stack);
	gate_free(anc.items);
	gate_free(anc.bucket);
	yaml_parser_delete(&parser);
	if (rc) {
		free(docs);
		return rc;
	}
	if (ndocs) {
		gate_ynode **copy = gate_arena_alloc(arena, ndocs * sizeof(*copy));
		if (!copy) {
			free(docs);
			return GATE_ENOMEM;
		}
		memcpy(copy, docs, ndocs * sizeof(*copy));
		*docs_out = copy;
	}
	free(docs);
	*ndocs_out = ndocs;
	return 0;
}

const gate_ynode *gate_yaml_get(const gate_ynode *map, const char *key)
{
	size_t i, kl = strlen(key);
	for (i = 0; i + 1 < map->n; i += 2) {
		const gate_ynode *k = map->items[i];
		if (k->len == kl && !memcmp(k->str, key, kl))
			return map->items[i + 1];
	}
	return NULL;
}

int gate_yaml_is(const gate_ynode *n, const char *s)
{
	return n && n->kind == GATE_Y_SCALAR && n->plain && n->len == strlen(s) &&
	       !memcmp(n->str, s, n->len);
}
