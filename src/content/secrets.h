/*
 * Secret detection for pushes, commit ranges, the index and files: the
 * policy (which rules, which paths and values are allowed, accepted
 * fingerprints) around the scanner, the findings it produces, and the
 * parallel scan of many blobs.
 *
 * Every path a new commit adds or changes is judged with its path, whatever
 * its blob (new, or already on the server: a copy, a rename, a revert), and
 * each blob is read and scanned once: the scanner's raw hits do not depend on
 * the path, so they are kept per blob and filtered per path (allow_paths,
 * fingerprints).  Reading and scanning run on several threads, one
 * repository handle and one scanner context each; memory stays bounded by
 * one blob per thread.
 */
#ifndef GATE_SECRETS_H
#define GATE_SECRETS_H

#include <git2.h>

#include "matrix/model.h"
#include "git/newobjs.h"
#include "git/push.h"
#include "content/redact.h"
#include "content/scanner.h"

typedef struct gate_secrets gate_secrets;

/* Where a secret was found: a file, or text a push carries outside its files. */
typedef enum {
	GATE_SECRET_IN_BLOB,
	GATE_SECRET_IN_COMMIT_MESSAGE,
	GATE_SECRET_IN_TAG_MESSAGE,
	GATE_SECRET_IN_PATH,     /* the path string itself */
	GATE_SECRET_IN_REF_NAME
} gate_secret_where;

typedef struct {
	char *rule_id;        /* "aws-access-key-id" */
	const char *description;
	gate_secret_where where;
	char *path;           /* "" when no path introduced the blob; IN_PATH: the path, redacted */
	char *name;           /* IN_TAG_MESSAGE: the tag's name; else NULL */
	size_t line, column;  /* in the blob, the message or the name (1-based) */
	git_oid commit;       /* zero when not from a commit */
	git_oid blob;         /* the blob it is in; zero when not from a blob job */
	char *commit_subject; /* NULL when not from a commit */
	size_t ref_index;     /* the update that brought it (pushes) */
	int rule_line;        /* matrix line of a matrix rule; 0 for built-ins */
	char redacted[48];    /* "ghp_...(40 chars)": never the whole secret */
	char fingerprint[200];
	size_t job;           /* which blob job found it (pushes, ranges) */
	size_t also;          /* the same secret at the same path in this many later blobs */
} gate_secret_finding;

typedef struct {
	char *path;
	size_t size;
} gate_skipped_blob;

typedef struct {
	gate_secret_finding *items;
	size_t count, cap;
	size_t scanned, scanned_bytes, skipped_binary;
	size_t decoded_utf16;  /* blobs scanned decoded from UTF-16 */
	size_t binary_runs;    /* binary blobs scanned on their runs of printable text */
	gate_skipped_blob *skipped_large;
	size_t n_skipped_large, cap_skipped_large;
	gate_skipped_blob *skipped_bin; /* binary, with no text in it: not scanned */
	size_t n_skipped_bin, cap_skipped_bin;
	double ms;
} gate_secret_report;

/*
 * Prepares scanning under M's secrets: section (M may be NULL: built-in
 * defaults).  IGNORE is the text of a fingerprints file (may be NULL).
 * CACHE_DIR holds the compiled rule database (may be NULL).
 */
int gate_secrets_new(gate_secrets **out, const gate_matrix *m, const char *ignore,
		     const char *cache_dir);
void gate_secrets_free(gate_secrets *s);

/*
 * Stops scans at DEADLINE (monotonic ms, gate_now_ms(); 0: never) with a
 * GATE_ELIMIT error naming BUDGET_MS.
 */
void gate_secrets_set_deadline(gate_secrets *s, double deadline, unsigned budget_ms);

/* Use the PCRE2 engine whatever the size (git config gatehouse.secretsEngine=pcre2). */
void gate_secrets_force_pcre2(gate_secrets *s);

/* Whether the matrix switched scanning off. */
int gate_secrets_disabled(const gate_secrets *s);
const char *gate_secrets_engine(const gate_secrets *s);

/* A job: one blob at one path, and the commit it came in with. */
typedef struct {
	git_oid blob;
	char *path;
	git_oid commit;
	int has_commit;
	size_t ref_index;
} gate_blob_job;

/* A push past one of settings.limits, found while listing its blobs. */
typedef struct {
	int which;        /* GATE_LIMIT_*, or -1: none */
	size_t ref_index; /* the update that brought it */
	char detail[512]; /* what exceeded it, escaped for a terminal */
} gate_limit_hit;

typedef struct {
	gate_blob_job *items;
	size_t count, cap;
	gate_oidmap claimed; /* blob -> the index of its first job */
	gate_limit_hit hit;  /* which = -1 when every limit held */
} gate_blob_jobs;

#define GATE_BLOB_JOBS_INIT { NULL, 0, 0, GATE_OIDMAP_INIT, { -1, 0, "" } }

/*
 * Lists the (blob, path) pairs a push's new commits add or change, each with
 * the oldest commit that brought it (commits walked oldest first, each
 * against its first parent, into every changed subtree), then the blobs of
 * the quarantine no commit names, without a path.  With LIMITS (may be
 * NULL), checks every new commit (parents, message, trailers) and every path
 * it changes against them: at the first one exceeded, listing stops, JOBS->hit
 * says what, and 0 is returned (the push is to be rejected, not scanned).
 */
int gate_secrets_push_jobs(gate_blob_jobs *jobs, git_repository *repo, const gate_push *push,
			   const gate_newobjs *newobjs, const gate_limits *limits);

/*
 * Adds the blobs a ref of PUSH names directly, not through a commit: a
 * (lightweight or annotated) tag of a blob, or of a tree (every blob under
 * it, with its path).  Only without a quarantine (the update hook, pre-push):
 * under pre-receive the quarantine listing already holds them.  A tree past
 * LIMITS (paths_per_commit, tree_depth; may be NULL) stops the listing with
 * JOBS->hit set, as gate_secrets_push_jobs does.
 */
int gate_secrets_direct_jobs(gate_blob_jobs *jobs, git_repository *repo, const gate_push *push,
			     const gate_newobjs *newobjs, const gate_limits *limits);

/* Lists the (blob, path) pairs the commits of REVSPEC ("A..B" or one revision) add or change. */
int gate_secrets_range_jobs(gate_blob_jobs *jobs, git_repository *repo, const char *revspec);

/*
 * Adds a job for BLOB at PATH.  Takes over PATH (allocated) in any case: it is
 * freed on error.  COMMIT may be NULL.
 */
int gate_blob_jobs_add(gate_blob_jobs *jobs, const git_oid *blob, char *path, const git_oid *commit,
		       size_t ref);

/*
 * Keeps one job per (blob, path): the first added (the oldest commit).  The
 * order of the others is kept.  0, or GATE_ENOMEM.
 */
int gate_blob_jobs_dedupe(gate_blob_jobs *jobs);

void gate_blob_jobs_dispose(gate_blob_jobs *jobs);

/*
 * Scans JOBS on up to THREADS threads (0: the machine's cores), each with
 * its own handle on the repository opened by gate_repo_open(), appending
 * findings to REPORT.
 */
int gate_secrets_scan_jobs(gate_secret_report *report, gate_secrets *s, const gate_blob_jobs *jobs,
			   git_repository *repo, unsigned threads);

/*
 * Progress of gate_secrets_scan_jobs: FN(DONE, TOTAL, BYTES, PAYLOAD) is
 * called from one thread about every 200 ms while the scan runs, and once
 * at the end.  NULL: none (the hooks).
 */
typedef void (*gate_secrets_progress)(size_t done, size_t total, unsigned long long bytes,
				      void *payload);
void gate_secrets_set_progress(gate_secrets *s, gate_secrets_progress fn, void *payload);

/*
 * Scans the files PATHS (N of them) on THREADS threads (0: GATEHOUSE_THREADS,
 * else the cores), each read whole as it stood when opened.  A path that is
 * not a regular file (a symlink, a FIFO) is not content and is passed over;
 * one over max_blob_bytes is reported as skipped; a leading "./" is not
 * shown.  Findings are sorted by path, line and column.
 */
int gate_secrets_scan_files(gate_secret_report *report, gate_secrets *s, const char *const *paths,
			    size_t n, unsigned threads);

/*
 * Text outside blobs (messages, paths, ref names; see textscan.h for what a
 * push has), scanned in batches of a few MiB under the same rules and
 * allowlists as files.  Each piece comes with where it came from: */
typedef struct {
	gate_secret_where where;
	const char *name;      /* IN_TAG_MESSAGE: the tag's name; else NULL */
	const git_oid *commit; /* the commit of a message or path, or NULL */
	size_t ref_index;      /* the update that brought it */
	int redact_only;       /* a secret here goes to the redactions only (a deleted ref) */
} gate_text_origin;

typedef struct gate_text_batch gate_text_batch;

/*
 * Starts a batch whose findings go to REPORT (NULL: none, redactions only)
 * and whose secrets (every one found, as found) go to RED.
 */
int gate_secrets_text_begin(gate_text_batch **out, gate_secrets *s, gate_secret_report *report,
			    gate_redactions *red);

/*
 * Adds TEXT (LEN bytes, copied; any bytes; for IN_PATH a C string) from
 * ORIGIN; scans the batch when it is full.  A path under secrets.allow_paths is not scanned; a text over
 * max_blob_bytes is reported as not scanned, like a blob.  0 or an error.
 */
int gate_secrets_text_add(gate_text_batch *b, const gate_text_origin *origin, const char *text,
			  size_t len);

/* Scans what is left, sorts REPORT and frees B: 0 or an error.  B may be NULL. */
int gate_secrets_text_finish(gate_text_batch *b);

/* Frees B without scanning what is left (after an error).  B may be NULL. */
void gate_secrets_text_abort(gate_text_batch *b);

/* Orders findings by update, source, path, line, column and rule, and skipped blobs by path. */
void gate_secret_report_sort(gate_secret_report *r);

void gate_secret_report_dispose(gate_secret_report *r);

#endif
