/*
 * `gatehouse drill NAME`: the shared incident drill, made runnable.
 *
 * gate_drill_run() builds a throwaway copy of a server's setup (the trusted
 * matrix of a bare repository, or a demo one), has the hooks' engine judge
 * an attack push of one kind, and returns what happened and who must act,
 * role by role from the matrix.  Printing it is the caller's.
 */
#ifndef GATEHOUSE_DRILL_H
#define GATEHOUSE_DRILL_H

#include <stddef.h>

/* The drills there are, as one line for messages. */
#define GATE_DRILL_NAMES "leaked-secret, compromised-dependency, privileged-container, unprotected-deploy"

/* Most duties a drill names. */
#define GATE_DRILL_DUTIES 5

/* One duty the incident touches, and who in the matrix holds it. */
typedef struct {
	const char *duty;  /* the responsibility ("resolve_vulnerabilities"...) */
	const char *act;   /* "must act" or "told" */
	const char *what;  /* what they do about it */
	char *owners;      /* "developers (alice, bob), security (carol)", or NOBODY (a gap) */
} gate_drill_duty;

typedef enum {
	GATE_DRILL_HELD,     /* the push was rejected */
	GATE_DRILL_NOT_HELD, /* the push would have been accepted */
	GATE_DRILL_UNKNOWN   /* the check could not run */
} gate_drill_outcome;

typedef struct {
	const char *name;   /* the drill */
	const char *story;  /* what the attacker does */
	const char *path;   /* the file the attack adds */
	const char *gap;    /* what to add to the matrix when the control did not hold */
	char *setup;        /* the matrix the throwaway server got, in words */
	char *attacker;     /* the login of a person whose duty is to write code */
	char *ref;          /* the ref the attack pushes */
	char *report;       /* what the hooks said to the attacker ("" when nothing) */
	gate_drill_outcome outcome;
	gate_drill_duty duties[GATE_DRILL_DUTIES];
	size_t n_duties;
} gate_drill_result;

/*
 * Runs drill NAME against REPO_PATH (a bare repository; NULL: the built-in
 * demo matrix) into *OUT, which the caller disposes of with
 * gate_drill_result_dispose() whatever the return.  0 when the drill ran
 * (whether or not the control held: OUT->outcome says); GATE_ENOTFOUND for
 * an unknown NAME, another negative code when the server's setup cannot be
 * read or copied, with the last error saying why.  Nothing of REPO_PATH is
 * written; the throwaway repository is removed before returning.  Sets
 * GIT_DIR (and unsets the other GIT_* repository variables) in this process.
 */
int gate_drill_run(gate_drill_result *out, const char *name, const char *repo_path);

void gate_drill_result_dispose(gate_drill_result *r);

#endif
