/*
 * The allocation-failure harness of the unit tests (FAULT=1 builds, where
 * GATEHOUSE_FAIL_ALLOC_AFTER=N makes allocation N+1 fail): a check runs in
 * a forked child once for every N until it runs with every allocation
 * granted, and must then have returned GATE_ENOMEM, leaking nothing, each
 * time before.
 */
#ifndef GATE_TEST_OOM_H
#define GATE_TEST_OOM_H

#include <stddef.h>

/* What a child says (its exit code). */
enum {
	OOM_OK = 0,             /* succeeded with every allocation granted */
	OOM_ENOMEM = 1,         /* returned GATE_ENOMEM as it should */
	OOM_OTHER_ERROR = 2,    /* returned another error */
	OOM_LEAK = 3,           /* held more bytes after than before */
	OOM_SWALLOWED = 4,      /* returned 0 though the injected failure was reached */
	OOM_CHANGED_OUTPUT = 5, /* failed, but changed its output first */
	OOM_NOT_REACHED = 6     /* the failure came before the call under test */
};

/*
 * Bytes the process holds, counted by ASan's allocator; 0 without ASan
 * (glibc's thread cache keeps freed chunks counted as in use), so plain
 * FAULT=1 builds skip the leak check.  Unlike LeakSanitizer it works in a
 * forked child of a threaded runner.
 */
size_t oom_live_bytes(void);

/*
 * The verdict of a child whose call under test returned RC, the process
 * holding BEFORE bytes (oom_live_bytes) before the call and its results
 * disposed of since.
 */
int oom_verdict(int rc, size_t before);

/*
 * Runs CHILD(ARG) in a child with allocation N+1 failing, N = 0, 1, ...
 * until it returns OOM_OK, asserting the contract on each (WHAT names the
 * check in failures).  A 4 is allowed only right before the first OOM_OK:
 * the call made exactly N allocations.  Returns how many runs returned
 * GATE_ENOMEM.
 */
int oom_walk(int (*child)(const void *arg), const void *arg, const char *what);

#endif
