/*
 * A hash map from git object ids to a size_t, for the sets a push needs:
 * new objects, visited commits, blobs already claimed by a path.
 */
#ifndef GATE_OIDMAP_H
#define GATE_OIDMAP_H

#include <git2.h>

typedef struct {
	git_oid *keys;
	size_t *vals;
	unsigned char *used;
	size_t cap, count;
} gate_oidmap;

#define GATE_OIDMAP_INIT { NULL, NULL, NULL, 0, 0 }

/* Sets KEY to VAL (inserting or replacing).  0 or GATE_ENOMEM. */
int gate_oidmap_put(gate_oidmap *m, const git_oid *key, size_t val);

/* 1 and *VAL when KEY is present, else 0.  VAL may be NULL. */
int gate_oidmap_get(const gate_oidmap *m, const git_oid *key, size_t *val);

void gate_oidmap_dispose(gate_oidmap *m);

#endif
