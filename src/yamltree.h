/*
 * A small YAML document tree built from libyaml's event stream, with source
 * positions on every node.  It exists because libyaml's own document API
 * accepts duplicate mapping keys and expands aliases without bound; this
 * builder rejects both (aliases optionally), caps nodes and depth, and keeps
 * line and column so every validation error can name them.
 */
#ifndef GATE_YAMLTREE_H
#define GATE_YAMLTREE_H

#include <stddef.h>

#include "common.h"

typedef enum { GATE_Y_SCALAR, GATE_Y_SEQ, GATE_Y_MAP } gate_ykind;

typedef struct gate_ynode {
	gate_ykind kind;
	int line, col;   /* 1-based position of the node's start */
	const char *str; /* scalar value, NUL-terminated (may contain NUL: use len) */
	size_t len;
	int plain;       /* plain style, no tag: may be read as bool/int/null */
	struct gate_ynode **items; /* seq: n items; map: n/2 key,value pairs */
	size_t n;
} gate_ynode;

typedef struct {
	size_t max_nodes;  /* 0: default 2,000,000 */
	int max_depth;     /* 0: default 64 */
	int allow_multi;   /* accept several documents (manifests) */
} gate_yopts;

#define GATE_YOPTS_INIT { 0, 0, 0 }

typedef struct {
	int line, col; /* 1-based; 0 when the error has no position */
	char msg[512];
} gate_yerror;

/*
 * Parses DATA (LEN bytes) into *DOCS (an arena array of *NDOCS roots).  An
 * empty stream yields 0 documents.  Returns 0, or GATE_EMATRIX with ERR
 * filled (syntax error, alias, duplicate key, non-scalar key, limits) or
 * GATE_ENOMEM.  All memory belongs to ARENA.
 */
int gate_yaml_parse(gate_ynode ***docs, size_t *ndocs, gate_arena *arena,
		    const char *data, size_t len, const gate_yopts *opts, gate_yerror *err);

/* Map lookup by key; NULL when absent.  MAP must be a GATE_Y_MAP. */
const gate_ynode *gate_yaml_get(const gate_ynode *map, const char *key);

/* Whether N is a plain scalar equal to S. */
int gate_yaml_is(const gate_ynode *n, const char *s);

#endif
