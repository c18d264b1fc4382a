/*
 * Shared internals of libgatehouse: allocation wrappers, a growable byte
 * buffer, an arena for data that lives and dies together (a loaded matrix),
 * and small helpers.
 *
 * All allocations go through gate_malloc()/gate_realloc() so a debug build
 * can inject allocation failures (GATEHOUSE_FAIL_ALLOC_AFTER=N, only when
 * compiled with -DGATE_FAULT_INJECTION) and so every failure path is one that
 * tests can reach.  The wrappers set the out-of-memory error themselves.
 */
#ifndef GATE_COMMON_H
#define GATE_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gatehouse/errors.h"

#define GATE_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation: NULL on failure with the last error set to out-of-memory. */
void *gate_malloc(size_t n);
void *gate_calloc(size_t nmemb, size_t size);
void *gate_realloc(void *p, size_t n);
/* Grows *P (an array of ELEM-sized items with capacity *CAP) to hold NEED. */
int gate_grow(void *pp, size_t *cap, size_t need, size_t elem);
char *gate_strdup(const char *s);
char *gate_strndup(const char *s, size_t n);
void gate_free(void *p);

/* A growable, always NUL-terminated byte buffer. */
typedef struct {
	char *ptr;
	size_t len;
	size_t cap;
	int oom; /* set once an append failed; later appends are no-ops */
} gate_buf;

#define GATE_BUF_INIT { NULL, 0, 0, 0 }

int gate_buf_grow(gate_buf *b, size_t extra);
int gate_buf_put(gate_buf *b, const char *data, size_t len);
int gate_buf_puts(gate_buf *b, const char *s);
int gate_buf_printf(gate_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int gate_buf_vprintf(gate_buf *b, const char *fmt, va_list ap);
/*
 * Appends S with every byte a terminal could act on made visible: control
 * characters, DEL and bytes of invalid UTF-8 become \xNN.  For anything that
 * came from a push (ref names, paths, messages) before it reaches stderr.
 * Idempotent: escaping escaped text changes nothing, so layers may each
 * escape what they print without garbling it.
 */
int gate_buf_put_escaped(gate_buf *b, const char *s, size_t len);

/* LEN (the length of S) cut to at most MAX bytes, never inside a UTF-8 sequence. */
size_t gate_utf8_cut(const char *s, size_t len, size_t max);
/* Returns the buffer's string ("" when empty); the buffer keeps ownership. */
const char *gate_buf_cstr(const gate_buf *b);
/* Hands the string to the caller (who frees it with gate_free). */
char *gate_buf_detach(gate_buf *b);
void gate_buf_clear(gate_buf *b);
void gate_buf_dispose(gate_buf *b);

/* An arena: many small allocations freed at once. */
typedef struct gate_arena_chunk gate_arena_chunk;
typedef struct {
	gate_arena_chunk *head;
	size_t total; /* bytes handed out, for limits */
} gate_arena;

void *gate_arena_alloc(gate_arena *a, size_t n);
char *gate_arena_strndup(gate_arena *a, const char *s, size_t n);
char *gate_arena_strdup(gate_arena *a, const char *s);
void gate_arena_dispose(gate_arena *a);

/* Reads a whole regular file (refusing symlinks and files above MAX bytes). */
int gate_read_file(char **out, size_t *out_len, const char *path, size_t max);

/*
 * gate_read_file for a scanner that meets whatever a directory holds: 0 and
 * the content; GATE_READ_NOT_REGULAR for a symlink, directory, FIFO or
 * device (nothing read); GATE_READ_TOO_LARGE over MAX (*OUT_LEN its size,
 * nothing read); a GATE_E* error otherwise.
 */
#define GATE_READ_NOT_REGULAR 1
#define GATE_READ_TOO_LARGE 2
int gate_read_regular(char **out, size_t *out_len, const char *path, size_t max);

/* ASCII case-insensitive comparison. */
int gate_strcasecmp(const char *a, const char *b);
int gate_strncasecmp(const char *a, const char *b, size_t n);

/* Monotonic clock in milliseconds. */
double gate_now_ms(void);

#endif
