/*
 * `gatehouse report`: the audit dashboard, as the CLI drives it.
 *
 * A dashboard aggregates one or more audit logs (read as streams, in bounded
 * memory: see src/output/dashboard.h for the tables it keeps) and writes them
 * out as a plain-text summary for a terminal and as one self-contained HTML
 * page.  Opening the page's file and printing are the caller's.
 */
#ifndef GATEHOUSE_REPORT_H
#define GATEHOUSE_REPORT_H

#include <stdint.h>

#include "gatehouse/sink.h"

typedef struct gate_dashboard gate_dashboard;

/* What a load reports to a progress callback: bytes of LABEL read so far. */
typedef struct {
	const char *label; /* the log's path ("-": standard input) */
	uint64_t bytes;    /* read so far */
	uint64_t size;     /* total, 0 when unknown (a pipe) */
	uint64_t lines;
	int done;          /* 1 on the last call for this log */
} gate_dashboard_progress;

typedef struct {
	int has_since;    /* 1: leave out records older than since_ms */
	int64_t since_ms; /* milliseconds since the epoch, UTC */
	/* called every few thousand lines and once at the end of each log; may be NULL */
	void (*progress)(void *ctx, const gate_dashboard_progress *p);
	void *progress_ctx;
} gate_dashboard_opts;

#define GATE_DASHBOARD_OPTS_INIT { 0, 0, NULL, NULL }

/*
 * A new, empty dashboard with OPTS (NULL: defaults).  The caller frees it
 * with gate_dashboard_free().  GATE_ENOMEM on failure.
 */
int gate_dashboard_new(gate_dashboard **out, const gate_dashboard_opts *opts);
void gate_dashboard_free(gate_dashboard *d);

/*
 * Parses S as "YYYY-MM-DD" (midnight UTC) or an ISO 8601 time
 * "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM|-HH:MM]" (UTC when no zone is given)
 * into milliseconds since the epoch.  GATE_EINVAL when S is anything else.
 */
int gate_dashboard_parse_time(int64_t *out_ms, const char *s);

/*
 * Adds every line of the log at PATH ("-": standard input) to D.  Lines
 * that are not audit records are counted, never fatal.  GATE_EIO when it
 * cannot be read, GATE_ENOMEM; D then holds what was read before.
 */
int gate_dashboard_load_path(gate_dashboard *d, const char *path);

/*
 * Same for the log `gatehouse report` reads when given none:
 * $GIT_DIR/gatehouse/audit.jsonl when GIT_DIR is set, else
 * ./gatehouse/audit.jsonl.
 */
int gate_dashboard_load_default(gate_dashboard *d);

/*
 * Writes the plain-text summary (escaped for a terminal) to OUT, in one
 * write.  0, GATE_ENOMEM (nothing written), or OUT's code.
 */
int gate_dashboard_write_text(const gate_sink *out, const gate_dashboard *d);

/*
 * Writes the HTML page to OUT, in one write: self-contained (inline CSS and
 * SVG, no script, nothing fetched), every string from the logs escaped.
 * GENERATED, when not NULL, is shown as the time the page was made.  0,
 * GATE_ENOMEM (nothing written), or OUT's code.
 */
int gate_dashboard_write_html(const gate_sink *out, const gate_dashboard *d, const char *generated);

/*
 * Writes P as the body of a progress line, "LOG: 1234 lines, 40% of 2.0 MiB"
 * (the log's name escaped), in one write.  0, GATE_ENOMEM, or OUT's code.
 */
int gate_dashboard_write_progress(const gate_sink *out, const gate_dashboard_progress *p);

#endif
