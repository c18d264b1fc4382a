/*
 * The audit dashboard behind `gatehouse report` (the part of its API the
 * CLI uses is in gatehouse/report.h): aggregates of one or more
 * audit logs (see audit.h), as a plain-text summary for the terminal and as
 * one self-contained HTML page with inline SVG charts.
 *
 * A log is read as a stream, one line at a time; only counters per key
 * (day, reason, rule, role, ref, secret rule...), the most recent overrides
 * and the slowest hook runs are kept.  Memory is bounded by the number of
 * distinct keys, and that number is capped too (GATE_DASHBOARD_KEYS_MAX per
 * table): never by the size of the log.
 *
 * Everything in a log is hostile text: the pusher chose the ref names, the
 * commit subjects quoted in reasons and the override reason.  The text
 * summary escapes whatever a terminal would act on; the HTML page escapes
 * every string and carries no script at all (and a Content-Security-Policy
 * saying so).
 */
#ifndef GATE_DASHBOARD_H
#define GATE_DASHBOARD_H

#include <stdint.h>
#include <stdio.h>

#include "gatehouse/report.h"
#include "util/common.h"

/* Longest line read; a longer one is skipped (counted as not an audit record). */
#define GATE_DASHBOARD_LINE_MAX (1024u * 1024u)
/* Distinct keys kept per table; later new keys are counted together as "(other)". */
#define GATE_DASHBOARD_KEYS_MAX 50000u
/* Bytes of a key (a ref name, a rule location...) kept; longer keys are cut. */
#define GATE_DASHBOARD_KEY_BYTES 512u
/* Entries of the "slowest hook runs" and "overrides" lists. */
#define GATE_DASHBOARD_SLOWEST 20u
#define GATE_DASHBOARD_OVERRIDES 100u
/* Buckets of the hook-run duration histogram (upper bounds in gate_dashboard_hist_ms). */
#define GATE_DASHBOARD_HIST 10u
/* The stages a hook run times (audit records' phases_ms), in order. */
#define GATE_DASHBOARD_PHASES 5u

/* The tables of counters, one row per distinct key. */
typedef enum {
	GATE_DASHBOARD_DAYS,     /* UTC day of the record ("2026-03-18") */
	GATE_DASHBOARD_REASONS,  /* rejected ref updates carrying a reason id */
	GATE_DASHBOARD_RULES,    /* rejected ref updates per reason's matrix rule ("built-in" too) */
	GATE_DASHBOARD_ROLES,    /* ref updates per role of the pusher */
	GATE_DASHBOARD_REFS,     /* ref updates per ref */
	GATE_DASHBOARD_PUSHERS,  /* ref updates per pusher (login) */
	GATE_DASHBOARD_SECRETS,  /* secret.* reasons: findings, and the ref updates they are on */
	GATE_DASHBOARD_WARNINGS, /* ref updates with a warning of that id */
	GATE_DASHBOARD_HOOKS,    /* ref updates per hook (pre-receive, update...) */
	GATE_DASHBOARD_REPOS,    /* ref updates per repository */
	GATE_DASHBOARD_ERRORS,   /* ref updates decided by an internal error, per message */
	GATE_DASHBOARD_TABLES
} gate_dashboard_table;

/* The key a table counts records without a role under, and under a pusher the matrix does not know. */
#define GATE_DASHBOARD_NO_ROLE "(no role)"
#define GATE_DASHBOARD_NOT_IN_MATRIX "(not in the matrix)"
/* The key of the row that counts every key past GATE_DASHBOARD_KEYS_MAX. */
#define GATE_DASHBOARD_OTHER "(other)"

typedef struct {
	const char *key;    /* borrowed from the dashboard */
	uint64_t count;     /* ref updates (audit records) with this key, each counted once */
	uint64_t accepted;
	uint64_t rejected;
	uint64_t findings;  /* GATE_DASHBOARD_SECRETS: every finding, several per update possible */
} gate_dashboard_row;

typedef struct {
	uint64_t lines;            /* non-blank lines read */
	uint64_t skipped;          /* lines that are not audit records (malformed, too long) */
	uint64_t skipped_long;     /* of which longer than GATE_DASHBOARD_LINE_MAX */
	uint64_t before_since;     /* records left out by since */
	uint64_t records;          /* ref updates counted */
	uint64_t accepted, rejected;
	uint64_t pushes;           /* hook runs: a run's records are consecutive lines of a log */
	uint64_t pushes_rejected;  /* runs with at least one rejected ref update */
	uint64_t overrides;        /* runs where a break-glass override was requested */
	uint64_t overrides_applied, overrides_refused;
	uint64_t errors;           /* ref updates decided by an internal error */
	uint64_t errors_allowed;   /* of which let through by on_error: allow */
	uint64_t secret_findings;  /* secret.* reasons */
	uint64_t secret_updates;   /* ref updates with at least one */
	uint64_t warned;           /* ref updates with warnings */
	uint64_t scanned_blobs, scanned_bytes, skipped_large; /* summed per run */
	uint64_t timed_pushes;     /* runs with a duration */
	double duration_total_ms, duration_max_ms;
	uint64_t duration_hist[GATE_DASHBOARD_HIST];
	int has_time;              /* records > 0: first_ms and last_ms are set */
	int64_t first_ms, last_ms;
	size_t logs;               /* logs loaded */
} gate_dashboard_totals;

/* Upper bounds (ms, exclusive) of the duration histogram's buckets; the last is open. */
extern const double gate_dashboard_hist_ms[GATE_DASHBOARD_HIST];
/* "objects", "matrix", "evidence", "secrets_list", "secrets_scan" */
extern const char *const gate_dashboard_phase_names[GATE_DASHBOARD_PHASES];

/* One hook run: its first record's time, repository, hook, pusher and ref. */
typedef struct {
	int64_t time_ms;
	char *time, *repo, *hook, *pusher, *ref;
	uint64_t refs;       /* ref updates in the run */
	int rejected;        /* at least one of them */
	double duration_ms;  /* negative: not recorded */
	double phase_ms[GATE_DASHBOARD_PHASES]; /* negative: the stage did not run */
} gate_dashboard_run_info;

/* A break-glass override request, per hook run. */
typedef struct {
	int64_t time_ms;
	char *time, *requested_by, *reason, *ref, *checks_skipped; /* checks_skipped may be NULL */
	uint64_t refs;
	int applied;  /* lifted the checks of at least one ref update */
	int refused;  /* override.refused: outside override_role, or no reason */
	int rejected; /* the push was rejected all the same (in part) */
} gate_dashboard_override;

/*
 * Adds every line of F (read to its end) to D.  LABEL names the log in
 * progress reports and the page.  Lines that are not audit records are
 * counted, never fatal.  GATE_EIO when reading fails, GATE_ENOMEM; D then
 * holds what was read before.
 */
int gate_dashboard_load_file(gate_dashboard *d, FILE *f, const char *label);

/* Same for LEN bytes of DATA as one log. */
int gate_dashboard_load_buffer(gate_dashboard *d, const char *data, size_t len, const char *label);

void gate_dashboard_get_totals(const gate_dashboard *d, gate_dashboard_totals *out);

/*
 * The rows of table T, most counted first (then by key, bytewise), with the
 * "(other)" row last when keys overflowed.  *OUT is an array of *N rows the
 * caller frees with gate_free(); the keys stay borrowed.  GATE_ENOMEM.
 */
int gate_dashboard_rows(const gate_dashboard *d, gate_dashboard_table t, gate_dashboard_row **out,
			size_t *n);

/* Row KEY of table T into *OUT; GATE_ENOTFOUND (a zero row) when no record had KEY. */
int gate_dashboard_find(const gate_dashboard *d, gate_dashboard_table t, const char *key,
			gate_dashboard_row *out);

/* The slowest hook runs, slowest first (at most GATE_DASHBOARD_SLOWEST).  Borrowed. */
const gate_dashboard_run_info *gate_dashboard_slowest(const gate_dashboard *d, size_t *n);

/* The most recent override requests, newest first (at most GATE_DASHBOARD_OVERRIDES).  Borrowed. */
const gate_dashboard_override *gate_dashboard_overrides(const gate_dashboard *d, size_t *n);

/* Appends the plain-text summary (escaped for a terminal) to OUT.  GATE_ENOMEM. */
int gate_dashboard_format_text(gate_buf *out, const gate_dashboard *d);

/*
 * Appends the HTML page to OUT: self-contained (inline CSS and SVG, no
 * script, nothing fetched), every string from the logs escaped.  GENERATED,
 * when not NULL, is shown as the time the page was made.  GATE_ENOMEM.
 */
int gate_dashboard_format_html(gate_buf *out, const gate_dashboard *d, const char *generated);

/*
 * Appends LEN bytes of S to OUT as HTML text or attribute value: & < > " '
 * as entities, control characters, DEL and invalid UTF-8 as visible \xNN,
 * bidirectional-override characters as visible \u{...} (so a ref name cannot
 * reorder what is shown around it).  GATE_ENOMEM.
 */
int gate_dashboard_html_escape(gate_buf *out, const char *s, size_t len);

/*
 * The log `gatehouse report` reads when given none (see
 * gate_dashboard_load_default).  A new string (gate_free), or NULL.
 */
char *gate_dashboard_default_log(void);

#endif
