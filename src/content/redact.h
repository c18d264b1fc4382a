/*
 * Secrets found in text that gatehouse itself prints or records (ref names,
 * paths, commit and tag messages), and the redacted form each is shown in.
 *
 * A finding in a blob never puts the secret in a message; a finding in a ref
 * name or a path would, since reports and audit records name refs and paths.
 * The driver collects every such secret here and passes the pusher's message
 * and each audit record through gate_redact_* before they leave the process,
 * so no layer has to know which of the strings it prints held a secret.
 */
#ifndef GATE_REDACT_H
#define GATE_REDACT_H

#include <stddef.h>

#include "util/common.h"

typedef struct {
	char *secret;  /* the secret as found (wiped on dispose) */
	size_t len;
	char *shown;   /* "ghp_...(40 chars)" */
} gate_redaction;

typedef struct {
	gate_redaction *items;
	size_t n, cap;
	int sealed; /* sorted longest first and without duplicates */
} gate_redactions;

#define GATE_REDACTIONS_INIT { NULL, 0, 0, 0 }

/*
 * Adds SECRET (LEN bytes, copied) to be shown as SHOWN.  Also adds the
 * secret as gate_buf_put_escaped prints it, when that differs.  0 or
 * GATE_ENOMEM.
 */
int gate_redactions_add(gate_redactions *r, const char *secret, size_t len, const char *shown);

/*
 * Appends S (LEN bytes) to OUT with every secret of R replaced by its shown
 * form (the longest secret first where two overlap).  0 or GATE_ENOMEM.
 */
int gate_redact_put(gate_buf *out, gate_redactions *r, const char *s, size_t len);

/* Whether S (LEN bytes) holds any secret of R. */
int gate_redact_needed(gate_redactions *r, const char *s, size_t len);

/* Frees R, wiping the secrets first. */
void gate_redactions_dispose(gate_redactions *r);

#endif
