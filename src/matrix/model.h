/*
 * The in-memory responsibility matrix, as the decision code reads it.
 * Everything lives in one arena owned by the gate_matrix; indices into the
 * people and roles arrays stand for references, so nothing needs freeing one
 * by one.
 */
#ifndef GATE_MODEL_H
#define GATE_MODEL_H

#include <stddef.h>

#include "util/common.h"
#include "gatehouse/matrix.h"
#include "content/secret_rules.h"
#include "evidence/sshsig.h"

/* Where in the matrix file something was written. */
typedef struct {
	int line, col;
} gate_loc;

typedef struct {
	const char *id;
	const char *name;      /* may be NULL */
	const char **emails;   /* lower-cased */
	size_t n_emails;
	const char **logins;
	size_t n_logins;
	gate_sshkey **keys;    /* keys allowed to sign this person's commits */
	size_t n_keys;
	gate_loc loc;
} gate_person;

typedef struct {
	const char *id;
	size_t *members; /* person indices */
	size_t n_members;
	gate_loc loc;
} gate_role;

typedef struct {
	const char *id;
	size_t *roles; /* role indices */
	size_t n_roles;
	gate_loc loc;
} gate_duty;

/* Who may do one action on a ref. */
typedef enum {
	GATE_PERM_DEFAULT = 0, /* key absent: the documented default applies */
	GATE_PERM_NOBODY,      /* false */
	GATE_PERM_ANYONE,      /* true */
	GATE_PERM_ROLES        /* a list of roles */
} gate_perm_kind;

typedef struct {
	gate_perm_kind kind;
	size_t *roles;
	size_t n_roles;
	gate_loc loc; /* of the value; the rule's loc when absent */
} gate_perm;

/* reviews: / approvals: of a ref rule. */
typedef struct {
	int set;          /* the key is present */
	unsigned min;
	size_t *roles;    /* accepted roles (from:, or the duty's owners) */
	size_t n_roles;
	int from_duty;    /* from: absent: roles are the owners of the default duty */
	gate_loc loc;
} gate_evidence_req;

/* One required trailer: name -> accepted values (case-insensitive). */
typedef struct {
	const char *name;
	const char **values;
	size_t n_values;
	gate_loc loc;
} gate_trailer_req;

/*
 * An option of a ref rule that a check of the table declares (its row's
 * key is "refs[].NAME"): the loader validates the value by the row's kind
 * and keeps it here for the check to read (gate_refrule_opt).
 */
#define GATE_RULEOPTS_MAX 16 /* options checks may declare for one ref rule */

typedef struct {
	const char *name;  /* NAME, borrowed from the table */
	const char *value; /* the scalar, in the matrix's arena */
	gate_loc loc;      /* of the value */
} gate_ruleopt;

typedef struct {
	const char *pattern;
	size_t index; /* position in refs: */
	gate_loc loc; /* of the list item */
	gate_perm push, create, del, force_push;
	gate_evidence_req reviews;   /* Reviewed-by on every judged commit */
	gate_evidence_req approvals; /* Approved-by on the commit a tag names */
	gate_trailer_req *trailers;
	size_t n_trailers;
	int signed_commits;          /* signed: true */
	gate_loc signed_loc;
	const char *reachable_from;  /* a ref, or NULL */
	gate_loc reachable_loc;
	gate_ruleopt *opts;          /* options checks declare (name_pattern, ...) */
	size_t n_opts;
} gate_refrule;

/* paths: a judged commit touching PATTERN needs a review by an owner. */
typedef struct {
	const char *pattern;
	size_t *owners; /* role indices */
	size_t n_owners;
	gate_loc loc;
} gate_pathrule;

/*
 * settings.limits: bounds on what one push may bring.  Exceeding one rejects
 * the update with the check limit.<key>.  Defaults in gate_limit_defs.
 */
enum {
	GATE_LIMIT_REFS,             /* ref updates in one push */
	GATE_LIMIT_COMMITS,          /* new commits in one push */
	GATE_LIMIT_PARENTS,          /* parents of one commit */
	GATE_LIMIT_MESSAGE_BYTES,    /* bytes of one commit message */
	GATE_LIMIT_TRAILERS,         /* trailers in one commit message */
	GATE_LIMIT_PATHS_PER_COMMIT, /* paths one commit changes */
	GATE_LIMIT_TREE_DEPTH,       /* directories a path is nested in */
	GATE_LIMIT_PATH_BYTES,       /* bytes of one path */
	GATE_LIMIT_PATHS_PER_PUSH,   /* changed (commit, path) pairs in one push */
	GATE_LIMITS
};

typedef struct {
	const char *key;
	unsigned def, lo, hi;
	const char *what; /* "ref updates in one push" */
} gate_limit_def;

extern const gate_limit_def gate_limit_defs[GATE_LIMITS];

typedef struct {
	unsigned value[GATE_LIMITS];
	gate_loc loc[GATE_LIMITS]; /* where the matrix set it; 0:0 for a default */
} gate_limits;

/* Every limit at its default. */
void gate_limits_default(gate_limits *l);

typedef struct {
	gate_limits limits;
	int on_error_allow;
	gate_loc on_error_loc;
	long override_role;        /* role allowed to break glass, or -1 */
	gate_loc override_loc;
	unsigned time_budget_ms;   /* 0: none */
	gate_loc time_budget_loc;
	const char *metrics_file;  /* Prometheus text file (relative: to $GIT_DIR), or NULL */
	int syslog;                /* send each audit record to syslog too */
} gate_settings;

/* The checks of policies.containers, in the order of gate_container_check_names. */
enum {
	GATE_CCHK_PRIVILEGED,
	GATE_CCHK_PRIVILEGE_ESCALATION,
	GATE_CCHK_RUN_AS_ROOT,
	GATE_CCHK_HOST_NAMESPACES,
	GATE_CCHK_HOST_PATH,
	GATE_CCHK_CAPABILITIES,
	GATE_CCHK_UNPINNED_IMAGES,
	GATE_CCHKS
};
extern const char *const gate_container_check_names[GATE_CCHKS];

/*
 * Where one policies.deploy_refs entry takes commits from: refs matching
 * FROM, or (FROM NULL, the plain-string form) any ref whose rule demands
 * evidence (gate_evidence_rule_demands) and that is not a deploy ref.
 */
typedef struct {
	const char **from; /* globs, or NULL */
	size_t n_from;
	gate_loc loc;      /* of the entry */
} gate_deploy_src;

/* The matrix's policies: section (each part absent = off). */
typedef struct {
	int containers;                 /* policies.containers given */
	int action[GATE_CCHKS];         /* gate_policy_action per check */
	gate_loc action_loc[GATE_CCHKS];
	const char **registries;        /* images only from these; NULL: any */
	size_t n_registries;
	gate_loc registries_loc;
	const char **container_paths;   /* globs; NULL: every YAML file, Dockerfile, compose file */
	size_t n_container_paths;
	gate_loc containers_loc;

	int dependencies;               /* policies.dependencies given */
	const char **deny;              /* "npm:event-stream@3.3.6" */
	size_t n_deny;
	gate_loc deny_loc;
	const char **allow;             /* with allow_only: the approved packages */
	size_t n_allow;
	gate_loc allow_loc;
	int allow_only;
	gate_loc allow_only_loc;
	const char *osv;                /* repository path of an OSV JSON file, or NULL */
	gate_loc osv_loc;

	const char **deploy_refs;       /* globs */
	size_t n_deploy_refs;
	gate_loc deploy_refs_loc;
	gate_deploy_src *deploy_src;    /* where each deploy_refs entry takes commits from */

	const char *external_use;       /* name of a policy the server defines; NULL: none */
	unsigned external_timeout_ms;
	gate_loc external_loc;          /* of policies.external */
	gate_loc external_use_loc;      /* of its use: value */
} gate_policies_cfg;

/* One privilege-boundary expectation (matrix `expectations:`). */
typedef struct {
	const char *user;  /* a login (a person's, or anyone else's: an outsider) */
	const char *ref;
	int action;        /* gate_update_kind: create, delete, fast-forward (push), force */
	int allow;         /* expect: allow (1) or deny (0) */
	gate_loc loc;
} gate_expectation;

/* The matrix's secrets: section. */
typedef struct {
	int disabled;                  /* enabled: false */
	gate_secret_rule *rules;       /* extra rules */
	size_t n_rules;
	const char **disable;          /* built-in rule ids switched off */
	size_t n_disable;
	const char **allow_paths;      /* globs: never scanned */
	size_t n_allow_paths;
	const char **allow_regexes;    /* on the secret: never a finding */
	size_t n_allow_regexes;
	size_t max_blob_bytes;         /* 0: default */
	gate_loc loc;
} gate_secrets_cfg;

#define GATE_SECRETS_DEFAULT_MAX_BLOB (10u * 1024 * 1024)

/* The five duties every matrix must assign. */
#define GATE_DUTY_WRITE_CODE "write_code"
#define GATE_DUTY_REVIEW_CODE "review_code"
#define GATE_DUTY_CONFIGURE_PIPELINE "configure_pipeline"
#define GATE_DUTY_RESOLVE_VULNS "resolve_vulnerabilities"
#define GATE_DUTY_APPROVE_DEPLOYMENT "approve_deployment"

struct gate_matrix {
	gate_arena arena;
	const char *label;
	int version;
	gate_person *people;
	size_t n_people;
	gate_role *roles;
	size_t n_roles;
	gate_duty *duties;
	size_t n_duties;
	gate_refrule *refs;
	size_t n_refs;
	gate_pathrule *paths;
	size_t n_paths;
	const char **pipeline_paths; /* added to the built-in pipeline paths */
	size_t n_pipeline_paths;
	gate_loc pipeline_loc;
	gate_secrets_cfg secrets;
	gate_policies_cfg policies;
	gate_settings settings;
	gate_expectation *expectations;
	size_t n_expectations;
};

/* Built-in pipeline paths: changes need a review by configure_pipeline's owners. */
extern const char *const gate_builtin_pipeline_paths[];

/* Person index for LOGIN, or -1. */
long gate_matrix_person_by_login(const gate_matrix *m, const char *login);

/* Rule R's option NAME (a check's refs[] key), or NULL when R does not set it. */
const gate_ruleopt *gate_refrule_opt(const gate_refrule *r, const char *name);
/* Person index for EMAIL (case-insensitive), or -1. */
long gate_matrix_person_by_email(const gate_matrix *m, const char *email);
/* Whether person P is a member of role R. */
int gate_matrix_in_role(const gate_matrix *m, long person, size_t role);
/* The person whose key has public blob BLOB, or -1; *KEY set to the key. */
long gate_matrix_person_by_key(const gate_matrix *m, const unsigned char *blob, size_t len,
			       const gate_sshkey **key);
/* Appends "release (erin), security (carol, +2 more)": ROLES with up to MAX members each. */
void gate_matrix_describe_roles(gate_buf *b, const gate_matrix *m, const size_t *roles, size_t n,
				size_t max);
/* Role index by id, or -1. */
long gate_matrix_role_by_id(const gate_matrix *m, const char *id);
/* Person index for the person id ID (the key under people:), or -1. */
long gate_matrix_person_by_id(const gate_matrix *m, const char *id);
/* The duty with ID, or NULL. */
const gate_duty *gate_matrix_duty(const gate_matrix *m, const char *id);
/*
 * The first rule whose pattern matches REF: *OUT is the rule or NULL.  A ref
 * under refs/replace/ or refs/notes/ (see gate_ref_explicit_prefix) matches
 * only rules whose pattern itself starts with that prefix: a catch-all
 * (refs/ and a double star) never covers them.  Returns 0, or GATE_ENOMEM (never "no match"
 * on failure).
 */
int gate_matrix_rule_for_ref(const gate_refrule **out, const gate_matrix *m, const char *ref);

/*
 * "refs/replace/" or "refs/notes/" when REF lies under one of them, else
 * NULL: refs that rewrite or annotate what other refs show, so they need a
 * rule of their own (built in, always on).
 */
const char *gate_ref_explicit_prefix(const char *ref);

#endif
