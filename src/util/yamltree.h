/*
 * The one YAML front end: every YAML gatehouse reads (the matrix, secret
 * rules, the lock-file config, pushed Kubernetes and Compose manifests,
 * pnpm lock files, the external policy's input) becomes a small document
 * tree built from libyaml's event stream, with source positions on every
 * node.  It exists because libyaml's own document API accepts duplicate
 * mapping keys and expands aliases without bound; this builder caps nodes,
 * depth and documents, keeps line and column so every error can name them,
 * and says which bound stopped it, so a reader can tell "the input is
 * malformed" from "the input is too large to read whole".
 *
 * Keys: by default a duplicate or non-scalar mapping key is an error (the
 * matrix, rules and the policy input, which can hold only one value per key,
 * would otherwise keep one silently).  Readers that judge every value of a
 * key (container and dependency policies) ask for all keys instead, so a
 * second `privileged:` can hide nothing whichever one a consumer reads.
 *
 * Aliases: the matrix refuses them (a matrix is small, and an error there
 * is loud); pushed content resolves them, as kubectl, Compose and pnpm do,
 * by sharing the anchored node, with a bound on the size the document would
 * have written out in full (a YAML bomb reaches it and is reported, never
 * cut silently), or with no bound for a reader that pays for its own walks.
 * Anchors belong to their document (YAML 1.2 section 3.2.2.2): an alias
 * never reaches into an earlier document.  Merge keys (`<<`) are left to
 * the reader.
 */
#ifndef GATE_YAMLTREE_H
#define GATE_YAMLTREE_H

#include <stddef.h>

#include "util/common.h"

/* GATE_Y_NONE: a collection nested past gate_yopts.build_depth, not built (reads as null). */
typedef enum { GATE_Y_SCALAR, GATE_Y_SEQ, GATE_Y_MAP, GATE_Y_NONE } gate_ykind;

typedef struct gate_ynode {
	gate_ykind kind;
	int line, col;   /* 1-based position of the node's start */
	const char *str; /* scalar value, NUL-terminated (may contain NUL: use len) */
	size_t len;
	size_t weight;   /* size written out in full: nodes plus scalar bytes, aliases expanded */
	int height;      /* collections nested inside it, aliases followed (a scalar: 0) */
	int plain;       /* plain style, no tag: may be read as bool/int/null */
	struct gate_ynode **items; /* seq: n items; map: n/2 key,value pairs */
	size_t n;
} gate_ynode;

typedef struct {
	size_t max_nodes;  /* nodes and aliases: of the stream (gate_yaml_parse), of one document
			      (gate_yaml_each); 0: default 2,000,000 */
	int max_depth;     /* open collections, aliases followed; 0: default 64 */
	int allow_multi;   /* accept several documents (manifests) */
	int aliases;       /* 1: resolve aliases (a shared node); 0: refuse them */
	size_t max_weight; /* with aliases: most weight, all documents (0: default 16 MiB;
			      SIZE_MAX: none, for a reader that bounds its own walks) */
	int all_keys;      /* 1: keep duplicate and non-scalar keys (readers that judge every value) */
	int build_depth;   /* > 0: collections deeper than this are GATE_Y_NONE, not built */
	size_t max_docs;   /* documents read at most (0: no bound) */
} gate_yopts;

#define GATE_YOPTS_INIT { 0, 0, 0, 0, 0, 0, 0, 0 }

/* Which bound stopped the parser (the input was not read whole), if one did. */
typedef enum {
	GATE_YLIMIT_NONE,   /* not a bound: a syntax error, a refused alias or key */
	GATE_YLIMIT_NODES,  /* more than max_nodes */
	GATE_YLIMIT_DEPTH,  /* nesting deeper than max_depth */
	GATE_YLIMIT_WEIGHT, /* aliases expand past max_weight */
	GATE_YLIMIT_DOCS    /* more than max_docs documents */
} gate_ylimit;

typedef struct {
	int line, col; /* 1-based; 0 when the error has no position */
	char msg[512];
	gate_ylimit limit;
	int pruned;    /* the document it stopped in had collections past build_depth */
} gate_yerror;

/* One document of a stream, handed to a gate_ydoc_fn. */
typedef struct {
	const gate_ynode *root;
	size_t nodes;  /* nodes and aliases it counted (pruned collections not included) */
	int pruned;    /* some collection was nested past build_depth (read as GATE_Y_NONE) */
} gate_ydoc;

/* Called on each complete document; returns 0 to go on, anything else stops the stream. */
typedef int (*gate_ydoc_fn)(void *ctx, const gate_ydoc *doc);

/*
 * Parses DATA (LEN bytes) into *DOCS (an arena array of *NDOCS roots).  An
 * empty stream yields 0 documents.  Returns 0, or GATE_EMATRIX with ERR
 * filled (syntax error, a refused or unknown alias, duplicate key,
 * non-scalar key, node or depth limits), GATE_ELIMIT with ERR filled when
 * resolved aliases expand past OPTS->max_weight (the document cannot be
 * read whole: the caller must not treat it as checked), or GATE_ENOMEM.
 * ERR->limit tells a bound (nodes, depth, weight) from a malformed input.
 * All memory belongs to ARENA; with aliases a node may have several
 * parents (the tree is a DAG: walk it with a bound, e.g. its weight).
 */
int gate_yaml_parse(gate_ynode ***docs, size_t *ndocs, gate_arena *arena,
		    const char *data, size_t len, const gate_yopts *opts, gate_yerror *err);

/*
 * Reads DATA (LEN bytes) one document at a time: each complete document is
 * built in an arena of its own, handed to FN, then dropped, so memory
 * follows the largest document, not the stream.  Documents that were
 * complete before an error have been handed over.  Returns 0 at the end of
 * the stream, what FN returned when it stopped it, or an error as
 * gate_yaml_parse (a bound: ERR->limit says which; GATE_ELIMIT for
 * max_docs too).
 */
int gate_yaml_each(const char *data, size_t len, const gate_yopts *opts, gate_ydoc_fn fn,
		   void *ctx, gate_yerror *err);

/* Map lookup by key (the first of duplicates); NULL when absent.  MAP must be a GATE_Y_MAP. */
const gate_ynode *gate_yaml_get(const gate_ynode *map, const char *key);

/* Whether N is a plain scalar equal to S. */
int gate_yaml_is(const gate_ynode *n, const char *s);

#endif
