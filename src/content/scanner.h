/*
 * The secret scanner: every rule compiled into one multi-pattern database
 * (Vectorscan) for a single pass over the bytes, then PCRE2-JIT confirms and
 * extracts the secret on the matching line only.  A PCRE2-only backend
 * (keyword prefilter, then each rule over the whole text) serves builds
 * without Vectorscan.
 *
 * Scanners take bytes; they do not know whether the bytes came from a blob,
 * the index or a file on disk.  A gate_scanner is immutable once built and
 * shared by threads; each thread scans with its own gate_scan_ctx.
 */
#ifndef GATE_SCANNER_H
#define GATE_SCANNER_H

#include <stddef.h>

#include "content/secret_rules.h"

typedef struct gate_scanner gate_scanner;
typedef struct gate_scan_ctx gate_scan_ctx;

typedef struct {
	const gate_secret_rule *rule;
	size_t offset, length;   /* the secret, in the scanned bytes */
	size_t line, column;     /* 1-based, column in bytes */
} gate_secret_hit;

/* Called for each finding that survived every filter; non-zero stops the scan. */
typedef int (*gate_hit_cb)(const gate_secret_hit *hit, const char *data, size_t len,
			   void *payload);

/*
 * Builds a scanner for RULES (N pointers; they must outlive the scanner).
 * CACHE_DIR (may be NULL) holds serialized databases keyed by a hash of the
 * rules and the engine version; a missing or unusable cache is rebuilt.  It
 * may list several directories separated by ':', most specific first.
 */
int gate_scanner_new(gate_scanner **out, const gate_secret_rule *const *rules, size_t n,
		     const char *cache_dir);

/*
 * Same, with the PCRE2-only backend when PCRE2_ONLY is set (the path builds
 * without Vectorscan take; tests use it to hold both engines to the same
 * examples).
 */
int gate_scanner_new_engine(gate_scanner **out, const gate_secret_rule *const *rules, size_t n,
			    const char *cache_dir, int pcre2_only);

/* "vectorscan 5.4.9 (cached)" or "pcre2 10.42"; borrowed. */
const char *gate_scanner_engine(const gate_scanner *s);

void gate_scanner_free(gate_scanner *s);

int gate_scan_ctx_new(gate_scan_ctx **out, const gate_scanner *s);
void gate_scan_ctx_free(gate_scan_ctx *c);

/*
 * Scans DATA (LEN bytes), calling CB for each finding in order of rule and
 * offset.  Returns 0, CB's non-zero value, or a negative error.
 */
int gate_scan(gate_scan_ctx *c, const char *data, size_t len, gate_hit_cb cb, void *payload);

/* Shannon entropy of S in bits per byte. */
double gate_entropy(const char *s, size_t len);

/* Whether a matched secret is a placeholder, hash, UUID or the like (never a finding). */
int gate_secret_is_placeholder(const char *s, size_t len);

#endif
