/*
 * Open-addressing hash map keyed by object id (see oidmap.h).  Object ids
 * are already uniformly distributed, so their first bytes are the hash.
 */
#include <string.h>

#include "util/common.h"
#include "util/oidmap.h"

static size_t slot_of(const git_oid *k, size_t cap)
{
	uint64_t h;
	memcpy(&h, k->id, sizeof(h));
	return (size_t)(h & (cap - 1));
}

static int rehash(gate_oidmap *m, size_t ncap)
{
	gate_oidmap n = GATE_OIDMAP_INIT;
	size_t i;

	n.keys = gate_malloc(ncap * sizeof(*n.keys));
	n.vals = gate_malloc(ncap * sizeof(*n.vals));
	n.used = gate_calloc(ncap, 1);
	n.cap = ncap;
	if (!n.keys || !n.vals || !n.used) {
		gate_oidmap_dispose(&n);
		return GATE_ENOMEM;
	}
	for (i = 0; i < m->cap; i++)
		if (m->used[i]) {
			size_t s = slot_of(&m->keys[i], ncap);
			while (n.used[s])
				s = (s + 1) & (ncap - 1);
			n.used[s] = 1;
			n.keys[s] = m->keys[i];
			n.vals[s] = m->vals[i];
			n.count++;
		}
	gate_oidmap_dispose(m);
	*m = n;
	return 0;
}

int gate_oidmap_put(gate_oidmap *m, const git_oid *key, size_t val)
{
	size_t s;
	/* load factor at most 3/4: ids hash uniformly, so probes stay short */
	if ((m->count + 1) * 4 > m->cap * 3 && rehash(m, m->cap ? m->cap * 2 : 64) < 0)
		return GATE_ENOMEM;
	s = slot_of(key, m->cap);
	while (m->used[s]) {
		if (git_oid_equal(&m->keys[s], key)) {
			m->vals[s] = val;
			return 0;
		}
		s = (s + 1) & (m->cap - 1);
	}
	m->used[s] = 1;
	m->keys[s] = *key;
	m->vals[s] = val;
	m->count++;
	return 0;
}

int gate_oidmap_get(const gate_oidmap *m, const git_oid *key, size_t *val)
{
	size_t s;
	if (!m->cap)
		return 0;
	s = slot_of(key, m->cap);
	while (m->used[s]) {
		if (git_oid_equal(&m->keys[s], key)) {
			if (val)
				*val = m->vals[s];
			return 1;
		}
		s = (s + 1) & (m->cap - 1);
	}
	return 0;
}

void gate_oidmap_dispose(gate_oidmap *m)
{
	gate_free(m->keys);
	gate_free(m->vals);
	gate_free(m->used);
	memset(m, 0, sizeof(*m));
}
