/*
 * The matrix's policies: applied to a push (see README "Policies").
 *
 * Content policies (containers, dependencies) are content checks (check.h):
 * the driver hands them the push's new files from the same source the secret
 * scan reads, each blob read once for every check, and an unchanged file is
 * never judged again.  Deployment
 * refs are judged against the refs as they stood before the push.  The
 * external command (OPA or anything speaking its output format) comes from
 * the server's git config only, never from the matrix or anything pushed;
 * it runs once per push without a shell, in a minimal environment outside
 * the repository, with a deadline, and its output is parsed as JSON;
 * anything unexpected is an error the caller turns into on_error.
 */
#ifndef GATE_POLICIES_H
#define GATE_POLICIES_H

#include <git2.h>

#include "matrix/model.h"
#include "content/check.h"
#include "content/policy.h"

/* Largest manifest or lock file the content policies read; larger ones are noted, not judged. */
#define GATE_POLICY_MAX_FILE (16u * 1024 * 1024)

/* Most bytes read from the external command's output. */
#define GATE_EXTERNAL_MAX_OUTPUT (4u * 1024 * 1024)

/*
 * M's content policies as content checks (check.h): the container policy
 * (policies.containers: manifests, Compose files, Dockerfiles) and the
 * dependency policy (policies.dependencies: lock files), each judged at
 * every path a file is at.  A file larger than GATE_POLICY_MAX_FILE is not
 * read: it gets one policy.file_too_large finding per path.
 */
typedef struct gate_policies_content gate_policies_content;

/* Most content checks gate_policies_content_checks gives. */
#define GATE_POLICY_CONTENT_CHECKS 2

/*
 * Prepares M's content policies into *OUT (new; free with
 * gate_policies_content_free; M must outlive it).  OSV (may be NULL) is the
 * advisory file's text, LEN bytes, added to the deny rules.  0, GATE_EINVAL
 * (the OSV file is not OSV: the message names it), or GATE_ENOMEM.
 */
int gate_policies_content_new(gate_policies_content **out, const gate_matrix *m, const char *osv,
			      size_t osv_len);

/*
 * Fills CHECKS (room for GATE_POLICY_CONTENT_CHECKS) with the content checks
 * M enables, in the order their findings are reported for one file
 * (containers, then dependencies); returns how many.  They point into PC.
 */
size_t gate_policies_content_checks(gate_content_check *checks, gate_policies_content *pc);

void gate_policies_content_free(gate_policies_content *pc);

/* Whether M's policies.deploy_refs cover REF (1 or 0). */
int gate_policies_is_deploy_ref(const gate_matrix *m, const char *ref);

/*
 * Where in the matrix the policy setting KEY is written (a key of the table
 * of checks: "policies.containers.privileged", "policies.dependencies.deny",
 * ...): that key's line and column, its section's when the key itself is not
 * written, 0:0 for KEY NULL or no policy setting.
 */
gate_loc gate_policies_loc(const gate_policies_cfg *p, const char *key);

/* The first policies.deploy_refs entry covering REF (an index), or -1. */
long gate_policies_deploy_entry(const gate_matrix *m, const char *ref);

/* Protected refs (a rule covers them, not deploy refs) and the commits they hold. */
typedef struct {
	git_oid *ids;
	char **names;
	size_t n;
} gate_policy_tips;

/*
 * Lists into OUT (at most MAX) the refs a rule of M covers that are not
 * deploy refs, with the commits they point at, as the refs stand now (before
 * the push, in a hook).  0, or a negative error.
 */
int gate_policies_protected_tips(gate_policy_tips *out, const gate_matrix *m, git_repository *repo,
				 size_t max);

void gate_policy_tips_dispose(gate_policy_tips *t);

/*
 * For an update of deploy ref REF to TARGET: sets *OK to 1 when TARGET is on
 * a ref its deploy_refs entry takes commits from (gate_deploy_src: the
 * entry's `from` globs, or else any ref whose rule demands evidence and is
 * not a deploy ref; never REF itself), as the refs stand before the push,
 * else 0, and appends the refs it looked at to SOURCES ("refs/heads/main,
 * ...").  0, or a negative error.
 */
int gate_policies_deploy_source(int *ok, gate_buf *sources, const gate_matrix *m,
				git_repository *repo, const char *ref, const git_oid *target);

/* Longest policy name (policies.external.use), and most words in its command. */
#define GATE_POLICY_NAME_MAX 64
#define GATE_EXTERNAL_MAX_ARGS 64
#define GATE_EXTERNAL_MAX_COMMAND 4096

/* What the external command's environment holds, all of it. */
#define GATE_EXTERNAL_PATH "PATH=/usr/local/bin:/usr/bin:/bin"
#define GATE_EXTERNAL_LANG "LANG=C.UTF-8"
/* Its working directory: outside every repository. */
#define GATE_EXTERNAL_CWD "/"

/* Whether NAME is a policy name: 1 to GATE_POLICY_NAME_MAX of [A-Za-z0-9_-] (1 or 0). */
int gate_policies_name_valid(const char *name);

/*
 * The command the server defines for external policy NAME: git config
 * gatehouse.externalPolicy.NAME.command in REPO's configuration (repository,
 * global, system: as libgit2 reads it; nothing a push brings), split into
 * *ARGV (a new NULL-terminated array; free with gate_policies_free_argv).
 * The value is split on spaces and tabs, nothing else: no quoting, escapes,
 * globbing or expansion, and the first word must be an absolute path.
 * GATE_ENOTFOUND when the server does not define NAME, GATE_ECONFIG (message
 * saying why) when the value is not such a command, GATE_ENOMEM, or a git
 * error.
 */
int gate_policies_external_argv(char ***argv, git_repository *repo, const char *name);

/* Splits COMMAND as gate_policies_external_argv does (GATE_ECONFIG, GATE_ENOMEM). */
int gate_policies_split_command(char ***argv, const char *command);

void gate_policies_free_argv(char **argv);

/*
 * Runs ARGV (no shell; ARGV[0] an absolute path) with INPUT on its stdin,
 * in the environment GATE_EXTERNAL_PATH and GATE_EXTERNAL_LANG and nothing
 * else (no GIT_* variable: no repository, no quarantine), in
 * GATE_EXTERNAL_CWD, for at most TIMEOUT_MS, and
 * reads what it prints in OPA's `eval --format json` shape:
 * {"result":[{"expressions":[{"value":["msg", ...]}]}]}.  Sets *MSGS to the
 * strings (a new array of new strings, *N of them; free with
 * gate_policies_free_msgs); no result or an empty list is none.  A command
 * that cannot start, exits non-zero, is killed at the deadline, or prints
 * anything else returns GATE_EPOLICY with a message saying which.
 */
int gate_policies_external(char ***msgs, size_t *n, const char *const *argv, unsigned timeout_ms,
			   const char *input, size_t input_len);

void gate_policies_free_msgs(char **msgs, size_t n);

#endif
