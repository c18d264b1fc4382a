/*
 * The message a pusher reads: built from decisions, never from strings
 * pasted together elsewhere.  Everything that came from the push (ref names,
 * logins) is escaped so no byte of it can drive the pusher's terminal.
 */
#ifndef GATE_REPORT_H
#define GATE_REPORT_H

#include "gatehouse/sink.h"

#include "engine/decide.h"
#include "content/secrets.h"

/* Blobs not scanned named in the message at most (then "and N more"; the audit log has them). */
#define GATE_REPORT_MAX_SKIPPED 5

typedef struct {
	const char *matrix_label;  /* where the matrix came from; NULL: none */
	const char *matrix_commit; /* commit it was read at, or NULL */
	int bootstrap;             /* judged by the matrix inside this push */
	int unprotected;           /* no matrix exists yet */
	const char *trusted_ref;   /* where the matrix is expected */
	const char *error;         /* an internal error that decided the push, or NULL */
	int error_allowed;         /* settings.on_error: allow let it through */
	int dry_run;               /* gatehouse check: "would be" wording */
	const gate_secret_report *secrets; /* for notes on blobs not scanned */
	const char *override_by;          /* a break-glass override was applied */
	const char *override_reason;
	const char *matrix_diff;   /* what a pushed matrix change grants and revokes, or NULL */
} gate_report_info;

/* Appends the report for decisions DS[0..N) to OUT. */
int gate_report_format(gate_buf *out, const gate_decision *ds, size_t n,
		       const gate_report_info *info);

/*
 * Writes TEXT to OUT, each line prefixed with PREFIX (may be NULL), in one
 * write, then flushes OUT.  0, GATE_ENOMEM (nothing written) or GATE_EIO.
 */
int gate_report_emit(const gate_sink *out, const char *text, const char *prefix);

#endif
