/*
 * Secret detection for pushes, commit ranges, the index and files: the
 * policy (which rules, which paths and values are allowed, accepted
 * fingerprints) around the scanner, the findings it produces, and the
 * parallel scan of many blobs.
 *
 * Every path a new commit adds or changes is judged with its path, whatever
 * its blob (new, or already on the server: a copy, a rename, a revert), and
 * each blob is scanned once: the scanner's raw hits do not depend on the
 * path, so they are kept per blob and filtered per path (allow_paths,
 * fingerprints).  The scan is a content check (check.h): the driver reads
 * each blob of a source (source.h) once, on several threads, for it and the
 * other content checks alike; each thread has its own scanner context.
 */
#ifndef GATE_SECRETS_H
#define GATE_SECRETS_H

#include <git2.h>

#include "matrix/model.h"
#include "git/newobjs.h"
#include "git/push.h"
#include "content/check.h"
#include "content/redact.h"
#include "content/scanner.h"
#include "content/source.h"

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
	git_oid blob;         /* the blob it is in; zero when not from a blob */
	char *commit_subject; /* NULL when not from a commit */
	size_t ref_index;     /* the update that brought it (pushes) */
	int rule_line;        /* matrix line of a matrix rule; 0 for built-ins */
	char redacted[48];    /* "ghp_...(40 chars)": never the whole secret */
	char fingerprint[200];
	size_t job;           /* the source item that found it (pushes, ranges) */
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
 * Stops scans of text outside blobs (gate_secrets_text_*) at DEADLINE
 * (monotonic ms, gate_now_ms(); 0: never) with a GATE_ELIMIT error naming
 * BUDGET_MS.  (Blobs: gate_content_opts.deadline.)
 */
void gate_secrets_set_deadline(gate_secrets *s, double deadline, unsigned budget_ms);

/* Use the PCRE2 engine whatever the size (git config gatehouse.secretsEngine=pcre2). */
void gate_secrets_force_pcre2(gate_secrets *s);

/* Whether the matrix switched scanning off. */
int gate_secrets_disabled(const gate_secrets *s);
const char *gate_secrets_engine(const gate_secrets *s);

/*
 * The secret scan as a content check (check.h): CHECK's findings go to
 * REPORT (kept in S until the next call).  Each blob is scanned once for the
 * rules; its hits are then judged at each of its paths (allow_paths,
 * fingerprints), and a blob larger than max_blob_bytes is named as not
 * scanned at each path.  After the run REPORT is sorted, a push's or a
 * range's findings deduplicated (one per secret, path and update) and
 * given their commits' subjects.
 */
void gate_secrets_check(gate_content_check *check, gate_secrets *s, gate_secret_report *report);

/*
 * Scans SRC (its blobs in REPO, opened by gate_repo_open(); NULL for files
 * on disk) for secrets alone, on up to THREADS threads (0: the default),
 * appending findings to REPORT.  A file on disk is read whole as it stands
 * when opened; one that is no longer a regular file is passed over.  0, or
 * a negative error; nothing when the matrix switched scanning off.
 */
int gate_secrets_scan(gate_secret_report *report, gate_secrets *s, const gate_source *src,
		      git_repository *repo, unsigned threads);

/*
 * Progress of gate_secrets_scan: FN(DONE, TOTAL, BYTES, PAYLOAD) is called
 * from one thread about every 200 ms while the scan runs, and once at the
 * end.  NULL: none (the hooks).
 */
typedef gate_content_progress gate_secrets_progress;
void gate_secrets_set_progress(gate_secrets *s, gate_secrets_progress fn, void *payload);

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
