/*
 * Output sinks: where libgatehouse's text goes.
 *
 * The library never prints (curl's lib/ does not either): a function that
 * has something to say for people (a hook's verdict, `gatehouse matrix test`'s
 * table, a rendered matrix) writes it through a sink its caller passes in.
 * A sink is a write function and its context; the hooks and the CLI make
 * theirs over stderr and stdout with gate_sink_file(), the library makes
 * in-memory ones internally.  A NULL sink is silent: writing to it does
 * nothing and succeeds.
 */
#ifndef GATEHOUSE_SINK_H
#define GATEHOUSE_SINK_H

#include <stddef.h>
#include <stdio.h>

typedef struct gate_sink {
	/* Writes N bytes of S.  0, or a negative GATE_E* code. */
	int (*write)(void *ctx, const char *s, size_t n);
	/* Pushes out what the sink buffers; may be NULL (nothing buffered).  0 or negative. */
	int (*flush)(void *ctx);
	void *ctx;
} gate_sink;

/*
 * A sink writing to F with stdio (F is borrowed: never closed).  Writes
 * fail with GATE_EIO when fwrite() is short, flushes when fflush() fails or
 * F carries an error.
 */
gate_sink gate_sink_file(FILE *f);

/* Writes N bytes of P to S (NULL: nothing).  0, or S's negative code. */
int gate_sink_write(const gate_sink *s, const char *p, size_t n);

/* Writes the string STR to S.  0, or S's negative code. */
int gate_sink_puts(const gate_sink *s, const char *str);

/* Writes a printf-style message to S.  0, GATE_ENOMEM, or S's negative code. */
int gate_sink_printf(const gate_sink *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Writes N bytes of P to S with every byte a terminal could act on made
 * visible (control characters, DEL, invalid UTF-8 as \xNN): for text that
 * came from outside (paths, ref names, logs).  0, GATE_ENOMEM, or S's code.
 */
int gate_sink_put_escaped(const gate_sink *s, const char *p, size_t n);

/* Flushes S (NULL, or no flush function: 0).  0, or S's negative code. */
int gate_sink_flush(const gate_sink *s);

#endif
