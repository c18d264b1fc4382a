/*
 * The audit log: one JSON object per line for every ref decision, appended
 * to $GIT_DIR/gatehouse/audit.jsonl (or git config gatehouse.auditLog).
 */
#ifndef GATE_AUDIT_H
#define GATE_AUDIT_H

#include <jansson.h>

#include "engine/decide.h"
#include "engine/overrides.h"
#include "util/json.h"
#include "content/redact.h"
#include "content/secrets.h"

/* Paths of binary blobs not scanned, listed in a record at most (all are counted). */
#define GATE_AUDIT_MAX_PATHS 100

/* What is common to every record of one hook run. */
/* The stages of a hook run, timed in the audit record's phases_ms. */
enum { GATE_PHASE_OBJECTS, GATE_PHASE_MATRIX, GATE_PHASE_EVIDENCE, GATE_PHASE_SECRETS_LIST,
       GATE_PHASE_SECRETS_SCAN, GATE_PHASES };
extern const char *const gate_phase_names[GATE_PHASES];

typedef struct {
	const char *repo;
	const char *hook;
	const char *pusher;
	const char *person;         /* matrix person id or NULL */
	const char *const *roles;   /* the person's roles in the matrix (n_roles of them) */
	size_t n_roles;
	const char *identity_source;
	const char *matrix_source;  /* label, or NULL (no matrix) */
	const char *matrix_commit;  /* hex or NULL */
	int bootstrap;
	const char *error;          /* internal error, or NULL */
	int error_allowed;          /* on_error: allow applied */
	const char *objects_source; /* "quarantine" or "walk", or NULL */
	size_t new_objects, new_commits;
	const gate_secret_report *secrets; /* NULL: not scanned */
	const gate_decision *decisions;    /* all decisions of the run (for per-ref counts) */
	int override_requested;
	const char *override_reason;
	const gate_override_ledger *overridden; /* findings the override let through, or NULL */
	const char *secrets_engine;
	double duration_ms;
	/* wall-clock ms per stage (GATE_PHASE_*); negative: the stage did not run */
	double phase_ms[GATE_PHASES];
} gate_audit_info;

/*
 * Builds the record for decision D; *OUT is a new jansson object.
 */
int gate_audit_record(json_t **out, const gate_audit_info *info, const gate_decision *d,
		      const char *matrix_label);

/*
 * Replaces, in every string of record REC, each secret of R by its redacted
 * form (ref names and paths that held a secret, messages that quote them).
 * 0 or GATE_ENOMEM.
 */
int gate_audit_redact(json_t *rec, gate_redactions *r);

/*
 * Appends RECORDS (N objects) to the log at PATH as JSON lines with a single
 * write(2) on an O_APPEND descriptor, so concurrent pushes never interleave
 * or tear records.  Creates the file (0640) and, when MKDIR_PARENT, its
 * directory (0750).  A short write is an error.
 */
int gate_audit_append(const char *path, json_t *const *records, size_t n, int mkdir_parent);


/* UTC time now as ISO 8601 with milliseconds: 2026-11-27T04:05:06.789Z. */
void gate_audit_now(char *buf, size_t len);

#endif
