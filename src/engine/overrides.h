/*
 * The break-glass ledger: every finding a break-glass override let onto a
 * ref, kept on the server ($GIT_DIR/gatehouse/overrides.jsonl, one JSON
 * object a line), so that the override covers only the ref it was given
 * for.  When the commit that brought such a finding lands on another ref
 * (a fast-forward, a branch created at it: no new commit, nothing new to
 * scan), the finding is judged again there.
 *
 * Trust: the file is written by the hooks and by the server's admins only;
 * nothing a push brings names it or writes into it but redacted findings.
 * A ledger that cannot be read whole (too large, not JSON lines) is an
 * error, so the push is rejected: an unreadable ledger never passes a push.
 */
#ifndef GATE_OVERRIDES_H
#define GATE_OVERRIDES_H

#include <git2.h>

#include "content/secrets.h"

/* Where the ledger lives, under the repository's common directory. */
#define GATE_OVERRIDES_FILE "gatehouse/overrides.jsonl"

/* The largest ledger read (about 20,000 records): past it every push is rejected. */
#define GATE_OVERRIDES_MAX_BYTES (8u * 1024 * 1024)

/* One finding an override let onto REF. */
typedef struct {
	char *ref, *rule, *path, *fingerprint, *redacted, *by, *reason, *time;
	git_oid commit; /* the commit that brought it (zero: none) */
	git_oid blob;
} gate_override_rec;

typedef struct {
	gate_override_rec *items;
	size_t count, cap;
} gate_override_ledger;

#define GATE_OVERRIDE_LEDGER_INIT { NULL, 0, 0 }

/*
 * Reads the ledger at PATH into OUT (appending).  A missing file is an empty
 * ledger.  GATE_ELIMIT past GATE_OVERRIDES_MAX_BYTES, GATE_EINVAL for a line
 * that is not a record (both name the file and what to do), GATE_ENOMEM.
 */
int gate_overrides_load(gate_override_ledger *out, const char *path);

/*
 * Appends a record to L; every string is copied (NULL: empty).  0 or
 * GATE_ENOMEM.
 */
int gate_overrides_add(gate_override_ledger *l, const char *ref, const gate_secret_finding *f,
		       const git_oid *blob, const char *by, const char *reason, const char *time);

/*
 * Appends the records of L to the ledger at PATH with one write(2) on an
 * O_APPEND descriptor (the directory is created when missing).  0, or
 * GATE_EIO / GATE_ENOMEM.
 */
int gate_overrides_append(const char *path, const gate_override_ledger *l);

void gate_override_ledger_dispose(gate_override_ledger *l);

#endif
