/*
 * The watchdog: a hard stop for one hook run, and the audit record it leaves.
 *
 * gatehouse checks its time budget between steps, but a call that never
 * returns (libgit2 1.5 spins forever inflating a truncated object, libgit2
 * #7342) can only be stopped from outside: SIGALRM rejects the push.  A
 * signal handler may only make async-signal-safe calls, so the audit record
 * it writes is built beforehand (gate_watchdog_record) and the handler only
 * fills in the time and appends it with open/write/close.
 */
#ifndef GATE_WATCHDOG_H
#define GATE_WATCHDOG_H

#include <jansson.h>
#include <stddef.h>

/* The "found" text of the record a watchdog stop leaves. */
#define GATE_WATCHDOG_REASON                                                                  \
	"the watchdog fired: the hook did not finish in time (gatehouse.watchdogSeconds, or "  \
	"twice settings.time_budget_ms plus 10 s); a git object may be corrupt"

/* (Re)arms the watchdog to fire in SECONDS (0 counts as 1). */
void gate_watchdog_arm(unsigned seconds);

/*
 * Keeps RECORDS (N audit records, each with "time" set to
 * GATE_WATCHDOG_TIME_PLACEHOLDER) for the handler to append to the audit log
 * at PATH (its directory made first when MKDIR_PARENT).  As many as fit in a
 * fixed buffer are kept, the last one counting those left out.  Records
 * nothing when PATH is NULL.  0, or GATE_ENOMEM (then no record is kept).
 */
int gate_watchdog_record(const char *path, int mkdir_parent, json_t *const *records, size_t n);

/* The watchdog will write no record (the run's own record is being written). */
void gate_watchdog_forget(void);

#define GATE_WATCHDOG_TIME_PLACEHOLDER "0000-00-00T00:00:00.000Z"

#endif
