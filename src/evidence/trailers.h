/*
 * Commit message trailers ("Reviewed-by: Name <email>"), parsed the way
 * `git interpret-trailers --parse` does: the last paragraph of the message
 * (never the subject), `Token: value` lines, continuation lines folded into
 * the value, values trimmed, CRLF tolerated.
 */
#ifndef GATE_TRAILERS_H
#define GATE_TRAILERS_H

#include <stddef.h>

typedef struct {
	char *key;
	char *value;
} gate_trailer;

typedef struct {
	gate_trailer *items;
	size_t count, cap;
	size_t total; /* trailers in the message, kept or not (settings.limits.trailers) */
} gate_trailers;

#define GATE_TRAILERS_INIT { NULL, 0, 0, 0 }

/* Most trailers kept from one message; the rest are ignored (and counted). */
#define GATE_TRAILERS_MAX 1000

/* Parses MESSAGE (NUL-terminated) into OUT.  0, or GATE_ENOMEM. */
int gate_trailers_parse(gate_trailers *out, const char *message);

/* The value of the last trailer named KEY (case-insensitive), or NULL. */
const char *gate_trailers_last(const gate_trailers *t, const char *key);

/*
 * The email of a trailer value such as "Carol <carol@example.com>": the
 * part inside the last <...>, or the whole value when it is a bare address.
 * Copies at most LEN-1 bytes into BUF; returns 0, or GATE_ENOTFOUND.
 */
int gate_trailer_email(char *buf, size_t len, const char *value);

void gate_trailers_dispose(gate_trailers *t);

#endif
