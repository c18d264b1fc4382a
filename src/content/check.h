/*
 * Content checks, and the one driver that runs them over a content source.
 *
 * A content check judges bytes at a path: it says which paths it reads
 * (applies) and what it finds in the bytes at one of them (check).  It does
 * not know whether the bytes came from a pushed blob, the index or a file
 * on disk.  The driver walks a source (source.h) on several threads, reads
 * each blob once, and hands its bytes to every check that applies, at every
 * path the blob is at, in the order the checks are given: an answer that
 * depends on the path is asked for each (blob, path) pair, and a check may
 * keep what does not depend on it (the secret scanner's raw hits) from one
 * path of a blob to the next (see `fresh`).
 *
 * The secret scan (secrets.h) and the container and dependency policies
 * (policies.h) are content checks.  Checks shaped like the policies append
 * gate_policy_findings, which the driver returns in source order; a check
 * with findings of its own keeps them in its per-thread state and merges
 * them in `close`.
 */
#ifndef GATE_CHECK_H
#define GATE_CHECK_H

#include <git2.h>
#include <stddef.h>

#include "content/policy.h"
#include "content/source.h"

/* The bytes at one path, as a check is handed them. */
typedef struct {
	const char *path;             /* as judged and shown ("": a blob under no path) */
	const char *data;             /* NULL: not read (too_large, or a file gone since listed) */
	size_t len;                   /* the bytes' length; when too_large, the blob's size */
	int too_large;                /* over the check's max_bytes: not read for it */
	int fresh;                    /* the first of these bytes' paths this check is asked about */
	const gate_source_item *item; /* the source's item (commit, update); NULL for files on disk */
	size_t index;                 /* the item's index in the source */
} gate_content_item;

typedef struct {
	const char *family; /* what it checks, for messages: "secret", "policy.container" */
	void *cfg;          /* the check's own, handed to each function below */
	size_t max_bytes;   /* the largest blob it reads; larger ones come as too_large */
	/* Whether it reads the bytes at PATH (1 or 0); called from any thread. */
	int (*applies)(const void *cfg, const char *path);
	/*
	 * Judges IT, appending findings to OUT (their origin is set by the
	 * driver) or to its thread's STATE: 0 or a negative error, which stops
	 * the run.  Called from any thread, with that thread's STATE.
	 */
	int (*check)(void *cfg, void *state, const gate_content_item *it, gate_policy_findings *out);
	/* Optional (NULL: none).  Before any thread starts: 0 or an error. */
	int (*begin)(void *cfg, const gate_source *src, git_repository *repo);
	/* Optional.  Each thread's STATE, made on that thread: 0 or an error. */
	int (*open)(void *cfg, void **state);
	/*
	 * Optional.  After every thread has ended, in thread order, for each
	 * STATE open set (even after an error): merges and frees it.
	 */
	int (*close)(void *cfg, void *state);
	/* Optional.  After the threads and every close, even after an error. */
	int (*end)(void *cfg, const gate_source *src, git_repository *repo);
} gate_content_check;

/* Progress: DONE of TOTAL items, BYTES read so far (one thread's count). */
typedef void (*gate_content_progress)(size_t done, size_t total, unsigned long long bytes,
				      void *payload);

typedef struct {
	unsigned threads;               /* 0: gate_source_threads() */
	double deadline;                /* monotonic ms (gate_now_ms()); 0: none */
	unsigned budget_ms;             /* the budget the deadline comes from, for the message */
	gate_content_progress progress; /* about every 200 ms from one thread, and at the end */
	void *progress_payload;
} gate_content_opts;

#define GATE_CONTENT_OPTS_INIT { 0, 0, 0, NULL, NULL }

/*
 * Runs the N CHECKS over SRC, whose blobs are in REPO (opened by
 * gate_repo_open(); NULL for files on disk).  A blob no check applies to at
 * any of its paths is never read; one larger than every applying check's
 * max_bytes is not loaded (its size comes from the object header).  The
 * findings checks append go to OUT (may be NULL: dropped), in source order
 * (by item, then in the order found), each with `origin` its item's index,
 * and at most GATE_POLICY_FINDINGS_MAX in all: the rest are counted in
 * OUT->dropped.  At the deadline the run stops with GATE_ELIMIT.  0, or the
 * first error of a check, a thread or a read.
 */
int gate_content_run(gate_policy_findings *out, const gate_content_check *checks, size_t n,
		     const gate_source *src, git_repository *repo, const gate_content_opts *opts);

#endif
