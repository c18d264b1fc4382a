/*
 * gatehouse error codes and the last-error slot.
 *
 * Every fallible function in libgatehouse returns an int: 0 on success or one
 * of the negative codes below, and leaves a formatted message in a per-thread
 * last-error slot.  Callers either handle the code or pass it up; they never
 * ignore it.  Running out of memory sets a static message that needs no
 * allocation.
 */
#ifndef GATEHOUSE_ERRORS_H
#define GATEHOUSE_ERRORS_H

#include <stdarg.h>

typedef enum {
	GATE_OK = 0,
	GATE_ERROR = -1,     /* unspecified internal failure */
	GATE_ENOMEM = -2,    /* allocation failed */
	GATE_EINVAL = -3,    /* malformed input (hook stdin, arguments) */
	GATE_ENOTFOUND = -4, /* a named object, ref, file or key does not exist */
	GATE_EMATRIX = -5,   /* the responsibility matrix failed to load or validate */
	GATE_EGIT = -6,      /* libgit2 reported an error */
	GATE_EIO = -7,       /* reading or writing a file failed */
	GATE_ELIMIT = -8,    /* an input exceeded a configured bound */
	GATE_ECONFIG = -9,   /* server configuration (git config gatehouse.*) is wrong */
	GATE_EPOLICY = -10   /* an external policy command failed, timed out or printed garbage */
} gate_error_code;

/* Sets the last error to CODE with a printf-style message; returns CODE. */
int gate_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Same, taking a va_list. */
int gate_error_vset(int code, const char *fmt, va_list ap);

/*
 * Sets the last error from libgit2's last error, prefixed with CONTEXT;
 * returns GATE_EGIT (or GATE_ENOTFOUND when libgit2 said GIT_ENOTFOUND).
 */
int gate_error_from_git(int git_rc, const char *context);

/* Sets the static out-of-memory error; returns GATE_ENOMEM.  Never allocates. */
int gate_error_oom(void);

/* The message of the last error on this thread ("" when none).  Borrowed. */
const char *gate_error_last(void);

/* The code of the last error on this thread (GATE_OK when none). */
int gate_error_last_code(void);

/* Clears the last error. */
void gate_error_clear(void);

/* A short constant description of CODE, like strerror(). */
const char *gate_strerror(int code);

#endif
