/*
 * A small YAML document tree built from libyaml's event stream, with source
 * positions on every node.  It exists because libyaml's own document API
 * accepts duplicate mapping keys and expands aliases without bound; this
 * builder rejects duplicate keys, caps nodes and depth, and keeps line and
 * column so every validation error can name them.
 *
 * Aliases: the matrix refuses them (a matrix is small, and an error there
 * is loud); pushed manifests resolve them, as kubectl and Compose do, by
 * sharing the anchored node, with a bound on the size the document would
 * have written out in full (a YAML bomb reaches it and is reported, never
 * cut silently).  Merge keys (`<<`) are left to the reader.
 */
#ifndef GATE_YAMLTREE_H
#define GATE_YAMLTREE_H

#include <stddef.h>

#include "util/common.h"

typedef enum { GATE_Y_SCALAR, GATE_Y_SEQ, GATE_Y_MAP } gate_ykind;

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
	size_t max_nodes;  /* 0: default 2,000,000 */
	int max_depth;     /* 0: default 64 */
	int allow_multi;   /* accept several documents (manifests) */
	int aliases;       /* 1: resolve aliases (a shared node); 0: refuse them */
	size_t max_weight; /* with aliases: most weight, all documents (0: default 16 MiB) */
} gate_yopts;

#define GATE_YOPTS_INIT { 0, 0, 0, 0, 0 }

typedef struct {
	int line, col; /* 1-based; 0 when the error has no position */
	char msg[512];
} gate_yerror;

/*
 * Parses DATA (LEN bytes) into *DOCS (an arena array of *NDOCS roots).  An
 * empty stream yields 0 documents.  Returns 0, or GATE_EMATRIX with ERR
 * filled (syntax error, a refused or unknown alias, duplicate key,
 * non-scalar key, node or depth limits), GATE_ELIMIT with ERR filled when
 * resolved aliases expand past OPTS->max_weight (the document cannot be
 * read whole: the caller must not treat it as checked), or GATE_ENOMEM.
 * All memory belongs to ARENA; with aliases a node may have several
 * parents (the tree is a DAG: walk it with a bound, e.g. its weight).
 */
int gate_yaml_parse(gate_ynode ***docs, size_t *ndocs, gate_arena *arena,
		    const char *data, size_t len, const gate_yopts *opts, gate_yerror *err);

/* Map lookup by key; NULL when absent.  MAP must be a GATE_Y_MAP. */
const gate_ynode *gate_yaml_get(const gate_ynode *map, const char *key);

/* Whether N is a plain scalar equal to S. */
int gate_yaml_is(const gate_ynode *n, const char *s);

#endif
