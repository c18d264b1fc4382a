/*
 * Who is pushing.  Servers put the authenticated user in different
 * variables; the first one set (and non-empty) wins, in this order:
 * GATEHOUSE_USER, GITEA_PUSHER_NAME, GL_USERNAME, GL_USER, GITHUB_USER_LOGIN,
 * REMOTE_USER, then the operating-system user running the hook.
 */
#ifndef GATE_IDENTITY_H
#define GATE_IDENTITY_H

#include <stddef.h>

typedef struct {
	char login[256];
	const char *source; /* the variable it came from, or "os-user" */
} gate_identity;

/* Fills ID from the environment.  GATE_ENOTFOUND if nothing names a user. */
int gate_identity_from_env(gate_identity *id);

/* The variables consulted, in order (NULL-terminated). */
extern const char *const gate_identity_vars[];

#endif
