/*
 * The in-memory responsibility matrix, as the decision code reads it.
 * Everything lives in one arena owned by the gate_matrix; indices into the
 * people and roles arrays stand for references, so nothing needs freeing one
 * by one.
 */
#ifndef GATE_MODEL_H
#define GATE_MODEL_H

#include <stddef.h>

#include "common.h"
#include "gatehouse/matrix.h"

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

typedef struct {
	const char *pattern;
	size_t index; /* position in refs: */
	gate_loc loc; /* of the list item */
	gate_perm push, create, del, force_push;
} gate_refrule;

typedef struct {
	int on_error_allow;
	gate_loc on_error_loc;
} gate_settings;

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
	gate_settings settings;
};

/* Person index for LOGIN, or -1. */
long gate_matrix_person_by_login(const gate_matrix *m, const char *login);
/* Person index for EMAIL (case-insensitive), or -1. */
long gate_matrix_person_by_email(const gate_matrix *m, const char *email);
/* Whether person P is a member of role R. */
int gate_matrix_in_role(const gate_matrix *m, long person, size_t role);
/* Role index by id, or -1. */
long gate_matrix_role_by_id(const gate_matrix *m, const char *id);
/* The duty with ID, or NULL. */
const gate_duty *gate_matrix_duty(const gate_matrix *m, const char *id);
/*
 * The first rule whose pattern matches REF: *OUT is the rule or NULL.
 * Returns 0, or GATE_ENOMEM (never "no match" on failure).
 */
int gate_matrix_rule_for_ref(const gate_refrule **out, const gate_matrix *m, const char *ref);

#endif
