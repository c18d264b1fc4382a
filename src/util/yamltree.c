/*
 * Builds gate_ynode trees from libyaml events.
 *
 * Trust: the input may come from a pushed commit (manifests, lock files, a
 * bootstrap matrix) or from anyone with write access to the trusted branch,
 * so it is treated as hostile:
 * aliases are refused, or resolved by sharing the anchored node with every
 * node's written-out weight and height known, so a billion-laughs document
 * reaches the weight bound (GATE_ELIMIT) after a few events instead of
 * after 10^9 of them; node count and nesting depth (aliases followed) are
 * bounded, duplicate keys are errors (libyaml keeps the last one silently,
 * which would let a second `push:` quietly override the first) unless the
 * reader asked for every key.  Collections past the build depth are read
 * but not built: only their nesting is counted.
 *
 * One builder serves both entry points: gate_yaml_parse keeps every
 * document in the caller's arena; gate_yaml_each builds each in an arena of
 * its own and drops it once the caller has seen it.
 */
#include <stdint.h>
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

/* Forgets every anchor: a new document starts (anchors do not cross documents). */
static void anchor_clear(anchors *a)
{
	a->n = 0;
	if (a->bucket)
		memset(a->bucket, 0, a->nbuckets * sizeof(*a->bucket));
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
	gate_free(keys);
	return rc;
}

/* ---- the builder ---------------------------------------------------------------------- */

typedef struct {
	/* the options, defaults filled in */
	size_t max_nodes, max_depth, max_weight, max_docs, build_depth;
	int allow_multi, resolve, all_keys;
	/* where documents go: kept in the caller's arena, or handed to FN one by one */
	gate_arena *arena;
	gate_arena own;       /* gate_yaml_each: the document being read */
	gate_ydoc_fn fn;
	void *ctx;
	gate_ynode **docs;    /* gate_yaml_parse: the roots so far (malloc'd) */
	size_t ndocs, docs_cap;
	/* the document being read */
	gate_ynode *root;
	frame *stack;
	size_t depth, stack_cap; /* collections open and built */
	size_t skip;          /* collections open past build_depth */
	gate_ynode *pruned_at; /* the placeholder of the outermost of those */
	int pruned;           /* this document has pruned collections */
	size_t nodes;         /* toward max_nodes */
	size_t total;         /* weight of the documents so far */
	size_t started;       /* documents started */
	anchors anc;
	gate_yerror *err;
} builder;

static void builder_init(builder *b, const gate_yopts *o, gate_yerror *err)
{
	memset(b, 0, sizeof(*b));
	memset(err, 0, sizeof(*err));
	b->err = err;
	b->max_nodes = o && o->max_nodes ? o->max_nodes : 2000000;
	b->max_depth = o && o->max_depth > 0 ? (size_t)o->max_depth : 64;
	b->allow_multi = o && o->allow_multi;
	b->resolve = o && o->aliases;
	/* without aliases the weight is at most the input's size plus its nodes: no bound needed */
	b->max_weight = !b->resolve ? SIZE_MAX
			: o->max_weight ? o->max_weight : (size_t)16 * 1024 * 1024;
	b->all_keys = o && o->all_keys;
	b->build_depth = o && o->build_depth > 0 ? (size_t)o->build_depth : SIZE_MAX;
	b->max_docs = o && o->max_docs ? o->max_docs : SIZE_MAX;
}

/* Drops the open collections of the document being read. */
static void builder_drop_stack(builder *b)
{
	while (b->depth)
		gate_free(b->stack[--b->depth].kids);
	b->skip = 0;
}

static void builder_release(builder *b)
{
	builder_drop_stack(b);
	gate_free(b->stack);
	gate_free(b->anc.items);
	gate_free(b->anc.bucket);
	gate_free(b->docs);
	gate_arena_dispose(&b->own);
}

/* A bound stopped the parser: ERR says which, and the caller knows the input was not read whole. */
static int limit(builder *b, gate_ylimit which, int rc)
{
	b->err->limit = which;
	b->err->pruned = b->pruned;
	return rc;
}

static size_t weigh(size_t a, size_t w) { return a > SIZE_MAX - w ? SIZE_MAX : a + w; }

static int too_heavy(builder *b, int line, int col)
{
	yerr(b->err, line, col, "YAML aliases here expand past %zu bytes and nodes written out in "
				"full: the document cannot be read whole", b->max_weight);
	return limit(b, GATE_YLIMIT_WEIGHT, GATE_ELIMIT);
}

/* Adds a collection's or a root's weight and height to what holds it, bounded. */
static int weigh_in(builder *b, const gate_ynode *node, int line, int col)
{
	if (b->depth) {
		frame *f = &b->stack[b->depth - 1];
		if (weigh(f->weight, node->weight) > b->max_weight)
			return too_heavy(b, line, col);
		f->weight = weigh(f->weight, node->weight);
		if (node->height > f->height)
			f->height = node->height;
		return 0;
	}
	if (weigh(b->total, node->weight) > b->max_weight)
		return too_heavy(b, line, col);
	b->total = weigh(b->total, node->weight);
	return 0;
}

/*
 * Adds NODE to the open collection (or makes it the document's root).  A
 * COMPLETE node (a scalar, an alias) weighs in now, a collection just
 * opened when it closes, so a document of aliases stops at the bound, not
 * at its expanded size.
 */
static int attach(builder *b, gate_ynode *node, int complete, int line, int col)
{
	if (b->depth + b->skip + (size_t)node->height > b->max_depth) {
		yerr(b->err, line, col, "nesting deeper than %zu levels", b->max_depth);
		return limit(b, GATE_YLIMIT_DEPTH, GATE_EMATRIX);
	}
	if (b->depth) {
		frame *f = &b->stack[b->depth - 1];
		if (gate_grow(&f->kids, &f->cap, f->n + 1, sizeof(*f->kids)) < 0)
			return GATE_ENOMEM;
		f->kids[f->n++] = node;
	} else if (!b->root) {
		b->root = node;
	}
	return complete ? weigh_in(b, node, line, col) : 0;
}

/* Counts one more node or alias against max_nodes. */
static int count_node(builder *b, int line, int col)
{
	if (++b->nodes > b->max_nodes) {
		yerr(b->err, line, col, "document has more than %zu nodes", b->max_nodes);
		return limit(b, GATE_YLIMIT_NODES, GATE_EMATRIX);
	}
	return 0;
}

static gate_ynode *new_node(builder *b, gate_ykind kind, int line, int col)
{
	gate_ynode *n = gate_arena_alloc(b->arena, sizeof(*n));
	if (n) {
		memset(n, 0, sizeof(*n));
		n->kind = kind;
		n->line = line;
		n->col = col;
		n->str = "";
		n->weight = 1;
	}
	return n;
}

/* Registers anchor NAME (libyaml's, copied) for NODE; nothing when aliases are refused. */
static int define(builder *b, const yaml_char_t *name, gate_ynode *node)
{
	const char *copy;
	if (!b->resolve || !name)
		return 0;
	copy = gate_arena_strdup(b->arena, (const char *)name);
	return copy && anchor_put(&b->anc, copy, node) == 0 ? 0 : GATE_ENOMEM;
}

/* ---- one handler an event ----------------------------------------------------------- */

static int on_document_start(builder *b, int line, int col)
{
	if (b->started >= 1 && !b->allow_multi)
		return yerr(b->err, line, col, "only one YAML document is allowed here");
	if (b->started >= b->max_docs) {
		yerr(b->err, line, col, "more than %zu YAML documents", b->max_docs);
		return limit(b, GATE_YLIMIT_DOCS, GATE_ELIMIT);
	}
	b->started++;
	b->root = NULL;
	b->pruned = 0;
	anchor_clear(&b->anc);
	if (b->fn)
		b->nodes = 0;
	return 0;
}

/* The document is complete: keep its root, or hand it over and drop it. */
static int on_document_end(builder *b)
{
	gate_ydoc doc;
	int rc = 0;

	if (!b->fn) {
		if (!b->root)
			return 0;
		if (gate_grow(&b->docs, &b->docs_cap, b->ndocs + 1, sizeof(*b->docs)) < 0)
			return GATE_ENOMEM;
		b->docs[b->ndocs++] = b->root;
		return 0;
	}
	doc.root = b->root;
	doc.nodes = b->nodes;
	doc.pruned = b->pruned;
	if (b->root)
		rc = b->fn(b->ctx, &doc);
	anchor_clear(&b->anc); /* the names live in the arena dropped now */
	gate_arena_dispose(&b->own);
	b->root = NULL;
	return rc;
}

static int on_alias(builder *b, const yaml_event_t *ev, int line, int col)
{
	const char *name = (const char *)ev->data.alias.anchor;
	gate_ynode *node;
	int rc;

	if (b->skip)
		return 0;
	if (!b->resolve)
		return yerr(b->err, line, col, "YAML alias '*%s' is not allowed: write the value out in "
					       "full", name);
	if ((rc = count_node(b, line, col)) < 0)
		return rc;
	if (!(node = anchor_get(&b->anc, name)))
		return yerr(b->err, line, col, "YAML alias '*%s' names no anchor defined before it", name);
	return attach(b, node, 1, line, col);
}

static int on_scalar(builder *b, const yaml_event_t *ev, int line, int col)
{
	gate_ynode *n;
	int rc;

	if (b->skip) /* inside a pruned collection: an alias to it reads as its placeholder */
		return define(b, ev->data.scalar.anchor, b->pruned_at);
	if ((rc = count_node(b, line, col)) < 0)
		return rc;
	if (!(n = new_node(b, GATE_Y_SCALAR, line, col)) ||
	    !(n->str = gate_arena_strndup(b->arena, (const char *)ev->data.scalar.value,
					  ev->data.scalar.length)))
		return GATE_ENOMEM;
	n->len = ev->data.scalar.length;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && ev->data.scalar.tag == NULL;
	n->weight = 1 + n->len;
	if ((rc = define(b, ev->data.scalar.anchor, n)) < 0)
		return rc;
	return attach(b, n, 1, line, col);
}

/* A collection past build_depth: counted for max_depth, read as one GATE_Y_NONE. */
static int prune(builder *b, const yaml_char_t *anchor_name, int line, int col)
{
	int rc;

	if (!b->skip) {
		if (!(b->pruned_at = new_node(b, GATE_Y_NONE, line, col)))
			return GATE_ENOMEM;
		if ((rc = attach(b, b->pruned_at, 1, line, col)) < 0)
			return rc;
		b->pruned = 1;
	}
	b->skip++;
	return define(b, anchor_name, b->pruned_at);
}

static int on_open(builder *b, const yaml_event_t *ev, int line, int col)
{
	int is_map = ev->type == YAML_MAPPING_START_EVENT;
	const yaml_char_t *a = is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
	gate_ynode *n;
	frame *f;
	int rc;

	if (b->depth + b->skip + 1 > b->max_depth) {
		yerr(b->err, line, col, "nesting deeper than %zu levels", b->max_depth);
		return limit(b, GATE_YLIMIT_DEPTH, GATE_EMATRIX);
	}
	if (b->skip || b->depth >= b->build_depth)
		return prune(b, a, line, col);
	if ((rc = count_node(b, line, col)) < 0)
		return rc;
	if (!(n = new_node(b, is_map ? GATE_Y_MAP : GATE_Y_SEQ, line, col)))
		return GATE_ENOMEM;
	if ((rc = attach(b, n, 0, line, col)) < 0)
		return rc;
	if (gate_grow(&b->stack, &b->stack_cap, b->depth + 1, sizeof(*b->stack)) < 0)
		return GATE_ENOMEM;
	f = &b->stack[b->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	if (b->resolve && a && !(f->anchor = gate_arena_strdup(b->arena, (const char *)a)))
		return GATE_ENOMEM;
	return 0;
}

static int on_close(builder *b, int line, int col)
{
	frame *f;
	gate_ynode *n;
	int rc = 0;

	if (b->skip) {
		b->skip--;
		return 0;
	}
	if (!b->depth) /* libyaml pairs events; never trust that blindly */
		return yerr(b->err, line, col, "unbalanced YAML collection end");
	f = &b->stack[--b->depth];
	n = f->node;
	n->n = f->n;
	n->weight = weigh(1, f->weight);
	n->height = 1 + f->height;
	if (f->n) {
		n->items = gate_arena_alloc(b->arena, f->n * sizeof(*n->items));
		if (!n->items)
			rc = GATE_ENOMEM;
		else
			memcpy(n->items, f->kids, f->n * sizeof(*n->items));
		if (rc == 0 && n->kind == GATE_Y_MAP && !b->all_keys)
			rc = check_map_keys(n, b->err);
	}
	gate_free(f->kids);
	f->kids = NULL;
	/* what holds it weighs it now that it is complete (attach added nothing) */
	if (rc == 0)
		rc = weigh_in(b, n, line, col);
	/* registered only now, so an alias inside its own anchor finds nothing */
	if (rc == 0 && f->anchor && anchor_put(&b->anc, f->anchor, n) < 0)
		rc = GATE_ENOMEM;
	return rc;
}

static int on_event(builder *b, const yaml_event_t *ev, int *done)
{
	int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;

	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		*done = 1;
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		return on_document_start(b, line, col);
	case YAML_DOCUMENT_END_EVENT:
		return on_document_end(b);
	case YAML_ALIAS_EVENT:
		return on_alias(b, ev, line, col);
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev, line, col);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return on_open(b, ev, line, col);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_close(b, line, col);
	default:
		return 0;
	}
}

/* libyaml could not go on: ERR says where and why. */
static int syntax_error(builder *b, const yaml_parser_t *parser, const char *data, size_t len)
{
	if (parser->error == YAML_MEMORY_ERROR)
		return gate_error_oom();
	b->err->pruned = b->pruned;
	if (parser->error == YAML_READER_ERROR) {
		/* reader errors (bad UTF-8, control bytes) carry an offset, not a mark */
		size_t off = parser->problem_offset < len ? parser->problem_offset : len, i;
		int l = 1, c = 1;
		for (i = 0; i < off; i++) {
			if (data[i] == '\n') {
				l++;
				c = 1;
			} else if (((unsigned char)data[i] & 0xC0) != 0x80) {
				c++;
			}
		}
		return yerr(b->err, l, c, "YAML syntax error: %s",
			    parser->problem ? parser->problem : "unreadable input");
	}
	return yerr(b->err, (int)parser->problem_mark.line + 1, (int)parser->problem_mark.column + 1,
		    "YAML syntax error: %s%s%s", parser->problem ? parser->problem : "unknown problem",
		    parser->context ? " " : "", parser->context ? parser->context : "");
}

/* Feeds every event of DATA to the builder until the end, an error or the reader's stop. */
static int read_stream(builder *b, const char *data, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = 0, done = 0;

	if (!yaml_parser_initialize(&parser))
		return gate_error_oom();
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = syntax_error(b, &parser, data, len);
			break;
		}
		rc = on_event(b, &ev, &done);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

int gate_yaml_parse(gate_ynode ***docs_out, size_t *ndocs_out, gate_arena *arena,
		    const char *data, size_t len, const gate_yopts *opts, gate_yerror *err)
{
	builder b;
	int rc;

	*docs_out = NULL;
	*ndocs_out = 0;
	builder_init(&b, opts, err);
	b.arena = arena;
	rc = read_stream(&b, data, len);
	if (rc == 0 && b.ndocs) {
		gate_ynode **copy = gate_arena_alloc(arena, b.ndocs * sizeof(*copy));
		if (!copy) {
			rc = GATE_ENOMEM;
		} else {
			memcpy(copy, b.docs, b.ndocs * sizeof(*copy));
			*docs_out = copy;
			*ndocs_out = b.ndocs;
		}
	}
	builder_release(&b);
	return rc;
}

int gate_yaml_each(const char *data, size_t len, const gate_yopts *opts, gate_ydoc_fn fn,
		   void *ctx, gate_yerror *err)
{
	builder b;
	int rc;

	builder_init(&b, opts, err);
	b.arena = &b.own;
	b.fn = fn;
	b.ctx = ctx;
	rc = read_stream(&b, data, len);
	builder_release(&b);
	return rc;
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
