/*
 * Running a decision end to end: what the hooks and `gatehouse check` call.
 *
 * Each entry point opens the repository the way git hands it to a hook
 * (seeing quarantined objects), identifies the pusher, loads the matrix from
 * the trusted ref as it stood before the push, decides every ref update,
 * writes the audit log and prints the verdict for the pusher.  Any internal
 * failure rejects (unless the matrix says settings.on_error: allow).
 */
#ifndef GATEHOUSE_RUN_H
#define GATEHOUSE_RUN_H

#include <stdio.h>

#include "gatehouse/sink.h"

typedef struct {
	const char *hook;  /* name recorded in the audit log ("pre-receive", "update", "check") */
	const char *user;  /* identity override (gatehouse check --user); NULL: from the environment */
	int dry_run;       /* 1: write no audit record */
	const gate_sink *out; /* messages (stderr in hooks: git shows them as remote:); NULL: none */
	const char *trusted_ref; /* overrides gatehouse.trustedRef / HEAD (pre-push) */
	int no_secrets;    /* skip the secret scan (pre-push: pre-commit did it) */
	const char *user_email; /* pre-push: who you are when no login matches (user.email) */
} gate_run_opts;

#define GATE_RUN_OPTS_INIT { "pre-receive", NULL, 0, NULL, NULL, 0, NULL }

/* Exit statuses shared by the hooks and the CLI. */
#define GATE_EXIT_OK 0
#define GATE_EXIT_REJECTED 1
#define GATE_EXIT_USAGE 2

/* pre-receive: reads "OLD NEW REF" lines from IN.  Returns an exit status. */
int gate_run_pre_receive(FILE *in, const gate_run_opts *opts);

/* update: one ref, as git passes it (REF OLD NEW, hex ids).  Returns an exit status. */
int gate_run_update(const char *ref, const char *old_hex, const char *new_hex,
		    const gate_run_opts *opts);

/*
 * Dry run of the decision for one update in the repository of the current
 * directory; OLD_REV and NEW_REV are revisions (or "0" for none).  Returns
 * an exit status (GATE_EXIT_USAGE for revisions that do not resolve).
 */
int gate_run_check(const char *ref, const char *old_rev, const char *new_rev,
		   const gate_run_opts *opts);

/*
 * `gatehouse explain`: writes to OPTS->out what LOGIN may do on REF and what
 * evidence a push there needs, from the matrix of the repository of the
 * current directory.  0; GATE_EINVAL when REF is not a full ref name,
 * GATE_ENOTFOUND when there is no matrix yet, another negative code when the
 * repository or its matrix cannot be read: the last error says which.
 */
int gate_run_explain(const char *login, const char *ref, const gate_run_opts *opts);

/*
 * pre-push, on a developer's machine: judges the updates git is about to
 * send to REMOTE (stdin lines "LOCAL_REF LOCAL_SHA REMOTE_REF REMOTE_SHA")
 * against the matrix of the local copy of the remote's trusted branch, so a
 * developer learns before the server says no.  Returns an exit status.
 */
int gate_run_pre_push(const char *remote, FILE *in, const gate_run_opts *opts);

#endif
