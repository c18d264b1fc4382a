/*
 * `gatehouse scan` and the pre-commit hook: the hooks' secret scanner over
 * files and directories, a commit range or the staged index, under the
 * matrix of the repository around the current directory (or the built-in
 * defaults), with its findings as text, JSON or SARIF 2.1.0.
 *
 * gate_scan_run() does the scanning and keeps the findings in a result; the
 * gate_scan_result_* functions write them through a sink.  What reaches the
 * terminal, and the exit status, are the caller's.
 */
#ifndef GATEHOUSE_SCAN_H
#define GATEHOUSE_SCAN_H

#include <stddef.h>

#include "gatehouse/sink.h"

typedef enum { GATE_SCAN_TEXT, GATE_SCAN_JSON, GATE_SCAN_SARIF } gate_scan_format;

typedef struct {
	const char *range;        /* "A..B" or one revision; NULL: not a range scan */
	int staged;               /* the index against HEAD */
	const char *const *paths; /* files and directories (NULL-terminated); none: "." */
	const gate_sink *err;     /* notes (a matrix that does not load...) and the progress line */
	int progress;             /* a range or the index shows a progress line on ERR (a terminal) */
} gate_scan_opts;

typedef struct gate_scan_result gate_scan_result;

/*
 * Scans what OPTS names.  On success *OUT holds the findings, sorted, which
 * the caller frees with gate_scan_result_free().  On failure returns a
 * negative code with the last error saying why (a path that does not exist,
 * --range or --staged outside a repository...) and *OUT is NULL.
 */
int gate_scan_run(gate_scan_result **out, const gate_scan_opts *opts);

void gate_scan_result_free(gate_scan_result *r);

/* How many secrets were found. */
size_t gate_scan_result_count(const gate_scan_result *r);

/*
 * Writes the findings to OUT as FORMAT: text (PATH:LINE:COL: secret.RULE ...,
 * escaped for a terminal), a JSON array, or one SARIF 2.1.0 log.  Secrets
 * appear redacted only.  0, or GATE_ENOMEM (nothing written).
 */
int gate_scan_result_write(const gate_scan_result *r, gate_scan_format format, const gate_sink *out);

/*
 * Writes to OUT the closing line of `gatehouse scan` (findings, blobs and
 * bytes scanned, the engine) and one line per file left unscanned (too
 * large, binary).  0, or OUT's negative code.
 */
int gate_scan_result_summary(const gate_scan_result *r, const gate_sink *out);

/*
 * Writes to OUT what the pre-commit hook tells a developer: why the commit
 * stopped and how to fix it (when secrets were found), and the files it did
 * not scan.  0, or OUT's negative code.
 */
int gate_scan_result_advice(const gate_scan_result *r, const gate_sink *out);

#endif
